//! Choosing among the votes: support per value, truncated readings merged into their full
//! value, rounded totals inheriting their origin's evidence, and a confidence derived from
//! the same score (`TotalScore::confidence`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Source, TotalReading, TotalScore, Vote};
use crate::extract::text::differing_glyphs;

/// Sum the support per value and pick the best supported one.
pub(super) fn choose(votes: &[Vote]) -> Option<TotalReading> {
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
    // The total's row misread by one digit still reads the total: its keyword supports the
    // value the checks confirm, and its misreading is no rival.
    let misread_row: Vec<&Vote> = match confirmed_rival(&scored) {
        Some(at) => {
            let (score, value, votes) = scored.remove(at);
            let (misread_score, _, misread_votes) = scored.remove(0);
            scored.insert(0, (score + misread_score, value, votes));
            misread_votes.clone()
        }
        None => Vec::new(),
    };
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
    let supporting: Vec<&Vote> = best_votes.iter().chain(&misread_row).copied().collect();
    let mut value = *value;
    value.rescale(2);
    let score = TotalScore {
        support: *best_score,
        runner_up,
        keyword_rows: supporting
            .iter()
            .filter(|v| v.source == Source::Keyword)
            .count(),
        repaired: supporting.iter().all(|v| v.repaired),
        ocr: supporting.iter().map(|v| v.ocr).fold(0.0_f32, f32::max),
    };
    Some(TotalReading {
        value,
        confidence: score.confidence(),
        currency: supporting.iter().find_map(|v| v.currency),
        score,
    })
}

/// Where the best supported value rests on total keywords alone and another value is
/// confirmed by two independent kinds of evidence (cash less change, the items' sum, a card
/// payment, the VAT table) and differs from it by one digit, the index of that other value:
/// the total's amount was misread (a photographed bakery's `TOTAL TTC 10,00` for `10,60`,
/// which `20,00` less `9,40` and its three items both make).
fn confirmed_rival(scored: &[(f32, Decimal, &Vec<&Vote>)]) -> Option<usize> {
    let (_, best, best_votes) = scored.first()?;
    if best_votes.iter().any(|v| independent(v.source)) {
        return None;
    }
    // Not a misreading: the amount the best value was rounded from (`Total Amount 7.72`,
    // `Rounding -0.02`, `Nett Total 7.70`), nor one that cash rounding turns into it (the
    // rounding row unread), though both differ from it by one digit.
    let origins: Vec<Decimal> = best_votes
        .iter()
        .filter_map(|v| v.rounded_from.map(|o| o.normalize()))
        .collect();
    scored.iter().position(|(_, value, votes)| {
        if origins.contains(&value.normalize()) || cash_rounding_of(*value) == *best {
            return false;
        }
        let kinds: std::collections::BTreeSet<Source> = votes
            .iter()
            .map(|v| v.source)
            .filter(|&s| independent(s))
            .collect();
        kinds.len() >= 2 && one_digit_apart(*best, *value)
    })
}

/// `value` rounded to the nearest five cents, as tills in countries without one- and two-cent
/// coins round what is paid in cash (Malaysia, Switzerland, Finland, the Netherlands).
fn cash_rounding_of(value: Decimal) -> Decimal {
    let step = Decimal::new(5, 2);
    (value / step).round() * step
}

/// Evidence read from other rows than the total's, strong enough to confirm or contradict it.
fn independent(source: Source) -> bool {
    matches!(
        source,
        Source::CashMinusChange | Source::CardPayment | Source::Items | Source::Vat
    )
}

/// `a` and `b` written with two decimals differ in exactly one digit.
fn one_digit_apart(a: Decimal, b: Decimal) -> bool {
    differing_glyphs(&format!("{a:.2}"), &format!("{b:.2}")).is_some_and(|d| d.len() == 1)
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
