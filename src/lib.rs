//! fidelio turns folders of receipt photos into loyalty-campaign decisions.
//!
//! The library follows the data, one module per stage, so every stage can also run on its own
//! (the binary exposes each as a subcommand reading and writing JSONL):
//!
//! `ingest` (walk, sniff, hash, dedupe, members) → `image` (decode, orient, crop, scale,
//! quality, perceptual hash) → `ocr` (engine trait, neural reader, Tesseract, cache) → `extract`
//! (text → receipt fields) → `campaign` (TOML rules → decision, the decided record) →
//! `validate` (OCR records → decided records) → `ledger` (state across nights) → `output`
//! (JSONL, CSV, summary) → `review` (what a person decides about doubtful receipts; the
//! night's HTML page). `eval` measures extraction against labels.
//!
//! Imports flow the same way: a module uses only modules before it (checked by
//! `tests/integration/architecture.rs`; see ARCHITECTURE.md).
//!
//! The library never prints, exits or reads argv: the binary owns the terminal.

pub mod campaign;
pub mod config;
pub mod defaults;
pub mod eval;
pub mod extract;
pub mod image;
pub mod ingest;
pub mod jsonl;
pub mod ledger;
pub mod night;
pub mod ocr;
pub mod output;
pub mod reason;
pub mod review;
pub mod validate;

pub use reason::{Code, Reason, Status};
