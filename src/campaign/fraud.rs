//! Fraud signals: what a receipt shows that a genuine one would not.
//!
//! Each signal is a reason code with a message, and the campaign's `[fraud]` table says what
//! it does: `review` (the default: a person looks, nothing is paid until they approve),
//! `reject`, or `off`. A signal is evidence, not proof, so each one is built to stay quiet on
//! genuine receipts, measured on the 378 SROIE receipts (`scripts/fraud-eval`, numbers in
//! `docs/fraud.md`):
//! - `EDITED_IMAGE`: the file names an image editor as its writer (`image::metadata`);
//! - `IMPOSSIBLE_DATE`: the purchase is dated after the day the receipt was sent, or after the
//!   day the camera says it took the photo. One day of slack on each: a member abroad, a
//!   camera clock a few hours off;
//! - `SCREEN_PHOTO`: the picture carries a screen's pixel grid or its moiré
//!   (`image::screen`): a receipt displayed on a monitor or phone and photographed;
//! - `SUM_MISMATCH`: the items do not add up to the total although they were read completely,
//!   which an independent witness vouches for: the till's printed number of articles equals
//!   the items' units, or the VAT table adds up to the items' sum. A receipt whose total was
//!   raised (to reach a minimum spend) keeps its items and its VAT table; a receipt whose items
//!   were merely read incompletely has no witness. Cash rounding, items priced net of VAT and
//!   a total the VAT table vouches for (an item misread, not the total changed) are no
//!   mismatch: the classes of genuine receipts the first version flagged on SROIE.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::audit::Audit;
use super::decide::{Decider, Submission};
use super::messages::Msg;
use super::model::Action;
use crate::extract::{article_units, Receipt, VatLine};

/// Days a purchase may seem to lie after the day it was sent, or the camera date.
const DATE_SLACK: Days = Days::new(1);

impl Decider<'_> {
    /// The fraud signals `r` raises, each with the campaign's action for it (signals turned
    /// `off` are not checked).
    pub(super) fn fraud(
        &self,
        sub: &Submission<'_>,
        r: &Receipt,
        audit: &mut Vec<Audit>,
    ) -> Vec<(Action, Msg)> {
        let rules = &self.campaign.fraud;
        let mut found = Vec::new();
        let metadata = sub.page.map(|page| &page.metadata);
        if rules.edited_image != Action::Off {
            if let Some(editor) = metadata.and_then(|m| m.editor()) {
                audit.push(Audit::rule("fraud.edited_image").note(format!("software: {editor}")));
                found.push((rules.edited_image, Msg::EditedImage(editor.to_string())));
            }
        }
        if rules.screen_photo != Action::Off {
            let score = sub.page.and_then(|page| page.screen).unwrap_or(0.0);
            if score > crate::defaults::SCREEN_PATTERN {
                audit.push(Audit::rule("fraud.screen_photo").note(format!(
                    "screen pattern {score:.1} > {}",
                    crate::defaults::SCREEN_PATTERN
                )));
                found.push((rules.screen_photo, Msg::ScreenPhoto(score)));
            }
        }
        if rules.impossible_date != Action::Off {
            if let Some(date) = r.date {
                let sent = self.submitted_day(sub).map(|(day, _)| day);
                let taken = metadata.and_then(|m| m.taken).map(|t| t.date());
                for msg in impossible_date(date, sent, taken) {
                    found.push((rules.impossible_date, msg));
                }
            }
        }
        if rules.sum_mismatch != Action::Off {
            if let Some((msg, witness)) = sum_mismatch(r) {
                audit.push(Audit::rule("fraud.sum_mismatch").note(witness));
                found.push((rules.sum_mismatch, msg));
            }
        }
        found
    }
}

/// A purchase `date` after the day it was `sent` or the photo `taken`, beyond the slack.
fn impossible_date(date: NaiveDate, sent: Option<NaiveDate>, taken: Option<NaiveDate>) -> Vec<Msg> {
    let after = |day: NaiveDate| day.checked_add_days(DATE_SLACK).is_some_and(|d| date > d);
    let mut found = Vec::new();
    if let Some(sent) = sent.filter(|&d| after(d)) {
        found.push(Msg::DateAfterSubmission(date, sent));
    }
    if let Some(taken) = taken.filter(|&d| after(d)) {
        found.push(Msg::DateAfterPhoto(date, taken));
    }
    found
}

/// Items that miss the total although a witness says they were all read, with the witness.
///
/// Not a mismatch: a gap below [`CASH_ROUNDING`]; a total that is the items plus the VAT
/// (items priced net of tax); a total the VAT table itself adds up to (then an item price was
/// misread, not the total changed).
fn sum_mismatch(r: &Receipt) -> Option<(Msg, String)> {
    let total = r.total?;
    if r.items.len() < 2 {
        return None;
    }
    let sum: Decimal = r.items.iter().map(|item| item.amount).sum();
    let close = |a: Decimal, b: Decimal| (a - b).abs() < CASH_ROUNDING;
    if close(sum, total) || sum <= Decimal::ZERO {
        return None;
    }
    let vat = vat_totals(&r.vat);
    let taxes: Decimal = r.vat.iter().filter_map(|v| v.amount).sum();
    if close(sum + taxes, total) || vat.iter().any(|&v| close(v, total)) {
        return None;
    }
    let units = article_units(&r.items);
    let witness = if r.articles.is_some_and(|n| Decimal::from(n) == units) {
        format!("the till prints {units} articles, as many as the items read")
    } else if vat.iter().any(|&v| close(v, sum)) {
        format!("the VAT table adds up to the items' {sum}")
    } else {
        return None;
    };
    let msg = Msg::SumMismatch(r.items.len(), sum, total);
    Some((msg, format!("items {sum}, total {total}: {witness}")))
}

