//! The engine seam: everything OCR-specific the pipeline needs, and nothing more.

use std::path::Path;

use image::GrayImage;
use serde::{Deserialize, Serialize};

use super::page::Line;

/// Which engine and settings produced a page (recorded with every result, part of the cache key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInfo {
    pub name: String,
    pub version: String,
    pub languages: String,
    /// Engine-specific settings that change results (page segmentation mode, …).
    pub settings: String,
    /// Image preparation fingerprint.
    pub prepare: String,
}

impl EngineInfo {
    /// The string every cache key is derived from.
    pub fn cache_fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.name, self.version, self.languages, self.settings, self.prepare
        )
    }
}

/// Milliseconds an engine spent in each stage of reading one image, re-reads and second look
/// included: the neural reader's detection, line orientation and recognition (zero for
/// engines that do not tell them apart). For `timings.json` and `scripts/bench`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTimes {
    pub detect_ms: u64,
    pub classify_ms: u64,
    pub recognize_ms: u64,
}

impl StageTimes {
    pub fn is_zero(&self) -> bool {
        *self == StageTimes::default()
    }
}

impl std::ops::AddAssign for StageTimes {
    fn add_assign(&mut self, other: StageTimes) {
        self.detect_ms += other.detect_ms;
        self.classify_ms += other.classify_ms;
        self.recognize_ms += other.recognize_ms;
    }
}

/// What an engine is given for one image.
pub struct EngineInput<'a> {
    /// The original file (the test double reads a transcript beside it).
    pub path: &'a Path,
    pub image: &'a GrayImage,
}

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("cannot start the OCR engine: {0}")]
    Init(String),
    #[error("OCR failed: {0}")]
    Recognize(String),
}

/// One OCR engine instance; not shared between threads.
pub trait Engine {
    /// Quarter turns clockwise (0–3) that make `image` read upright: a page photographed on its
    /// side or scanned upside down. The runner turns the page before reading it, so every later
    /// crop is taken from the page as read. Engines that cannot tell answer 0.
    fn orient(&mut self, _image: &GrayImage) -> Result<u8, OcrError> {
        Ok(0)
    }

    fn recognize(&mut self, input: &EngineInput<'_>) -> Result<Vec<Line>, OcrError>;

    /// Read a page again for the second look, when the first reading left the key fields in
    /// doubt: with a more accurate model where the engine has one (PP-OCR's small recogniser
    /// behind its tiny one, on the lines of its first reading that matter), else as
    /// `recognize` does (the runner then shows it other pixels).
    fn recognize_again(&mut self, input: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
        self.recognize(input)
    }

    /// Read a small image holding one word or one line of print (a doubtful price, a faded
    /// date row, cut out of the page) on its own, as a single line of text. Engines that
    /// cannot, like the transcript double, answer `None`.
    fn read_alone(&mut self, _image: &GrayImage) -> Result<Option<String>, OcrError> {
        Ok(None)
    }

    /// Read a part of the page cut out on its own (a price column the page layout left out)
    /// as one block of text, its lines in the part's coordinates. The page layout is what
    /// dropped it, so it is not asked again. Engines that cannot answer no lines.
    fn read_block(&mut self, _image: &GrayImage) -> Result<Vec<Line>, OcrError> {
        Ok(Vec::new())
    }

    /// The time spent per stage since the last call, and the count started again.
    fn take_stage_times(&mut self) -> StageTimes {
        StageTimes::default()
    }
}

/// Creates one engine per worker thread.
pub trait EngineFactory: Sync {
    fn info(&self) -> EngineInfo;
    fn create(&self) -> Result<Box<dyn Engine>, OcrError>;
}
