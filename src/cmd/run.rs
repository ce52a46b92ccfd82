//! `fidelio run`: the nightly job, scan → OCR → decide through the ledger → outputs, reading as
//! the pipeline.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;

use fidelio::ledger::{batch_name_from_inputs, validate_batch_name};
use fidelio::ocr::{ocr_all, OcrOutcome, StageTimes};
use fidelio::output::write_atomic;

use crate::args::RunArgs;
use crate::cmd::ledger::{operator_error, LedgerStep};
use crate::cmd::report::write_report;
use crate::cmd::shared::{
    exit_code_for, load_campaign, read_jsonl, write_jsonl, OcrConfig, ScanConfig,
};
use crate::exit::{usage, ExitCode};
use crate::progress::{print_summary, Progress};

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let campaign = load_campaign(&args.campaign)?;
    let scan = ScanConfig::from_args(&args.input)?;
    let ocr = OcrConfig::from_args(&args.ocr, &args.state.state, Some(&campaign))?;
    let out: PathBuf = args.out.clone();
    let today = chrono::Local::now().date_naive();
    let batch = match &args.batch.batch {
        Some(batch) => batch.clone(),
        None => batch_name_from_inputs(&args.input.inputs, today).map_err(operator_error)?,
    };
    validate_batch_name(&batch).map_err(operator_error)?;
    check_out_dir(&out, &args.input.inputs)?;
    check_apart("--state", &args.state.state, &args.input.inputs)?;
    let mut timings = Timings::default();
    let started = Instant::now();

    let entries = scan.scan()?;
    timings.scan_s = seconds(started.elapsed());

    let ocr_started = Instant::now();
    let progress = Progress::new(entries.len() as u64, args.quiet);
    let counts = OutcomeCounts::default();
    let records = ocr_all(
        &entries,
        ocr.factory.as_ref(),
        ocr.cache.as_ref(),
        &ocr.runner,
        &|job| {
            counts.add(job.outcome);
            counts.add_stages(job.stages);
            progress.done(job.outcome);
        },
    )?;
    progress.finish();
    timings.ocr_s = seconds(ocr_started.elapsed());
    (timings.recognized, timings.cached) = counts.totals();
    timings.stages_ms_per_receipt = counts.stages_per_receipt();

    let validate_started = Instant::now();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    write_jsonl(Some(&out.join("ocr.jsonl")), &records)?;
    let mut step = LedgerStep::for_command(
        "run",
        &args.state.state,
        &batch,
        args.batch.lock_timeout,
        args.quiet,
    );
    step.named_by_date = args.batch.batch.is_none();
    let summary = step.decide(&campaign, &records, Some(&out))?;
    if args.report {
        let results = read_jsonl(&[out.join("results.jsonl")])?;
        write_report(&out, &campaign.id, &batch, &results, records)?;
    }
    timings.validate_s = seconds(validate_started.elapsed());
    timings.files = entries.len();
    timings.elapsed_s = seconds(started.elapsed());
    timings.files_per_second = entries.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let timings_json = serde_json::to_vec_pretty(&timings)?;
    write_atomic(&out.join("timings.json"), &timings_json).context("cannot write timings.json")?;

    if !args.quiet {
        print_summary(&summary, started.elapsed(), Some(&out));
    }
    Ok(exit_code_for(&summary))
}

/// `--out` is checked before any work (a night of OCR must not end on "cannot write"): it is
/// created, must take a file, and must not lie inside an input folder.
fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| usage(format!("--out {}: cannot create it: {e}", out.display())))?;
    let probe = out.join(".fidelio-write-check");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| usage(format!("--out {}: cannot write there: {e}", out.display())))?;
    check_apart("--out", out, inputs)
}

/// Outputs or state inside an input folder (not under a hidden folder, which the walk skips)
/// would be walked as submissions the next night.
fn check_apart(flag: &str, dir: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return Ok(()); // not created yet: it cannot hold inputs
    };
    for input in inputs {
        let Ok(input) = std::fs::canonicalize(input) else {
            continue;
        };
        let Ok(inside) = dir.strip_prefix(&input) else {
            continue;
        };
        // The walk skips hidden folders (`inbox/.fidelio`): those are safe.
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if input.is_dir() && !hidden {
            return Err(usage(format!(
                "{flag} {} is inside the input folder {}: its files would be read as receipts \
                 the next night; put it beside the inputs",
                dir.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// `timings.json`: kept apart from `summary.json` so the decision files stay byte-identical
/// between runs.
#[derive(Debug, Default, Serialize)]
struct Timings {
    files: usize,
    recognized: usize,
    cached: usize,
    scan_s: f64,
    ocr_s: f64,
    validate_s: f64,
    elapsed_s: f64,
    files_per_second: f64,
    /// The engine's detection, line orientation and recognition time per receipt read now
    /// (re-reads and second looks included), in milliseconds of one worker.
    stages_ms_per_receipt: StagesPerReceipt,
}

#[derive(Debug, Default, Serialize)]
struct StagesPerReceipt {
    detect: f64,
    classify: f64,
    recognize: f64,
}

fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

#[derive(Default)]
struct OutcomeCounts {
    recognized: std::sync::atomic::AtomicUsize,
    cached: std::sync::atomic::AtomicUsize,
    detect_ms: std::sync::atomic::AtomicU64,
    classify_ms: std::sync::atomic::AtomicU64,
    recognize_ms: std::sync::atomic::AtomicU64,
}

impl OutcomeCounts {
    fn add(&self, outcome: OcrOutcome) {
        use std::sync::atomic::Ordering::Relaxed;
        match outcome {
            OcrOutcome::Recognized => self.recognized.fetch_add(1, Relaxed),
            OcrOutcome::Cached => self.cached.fetch_add(1, Relaxed),
            OcrOutcome::Skipped | OcrOutcome::Failed => 0,
        };
    }

    fn add_stages(&self, stages: StageTimes) {
        use std::sync::atomic::Ordering::Relaxed;
        self.detect_ms.fetch_add(stages.detect_ms, Relaxed);
        self.classify_ms.fetch_add(stages.classify_ms, Relaxed);
        self.recognize_ms.fetch_add(stages.recognize_ms, Relaxed);
    }

    fn stages_per_receipt(&self) -> StagesPerReceipt {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.recognized.load(Relaxed).max(1) as f64;
        let per = |total: &std::sync::atomic::AtomicU64| (total.load(Relaxed) as f64 / n).round();
        StagesPerReceipt {
            detect: per(&self.detect_ms),
            classify: per(&self.classify_ms),
            recognize: per(&self.recognize_ms),
        }
    }

    fn totals(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.recognized.load(Relaxed), self.cached.load(Relaxed))
    }
}