/// Gaps below this are cash rounding, not a changed total: Malaysia, Switzerland, the
/// Netherlands, Belgium, Finland and Ireland round cash totals to 0.05.
const CASH_ROUNDING: Decimal = Decimal::from_parts(10, 0, 0, false, 2);

/// What a VAT table says the receipt comes to: its bases plus taxes (net bases), and its bases
/// alone (tills that print gross bases). Empty unless every row has a base.
fn vat_totals(vat: &[VatLine]) -> Vec<Decimal> {
    let Some(bases) = vat.iter().map(|v| v.base).collect::<Option<Vec<_>>>() else {
        return Vec::new();
    };
    if bases.is_empty() {
        return Vec::new();
    }
    let base: Decimal = bases.iter().sum();
    let taxes: Option<Decimal> = vat.iter().map(|v| v.amount).sum();
    let mut totals = vec![base];
    totals.extend(taxes.map(|t| base + t));
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Item;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
    }

    #[test]
    fn a_purchase_after_sending_or_after_the_photo_is_impossible() {
        assert!(impossible_date(day(10), Some(day(10)), Some(day(10))).is_empty());
        // One day of slack: time zones and camera clocks.
        assert!(impossible_date(day(11), Some(day(10)), Some(day(10))).is_empty());
        assert_eq!(
            impossible_date(day(12), Some(day(10)), None),
            [Msg::DateAfterSubmission(day(12), day(10))]
        );
        assert_eq!(
            impossible_date(day(12), Some(day(20)), Some(day(3))),
            [Msg::DateAfterPhoto(day(12), day(3))]
        );
        assert!(impossible_date(day(12), None, None).is_empty());
    }

    fn item(amount: &str, quantity: Option<u32>) -> Item {
        Item {
            description: "ITEM".into(),
            quantity: quantity.map(Decimal::from),
            unit: None,
            unit_price: None,
            amount: amount.parse().unwrap(),
            line: 0,
            count_unread: false,
            deposit: false,
        }
    }

    fn receipt(total: &str, items: Vec<Item>) -> Receipt {
        Receipt {
            total: Some(total.parse().unwrap()),
            items,
            ..Receipt::default()
        }
    }

    #[test]
    fn items_must_be_vouched_complete_before_they_contradict_the_total() {
        let items = vec![item("10.00", None), item("14.30", Some(2))];
        // No witness: the items may simply be incomplete.
        assert!(sum_mismatch(&receipt("34.30", items.clone())).is_none());
        // The printed article count matches the three units read.
        let counted = Receipt {
            articles: Some(3),
            ..receipt("34.30", items.clone())
        };
        let (msg, _) = sum_mismatch(&counted).unwrap();
        assert_eq!(
            msg,
            Msg::SumMismatch(2, "24.30".parse().unwrap(), "34.30".parse().unwrap())
        );
        // A count that does not match is no witness.
        assert!(sum_mismatch(&Receipt {
            articles: Some(4),
            ..counted.clone()
        })
        .is_none());
        // The VAT table, net bases plus taxes, adds up to the items.
        let vat = vec![VatLine {
            rate: Some(Decimal::new(55, 1)),
            base: Some("23.03".parse().unwrap()),
            amount: Some("1.27".parse().unwrap()),
        }];
        let taxed = Receipt {
            vat: vat.clone(),
            ..receipt("34.30", items.clone())
        };
        assert!(sum_mismatch(&taxed).is_some());
        // Items that add up raise nothing, whatever the witnesses.
        assert!(sum_mismatch(&Receipt {
            vat,
            ..receipt("24.30", items.clone())
        })
        .is_none());
    }

    /// The genuine receipts the first version flagged on SROIE (`scripts/fraud-eval`), one per
    /// class: none of them is a changed total.
    #[test]
    fn cash_rounding_net_prices_and_a_misread_item_are_no_mismatch() {
        let vat = |base: &str, amount: &str| VatLine {
            rate: Some(Decimal::from(6)),
            base: Some(base.parse().unwrap()),
            amount: Some(amount.parse().unwrap()),
        };
        // Cash rounded to 0.05: items 100.88, paid 100.90.
        let rounded = Receipt {
            vat: vec![vat("95.17", "5.71")],
            ..receipt("100.90", vec![item("60.00", None), item("40.88", None)])
        };
        assert!(sum_mismatch(&rounded).is_none());
        // Items priced net: 82.50 of items, VAT 4.95 on top, 87.45 paid.
        let net = Receipt {
            vat: vec![vat("82.50", "4.95")],
            ..receipt("87.45", vec![item("50.00", None), item("32.50", None)])
        };
        assert!(sum_mismatch(&net).is_none());
        // Two articles, one price misread (232.70), the VAT table vouching for the total.
        let misread = Receipt {
            articles: Some(2),
            vat: vec![vat("73.87", "4.43")],
            ..receipt("78.30", vec![item("232.70", None), item("0.00", None)])
        };
        assert!(sum_mismatch(&misread).is_none());
    }
}
