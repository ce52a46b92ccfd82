//! Rounding: where cash is rounded to five cents, the amount due is the rounded total, read
//! from a rounding row, a later total a few cents off, or inferred when the rounding row's
//! amount was lost.

use rust_decimal::Decimal;

use super::{Source, Vote};
use crate::extract::classify::{Role, RowInfo};

/// A total followed by a rounding adjustment (before any payment row) is superseded by the
/// rounded amount: the one a customer pays where cash is rounded to 0.05. So is a total
/// followed by another total less than five cents away, a multiple of 0.05 (the rounding row
/// was there but unreadable).
pub(super) fn rounded_votes(rows: &[RowInfo], keyword_votes: &[Vote]) -> Vec<Vote> {
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

pub(super) const FIVE_CENTS: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

/// Cash rounding moves the amount by less than half its step, and no till rounds to more than
/// one unit (Sweden, Norway): an amount of 0.50 or more on a rounding row is the rounded
/// total itself (`Rounded Amount 85.10`), or another amount, never the adjustment.
const MAX_ADJUSTMENT: Decimal = Decimal::from_parts(50, 0, 0, false, 2);

fn rounding_row_votes(rows: &[RowInfo], keyword_votes: &[Vote], first_payment: usize) -> Vec<Vote> {
    let mut votes = Vec::new();
    let rounding = rows[..first_payment]
        .iter()
        .enumerate()
        .filter(|(_, r)| r.role == Role::Rounding)
        .filter_map(|(i, r)| r.last_amount().map(|a| (i, r, a)))
        .find(|(_, _, a)| !a.value.is_zero() && a.value.abs() < MAX_ADJUSTMENT);
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

/// A rounding row whose amount OCR lost still says the amount due is a multiple of 0.05: a
/// total or a before-tax-plus-tax reading a cent or two off gets a rounded sibling (marked as
/// repaired: the adjustment was inferred, not read).
pub(super) fn unread_rounding_votes(rows: &[RowInfo], votes: &[Vote]) -> Vec<Vote> {
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
