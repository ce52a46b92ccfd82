//! Exit codes, as documented in the README:
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success: every file decided, none rejected or unreadable |
//! | 1 | completed, with rejected or unreadable receipts |
//! | 2 | usage or configuration error (bad flag, bad campaign file, missing input) |
//! | 3 | internal error (cannot write outputs, state store broken, …) |
//! | 4 | the ledger is busy: another run held it for all of `--lock-timeout`; nothing was decided, retry later |
//!
//! A closed stdout (`fidelio scan | head`) is not an error: we stop quietly with 0.

use fidelio::config::ConfigError;
use fidelio::ledger::LedgerError;
use fidelio::night::NightError;
use fidelio::output::Summary;
use fidelio::Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    CompletedWithRejections = 1,
    Usage = 2,
    Internal = 3,
    LedgerBusy = 4,
}

impl ExitCode {
    /// 1 when the night rejected a receipt or could not read one, else 0.
    pub fn for_summary(summary: &Summary) -> ExitCode {
        if summary.count(Status::Rejected) + summary.count(Status::Unreadable) > 0 {
            ExitCode::CompletedWithRejections
        } else {
            ExitCode::Success
        }
    }
}

/// Marks an error as the user's (exit 2) rather than ours (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Print `err` with its context chain on stderr and pick the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::Success;
    }
    tracing::error!("{err:#}");
    if err.chain().any(is_operator_mistake) {
        ExitCode::Usage
    } else if err.chain().any(is_ledger_busy) {
        tracing::error!(
            "another fidelio is using the ledger: nothing was changed; retry later, or wait \
             longer with --lock-timeout"
        );
        ExitCode::LedgerBusy
    } else {
        ExitCode::Internal
    }
}

/// The library's errors say whether the operator can fix them (a name, a place, an id); the
/// binary's own say so by being a [`UsageError`].
fn is_operator_mistake(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause.is::<UsageError>()
        || cause
            .downcast_ref::<LedgerError>()
            .is_some_and(LedgerError::is_operator_mistake)
        || cause
            .downcast_ref::<NightError>()
            .is_some_and(NightError::is_operator_mistake)
        || cause.is::<ConfigError>()
}

/// Another run holds the ledger: a scheduler should retry, not page someone about a bug.
fn is_ledger_busy(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause
        .downcast_ref::<LedgerError>()
        .is_some_and(LedgerError::is_busy)
        || cause
            .downcast_ref::<NightError>()
            .is_some_and(NightError::is_ledger_busy)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
