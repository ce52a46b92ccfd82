//! The amount due: keyword ranking, then agreement between independent readings.
//!
//! A receipt states its total several times over: the `TOTAL TTC` row, cash handed over minus
//! change, the card payment, the sum of the items, the VAT table (base + tax), a subtotal plus
//! rounding. OCR breaks some of these, rarely all of them. Each reading votes for a value:
//! keyword rows with their keyword's weight (`NET A PAYER` beats a bare `TOTAL`), the others
//! with a fixed weight per kind of evidence; the value with the most support wins. Its
//! confidence grows with the strength of its keyword and the number of independent readings
//! that agree, and drops when another value came close or the digits were repaired.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::amount::Amount;
use super::classify::{Role, RowInfo};
use super::receipt::{Item, VatLine};
use super::text::ocr_factor;
use super::vat::vat_total;

/// The total with how it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct TotalReading {
    pub value: Decimal,
    pub confidence: f32,
    /// Currency printed with the amount, if any.
    pub currency: Option<&'static str>,
}

/// Kinds of evidence; each counts once per value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Keyword,
    Rounded,
    CashMinusChange,
    CardPayment,
    CashOnly,
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
    /// Read with one decimal (`174.9`): may be a truncated reading of a fuller value.
    short: bool,
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

/// A rounding row whose amount OCR lost still says the amount due is a multiple of 0.05: a
/// total or a before-tax-plus-tax reading a cent or two off gets a rounded sibling (marked as
/// repaired: the adjustment was inferred, not read).
fn unread_rounding_votes(rows: &[RowInfo], votes: &[Vote]) -> Vec<Vote> {
    let first_payment = rows
        .iter()
        .position(|r| r.role.is_tender() || r.role == Role::Change)
        .unwrap_or(rows.len());
    let Some(rounding_row) = rows[..first_payment]
        .iter()
        .position(|r| r.role == Role::Rounding && r.amounts.is_empty())
    else {
        return Vec::new();
    };
    votes
        .iter()
        .filter(|v| matches!(v.source, Source::Keyword | Source::TaxAdded) && v.weight > 0.0)
        .filter(|v| v.source != Source::Keyword || v.row < rounding_row)
        .filter_map(|v| {
            let nearest = (v.value / FIVE_CENTS).round() * FIVE_CENTS;
            let gap = (nearest - v.value).abs();
            (!gap.is_zero() && gap <= Decimal::new(2, 2)).then(|| Vote {
                value: nearest,
                rounded_from: Some(v.value),
                source: Source::Rounded,
                weight: v.weight + 1.0,
                repaired: true,
                row: rounding_row,
                ..v.clone()
            })
        })
        .collect()
}

/// A vote from one amount printed on a row.
fn vote(rows: &[RowInfo], index: usize, amount: &Amount, source: Source, weight: f32) -> Vote {
    let row = &rows[index];
    Vote {
        value: amount.value.abs(),
        rounded_from: None,
        short: amount.short,
        row: index,
        source,
        weight,
        ocr: row.row.conf_of_span(amount.start, amount.end),
        repaired: amount.repaired || amount.short,
        currency: amount.currency,
    }
}

/// The rightmost positive amount of a total row, or of the bare amount row below it.
fn keyword_votes(rows: &[RowInfo]) -> Vec<Vote> {
    let mut votes = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.role != Role::Total {
            continue;
        }
        let mut weight = row.total_weight;
        let (source_index, amount) = match positive_last(row) {
            Some(a) => (i, a),
            None => match rows.get(i + 1).filter(|next| next.is_bare_amount()) {
                Some(next) => match positive_last(next) {
                    Some(a) => {
                        weight -= 1.0;
                        (i + 1, a)
                    }
                    None => continue,
                },
                None => continue,
            },
        };
        if rows[source_index].amounts.len() >= 2 {
            weight -= 2.0;
        }
        if row.in_tax_table {
            weight -= 4.0;
        }
        if amount.repaired {
            weight -= 1.0;
        }
        if amount.short {
            weight -= 1.5;
        }
        votes.push(vote(rows, source_index, amount, Source::Keyword, weight));
    }
    votes
}

fn positive_last(row: &RowInfo) -> Option<&Amount> {
    row.amounts.iter().rev().find(|a| a.value > Decimal::ZERO)
}

