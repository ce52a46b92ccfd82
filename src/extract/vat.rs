//! VAT lines: rate, base and tax amount, from the tax summary table or a tax row.
//!
//! Tables print `rate base tax`, `code rate base tax gross` or just `rate tax`, in every order
//! a till vendor could think of; the amounts are assigned by checking `base × rate ≈ tax` rather
//! than trusting a column order. The VAT lines are a field of their own and a cross-check of
//! the total (base + tax of every line = amount due).

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::classify::{Role, RowInfo};
use super::receipt::VatLine;

static RATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2}(?:[.,]\d{1,3})?) ?%").unwrap());

/// Every VAT line, in printed order, without repeats: a tax row of the totals block
/// (`GST/TAX 6% 4.13`) repeats the summary table's line of its rate, and counted twice it made
/// the items plus the taxes miss the total.
pub fn read_vat(rows: &[RowInfo]) -> Vec<VatLine> {
    let mut lines: Vec<VatLine> = Vec::new();
    for row in rows {
        let is_tax_row = row.role == Role::Tax || row.in_tax_table;
        if !is_tax_row || row.amounts.is_empty() || row.role == Role::Total {
            continue;
        }
        let Some(rate) = rate_of(row) else {
            continue;
        };
        let amounts: Vec<Decimal> = row.amounts.iter().map(|a| a.value.abs()).collect();
        let line = assign(rate, &amounts, row.role == Role::Tax && !row.in_tax_table);
        if let Some(line) = line {
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    let tabled: Vec<_> = lines
        .iter()
        .filter(|l| l.base.is_some())
        .map(|l| (l.rate, l.amount))
        .collect();
    lines.retain(|l| l.base.is_some() || !tabled.contains(&(l.rate, l.amount)));
    lines
}

/// The row's rate: `20%`, `5,5 %`, `@ 6%`; in a tax table also a bare small number before
/// the amounts (`SR 6 62.50 4.95`, Lidl's `A 20,0 4,16 0,83 4,99`).
fn rate_of(row: &RowInfo) -> Option<Decimal> {
    if let Some(caps) = RATE.captures(row.text()) {
        let rate: Decimal = caps[1].replace(',', ".").parse().ok()?;
        return (rate <= Decimal::from(30)).then_some(rate);
    }
    if !row.in_tax_table || row.amounts.len() < 2 {
        return None;
    }
    let before_amounts = &row.text()[..row.amounts[0].start];
    before_amounts
        .split_whitespace()
        .filter(|w| BARE_RATE.is_match(w))
        .filter_map(|w| w.replace(',', ".").parse::<Decimal>().ok())
        .rfind(|r| *r <= Decimal::from(30))
}

/// A rate printed without its percent sign in a tax table: `6`, `20,0`, `5.5`.
static BARE_RATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,2}(?:[.,]\d)?$").unwrap());

/// Tax = base × rate, to the cent or 1 %.
fn consistent(rate: Decimal, base: Decimal, tax: Decimal) -> bool {
    let expected = base * rate / Decimal::from(100);
    (expected - tax).abs() <= Decimal::new(2, 2) + tax.abs() / Decimal::from(100)
}

/// Which amount is the base and which the tax, checked against the rate.
fn assign(rate: Decimal, amounts: &[Decimal], tax_row: bool) -> Option<VatLine> {
    let consistent = |base: Decimal, tax: Decimal| consistent(rate, base, tax);
    let line = |base, amount| VatLine {
        rate: Some(rate),
        base: Some(base),
        amount: Some(amount),
    };
    match amounts {
        [] => None,
        [tax] if tax_row => Some(VatLine {
            rate: Some(rate),
            base: None,
            amount: Some(*tax),
        }),
        [_] => None,
        _ => {
            for (i, a) in amounts.iter().enumerate() {
                for (j, b) in amounts.iter().enumerate() {
                    if i != j && consistent(*a, *b) && (*b != Decimal::ZERO || rate.is_zero()) {
                        return Some(line(*a, *b));
                    }
                }
            }
            // Gross and tax printed (`12,00 2,00` at 20 %): base = gross − tax.
            let (gross, tax) = (amounts[0], amounts[1]);
            if consistent(gross - tax, tax) {
                return Some(line(gross - tax, tax));
            }
            Some(line(amounts[0], amounts[1]))
        }
    }
}

/// Base + tax over the lines with both, when each one's tax is its base times its rate: what
/// the VAT table says the total is. A line that does not add up was misread, and the table
/// without it is only part of the total (a photographed German two-rate table: its 7 % line
/// misread, the 19 % line alone said `0,44` for `15,12`), so it says nothing.
pub fn vat_total(lines: &[VatLine]) -> Option<Decimal> {
    let complete: Vec<(Decimal, Decimal, Decimal)> = lines
        .iter()
        .filter_map(|l| Some((l.base?, l.amount?, l.rate?)))
        .collect();
    let all_add_up = complete
        .iter()
        .all(|(base, tax, rate)| consistent(*rate, *base, *tax));
    if complete.is_empty() || !all_add_up {
        return None;
    }
    Some(complete.iter().map(|(b, t, _)| b + t).sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::locale::Locale;
    use crate::extract::rows::build_rows;
    use crate::extract::test_lines;
    use std::str::FromStr;

    fn vat(text: &str, locale: Locale) -> Vec<VatLine> {
        read_vat(&classify(build_rows(&test_lines(text)), locale))
    }

    fn d(s: &str) -> Option<Decimal> {
        Some(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn reads_french_vat_table_in_any_column_order() {
        let lines = vat(
            "TOTAL TTC 15,50\nTAUX TVA HT TVA TTC\n5,5% 10,00 0,55 10,55\n20% 4,13 0,83 4,96",
            Locale::Fr,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].rate, d("5.5"));
        assert_eq!(lines[0].base, d("10.00"));
        assert_eq!(lines[0].amount, d("0.55"));
        assert_eq!(lines[1].amount, d("0.83"));
    }

    #[test]
    fn reads_malaysian_gst_summaries() {
        let lines = vat(
            "GST Summary Amount(RM) Tax(RM)\nSR (@ 6%) 4.54 0.26\nZRL (@ 0%) 6.70 0.00",
            Locale::En,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].base, d("4.54"));
        assert_eq!(lines[1].amount, d("0.00"));
        let twice = vat(
            "GST/TAX 6% RM 4.13\nTOTAL RM 73.00\nGST Summary\nSR @ 6% 68.87 4.13",
            Locale::En,
        );
        assert_eq!((twice.len(), twice[0].base), (1, d("68.87")));
        let bare = vat(
            "GST SUMMARY\nTax Code % Amt(RM) Tax(RM)\nSR 6 62.50 3.75\nTotal: 62.50 3.75",
            Locale::En,
        );
        assert_eq!(bare.len(), 1);
        assert_eq!(bare[0].rate, d("6"));
        assert_eq!(vat_total(&bare), d("66.25"));
    }

    /// Lidl prints its rates without a percent sign and with one decimal.
    #[test]
    fn rates_with_one_decimal_and_no_percent_sign_in_a_tax_table() {
        let lines = vat(
            "Total 9,61\nTVA% HT TVA TTC\nA 20,0 4,16 0,83 4,99\nB 5,5 4,38 0,24 4,62",
            Locale::Fr,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].rate, d("20.0"));
        assert_eq!(lines[0].base, d("4.16"));
        assert_eq!(lines[1].rate, d("5.5"));
        assert_eq!(lines[1].amount, d("0.24"));
        assert_eq!(vat_total(&lines), d("9.61"));
    }

    #[test]
    fn a_table_with_a_line_misread_says_nothing_of_the_total() {
        let lines = vat(
            "Steuer % Netto Steuer Brutto\nA= 7,0% 13572 0,96 14,68\nB= 19,0% 0,37 0,07 0,44",
            Locale::De,
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(vat_total(&lines), None);
    }

    #[test]
    fn german_tax_row_with_only_the_tax_amount() {
        let lines = vat("SUMME EUR 12,50\nMwSt 19% 1,99", Locale::De);
        assert_eq!(
            lines,
            vec![VatLine {
                rate: d("19"),
                base: None,
                amount: d("1.99")
            }]
        );
    }

    #[test]
    fn no_vat_without_a_rate() {
        assert!(vat("TOTAL 12,50\nCASH 20,00", Locale::En).is_empty());
    }
}
