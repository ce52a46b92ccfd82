//! The amount due: keyword ranking, then agreement between independent readings.
//!
//! A receipt states its total several times over: the `TOTAL TTC` row, cash handed over minus
//! change, the card payment, the sum of the items, the VAT table (base + tax), a subtotal plus
//! rounding. OCR breaks some of these, rarely all of them. Each reading votes for a value:
//! keyword rows with their keyword's weight (`NET A PAYER` beats a bare `TOTAL`), the others
//! with a fixed weight per kind of evidence; the value with the most support wins. Its
//! confidence is a logistic function of that same score (`TotalScore`): the support, the lead
//! over the runner-up, a second keyword row agreeing, repaired digits and OCR confidence,
//! with weights fitted on the tune half (`TOTAL_WEIGHTS`).

mod choose;
mod evidence;
mod rounding;

use rust_decimal::Decimal;

use super::classify::RowInfo;
use super::receipt::{Item, VatLine};
use choose::choose;
use evidence::{items_vote, keyword_votes, payment_votes, tax_votes};
use rounding::{rounded_votes, unread_rounding_votes};

/// The total with how it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct TotalReading {
    pub value: Decimal,
    pub confidence: f32,
    /// Currency printed with the amount, if any.
    pub currency: Option<&'static str>,
    /// The score the value won with, which its confidence is derived from.
    pub score: TotalScore,
}

/// What the chosen total's confidence is derived from: the one scoring scheme of the total.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TotalScore {
    /// The value's support: its strongest keyword (1–10), half a point per further keyword
    /// row, and each kind of independent evidence once (`Source::weight`).
    pub support: f32,
    /// The best rival value's support (0 when none).
    pub runner_up: f32,
    /// Rows with a total keyword that read this value.
    pub keyword_rows: usize,
    /// Every reading of it needed a repaired digit.
    pub repaired: bool,
    /// OCR confidence (0–100) of its surest reading.
    pub ocr: f32,
}

/// Weights of the total's confidence, a logistic function of its score, fitted on the tune
/// half of the labelled SROIE receipts by `scripts/calibrate` (never on the check half, where
/// the calibration is checked: docs/calibration.md). In order: bias, support (per 10 points,
/// capped at 20), lead over the runner-up (per 10 points, capped at 10), a keyword row reading
/// the value, a second one, every reading repaired, OCR confidence (0–1).
pub const TOTAL_WEIGHTS: [f32; 7] = [-1.53, 1.63, 0.36, 0.68, 1.91, -1.76, 1.59];

impl TotalScore {
    /// The score's features, in `TOTAL_WEIGHTS` order (the bias's is 1).
    pub fn features(&self) -> [f32; 7] {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        [
            1.0,
            self.support.min(20.0) / 10.0,
            (self.support - self.runner_up).clamp(0.0, 10.0) / 10.0,
            flag(self.keyword_rows >= 1),
            flag(self.keyword_rows >= 2),
            flag(self.repaired),
            self.ocr / 100.0,
        ]
    }

    /// How likely a total with this score is to be right, within 0.02–0.99.
    pub fn confidence(&self) -> f32 {
        crate::extract::calibrated(&self.features(), &TOTAL_WEIGHTS).clamp(0.02, 0.99)
    }
}

/// Kinds of evidence; each counts once per value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Keyword,
    Rounded,
    CashMinusChange,
    CardPayment,
    CashOnly,
    /// Cash with cents and no change line on the receipt: the exact amount handed over.
    ExactCash,
    Items,
    Vat,
    TaxAdded,
    Subtotal,
}

impl Source {
    fn weight(self) -> f32 {
        match self {
            Source::Keyword | Source::Rounded => 0.0,
            Source::CashMinusChange => 5.0,
            Source::CardPayment => 4.0,
            Source::CashOnly => 1.5,
            // Above the items' sum: items are many readings, each of which may be wrong.
            Source::ExactCash => 3.5,
            Source::Items => 3.0,
            Source::Vat => 3.0,
            Source::TaxAdded => 2.5,
            Source::Subtotal => 1.0,
        }
    }
}

#[derive(Clone, Debug)]
struct Vote {
    value: Decimal,
    /// For a rounded vote, the value it was rounded from: it inherits that value's evidence.
    rounded_from: Option<Decimal>,
    /// Row the value was read from.
    row: usize,
    source: Source,
    /// Keyword weight (keyword and rounded votes), else the source's weight.
    weight: f32,
    /// OCR confidence (0–100) of the words the value was read from.
    ocr: f32,
    repaired: bool,
    currency: Option<&'static str>,
}

