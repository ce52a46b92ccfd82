//! Visual rows rebuilt from word boxes.
//!
//! Receipts are tables: a description on the left, a price on the right, sometimes a tax code
//! further right. Tesseract (psm 4) may hand back one printed row as several lines or blocks,
//! e.g. `Date:` in one block and `13/03/2018` in another at the same height, and a field reader
//! looking at one line at a time then sees a keyword without its value. This module merges
//! line fragments whose vertical extents overlap into one row, words ordered left to right,
//! and keeps the horizontal gaps so columns stay recognisable.
//!
//! Fragments are merged, not single words, because Tesseract already follows a skewed row
//! correctly within a fragment; regrouping every word by height would break those rows apart.

use crate::ocr::{BBox, Line, Word};

/// One printed row of the receipt.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Words left to right, joined by single spaces.
    pub text: String,
    pub words: Vec<Word>,
    pub bbox: BBox,
    /// Indices of the OCR lines this row was built from (first = topmost).
    pub lines: Vec<usize>,
}

impl Row {
    /// Mean word confidence, 0–100 (0 for a row without words).
    pub fn conf(&self) -> f32 {
        mean_conf(&self.words)
    }

    /// Glyph height: the median word height, robust to a tall stray mark.
    pub fn glyph_height(&self) -> i32 {
        let mut heights: Vec<i32> = self.words.iter().map(|w| w.bbox.height()).collect();
        heights.sort_unstable();
        heights.get(heights.len() / 2).copied().unwrap_or(0)
    }

    /// Mean confidence of the words overlapping the byte range `start..end` of `text`.
    pub fn conf_of_span(&self, start: usize, end: usize) -> f32 {
        let words: Vec<Word> = self
            .word_spans()
            .filter(|(s, e, _)| *s < end && *e > start)
            .map(|(_, _, w)| w.clone())
            .collect();
        if words.is_empty() {
            self.conf()
        } else {
            mean_conf(&words)
        }
    }

    /// Lowest confidence of the words overlapping `start..end` of `text`: one misread word is
    /// enough to make a name or an address wrong.
    pub fn min_conf_of_span(&self, start: usize, end: usize) -> f32 {
        self.word_spans()
            .filter(|(s, e, _)| *s < end && *e > start)
            .map(|(_, _, w)| w.conf)
            .reduce(f32::min)
            .unwrap_or_else(|| self.conf())
    }

    /// Each word with its byte range in `text`.
    pub fn word_spans(&self) -> impl Iterator<Item = (usize, usize, &Word)> {
        let mut offset = 0;
        self.words.iter().map(move |w| {
            let start = offset;
            offset += w.text.len() + 1;
            (start, start + w.text.len(), w)
        })
    }
}

pub fn mean_conf(words: &[Word]) -> f32 {
    if words.is_empty() {
        return 0.0;
    }
    words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32
}

/// Merge OCR lines into visual rows, top to bottom.
pub fn build_rows(lines: &[Line]) -> Vec<Row> {
    let lines: Vec<(usize, Line)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i, with_words(l)))
        .filter(|(_, l)| !l.words.is_empty())
        .collect();
    // Without boxes there is no geometry to rebuild: the engine's lines are the rows.
    if lines.iter().any(|(_, l)| l.bbox.height() <= 0) {
        return lines
            .iter()
            .map(|(i, l)| row_from_group(vec![(*i, l)]))
            .collect();
    }
    let slope = row_slope(&lines);
    let mut fragments: Vec<(usize, &Line)> = lines.iter().map(|(i, l)| (*i, l)).collect();
    fragments.sort_by(|(i, a), (j, b)| {
        level(&a.bbox, slope)
            .0
            .total_cmp(&level(&b.bbox, slope).0)
            .then(i.cmp(j))
    });
    let mut groups: Vec<Vec<(usize, &Line)>> = Vec::new();
    for fragment in fragments {
        match groups
            .iter_mut()
            .rev()
            .take(4)
            .find(|g| joins(g, fragment.1, slope))
        {
            Some(group) => group.push(fragment),
            None => groups.push(vec![fragment]),
        }
    }
    let mut rows: Vec<Row> = groups.into_iter().map(row_from_group).collect();
    rows.sort_by(|a, b| {
        let (a_top, a_bottom) = level(&a.bbox, slope);
        let (b_top, b_bottom) = level(&b.bbox, slope);
        (a_top + a_bottom)
            .total_cmp(&(b_top + b_bottom))
            .then(a.lines[0].cmp(&b.lines[0]))
    });
    rows
}

/// Steepest drift of rows believed (about 3°): beyond it the page is deskewed before OCR.
const MAX_SLOPE: f64 = 0.05;

