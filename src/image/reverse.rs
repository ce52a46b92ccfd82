//! Reverse video: white print on a black band (a till's banner, a boxed total) turned into
//! dark print on light paper before OCR.
//!
//! Tesseract can test every doubtful line inverted (`tessedit_do_invert`), but it pays a
//! second recognition for each, and on receipts nearly every doubtful line is noise, not
//! reverse video: turning that test off took 6–8 % off OCR time on SROIE and fixed a date
//! the inverted reading had spoiled, with no field lost on SROIE or the samples. Bands
//! are found here instead, once, for what they look like: rows that are mostly ink across
//! their width, framed above and below by solid rows, with light print inside. Bold black
//! lettering has no solid frame, and dark table around a photo touches the picture's edge, so
//! neither is turned. On SROIE three receipts have such bands (a white-on-black shop logo and
//! `SIMPLIFIED TAX INVOICE` banners), none of the samples do.

use image::GrayImage;

use super::crop::otsu;
use super::rules::bands;

/// A band row is at least this share ink, from its first dark pixel to its last.
const BAND_INK: f32 = 0.55;
/// A frame row (above or below the print inside the band) is at least this share ink.
const FRAME_INK: f32 = 0.9;
/// A column of the box is at least this share ink over the band's height (frames and the
/// gaps between letters), where a rule beside the box is a few rows of it.
const BOX_COLUMN_INK: f32 = 0.3;
/// A band is at least this wide, as a share of the picture's width.
const MIN_WIDTH: f32 = 0.2;
/// Thinnest band: a line of small print with its frame.
const MIN_HEIGHT: usize = 10;
/// Thickest band, as a share of the picture's height: taller dark areas are not banners.
const MAX_HEIGHT: f32 = 0.15;
/// Share of light pixels the band's middle must have to hold print at all.
const MIN_PRINT: f32 = 0.05;

/// One row's ink: first and last dark column and the share of dark pixels between them.
#[derive(Clone, Copy)]
struct RowInk {
    left: u32,
    right: u32,
    share: f32,
}

/// `gray` with every reverse-video band inverted; unchanged when it has none.
pub fn restore_reverse_video(mut gray: GrayImage) -> GrayImage {
    let Some(threshold) = otsu(&gray) else {
        return gray;
    };
    let (width, height) = gray.dimensions();
    let rows: Vec<Option<RowInk>> = (0..height).map(|y| row_ink(&gray, y, threshold)).collect();
    let in_band: Vec<bool> = rows
        .iter()
        .map(|row| {
            row.is_some_and(|r| {
                r.share >= BAND_INK && (r.right - r.left + 1) as f32 >= width as f32 * MIN_WIDTH
            })
        })
        .collect();
    for (top, bottom) in bands(&in_band) {
        let band = &rows[top..=bottom];
        let touches_edge = top == 0 || bottom + 1 == height as usize;
        let size_fits =
            (MIN_HEIGHT..=(height as f32 * MAX_HEIGHT) as usize).contains(&(bottom - top + 1));
        if touches_edge || !size_fits || !framed(band) {
            continue;
        }
        let left = band.iter().flatten().map(|r| r.left).min().unwrap_or(0);
        let right = band.iter().flatten().map(|r| r.right).max().unwrap_or(0);
        let Some((left, right)) = box_columns(&gray, (left, right), (top, bottom), threshold)
        else {
            continue;
        };
        if !holds_print(&gray, (left, right), (top, bottom), threshold) {
            continue;
        }
        for y in top..=bottom {
            for x in left..=right {
                let pixel = gray.get_pixel_mut(x, y as u32);
                pixel[0] = 255 - pixel[0];
            }
        }
    }
    gray
}

fn row_ink(gray: &GrayImage, y: u32, threshold: u8) -> Option<RowInk> {
    let dark = |x: &u32| gray.get_pixel(*x, y)[0] <= threshold;
    let left = (0..gray.width()).find(dark)?;
    let right = (0..gray.width()).rev().find(dark)?;
    let count = (left..=right).filter(dark).count();
    Some(RowInk {
        left,
        right,
        share: count as f32 / (right - left + 1) as f32,
    })
}

/// Solid rows in the band's top quarter and in its bottom quarter (two each at least).
fn framed(band: &[Option<RowInk>]) -> bool {
    let quarter = (band.len() / 4).max(2);
    let solid = |rows: &[Option<RowInk>]| {
        rows.iter()
            .filter(|r| r.is_some_and(|r| r.share >= FRAME_INK))
            .count()
            >= 2
    };
    solid(&band[..quarter]) && solid(&band[band.len() - quarter..])
}