/// A total followed by a rounding adjustment (before any payment row) is superseded by the
/// rounded amount: the one a customer pays where cash is rounded to 0.05. So is a total
/// followed by another total less than five cents away, a multiple of 0.05 (the rounding row
/// was there but unreadable).
fn rounded_votes(rows: &[RowInfo], keyword_votes: &[Vote]) -> Vec<Vote> {
    let first_payment = rows
        .iter()
        .position(|r| r.role.is_tender() || r.role == Role::Change)
        .unwrap_or(rows.len());
    let mut votes = rounding_row_votes(rows, keyword_votes, first_payment);
    let before_payment = || {
        keyword_votes
            .iter()
            .filter(move |v| v.weight > 0.0 && v.row < first_payment)
    };
    for earlier in before_payment() {
        for later in before_payment().filter(|v| v.row > earlier.row) {
            let gap = (earlier.value - later.value).abs();
            if !gap.is_zero() && gap < FIVE_CENTS && (later.value % FIVE_CENTS).is_zero() {
                votes.push(Vote {
                    rounded_from: Some(earlier.value),
                    source: Source::Rounded,
                    weight: earlier.weight.max(later.weight) + 1.0,
                    ..later.clone()
                });
            }
        }
    }
    votes
}

const FIVE_CENTS: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

fn rounding_row_votes(rows: &[RowInfo], keyword_votes: &[Vote], first_payment: usize) -> Vec<Vote> {
    let mut votes = Vec::new();
    let rounding = rows[..first_payment]
        .iter()
        .enumerate()
        .filter(|(_, r)| r.role == Role::Rounding)
        .filter_map(|(i, r)| r.last_amount().map(|a| (i, r, a)))
        .find(|(_, _, a)| !a.value.is_zero());
    let Some((rounding_row, row, adjustment)) = rounding else {
        return votes;
    };
    for keyword in keyword_votes
        .iter()
        .filter(|v| v.weight > 0.0 && v.row < rounding_row)
    {
        let signed = keyword.value + adjustment.value;
        let flipped = keyword.value - adjustment.value;
        let rounded = [signed, flipped]
            .into_iter()
            .find(|v| *v > Decimal::ZERO && (*v % FIVE_CENTS).is_zero());
        if let Some(value) = rounded.filter(|v| *v != keyword.value) {
            votes.push(Vote {
                value,
                rounded_from: Some(keyword.value),
                short: false,
                row: rounding_row,
                source: Source::Rounded,
                weight: keyword.weight + 1.0,
                ocr: keyword
                    .ocr
                    .min(row.row.conf_of_span(adjustment.start, adjustment.end)),
                repaired: keyword.repaired || adjustment.repaired,
                currency: keyword.currency,
            });
        }
    }
    votes
}

/// Cash handed over minus change given back; a card payment is the total itself.
fn payment_votes(rows: &[RowInfo]) -> Vec<Vote> {
    let mut votes = Vec::new();
    let changes: Vec<(usize, &RowInfo, &Amount)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.role == Role::Change)
        .filter_map(|(i, r)| r.last_amount().map(|a| (i, r, a)))
        .collect();
    let some_change_given = changes.iter().any(|(_, _, a)| !a.value.is_zero());
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.role.is_tender()) {
        let Some(tendered) = row.last_amount() else {
            continue;
        };
        let change = changes.iter().find(|(j, _, _)| *j > i).or(changes.first());
        match change {
            Some((_, change_row, change)) => {
                let value = tendered.value.abs() - change.value.abs();
                if value > Decimal::ZERO {
                    let ocr = row
                        .row
                        .conf_of_span(tendered.start, tendered.end)
                        .min(change_row.row.conf_of_span(change.start, change.end));
                    votes.push(Vote {
                        value,
                        rounded_from: None,
                        short: false,
                        row: i,
                        source: Source::CashMinusChange,
                        weight: Source::CashMinusChange.weight(),
                        ocr,
                        repaired: tendered.repaired || change.repaired,
                        currency: tendered.currency,
                    });
                }
            }
            None if row.role == Role::Card && !some_change_given => {
                votes.push(vote(
                    rows,
                    i,
                    tendered,
                    Source::CardPayment,
                    Source::CardPayment.weight(),
                ));
            }
            None => votes.push(vote(
                rows,
                i,
                tendered,
                Source::CashOnly,
                Source::CashOnly.weight(),
            )),
        }
    }
    votes
}

fn items_vote(items: &[Item]) -> Option<Vote> {
    if items.is_empty() {
        return None;
    }
    let sum: Decimal = items.iter().map(|i| i.amount).sum();
    let weight = if items.len() >= 2 { 3.0 } else { 1.5 };
    (sum > Decimal::ZERO).then_some(Vote {
        value: sum,
        rounded_from: None,
        short: false,
        row: 0,
        source: Source::Items,
        weight,
        ocr: 80.0,
        repaired: false,
        currency: None,
    })
}

