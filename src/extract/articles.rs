//! The number of articles a till prints (`NB ARTICLES : 9`, `Total Qty: 6`, `Anzahl Artikel
//! 4`, `5 ARTICLES`) checks the counts read on the item rows.
//!
//! A count OCR misread is what a points campaign pays on: on a noisy photo `2 x 2,40 € 4,80 €`
//! reads `25x 2740.€ 4,80`, and two pots of yoghurt become twenty-five. Items
//! whose printed count could not be read (`Item::count_unread`) stand at one unit. When exactly
//! one item is in that doubt, the printed number of articles minus every other item's units
//! is its count, kept only when it divides the item's amount into whole cents. Weighed goods
//! count as one article, as tills count them; discounts count for nothing.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::classify::RowInfo;
use super::locale::Pack;
use super::receipt::Item;
use super::text::fold;

/// A whole number closing the row (`: 9`), not an amount.
static CLOSING_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\s:]([0-9]{1,3})\s*$").unwrap());

/// A count of articles alone before its word (`5 ARTICLES`).
static LEADING_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,3})\s+(\S+?)\.?$").unwrap());

/// Most units one article row can stand for.
const MOST_UNITS: i64 = 99;

/// Give the one item whose printed count could not be read (`Item::count_unread`) the count
/// the printed number of articles leaves for it.
pub fn settle_counts(items: &mut [Item], rows: &[RowInfo]) {
    let mut unread = (0..items.len()).filter(|&i| items[i].count_unread);
    let (Some(doubted), None) = (unread.next(), unread.next()) else {
        return;
    };
    let Some(printed) = printed_article_count(rows) else {
        return;
    };
    let others = article_units(items) - units(&items[doubted]);
    let count = Decimal::from(printed) - others;
    if count < Decimal::ONE || count > Decimal::from(MOST_UNITS) {
        return;
    }
    let item = &mut items[doubted];
    let unit_price = item.amount / count;
    if unit_price == unit_price.round_dp(2) {
        item.quantity = Some(count);
        item.unit_price = Some(unit_price);
        item.count_unread = false;
    }
}

/// The articles an item counts for: weighed goods one, discounts none, otherwise its
/// quantity (one when none was read).
fn units(item: &Item) -> Decimal {
    match (&item.unit, item.quantity) {
        _ if item.amount <= Decimal::ZERO => Decimal::ZERO,
        (Some(_), _) | (None, None) => Decimal::ONE,
        (None, Some(quantity)) => quantity,
    }
}

/// The number of articles `items` stand for, as a till counts them (weighed goods one,
/// discounts none): what a printed article count is compared with.
pub fn article_units(items: &[Item]) -> Decimal {
    items.iter().map(units).sum()
}

