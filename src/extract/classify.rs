//! What each row is: an amount due, a subtotal, a tax line, money handed over or back, a
//! rounding, a discount, or something else — read once, used by every field reader.
//!
//! Roles come from the locale packs' keywords, most specific first: a row saying `CHANGE` is
//! change even if it also says `TOTAL`; `TOTAL (Excluding GST)` is a before-tax total;
//! `GST payable` is tax; `TOTAL PAID` is money handed over. Words that mean different things
//! in different languages (`BAR`, `CB`, `LE`) only count in their own locale.

use super::amount::{find_amounts, Amount};
use super::date::{find_dates, find_times, DateMatch, TimeMatch};
use super::locale::{Locale, Pack};
use super::rows::Row;
use super::text::{find_keyword, has_any, tokens};

/// The role a row plays in the receipt's money story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Names the amount due.
    Total,
    Subtotal,
    /// A total before tax.
    BeforeTax,
    Tax,
    Cash,
    Card,
    Change,
    Rounding,
    Discount,
    Other,
}

impl Role {
    /// Rows that belong to the totals block, after the items.
    pub fn is_summary(self) -> bool {
        !matches!(self, Role::Other | Role::Discount)
    }

    pub fn is_tender(self) -> bool {
        matches!(self, Role::Cash | Role::Card)
    }
}

/// A row with everything read from it.
#[derive(Clone, Debug)]
pub struct RowInfo {
    pub row: Row,
    pub tokens: Vec<String>,
    pub amounts: Vec<Amount>,
    pub dates: Vec<DateMatch>,
    pub times: Vec<TimeMatch>,
    pub role: Role,
    /// Weight (1–10) of the strongest total keyword on the row; 0 when none.
    pub total_weight: f32,
    /// The row sits in a tax summary table (after its header row).
    pub in_tax_table: bool,
    /// The row as read again on its own, its faded print darkened (`Line::reread`), when the
    /// first reading left its date in doubt.
    pub alone: Option<Box<RowInfo>>,
}

impl RowInfo {
    pub fn text(&self) -> &str {
        &self.row.text
    }

    /// The rightmost amount, the one a receipt column of prices puts last.
    pub fn last_amount(&self) -> Option<&Amount> {
        self.amounts.last()
    }

    /// Only numbers and currency markers: a value row continuing the row above.
    pub fn is_bare_amount(&self) -> bool {
        // A rate makes it a tax row (`5,50% 5,66 0,31`), not the amount of the row above.
        !self.amounts.is_empty()
            && !self.text().contains('%')
            && self
                .tokens
                .iter()
                .all(|t| t.bytes().all(|b| b.is_ascii_digit()) || is_currency_token(t))
    }
}

fn is_currency_token(token: &str) -> bool {
    const CODES: &str = "RM RH RN EUR MYR GBP USD CHF E DH MAD DT TND FCFA XOF";
    CODES.split(' ').any(|code| code == token)
}

