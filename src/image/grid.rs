//! The page's layout at glyph scale: one mean gray per cell of a fixed grid, to tell an edited
//! copy of a photo from the photo and from another receipt.
//!
//! The perceptual print ([`super::phash`]) is deliberately blind to detail: it keeps the page's
//! low frequencies so that re-encoded, resized and re-framed copies stay close. That also makes
//! it blind to a receipt whose total or date was painted over and retyped, so an edited copy of
//! a claimed photo comes back with close print and contradicting fields, which reads as another
//! purchase of the same shop. The grid sees it: [`COLUMNS`] cells across (two or three
//! characters of a receipt each), rows in proportion, each the exact mean of the pixels it
//! covers. Measured on the 378 SROIE scans (`scripts/fraud-eval`):
//! - a copy of the same picture re-encoded (JPEG q50, q90) changes no cell by more than
//!   [`CHANGED_LEVEL`] once the copies' overall shift in brightness is taken out;
//! - a copy with one digit of the total painted over and retyped, or a digit cloned from
//!   elsewhere on the receipt, changes 0–45 cells, at most 2 % of the inked ones (90 % of such
//!   copies change at least one);
//! - two different receipts with grids of the same shape (same scanner, same paper size, even
//!   the same shop) differ in at least 172 cells, 42 % of the inked ones, because no two sheets
//!   lie on the glass alike.
//!
//! Resampling is not editing, but it moves cell means too: a small scan halved or enlarged by
//! 20 % (Lanczos, then JPEG) changed up to a few hundred cells, sometimes in a compact band. So
//! a changed region is only looked for between pictures of the very same pixel size, which is
//! what an image editor saves, and it must look like an edit: the changed cells lie in at most
//! [`MAX_BANDS`] bands of at most [`BAND_ROWS`] rows (a retyped date, a retyped total). A copy
//! made 25 % lighter, its paper clipped, changed cells in bands spread over the page: 2 of 95
//! such copies still looked like an edit. Measured on `scripts/near-dup-eval` copies and
//! `scripts/fraud-eval` retouched copies (docs/fraud.md).
//!
//! So [`compare`] says whether two pictures are one picture ([`Likeness::Same`]), one picture
//! with a region changed ([`Likeness::Changed`]) or two pictures ([`Likeness::Different`]).
//! Grids of different shapes (another crop, another photo) are not compared.

use std::fmt;
use std::io::Cursor;
use std::str::FromStr;

use base64::Engine as _;
use image::{GrayImage, ImageDecoder};
use serde::{Deserialize, Serialize};

use super::quality::shrink_to_width;

/// Cells across the page: about two characters of a 40-character receipt line each.
pub const COLUMNS: u32 = 48;

/// Pictures longer than this many rows of cells (an aspect over 10:1) get no grid: no receipt
/// photo is that thin, and the grid's size must stay bounded.
pub const MAX_ROWS: u32 = 512;

/// A cell whose mean gray moved more than this (0–255), beyond the whole picture's shift, is
/// changed. JPEG at q50 moves cell means by at most 3.
pub const CHANGED_LEVEL: f32 = 6.0;

/// At most this share of the inked cells (cells darker than their picture's paper, in either
/// picture) may change for a copy to be one picture with a region changed; beyond, it is
/// another picture. Measured: edits change at most 2 % of the inked cells, two different
/// receipts at least 42 %. Counting among inked cells rather than all of them keeps a small
/// receipt on a large blank scan from looking like a small change.
pub const CHANGED_SHARE: f64 = 0.10;

/// Changed cells lie in at most this many bands of rows…
pub const MAX_BANDS: usize = 2;

/// …each at most this many rows of cells tall (rows closer than 3 are one band). Edits measured
/// span 1–4 rows.
pub const BAND_ROWS: u32 = 6;

/// The mean gray of each cell, row by row, and the pixel size of the picture it was measured
/// on. Serialised as `WIDTHxHEIGHT:` and the base64 of a gray PNG whose dimensions are the
/// grid's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub width: u32,
    pub height: u32,
    pub columns: u32,
    pub rows: u32,
    pub cells: Vec<u8>,
}

/// What two grids say about two pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Likeness {
    /// One picture: re-encoded, or resampled without moving any cell.
    Same,
    /// One picture with `cells` cells changed, all between `top` and `bottom` (shares of the
    /// page's height, in per cent, rounded out).
    Changed { cells: u32, top: u32, bottom: u32 },
    /// Two pictures, or grids that cannot be compared.
    Different,
}

