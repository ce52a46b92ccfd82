//! `fidelio ocr`: manifest (or images) → OCR JSONL.

use fidelio::ingest::ManifestEntry;
use fidelio::ledger::shard::Shard;
use fidelio::ocr::ocr_all;

use crate::args::{InputArgs, OcrArgs};
use crate::cmd::shared::{
    check_output_file, load_campaign, ocr_config, read_jsonl, write_jsonl, ScanConfig,
};
use crate::exit::{usage, ExitCode};
use crate::progress::Progress;

pub fn run(args: OcrArgs) -> anyhow::Result<ExitCode> {
    check_output_file(args.output.as_deref())?;
    let campaign = args.campaign.as_deref().map(load_campaign).transpose()?;
    let config = ocr_config(&args.ocr, &args.state.state, campaign.as_ref())?;
    let shard = args
        .shard
        .as_deref()
        .map(str::parse::<Shard>)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let mut entries = read_entries(&args)?;
    if let Some(shard) = shard {
        entries = shard.select(entries);
    }
    let progress = Progress::new(entries.len() as u64, args.quiet);
    let records = ocr_all(
        &entries,
        config.factory.as_ref(),
        config.cache.as_ref(),
        &config.runner,
        &|job| progress.done(job.outcome),
    )?;
    progress.finish();
    write_jsonl(args.output.as_deref(), &records)?;
    Ok(ExitCode::Success)
}

/// A single `.jsonl` file or `-` is a manifest from `fidelio scan`; anything else is scanned.
fn read_entries(args: &OcrArgs) -> anyhow::Result<Vec<ManifestEntry>> {
    let is_manifest = |p: &std::path::PathBuf| {
        p.as_os_str() == "-" || p.extension().is_some_and(|e| e == "jsonl")
    };
    if args.inputs.iter().all(is_manifest) {
        return read_jsonl(&args.inputs);
    }
    let input = InputArgs {
        inputs: args.inputs.clone(),
        manifest: args.manifest.clone(),
        follow_links: args.follow_links,
    };
    let config = ScanConfig::from_args(&input)?;
    config.scan()
}
