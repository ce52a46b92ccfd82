//! Builders shared by the campaign tests: OCR lines, pages and manifest entries as the text
//! engine would give them, so each test states only what matters to it.

use fidelio::image::Quality;
use fidelio::ingest::ManifestEntry;
use fidelio::ocr::{BBox, EngineInfo, Line, OcrPage};

/// One OCR line (no word boxes: campaign rules read line text only).
pub fn line(text: &str) -> Line {
    Line::from_text(text, 90.0, BBox::default())
}

/// The non-blank lines of a receipt transcript.
pub fn lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(line)
        .collect()
}

/// A sharp, bright, large photo: passes the default quality gate.
pub fn good_quality() -> Quality {
    Quality {
        width: 1000,
        height: 2000,
        sharpness: 2000.0,
        glare: 0.0,
        brightness: 200.0,
        blank: false,
    }
}

pub fn page(lines: Vec<Line>, quality: Quality) -> OcrPage {
    OcrPage {
        second_look: None,
        width: 1000,
        height: 2000,
        quality,
        engine: EngineInfo {
            name: "text".into(),
            version: "1".into(),
            languages: "-".into(),
            settings: "transcript".into(),
            prepare: fidelio::image::PrepareSettings::default().fingerprint(),
        },
        elapsed_ms: 0,
        stages: Default::default(),
        phash: None,
        grid: None,
        metadata: Default::default(),
        screen: None,
        lines,
    }
}

/// A readable, first-seen file of `member` (or of no one).
pub fn entry(file: &str, member: Option<&str>) -> ManifestEntry {
    ManifestEntry {
        file: file.to_string(),
        id: format!("{:0>64}", file.len()),
        size: 1000,
        member: member.map(String::from),
        ..ManifestEntry::default()
    }
}
