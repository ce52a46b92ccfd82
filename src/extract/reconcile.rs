//! Items against the total: mend the one price that a misread explains.
//!
//! The items of a receipt add up to its total. When they miss a total that other evidence
//! confirms, and one misread explains the gap, the price is mended:
//! - exactly one item row between the header and the totals lost its price to noise
//!   (`BEURRE DOUX 250GR 7 deat NOE 3`): it gets the gap, which must be positive;
//! - otherwise, exactly one price read with low OCR confidence becomes the price that closes
//!   the gap by changing at most two characters (`21.73` for `£1.75`, the pound sign read as a
//!   2). A missing price is checked first because it is a certain error, a doubtful one only
//!   a possible one.
//!
//! A price whose comma was read as a colon (`1:05`) is taken for a price, as a doubtful one,
//! when it stands in the price column of an item row.
//!
//! When several doubtful prices could each close the gap, the receipt says which (their boxes,
//! `Outcome::Undecided`) and the OCR stage reads those words again alone (`Word::reread`); the
//! one whose re-reading gives the closing price is mended. Anything less clear-cut is left as
//! read: a wrong repair would be worse than a visible gap, and the items' confidence stays low.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::amount::parse_amount;
use super::classify::RowInfo;
use super::items::{description_text, names_a_detail};
use super::receipt::Item;
use super::text::letter_count;
use crate::ocr::{BBox, Word};

/// Below this OCR confidence (0–100) a price may be misread.
const DOUBTFUL: f32 = 75.0;
/// The total must be this sure (0–1) before items are mended to fit it.
const SURE_TOTAL: f32 = 0.75;
/// A mended price differs from the one read by at most this many characters.
const MAX_EDITS: usize = 2;

static COLON_PRICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[£€$]?(\d{1,4})[:;](\d{2})[€]?$").unwrap());

/// What reconciling changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The items already add up to the total (after colon-read prices).
    Agree,
    /// One price was filled in or mended so they do.
    Mended,
    /// They do not add up and no single misread explains why.
    Apart,
    /// They do not add up and each of these doubtful price words (boxes in the OCR reading)
    /// could explain why; reading them again alone may tell which.
    Undecided(Vec<BBox>),
}

/// Make `items` add up to `total` when one misread explains the gap (see the module docs).
pub fn reconcile(
    items: &mut Vec<Item>,
    rows: &[RowInfo],
    header_last: Option<usize>,
    total: Decimal,
    total_confidence: f32,
) -> Outcome {
    if items.is_empty() {
        return Outcome::Apart;
    }
    let Some(column) = price_column(items, rows) else {
        return outcome_of(items, total);
    };
    let mut unpriced = Vec::new();
    for (index, row) in lost_price_rows(items, rows, header_last, column) {
        match colon_price(row, column) {
            Some(amount) => insert_in_row_order(items, rows, index, item_at(row, amount, column)),
            None => unpriced.push(index),
        }
    }
    let gap = total - items.iter().map(|i| i.amount).sum::<Decimal>();
    if gap.is_zero() {
        return Outcome::Agree;
    }
    if total_confidence < SURE_TOTAL {
        return Outcome::Apart;
    }
    if let [index] = unpriced.as_slice() {
        if gap > Decimal::ZERO {
            insert_in_row_order(items, rows, *index, item_at(&rows[*index], gap, column));
            return Outcome::Mended;
        }
        return Outcome::Apart;
    }
    if !unpriced.is_empty() {
        return Outcome::Apart;
    }
    let mendable: Vec<usize> = doubtful_items(items, rows, column)
        .into_iter()
        .filter(|&i| close_reading(items[i].amount, items[i].amount + gap))
        .collect();
    let chosen = match mendable.as_slice() {
        [] => return Outcome::Apart,
        [i] => *i,
        _ => match reread_as_closing(items, rows, column, &mendable, gap) {
            Some(i) => i,
            None => {
                let boxes = mendable
                    .iter()
                    .filter_map(|&i| price_word(&items[i], rows, column))
                    .map(|word| word.bbox)
                    .collect();
                return Outcome::Undecided(boxes);
            }
        },
    };
    let item = &mut items[chosen];
    item.amount += gap;
    item.quantity = Some(Decimal::ONE);
    item.unit_price = Some(item.amount);
    item.unit = None;
    Outcome::Mended
}

