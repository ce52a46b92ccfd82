//! fidelio turns folders of receipt photos into loyalty-campaign decisions.
//!
//! The library follows the data, one module per stage, so every stage can also run on its own
//! (the binary exposes each as a subcommand reading and writing JSONL):
//!
//! `ingest` (walk, sniff, hash, dedupe, members) → `image` (decode, orient, crop, scale,
//! quality) → `ocr` (engine trait, Tesseract, cache) → `extract` (text → receipt fields) →
//! `campaign` (TOML rules → decision) → `ledger` (state across nights) → `output` (JSONL, CSV,
//! summary) → `review` (what a person decides about doubtful receipts; the night's HTML page).
//!
//! The library never prints, exits or reads argv: the binary owns the terminal.

pub mod campaign;
pub mod eval;
pub mod extract;
pub mod image;
pub mod ingest;
pub mod jsonl;
pub mod ledger;
pub mod ocr;
pub mod output;
pub mod reason;
pub mod review;
pub mod validate;

pub use reason::{Code, Reason, Status};
