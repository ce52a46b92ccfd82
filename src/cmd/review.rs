//! `fidelio review export|apply`: the receipts held for review, decided by a person.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use fidelio::ledger::{Ledger, RunLock};
use fidelio::night::write_outputs;
use fidelio::review::{apply_decisions, export_pending, Applied, ReviewError};

use crate::args::{ReviewArgs, ReviewCommand};
use crate::exit::{usage, ExitCode};

pub fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let state = args.state.state;
    match args.command {
        ReviewCommand::Export {
            campaign,
            batch,
            out,
        } => {
            let ledger = Ledger::open_read_only(&state)?;
            let bytes = export_pending(&ledger, campaign.as_deref(), batch.as_deref())?;
            match out {
                Some(path) => fidelio::output::write_atomic(&path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().lock().write_all(&bytes)?;
                }
            }
        }
        ReviewCommand::Apply {
            decisions,
            out,
            campaign,
            lock_timeout,
            quiet,
        } => {
            let bytes = std::fs::read(&decisions)
                .map_err(|e| usage(format!("cannot read {}: {e}", decisions.display())))?;
            let _lock =
                RunLock::acquire(&state, "review apply", Duration::from_secs(lock_timeout))?;
            let mut ledger = Ledger::open_existing(&state)?;
            ledger.set_busy_timeout(Duration::from_secs(lock_timeout))?;
            let applied = apply_decisions(&mut ledger, &bytes, campaign.as_deref(), Utc::now())
                .map_err(|e| match e {
                    ReviewError::Lines(errors) => usage(
                        errors
                            .iter()
                            .map(|e| format!("{}:{e}", decisions.display()))
                            .collect::<Vec<_>>()
                            .join("\n")
                            + "\nnothing was applied",
                    ),
                    ReviewError::Ledger(e) => e.into(),
                })?;
            match applied {
                Applied::Replayed(replayed) => {
                    if !quiet {
                        tracing::info!(
                            "{} was applied at {}: replaying its outputs (nothing \
                             decided or awarded again)",
                            decisions.display(),
                            replayed.applied_at
                        );
                    }
                    write_outputs(&out, &replayed.outputs)?;
                }
                Applied::Decided(decided) => {
                    write_outputs(&out, &decided.outputs)?;
                    if !quiet {
                        tracing::info!("{decided}; outputs in {}", out.display());
                    }
                }
            }
        }
    }
    Ok(ExitCode::Success)
}
