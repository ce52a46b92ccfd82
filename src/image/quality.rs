//! Capture quality: is this photo good enough to decide on?
//!
//! A member who sends a blurred, glared or dark photo should hear *what to retake* at once,
//! rather than get a wrong total or a vague "unreadable" days later. So every image is measured
//! before OCR and a campaign sets the limits (`[quality]`).
//!
//! Everything is measured on a copy shrunk to a fixed width ([`REFERENCE_WIDTH`]) and cut into
//! tiles of a few glyphs: a 600 dpi page scan and a 450 px crop must be judged on the same
//! scale, and blank paper or a table around the receipt must not dilute what the print says.
//! Constants and default thresholds were calibrated with `scripts/quality-eval` on real scans
//! and their blurred, over-exposed, glared and dark copies.

use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::reason::{Code, Reason};

/// Width the image is shrunk to before measuring; narrower images are measured as they are
/// (enlarging would invent blur). Width rather than longest side, because a receipt's width is
/// its paper roll's (≈ 58–80 mm, ~40 characters) however long it is, so a fixed width means
/// roughly fixed glyphs and a sharpness that compares across receipts. At 1000 px a full-width
/// receipt's glyphs are ~20 px tall: Tesseract reads them well, and a blur it cannot read shows.
pub const REFERENCE_WIDTH: u32 = 1000;

/// Side of a measuring tile at the reference width: a few glyphs, so a tile is paper or print.
const TILE: u32 = 32;

/// A tile carries print when its darkest and lightest 2 % differ by at least this.
const PRINT_CONTRAST: u8 = 40;

/// The sharpness is this quantile of the print tiles' sharpness: the crispest strokes decide,
/// not sparse print, a logo or a stamp.
const SHARPNESS_QUANTILE: f32 = 0.9;

/// Paper at or above this level is clipped to white.
const CLIPPED: u8 = 250;

/// Paper below this level is not clipped: what a phone makes of white paper in room light.
/// A flatbed scan clips its paper everywhere, so white tiles mean glare only on a photo.
const UNCLIPPED_PAPER: u8 = 235;

/// A photo has at least this share of its print on unclipped paper. Judged around the print
/// rather than on blank tiles: glare wipes the print under it, so the print that is left sits on
/// the paper the light did not blow out, while a scan's few gray places (a shaded box, a fold)
/// seldom carry print.
const PHOTO_SHARE: f32 = 0.3;

/// A blown tile has no print left: even its darkest 2 % is at least this light.
const BLOWN_DARKEST: u8 = 240;

/// On clipped paper, print whose darkest 2 % is lighter than this is washed out by a veil of
/// reflected light. The faintest real scans (dot-matrix, faded thermal) print at ~150–170.
const VEILED_PRINT: u8 = 190;

/// Only print tiles with at least this Laplacian variance can show a veil: blur lifts thin
/// strokes to gray too, and a blurred photo should hear "blurry", not "glare".
const SHARP_TILE: f32 = 100.0;

/// Brightness is read at this quantile of the pixels: the paper's level rather than the mean,
/// so dense print or a dark table around the receipt does not make a well-lit photo "dark".
const PAPER_QUANTILE: f32 = 0.9;

/// What was measured on the source image.
///
/// Stored in the OCR cache and OCR records: a change of scale bumps `PREPARE_VERSION`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub width: u32,
    pub height: u32,
    /// Laplacian variance of the crispest print at [`REFERENCE_WIDTH`], scaled to full
    /// contrast: low means blurry. Sharp print measures in the thousands, blur in the tens.
    pub sharpness: f32,
    /// Share of the receipt glare hides, 0 to 1: blown-out tiles on a photo, or the share of
    /// the print washed out to light gray on over-exposed paper.
    pub glare: f32,
    /// Paper level (90th percentile), 0 (black) to 255 (white): low means too dark.
    pub brightness: f32,
    /// Nothing at all is on the picture: no tile carries print and the whole picture spans
    /// fewer gray levels than print would. Not a blur for the member to fix by holding still:
    /// OCR finds no text and the campaign answers `NOT_A_RECEIPT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blank: bool,
}

