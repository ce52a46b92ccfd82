//! `fidelio validate`: OCR JSONL → decisions, without OCRing again.

use fidelio::ocr::OcrRecord;
use fidelio::output::Summary;
use fidelio::validate::decide_all;

use crate::args::ValidateArgs;
use crate::cmd::shared::{exit_code_for, load_campaign, read_jsonl, write_jsonl, write_outputs};
use crate::exit::ExitCode;
use crate::progress::print_summary;

pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let campaign = load_campaign(&args.campaign)?;
    let started = std::time::Instant::now();
    let records: Vec<OcrRecord> = read_jsonl(&args.inputs)?;
    let results = decide_all(&records, &campaign);
    match &args.out {
        Some(dir) => write_outputs(dir, &results)?,
        None => write_jsonl(None, &results)?,
    }
    let summary = Summary::of(&results);
    if !args.quiet {
        print_summary(&summary, started.elapsed(), args.out.as_deref());
    }
    Ok(exit_code_for(&summary))
}
