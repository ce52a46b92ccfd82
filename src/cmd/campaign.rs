//! `fidelio campaign check|explain FILE`: for the campaign manager, before a file pays anyone.
//!
//! `check` prints every problem with file:line:column on stderr and exits 2, so it can guard
//! a commit hook or CI; `explain` prints the rules as sentences on stdout.

use std::io::Write;

use fidelio::campaign::{explain, Campaign, CampaignError};

use crate::args::CampaignCommand;
use crate::exit::ExitCode;

pub fn run(command: CampaignCommand) -> anyhow::Result<ExitCode> {
    match command {
        CampaignCommand::Check(args) => match Campaign::load(&args.file) {
            Ok(campaign) => {
                let mut out = std::io::stdout().lock();
                writeln!(
                    out,
                    "{}: OK: {} ({})",
                    args.file.display(),
                    campaign.name,
                    campaign.id
                )?;
                Ok(ExitCode::Success)
            }
            Err(err) => Ok(report(&err)),
        },
        CampaignCommand::Explain(args) => match Campaign::load(&args.file) {
            Ok(campaign) => {
                std::io::stdout()
                    .lock()
                    .write_all(explain(&campaign).as_bytes())?;
                Ok(ExitCode::Success)
            }
            Err(err) => Ok(report(&err)),
        },
    }
}

/// Every problem on stderr, then a count: the file is a configuration error (exit 2).
/// Under `--log-format json` the whole report is one error object.
fn report(err: &CampaignError) -> ExitCode {
    let count = err.problems().len();
    if crate::log::is_json() {
        tracing::error!("{err}");
    } else {
        eprintln!("{err}");
        if count > 1 {
            eprintln!("{count} problems");
        }
    }
    ExitCode::Usage
}