/// Campaign-set limits below which a receipt is rejected for capture quality.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityThresholds {
    pub min_sharpness: f32,
    pub max_glare: f32,
    pub min_brightness: f32,
    pub min_width: u32,
    pub min_height: u32,
    /// Date and total confidence at which a faulted capture goes to a person rather than
    /// being refused: the reader got past the flaw (above 0.98, never).
    pub clear_reading: f32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        use crate::defaults as d;
        QualityThresholds {
            min_sharpness: d::QUALITY_MIN_SHARPNESS,
            max_glare: d::QUALITY_MAX_GLARE,
            min_brightness: d::QUALITY_MIN_BRIGHTNESS,
            min_width: d::QUALITY_MIN_WIDTH,
            min_height: d::QUALITY_MIN_HEIGHT,
            clear_reading: d::QUALITY_CLEAR_READING,
        }
    }
}

/// Measures capture quality on `gray`, the decoded image at source size. Never panics: an
/// empty or one-pixel image measures as blank.
pub fn measure(gray: &GrayImage) -> Quality {
    let (width, height) = gray.dimensions();
    let normalised = shrink_to_width(gray, REFERENCE_WIDTH);
    let view = normalised.as_ref().unwrap_or(gray);
    let tiles = Tiles::measure(view);
    Quality {
        width,
        height,
        sharpness: tiles.sharpness(),
        glare: tiles.glare(),
        brightness: tiles.paper_level() as f32,
        blank: tiles.blank(),
    }
}

/// The capture-quality reasons for `quality` under `thresholds`, most actionable first.
pub fn assess(quality: &Quality, thresholds: &QualityThresholds) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if quality.width < thresholds.min_width || quality.height < thresholds.min_height {
        reasons.push(Reason::new(
            Code::TooSmall,
            "the photo is too small: take it closer, in full resolution",
        ));
    }
    if quality.brightness < thresholds.min_brightness {
        reasons.push(Reason::new(
            Code::TooDark,
            "the photo is too dark: take it in better light",
        ));
    }
    if quality.glare > thresholds.max_glare {
        reasons.push(glare());
    }
    if quality.sharpness < thresholds.min_sharpness && !quality.blank {
        reasons.push(Reason::new(
            Code::Blurry,
            "the photo is blurry: hold the phone still and focus on the text",
        ));
    }
    reasons
}

fn glare() -> Reason {
    Reason::new(
        Code::Glare,
        "glare hides the text: avoid the flash and direct light",
    )
}

/// Why OCR found (almost) no text on a picture that passed the gate, when its capture
/// explains it: paper clipped to white with some print veiled or blown is light washed over
/// the receipt, and the member should retake it away from the light rather than hear that it
/// is no receipt. Of 80 SROIE receipts over-exposed (gain 1.6, +60), 40 are refused by the
/// gate and 7 more read as no text; no original reads as no text.
pub fn explain_no_text(quality: &Quality) -> Option<Reason> {
    let washed_out = quality.brightness >= f32::from(CLIPPED) && quality.glare > 0.0;
    (washed_out && !quality.blank).then(glare)
}

