//! Geometry for the perceptual hash: turning a page upright, and cutting margins off.
//!
//! A second photo of a receipt is rarely at the same angle as the first. Over a tall receipt,
//! 2° moves the bottom lines sideways by a tenth of the width, enough to change a layout hash.
//! Text lines make skew easy to measure: projected at the right angle, the ink piles up into
//! sharp rows, so the angle whose row profile has the largest sum of squares is the page's skew
//! (the projection-profile method). The search is coarse (¼° steps within ±4°) because the hash
//! only needs the page roughly upright, and it runs on the ≤ 512 px working copy.
//!
//! This is not the OCR preparation's deskew (`image::prepare`): the hash must not change when
//! that one is tuned, or every stored hash would stop matching.

use image::{DynamicImage, GrayImage};

/// Pixels darker than this are ink (receipts are dark print on light paper).
const INK: u8 = 160;
/// Too little ink to measure a skew (a blank or nearly blank page): leave it as it is.
const MIN_INK: usize = 50;
const MAX_DEGREES: f64 = 4.0;
const STEP_DEGREES: f64 = 0.25;

/// The page rotated so its text lines are horizontal.
pub(crate) fn upright(page: &GrayImage) -> GrayImage {
    let skew = skew_degrees(page);
    if skew == 0.0 {
        return page.clone();
    }
    rotate(page, -skew)
}

/// Cut `fraction` of the width off the left and right and of the height off the top and
/// bottom; an image too small to cut is returned whole.
pub(crate) fn crop_margins(page: &GrayImage, fraction: f64) -> GrayImage {
    let (width, height) = page.dimensions();
    let dx = (width as f64 * fraction) as u32;
    let dy = (height as f64 * fraction) as u32;
    if fraction <= 0.0 || 2 * dx >= width || 2 * dy >= height {
        return page.clone();
    }
    DynamicImage::ImageLuma8(page.clone())
        .crop_imm(dx, dy, width - 2 * dx, height - 2 * dy)
        .to_luma8()
}

/// The angle (degrees) that best aligns the ink into rows; 0 when nothing beats level.
fn skew_degrees(page: &GrayImage) -> f64 {
    let ink = ink_points(page);
    if ink.len() < MIN_INK {
        return 0.0;
    }
    let rows = page.height() as usize * 2 + 8;
    let mut best = (row_sharpness(&ink, 0.0, rows), 0.0);
    let steps = (MAX_DEGREES / STEP_DEGREES) as i32;
    for step in (-steps..=steps).filter(|&s| s != 0) {
        let degrees = f64::from(step) * STEP_DEGREES;
        let score = row_sharpness(&ink, degrees, rows);
        if score > best.0 {
            best = (score, degrees);
        }
    }
    best.1
}

/// Ink pixels as (x from the centre, y).
fn ink_points(page: &GrayImage) -> Vec<(f64, f64)> {
    let width = page.width() as usize;
    let centre = page.width() as f64 / 2.0;
    page.as_raw()
        .iter()
        .enumerate()
        .filter(|(_, &p)| p < INK)
        .map(|(i, _)| ((i % width) as f64 - centre, (i / width) as f64))
        .collect()
}

/// Sum of squared row counts of the ink projected at `degrees`: high when lines are level.
fn row_sharpness(ink: &[(f64, f64)], degrees: f64, rows: usize) -> f64 {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let offset = rows as f64 / 4.0;
    let mut counts = vec![0u32; rows];
    for &(x, y) in ink {
        let row = y * cos + x * sin + offset;
        if row >= 0.0 && (row as usize) < rows {
            counts[row as usize] += 1;
        }
    }
    counts.iter().map(|&c| f64::from(c) * f64::from(c)).sum()
}

/// Rotate about the centre, same size, nearest neighbour, white where the page was not.
fn rotate(page: &GrayImage, degrees: f64) -> GrayImage {
    let (width, height) = page.dimensions();
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (width as f64 / 2.0, height as f64 / 2.0);
    let source = page.as_raw();
    let mut out = vec![255u8; source.len()];
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (x as f64 - cx, y as f64 - cy);
            let sx = dx * cos - dy * sin + cx;
            let sy = dx * sin + dy * cos + cy;
            if sx >= 0.0 && sy >= 0.0 && (sx as u32) < width && (sy as u32) < height {
                out[(y * width + x) as usize] = source[(sy as u32 * width + sx as u32) as usize];
            }
        }
    }
    GrayImage::from_raw(width, height, out).unwrap_or_else(|| page.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Dark horizontal text lines on white.
    fn lined_page() -> GrayImage {
        let mut page = GrayImage::from_pixel(200, 400, Luma([250]));
        for line in 0..20 {
            for y in (40 + line * 16)..(44 + line * 16) {
                for x in 30..170 {
                    page.put_pixel(x, y, Luma([20]));
                }
            }
        }
        page
    }

    #[test]
    fn a_level_page_stays_as_it_is() {
        let page = lined_page();
        assert_eq!(skew_degrees(&page), 0.0);
        assert_eq!(upright(&page), page);
    }

    #[test]
    fn a_tilted_page_is_measured_and_turned_back() {
        let page = lined_page();
        for degrees in [-2.0, 1.5, 3.0] {
            let tilted = rotate(&page, degrees);
            let skew = skew_degrees(&tilted);
            assert!(
                (skew - degrees).abs() <= STEP_DEGREES,
                "{degrees}° measured as {skew}°"
            );
            assert_eq!(skew_degrees(&upright(&tilted)), 0.0, "{degrees}°");
        }
    }

    #[test]
    fn blank_and_tiny_pages_are_left_alone() {
        let blank = GrayImage::from_pixel(50, 50, Luma([255]));
        assert_eq!(upright(&blank), blank);
        let tiny = GrayImage::new(1, 1);
        assert_eq!(upright(&tiny).dimensions(), (1, 1));
        assert_eq!(crop_margins(&tiny, 0.06).dimensions(), (1, 1));
        assert_eq!(
            crop_margins(&GrayImage::new(100, 50), 0.06).dimensions(),
            (88, 44)
        );
    }
}
