//! Deskew: level a receipt photographed askew.
//!
//! Tesseract (psm 4) finds text rows as horizontal bands; on a receipt turned by a few
//! degrees a row drifts across bands, and words and prices from two rows mix (SROIE copies
//! turned by 3.5°: dates read fell from 82.5 % to 70 %, addresses from 50 % to 27.5 %). The angle is
//! found by projection profiles: the print's dark pixels, projected across rows, make the
//! sharpest profile (largest sum of squared row counts) when the projection runs along the
//! printed rows. Ink is found by local contrast, not one global threshold, so a dark table
//! around a photographed receipt does not outweigh its print.

use image::{GrayImage, Luma};

use super::prepare::shrink_to;
use super::quality::paper_level;

/// Largest angle searched, in degrees either way; phone photos of receipts are held within a
/// few degrees, and larger angles match ruled lines and columns as easily as rows.
const MAX_DEGREES: f32 = 6.0;
/// Below this, turning costs more than it gains. Tesseract's own row finding copes with small
/// tilts, and on a perfectly level page psm 4 took the price column of the sample photos
/// (turned by 0.5–1.9°) for a block of its own and dropped it: items read fell from 69 % to
/// 23 % when every tilt over 0.3° was levelled.
pub const MIN_DEGREES: f32 = 2.0;
/// Longest side of the copy the angle is measured on.
const WORK_SIDE: u32 = 1000;
/// A pixel is ink when it is this much darker than the mean of its neighbourhood.
const INK_CONTRAST: i32 = 30;
/// Neighbourhood radius (px on the work copy) for that mean.
const RADIUS: i64 = 7;
/// Fewer ink pixels than this: no print to measure rows by.
const MIN_INK: usize = 400;

/// The angle, in degrees, that the printed rows descend by from left to right (negative when
/// they climb), or `None` when the print is level (under 0.3°) or there is too little of it.
pub fn estimate_skew(gray: &GrayImage) -> Option<f32> {
    let small = shrink_to(gray.clone(), WORK_SIDE);
    let ink = ink_points(&small);
    if ink.len() < MIN_INK {
        return None;
    }
    let level = sharpness(&ink, 0.0);
    let coarse = best_angle(&ink, -MAX_DEGREES, MAX_DEGREES, 0.25);
    let (angle, score) = best_angle(&ink, coarse.0 - 0.25, coarse.0 + 0.25, 0.05);
    // A profile only marginally sharper than the level one is noise, not a tilt.
    (angle.abs() >= MIN_DEGREES && score > level * 1.02).then_some(angle)
}

/// `gray` turned so rows descending by `degrees` become level, grown to keep every pixel; the
/// corners uncovered by the turn take the paper's gray (white corners beside gray paper read
/// as an edge, and Tesseract reads edges as characters).
pub fn rotate(gray: &GrayImage, degrees: f32) -> GrayImage {
    let (width, height) = gray.dimensions();
    let (sin, cos) = (degrees as f64).to_radians().sin_cos();
    let out_w = (width as f64 * cos.abs() + height as f64 * sin.abs()).ceil() as u32;
    let out_h = (width as f64 * sin.abs() + height as f64 * cos.abs()).ceil() as u32;
    let fill = paper_level(gray);
    let (src_cx, src_cy) = (width as f64 / 2.0, height as f64 / 2.0);
    let (out_cx, out_cy) = (out_w as f64 / 2.0, out_h as f64 / 2.0);
    let mut out = GrayImage::from_pixel(out_w.max(1), out_h.max(1), Luma([fill]));
    for v in 0..out_h {
        let dy = v as f64 + 0.5 - out_cy;
        for u in 0..out_w {
            let dx = u as f64 + 0.5 - out_cx;
            let x = dx * cos - dy * sin + src_cx - 0.5;
            let y = dx * sin + dy * cos + src_cy - 0.5;
            if let Some(value) = bilinear(gray, x, y) {
                out.put_pixel(u, v, Luma([value]));
            }
        }
    }
    out
}

/// `gray` with its rows levelled, or unchanged when they already are.
pub fn deskew(gray: GrayImage) -> GrayImage {
    match estimate_skew(&gray) {
        Some(degrees) => rotate(&gray, degrees),
        None => gray,
    }
}

/// Positions (x, y) of pixels clearly darker than their neighbourhood, from a summed-area
/// table so the neighbourhood mean costs four lookups.
fn ink_points(gray: &GrayImage) -> Vec<(f32, f32)> {
    let (w, h) = (gray.width() as i64, gray.height() as i64);
    let stride = (w + 1) as usize;
    let mut sums = vec![0i64; stride * (h as usize + 1)];
    for y in 0..h {
        let mut row = 0i64;
        for x in 0..w {
            row += gray.get_pixel(x as u32, y as u32)[0] as i64;
            sums[(y as usize + 1) * stride + x as usize + 1] =
                sums[y as usize * stride + x as usize + 1] + row;
        }
    }
    let at = |x: i64, y: i64| sums[y as usize * stride + x as usize];
    let mut points = Vec::new();
    for y in 0..h {
        let (top, bottom) = ((y - RADIUS).max(0), (y + RADIUS + 1).min(h));
        for x in 0..w {
            let (left, right) = ((x - RADIUS).max(0), (x + RADIUS + 1).min(w));
            let area = (right - left) * (bottom - top);
            let sum = at(right, bottom) - at(left, bottom) - at(right, top) + at(left, top);
            let pixel = gray.get_pixel(x as u32, y as u32)[0] as i64;
            if (pixel + INK_CONTRAST as i64) * area < sum {
                points.push((x as f32, y as f32));
            }
        }
    }
    points
}