/// How far printed rows fall per pixel to the right (negative when they climb): the median
/// over the long lines the engine read whole, each fitted through its words' centres. A photo
/// turned by less than deskew's 2° still drifts a row by half a glyph across a wide receipt,
/// enough to part a total from its amount when the engine reads the price column apart (the
/// table photos: `TOTAL TTC` 16 px below its `7,80 EUR`). Too few long lines: level.
fn row_slope(lines: &[(usize, Line)]) -> f64 {
    let mut slopes: Vec<f64> = lines.iter().filter_map(|(_, l)| line_slope(l)).collect();
    if slopes.len() < 3 {
        return 0.0;
    }
    slopes.sort_by(f64::total_cmp);
    slopes[slopes.len() / 2].clamp(-MAX_SLOPE, MAX_SLOPE)
}

/// The least-squares slope of a line's word centres, for a line of at least three words
/// spanning six glyph heights or more.
fn line_slope(line: &Line) -> Option<f64> {
    if line.words.len() < 3 || line.bbox.width() < 6 * line_height(line) {
        return None;
    }
    let centres: Vec<(f64, f64)> = line
        .words
        .iter()
        .map(|w| {
            let b = &w.bbox;
            (
                f64::from(b.x()) + f64::from(b.width()) / 2.0,
                f64::from(b.y()) + f64::from(b.height()) / 2.0,
            )
        })
        .collect();
    let n = centres.len() as f64;
    let mean_x = centres.iter().map(|c| c.0).sum::<f64>() / n;
    let mean_y = centres.iter().map(|c| c.1).sum::<f64>() / n;
    let spread: f64 = centres.iter().map(|c| (c.0 - mean_x).powi(2)).sum();
    let covariance: f64 = centres
        .iter()
        .map(|c| (c.0 - mean_x) * (c.1 - mean_y))
        .sum();
    (spread > 0.0).then(|| covariance / spread)
}

/// A box's top and bottom as if its rows were level: moved up or down by the drift at its
/// centre.
fn level(bbox: &BBox, slope: f64) -> (f64, f64) {
    let drift = slope * (f64::from(bbox.x()) + f64::from(bbox.width()) / 2.0);
    (
        f64::from(bbox.y()) - drift,
        f64::from(bbox.bottom()) - drift,
    )
}

/// The line itself, or, for an engine that gave text without word boxes, words cut from the
/// text and spread over the line's box (the line's confidence for each).
fn with_words(line: &Line) -> Line {
    if !line.words.is_empty() || line.text.trim().is_empty() {
        return line.clone();
    }
    let chars = line.text.chars().count().max(1) as i32;
    let char_width = line.bbox.width() / chars;
    let mut words = Vec::new();
    let mut column = 0;
    for piece in line.text.split(' ') {
        let length = piece.chars().count() as i32;
        if length > 0 {
            words.push(Word {
                text: piece.trim().to_string(),
                conf: line.conf,
                bbox: BBox([
                    line.bbox.x() + column * char_width,
                    line.bbox.y(),
                    length * char_width,
                    line.bbox.height(),
                ]),
                reread: None,
            });
        }
        column += length + 1;
    }
    words.retain(|w| !w.text.is_empty());
    Line {
        words,
        ..line.clone()
    }
}

/// A fragment joins a row when it sits at the same height once rows are levelled (vertical
/// overlap of at least half the smaller glyph height) and beside it (no horizontal overlap
/// with any fragment there).
fn joins(group: &[(usize, &Line)], line: &Line, slope: f64) -> bool {
    let (top, bottom) = level(&line.bbox, slope);
    group.iter().all(|(_, other)| {
        let (other_top, other_bottom) = level(&other.bbox, slope);
        let overlap = bottom.min(other_bottom) - top.max(other_top);
        let smaller = line_height(line).min(line_height(other)).max(1);
        let side_by_side =
            line.bbox.x() >= other.bbox.right() - 2 || line.bbox.right() <= other.bbox.x() + 2;
        overlap * 2.0 >= f64::from(smaller) && side_by_side
    })
}

/// A line's glyph height: its median word height, so one tall mark does not make it span rows.
fn line_height(line: &Line) -> i32 {
    let mut heights: Vec<i32> = line.words.iter().map(|w| w.bbox.height()).collect();
    heights.sort_unstable();
    heights
        .get(heights.len() / 2)
        .copied()
        .unwrap_or(line.bbox.height())
}

