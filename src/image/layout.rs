//! Where the receipt is on the overview: the table around it, its lines of print, their size.
//!
//! Two cues, because photos and scans differ. On a photo the paper is the bright region and the
//! table or card around it is darker: everything darker than Otsu's threshold that is connected
//! to the image border is "outside" (text is enclosed by paper, so it never is). On a scan the
//! whole page is white and the receipt is just the print in the middle of it, so the receipt is
//! located by its text: glyph-sized ink blobs that have neighbours. That also drops the dust
//! specks a flatbed leaves all over an A4 page.

use std::collections::VecDeque;

use image::GrayImage;

use super::ink::{blobs, close, sauvola, Blob, InkMask};
use super::skew;

/// Print needs at least this many glyphs to count as text (less is a logo or a stain).
const MIN_GLYPHS: usize = 12;
/// A glyph counts as part of the text when this many glyphs (itself included) lie in its
/// neighbourhood of 3×3 cells of two text heights: a word, never a lone speck.
const MIN_NEIGHBOURS: u32 = 4;
/// Dark regions touching the border are a table only when they cover this share of the image;
/// smaller ones are scanner edges or shadows and are simply left out of the crop.
const MIN_OUTSIDE_SHARE: f64 = 0.03;
/// Paper and table differ by at least this many gray levels; a smaller split of the block
/// histogram is shading across one sheet.
const MIN_TABLE_CONTRAST: f64 = 50.0;
/// Side of the blocks (overview pixels) the table is found on: wider than any stroke of print.
const OUTSIDE_BLOCK: u32 = 6;

/// The table around the receipt, per block of `block`×`block` overview pixels.
pub struct Outside {
    pub blocks: Vec<bool>,
    pub width: u32,
    pub height: u32,
    pub block: u32,
}

impl Outside {
    /// Is overview pixel (x, y) on the table?
    pub fn contains(&self, x: u32, y: u32) -> bool {
        let bx = (x / self.block).min(self.width - 1);
        let by = (y / self.block).min(self.height - 1);
        self.blocks[(by * self.width + bx) as usize]
    }
}

/// What the overview says about the page, in overview pixels.
pub struct Layout {
    /// The table around the receipt, when the photo shows one.
    pub outside: Option<Outside>,
    /// Glyph-sized ink blobs on the paper that belong to text.
    pub glyphs: Vec<Blob>,
    /// Typical capital height of the print; 0 when no text was found.
    pub text_height: f32,
    /// Angle of the lines of print (radians, see [`skew::estimate`]).
    pub skew: f32,
}

impl Layout {
    pub fn find(gray: &GrayImage) -> Layout {
        let (width, height) = gray.dimensions();
        let radius = (width.max(height) / 100).max(7);
        let ink = close(&sauvola(gray, radius));
        let candidates: Vec<Blob> = blobs(&ink)
            .into_iter()
            .filter(|b| is_glyph_sized(b, height))
            .collect();
        let mut outside = outside_paper(gray);
        let on_paper = |outside: Option<&Outside>| -> Vec<Blob> {
            let kept = candidates.iter().filter(|b| !is_outside(outside, b));
            text_glyphs(kept.copied().collect())
        };
        let mut glyphs = on_paper(outside.as_ref());
        if outside.is_some() {
            // A "table" that holds most of the text is shaded paper, not a table.
            let everywhere = on_paper(None);
            if glyphs.len() * 2 < everywhere.len() {
                outside = None;
                glyphs = everywhere;
            }
        }
        if glyphs.len() < MIN_GLYPHS {
            return Layout {
                outside,
                glyphs: vec![],
                text_height: 0.0,
                skew: 0.0,
            };
        }
        let skew = skew::estimate(&glyphs, ink_weighted_height(&glyphs));
        let text_height = line_height(&ink, &glyphs, skew);
        Layout {
            outside,
            glyphs,
            text_height,
            skew,
        }
    }

    pub fn has_text(&self) -> bool {
        self.text_height > 0.0
    }
}

/// A blob that could be a character: a few pixels tall at least, not a page-high border, not
/// a long rule or a frame (those are thin relative to their box).
fn is_glyph_sized(blob: &Blob, page_height: u32) -> bool {
    let (w, h) = (blob.width(), blob.height());
    let fill = blob.area as f32 / (w * h) as f32;
    h >= 3 && h <= (page_height / 8).max(3) && w <= 8 * h && fill >= 0.08
}

fn is_outside(outside: Option<&Outside>, blob: &Blob) -> bool {
    let (cx, cy) = blob.center();
    outside.is_some_and(|o| o.contains(cx as u32, cy as u32))
}

