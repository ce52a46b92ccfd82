//! What OCR produces for one image, as stored in the cache and in `ocr.jsonl`.

use serde::{Deserialize, Serialize};

use super::engine::{EngineInfo, StageTimes};
use crate::image::Quality;
use crate::ingest::ManifestEntry;

/// Axis-aligned box in prepared-image pixels: `[x, y, width, height]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BBox(pub [i32; 4]);

impl BBox {
    pub fn x(&self) -> i32 {
        self.0[0]
    }
    pub fn y(&self) -> i32 {
        self.0[1]
    }
    pub fn width(&self) -> i32 {
        self.0[2]
    }
    pub fn height(&self) -> i32 {
        self.0[3]
    }
    pub fn right(&self) -> i32 {
        self.0[0] + self.0[2]
    }
    pub fn bottom(&self) -> i32 {
        self.0[1] + self.0[3]
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        let x = self.x().min(other.x());
        let y = self.y().min(other.y());
        BBox([
            x,
            y,
            self.right().max(other.right()) - x,
            self.bottom().max(other.bottom()) - y,
        ])
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    /// Engine confidence, 0–100.
    pub conf: f32,
    pub bbox: BBox,
    /// What the engine read when shown this word alone, when the first reading left it in
    /// doubt and a campaign-relevant answer hung on it (see `ocr::Doubts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reread: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    /// Mean word confidence, 0–100.
    pub conf: f32,
    pub bbox: BBox,
    pub words: Vec<Word>,
    /// What the engine read when shown this line alone, its faded print darkened, when the
    /// first reading left the purchase date on it in doubt (see `ocr::Doubts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reread: Option<String>,
}

impl Line {
    /// A line of text without word boxes (an engine that gives text only, a transcript); the
    /// extractor spreads its words over `bbox`.
    pub fn from_text(text: &str, conf: f32, bbox: BBox) -> Line {
        Line {
            text: text.trim().to_string(),
            conf,
            bbox,
            words: Vec::new(),
            reread: None,
        }
    }

    /// A line from words in reading order; text is the words joined by single spaces.
    pub fn from_words(words: Vec<Word>) -> Line {
        let text = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let conf = if words.is_empty() {
            0.0
        } else {
            words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32
        };
        let bbox = words
            .iter()
            .map(|w| w.bbox)
            .reduce(|a, b| a.union(&b))
            .unwrap_or_default();
        Line {
            text,
            conf: round2(conf),
            bbox,
            words,
            reread: None,
        }
    }
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

pub(crate) fn round2(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

/// One image's OCR result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OcrPage {
    /// Size of the prepared image the boxes refer to.
    pub width: u32,
    pub height: u32,
    pub quality: Quality,
    pub engine: EngineInfo,
    /// Wall time of preparation + recognition when it was first computed (cache hits keep it).
    pub elapsed_ms: u64,
    /// Of that, the engine's own stages (detection, orientation, recognition), when it tells.
    #[serde(default, skip_serializing_if = "StageTimes::is_zero")]
    pub stages: StageTimes,
    /// Perceptual print of the decoded image, before any preparation, so the ledger can spot
    /// the same receipt photographed or re-encoded again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phash: Option<crate::image::Phash>,
    /// The decoded image's layout at glyph scale (`image::grid`): whether a later copy is this
    /// very picture, or this picture with a region changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<crate::image::Grid>,
    /// What the file's metadata says about its origin (editing software, camera date), for
    /// the campaign's fraud checks.
    #[serde(default, skip_serializing_if = "is_default")]
    pub metadata: crate::image::Metadata,
    /// How strongly the picture carries a screen's pixel grid or moiré
    /// (`image::screen_pattern`); genuine paper scores a few units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<f32>,
    pub lines: Vec<Line>,
    /// A second reading of differently prepared pixels, taken when the first one left the
    /// fields a campaign decides on uncertain (see [`super::SecondLook`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_look: Option<Reading>,
}

/// Lines read from one preparation of the image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// Fingerprint of the preparation (see `PrepareSettings::fingerprint`).
    pub prepare: String,
    pub width: u32,
    pub height: u32,
    pub lines: Vec<Line>,
}

impl OcrPage {
    /// Every line read, the first reading's then the second look's.
    pub fn all_lines(&self) -> impl Iterator<Item = &Line> {
        let again = self
            .second_look
            .iter()
            .flat_map(|reading| reading.lines.iter());
        self.lines.iter().chain(again)
    }

    /// The recognised text, one line per line.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }
}

/// A manifest entry with its OCR result: one line of `ocr.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OcrRecord {
    #[serde(flatten)]
    pub entry: ManifestEntry,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrPage>,
}
