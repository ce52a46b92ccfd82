//! OCR: pixels → text lines with word boxes and confidences.
//!
//! The engine sits behind a trait so the pipeline can be tested without Tesseract (see
//! [`TextEngine`]); the real engine is [`TesseractFactory`]. Workers each own one engine,
//! created once and reused, because loading Tesseract's models costs more than reading a
//! receipt. Results are cached by content hash and settings, so the same bytes are never OCRed
//! twice, whatever night they arrive.

mod cache;
mod engine;
mod page;
mod runner;
mod tesseract;
mod text_engine;
mod tsv;
mod unread;

pub use cache::OcrCache;
pub use engine::{Engine, EngineFactory, EngineInfo, EngineInput, OcrError};
pub use page::{BBox, Line, OcrPage, OcrRecord, Reading, Word};
pub use runner::{
    ocr_all, Doubts, OcrJob, OcrOutcome, RunnerOptions, SecondLook, REREADS_FINGERPRINT,
};
pub use tesseract::TesseractFactory;
pub use text_engine::TextEngineFactory;
