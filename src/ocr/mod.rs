//! OCR: pixels → text lines with word boxes and confidences.
//!
//! The engine sits behind a trait so the pipeline can be tested without a reader (see
//! [`TextEngineFactory`]); the default engine is the neural reader ([`PpocrFactory`]), and
//! [`TesseractFactory`] stays for those who have it. Workers each own one engine, created once
//! and reused, because loading an engine's models costs more than reading a receipt. Results are cached by content hash and settings, so the same bytes are never OCRed
//! twice, whatever night they arrive.

mod cache;
mod engine;
mod page;
pub mod ppocr;
mod runner;
mod tesseract;
mod text_engine;
pub mod text_layer;
mod tsv;
mod unread;

pub use cache::OcrCache;
pub use engine::{Engine, EngineFactory, EngineInfo, EngineInput, OcrError, StageTimes};
pub use page::{BBox, Line, OcrPage, OcrRecord, Reading, Word};
pub use ppocr::{ModelSet, ModelSize, ModelsError, PpocrFactory, PpocrSettings};
pub use runner::{ocr_all, Doubts, OcrJob, OcrOutcome, RunnerOptions, SecondLook};
pub use tesseract::{tesseract_version, TesseractFactory};
pub use text_engine::TextEngineFactory;