/// The grid of `gray`; `None` when the picture is narrower than the grid or too thin for it.
pub fn grid(gray: &GrayImage) -> Option<Grid> {
    let (width, height) = gray.dimensions();
    if width <= COLUMNS || height == 0 {
        return None;
    }
    let rows = (f64::from(height) * f64::from(COLUMNS) / f64::from(width)).round();
    if rows > f64::from(MAX_ROWS) {
        return None;
    }
    let small = shrink_to_width(gray, COLUMNS)?;
    Some(Grid {
        width,
        height,
        columns: small.width(),
        rows: small.height(),
        cells: small.into_raw(),
    })
}

/// Whether `a` and `b` are one picture, one picture with a region changed, or two.
pub fn compare(a: &Grid, b: &Grid) -> Likeness {
    if a.columns != b.columns || a.rows != b.rows || a.cells.len() != b.cells.len() {
        return Likeness::Different;
    }
    if a.cells.is_empty() {
        return Likeness::Different;
    }
    let differences: Vec<i16> = a
        .cells
        .iter()
        .zip(&b.cells)
        .map(|(&x, &y)| i16::from(y) - i16::from(x))
        .collect();
    // The copy's overall shift in brightness (a re-encoding, a levels change) is not an edit.
    let shift = median(differences.iter().map(|&d| d + 255), 511) - 255;
    // More changed cells than this share of all cells is more than that share of the inked
    // ones: another picture, known without counting further (most look-alikes checked).
    let most = (CHANGED_SHARE * differences.len() as f64) as usize;
    let mut changed = Vec::new();
    for (i, &d) in differences.iter().enumerate() {
        if f32::from((d - shift).abs()) > CHANGED_LEVEL {
            changed.push(i);
            if changed.len() > most {
                return Likeness::Different;
            }
        }
    }
    if changed.is_empty() {
        return Likeness::Same;
    }
    let same_size = (a.width, a.height) == (b.width, b.height);
    if !same_size || changed.len() as f64 > CHANGED_SHARE * inked(a, b) as f64 {
        return Likeness::Different;
    }
    let rows: Vec<u32> = changed.iter().map(|i| *i as u32 / a.columns).collect();
    let bands = bands(&rows);
    if bands.len() > MAX_BANDS
        || bands
            .iter()
            .any(|(first, last)| last - first + 1 > BAND_ROWS)
    {
        return Likeness::Different;
    }
    let (first, last) = (bands[0].0, bands[bands.len() - 1].1);
    Likeness::Changed {
        cells: changed.len() as u32,
        top: first * 100 / a.rows,
        bottom: ((last + 1) * 100).div_ceil(a.rows),
    }
}

/// The bands of `rows` (ascending, not empty): first and last row of each run of rows less
/// than 3 apart.
fn bands(rows: &[u32]) -> Vec<(u32, u32)> {
    let mut bands: Vec<(u32, u32)> = Vec::new();
    for &row in rows {
        match bands.last_mut() {
            Some((_, last)) if row <= *last + 2 => *last = row,
            _ => bands.push((row, row)),
        }
    }
    bands
}

/// The value at index `len / 2` of `values` sorted, each below `bound`: a counting sort.
fn median(values: impl ExactSizeIterator<Item = i16>, bound: usize) -> i16 {
    let middle = values.len() / 2;
    let mut counts = vec![0usize; bound];
    for value in values {
        counts[value as usize] += 1;
    }
    let mut seen = 0;
    for (value, count) in counts.iter().enumerate() {
        seen += count;
        if seen > middle {
            return value as i16;
        }
    }
    0
}

/// Cells darker than their picture's paper (its median cell) in `a` or in `b`.
fn inked(a: &Grid, b: &Grid) -> usize {
    let paper = |g: &Grid| f32::from(median(g.cells.iter().map(|&c| i16::from(c)), 256));
    let (paper_a, paper_b) = (paper(a), paper(b));
    a.cells
        .iter()
        .zip(&b.cells)
        .filter(|(&x, &y)| {
            f32::from(x) < paper_a - CHANGED_LEVEL || f32::from(y) < paper_b - CHANGED_LEVEL
        })
        .count()
}