/// Words of one role from every pack: all of this locale's, and the other packs' words that
/// are not ambiguous across languages.
pub fn words(
    locale: Locale,
    role: fn(&'static Pack) -> &'static [&'static str],
) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = role(locale.pack()).to_vec();
    for other in Locale::ALL.into_iter().filter(|l| *l != locale) {
        all.extend(role(other.pack()).iter().filter(|w| !is_ambiguous(w)));
    }
    all
}

/// A word some pack calls ambiguous: it means something else in another language, or too
/// little on its own.
fn is_ambiguous(word: &str) -> bool {
    Pack::every_locale().ambiguous.contains(&word)
}

/// A keyword found on a row: its weight and the tokens it covers.
#[derive(Clone, Copy, Debug, Default)]
struct Found {
    weight: f32,
    start: usize,
    end: usize,
}

/// The strongest total keyword on a row, from every pack (longest on equal weight).
fn strongest_total(tokens: &[String], locale: Locale) -> Option<Found> {
    let mut best: Option<Found> = None;
    for pack_locale in Locale::ALL {
        for (word, weight) in pack_locale.pack().total {
            if pack_locale != locale && is_ambiguous(word) {
                continue;
            }
            let Some(start) = find_keyword(tokens, word) else {
                continue;
            };
            let end = start + word.split(' ').count();
            let better = best.is_none_or(|b| {
                *weight > b.weight || (*weight == b.weight && end - start > b.end - b.start)
            });
            if better {
                best = Some(Found {
                    weight: *weight,
                    start,
                    end,
                });
            }
        }
    }
    best
}

/// A change keyword, unless it is part of the total keyword (`BALANCE DUE` is the amount due,
/// `BALANCE` alone the change on Malaysian receipts).
fn has_change(tokens: &[String], locale: Locale, total: Option<Found>) -> bool {
    words(locale, |p| p.change)
        .iter()
        .any(|word| match find_keyword(tokens, word) {
            Some(start) => {
                let end = start + word.split(' ').count();
                !total.is_some_and(|t| {
                    t.start <= start && end <= t.end && t.end - t.start > end - start
                })
            }
            None => false,
        })
}

/// A "not the total" keyword, unless it is part of the total keyword itself
/// (`TOTAL GST` inside `TOTAL GST INCL`).
fn has_not_total(tokens: &[String], locale: Locale, total: Option<Found>) -> bool {
    words(locale, |p| p.not_total).iter().any(|word| {
        let Some(start) = find_keyword(tokens, word) else {
            return false;
        };
        let end = start + word.split(' ').count();
        !total.is_some_and(|t| t.start <= start && end <= t.end && t.end - t.start > end - start)
    })
}

pub fn classify(rows: Vec<Row>, locale: Locale) -> Vec<RowInfo> {
    let mut infos = classify_rows(rows, locale);
    goods_named_like_payments(&mut infos);
    infos
}

/// A card named above the amount due was bought, not paid with: receipts print what was paid
/// after the total (`CARTE CADEAU 20,00` among the items, a gift card). Only above
/// the first total: Shell stations print `Visa RM 86.00` between `Total` and `Total Gross`.
fn goods_named_like_payments(rows: &mut [RowInfo]) {
    let Some(first_total) = rows
        .iter()
        .position(|r| r.role == Role::Total && !r.amounts.is_empty())
    else {
        return;
    };
    for row in &mut rows[..first_total] {
        if row.role == Role::Card && !row.amounts.is_empty() {
            row.role = Role::Other;
        }
    }
}

fn classify_rows(rows: Vec<Row>, locale: Locale) -> Vec<RowInfo> {
    let mut in_tax_table = false;
    rows.into_iter()
        .map(|row| {
            let tokens = tokens(&row.text);
            let amounts = find_amounts(&row.text);
            let dates = find_dates(&row.text);
            let times = find_times(&row.text);
            let total = strongest_total(&tokens, locale);
            let weight = total.map_or(0.0, |t| t.weight);
            let role = role_of(&tokens, total, !amounts.is_empty(), locale);
            if starts_tax_table(&tokens, locale) {
                in_tax_table = true;
            } else if ends_tax_table(role, weight) {
                in_tax_table = false;
            }
            RowInfo {
                in_tax_table,
                row,
                tokens,
                amounts,
                dates,
                times,
                role,
                total_weight: weight,
                alone: None,
            }
        })
        .collect()
}

/// Money rows after a tax table mean the table was printed mid-receipt and is over.
fn ends_tax_table(role: Role, total_weight: f32) -> bool {
    role.is_tender() || role == Role::Change || (role == Role::Total && total_weight >= 9.0)
}

fn starts_tax_table(tokens: &[String], locale: Locale) -> bool {
    has_any(tokens, &words(locale, |p| p.tax))
        && has_any(tokens, Pack::every_locale().tax_table_header)
}

fn role_of(tokens: &[String], total: Option<Found>, has_amount: bool, locale: Locale) -> Role {
    let any =
        |role: fn(&'static Pack) -> &'static [&'static str]| has_any(tokens, &words(locale, role));
    let total_weight = total.map_or(0.0, |t| t.weight);
    let not_total = has_not_total(tokens, locale, total);
    if has_change(tokens, locale, total) {
        return Role::Change;
    }
    if total_weight >= 9.0 && !not_total {
        return Role::Total;
    }
    if any(|p| p.rounding) {
        return Role::Rounding;
    }
    if not_total || (total_weight > 0.0 && any(|p| p.before_tax)) {
        return if any(|p| p.subtotal) {
            Role::Subtotal
        } else if any(|p| p.before_tax) {
            Role::BeforeTax
        } else if any(|p| p.tax) {
            Role::Tax
        } else {
            Role::Other
        };
    }
    if total_weight > 0.0 {
        if has_any(tokens, Pack::every_locale().handed_over) {
            return Role::Cash;
        }
        if led_by_tax_word(tokens, locale) {
            return Role::Tax;
        }
        return Role::Total;
    }
    if !has_amount {
        return Role::Other;
    }
    // Before the payments: a saving named after a loyalty card (`MORE CARD SAVING`, British
    // supermarkets) or paid in cash (`CASH DISCOUNT`) is a discount; no payment row names one.
    if any(|p| p.discount) {
        return Role::Discount;
    }
    if any(|p| p.card) {
        return Role::Card;
    }
    if any(|p| p.cash) {
        return Role::Cash;
    }
    if any(|p| p.tax) {
        return Role::Tax;
    }
    Role::Other
}

/// `GST payable (6%) 1.31`, `TVA 20% …`: the first keyword of the row is a tax word.
fn led_by_tax_word(tokens: &[String], locale: Locale) -> bool {
    let first_tax = words(locale, |p| p.tax)
        .iter()
        .filter_map(|w| find_keyword(tokens, w))
        .min();
    let first_total = Locale::ALL
        .iter()
        .flat_map(|l| l.pack().total.iter())
        .filter_map(|(w, _)| find_keyword(tokens, w))
        .min();
    matches!((first_tax, first_total), (Some(t), Some(k)) if t < k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::Line;
    use crate::ocr::{BBox, Word};

    fn info(text: &str, locale: Locale) -> RowInfo {
        let words = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.into(),
                conf: 90.0,
                bbox: BBox([i as i32 * 100, 0, 90, 20]),
                reread: None,
            })
            .collect();
        let line = Line::from_words(words);
        let row = super::super::rows::build_rows(&[line]).remove(0);
        classify(vec![row], locale).remove(0)
    }

    /// Gift cards: `CARTE CADEAU 20,00` among the items is a gift card bought; the card after
    /// the total paid.
    #[test]
    fn regression_a_card_named_above_the_total_was_bought() {
        let rows = crate::extract::rows::build_rows(&crate::extract::test_lines(
            "LIVRE POCHE 8,90\nCARTE CADEAU 20,00\nTOTAL TTC 28,90\nCARTE BANCAIRE 28,90",
        ));
        let roles: Vec<Role> = classify(rows, Locale::Fr).iter().map(|r| r.role).collect();
        assert_eq!(roles, [Role::Other, Role::Other, Role::Total, Role::Card]);
        // Between two totals it paid (Shell: `Total` / `Visa` / `Total Gross`).
        let rows = crate::extract::rows::build_rows(&crate::extract::test_lines(
            "V-POWER 97 86,00\nTOTAL 86,00\nVISA 86,00\nTOTAL GROSS 86,00",
        ));
        assert_eq!(classify(rows, Locale::Fr)[2].role, Role::Card);
        // Without a total below, a card row is a payment.
        let rows = crate::extract::rows::build_rows(&crate::extract::test_lines("CB 28,90"));
        assert_eq!(classify(rows, Locale::Fr)[0].role, Role::Card);
    }

    /// A Carrefour photo whose page left out its price column: `TOTAL A PAYER` took its amount
    /// from the VAT row next read below it, `5,50% 5,66 0,31`, and paid 0,31.
    #[test]
    fn regression_a_row_with_a_rate_is_no_bare_amount() {
        assert!(info("5,97 €", Locale::Fr).is_bare_amount());
        assert!(info("RM 12.50", Locale::En).is_bare_amount());
        assert!(!info("5,50% 5,66 0,31", Locale::Fr).is_bare_amount());
    }

    #[test]
    fn roles_in_english() {
        let role = |t: &str| info(t, Locale::En).role;
        assert_eq!(role("Total (Inclusive of GST): 23.26"), Role::Total);
        assert_eq!(role("Total (Excluding GST): 21.30"), Role::BeforeTax);
        assert_eq!(role("GST payable (6%): 1.31"), Role::Tax);
        assert_eq!(role("Total GST : 4.95"), Role::Tax);
        assert_eq!(role("SUB TOTAL 169,00"), Role::Subtotal);
        assert_eq!(role("CASH RM 10.00"), Role::Cash);
        assert_eq!(role("CHANGE RM 0.10"), Role::Change);
        assert_eq!(role("EDC RM 53.30"), Role::Card);
        assert_eq!(role("Total Paid RM60.00"), Role::Cash);
        assert_eq!(role("ROUNDING ADJUSTMENT -RM 0.02"), Role::Rounding);
        assert_eq!(role("TOTAL ROUNDED RM 27.25"), Role::Total);
        assert_eq!(role("Total QTY: 2"), Role::Other);
        assert_eq!(role("Service Charge RM 0.00"), Role::Other);
        assert_eq!(role("Discount RM-0.20"), Role::Discount);
        // Loyalty-card savings whose minus OCR lost: a card's saving is no payment.
        assert_eq!(role("MORE CARD SAVING £0.25"), Role::Discount);
        assert_eq!(role("TOTAL INCLUDES 6% GST 0,48"), Role::Tax);
        assert_eq!(info("NET TOTAL 174.9", Locale::En).total_weight, 10.0);
    }

    #[test]
    fn roles_in_french_and_german() {
        let fr = |t: &str| info(t, Locale::Fr).role;
        assert_eq!(fr("NET A PAYER 12,50"), Role::Total);
        assert_eq!(fr("SOUS-TOTAL 12,50"), Role::Subtotal);
        assert_eq!(fr("TOTAL HT 10,42"), Role::BeforeTax);
        assert_eq!(fr("ESPECES 20,00"), Role::Cash);
        assert_eq!(fr("CB 12,50"), Role::Card);
        assert_eq!(fr("RENDU 7,50"), Role::Change);
        assert_eq!(fr("REMISE FIDELITE -1,00"), Role::Discount);
        assert_eq!(fr("REMISE CARTE FIDELITE 1,00"), Role::Discount);
        let de = |t: &str| info(t, Locale::De).role;
        assert_eq!(de("SUMME EUR 12,50"), Role::Total);
        assert_eq!(de("Geg. BAR 20,00"), Role::Cash);
        assert_eq!(de("Rückgeld 7,50"), Role::Change);
        assert_eq!(de("ZWISCHENSUMME 12,50"), Role::Subtotal);
        assert_eq!(de("MwSt 19% 1,99"), Role::Tax);
        assert_eq!(info("BAR WANG RICE 8.50", Locale::En).role, Role::Other);
    }
}