/// Keep blobs with enough neighbours of similar size: text comes in words and lines.
fn text_glyphs(candidates: Vec<Blob>) -> Vec<Blob> {
    if candidates.len() < MIN_GLYPHS {
        return vec![];
    }
    let typical = ink_weighted_height(&candidates);
    let cell = (2.0 * typical).max(2.0);
    let key = |b: &Blob| {
        let (cx, cy) = b.center();
        ((cx / cell) as i64, (cy / cell) as i64)
    };
    let mut counts: std::collections::HashMap<(i64, i64), u32> = Default::default();
    for blob in &candidates {
        *counts.entry(key(blob)).or_default() += 1;
    }
    let neighbours = |(cx, cy): (i64, i64)| -> u32 {
        (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (cx + dx, cy + dy)))
            .filter_map(|c| counts.get(&c))
            .sum()
    };
    candidates
        .into_iter()
        .filter(|b| {
            let h = b.height() as f32;
            h >= typical / 3.0 && h <= typical * 4.0 && neighbours(key(b)) >= MIN_NEIGHBOURS
        })
        .collect()
}

/// The height most ink is printed at: the area-weighted median of blob heights. Counting blobs
/// instead would let JPEG noise and paper texture (many tiny blobs) outvote the print.
fn ink_weighted_height(blobs: &[Blob]) -> f32 {
    weighted_median(blobs.iter().map(|b| (b.height(), b.area as u64)).collect())
}

/// Capital height, from the rows print occupies rather than from blob sizes: faded thermal
/// and dot-matrix print breaks characters into pieces, but the pieces of a line still cover
/// its full height. The text's ink is cut into vertical strips two characters wide along the
/// lines (straightened by `skew`); in each strip every run of consecutive rows holding ink is
/// one line's height there. Receipts print mostly capitals and digits, so the ink-weighted
/// median run is the capital height (runs with descenders are taller, dashes shorter).
fn line_height(ink: &InkMask, glyphs: &[Blob], skew: f32) -> f32 {
    let strip = (2.0 * ink_weighted_height(glyphs)).max(3.0);
    let (sin, cos) = skew.sin_cos();
    let mut cells: Vec<(i32, i32)> = Vec::new();
    for glyph in glyphs {
        for y in glyph.y0..glyph.y1 {
            for x in glyph.x0..glyph.x1 {
                if ink.ink[(y * ink.width + x) as usize] {
                    let (x, y) = (x as f32, y as f32);
                    let along = x * cos + y * sin;
                    let across = -x * sin + y * cos;
                    cells.push(((along / strip).floor() as i32, across.round() as i32));
                }
            }
        }
    }
    cells.sort_unstable();
    let mut runs: Vec<(u32, u64)> = Vec::new();
    let mut current: Option<(i32, i32, i32, u64)> = None; // strip, first row, last row, ink
    for (strip, row) in cells {
        current = match current {
            Some((s, first, last, count)) if s == strip && row <= last + 1 => {
                Some((s, first, row, count + 1))
            }
            Some((_, first, last, count)) => {
                runs.push(((last - first + 1) as u32, count));
                Some((strip, row, row, 1))
            }
            None => Some((strip, row, row, 1)),
        };
    }
    if let Some((_, first, last, count)) = current {
        runs.push(((last - first + 1) as u32, count));
    }
    weighted_median(runs)
}

/// The median of `(value, weight)` pairs by weight; 0 when empty.
fn weighted_median(mut pairs: Vec<(u32, u64)>) -> f32 {
    pairs.sort_unstable();
    let half = pairs.iter().map(|&(_, weight)| weight).sum::<u64>() / 2;
    let mut seen = 0u64;
    for (value, weight) in pairs {
        seen += weight;
        if seen > half {
            return value as f32;
        }
    }
    0.0
}

/// The `q` quantile (0..=1) by nearest rank; 0 for no values.
pub fn percentile(mut values: Vec<f32>, q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let rank = ((values.len() - 1) as f32 * q).round() as usize;
    values[rank.min(values.len() - 1)]
}

/// The table or card around a photographed receipt, on a grid of blocks of the overview.
///
/// Each block keeps its brightest pixel, which erases print (strokes are thinner than a block)
/// but keeps paper and table apart; blocks darker than Otsu's threshold that connect to the
/// border are outside. `None` when that is too little to be a table (a scan).
fn outside_paper(gray: &GrayImage) -> Option<Outside> {
    if gray.width() == 0 || gray.height() == 0 {
        return None;
    }
    let blocks = block_max(gray, OUTSIDE_BLOCK);
    let (width, height) = (blocks.width() as usize, blocks.height() as usize);
    let (threshold, separation) = otsu_split(&blocks);
    if separation < MIN_TABLE_CONTRAST {
        return None;
    }
    let dark: Vec<bool> = blocks.as_raw().iter().map(|&p| p < threshold).collect();
    let mut outside = vec![false; dark.len()];
    let mut queue = VecDeque::new();
    let border = (0..width)
        .flat_map(|x| [(x, 0), (x, height - 1)])
        .chain((0..height).flat_map(|y| [(0, y), (width - 1, y)]));
    for (x, y) in border {
        let at = y * width + x;
        if dark[at] && !outside[at] {
            outside[at] = true;
            queue.push_back(at);
        }
    }
    while let Some(at) = queue.pop_front() {
        let (x, y) = (at % width, at / width);
        let mut visit = |nx: usize, ny: usize| {
            let next = ny * width + nx;
            if dark[next] && !outside[next] {
                outside[next] = true;
                queue.push_back(next);
            }
        };
        if x > 0 {
            visit(x - 1, y);
        }
        if x + 1 < width {
            visit(x + 1, y);
        }
        if y > 0 {
            visit(x, y - 1);
        }
        if y + 1 < height {
            visit(x, y + 1);
        }
    }
    // A block on the paper's edge keeps the paper's brightness but still shows some table.
    let outside = grow(&outside, width, height);
    let share = outside.iter().filter(|&&o| o).count() as f64 / outside.len() as f64;
    (share >= MIN_OUTSIDE_SHARE).then_some(Outside {
        blocks: outside,
        width: width as u32,
        height: height as u32,
        block: OUTSIDE_BLOCK,
    })
}

