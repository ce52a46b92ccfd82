//! `fidelio scan`: inputs → manifest JSONL.

use crate::args::ScanArgs;
use crate::cmd::shared::{write_jsonl, ScanConfig};
use crate::exit::ExitCode;

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let config = ScanConfig::from_args(&args.input)?;
    let entries = config.scan()?;
    write_jsonl(args.output.as_deref(), &entries)?;
    Ok(ExitCode::Success)
}