/// The VAT table (base + tax), a before-tax total or a subtotal plus the tax rows, a subtotal.
fn tax_votes(rows: &[RowInfo], vat: &[VatLine]) -> Vec<Vote> {
    let mut votes = Vec::new();
    if let Some(total) = vat_total(vat) {
        votes.push(Vote {
            value: total,
            rounded_from: None,
            short: false,
            row: 0,
            source: Source::Vat,
            weight: Source::Vat.weight(),
            ocr: 75.0,
            repaired: false,
            currency: None,
        });
    }
    let outside_table = |role: Role| {
        rows.iter()
            .enumerate()
            .filter(move |(_, r)| r.role == role && !r.in_tax_table)
    };
    let tax_sum: Decimal = outside_table(Role::Tax)
        .filter(|(_, r)| r.amounts.len() == 1)
        .map(|(_, r)| r.amounts[0].value.abs())
        .sum();
    let before_tax = outside_table(Role::BeforeTax)
        .chain(outside_table(Role::Subtotal))
        .find_map(|(i, r)| positive_last(r).map(|a| (i, a)));
    if let Some((i, amount)) = before_tax {
        if !tax_sum.is_zero() {
            let mut added = vote(rows, i, amount, Source::TaxAdded, Source::TaxAdded.weight());
            added.value = amount.value.abs() + tax_sum;
            votes.push(added);
        }
    }
    for (i, row) in outside_table(Role::Subtotal) {
        if let Some(amount) = positive_last(row) {
            votes.push(vote(
                rows,
                i,
                amount,
                Source::Subtotal,
                Source::Subtotal.weight(),
            ));
        }
    }
    votes
}

