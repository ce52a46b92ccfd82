//! The test double: an engine that "reads" a transcript stored beside the image.
//!
//! For `receipt.jpg` it returns the lines of `receipt.txt` (no transcript: no text), with
//! synthetic monospace word boxes so layout-dependent extraction still works. Tests use it to
//! run the whole pipeline without Tesseract; operators can use it to re-decide receipts whose
//! text was corrected by hand (`--engine text`).

use super::engine::{Engine, EngineFactory, EngineInfo, EngineInput, OcrError};
use super::page::{BBox, Line, Word};

/// Synthetic glyph size of the transcript's monospace grid.
const CHAR_WIDTH: i32 = 12;
const LINE_HEIGHT: i32 = 30;
const GLYPH_HEIGHT: i32 = 22;

#[derive(Clone, Debug)]
pub struct TextEngineFactory {
    pub prepare: String,
}

impl EngineFactory for TextEngineFactory {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            name: "text".into(),
            version: "1".into(),
            languages: "-".into(),
            settings: "transcript".into(),
            prepare: self.prepare.clone(),
        }
    }

    fn create(&self) -> Result<Box<dyn Engine>, OcrError> {
        Ok(Box::new(TextEngine))
    }
}

struct TextEngine;

impl Engine for TextEngine {
    fn recognize(&mut self, input: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
        let transcript = input.path.with_extension("txt");
        match std::fs::read_to_string(&transcript) {
            Ok(text) => Ok(lines_from_transcript(&text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(err) => Err(OcrError::Recognize(format!(
                "{}: {err}",
                transcript.display()
            ))),
        }
    }
}

/// Lines with one word per whitespace-separated token, boxed on a monospace grid.
pub fn lines_from_transcript(text: &str) -> Vec<Line> {
    text.lines()
        .enumerate()
        .filter_map(|(row, line)| {
            let words = words_on_grid(line, row as i32);
            (!words.is_empty()).then(|| Line::from_words(words))
        })
        .collect()
}

fn words_on_grid(line: &str, row: i32) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<char> = line.chars().collect();
    for i in 0..=chars.len() {
        let is_space = i == chars.len() || chars[i].is_whitespace();
        match (start, is_space) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                let text: String = chars[s..i].iter().collect();
                let bbox = BBox([
                    s as i32 * CHAR_WIDTH,
                    row * LINE_HEIGHT,
                    (i - s) as i32 * CHAR_WIDTH,
                    GLYPH_HEIGHT,
                ]);
                words.push(Word {
                    text,
                    conf: 95.0,
                    bbox,
                    reread: None,
                });
                start = None;
            }
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_words_keep_their_columns() {
        let lines = lines_from_transcript("CARREFOUR\n\nYAOURT BIO      2,40\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].text, "YAOURT BIO 2,40");
        let price = &lines[1].words[2];
        assert_eq!(price.bbox.x(), 16 * CHAR_WIDTH);
        assert_eq!(lines[1].bbox.y(), 2 * LINE_HEIGHT);
    }
}