/// The one candidate (index into `items`) whose price word, read again alone, gives the price
/// that closes the gap; `None` when no candidate or more than one does.
fn reread_as_closing(
    items: &[Item],
    rows: &[RowInfo],
    column: i32,
    candidates: &[usize],
    gap: Decimal,
) -> Option<usize> {
    let closing: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| {
            price_word(&items[i], rows, column)
                .and_then(|word| word.reread.as_deref())
                .and_then(amount_of_price_word)
                .is_some_and(|reread| reread == items[i].amount + gap)
        })
        .collect();
    match closing.as_slice() {
        [i] => Some(*i),
        _ => None,
    }
}

/// The word of an item's row that holds its price: the last one in the price column with a
/// digit.
fn price_word<'a>(item: &Item, rows: &'a [RowInfo], column: i32) -> Option<&'a Word> {
    let (_, row) = row_of(item, rows)?;
    row.row
        .words
        .iter()
        .filter(|w| w.bbox.right() > column)
        .rfind(|w| w.text.bytes().any(|b| b.is_ascii_digit()))
}

/// A price word as an amount: `2,35`, `2.35 €`, or `1:05` with its comma read as a colon.
fn amount_of_price_word(text: &str) -> Option<Decimal> {
    colon_amount(text).or_else(|| parse_amount(text))
}

/// Insert `item`, read from row `row`, before the first item read from a later row.
fn insert_in_row_order(items: &mut Vec<Item>, rows: &[RowInfo], row: usize, item: Item) {
    let at = items
        .iter()
        .position(|other| row_of(other, rows).is_some_and(|(i, _)| i > row))
        .unwrap_or(items.len());
    items.insert(at, item);
}

fn outcome_of(items: &[Item], total: Decimal) -> Outcome {
    if items.iter().map(|i| i.amount).sum::<Decimal>() == total {
        Outcome::Agree
    } else {
        Outcome::Apart
    }
}

/// The row an item was read from.
fn row_of<'a>(item: &Item, rows: &'a [RowInfo]) -> Option<(usize, &'a RowInfo)> {
    rows.iter()
        .enumerate()
        .find(|(_, r)| r.row.lines.first() == Some(&item.line))
}

/// Left edge (px) of the item prices: the leftmost start of an item's line amount.
fn price_column(items: &[Item], rows: &[RowInfo]) -> Option<i32> {
    items
        .iter()
        .filter_map(|item| row_of(item, rows))
        .filter_map(|(_, row)| {
            let amount = row.amounts.last()?;
            row.row
                .word_spans()
                .filter(|(s, e, _)| *s < amount.end && *e > amount.start)
                // The number's own word, not a currency sign the amount took in.
                .find(|(_, _, w)| w.text.bytes().any(|b| b.is_ascii_digit()))
                .map(|(_, _, w)| w.bbox.x())
        })
        .min()
}

