//! `fidelio eval`: labelled receipts → per-field accuracy table, optional JSON report, and an
//! exit code a CI pipeline can gate on (`--min total=90`).
//!
//! Inputs are either JSONL fidelio wrote (`results.jsonl` lines are scored as they are,
//! `ocr.jsonl` lines are extracted on the spot) or images and folders, which go through the
//! same scan → OCR (cached) → extraction path as `fidelio run`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

use fidelio::campaign::Campaign;
use fidelio::eval::{
    evaluate, observe_ocr, share_readings_with_copies, write_table, LabelSet, Observation, Report,
    ResultLine, Shortfall, Threshold,
};
use fidelio::ocr::{ocr_all, OcrRecord};
use fidelio::output::write_atomic;

use crate::args::{EvalArgs, InputArgs};
use crate::cmd::shared::{load_campaign, ocr_config, read_jsonl, ScanConfig};
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
    write_table(&mut out, &report, verbose)?;
    out.flush()?;
    let shortfalls = report.shortfalls(&thresholds);
    if let Some(path) = &args.json {
        write_json(path, &report, &shortfalls)?;
    }
    for shortfall in &shortfalls {
        tracing::info!("eval: {shortfall}");
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
        // Labelled folders are the developer's own, often linked together; nothing is paid.
        follow_links: true,
    })?;
    let ocr = ocr_config(&args.ocr, &args.state.state, campaign)?;
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

fn write_json(path: &Path, report: &Report, shortfalls: &[Shortfall]) -> anyhow::Result<()> {
    let bytes = report.to_json(shortfalls)?;
    write_atomic(path, &bytes).with_context(|| format!("cannot write {}", path.display()))
}