impl Grid {
    /// The grid as a gray PNG: a few kilobytes, viewable as a thumbnail of the page.
    pub fn to_png(&self) -> Vec<u8> {
        let mut png = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::Adaptive,
        );
        use image::ImageEncoder as _;
        encoder
            .write_image(
                &self.cells,
                self.columns,
                self.rows,
                image::ExtendedColorType::L8,
            )
            // Writing to a Vec cannot fail and the buffer matches its dimensions.
            .unwrap_or_default();
        png
    }

    /// The grid of a PNG written by [`Grid::to_png`]; `None` for anything else.
    pub fn from_png(bytes: &[u8]) -> Option<Grid> {
        let decoder = image::codecs::png::PngDecoder::new(Cursor::new(bytes)).ok()?;
        let (columns, rows) = decoder.dimensions();
        if decoder.color_type() != image::ColorType::L8
            || columns != COLUMNS
            || rows == 0
            || rows > MAX_ROWS
        {
            return None;
        }
        let mut cells = vec![0; decoder.total_bytes() as usize];
        decoder.read_image(&mut cells).ok()?;
        Some(Grid {
            width: 0,
            height: 0,
            columns,
            rows,
            cells,
        })
    }

    /// The stored form, read back without decoding anything: the picture's width and height
    /// (little-endian `u32` each), the grid's columns and rows (`u16` each), then the cells.
    /// A PNG saves only a quarter on these grids and costs a decode per look-alike checked.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(12 + self.cells.len());
        bytes.extend_from_slice(&self.width.to_le_bytes());
        bytes.extend_from_slice(&self.height.to_le_bytes());
        bytes.extend_from_slice(&(self.columns as u16).to_le_bytes());
        bytes.extend_from_slice(&(self.rows as u16).to_le_bytes());
        bytes.extend_from_slice(&self.cells);
        bytes
    }

    /// The grid of [`Grid::to_bytes`]; `None` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Option<Grid> {
        let (head, cells) = bytes.split_at_checked(12)?;
        let word = |at: usize| u32::from_le_bytes(head[at..at + 4].try_into().unwrap_or_default());
        let half = |at: usize| u32::from(u16::from_le_bytes([head[at], head[at + 1]]));
        let (columns, rows) = (half(8), half(10));
        let valid = columns == COLUMNS
            && (1..=MAX_ROWS).contains(&rows)
            && cells.len() == (columns * rows) as usize;
        valid.then(|| Grid {
            width: word(0),
            height: word(4),
            columns,
            rows,
            cells: cells.to_vec(),
        })
    }
}

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let png = base64::engine::general_purpose::STANDARD.encode(self.to_png());
        write!(f, "{}x{}:{png}", self.width, self.height)
    }
}

impl FromStr for Grid {
    type Err = String;

    fn from_str(text: &str) -> Result<Grid, String> {
        let parse = || {
            let (size, png) = text.split_once(':')?;
            let (width, height) = size.split_once('x')?;
            let png = base64::engine::general_purpose::STANDARD.decode(png).ok()?;
            Some(Grid {
                width: width.parse().ok()?,
                height: height.parse().ok()?,
                ..Grid::from_png(&png)?
            })
        };
        parse().ok_or_else(|| "not a layout grid (WIDTHxHEIGHT:base64 of a gray PNG)".to_string())
    }
}