/// The angle in `[from, to]` (stepping by `step`) with the sharpest row profile, and its score.
fn best_angle(ink: &[(f32, f32)], from: f32, to: f32, step: f32) -> (f32, f64) {
    let steps = ((to - from) / step).round() as i32;
    (0..=steps)
        .map(|i| from + i as f32 * step)
        .map(|angle| (angle, sharpness(ink, angle)))
        // Ties go to the angle nearest level: turning is only worth a clear gain.
        .fold((0.0, f64::MIN), |best, (angle, score)| {
            if score > best.1 || (score == best.1 && angle.abs() < best.0.abs()) {
                (angle, score)
            } else {
                best
            }
        })
}

/// Sum of squared counts of ink per row when rows run at `degrees`: large when the rows of
/// print fall into few, full bins.
fn sharpness(ink: &[(f32, f32)], degrees: f32) -> f64 {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let projected: Vec<f32> = ink.iter().map(|&(x, y)| y * cos - x * sin).collect();
    let low = projected.iter().copied().fold(f32::INFINITY, f32::min);
    let high = projected.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut bins = vec![0u32; (high - low) as usize + 2];
    for p in projected {
        bins[(p - low) as usize] += 1;
    }
    bins.iter().map(|&n| (n as f64) * (n as f64)).sum()
}

fn bilinear(gray: &GrayImage, x: f64, y: f64) -> Option<u8> {
    let (width, height) = gray.dimensions();
    if x < -0.5 || y < -0.5 || x > width as f64 - 0.5 || y > height as f64 - 0.5 {
        return None;
    }
    let (x, y) = (
        x.clamp(0.0, (width - 1) as f64),
        y.clamp(0.0, (height - 1) as f64),
    );
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let p = |x: u32, y: u32| gray.get_pixel(x, y)[0] as f64;
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    Some((top * (1.0 - fy) + bottom * fy).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of dashes like printed text: 12 rows of words, each word a dark bar.
    fn printed_rows(width: u32, height: u32) -> GrayImage {
        let mut gray = GrayImage::from_pixel(width, height, Luma([235]));
        for row in 0..12u32 {
            let top = 40 + row * 45;
            for word in 0..6u32 {
                let left = 30 + word * (width - 60) / 6;
                for y in top..top + 14 {
                    for x in left..left + (width - 60) / 8 {
                        if (x + y) % 5 != 0 {
                            gray.put_pixel(x, y, Luma([30]));
                        }
                    }
                }
            }
        }
        gray
    }

    #[test]
    fn level_print_is_left_alone() {
        assert_eq!(estimate_skew(&printed_rows(600, 600)), None);
    }

    #[test]
    fn a_turned_page_is_measured_and_levelled() {
        let page = printed_rows(600, 600);
        for degrees in [-4.0f32, -2.5, 3.0, 5.5] {
            // Turning by -degrees makes rows descend by `degrees`.
            let turned = rotate(&page, -degrees);
            let found = estimate_skew(&turned).expect("a turned page has a skew");
            assert!(
                (found - degrees).abs() <= 0.15,
                "{degrees}° measured as {found}°"
            );
            let levelled = rotate(&turned, found);
            let left = estimate_skew(&levelled).unwrap_or(0.0);
            assert!(left.abs() <= 0.3, "{degrees}° left {left}° after levelling");
        }
    }

    #[test]
    fn small_tilts_are_left_to_tesseract() {
        let turned = rotate(&printed_rows(600, 600), 1.2);
        assert_eq!(estimate_skew(&turned), None);
    }

    #[test]
    fn corners_uncovered_by_the_turn_take_the_paper_gray() {
        let turned = rotate(&printed_rows(300, 600), 4.0);
        assert!(turned.width() > 300 && turned.height() > 600);
        assert_eq!(turned.get_pixel(0, 0)[0], 235);
    }

    #[test]
    fn blank_flat_and_tiny_pictures_have_no_skew() {
        assert_eq!(
            estimate_skew(&GrayImage::from_pixel(500, 800, Luma([240]))),
            None
        );
        assert_eq!(estimate_skew(&GrayImage::new(1, 1)), None);
        assert_eq!(estimate_skew(&GrayImage::new(0, 0)), None);
        assert!(rotate(&GrayImage::new(1, 1), 2.0).width() <= 2);
        assert_eq!(rotate(&GrayImage::new(0, 0), 2.0).width(), 1);
    }
}
