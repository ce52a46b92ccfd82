//! Human review: receipts the machine doubted, decided by a person.
//!
//! A night sends doubtful receipts to `review` and pays nothing for them; the ledger keeps what
//! each was decided on. A reviewer then approves or rejects each one, correcting what was
//! misread, in a decisions file ([`decisions`]) that the HTML report downloads or that
//! [`export_pending`] writes for a spreadsheet; [`apply_decisions`] checks the whole file,
//! decides the receipts again under their campaign and records it all in the ledger at once.

mod apply;
pub mod decisions;
mod export;

pub use apply::{apply_decisions, Applied, Decided, ReviewError};
pub use decisions::{
    parse_decisions, read_decisions, Corrections, DecisionLine, LineError, Verdict,
};
pub use export::export_pending;