/// The first and last column of the black box itself: rules printed on each side of a banner
/// (`--- TAX INVOICE ---`) reach the band's rows but leave its columns mostly paper.
fn box_columns(
    gray: &GrayImage,
    (left, right): (u32, u32),
    (top, bottom): (usize, usize),
    threshold: u8,
) -> Option<(u32, u32)> {
    let height = (bottom - top + 1) as f32;
    let boxed = |x: &u32| {
        let dark = (top..=bottom)
            .filter(|&y| gray.get_pixel(*x, y as u32)[0] <= threshold)
            .count();
        dark as f32 / height >= BOX_COLUMN_INK
    };
    let first = (left..=right).find(boxed)?;
    let last = (left..=right).rev().find(boxed)?;
    Some((first, last))
}

/// Light print in the band's middle half.
fn holds_print(
    gray: &GrayImage,
    (left, right): (u32, u32),
    (top, bottom): (usize, usize),
    threshold: u8,
) -> bool {
    let height = bottom - top + 1;
    let (from, to) = (top + height / 4, bottom - height / 4);
    let mut light = 0usize;
    let mut all = 0usize;
    for y in from..=to {
        for x in left..=right {
            all += 1;
            if gray.get_pixel(x, y as u32)[0] > threshold {
                light += 1;
            }
        }
    }
    all > 0 && light as f32 / all as f32 >= MIN_PRINT
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    const PAPER: u8 = 230;
    const INK: u8 = 20;

    fn fill(gray: &mut GrayImage, (x0, y0, x1, y1): (u32, u32, u32, u32), level: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                gray.put_pixel(x, y, Luma([level]));
            }
        }
    }

    /// A page with dark print rows and, at `band_top`, a black band 40 px tall holding light
    /// glyph-like blocks between solid frames of 8 px.
    fn page_with_band(band_top: u32) -> GrayImage {
        let mut gray = GrayImage::from_pixel(400, 400, Luma([PAPER]));
        for x in (40..360).step_by(12) {
            fill(&mut gray, (x, 300, x + 7, 320), INK);
        }
        fill(&mut gray, (60, band_top, 340, band_top + 40), INK);
        for x in (80..320).step_by(12) {
            fill(&mut gray, (x, band_top + 8, x + 4, band_top + 32), PAPER);
        }
        gray
    }

    #[test]
    fn white_print_on_a_black_band_becomes_dark_print_on_light() {
        let restored = restore_reverse_video(page_with_band(100));
        let at = |x, y| restored.get_pixel(x, y)[0];
        assert_eq!(at(200, 102), 255 - INK, "the frame turns light");
        assert_eq!(at(80, 120), 255 - PAPER, "the glyphs turn dark");
        assert_eq!(at(40, 310), INK, "ordinary print is left alone");
        assert_eq!(at(20, 120), PAPER, "outside the band too");
    }

    #[test]
    fn rules_beside_a_banner_are_not_inverted_with_it() {
        let mut gray = page_with_band(100);
        fill(&mut gray, (10, 118, 60, 122), INK);
        fill(&mut gray, (340, 118, 390, 122), INK);
        let restored = restore_reverse_video(gray);
        let at = |x, y| restored.get_pixel(x, y)[0];
        assert_eq!(at(200, 102), 255 - INK, "the box is turned");
        assert_eq!(at(30, 105), PAPER, "paper beside it is not");
        assert_eq!(at(30, 120), INK, "nor the rule");
    }

    #[test]
    fn bold_black_lettering_without_a_frame_is_left_alone() {
        let mut gray = GrayImage::from_pixel(400, 400, Luma([PAPER]));
        for x in (40..360).step_by(10) {
            fill(&mut gray, (x, 100, x + 8, 140), INK);
        }
        assert_eq!(restore_reverse_video(gray.clone()), gray);
    }

    #[test]
    fn a_dark_band_at_the_pictures_edge_is_left_alone() {
        let gray = page_with_band(0);
        assert_eq!(restore_reverse_video(gray.clone()), gray);
    }

    #[test]
    fn a_blank_or_empty_picture_is_left_alone() {
        let blank = GrayImage::from_pixel(50, 50, Luma([PAPER]));
        assert_eq!(restore_reverse_video(blank.clone()), blank);
        let empty = GrayImage::new(0, 0);
        assert_eq!(restore_reverse_video(empty.clone()), empty);
    }
}