fn row_from_group(mut group: Vec<(usize, &Line)>) -> Row {
    group.sort_by_key(|(_, l)| l.bbox.x());
    let mut words: Vec<Word> = Vec::new();
    let mut line_indices: Vec<usize> = Vec::new();
    for (index, line) in &group {
        words.extend(line.words.iter().cloned());
        line_indices.push(*index);
    }
    line_indices.sort_unstable();
    let single_fragment = group.len() == 1;
    if !single_fragment {
        words.sort_by_key(|w| w.bbox.x());
    }
    let built = Line::from_words(words);
    Row {
        text: built.text,
        words: built.words,
        bbox: built.bbox,
        lines: line_indices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x: i32, y: i32) -> Word {
        Word {
            text: text.into(),
            conf: 90.0,
            bbox: BBox([x, y, 10 * text.len() as i32, 20]),
            reread: None,
        }
    }

    fn line(words: Vec<Word>) -> Line {
        Line::from_words(words)
    }

    #[test]
    fn fragments_at_the_same_height_become_one_row() {
        let lines = vec![
            line(vec![word("Doc", 10, 100), word("Date:", 60, 100)]),
            line(vec![word("13/03/2018", 300, 104)]),
            line(vec![word("Cashier", 10, 130)]),
        ];
        let rows = build_rows(&lines);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "Doc Date: 13/03/2018");
        assert_eq!(rows[0].lines, vec![0, 1]);
        assert_eq!(rows[1].text, "Cashier");
    }

    #[test]
    fn a_price_block_read_before_its_description_is_put_back_on_the_right() {
        let lines = vec![
            line(vec![word("12,50", 400, 52)]),
            line(vec![word("YAOURT", 10, 50), word("BIO", 90, 50)]),
        ];
        let rows = build_rows(&lines);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text, "YAOURT BIO 12,50");
    }

    /// Table photos (boulangerie, café): turned by 1.4°, below deskew's 2°, the price column
    /// read apart sat 16 px above its labels and `TOTAL TTC` lost its `7,80 EUR`.
    #[test]
    fn regression_rows_drifting_on_a_slightly_turned_photo_keep_their_prices() {
        // Rows climb 1 px every 40 px to the right; three item rows read whole show it.
        let at = |x: i32, row: i32| 100 + 36 * row - x / 40;
        let mut lines: Vec<Line> = (0..3)
            .map(|row| {
                let words = [("ITEM", 10), ("NAME", 90), ("LONGER", 170), ("1,00", 600)];
                line(words.iter().map(|&(t, x)| word(t, x, at(x, row))).collect())
            })
            .collect();
        lines.push(line(vec![
            word("TOTAL", 10, at(10, 3)),
            word("TTC", 70, at(70, 3)),
        ]));
        lines.push(line(vec![word("3,00", 600, at(600, 3))]));
        lines.push(line(vec![word("CB", 10, at(10, 4))]));
        lines.push(line(vec![word("3,00", 600, at(600, 4))]));
        let texts: Vec<String> = build_rows(&lines).into_iter().map(|r| r.text).collect();
        assert_eq!(texts[3..], ["TOTAL TTC 3,00", "CB 3,00"]);
        // Level, the same fragments 14 px apart stay on their own rows.
        let apart = [
            line(vec![word("TOTAL", 10, 100), word("TTC", 70, 100)]),
            line(vec![word("3,00", 600, 86)]),
        ];
        assert_eq!(build_rows(&apart).len(), 2);
    }

    #[test]
    fn rows_one_below_the_other_stay_apart() {
        let lines = vec![
            line(vec![word("TOTAL", 10, 100)]),
            line(vec![word("12,50", 10, 125)]),
        ];
        assert_eq!(build_rows(&lines).len(), 2);
    }

    #[test]
    fn horizontally_overlapping_lines_are_not_merged() {
        let lines = vec![
            line(vec![word("ABCDEFGH", 10, 100)]),
            line(vec![word("IJKLMNOP", 40, 108)]),
        ];
        assert_eq!(build_rows(&lines).len(), 2);
    }

    #[test]
    fn word_spans_map_text_back_to_words() {
        let rows = build_rows(&[line(vec![word("TOTAL", 0, 0), word("9,90", 100, 0)])]);
        let spans: Vec<(usize, usize)> = rows[0].word_spans().map(|(s, e, _)| (s, e)).collect();
        assert_eq!(spans, vec![(0, 5), (6, 10)]);
        assert_eq!(rows[0].conf_of_span(6, 10), 90.0);
    }

    #[test]
    fn lines_without_word_boxes_stay_rows_in_order() {
        let bare = |text: &str| Line {
            text: text.into(),
            ..Line::from_text("", 80.0, BBox::default())
        };
        let rows = build_rows(&[bare("CARREFOUR"), bare("  "), bare("TOTAL  12,50")]);
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["CARREFOUR", "TOTAL 12,50"]);
        assert_eq!(rows[1].lines, vec![2]);
        assert_eq!(rows[1].words[1].conf, 80.0);
    }

    #[test]
    fn empty_input_gives_no_rows() {
        assert!(build_rows(&[]).is_empty());
        let empty = Line::from_words(vec![]);
        assert!(build_rows(&[empty]).is_empty());
    }
}
