//! The shop's name printed again lower down, outvoting a letter misread in the header.
//!
//! Receipts often repeat the name below the header: the owning company (`Owned By: SANYU
//! SUPPLY SDN BHD`), a web or social handle (`Facebook: Sanyu.Stationery`), a footer. The
//! header is printed large and bold, where Tesseract slips most (`SANYO` for `SANYU` on
//! stationers' receipts that repeat the name in a handle). A name word the header gives once and never again, while the rows below give
//! one other spelling, one letter apart, at least twice, is that other spelling: two readings
//! against one. An echo only counts on a row that is about the shop, one that also holds
//! another word of the name or a legal form, so `TAKE AWAY` never outvotes `CAKE`.

use std::ops::Range;

use super::legal::legal_form_span;
use super::mending::in_case_of;
use crate::extract::classify::RowInfo;
use crate::extract::text::map_words;

/// Shorter words are too easily one letter from an unrelated word.
const MIN_WORD: usize = 4;
/// Echoes that must agree against the header's single reading.
const MIN_ECHOES: usize = 2;

/// `name` with each word outvoted by its echoes below the header written as they read it.
pub(super) fn vote_with_echoes(name: &str, rows: &[RowInfo], name_rows: Range<usize>) -> String {
    let words = name_words(name);
    let below: Vec<RowBelow> = rows
        .iter()
        .skip(name_rows.end)
        .map(|row| RowBelow {
            words: letter_words(row.text())
                .map(|w| w.to_ascii_uppercase())
                .collect(),
            legal: legal_form_span(row.text()).is_some(),
        })
        .collect();
    map_words(
        name,
        |c| c.is_ascii_alphabetic(),
        |word| outvoted(word, &words, &below).unwrap_or_else(|| word.to_string()),
    )
}

/// A row below the header as the vote sees it: its upper-case words, and whether it names a
/// company (a legal form).
struct RowBelow {
    words: Vec<String>,
    legal: bool,
}

/// The upper-case words of a name that are long enough to vote on.
fn name_words(name: &str) -> Vec<String> {
    letter_words(name)
        .filter(|w| w.len() >= MIN_WORD)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

fn letter_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
}

/// The spelling the rows below agree on for `word`, when they outvote the header.
fn outvoted(word: &str, name_words: &[String], below: &[RowBelow]) -> Option<String> {
    let upper = word.to_ascii_uppercase();
    if upper.len() < MIN_WORD {
        return None;
    }
    let mut echoes: Vec<&String> = Vec::new();
    for row in below {
        if row.words.contains(&upper) {
            // The header's reading is printed again: it stands.
            return None;
        }
        let about_the_shop = row.legal
            || name_words
                .iter()
                .any(|n| *n != upper && row.words.contains(n));
        if about_the_shop {
            echoes.extend(row.words.iter().filter(|w| one_letter_apart(w, &upper)));
        }
    }
    let first = echoes.first()?;
    let agree = echoes.iter().all(|e| e == first);
    (agree && echoes.len() >= MIN_ECHOES).then(|| in_case_of(word, first))
}

fn one_letter_apart(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::locale::Locale;
    use crate::extract::rows::build_rows;
    use crate::extract::test_lines;

    fn voted(text: &str) -> String {
        let rows = classify(build_rows(&test_lines(text)), Locale::En);
        vote_with_echoes(rows[0].text(), &rows, 0..1)
    }

    /// A bold header read `SANYO`, the owner row and the web handle below `SANYU`.
    #[test]
    fn regression_a_header_word_outvoted_by_the_owner_and_the_handle() {
        let text = "SANYO STATIONERY SHOP\nTel: +603-3362 4137\nOwned By :\n\
                    SANYU SUPPLY SDN BHD (1135772-K)\nTotal 3.90\n\
                    Follow us in Facebook : Sanyu.Stationery";
        assert_eq!(voted(text), "SANYU STATIONERY SHOP");
    }

    #[test]
    fn one_echo_is_no_majority() {
        let text = "KEDAI RUNCIT ZBH\nKEDAT RUNCIT 7BH\nTotal 3.90";
        assert_eq!(voted(text), "KEDAI RUNCIT ZBH");
    }

    #[test]
    fn the_header_reading_printed_again_stands() {
        let text = "SANYO STATIONERY SHOP\nSANYU SUPPLY SDN BHD\nSANYO SUPPLY SDN BHD\n\
                    sanyu.stationery";
        assert_eq!(voted(text), "SANYO STATIONERY SHOP");
    }

    #[test]
    fn words_on_rows_not_about_the_shop_do_not_vote() {
        let text = "MOONLIGHT CAKE HOUSE\nTAKE AWAY\nTAKE AWAY\nTotal 3.90";
        assert_eq!(voted(text), "MOONLIGHT CAKE HOUSE");
    }

    #[test]
    fn echoes_that_disagree_do_not_vote() {
        let text = "SANYO STATIONERY\nSANYU STATIONERY\nSANYA STATIONERY";
        assert_eq!(voted(text), "SANYO STATIONERY");
    }

    #[test]
    fn the_case_read_in_the_header_is_kept() {
        let text = "Sanyo Stationery\nSANYU STATIONERY\nsanyu.stationery";
        assert_eq!(voted(text), "Sanyu Stationery");
    }
}