/// Sum the support per value and pick the best supported one.
fn choose(votes: &[Vote]) -> Option<TotalReading> {
    let votes = merge_short_readings(votes);
    let mut by_value: BTreeMap<Decimal, Vec<&Vote>> = BTreeMap::new();
    for v in votes.iter().filter(|v| v.value > Decimal::ZERO) {
        by_value.entry(v.value.normalize()).or_default().push(v);
    }
    let evidence_of = |value: Decimal| -> f32 {
        by_value
            .get(&value.normalize())
            .map_or(0.0, |votes| support(votes) - keyword_support(votes))
    };
    let mut scored: Vec<(f32, Decimal, &Vec<&Vote>)> = by_value
        .iter()
        .map(|(value, votes)| {
            // A rounded total carries the evidence of the amount it was rounded from.
            let inherited = votes
                .iter()
                .filter_map(|v| v.rounded_from)
                .map(evidence_of)
                .fold(0.0_f32, f32::max);
            (support(votes) + inherited, *value, votes)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let (best_score, value, best_votes) = scored.first()?;
    // The amount a rounded total was rounded from is not a rival reading of it.
    let origins: Vec<Decimal> = best_votes
        .iter()
        .filter_map(|v| v.rounded_from.map(|o| o.normalize()))
        .collect();
    let runner_up = scored
        .iter()
        .skip(1)
        .find(|(_, v, _)| !origins.contains(v))
        .map_or(0.0, |s| s.0);
    let inherited: Vec<&Vote> = best_votes
        .iter()
        .filter_map(|v| v.rounded_from)
        .filter_map(|from| by_value.get(&from.normalize()))
        .flatten()
        .copied()
        .collect();
    let mut value = *value;
    value.rescale(2);
    Some(TotalReading {
        value,
        confidence: confidence(best_votes, &inherited, *best_score, runner_up),
        currency: best_votes.iter().find_map(|v| v.currency),
    })
}

/// A one-decimal reading (`11,2`) of a value another vote reads in full (`11.25`) is that
/// value with its last digit lost.
fn merge_short_readings(votes: &[Vote]) -> Vec<Vote> {
    let ten_cents = Decimal::new(1, 1);
    votes
        .iter()
        .map(|v| {
            if !v.short {
                return v.clone();
            }
            let fuller = votes
                .iter()
                .filter(|o| !o.short && o.value != v.value)
                .find(|o| (o.value - (o.value % ten_cents)) == v.value);
            match fuller {
                Some(o) => Vote {
                    value: o.value,
                    short: false,
                    ..v.clone()
                },
                None => v.clone(),
            }
        })
        .collect()
}

/// The keyword part of a value's support.
fn keyword_support(votes: &[&Vote]) -> f32 {
    let mut weights: Vec<f32> = votes
        .iter()
        .filter(|v| matches!(v.source, Source::Keyword | Source::Rounded))
        .map(|v| v.weight)
        .collect();
    weights.sort_by(|a, b| b.total_cmp(a));
    let keyword = weights.first().copied().unwrap_or(0.0).max(0.0);
    keyword + (weights.len().saturating_sub(1)).min(2) as f32 * 0.5
}

/// Strongest keyword, plus half a point per further keyword row (at most two), plus each kind
/// of independent evidence once.
fn support(votes: &[&Vote]) -> f32 {
    let mut keyword_weights: Vec<f32> = votes
        .iter()
        .filter(|v| matches!(v.source, Source::Keyword | Source::Rounded))
        .map(|v| v.weight)
        .collect();
    keyword_weights.sort_by(|a, b| b.total_cmp(a));
    let keyword = keyword_weights.first().copied().unwrap_or(0.0).max(0.0);
    let repeats = (keyword_weights.len().saturating_sub(1)).min(2) as f32 * 0.5;
    let mut evidence: BTreeMap<Source, f32> = BTreeMap::new();
    for v in votes
        .iter()
        .filter(|v| !matches!(v.source, Source::Keyword | Source::Rounded))
    {
        let entry = evidence.entry(v.source).or_insert(0.0);
        *entry = entry.max(v.weight);
    }
    keyword + repeats + evidence.values().sum::<f32>()
}

/// How likely one kind of reading alone is to be right.
fn reliability(vote: &Vote) -> f32 {
    match vote.source {
        Source::Keyword | Source::Rounded => match vote.weight {
            w if w >= 8.5 => 0.6,
            w if w >= 5.0 => 0.45,
            w if w > 0.0 => 0.3,
            _ => 0.1,
        },
        Source::CashMinusChange => 0.45,
        Source::CardPayment => 0.4,
        Source::Items if vote.weight >= 3.0 => 0.45,
        Source::Items => 0.25,
        Source::Vat => 0.4,
        Source::TaxAdded => 0.35,
        Source::CashOnly => 0.15,
        Source::Subtotal => 0.1,
    }
}

/// Independent readings that agree combine as 1 − Π(1 − p), one per kind of evidence (a
/// rounded total counts the evidence of the amount it was rounded from); a close runner-up,
/// repaired digits and poor OCR lower the result.
fn confidence(votes: &[&Vote], inherited: &[&Vote], score: f32, runner_up: f32) -> f32 {
    let mut best: BTreeMap<Source, f32> = BTreeMap::new();
    let kind = |s: Source| {
        if s == Source::Rounded {
            Source::Keyword
        } else {
            s
        }
    };
    let own = votes.iter();
    let borrowed = inherited
        .iter()
        .filter(|v| !matches!(v.source, Source::Keyword | Source::Rounded));
    for v in own.chain(borrowed) {
        let entry = best.entry(kind(v.source)).or_insert(0.0);
        *entry = entry.max(reliability(v));
    }
    let keyword_rows = votes.iter().filter(|v| v.source == Source::Keyword).count();
    let repeat = if keyword_rows >= 2 { 0.2 } else { 0.0 };
    let miss: f32 = best
        .values()
        .chain([repeat].iter())
        .map(|p| 1.0 - p)
        .product();
    let mut confidence = 1.0 - miss;
    if runner_up > 0.0 && score - runner_up < 2.0 {
        confidence *= 0.6;
    }
    if votes.iter().all(|v| v.repaired) {
        confidence *= 0.8;
    }
    // Without any total keyword agreeing, the amount due is an inference.
    let keyword_backed = votes
        .iter()
        .any(|v| v.source == Source::Keyword || (v.source == Source::Rounded && v.weight >= 5.0));
    if !keyword_backed {
        confidence *= 0.7;
    }
    let ocr = votes.iter().map(|v| v.ocr).fold(0.0_f32, f32::max) / 100.0;
    (confidence * ocr_factor(ocr)).clamp(0.02, 0.99)
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
            confirmed.confidence > alone.confidence + 0.1,
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
        assert!(reading.confidence < 0.5);
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

    #[test]
    fn no_amount_no_total() {
        assert_eq!(total("MERCI DE VOTRE VISITE", Locale::Fr), None);
        assert_eq!(total("", Locale::En), None);
    }
}