/// `gray` shrunk to `width` by averaging exactly the source pixels each target pixel covers:
/// one pass, and no ringing to pass for sharp edges; `None` when it is not wider.
pub(super) fn shrink_to_width(gray: &GrayImage, width: u32) -> Option<GrayImage> {
    let (src_w, src_h) = gray.dimensions();
    if src_w <= width || width == 0 {
        return None;
    }
    let height = ((src_h as f64 * width as f64 / src_w as f64).round() as u32).max(1);
    let columns = box_weights(src_w, width);
    let rows = box_weights(src_h, height);
    let src = gray.as_raw();
    let mut sums = vec![0f32; width as usize * height as usize];
    let mut row = vec![0f32; width as usize];
    for (y, line) in src.chunks_exact(src_w as usize).enumerate() {
        for (out, spans) in row.iter_mut().zip(&columns.per_target) {
            *out = spans.iter().map(|&(x, w)| line[x] as f32 * w).sum();
        }
        for &(target, w) in &rows.per_source[y] {
            let dest = &mut sums[target * width as usize..(target + 1) * width as usize];
            for (d, &r) in dest.iter_mut().zip(&row) {
                *d += r * w;
            }
        }
    }
    let pixels = sums.iter().map(|&v| (v + 0.5).clamp(0.0, 255.0) as u8);
    GrayImage::from_raw(width, height, pixels.collect())
}

/// How much of each source pixel goes into each target pixel when `src` pixels are averaged
/// down to `dst`, seen from both sides (weights of one target sum to 1).
struct BoxWeights {
    per_target: Vec<Vec<(usize, f32)>>,
    per_source: Vec<Vec<(usize, f32)>>,
}

fn box_weights(src: u32, dst: u32) -> BoxWeights {
    let scale = src as f64 / dst as f64;
    let per_target: Vec<Vec<(usize, f32)>> = (0..dst as usize)
        .map(|target| {
            let (start, end) = (target as f64 * scale, (target + 1) as f64 * scale);
            let last = (end.ceil() as usize).min(src as usize);
            (start.floor() as usize..last)
                .map(|source| {
                    let covered = end.min(source as f64 + 1.0) - start.max(source as f64);
                    (source, (covered / scale) as f32)
                })
                .filter(|&(_, weight)| weight > 1e-7)
                .collect()
        })
        .collect();
    let mut per_source = vec![Vec::new(); src as usize];
    for (target, spans) in per_target.iter().enumerate() {
        for &(source, weight) in spans {
            per_source[source].push((target, weight));
        }
    }
    BoxWeights {
        per_target,
        per_source,
    }
}

/// What one tile of the image at the reference width says about the capture.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tile {
    /// Darkest 2 %: the print, if any.
    darkest: u8,
    /// Median: the paper, almost always.
    median: u8,
    /// Lightest 2 %.
    lightest: u8,
    /// Variance of the Laplacian over the tile: edges, blurred away by motion or focus.
    laplacian: f32,
    column: u32,
    row: u32,
}

impl Tile {
    fn has_print(&self) -> bool {
        self.lightest.saturating_sub(self.darkest) >= PRINT_CONTRAST
    }

    /// The paper around the print (its lightest 2 %) is not clipped.
    fn unclipped_paper(&self) -> bool {
        self.lightest < UNCLIPPED_PAPER
    }

    /// Pure white with no print left: a glare spot where the receipt should be.
    fn blown(&self) -> bool {
        self.median >= CLIPPED && self.darkest >= BLOWN_DARKEST
    }

    /// The Laplacian variance as if the tile spanned black to white: edges are judged by how
    /// steep they are for their contrast, so dim light or faint print does not read as blur.
    fn full_contrast_laplacian(&self) -> f32 {
        let contrast = self.lightest.saturating_sub(self.darkest).max(1) as f32;
        self.laplacian * (255.0 / contrast).powi(2)
    }

    /// Print with crisp edges in absolute terms, where a lifted level means light, not blur.
    fn sharp_print(&self) -> bool {
        self.has_print() && self.laplacian >= SHARP_TILE
    }

    /// Sharp print on clipped paper, lifted to light gray.
    fn veiled(&self) -> bool {
        self.median >= CLIPPED && self.darkest >= VEILED_PRINT
    }
}

/// The image cut into tiles of about [`TILE`] px, plus its histogram.
struct Tiles {
    tiles: Vec<Tile>,
    histogram: [u64; 256],
}

