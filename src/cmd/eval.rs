//! `fidelio eval`: labelled receipts → per-field accuracy table, optional JSON report, and an
//! exit code a CI pipeline can gate on (`--min total=90`).
//!
//! Inputs are either JSONL fidelio wrote (`results.jsonl` lines are scored as they are,
//! `ocr.jsonl` lines are extracted on the spot) or images and folders, which go through the
//! same scan → OCR (cached) → extraction path as `fidelio run`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;

use fidelio::campaign::Campaign;
use fidelio::eval::{
    evaluate, share_readings_with_copies, FieldStats, LabelSet, Observation, Report, ResultLine,
    Shortfall, Threshold,
};
use fidelio::ocr::{ocr_all, OcrRecord};
use fidelio::output::write_atomic;
use fidelio::validate::{decide_all, read_receipts};

use crate::args::{EvalArgs, InputArgs};
use crate::cmd::shared::{load_campaign, read_jsonl, OcrConfig, ScanConfig};
use crate::exit::{usage, ExitCode};
use crate::progress::Progress;

/// `verbose` (`-v`): list every mismatch.
pub fn run(args: EvalArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let thresholds = parse_thresholds(&args.min)?;
    let labels = LabelSet::load(&args.labels).map_err(|e| usage(e.to_string()))?;
    for problem in &labels.problems {
        tracing::warn!("{problem}");
    }
    let campaign = args.campaign.as_deref().map(load_campaign).transpose()?;
    let observations = observe(&args, campaign.as_ref())?;
    let report = evaluate(&observations, &labels);

    let mut out = std::io::stdout().lock();
    write_table(&mut out, &report)?;
    if verbose {
        write_mismatches(&mut out, &report)?;
    }
    out.flush()?;
    let shortfalls = report.shortfalls(&thresholds);
    if let Some(path) = &args.json {
        write_json(path, &report, &shortfalls)?;
    }
    for s in &shortfalls {
        match s.reached_pct {
            Some(reached) => tracing::info!(
                "eval: {} {reached:.1} % is below the required {} %",
                s.field.as_str(),
                s.required_pct
            ),
            None => tracing::info!(
                "eval: no label carries {}, cannot check --min {}={}",
                s.field.as_str(),
                s.field.as_str(),
                s.required_pct
            ),
        }
    }
    Ok(if shortfalls.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::CompletedWithRejections
    })
}

fn parse_thresholds(specs: &[String]) -> anyhow::Result<Vec<Threshold>> {
    specs
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<Threshold>().map_err(|e| usage(e.to_string())))
        .collect()
}

/// What fidelio read for each input: from JSONL when every input is JSONL, else by OCR.
fn observe(args: &EvalArgs, campaign: Option<&Campaign>) -> anyhow::Result<Vec<Observation>> {
    let inputs = if args.inputs.is_empty() {
        vec![args.labels.clone()]
    } else {
        args.inputs.clone()
    };
    let is_jsonl =
        |p: &PathBuf| p.as_os_str() == "-" || p.extension().is_some_and(|e| e == "jsonl");
    if inputs.iter().all(is_jsonl) {
        return observe_jsonl(&inputs, campaign);
    }
    let scan = ScanConfig::from_args(&InputArgs {
        inputs,
        manifest: None,
    })?;
    let ocr = OcrConfig::from_args(&args.ocr, &args.state.state, campaign)?;
    let entries = scan.scan()?;
    let progress = Progress::new(entries.len() as u64, args.quiet);
    let mut records = ocr_all(
        &entries,
        ocr.factory.as_ref(),
        ocr.cache.as_ref(),
        &ocr.runner,
        &|job| progress.done(job.outcome),
    )?;
    progress.finish();
    share_readings_with_copies(&mut records);
    Ok(observe_ocr(&records, campaign))
}

/// `results.jsonl` lines (they have a `status`) are taken as they are; `ocr.jsonl` lines are
/// extracted (and decided, with a campaign) now.
fn observe_jsonl(
    inputs: &[PathBuf],
    campaign: Option<&Campaign>,
) -> anyhow::Result<Vec<Observation>> {
    let lines: Vec<Value> = read_jsonl(inputs)?;
    let mut observations = Vec::new();
    let mut ocr_records = Vec::new();
    for line in lines {
        if line.get("status").is_some() {
            let result: ResultLine = serde_json::from_value(line)
                .map_err(|e| usage(format!("bad results line: {e}")))?;
            observations.push(Observation::from(result));
        } else {
            let record: OcrRecord =
                serde_json::from_value(line).map_err(|e| usage(format!("bad OCR line: {e}")))?;
            ocr_records.push(record);
        }
    }
    observations.extend(observe_ocr(&ocr_records, campaign));
    Ok(observations)
}

/// OCR records extracted (and decided, with a campaign) now, their text (both readings, when
/// there was a second look) kept so the report can tell OCR misses from extraction misses.
fn observe_ocr(records: &[OcrRecord], campaign: Option<&Campaign>) -> Vec<Observation> {
    let ocr_lines = |record: &OcrRecord| {
        record
            .ocr
            .as_ref()
            .map(|page| page.all_lines().map(|l| l.text.clone()).collect())
    };
    if let Some(campaign) = campaign {
        return decide_all(records, campaign)
            .iter()
            .zip(records)
            .map(|(result, record)| Observation {
                ocr_lines: ocr_lines(record),
                ..Observation::from(result)
            })
            .collect();
    }
    read_receipts(records)
        .into_iter()
        .zip(records)
        .map(|(receipt, record)| Observation {
            file: record.entry.file.clone(),
            receipt,
            decision: None,
            ocr_lines: ocr_lines(record),
        })
        .collect()
}

fn write_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
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
            100.0 * fidelio::eval::REVIEW_PRECISION,
            points.join("; ")
        )?;
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

fn write_mismatches(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
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

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    shortfalls: &'a [Shortfall],
}

fn write_json(path: &Path, report: &Report, shortfalls: &[Shortfall]) -> anyhow::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(&JsonReport { report, shortfalls })?;
    bytes.push(b'\n');
    write_atomic(path, &bytes).with_context(|| format!("cannot write {}", path.display()))
}
