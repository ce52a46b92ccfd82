//! Choosing among the votes: support per value, rounded totals inheriting their origin's
//! evidence, and a confidence derived from the same score (`TotalScore::confidence`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Source, TotalReading, TotalScore, Vote};

/// Sum the support per value and pick the best supported one.
pub(super) fn choose(votes: &[Vote]) -> Option<TotalReading> {
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
    let supporting = best_votes;
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
    let mut evidence: BTreeMap<Source, f32> = BTreeMap::new();
    for v in votes
        .iter()
        .filter(|v| !matches!(v.source, Source::Keyword | Source::Rounded))
    {
        let entry = evidence.entry(v.source).or_insert(0.0);
        *entry = entry.max(v.weight);
    }
    keyword_support(votes) + evidence.values().sum::<f32>()
}
