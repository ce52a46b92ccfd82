//! Legal forms (`SDN BHD`, `LTD`, `SARL`, `GmbH`…): how a registered company name ends, found
//! even when OCR misreads a glyph (`SON BHD`, `5/8` for `S/B`) and written back the standard way.

use crate::extract::locale::Pack;
use crate::extract::text::{differing_glyphs, fold};

pub(super) fn legal_word(word: &str) -> String {
    fold(word)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '&')
        .collect()
}

/// Short tokens compared glyph by glyph: `SON` and `5DN` are `SDN`, `5/8` is `S/B`.
pub(super) fn legal_token_matches(token: &str, form: &str) -> bool {
    if token == form {
        return true;
    }
    let Some(pairs) = differing_glyphs(token, form).filter(|_| form.len() >= 3) else {
        return false;
    };
    pairs.len() * 3 <= form.len() * 2
        && pairs.iter().all(|(a, b)| {
            ["O0QD", "S5", "B8", "I1L", "G6"]
                .iter()
                .any(|class| class.contains(*a) && class.contains(*b))
        })
}

/// Where a legal form sits in a row: byte range and which form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct LegalSpan {
    pub start: usize,
    pub end: usize,
    pub form: &'static str,
}

/// The legal form of a name row, if it has one.
pub(super) fn legal_form_span(text: &str) -> Option<LegalSpan> {
    let words: Vec<(usize, &str)> = word_offsets(text);
    let folded: Vec<String> = words.iter().map(|(_, w)| legal_word(w)).collect();
    let mut found: Option<LegalSpan> = None;
    let every = Pack::every_locale();
    for &form in every.legal_form {
        let parts: Vec<&str> = form.split(' ').collect();
        for start in 0..folded.len() {
            let end = start + parts.len();
            if end > folded.len() {
                break;
            }
            let matched = parts
                .iter()
                .enumerate()
                .all(|(k, p)| legal_token_matches(&folded[start + k], p));
            // A one-word form opening a longer row is a word of the name (`TRADING HOURS`),
            // except the French forms printed first (`SAS DUPONT`).
            let opens_row = start == 0 && parts.len() == 1 && folded.len() > 1;
            if !matched || (opens_row && !every.legal_form_first.contains(&form)) {
                continue;
            }
            // `(Co. No: 20154-T)` is a company number, not a legal form.
            let numbered = folded
                .get(end)
                .is_some_and(|next| matches!(next.as_str(), "NO" | "REG" | "NR"));
            if words[start].1.starts_with('(') || numbered {
                continue;
            }
            let last_word = end == folded.len() || followed_only_by_registration(&words[end..]);
            if every.legal_form_at_end.contains(&form) && !last_word {
                continue;
            }
            let (last_offset, last) = words[end - 1];
            let span = LegalSpan {
                start: words[start].0,
                end: last_offset + last.len(),
                form,
            };
            // The form ending last is the whole legal name (`GmbH & Co. KG`); of two ending
            // together, the longer (`SDN BHD` over `BHD`).
            let better = found
                .is_none_or(|f| span.end > f.end || (span.end == f.end && span.start < f.start));
            if better {
                found = Some(span);
            }
        }
    }
    found
}

pub(super) fn followed_only_by_registration(rest: &[(usize, &str)]) -> bool {
    let joined: String = rest.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" ");
    joined.chars().any(|c| c.is_ascii_digit())
        && joined.chars().filter(|c| c.is_alphabetic()).count() <= 6
}

/// The row's words with their byte offsets. A dot or closing parenthesis followed by a
/// letter also ends a word: OCR drops the space there (`RENGIT)SDN.BHD.`), and tills print
/// legal forms with dots for spaces (`SDN.BHD.`). An opening parenthesis starts a word: the
/// company number glued to the legal form (`BHD.(126926-H)`, `BHD(12345-X)`) is no part of it.
pub(super) fn word_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offsets = Vec::new();
    let mut start = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), false) if c == '(' && s < i => {
                offsets.push((s, &text[s..i]));
                start = Some(i);
            }
            (Some(s), true) => {
                offsets.push((s, &text[s..i]));
                start = None;
                continue;
            }
            _ => {}
        }
        let glued = matches!(c, '.' | ')') && chars.peek().is_some_and(|(_, n)| n.is_alphabetic());
        if let (Some(s), true) = (start, glued) {
            let end = i + c.len_utf8();
            offsets.push((s, &text[s..end]));
            start = None;
        }
    }
    if let Some(s) = start {
        offsets.push((s, &text[s..]));
    }
    offsets
}

/// A legal form as printed, or written the standard way when OCR misread it
/// (`SON BHD` → `SDN BHD`, `5/8` → `S/B`).
pub(super) fn canonical_legal(printed: &str, form: &'static str) -> String {
    let printed_words: Vec<&str> = word_offsets(printed).into_iter().map(|(_, w)| w).collect();
    printed_words
        .iter()
        .zip(form.split(' '))
        .map(|(word, part)| {
            if legal_word(word) == part {
                (*word).to_string()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Legal forms printed with dots for spaces (`SDN.BHD.`) or glued to the name by a lost
    /// space (`RENGIT)SDN.BHD.`) were no legal form: the shop's name lost its `SDN BHD`, or a
    /// row above it was taken instead.
    #[test]
    fn regression_a_legal_form_glued_by_dots_or_a_parenthesis_is_one() {
        let text = "S.H.H.MOTOR (SUNGAI RENGIT)SDN.BHD.";
        let span = legal_form_span(text).unwrap();
        assert_eq!(
            (&text[span.start..span.end], span.form),
            ("SDN.BHD.", "SDN BHD")
        );
        assert_eq!(canonical_legal("SDN.BHD.", "SDN BHD"), "SDN. BHD.");
        // Initials keep their dots, and a dot before a digit or space ends nothing.
        let words: Vec<&str> = word_offsets("S.H.H.MOTOR NO.5 ST. JOHN")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(words, ["S.", "H.", "H.", "MOTOR", "NO.5", "ST.", "JOHN"]);
    }

    /// Class: Malaysian company names printed with the company number glued to the legal form
    /// (`AEON CO. (M) BHD.(126926-H)`): `BHD.(126926-H)` was no legal form, and the name was
    /// cut after `CO.`, the last form that matched.
    #[test]
    fn regression_a_company_number_glued_to_the_legal_form_is_no_part_of_it() {
        for text in ["AEON CO. (M) BHD.(126926-H)", "AEON CO. (M) BHD'(126926-H)"] {
            let span = legal_form_span(text).unwrap();
            assert_eq!(span.form, "BHD", "{text}");
            assert!(text[span.start..span.end].starts_with("BHD"), "{text}");
        }
    }
}