impl Tiles {
    fn measure(gray: &GrayImage) -> Tiles {
        let (width, height) = gray.dimensions();
        let mut tiles = Vec::new();
        let mut histogram = [0u64; 256];
        if width == 0 || height == 0 {
            return Tiles { tiles, histogram };
        }
        let tile_of_column = TileGrid::new(width).index_of_each();
        let rows = TileGrid::new(height);
        for row in 0..rows.count {
            let band = Band {
                rows: rows.span(row),
                index: row,
            };
            tiles.extend(measure_band(gray, &tile_of_column, band, &mut histogram));
        }
        Tiles { tiles, histogram }
    }

    fn sharpness(&self) -> f32 {
        let mut printed: Vec<f32> = self
            .printed()
            .map(|t| t.full_contrast_laplacian())
            .collect();
        if printed.is_empty() {
            printed = self.tiles.iter().map(|t| t.laplacian).collect();
        }
        quantile(&mut printed, SHARPNESS_QUANTILE)
    }

    /// The worse of the two ways light hides print: a blown spot on a photo, or a veil.
    fn glare(&self) -> f32 {
        self.blown_share().max(self.veiled_share())
    }

    /// Share of the receipt's tiles blown out, on a photo only: a scanner clips white paper
    /// everywhere, which is not glare.
    fn blown_share(&self) -> f32 {
        let printed: Vec<&Tile> = self.printed().collect();
        let photo = share(&printed, |t| t.unclipped_paper()) >= PHOTO_SHARE;
        if !photo {
            return 0.0;
        }
        let receipt: Vec<&Tile> = self.receipt_area().collect();
        share(&receipt, |t| t.blown())
    }

    /// Share of the sharp print washed out to light gray.
    fn veiled_share(&self) -> f32 {
        let sharp: Vec<&Tile> = self.tiles.iter().filter(|t| t.sharp_print()).collect();
        share(&sharp, |t| t.veiled())
    }

    fn blank(&self) -> bool {
        let spread = histogram_quantile(&self.histogram, 0.98)
            .saturating_sub(histogram_quantile(&self.histogram, 0.02));
        self.printed().next().is_none() && spread < PRINT_CONTRAST
    }

    fn paper_level(&self) -> u8 {
        histogram_quantile(&self.histogram, PAPER_QUANTILE)
    }

    fn printed(&self) -> impl Iterator<Item = &Tile> {
        self.tiles.iter().filter(|t| t.has_print())
    }

    /// Tiles inside the box where the print is (its outer 2 % trimmed, so a speck or a
    /// textured table does not stretch it): where glare matters. The whole image if no print.
    fn receipt_area(&self) -> impl Iterator<Item = &Tile> {
        let mut columns: Vec<u32> = self.printed().map(|t| t.column).collect();
        let mut rows: Vec<u32> = self.printed().map(|t| t.row).collect();
        let (left, right) = trimmed_bounds(&mut columns);
        let (top, bottom) = trimmed_bounds(&mut rows);
        self.tiles
            .iter()
            .filter(move |t| (left..=right).contains(&t.column) && (top..=bottom).contains(&t.row))
    }
}

/// The 2nd and 98th percentile of `positions`; everything when there are none.
fn trimmed_bounds(positions: &mut [u32]) -> (u32, u32) {
    if positions.is_empty() {
        return (0, u32::MAX);
    }
    positions.sort_unstable();
    let at = |q: f32| positions[((positions.len() - 1) as f32 * q).round() as usize];
    (at(0.02), at(0.98))
}

/// Splits a length into tiles of [`TILE`] to just under twice that (the last ones absorb the
/// remainder), so no pixel is dropped and a tiny image is one tile.
struct TileGrid {
    length: u32,
    count: u32,
}

impl TileGrid {
    fn new(length: u32) -> TileGrid {
        TileGrid {
            length,
            count: (length / TILE).max(1),
        }
    }

