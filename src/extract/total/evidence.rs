//! The readings that vote for a total: keyword rows, payments (cash minus change, card), the
//! sum of the items, the VAT table and before-tax totals plus tax, subtotals.

use rust_decimal::Decimal;

use super::{Source, Vote};
use crate::extract::amount::Amount;
use crate::extract::classify::{Role, RowInfo};
use crate::extract::receipt::{Item, VatLine};
use crate::extract::vat::vat_total;

/// A vote from one amount printed on a row.
pub(super) fn vote(
    rows: &[RowInfo],
    index: usize,
    amount: &Amount,
    source: Source,
    weight: f32,
) -> Vote {
    let row = &rows[index];
    Vote {
        value: amount.value.abs(),
        rounded_from: None,
        row: index,
        source,
        weight,
        ocr: row.row.conf_of_span(amount.start, amount.end),
        repaired: amount.repaired || amount.short,
        currency: amount.currency,
    }
}

/// The rightmost positive amount of a total row, or of the bare amount row below it.
pub(super) fn keyword_votes(rows: &[RowInfo]) -> Vec<Vote> {
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

pub(super) fn positive_last(row: &RowInfo) -> Option<&Amount> {
    row.amounts.iter().rev().find(|a| a.value > Decimal::ZERO)
}

/// Cash handed over minus change given back; a card payment is the total itself.
pub(super) fn payment_votes(rows: &[RowInfo]) -> Vec<Vote> {
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
            // Nobody hands over 43.40 expecting change: cash with cents on a receipt that
            // prints no change is the amount due.
            None if changes.is_empty() && !tendered.value.fract().is_zero() => votes.push(vote(
                rows,
                i,
                tendered,
                Source::ExactCash,
                Source::ExactCash.weight(),
            )),
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

pub(super) fn items_vote(items: &[Item]) -> Option<Vote> {
    if items.is_empty() {
        return None;
    }
    let sum: Decimal = items.iter().map(|i| i.amount).sum();
    let weight = if items.len() >= 2 { 3.0 } else { 1.5 };
    (sum > Decimal::ZERO).then_some(Vote {
        value: sum,
        rounded_from: None,
        row: 0,
        source: Source::Items,
        weight,
        ocr: 80.0,
        repaired: false,
        currency: None,
    })
}

/// The VAT table (base + tax), a before-tax total or a subtotal plus the tax rows, a subtotal.
pub(super) fn tax_votes(rows: &[RowInfo], vat: &[VatLine]) -> Vec<Vote> {
    let mut votes = Vec::new();
    if let Some(total) = vat_total(vat) {
        votes.push(Vote {
            value: total,
            rounded_from: None,
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
