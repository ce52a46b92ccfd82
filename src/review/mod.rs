//! Human review: receipts the machine doubted, decided by a person.
//!
//! A night sends doubtful receipts to `review` and pays nothing for them; the ledger keeps what
//! each was decided on. A reviewer then approves or rejects each one, correcting what was
//! misread, in a decisions file ([`decisions`]) that the HTML report downloads or that
//! [`export_pending`] writes for a spreadsheet; [`apply_decisions`] checks the whole file,
//! decides the receipts again under their campaign and records it all in the ledger at once.
//! [`render_report`] draws a night as one self-contained HTML page to review it in.

mod apply;
pub mod decisions;
mod export;
mod report;

pub use apply::{apply_decisions, Applied, Decided, ReviewError};
pub use decisions::{
    parse_decisions, read_decisions, Corrections, DecisionLine, LineError, Verdict,
};
pub use export::export_pending;
pub use report::{render_report, NightReport};