/// Items (by index) whose price was read with low confidence (a word of the price column
/// below 75) and is not confirmed by a quantity times a unit price.
fn doubtful_items(items: &[Item], rows: &[RowInfo], column: i32) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.amount > Decimal::ZERO)
        .filter(|(_, item)| item.quantity.is_none_or(|q| q == Decimal::ONE) && item.unit.is_none())
        .filter(|(_, item)| {
            row_of(item, rows).is_some_and(|(_, row)| {
                row.row
                    .words
                    .iter()
                    .filter(|w| w.bbox.right() > column)
                    .any(|w| w.conf < DOUBTFUL)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

/// Rows between the header and the totals block that name something (three letters left of
/// the prices), are no receipt detail (a date, a ticket number, the shop's phone; a time may be
/// a colon-read price) and reach the price column with doubtful words but no price: an item
/// whose price OCR lost. The first item below the header counts (`DOLIPRANE 1000MG CPR B/8
/// 2718 €`, its decimal sign lost), and so does the last above the totals (`POULET ROTI
/// 7450) €` above `SOUS-TOTAL 14,91`); without a header or a totals
/// row, nothing before the first item or after the last is taken: it may be the head or the
/// foot of the receipt.
fn lost_price_rows<'a>(
    items: &[Item],
    rows: &'a [RowInfo],
    header_last: Option<usize>,
    column: i32,
) -> Vec<(usize, &'a RowInfo)> {
    let item_rows: Vec<usize> = items
        .iter()
        .filter_map(|item| row_of(item, rows))
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (item_rows.iter().min(), item_rows.iter().max()) else {
        return Vec::new();
    };
    let end = rows
        .iter()
        .enumerate()
        .skip(last + 1)
        .find(|(_, row)| row.role.is_summary())
        .map_or(last, |(i, _)| i);
    let start = header_last.map_or(first + 1, |last| (last + 1).min(first + 1));
    (start..end)
        .filter(|i| !item_rows.contains(i))
        .map(|i| (i, &rows[i]))
        .filter(|(_, row)| row.amounts.is_empty() && row.dates.is_empty() && !names_a_detail(row))
        .filter(|(_, row)| !names_an_item(items, row))
        .filter(|(_, row)| letter_count(&description_of(row, column)) >= 3)
        .filter(|(_, row)| {
            row.row
                .words
                .iter()
                .any(|w| w.bbox.right() > column && w.conf < DOUBTFUL)
        })
        .collect()
}

/// The row gave its name to an item priced on another row (a count or weight row below it:
/// `YAOURTS BIO VANILLE ALPINE 4X125G` above a garbled `3:x22/957€ 7,05 €`),
/// so its price is not lost.
fn names_an_item(items: &[Item], row: &RowInfo) -> bool {
    let name = description_text(row.text());
    items.iter().any(|item| item.description == name)
}

/// `1:05` alone in the price column: a price whose decimal comma was read as a colon.
fn colon_price(row: &RowInfo, column: i32) -> Option<Decimal> {
    let in_column: Vec<_> = row
        .row
        .words
        .iter()
        .filter(|w| w.bbox.right() > column)
        .collect();
    let [word] = in_column.as_slice() else {
        return None;
    };
    colon_amount(&word.text)
}

/// `1:05` as 1.05.
fn colon_amount(text: &str) -> Option<Decimal> {
    let caps = COLON_PRICE.captures(text.trim())?;
    format!("{}.{}", &caps[1], &caps[2]).parse().ok()
}

fn description_of(row: &RowInfo, column: i32) -> String {
    let words: Vec<&str> = row
        .row
        .words
        .iter()
        .filter(|w| w.bbox.right() <= column)
        .map(|w| w.text.as_str())
        .collect();
    words.join(" ")
}

fn item_at(row: &RowInfo, amount: Decimal, column: i32) -> Item {
    Item {
        description: description_text(&description_of(row, column)),
        quantity: Some(Decimal::ONE),
        unit: None,
        unit_price: Some(amount),
        amount,
        line: row.row.lines.first().copied().unwrap_or(0),
        count_unread: false,
        deposit: super::items::is_deposit(row),
    }
}

/// Whether `mended` could have been printed where `read` was read: at most two characters
/// apart as written with two decimals.
fn close_reading(read: Decimal, mended: Decimal) -> bool {
    mended > Decimal::ZERO
        && strsim::levenshtein(&format!("{read:.2}"), &format!("{mended:.2}")) <= MAX_EDITS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::items::read_items;
    use crate::extract::{build_rows, test_lines, Locale};
    use crate::ocr::Line;

    /// Lines as the test engine gives them, with the confidence of words containing `doubt`
    /// lowered to 40.
    fn lines(text: &str, doubt: &[&str]) -> Vec<Line> {
        test_lines(text)
            .into_iter()
            .map(|line| {
                let words = line
                    .words
                    .into_iter()
                    .map(|mut w| {
                        if doubt.iter().any(|d| w.text.contains(d)) {
                            w.conf = 40.0;
                        }
                        w
                    })
                    .collect();
                Line::from_words(words)
            })
            .collect()
    }

    fn reconciled(text: &str, doubt: &[&str], total: &str) -> (Outcome, Vec<String>) {
        reconciled_after_rereads(text, doubt, &[], total)
    }

    /// As `reconciled`, with the words in `rereads` (read, reread) read again alone.
    fn reconciled_after_rereads(
        text: &str,
        doubt: &[&str],
        rereads: &[(&str, &str)],
        total: &str,
    ) -> (Outcome, Vec<String>) {
        let mut lines = lines(text, doubt);
        for word in lines.iter_mut().flat_map(|l| l.words.iter_mut()) {
            if let Some((_, again)) = rereads.iter().find(|(read, _)| word.text == *read) {
                word.reread = Some(again.to_string());
            }
        }
        let rows = classify(build_rows(&lines), Locale::Fr);
        let mut items = read_items(&rows, None);
        let outcome = reconcile(&mut items, &rows, None, total.parse().unwrap(), 0.9);
        let shown = items
            .iter()
            .map(|i| format!("{} {}", i.description, i.amount))
            .collect();
        (outcome, shown)
    }

    const TICKET: &str = "\
PAIN DE MIE COMPLET          1,79
BEURRE DOUX 250GR            2,45
EAU DE SOURCE 6X1,5L         1,74";

    /// `TICKET`'s items as printed.
    const TICKET_ITEMS: [&str; 3] = [
        "PAIN DE MIE COMPLET 1.79",
        "BEURRE DOUX 250GR 2.45",
        "EAU DE SOURCE 6X1,5L 1.74",
    ];

    #[test]
    fn items_that_add_up_are_left_alone() {
        let (outcome, items) = reconciled(TICKET, &["2,45"], "5.98");
        assert_eq!(outcome, Outcome::Agree);
        assert_eq!(items[1], "BEURRE DOUX 250GR 2.45");
    }

    #[test]
    fn a_price_lost_to_noise_is_the_gap() {
        let text = TICKET.replace("2,45", "7 deat NOE");
        let (outcome, items) = reconciled(&text, &["deat", "NOE", "7"], "5.98");
        assert_eq!(outcome, Outcome::Mended);
        assert_eq!(items, TICKET_ITEMS);
    }

    /// The re-rendered sample M1007: `POULET ROTI 7450) €`, the last item, above the subtotal.
    #[test]
    fn regression_the_last_item_before_the_totals_may_have_lost_its_price() {
        let text = format!(
            "{}\nSOUS-TOTAL 5,98\nTOTAL TTC 5,98",
            TICKET.replace("1,74", "7450) €")
        );
        let (outcome, items) = reconciled(&text, &["7450)"], "5.98");
        assert_eq!(outcome, Outcome::Mended);
        assert_eq!(items, TICKET_ITEMS);
        // Without a totals row below, a row after the last item may be the foot of the
        // receipt, not an item.
        let footless = TICKET.replace("1,74", "7450) €");
        let (outcome, items) = reconciled(&footless, &["7450)"], "5.98");
        assert_eq!(outcome, Outcome::Apart);
        assert_eq!(items.len(), 2);
    }

    /// The re-rendered pharmacy: `DOLIPRANE 1000MG CPR B/8 2718 €`, the first item below the
    /// header, its comma read as a 7.
    #[test]
    fn regression_the_first_item_below_the_header_may_have_lost_its_price() {
        let text = format!(
            "MAXIMARCHE\n150 RUE NATIONALE\n59800 LILLE\nTEL 03 20 57 14 88\n{}\nTOTAL TTC 5,98",
            TICKET.replace("1,79", "1795 €")
        );
        let rows = classify(build_rows(&lines(&text, &["1795"])), Locale::Fr);
        let mended = |header_last| {
            let mut items = read_items(&rows, header_last);
            let outcome = reconcile(&mut items, &rows, header_last, "5.98".parse().unwrap(), 0.9);
            let shown: Vec<String> = items
                .iter()
                .map(|i| format!("{} {}", i.description, i.amount))
                .collect();
            (outcome, shown)
        };
        let (outcome, items) = mended(Some(2));
        assert_eq!(outcome, Outcome::Mended);
        assert_eq!(items, TICKET_ITEMS);
        // Without a header, the rows above the first item may be the head of the receipt.
        assert_eq!(mended(None).0, Outcome::Apart);
    }

    /// The re-rendered Fresco: the first item's name, printed above its count row, reaches
    /// the price column with a doubtful pack size; it is no item whose price was lost.
    #[test]
    fn regression_a_name_above_its_count_row_has_lost_no_price() {
        let text = "FRESCO MARKET\n33000 BORDEAUX\nYAOURTS BIO VANILLE ALPINE 4X125G     \n\
                    3 x 2,55 € 7,05 €\nFARINE BLE T55 1KG 0,99 €\nTOTAL TTC 8,64";
        let rows = classify(build_rows(&lines(text, &["4X125G"])), Locale::Fr);
        let mut items = read_items(&rows, Some(1));
        let outcome = reconcile(&mut items, &rows, Some(1), "8.64".parse().unwrap(), 0.9);
        assert_eq!(outcome, Outcome::Apart);
        assert_eq!(items.len(), 2, "{items:#?}");
    }

    #[test]
    fn a_doubtful_price_two_characters_off_is_mended() {
        let text = TICKET.replace("2,45", "22,43");
        let (outcome, items) = reconciled(&text, &["22,43"], "5.98");
        assert_eq!(outcome, Outcome::Mended);
        assert_eq!(items[1], "BEURRE DOUX 250GR 2.45");
    }

    #[test]
    fn a_confident_price_is_never_mended() {
        let text = TICKET.replace("2,45", "2,25");
        let (outcome, items) = reconciled(&text, &[], "5.98");
        assert_eq!(outcome, Outcome::Apart);
        assert_eq!(items[1], "BEURRE DOUX 250GR 2.25");
    }

    #[test]
    fn two_doubtful_prices_that_could_each_close_the_gap_are_left_as_read() {
        let text = TICKET.replace("2,45", "2,35").replace("1,74", "1,64");
        let (outcome, items) = reconciled(&text, &["2,35", "1,64"], "5.98");
        let boxes_of = |read: &str| {
            lines(&text, &[])
                .iter()
                .flat_map(|l| l.words.clone())
                .find(|w| w.text == read)
                .map(|w| w.bbox)
                .unwrap()
        };
        // Both prices are named, so the OCR stage can read them again alone.
        assert_eq!(
            outcome,
            Outcome::Undecided(vec![boxes_of("2,35"), boxes_of("1,64")])
        );
        assert_eq!(items[1], "BEURRE DOUX 250GR 2.35");
    }

    /// The sample M1001: `EMMENTAL 2,25` (for 2,35) and `LAIT 1:05` were both doubtful and
    /// 0.10 short of the total; read alone, the first gave `2,35` and the second `1,05`.
    #[test]
    fn the_doubtful_price_whose_rereading_closes_the_gap_is_mended() {
        let text = TICKET.replace("2,45", "2:45").replace("1,74", "1,64");
        let rereads = [("2:45", "2,45"), ("1,64", "1,74")];
        let (outcome, items) = reconciled_after_rereads(&text, &["2:45", "1,64"], &rereads, "5.98");
        assert_eq!(outcome, Outcome::Mended);
        assert_eq!(items, TICKET_ITEMS);
    }

    #[test]
    fn rereadings_that_could_each_close_the_gap_leave_the_prices_as_read() {
        let text = TICKET.replace("2,45", "2,35").replace("1,74", "1,64");
        let rereads = [("2,35", "2,45"), ("1,64", "1,74")];
        let (outcome, items) = reconciled_after_rereads(&text, &["2,35", "1,64"], &rereads, "5.98");
        assert!(matches!(outcome, Outcome::Undecided(_)));
        assert_eq!(items[1], "BEURRE DOUX 250GR 2.35");
    }

    #[test]
    fn a_rereading_that_confirms_the_price_mends_nothing() {
        let text = TICKET.replace("2,45", "2,35").replace("1,74", "1,64");
        let rereads = [("2,35", "2,35"), ("1,64", "1,64")];
        let (outcome, _) = reconciled_after_rereads(&text, &["2,35", "1,64"], &rereads, "5.98");
        assert!(matches!(outcome, Outcome::Undecided(_)));
    }

    #[test]
    fn a_colon_read_price_counts_as_a_price() {
        let text = TICKET.replace("2,45", "2:45");
        let (outcome, items) = reconciled(&text, &["2:45"], "5.98");
        assert_eq!(outcome, Outcome::Agree);
        assert_eq!(items[1], "BEURRE DOUX 250GR 2.45");
    }

    #[test]
    fn a_lost_price_is_not_invented_against_an_unsure_total() {
        let text = TICKET.replace("2,45", "7 deat NOE");
        let rows = classify(build_rows(&lines(&text, &["deat"])), Locale::Fr);
        let mut items = read_items(&rows, None);
        let outcome = reconcile(&mut items, &rows, None, "5.98".parse().unwrap(), 0.5);
        assert_eq!(outcome, Outcome::Apart);
        assert_eq!(items.len(), 2);
    }
}
