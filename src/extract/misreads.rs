//! Misreads mended on whole rows before they are classified, where one sign read for another
//! changes what the row is. Each mending keeps the byte length, so spans into a row's text
//! stay valid.
//!
//! Zeros inside words of letters (`0XF0RD`, `B0RDEAUX`): PP-OCR's recogniser reads the narrow
//! capitals of receipt fonts so (on the samples, two addresses of twelve; see
//! `mend_zero_letters`).
//!
//! A price's decimal sign read as a colon (`TOMATES GRAPPE 2:37`, `Bio Bananen 1:29` on table
//! photos): the row then shows a time of day, and a row with a time is a detail row, never an
//! item. Read as a price when nothing else on the row says it is a time. (`reconcile` also
//! takes a colon-read word in the price column for a doubtful price, but only for an item row
//! and only when the items miss a sure total; this mending keeps the row an item at all.)

use std::sync::LazyLock;

use regex::Regex;

use super::date::find_dates;
use super::locale::Pack;
use super::rows::Row;
use super::text::tokens;

/// `row` with `mend` applied to its text and to each word's (`mend` keeps byte lengths).
fn rewrite(row: &mut Row, mend: fn(&str) -> String) {
    row.text = mend(&row.text);
    for word in &mut row.words {
        word.text = mend(&word.text);
    }
}

/// A one-digit "hour" ending the row, perhaps before a tax letter: `2:37`, `1:29 A`.
static COLON_PRICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)\d(:)\d{2}(?:\s+[A-Z])?\s*$").unwrap());

/// `row` with the colon of a price misread as a time written as a decimal point: the row ends
/// with `d:dd` (one digit before the colon, where a till's clock would print two at the end of
/// a row), shows no date, names no time and opens with a word of at least three letters.
pub fn mend_colon_price(row: &mut Row) {
    let Some(colon) = COLON_PRICE
        .captures(&row.text)
        .and_then(|caps| caps.get(1))
        .map(|m| m.start())
    else {
        return;
    };
    let before = &row.text[..colon];
    let row_tokens = tokens(before);
    let opens_with_word = row_tokens
        .first()
        .is_some_and(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 3);
    let every = Pack::every_locale();
    let names_time = row_tokens
        .iter()
        .any(|t| every.time.contains(&t.as_str()) || every.clock_word.contains(&t.as_str()));
    if !opens_with_word || names_time || !find_dates(&row.text).is_empty() {
        return;
    }
    row.text.replace_range(colon..colon + 1, ".");
    if let Some(word) = row.words.iter_mut().rev().find(|w| w.text.contains(':')) {
        word.text = word.text.replacen(':', ".", 1);
    }
}

/// `row` with zeros that stand for the letter O written as O, in its text and in each word.
pub fn mend_zero_letters(row: &mut Row) {
    rewrite(row, zero_letters);
}

/// Class of slip: a reader whose glyph for `0` and `O` is nearly one (PP-OCR's recogniser, on
/// the narrow capitals of receipt fonts, and Tesseract on dot-matrix print) puts a zero inside
/// a word of letters: `B0OK`, `0XF0RD`, `C0FFEE`. A run of letters and digits is a word when
/// its only digits are zeros and it holds at least two letters; then each zero is an O. A run
/// with any other digit is a code or a quantity (`20KG`, `A4`, `400'S`) and is left as read, and
/// so is a run opening with a zero that goes on with one letter and then digits only, like
/// the postcode district `0X1`, unless the run is `0` + letter + one or two digits, the
/// shape of a UK outward postcode (`OX1`, `OL16`), which no price, quantity or code has.
fn zero_letters(text: &str) -> String {
    if !text.contains('0') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let letters = run.chars().filter(|c| c.is_alphabetic()).count();
        let other_digits = run.chars().any(|c| c.is_ascii_digit() && c != '0');
        let chars: Vec<char> = run.chars().collect();
        let postcode_district = chars.len() >= 3
            && chars.len() <= 4
            && chars[0] == '0'
            && chars[1].is_ascii_uppercase()
            && chars[2..].iter().all(|c| c.is_ascii_digit())
            && chars[2] != '0';
        if (letters >= 2 && !other_digits) || postcode_district {
            let mut first = true;
            for c in run.chars() {
                // The district's own digits stay digits; only its opening zero is a letter.
                out.push(if c == '0' && (first || !postcode_district) {
                    'O'
                } else {
                    c
                });
                first = false;
            }
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::Line;

    fn mended_row(text: &str) -> String {
        let mut row = super::super::rows::build_rows(&[Line::from_text(
            text,
            90.0,
            crate::ocr::BBox([0, 0, 400, 20]),
        )])
        .remove(0);
        mend_colon_price(&mut row);
        assert_eq!(row.text.len(), text.len());
        row.text
    }

    #[test]
    fn zeros_inside_words_of_letters_are_the_letter_o() {
        for (read, meant) in [
            ("POPULAR B0OK", "POPULAR BOOK"),
            (
                "14 HIGH STREET 0XF0RD 0X1 4AH",
                "14 HIGH STREET OXFORD OX1 4AH",
            ),
            ("C0FFEE 1.20", "COFFEE 1.20"),
            ("Oldham 0L16 1AB", "Oldham OL16 1AB"),
        ] {
            assert_eq!(zero_letters(read), meant);
        }
        // Codes, quantities, amounts and postcodes keep their zeros.
        for kept in [
            "20KG 10.00",
            "H/C A4 400'S",
            "33000 BORDEAUX",
            "0X",
            "0G",
            "TEL 03-42601064",
            "GST 001492992000",
            "100G",
            "0X0",
            "B10",
        ] {
            assert_eq!(zero_letters(kept), kept);
        }
    }

    #[test]
    fn a_price_with_its_decimal_sign_read_as_a_colon_is_a_price() {
        // Photographed thermal print: the decimal point read as a colon.
        assert_eq!(mended_row("TOMATES GRAPPE 2:37"), "TOMATES GRAPPE 2.37");
        assert_eq!(mended_row("Bio Bananen 1:29 A"), "Bio Bananen 1.29 A");
    }

    #[test]
    fn clock_readings_stay_times() {
        for text in [
            "Heure 9:05",
            "Servi à 8:52",
            "Le 14/11/2026 à 8:52",
            "Zeit: 9:03",
            "Caisse 2 18:42",
            "8:52",
            "Ticket 0347 08:52",
        ] {
            assert_eq!(mended_row(text), text);
        }
    }
}