impl Serialize for Grid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Grid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Grid, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Luma};

    /// A synthetic receipt: paper, and dark "glyphs" in lines, varied by `seed`, their edges
    /// softened as a scanner's optics soften them (hard pixel-aligned edges make JPEG ring and
    /// clip, which no scan does).
    fn receipt(width: u32, height: u32, seed: u32) -> GrayImage {
        let mut page = GrayImage::from_pixel(width, height, Luma([235]));
        let glyph = width / 50;
        for line in 0..height / (glyph * 3) {
            for column in 0..40 {
                let hash = seed
                    .wrapping_add(line * 131)
                    .wrapping_add(column * 7919)
                    .wrapping_mul(2_654_435_761);
                if hash.is_multiple_of(5) {
                    continue;
                }
                paint(
                    &mut page,
                    column * glyph + width / 10,
                    line * glyph * 3,
                    glyph,
                    40,
                );
            }
        }
        image::imageops::blur(&page, 1.2)
    }

    fn paint(page: &mut GrayImage, x: u32, y: u32, side: u32, level: u8) {
        for yy in y..(y + side).min(page.height()) {
            for xx in x..(x + side * 3 / 4).min(page.width()) {
                page.put_pixel(xx, yy, Luma([level]));
            }
        }
    }

    fn jpeg(page: &GrayImage, quality: u8) -> GrayImage {
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
            .encode_image(page)
            .unwrap();
        image::load_from_memory(&bytes).unwrap().to_luma8()
    }

    #[test]
    fn a_reencoded_resized_or_brighter_copy_is_the_same_picture() {
        let page = receipt(1000, 2400, 1);
        let original = grid(&page).unwrap();
        assert_eq!((original.columns, original.rows), (48, 115));
        let half = DynamicImage::ImageLuma8(page.clone())
            .resize_exact(500, 1200, image::imageops::FilterType::Triangle)
            .to_luma8();
        let mut brighter = page.clone();
        brighter
            .pixels_mut()
            .for_each(|p| p.0[0] = p.0[0].saturating_add(10));
        for copy in [jpeg(&page, 50), jpeg(&page, 90), half, brighter] {
            assert_eq!(compare(&original, &grid(&copy).unwrap()), Likeness::Same);
        }
    }

    #[test]
    fn a_painted_over_and_retyped_amount_is_a_changed_region() {
        let page = receipt(1000, 2400, 1);
        let mut edited = page.clone();
        // Two glyphs two thirds down the page blanked, and one drawn where there was paper.
        paint(&mut edited, 500, 1600, 20, 235);
        paint(&mut edited, 520, 1600, 20, 235);
        paint(&mut edited, 560, 1604, 20, 40);
        let likeness = compare(&grid(&page).unwrap(), &grid(&jpeg(&edited, 90)).unwrap());
        let Likeness::Changed { cells, top, bottom } = likeness else {
            panic!("{likeness:?}");
        };
        assert!((1..=6).contains(&cells), "{cells}");
        assert!(
            top <= 67 && bottom >= 67 && bottom - top <= 3,
            "{top}..{bottom}"
        );
    }

    #[test]
    fn another_receipt_or_the_same_one_shifted_is_another_picture() {
        let page = receipt(1000, 2400, 1);
        let original = grid(&page).unwrap();
        let other = grid(&receipt(1000, 2400, 2)).unwrap();
        assert_eq!(compare(&original, &other), Likeness::Different);
        // The same sheet laid on the glass 12 px lower.
        let mut shifted = GrayImage::from_pixel(1000, 2400, Luma([235]));
        image::imageops::overlay(&mut shifted, &page, 0, 12);
        assert_eq!(
            compare(&original, &grid(&shifted).unwrap()),
            Likeness::Different
        );
        // A crop: another shape, not compared.
        let cropped = image::imageops::crop_imm(&page, 0, 0, 1000, 2000).to_image();
        assert_eq!(
            compare(&original, &grid(&cropped).unwrap()),
            Likeness::Different
        );
    }

    #[test]
    fn changes_spread_over_the_page_or_at_another_size_are_no_edit() {
        let page = receipt(1000, 2400, 1);
        let original = grid(&page).unwrap();
        // Three retyped places far apart: no longer one or two retyped fields.
        let mut edited = page.clone();
        for y in [300, 1200, 1980] {
            paint(&mut edited, 500, y, 20, 235);
            paint(&mut edited, 520, y, 20, 235);
        }
        assert_eq!(
            compare(&original, &grid(&edited).unwrap()),
            Likeness::Different
        );
        // One retyped place, on a copy 4 px wider than the original: resampled, not edited.
        let mut wider = GrayImage::from_pixel(1004, 2410, Luma([235]));
        image::imageops::overlay(&mut wider, &page, 0, 0);
        paint(&mut wider, 500, 1600, 20, 235);
        let wider = grid(&wider).unwrap();
        assert_eq!(
            (wider.columns, wider.rows),
            (original.columns, original.rows)
        );
        assert_eq!(compare(&original, &wider), Likeness::Different);
    }

    #[test]
    fn a_grid_survives_its_text_and_stored_forms_and_odd_pictures_have_none() {
        let original = grid(&receipt(800, 2000, 3)).unwrap();
        let text = original.to_string();
        assert!(text.starts_with("800x2000:"), "{text}");
        assert!(text.len() < 8_000, "{}", text.len());
        assert_eq!(text.parse::<Grid>().unwrap(), original);
        assert_eq!(Grid::from_bytes(&original.to_bytes()).unwrap(), original);
        assert_eq!(Grid::from_bytes(b"short"), None);
        assert!("not base64!".parse::<Grid>().is_err());
        assert!("800x2000:not base64!".parse::<Grid>().is_err());
        assert!(format!(
            "1x1:{}",
            base64::engine::general_purpose::STANDARD.encode(b"\x89PNG junk")
        )
        .parse::<Grid>()
        .is_err());
        assert_eq!(grid(&GrayImage::new(40, 400)), None);
        assert_eq!(grid(&GrayImage::new(100, 1200)), None);
        assert_eq!(grid(&GrayImage::new(0, 0)), None);
    }
}
