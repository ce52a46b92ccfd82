//! `fidelio ledger stats|export|revoke|history|purge`: reading and correcting the state kept
//! across nights. (The ledger step of a night is `fidelio::night`.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, Utc};

use fidelio::ledger::{Ledger, RunLock};
use fidelio::output::award_lines_csv;

use crate::args::{LedgerArgs, LedgerCommand};
use crate::cmd::shared::write_jsonl;
use crate::exit::{usage, ExitCode};

pub fn run(args: LedgerArgs) -> anyhow::Result<ExitCode> {
    let state = args.state.state;
    match args.command {
        LedgerCommand::Stats { campaign } => {
            let stats = Ledger::open_read_only(&state)?.stats(campaign.as_deref())?;
            println!("{}", serde_json::to_string_pretty(&stats)?);
        }
        LedgerCommand::Export { campaign, output } => export(&state, &campaign, output)?,
        LedgerCommand::Revoke {
            receipt_id,
            reason,
            campaign,
            lock_timeout,
        } => {
            let mut ledger = Ledger::open_existing(&state)?;
            ledger.set_busy_timeout(Duration::from_secs(lock_timeout))?;
            let revocation =
                ledger.revoke(&receipt_id, campaign.as_deref(), &reason, Utc::now())?;
            tracing::info!(
                "revoked {} points of receipt {} (member {}, campaign {}); the negative \
                 line goes out in the campaign's next points.csv",
                -revocation.points,
                revocation.receipt_id,
                revocation.member.as_deref().unwrap_or("unknown"),
                revocation.campaign
            );
            println!("{}", serde_json::to_string(&revocation)?);
        }
        LedgerCommand::History { member, campaign } => {
            let history =
                Ledger::open_read_only(&state)?.member_history(&member, campaign.as_deref())?;
            write_jsonl(None, &history)?;
        }
        LedgerCommand::Purge {
            before,
            campaign,
            lock_timeout,
        } => {
            let before = NaiveDate::parse_from_str(&before, "%Y-%m-%d")
                .map_err(|_| usage(format!("--before {before:?}: expected YYYY-MM-DD")))?;
            let _lock =
                RunLock::acquire(&state, "ledger purge", Duration::from_secs(lock_timeout))?;
            let mut ledger = Ledger::open_existing(&state)?;
            ledger.set_busy_timeout(Duration::from_secs(lock_timeout))?;
            let report = ledger.purge_before(before, campaign.as_deref())?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(ExitCode::Success)
}

fn export(state: &Path, campaign: &str, output: Option<PathBuf>) -> anyhow::Result<()> {
    let lines = Ledger::open_read_only(state)?.award_lines(campaign)?;
    let bytes = award_lines_csv(&lines)?;
    match output {
        Some(path) => fidelio::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(())
}