/// Read the total from classified rows, cross-checked with items and VAT lines.
pub fn read_total(rows: &[RowInfo], items: &[Item], vat: &[VatLine]) -> Option<TotalReading> {
    let mut votes = keyword_votes(rows);
    votes.extend(rounded_votes(rows, &votes));
    votes.extend(payment_votes(rows));
    votes.extend(items_vote(items));
    votes.extend(tax_votes(rows, vat));
    votes.extend(unread_rounding_votes(rows, &votes));
    choose(&votes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::items::read_items;
    use crate::extract::locale::Locale;
    use crate::extract::rows::build_rows;
    use crate::extract::test_lines;
    use crate::extract::vat::read_vat;

    fn total(text: &str, locale: Locale) -> Option<TotalReading> {
        let rows = classify(build_rows(&test_lines(text)), locale);
        let items = read_items(&rows, None);
        let vat = read_vat(&rows);
        read_total(&rows, &items, &vat)
    }

    fn value(text: &str, locale: Locale) -> Option<String> {
        total(text, locale).map(|t| t.value.to_string())
    }

    #[test]
    fn strongest_keyword_wins_over_subtotal_and_tax() {
        let text = "PAIN 1,20\nLAIT 0,95\nSOUS-TOTAL 2,15\nREMISE -0,15\nTVA 5,5% 0,10\nNET A PAYER 2,00\nCB 2,00";
        assert_eq!(value(text, Locale::Fr).as_deref(), Some("2.00"));
    }

    #[test]
    fn amount_on_the_next_row() {
        assert_eq!(
            value("TOTAL TTC\n12,50\nMERCI", Locale::Fr).as_deref(),
            Some("12.50")
        );
    }

    #[test]
    fn cash_minus_change_confirms_and_raises_confidence() {
        let alone = total("TOTAL 9.90", Locale::En).unwrap();
        let confirmed = total("TOTAL 9.90\nCASH 10.00\nCHANGE 0.10", Locale::En).unwrap();
        assert_eq!(confirmed.value.to_string(), "9.90");
        assert!(
            confirmed.confidence > alone.confidence + 0.05 && confirmed.confidence >= 0.9,
            "{confirmed:?} vs {alone:?}"
        );
    }

    #[test]
    fn cash_minus_change_alone_when_the_total_row_is_unreadable() {
        let reading = total(
            "Total (Inclusive of GST): $,50\nCASH : 10.50\nCHANGE : 1.00",
            Locale::En,
        )
        .unwrap();
        assert_eq!(reading.value.to_string(), "9.50");
        // An inference without a total keyword: well below a confirmed total's 0.99.
        assert!(reading.confidence < 0.8, "{reading:?}");
    }

    #[test]
    fn rounding_adjustment_gives_the_rounded_total() {
        let text = "Total (Inclusive of GST): 23.26\nRounding Adj -0.01\nGST Summary Amount Tax";
        assert_eq!(value(text, Locale::En).as_deref(), Some("23.25"));
        let text = "Total (Incl GST) RM21.83\nRounding RMO.02\nTotal Paid RM60.00\nChange RM38.15";
        assert_eq!(value(text, Locale::En).as_deref(), Some("21.85"));
    }

    #[test]
    fn german_sum_with_cash_and_change() {
        let text = "BANANEN 1,29\nMILCH 1,98\nSUMME EUR 3,27\nGEGEBEN BAR 5,00\nRUCKGELD 1,73\nMwSt 7% 0,21";
        let reading = total(text, Locale::De).unwrap();
        assert_eq!(reading.value.to_string(), "3.27");
        assert!(reading.confidence >= 0.8, "{reading:?}");
    }

    #[test]
    fn tendered_cash_is_not_the_total() {
        let text = "TOTAL 21.40\nCASH 50.00\nCHANGE 28.60";
        assert_eq!(value(text, Locale::En).as_deref(), Some("21.40"));
        assert_eq!(
            value(
                "Paid Amount 100.00\nTotal Amt Payable : 79.50\nChange : 20.50",
                Locale::En
            )
            .as_deref(),
            Some("79.50")
        );
    }

    /// Class: bakery and café slips paid in cash with exact change: a few items (one misread),
    /// the total row lost, `Cash RM51.30` and no change line; the misread items' sum must not
    /// win over the cash.
    #[test]
    fn cash_with_cents_and_no_change_beats_a_sum_of_items() {
        let text = "DoubleCoco Slice 1 RM12.60\nMother's Slices 1 RM13.50\nCash RM51.30";
        assert_eq!(value(text, Locale::En).as_deref(), Some("51.30"));
        // A round note handed over is not the amount due: change may have been lost.
        let text = "DoubleCoco Slice 1 RM12.60\nMother's Slices 1 RM13.50\nCash RM50.00";
        assert_eq!(value(text, Locale::En).as_deref(), Some("26.10"));
    }

    /// Cash-rounding tills: the total rounded to five cents differs from the amount before
    /// rounding by one digit, and the items and VAT table make the unrounded amount: the
    /// rounded total still wins.
    #[test]
    fn regression_a_rounded_total_is_no_misreading_of_the_amount_before_rounding() {
        let text =
            "PORK 2.54\nVEGE 5.18\nTotal Amount: RM7.72\nRounding: -RM0.02\nNett Total: RM 7.70";
        assert_eq!(value(text, Locale::En).as_deref(), Some("7.70"));
        // The rounding row unread: the total is still what cash rounding makes of 7.72.
        let text = "PORK 2.54\nVEGE 5.18\nSR = GST @0% 7.72 0.00\nNett Total: RM 7.70\nCASH 7.70";
        assert_eq!(value(text, Locale::En).as_deref(), Some("7.70"));
        // `Total After Rounding` names the amount due, not a rounding row.
        let text = "Total Sales Incl. GST 100.62\nRounding Adjustment -0.02\nTotal After Rounding 100.60\nVISA 100.60";
        assert_eq!(value(text, Locale::En).as_deref(), Some("100.60"));
    }

    /// Rounding rows that print the rounded total, not the adjustment (`Rounding 85.10`): the
    /// amount was added to the total as an adjustment, doubling it.
    #[test]
    fn regression_a_rounding_row_holding_the_total_does_not_double_it() {
        let text = "Total 85.10\nRounding Adjustment 85.10\nCash 100.10\nChange 15.00";
        assert_eq!(value(text, Locale::En).as_deref(), Some("85.10"));
    }

    #[test]
    fn no_amount_no_total() {
        assert_eq!(total("MERCI DE VOTRE VISITE", Locale::Fr), None);
        assert_eq!(total("", Locale::En), None);
    }
}