/// The number of articles the receipt prints, if one row names it.
pub(super) fn printed_article_count(rows: &[RowInfo]) -> Option<u32> {
    rows.iter().find_map(|row| {
        let text = fold(row.text());
        let every = Pack::every_locale();
        let leading = LEADING_COUNT
            .captures(text.trim())
            .filter(|caps| every.article_word.contains(&&caps[2]));
        let named = every.article_count.iter().any(|name| text.contains(name));
        let closing = named.then(|| CLOSING_COUNT.captures(&text)).flatten();
        leading.or(closing).and_then(|caps| caps[1].parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use crate::extract::{extract, test_lines, Item};
    use rust_decimal::Decimal;

    fn items_of(text: &str) -> Vec<Item> {
        extract(&test_lines(text)).items
    }

    fn quantities(items: &[Item]) -> Vec<Option<Decimal>> {
        items.iter().map(|i| i.quantity).collect()
    }

    /// `scripts/gen-samples --seed 2026`, FRESCO Lyon: `2 x 2,40 € 4,80 €` read
    /// `25x 2740.€ 4,80`, which paid 250 points for two pots of yoghurt.
    const GARBLED_COUNT: &str = "FRESCO MARKET\n12 RUE DE LA REPUBLIQUE\n69002 LYON\n\
        14/03/2024 14:32\nYAOURT NATURE BIO ALPINE 4X125G\n25x 2740.€ 4,80\n\
        BAGUETTE TRADITION 1,20\nPOMMES GOLDEN 1KG 2,49\nTOMATES GRAPPE\n\
        0,742 kg x 3,49 €/kg 2,59 €\nTOTAL TTC 11,08 €\nCB 11,08 €\nNB ARTICLES : 5\n";

    #[test]
    fn regression_a_misread_count_is_what_the_printed_number_of_articles_leaves() {
        let items = items_of(GARBLED_COUNT);
        let two = Decimal::from(2);
        assert_eq!(items[0].quantity, Some(two));
        assert_eq!(items[0].unit_price, Some(Decimal::new(240, 2)));
        assert!(!items[0].count_unread);
        // Without the number of articles the count stays unread: one unit, never 25, and
        // marked as a guess.
        let items = items_of(&GARBLED_COUNT.replace("NB ARTICLES : 5\n", ""));
        assert_eq!(items[0].quantity, Some(Decimal::ONE));
        assert!(items[0].count_unread);
        assert!(!items[1].count_unread);
        // The count before its word, alone on a row (`5 ARTICLES`, `5 Artikel`), says as much;
        // not a count of anything else (`5 COUPONS`).
        for (printed, count) in [("5 ARTICLES", 2), ("5 Artikel.", 2), ("5 COUPONS", 1)] {
            let items = items_of(&GARBLED_COUNT.replace("NB ARTICLES : 5", printed));
            assert_eq!(items[0].quantity, Some(Decimal::from(count)), "{printed}");
        }
    }

    /// `scripts/gen-samples --seed 4242`, FRESCO Bordeaux: `3 x 2,55 € 7,65 €` read
    /// `3:x22/957€ 7,05 €`; the items' sum mends the amount, the articles give the count.
    #[test]
    fn regression_a_count_garbled_with_its_unit_price_after_the_amount_is_mended() {
        let text = "FRESCO MARKET\n45 COURS DE L'INTENDANCE\n33000 BORDEAUX\n22/05/2024 09:51\n\
            YAOURTS BIO VANILLE ALPINE 4X125G\n3:x22/957€ 7,05 €\nFARINE BLE T55 1KG 0,99 €\n\
            SOUS-TOTAL 8,64 €\nTOTAL TTC 8,64 €\nCB 8,64 €\nNB ARTICLES : 4\n";
        let mut lines = test_lines(text);
        for word in lines[5].words.iter_mut() {
            word.conf = 54.0;
        }
        let items = extract(&lines).items;
        assert_eq!(items[0].amount, Decimal::new(765, 2));
        assert_eq!(items[0].quantity, Some(Decimal::from(3)));
        // A pack size opening a row is no count.
        let pack = "FRESCO MARKET\n69002 LYON\n14/03/2024\n4X125G YAOURT NATURE 2,40\n\
            PAIN 1,20\nTOTAL TTC 3,60 €\nNB ARTICLES : 3\n";
        assert_eq!(items_of(pack)[0].quantity, Some(Decimal::ONE));
    }

    /// `scripts/gen-samples --seed 99`, MAXIMARCHÉ Lille: `2 x 2,65 € 5,30` read `202,65 €
    /// 5,30`, the count lost into the unit price.
    #[test]
    fn regression_a_count_lost_into_the_unit_price_is_what_the_articles_leave() {
        let text = "MAXIMARCHE\n150 RUE NATIONALE\n59800 LILLE\n30/03/2024 10:05\n\
            YAOURT BIO FRAISE ALPINE 4X125G\n202,65 € 5,30\nSPAGHETTI 500GR 0,95\n\
            NET A PAYER 6,25 €\nCB 6,25 €\nNB ARTICLES : 3\n";
        let items = items_of(text);
        assert_eq!(items[0].quantity, Some(Decimal::from(2)));
        assert_eq!(items[0].unit_price, Some(Decimal::new(265, 2)));
    }

    /// `scripts/gen-samples --seed 8`, FRESCO Bordeaux: `3 x 2,55 € 7,65 €` read
    /// `Bex 2,90) € 7,65 €`; the garbled count is no name, the row above is.
    #[test]
    fn regression_a_count_garbled_into_letters_takes_the_name_above() {
        let text = "FRESCO MARKET\n45 COURS DE L'INTENDANCE\n33000 BORDEAUX\n22/05/2024 09:51\n\
            YAOURTS BIO VANILLE ALPINE 4X125G\nBex 2,90) € 7,65 €\nFARINE BLE T55 1KG 0,99 €\n\
            TOTAL TTC 8,64 €\nCB 8,64 €\nNB ARTICLES : 4\n";
        let items = items_of(text);
        assert_eq!(items[0].description, "YAOURTS BIO VANILLE ALPINE 4X125G");
        assert_eq!(items[0].quantity, Some(Decimal::from(3)));
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn a_count_that_does_not_divide_the_amount_or_two_doubts_change_nothing() {
        // 5 articles leave 2 for the yoghurt row; 4,81 / 2 is no whole number of cents.
        let odd = GARBLED_COUNT
            .replace("4,80", "4,81")
            .replace("11,08", "11,09");
        assert_eq!(items_of(&odd)[0].quantity, Some(Decimal::ONE));
        let two_doubts = GARBLED_COUNT.replace("BAGUETTE TRADITION 1,20", "3x BAGUETTE 1,21");
        assert_eq!(
            quantities(&items_of(&two_doubts))[..2],
            [Some(Decimal::ONE), Some(Decimal::ONE)]
        );
    }

    #[test]
    fn counts_read_right_are_left_alone() {
        let clear = GARBLED_COUNT.replace("25x 2740.€ 4,80", "2 x 2,40 € 4,80 €");
        let items = items_of(&clear);
        assert_eq!(items[0].quantity, Some(Decimal::from(2)));
        // A printed number of articles that disagrees changes no count read right.
        let items = items_of(&clear.replace("NB ARTICLES : 5", "NB ARTICLES : 7"));
        assert_eq!(items[0].quantity, Some(Decimal::from(2)));
    }
}
