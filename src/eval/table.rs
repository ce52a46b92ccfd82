//! The evaluation report as text: what `fidelio eval` shows on stdout.

use std::io::Write;

use super::{FieldStats, Report, REVIEW_PRECISION};

/// The per-field table, the review points and, with `mismatches`, every field read wrong.
pub fn write_table(out: &mut impl Write, report: &Report, mismatches: bool) -> std::io::Result<()> {
    writeln!(
        out,
        "{} labelled receipts scored ({} inputs without a label, {} labels without an input)",
        report.labelled,
        report.unlabelled.len(),
        report.unmatched_labels.len()
    )?;
    writeln!(
        out,
        "{:<10} {:>5} {:>12} {:>13} {:>12} {:>9} {:>8}  {:>14} {:>14} {:>14}",
        "field",
        "count",
        "normalised",
        "95 % interval",
        "strict",
        "in OCR",
        "similar",
        "conf<0.5",
        "conf 0.5-0.8",
        "conf>=0.8"
    )?;
    for stats in &report.fields {
        writeln!(out, "{}", table_row(stats))?;
    }
    let points: Vec<String> = report
        .fields
        .iter()
        .filter(|stats| !stats.calibration.is_empty())
        .map(|stats| match &stats.review_point {
            Some(p) => format!(
                "{} {:.2} ({}/{} right, {:.1} % to review)",
                stats.field.as_str(),
                p.threshold,
                p.right,
                p.trusted,
                p.to_review_pct
            ),
            None => format!("{} none", stats.field.as_str()),
        })
        .collect();
    if !points.is_empty() {
        writeln!(
            out,
            "review point (lowest confidence with >= {:.0} % right above it): {}",
            100.0 * REVIEW_PRECISION,
            points.join("; ")
        )?;
    }
    // The fields a campaign's `review.min_confidence` reviews, each at its own review point.
    let thresholds: Vec<String> = report
        .fields
        .iter()
        .filter(|stats| matches!(stats.field.as_str(), "merchant" | "date" | "total"))
        .filter_map(|stats| {
            let point = stats.review_point.as_ref()?;
            Some(format!("{} = {:.2}", stats.field.as_str(), point.threshold))
        })
        .collect();
    if !thresholds.is_empty() {
        writeln!(
            out,
            "as campaign thresholds: [review] min_confidence = {{ {} }}",
            thresholds.join(", ")
        )?;
    }
    if let Some(a) = &report.articles {
        writeln!(
            out,
            "items against the printed number of articles: {}/{} receipts agree ({:.1} %)",
            a.agree,
            a.printed,
            100.0 * a.agree as f64 / a.printed as f64
        )?;
    }
    if mismatches {
        write_mismatches(out, report)?;
    }
    Ok(())
}

fn table_row(stats: &FieldStats) -> String {
    let bucket = |i: usize| match stats.calibration.get(i) {
        Some(b) if b.count > 0 => format!("{}/{} right", b.correct, b.count),
        Some(_) => "-".to_string(),
        None => String::new(),
    };
    let in_ocr = stats
        .in_ocr_pct
        .map_or_else(|| "-".to_string(), |p| format!("{p:.1} %"));
    let [low, high] = stats.normalised_interval_pct;
    format!(
        "{:<10} {:>5} {:>10.1} % {:>13} {:>10.1} % {:>9} {:>8.3}  {:>14} {:>14} {:>14}",
        stats.field.as_str(),
        stats.count,
        stats.normalised_pct,
        format!("{low:.1}–{high:.1}"),
        stats.strict_pct,
        in_ocr,
        stats.similarity,
        bucket(0),
        bucket(1),
        bucket(2)
    )
}

pub(super) fn write_mismatches(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    if report.mismatches.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nmismatches (after normalisation):")?;
    for m in &report.mismatches {
        let confidence = m
            .outcome
            .confidence
            .map(|c| format!(" (confidence {c:.2})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}  {:<8}  expected {:?}  got {}{}",
            m.file,
            m.outcome.field.as_str(),
            m.outcome.expected,
            m.outcome
                .got
                .as_deref()
                .map(|g| format!("{g:?}"))
                .unwrap_or_else(|| "nothing".into()),
            confidence
        )?;
    }
    Ok(())
}