    fn span(&self, index: u32) -> std::ops::Range<u32> {
        let at = |i: u32| (i as u64 * self.length as u64 / self.count as u64) as u32;
        at(index)..at(index + 1)
    }

    /// The tile of every position.
    fn index_of_each(&self) -> Vec<usize> {
        (0..self.count)
            .flat_map(|i| std::iter::repeat_n(i as usize, self.span(i).len()))
            .collect()
    }
}

/// One row of tiles.
struct Band {
    rows: std::ops::Range<u32>,
    index: u32,
}

/// The tiles of one band, in one pass over its pixels: per-tile histograms for the percentiles,
/// Laplacian sums for the variance; `histogram` gathers the whole image's.
fn measure_band(
    gray: &GrayImage,
    tile_of: &[usize],
    band: Band,
    histogram: &mut [u64; 256],
) -> Vec<Tile> {
    let (width, height) = (gray.width() as usize, gray.height() as usize);
    let pixels = gray.as_raw();
    let count = tile_of.last().map_or(0, |&last| last + 1);
    let mut histograms = vec![[0u32; 256]; count];
    let mut laplacians = vec![LaplacianSum::default(); count];
    for y in band.rows.start as usize..band.rows.end as usize {
        let line = &pixels[y * width..(y + 1) * width];
        for (x, &p) in line.iter().enumerate() {
            histograms[tile_of[x]][p as usize] += 1;
            histogram[p as usize] += 1;
        }
        if y == 0 || y + 1 >= height || width < 3 {
            continue;
        }
        let above = &pixels[(y - 1) * width..y * width];
        let below = &pixels[(y + 1) * width..(y + 2) * width];
        for x in 1..width - 1 {
            let around = line[x - 1] as i32 + line[x + 1] as i32 + above[x] as i32;
            let laplacian = around + below[x] as i32 - 4 * line[x] as i32;
            laplacians[tile_of[x]].add(laplacian);
        }
    }
    histograms
        .iter()
        .zip(&laplacians)
        .enumerate()
        .map(|(column, (h, l))| Tile {
            darkest: histogram_quantile(h, 0.02),
            median: histogram_quantile(h, 0.5),
            lightest: histogram_quantile(h, 0.98),
            laplacian: l.variance(),
            column: column as u32,
            row: band.index,
        })
        .collect()
}

#[derive(Clone, Copy, Debug, Default)]
struct LaplacianSum {
    n: i64,
    sum: i64,
    sum_sq: i64,
}

impl LaplacianSum {
    fn add(&mut self, value: i32) {
        self.n += 1;
        self.sum += value as i64;
        self.sum_sq += (value as i64) * (value as i64);
    }

