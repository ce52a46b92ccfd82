//! One way to compare receipt text with campaign words: accents removed, upper case, words
//! split on anything that is not a letter or digit, and the digit/letter swaps OCR makes inside
//! words undone (`FRESC0` → `FRESCO`).
//!
//! Campaign names and receipt lines go through the same function, so a campaign manager can
//! write `Maximarché`, `MAXIMARCHE` or `maxi marché` and still match what the till printed.

/// Accents removed and upper-cased, e.g. `Maximarché` → `MAXIMARCHE`.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_uppercase()
}

/// The folded words of `text`, with OCR digit/letter confusions repaired inside words.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(repair_ocr_digits)
        .collect()
}

/// A word that is mostly letters had its digits misread: `FRESC0`, `L1DL`, `5PAR`. Words that are
/// mostly digits (prices, postcodes, `4X125G`) are left alone.
fn repair_ocr_digits(word: &str) -> String {
    let letters = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = word.len() - letters;
    if digits == 0 || letters < 2 || digits * 2 > letters {
        return word.to_string();
    }
    word.chars()
        .map(|c| match c {
            '0' => 'O',
            '1' => 'I',
            '5' => 'S',
            '8' => 'B',
            other => other,
        })
        .collect()
}

/// The words joined without spaces: `MAXI MARCHE` and `MAXIMARCHE` compare equal this way.
pub fn compact(tokens: &[String]) -> String {
    tokens.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("Maximarché"), "MAXIMARCHE");
        assert_eq!(tokens("Yaourts bio, fraise!"), ["YAOURTS", "BIO", "FRAISE"]);
    }

    #[test]
    fn repairs_digits_inside_words_only() {
        assert_eq!(tokens("FRESC0 MARKET"), ["FRESCO", "MARKET"]);
        assert_eq!(tokens("4X125G 2,40 75011"), ["4X125G", "2", "40", "75011"]);
        assert_eq!(tokens("L1DL"), ["LIDL"]);
    }

    #[test]
    fn compact_ignores_spaces() {
        assert_eq!(
            compact(&tokens("maxi marché")),
            compact(&tokens("MAXIMARCHÉ"))
        );
    }
}