/// `cells` plus their 4-neighbours.
fn grow(cells: &[bool], width: usize, height: usize) -> Vec<bool> {
    let mut grown = cells.to_vec();
    for (at, _) in cells.iter().enumerate().filter(|(_, &set)| set) {
        let (x, y) = (at % width, at / width);
        if x > 0 {
            grown[at - 1] = true;
        }
        if x + 1 < width {
            grown[at + 1] = true;
        }
        if y > 0 {
            grown[at - width] = true;
        }
        if y + 1 < height {
            grown[at + width] = true;
        }
    }
    grown
}

/// The brightest pixel of each `side`×`side` block.
fn block_max(gray: &GrayImage, side: u32) -> GrayImage {
    let (width, height) = gray.dimensions();
    GrayImage::from_fn(width.div_ceil(side), height.div_ceil(side), |bx, by| {
        let mut brightest = 0u8;
        for y in by * side..((by + 1) * side).min(height) {
            for x in bx * side..((bx + 1) * side).min(width) {
                brightest = brightest.max(gray.get_pixel(x, y)[0]);
            }
        }
        image::Luma([brightest])
    })
}

/// Otsu's threshold (the gray level that best splits the histogram into two classes) and the
/// distance between the two classes' mean levels.
fn otsu_split(gray: &GrayImage) -> (u8, f64) {
    let mut histogram = [0u64; 256];
    for &p in gray.as_raw() {
        histogram[p as usize] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(v, &n)| v as f64 * n as f64)
        .sum();
    let (mut best, mut best_level, mut separation) = (0.0f64, 128u8, 0.0f64);
    let (mut below, mut sum_below) = (0u64, 0.0f64);
    for (level, &count) in histogram.iter().enumerate() {
        // Threshold `level` puts values < level in the dark class.
        if below > 0 && below < total {
            let above = total - below;
            let mean_below = sum_below / below as f64;
            let mean_above = (sum_all - sum_below) / above as f64;
            let between = below as f64 * above as f64 * (mean_below - mean_above).powi(2);
            if between > best {
                best = between;
                best_level = level as u8;
                separation = mean_above - mean_below;
            }
        }
        below += count;
        sum_below += level as f64 * count as f64;
    }
    (best_level, separation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn otsu_splits_two_levels() {
        let gray = GrayImage::from_fn(10, 10, |x, _| Luma([if x < 3 { 40 } else { 220 }]));
        let (t, separation) = otsu_split(&gray);
        assert!(t > 40 && t <= 220, "{t}");
        assert_eq!(separation, 180.0);
    }

    #[test]
    fn dark_table_is_outside_and_text_on_paper_is_not() {
        // A dark table, a white sheet in the middle, a dark mark on the sheet.
        let gray = GrayImage::from_fn(100, 100, |x, y| {
            let paper = (20..80).contains(&x) && (20..80).contains(&y);
            let mark = (45..55).contains(&x) && (45..55).contains(&y);
            Luma([if mark {
                10
            } else if paper {
                230
            } else {
                50
            }])
        });
        let outside = outside_paper(&gray).expect("a table covers the border");
        assert!(outside.contains(0, 0));
        assert!(outside.contains(5, 90));
        assert!(
            !outside.contains(50, 50),
            "print on the sheet is enclosed by paper"
        );
        assert!(!outside.contains(30, 30));
    }

    #[test]
    fn white_scan_has_no_outside() {
        let gray = GrayImage::from_fn(100, 100, |x, y| {
            Luma([if x == 0 && y < 5 { 0 } else { 250 }])
        });
        assert!(outside_paper(&gray).is_none());
    }

    #[test]
    fn percentile_by_nearest_rank() {
        assert_eq!(percentile(vec![], 0.5), 0.0);
        assert_eq!(percentile(vec![3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(percentile(vec![1.0, 2.0, 3.0, 4.0, 5.0], 1.0), 5.0);
    }
}
