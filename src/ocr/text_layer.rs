//! A PDF e-receipt's own text, laid out as a reading of it: no OCR, no misreads.
//!
//! `image::pdf` gives every visible glyph with its place on its page; here the glyphs become
//! the rows and words the extractor reads from any engine. The pages are stacked top to bottom
//! (one receipt, as the pages of a scan are), and points become pixels of a 300-dpi scan, so
//! the extractor's sizes and distances mean what they mean on a scanned receipt. A row is the
//! glyphs sharing a baseline (within a third of their size: superscripts and a bold total in
//! a larger font stay on their row); a word ends at a gap wider than a fifth of the font size
//! (a space, a column); a glyph drawn again on itself (bold faked by overprinting) is taken
//! once. Every word's confidence is 100: the text is the file's, not a guess.

use crate::image::pdf::{Glyph, TextPage};

use super::page::{BBox, Line, Word};

/// A point (1/72 in) in pixels of a 300-dpi scan.
pub const PIXELS_PER_POINT: f32 = 300.0 / 72.0;
/// Glyphs whose baselines differ by less than this share of their size are on one row.
const SAME_ROW: f32 = 0.35;
/// A gap wider than this share of the font size ends a word.
const WORD_GAP: f32 = 0.2;

/// The lines of `pages` stacked, and the size in pixels of the sheet they are laid on.
pub fn lines(pages: &[TextPage]) -> (Vec<Line>, u32, u32) {
    let mut lines = Vec::new();
    let mut top = 0.0f32;
    let mut width = 0.0f32;
    for page in pages {
        let mut glyphs: Vec<Glyph> = page
            .glyphs
            .iter()
            .filter(|g| {
                g.baseline >= 0.0
                    && g.baseline - g.size <= page.height
                    && g.x + g.width >= 0.0
                    && g.x <= page.width
            })
            .cloned()
            .collect();
        glyphs.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(a.x.total_cmp(&b.x)));
        for row in rows(glyphs) {
            let words = words(&row, top);
            if !words.is_empty() {
                lines.push(Line::from_words(words));
            }
        }
        top += page.height;
        width = width.max(page.width);
    }
    let px = |points: f32| (points * PIXELS_PER_POINT).round().max(1.0) as u32;
    (lines, px(width), px(top))
}

/// Glyphs sorted by baseline, grouped into rows, each sorted left to right.
fn rows(glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    let mut baseline = f32::NEG_INFINITY;
    for glyph in glyphs {
        let tolerance = SAME_ROW * glyph.size;
        match rows.last_mut() {
            Some(row) if (glyph.baseline - baseline).abs() <= tolerance => row.push(glyph),
            _ => {
                baseline = glyph.baseline;
                rows.push(vec![glyph]);
            }
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    rows
}

/// The words of one row, on a sheet whose page starts `top` points down.
fn words(row: &[Glyph], top: f32) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current: Vec<&Glyph> = Vec::new();
    for glyph in row {
        if let Some(last) = current.last() {
            let overprint = last.text == glyph.text && (glyph.x - last.x).abs() < 0.3 * last.width;
            if overprint {
                continue;
            }
            let gap = glyph.x - (last.x + last.width);
            if gap > WORD_GAP * last.size.max(glyph.size) {
                words.extend(word(&current, top));
                current.clear();
            }
        }
        current.push(glyph);
    }
    words.extend(word(&current, top));
    words
}

fn word(glyphs: &[&Glyph], top: f32) -> Option<Word> {
    let text: String = glyphs.iter().map(|g| g.text.trim()).collect();
    if text.is_empty() {
        return None;
    }
    let left = glyphs.iter().map(|g| g.x).fold(f32::INFINITY, f32::min);
    let right = glyphs
        .iter()
        .map(|g| g.x + g.width)
        .fold(f32::NEG_INFINITY, f32::max);
    let size = glyphs.iter().map(|g| g.size).fold(0.0, f32::max);
    let baseline = glyphs.iter().map(|g| g.baseline).fold(0.0, f32::max);
    // Capitals and digits stand about 0.72 of the font size above the baseline, descenders
    // reach 0.2 below: the box an engine draws around printed text.
    let y0 = top + baseline - 0.78 * size;
    let y1 = top + baseline + 0.22 * size;
    let px = |v: f32| (v * PIXELS_PER_POINT).round() as i32;
    Some(Word {
        text,
        conf: 100.0,
        bbox: BBox([
            px(left),
            px(y0),
            (px(right) - px(left)).max(1),
            (px(y1) - px(y0)).max(1),
        ]),
        reread: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, x: f32, baseline: f32, size: f32) -> Vec<Glyph> {
        let advance = 0.6 * size;
        text.chars()
            .enumerate()
            .filter(|(_, c)| !c.is_whitespace())
            .map(|(i, c)| Glyph {
                text: c.to_string(),
                x: x + i as f32 * advance,
                baseline,
                width: advance,
                size,
            })
            .collect()
    }

    fn page(glyphs: Vec<Glyph>) -> TextPage {
        TextPage {
            width: 226.0,
            height: 600.0,
            glyphs,
        }
    }

    #[test]
    fn glyphs_become_rows_of_words_in_reading_order() {
        let mut glyphs = run("12,40", 180.0, 100.0, 10.0);
        glyphs.extend(run("TOTAL TTC", 10.0, 100.4, 10.0));
        glyphs.extend(run("FRESCO", 80.0, 40.0, 14.0));
        let (lines, width, height) = lines(&[page(glyphs)]);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["FRESCO", "TOTAL TTC 12,40"]);
        assert_eq!((width, height), (942, 2500));
        let total = &lines[1].words[2];
        assert_eq!(total.bbox.x(), (180.0 * PIXELS_PER_POINT).round() as i32);
        assert!(lines[1].words.iter().all(|w| w.conf == 100.0));
    }

    #[test]
    fn a_larger_font_on_the_row_stays_on_it() {
        let mut glyphs = run("TOTAL", 10.0, 200.0, 14.0);
        glyphs.extend(run("9,99", 150.0, 199.0, 9.0));
        let (lines, ..) = lines(&[page(glyphs)]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "TOTAL 9,99");
    }

    #[test]
    fn overprinted_bold_is_read_once() {
        let mut glyphs = run("TOTAL", 10.0, 200.0, 10.0);
        glyphs.extend(run("TOTAL", 10.3, 200.0, 10.0));
        let (lines, ..) = lines(&[page(glyphs)]);
        assert_eq!(lines[0].text, "TOTAL");
    }

    #[test]
    fn pages_are_stacked_top_to_bottom() {
        let first = page(run("ARTICLE", 10.0, 590.0, 10.0));
        let second = page(run("TOTAL 3,00", 10.0, 20.0, 10.0));
        let (lines, _, height) = lines(&[first, second]);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].bbox.y() > lines[0].bbox.y());
        assert_eq!(height, 5000);
    }

    #[test]
    fn glyphs_off_the_page_are_not_read() {
        let mut glyphs = run("VISIBLE", 10.0, 100.0, 10.0);
        glyphs.extend(run("HIDDEN", -500.0, 100.0, 10.0));
        glyphs.extend(run("BELOW", 10.0, 900.0, 10.0));
        let (lines, ..) = lines(&[page(glyphs)]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "VISIBLE");
    }
}
