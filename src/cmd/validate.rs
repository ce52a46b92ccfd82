//! `fidelio validate`: OCR JSONL → decisions, without OCRing again.
//!
//! Several inputs are OCR slices (`fidelio ocr --shard K/N`), merged back into a single run's
//! order. With `--batch`, the decisions go through the ledger (duplicates over time, replay,
//! one commit); without it, this is a what-if run that records nothing.

use std::io::Write;
use std::time::Duration;

use fidelio::ingest::ManifestEntry;
use fidelio::ledger::shard;
use fidelio::night::{summary_of, LedgerStep};
use fidelio::ocr::OcrRecord;
use fidelio::output::Summary;
use fidelio::validate::{decide_all, measured_on_old_scale};

use crate::args::ValidateArgs;
use crate::cmd::shared::{check_output_dir, load_campaign, read_jsonl, write_jsonl, write_outputs};
use crate::exit::{usage, ExitCode};
use crate::progress::{print_summary, NightLog};

pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let campaign = load_campaign(&args.campaign)?;
    check_output_dir(args.out.as_deref())?;
    let started = std::time::Instant::now();
    let records = read_slices(&args)?;
    if let Some(old) = measured_on_old_scale(&records) {
        return Err(usage(old));
    }
    let log = NightLog::new(args.quiet);
    let summary = match &args.batch.batch {
        Some(batch) => {
            let step = LedgerStep::for_command(
                "validate",
                &args.state.state,
                batch,
                Duration::from_secs(args.batch.lock_timeout),
            );
            match &args.out {
                Some(dir) => step.decide(&campaign, &records, dir, &log)?,
                None => {
                    let outputs = step.outputs(&campaign, &records, &log)?;
                    if let Some((_, results)) = outputs.iter().find(|(n, _)| n == "results.jsonl") {
                        std::io::stdout().lock().write_all(results)?;
                    }
                    summary_of(&outputs)
                }
            }
        }
        None => {
            let results = decide_all(&records, &campaign);
            match &args.out {
                Some(dir) => write_outputs(dir, &results)?,
                None => write_jsonl(None, &results)?,
            }
            Summary::of(&results)
        }
    };
    if !args.quiet {
        print_summary(
            &summary,
            started.elapsed(),
            args.out.as_deref(),
            log.replayed(),
        );
    }
    Ok(ExitCode::for_summary(&summary))
}

/// One input is used as it is; several are slices, merged (and checked against the scan
/// manifest when given).
fn read_slices(args: &ValidateArgs) -> anyhow::Result<Vec<OcrRecord>> {
    if args.inputs.len() == 1 && args.from_scan.is_none() {
        return read_jsonl(&args.inputs);
    }
    let mut slices = Vec::with_capacity(args.inputs.len());
    for input in &args.inputs {
        let records: Vec<OcrRecord> = read_jsonl(std::slice::from_ref(input))?;
        slices.push((input.display().to_string(), records));
    }
    let manifest: Option<Vec<ManifestEntry>> = match &args.from_scan {
        Some(path) => Some(read_jsonl(std::slice::from_ref(path))?),
        None => None,
    };
    shard::merge(slices, manifest.as_deref()).map_err(|e| usage(e.to_string()))
}