    fn variance(&self) -> f32 {
        if self.n == 0 {
            return 0.0;
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        (self.sum_sq as f64 / n - mean * mean).max(0.0) as f32
    }
}

/// The paper's gray: the 90th percentile of the pixels (print is the dark minority); white
/// for an empty picture.
pub(super) fn paper_level(gray: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for &p in gray.as_raw() {
        histogram[p as usize] += 1;
    }
    if gray.as_raw().is_empty() {
        return 255;
    }
    histogram_quantile(&histogram, PAPER_QUANTILE)
}

/// The level below or at which `q` of the counted pixels lie (0 for an empty histogram).
fn histogram_quantile<T: Copy + Into<u64>>(histogram: &[T; 256], q: f32) -> u8 {
    let total: u64 = histogram.iter().map(|&c| c.into()).sum();
    if total == 0 {
        return 0;
    }
    let rank = ((total as f64 * q as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0u64;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count.into();
        if seen >= rank {
            return level as u8;
        }
    }
    255
}

/// The `q` quantile of `values` (nearest rank; 0 when empty).
fn quantile(values: &mut [f32], q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable_by(f32::total_cmp);
    values[((values.len() - 1) as f32 * q).round() as usize]
}

/// Share of `tiles` for which `test` holds (0 when there are none).
fn share(tiles: &[&Tile], test: impl Fn(&Tile) -> bool) -> f32 {
    if tiles.is_empty() {
        return 0.0;
    }
    tiles.iter().filter(|t| test(t)).count() as f32 / tiles.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    const INK: u8 = 20;

    /// A flatbed scan of a receipt: clipped white paper, lines of dark glyph-like strokes
    /// (one stroke per set bit of a pseudo-random code, a bar on top and bottom).
    fn scan(width: u32, height: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(width, height, Luma([255]));
        let mut seed = 7u32;
        for line in 0..height.saturating_sub(40) / 36 {
            let y0 = 20 + line * 36;
            for column in 0..width.saturating_sub(40) / 14 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let code = seed >> 16;
                if code.is_multiple_of(6) {
                    continue;
                }
                let x0 = 20 + column * 14;
                for y in y0..y0 + 22 {
                    for bit in 0..8 {
                        if (code >> bit) & 1 == 1 || y == y0 || y == y0 + 21 {
                            img.put_pixel(x0 + 2 + bit, y, Luma([INK]));
                        }
                    }
                }
            }
        }
        img
    }

    fn map(img: &GrayImage, f: impl Fn(f32) -> f32) -> GrayImage {
        let pixels = img.as_raw().iter();
        let mapped = pixels.map(|&p| f(p as f32).round().clamp(0.0, 255.0) as u8);
        GrayImage::from_raw(img.width(), img.height(), mapped.collect()).unwrap()
    }

    /// The same receipt photographed in room light: white paper comes out gray.
    fn photo(img: &GrayImage) -> GrayImage {
        map(img, |v| v * 200.0 / 255.0)
    }

    /// Blows out an ellipse centred in the image, `share` of its area, to pure white.
    fn blow_out(img: &GrayImage, share: f32) -> GrayImage {
        let (w, h) = (img.width() as f32, img.height() as f32);
        let scale = (share * 4.0 / std::f32::consts::PI).sqrt();
        let (a, b) = (w * scale / 2.0, h * scale / 2.0);
        let mut out = img.clone();
        for (x, y, pixel) in out.enumerate_pixels_mut() {
            let (dx, dy) = ((x as f32 - w / 2.0) / a, (y as f32 - h / 2.0) / b);
            if dx * dx + dy * dy <= 1.0 {
                *pixel = Luma([255]);
            }
        }
        out
    }

    fn codes(img: &GrayImage) -> Vec<Code> {
        let quality = measure(img);
        let reasons = assess(&quality, &QualityThresholds::default());
        reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn clean_scan_passes() {
        let q = measure(&scan(640, 1200));
        assert!(q.sharpness > 10_000.0, "sharpness {}", q.sharpness);
        assert_eq!((q.glare, q.brightness), (0.0, 255.0));
        assert_eq!(codes(&scan(640, 1200)), vec![]);
    }

    #[test]
    fn blurred_copy_is_blurry() {
        let blurred = image::imageops::blur(&scan(640, 1200), 3.0);
        let q = measure(&blurred);
        assert!(q.sharpness < 300.0, "sharpness {}", q.sharpness);
        assert_eq!(codes(&blurred), vec![Code::Blurry]);
    }

    #[test]
    fn blank_paper_does_not_dilute_sharpness() {
        let receipt = measure(&scan(640, 1200)).sharpness;
        let mut page = GrayImage::from_pixel(640, 4800, Luma([255]));
        image::imageops::replace(&mut page, &scan(640, 1200), 0, 0);
        let on_page = measure(&page).sharpness;
        assert!(
            (on_page / receipt - 1.0).abs() < 0.1,
            "{on_page} vs {receipt}"
        );
    }

    #[test]
    fn big_scans_are_measured_at_the_reference_width() {
        let small = scan(1000, 1200);
        let big = image::imageops::resize(&small, 3000, 3600, image::imageops::FilterType::Nearest);
        let (a, b) = (measure(&small).sharpness, measure(&big).sharpness);
        assert!(
            (b / a - 1.0).abs() < 0.1,
            "{b} at 3000 px vs {a} at 1000 px"
        );
        assert_eq!(measure(&big).width, 3000);
    }

    #[test]
    fn clipped_white_of_a_scan_is_not_glare() {
        // A small receipt on a big scanned page: most tiles are clipped white paper.
        let mut page = GrayImage::from_pixel(2400, 3400, Luma([255]));
        image::imageops::replace(&mut page, &scan(640, 1200), 100, 100);
        let q = measure(&page);
        // Shrunk 2.4 times, a few one-pixel strokes blend into light gray: not a veil.
        assert!(q.glare < 0.05, "glare {}", q.glare);
        assert_eq!(codes(&page), vec![]);
    }

    #[test]
    fn photo_in_room_light_passes() {
        let q = measure(&photo(&scan(640, 1200)));
        assert_eq!((q.glare, q.brightness), (0.0, 200.0));
        assert_eq!(codes(&photo(&scan(640, 1200))), vec![]);
    }

    #[test]
    fn blown_spot_on_a_photo_is_glare() {
        let glared = blow_out(&photo(&scan(640, 1200)), 0.4);
        let q = measure(&glared);
        assert!(q.glare > 0.25 && q.glare < 0.5, "glare {}", q.glare);
        assert_eq!(codes(&glared), vec![Code::Glare]);
    }

    #[test]
    fn small_reflection_on_a_photo_passes() {
        let q = measure(&blow_out(&photo(&scan(640, 1200)), 0.05));
        assert!(q.glare < 0.1, "glare {}", q.glare);
    }

    #[test]
    fn washed_out_print_is_glare() {
        // Reflected light lifts the print to light gray and clips the paper.
        let washed = map(&scan(640, 1200), |v| v * 0.3 + 200.0);
        let q = measure(&washed);
        assert!(q.glare > 0.9, "glare {}", q.glare);
        assert_eq!(codes(&washed), vec![Code::Glare]);
    }

    #[test]
    fn no_text_on_clipped_paper_with_veiled_print_is_glare_and_otherwise_unexplained() {
        let washed = Quality {
            brightness: 255.0,
            glare: 0.07,
            ..measure(&scan(640, 1200))
        };
        assert_eq!(explain_no_text(&washed).map(|r| r.code), Some(Code::Glare));
        let unveiled = Quality {
            glare: 0.0,
            ..washed.clone()
        };
        assert_eq!(explain_no_text(&unveiled), None);
        let lit_room = Quality {
            brightness: 200.0,
            ..washed.clone()
        };
        assert_eq!(explain_no_text(&lit_room), None);
        let blank = Quality {
            blank: true,
            ..washed
        };
        assert_eq!(explain_no_text(&blank), None);
    }

    #[test]
    fn faint_print_on_a_scan_passes() {
        // Dot-matrix or faded thermal print: light gray on white, but sharp and readable.
        let faint = map(&scan(640, 1200), |v| if v < 128.0 { 160.0 } else { v });
        let q = measure(&faint);
        assert_eq!(q.glare, 0.0);
        assert_eq!(codes(&faint), vec![]);
    }

    #[test]
    fn dark_copy_is_too_dark() {
        let dark = map(&scan(640, 1200), |v| v * 0.2);
        let q = measure(&dark);
        assert_eq!(q.brightness, 51.0);
        assert_eq!(codes(&dark), vec![Code::TooDark]);
    }

    #[test]
    fn brightness_is_the_paper_level_not_the_mean() {
        // A well-lit receipt on a dark table: the mean is low, the paper is not.
        let mut table = GrayImage::from_pixel(1000, 1400, Luma([30]));
        image::imageops::replace(&mut table, &photo(&scan(640, 1200)), 180, 100);
        let mean = table.as_raw().iter().map(|&p| p as f32).sum::<f32>() / 1_400_000.0;
        assert!(mean < 150.0, "mean {mean}");
        assert_eq!(measure(&table).brightness, 200.0);
        assert_eq!(codes(&table), vec![]);
    }

    #[test]
    fn tiny_photo_is_too_small() {
        assert_eq!(codes(&scan(150, 150)), vec![Code::TooSmall]);
    }

    #[test]
    fn degenerate_images_measure_without_panicking() {
        for (w, h) in [
            (0, 0),
            (0, 7),
            (1, 1),
            (2, 2),
            (3, 3),
            (1, 5000),
            (5000, 1),
            (33, 65),
        ] {
            for level in [0u8, 255] {
                let q = measure(&GrayImage::from_pixel(w, h, Luma([level])));
                assert_eq!((q.width, q.height), (w, h));
                assert_eq!((q.sharpness, q.glare), (0.0, 0.0), "{w}x{h} at {level}");
                let paper = if w * h == 0 { 0.0 } else { level as f32 };
                assert_eq!(q.brightness, paper, "{w}x{h} at {level}");
            }
        }
    }

    /// A blank page is not a blur the member can fix by holding still: it passes the gate,
    /// OCR finds nothing and the campaign answers NOT_A_RECEIPT. A black one is too dark.
    #[test]
    fn blank_pictures_are_not_blurry_and_black_ones_are_too_dark() {
        let white = GrayImage::from_pixel(800, 1000, Luma([255]));
        assert!(measure(&white).blank);
        assert_eq!(codes(&white), vec![]);
        let black = GrayImage::from_pixel(800, 1000, Luma([0]));
        assert!(measure(&black).blank);
        assert_eq!(codes(&black), vec![Code::TooDark]);
        let mut smudge = GrayImage::from_pixel(800, 1000, Luma([230]));
        for (x, y, p) in smudge.enumerate_pixels_mut() {
            // A receipt blurred beyond reading: broad soft bands, no tile with crisp print.
            let band =
                ((y as f32 / 90.0).sin() * 0.5 + 0.5) * ((x as f32 / 200.0).sin() * 0.5 + 0.5);
            p[0] = (230.0 - 120.0 * band) as u8;
        }
        assert!(!measure(&smudge).blank, "{:?}", measure(&smudge));
        assert_eq!(codes(&smudge), vec![Code::Blurry]);
    }

    #[test]
    fn shrinking_averages_exactly_what_each_pixel_covers() {
        // Columns in runs of 3 black, 3 white: at a third of the width, alternate pixels.
        let stripes =
            GrayImage::from_fn(3000, 6, |x, _| Luma([if x / 3 % 2 == 0 { 0 } else { 255 }]));
        let shrunk = shrink_to_width(&stripes, 1000).unwrap();
        assert_eq!(shrunk.dimensions(), (1000, 2));
        assert!(shrunk.as_raw().chunks(2).all(|pair| pair == [0, 255]));
        // A width that does not divide keeps a flat gray flat.
        let gray = shrink_to_width(&GrayImage::from_pixel(1501, 10, Luma([77])), 1000).unwrap();
        assert_eq!(gray.dimensions(), (1000, 7));
        assert!(gray.as_raw().iter().all(|&p| p == 77));
        assert!(shrink_to_width(&stripes, 3000).is_none());
    }

    #[test]
    fn quantiles_of_a_histogram() {
        let mut histogram = [0u32; 256];
        histogram[10] = 2;
        histogram[200] = 98;
        assert_eq!(histogram_quantile(&histogram, 0.02), 10);
        assert_eq!(histogram_quantile(&histogram, 0.03), 200);
        assert_eq!(histogram_quantile(&[0u32; 256], 0.5), 0);
    }
}
