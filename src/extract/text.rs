//! Text helpers shared by the field readers: folding OCR text for keyword matching, and a
//! keyword match that forgives the glyph confusions OCR makes on thermal print.
//!
//! Keywords are matched on tokens (runs of letters and digits) of the folded text, so
//! `"Sous-Total"`, `"SOUS TOTAL"` and `"sous total:"` all read as `SOUS TOTAL`. A token of five
//! or more letters may differ from the keyword by one confusable glyph (`Tota]`, `lotal`,
//! `T0TAL`) or lose its last letter (`TOTA`), never by an arbitrary letter: `CHARGE` must not
//! read as `CHANGE`.

/// Upper-case ASCII, accents removed (`"Net à payer"` → `"NET A PAYER"`, `"Rückgeld"` → `"RUCKGELD"`).
/// `°` and `º` (as in `N°`) become `.`, not deunicode's `deg`.
pub fn fold(text: &str) -> String {
    let text = text.replace(['°', 'º'], ".");
    deunicode::deunicode(&text).to_ascii_uppercase()
}

/// Tokens of the folded text: maximal runs of ASCII letters and digits.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Glyphs OCR confuses with each other on receipts; one class per line.
const CONFUSABLE: [&str; 7] = ["ILT1JF7", "O0QDCGU", "S5", "B8ER", "A4", "Z2", "MNH"];

fn confusable(a: char, b: char) -> bool {
    a == b
        || CONFUSABLE
            .iter()
            .any(|class| class.contains(a) && class.contains(b))
}

/// A token equal to a keyword word, up to one OCR confusion when both are long enough.
pub fn token_matches(token: &str, word: &str) -> bool {
    if token == word {
        return true;
    }
    if word.len() < 5 || !word.bytes().all(|b| b.is_ascii_uppercase()) {
        return false;
    }
    if token.len() + 1 == word.len() && word.starts_with(token) {
        return true;
    }
    let Some(differing) = differing_glyphs(token, word) else {
        return false;
    };
    matches!(differing.as_slice(), [(a, b)] if confusable(*a, *b))
}

/// The glyphs where `read` and `printed` differ, as (read, printed) pairs in order; `None`
/// when they differ in length, so no glyph-by-glyph reading applies.
pub fn differing_glyphs(read: &str, printed: &str) -> Option<Vec<(char, char)>> {
    (read.len() == printed.len()).then(|| {
        read.chars()
            .zip(printed.chars())
            .filter(|(a, b)| a != b)
            .collect()
    })
}

/// Where a keyword (space-separated words, already folded) starts in `tokens`.
pub fn find_keyword(tokens: &[String], keyword: &str) -> Option<usize> {
    let words: Vec<&str> = keyword.split(' ').collect();
    if words.is_empty() || tokens.len() < words.len() {
        return None;
    }
    (0..=tokens.len() - words.len()).find(|&start| {
        words
            .iter()
            .enumerate()
            .all(|(i, w)| token_matches(&tokens[start + i], w))
    })
}

pub fn has_keyword(tokens: &[String], keyword: &str) -> bool {
    find_keyword(tokens, keyword).is_some()
}

pub fn has_any(tokens: &[String], keywords: &[&str]) -> bool {
    keywords.iter().any(|k| has_keyword(tokens, k))
}

/// How far the least sure word of a text (its OCR confidence, 0–100) lets one trust text that
/// must be read letter for letter (names, addresses): nothing below 30, fully from 90 on.
pub fn certainty(min_word_conf: f32) -> f32 {
    ((min_word_conf - 30.0) / 60.0).clamp(0.05, 1.0)
}

/// `text` with every run of `in_word` characters replaced by `rewrite` of it; everything
/// between words kept as printed.
pub fn map_words(
    text: &str,
    in_word: fn(char) -> bool,
    mut rewrite: impl FnMut(&str) -> String,
) -> String {
    let mut mapped = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if in_word(c) {
            word.push(c);
            continue;
        }
        mapped.push_str(&rewrite(&word));
        word.clear();
        mapped.push(c);
    }
    mapped.pop();
    mapped
}

/// Number of letters in `text`.
pub fn letter_count(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

fn is_decoration_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '|' | '.'
                | ','
                | ';'
                | ':'
                | '-'
                | '_'
                | '~'
                | '='
                | '*'
                | '#'
                | '"'
                | '\''
                | '“'
                | '”'
                | '‘'
                | '’'
                | '—'
                | '–'
                | '>'
                | '<'
                | '+'
                | '@'
                | '»'
                | '«'
                | '!'
                | '¢'
                | '§'
                | '°'
        )
}

/// Trim the decoration OCR leaves around printed text: bars, dashes, quotes, stray dots.
pub fn trim_decoration(text: &str) -> &str {
    text.trim_matches(is_decoration_char)
}

/// Trim decoration but keep a printed final `,` or `.` (`JALAN KPB 6,`, `JOHOR.`): labels and
/// users copy addresses with their punctuation.
pub fn trim_keeping_punctuation(text: &str) -> &str {
    let trimmed = trim_decoration(text);
    if trimmed.is_empty() {
        return trimmed;
    }
    let start = trimmed.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + trimmed.len();
    match text[end..].chars().next() {
        Some(c @ (',' | '.')) => &text[start..end + c.len_utf8()],
        _ => trimmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("Net à payer"), "NET A PAYER");
        assert_eq!(fold("Rückgeld"), "RUCKGELD");
        assert_eq!(tokens("Sous-Total: 12,50"), ["SOUS", "TOTAL", "12", "50"]);
    }

    #[test]
    fn keyword_match_forgives_ocr_confusions_only() {
        for token in ["TOTAL", "LOTAL", "FOTAL", "TOTA", "T0TAL", "TOTAI"] {
            assert!(token_matches(token, "TOTAL"), "{token}");
        }
        assert!(token_matches("SUMHE", "SUMME"));
        assert!(!token_matches("CHARGE", "CHANGE"));
        assert!(!token_matches("TOTALS", "TOTAL"));
        assert!(!token_matches("CB", "CA"));
        assert!(!token_matches("TOT", "TOTAL"));
        let row = tokens("Sub Total (excl. GST)");
        assert_eq!(find_keyword(&row, "SUB TOTAL"), Some(0));
        assert_eq!(find_keyword(&row, "TOTAL"), Some(1));
        assert!(has_keyword(&tokens("NET A PAYER 12,50"), "NET A PAYER"));
        assert!(!has_keyword(&tokens("NET"), "NET A PAYER"));
    }

    #[test]
    fn trims_decoration() {
        assert_eq!(trim_decoration("| GK101, GND FLR |"), "GK101, GND FLR");
        assert_eq!(trim_decoration("—— TAX INVOICE __"), "TAX INVOICE");
        assert_eq!(trim_keeping_punctuation(". JALAN KPB 6,"), "JALAN KPB 6,");
        assert_eq!(
            trim_keeping_punctuation("43200 Cheras, Selangor - ."),
            "43200 Cheras, Selangor"
        );
        assert_eq!(trim_keeping_punctuation("JOHOR."), "JOHOR.");
        assert_eq!(trim_keeping_punctuation("..."), "");
    }
}
