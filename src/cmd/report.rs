//! `fidelio report` (and `run --report`): a night's results as one HTML page.

use anyhow::Context;

use fidelio::campaign::ResultRecord;
use fidelio::ledger::Ledger;
use fidelio::night::write_report;
use fidelio::ocr::OcrRecord;

use crate::args::ReportArgs;
use crate::cmd::shared::read_jsonl;
use crate::exit::{usage, ExitCode};

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let ledger = Ledger::open_read_only(&args.state.state)?;
    let mut committed = ledger.committed_outputs(&args.batch, args.campaign.as_deref())?;
    let (key, outputs) = match committed.len() {
        0 => return Err(usage(format!("no batch {:?} in the ledger", args.batch))),
        1 => committed.remove(0),
        _ => {
            let names: Vec<&str> = committed.iter().map(|(k, _)| k.campaign.as_str()).collect();
            return Err(usage(format!(
                "batch {:?} was committed by {} campaigns ({}): give --campaign",
                args.batch,
                names.len(),
                names.join(", ")
            )));
        }
    };
    let results_bytes = outputs
        .iter()
        .find(|(name, _)| name == "results.jsonl")
        .map(|(_, bytes)| bytes.as_slice())
        .unwrap_or_default();
    let results: Vec<ResultRecord> = fidelio::jsonl::read(results_bytes, "the ledger's results")?;
    let mut records: Vec<OcrRecord> = match &args.ocr {
        Some(path) => read_jsonl(std::slice::from_ref(path))?,
        None => Vec::new(),
    };
    for held in ledger.pending_reviews(Some(&key.campaign), Some(&key.batch))? {
        if let Some(record) = held.record.as_deref() {
            records.push(serde_json::from_str(record).context("a held OCR record")?);
        }
    }
    write_report(&args.out, &key.campaign, &key.batch, &results, records)?;
    Ok(ExitCode::Success)
}
