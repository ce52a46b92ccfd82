//! The ledger: state across nights, so points are awarded once and only once.
//!
//! Customers resubmit the same receipt a week later, photograph it again, or a friend submits it
//! too; operators re-run a night that crashed. A single run cannot see any of that, so every
//! decided receipt and every award line is recorded in an SQLite database in the state
//! directory (`STATE/ledger.sqlite`), and each run consults it:
//!
//! - [`RunLock`]: one deciding run per state directory; a second one waits, then says who holds it.
//! - [`Ledger::begin_batch`]: a batch already committed is *replayed* (its stored outputs are
//!   returned verbatim) instead of being decided again.
//! - [`ClaimChecker`]: the same bytes, the same purchase key or a perceptually close image
//!   already claimed in this campaign (by anyone, in any batch) makes a submission a duplicate.
//! - [`Ledger::prior_awards`]: what was paid before, for caps and budgets that span nights.
//! - [`Ledger::commit_batch`]: every decision and award of a batch in one transaction: a run
//!   killed before it left no trace and is redone; a run killed after it is replayed.
//! - [`Ledger::commit_reviews`]: what a person decided about receipts held for review.
//! - revocations, history, export, stats and retention purge for `fidelio ledger`.
//!
//! Only the member id the operator supplies is stored about people. Sharding OCR across
//! machines ([`shard`]) lives here too because its contract is the ledger's: however the OCR
//! was split, the ledger is applied once, in the order of a single run.

mod awards;
mod batch;
mod claims;
mod lock;
mod nearby;
mod purchase;
mod report;
mod review;
mod schema;
mod settle;
pub mod shard;
mod store;

use std::path::PathBuf;
use std::time::Duration;

pub use awards::{caps_history, AwardLine, PriorAward, Revocation};
pub use batch::{
    batch_name_from_inputs, fingerprint_inputs, fingerprint_rules, validate_batch_name,
    BatchCommit, BatchKey, BatchStart, DecidedReceipt, HeldForReview, StagedBatch, StoredBatch,
};
pub use claims::{Claim, ClaimChecker, DuplicatePolicy, Finding, MatchKind, Original, Picture};
pub use lock::{RunLock, LOCK_FILE};
pub use purchase::{fold_merchant, purchase_key};
pub use report::{CampaignStats, HistoryReview, HistoryRow, PurgeReport, Stats};
pub use review::{
    review_batch_name, AppliedReview, HeldReceipt, ReviewCommit, ReviewRecord, ReviewedReceipt,
};
pub use schema::SCHEMA_VERSION;
pub use settle::{settle, settle_one};
pub use store::{Ledger, DB_FILE};

/// Everything that can go wrong with the state store. Callers branch on `Locked` (another run),
/// `BatchInputsChanged` and the revocation errors (operator mistakes); the rest are faults.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no ledger at {} (nothing has been decided with this state directory yet)", .0.display())]
    Missing(PathBuf),
    #[error(
        "the ledger was written by a newer fidelio (schema version {found}, this one reads up \
         to {supported}); upgrade fidelio"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error(
        "another fidelio holds the ledger lock {}{}; gave up after waiting {:.0} s \
         (raise --lock-timeout to wait longer)",
        path.display(),
        holder.as_ref().map(|h| format!(": {h}")).unwrap_or_default(),
        waited.as_secs_f64()
    )]
    Locked {
        path: PathBuf,
        holder: Option<String>,
        waited: Duration,
    },
    #[error(
        "the ledger {} stayed busy for {:.0} s: {}; nothing was changed",
        path.display(),
        waited.as_secs_f64(),
        holder.as_ref().map(|h| format!("a fidelio run holds it ({h})")).unwrap_or_else(|| {
            "no fidelio run holds it, another program is writing to it (a sqlite3 shell, a \
             backup tool?)"
                .to_string()
        })
    )]
    Busy {
        path: PathBuf,
        holder: Option<String>,
        waited: Duration,
    },
    #[error(
        "batch {batch:?} of campaign {campaign:?} was committed on {committed_at} with different \
         inputs ({committed} files then, {now} now); a committed batch is final: give the new \
         files their own --batch name"
    )]
    BatchInputsChanged {
        campaign: String,
        batch: String,
        committed_at: String,
        committed: usize,
        now: usize,
    },
    #[error("batch {batch:?} of campaign {campaign:?} is already committed")]
    BatchAlreadyCommitted { campaign: String, batch: String },
    #[error("invalid batch name {0:?}: use 1 to 100 letters, digits, '.', '_', '-' or '@', not starting with '.'")]
    InvalidBatchName(String),
    #[error("cannot tell the batch name from the inputs ({0}): give --batch NAME")]
    NoBatchName(String),
    #[error("no award for receipt {0:?} in the ledger")]
    UnknownReceipt(String),
    #[error("receipt id {prefix:?} matches {count} awards; give more of the id or --campaign")]
    AmbiguousReceipt { prefix: String, count: usize },
    #[error("receipt {receipt} ({campaign}) was already revoked on {at}")]
    AlreadyRevoked {
        receipt: String,
        campaign: String,
        at: String,
    },
    #[error(
        "pending revocations changed while the batch was being decided (expected {expected}, \
         found {found}); run the batch again"
    )]
    RevocationsChanged { expected: usize, found: usize },
    #[error("the ledger holds a value it cannot read: {0}")]
    Corrupt(String),
}

impl LedgerError {
    /// Another process held the ledger (its run lock, or the database itself) for the whole
    /// timeout: retry later (exit 4), not a fault.
    pub fn is_busy(&self) -> bool {
        match self {
            LedgerError::Locked { .. } | LedgerError::Busy { .. } => true,
            LedgerError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }

    /// A mistake the operator can fix (a name, an id, a batch given again with other files),
    /// not a fault of the store.
    pub fn is_operator_mistake(&self) -> bool {
        matches!(
            self,
            LedgerError::Missing(_)
                | LedgerError::BatchInputsChanged { .. }
                | LedgerError::InvalidBatchName(_)
                | LedgerError::NoBatchName(_)
                | LedgerError::UnknownReceipt(_)
                | LedgerError::AmbiguousReceipt { .. }
                | LedgerError::AlreadyRevoked { .. }
        )
    }
}

#[cfg(test)]
mod tests;
