//! Skew: the small angle a hand-held photo or a crooked scan adds to every line of print.
//!
//! Tesseract copes with a degree or so but loses whole lines beyond a few degrees. The angle is
//! found by projecting glyph centres across candidate directions: along the true direction of
//! the lines the centres pile up into a few sharp peaks (one per line), so the sum of squared
//! bin counts is highest there. Glyphs rather than pixels keep this cheap (a few thousand
//! points) and make it ignore pictures and stains.

use super::ink::Blob;

/// Largest skew corrected, in degrees: beyond this a photo is sideways, which EXIF handles,
/// or the blobs are not lines of text.
pub const MAX_SKEW_DEGREES: f32 = 12.0;
const COARSE_STEP: f32 = 0.5;
const FINE_STEP: f32 = 0.05;

/// The angle (radians, clockwise-positive with y pointing down) of the text lines, or 0 when
/// there is nothing to measure. Rotating the page by minus this straightens it.
pub fn estimate(glyphs: &[Blob], text_height: f32) -> f32 {
    if glyphs.len() < 2 || text_height <= 0.0 {
        return 0.0;
    }
    // A third of a text height: lines a little apart still land in different bins.
    let bin = (text_height / 3.0).max(1.0);
    let points: Vec<(f32, f32, f32)> = glyphs
        .iter()
        .map(|g| {
            let (x, y) = g.center();
            (x, y, g.width() as f32)
        })
        .collect();
    let coarse = best_angle(
        &points,
        bin,
        -MAX_SKEW_DEGREES,
        MAX_SKEW_DEGREES,
        COARSE_STEP,
    );
    let fine = best_angle(
        &points,
        bin,
        coarse - COARSE_STEP,
        coarse + COARSE_STEP,
        FINE_STEP,
    );
    fine.to_radians()
}

/// The angle in `from..=to` (degrees, by `step`) whose projection is sharpest; ties keep the
/// angle closest to zero so a straight page is never turned.
fn best_angle(points: &[(f32, f32, f32)], bin: f32, from: f32, to: f32, step: f32) -> f32 {
    let steps = ((to - from) / step).round() as i32;
    let mut best = (f64::MIN, 0.0f32);
    for i in 0..=steps {
        let degrees = from + i as f32 * step;
        let score = sharpness(points, bin, degrees.to_radians());
        let better = score > best.0 || (score == best.0 && degrees.abs() < best.1.abs());
        if better {
            best = (score, degrees);
        }
    }
    best.1
}

/// How strongly the centres, projected across `angle`, pile up: the sum of squared
/// (width-weighted) bin counts. The bins are laid at several offsets and the scores added, so
/// the result does not depend on where the lines happen to fall relative to bin edges (with one
/// grid, a line split across two bins scores half and the best angle jitters).
fn sharpness(points: &[(f32, f32, f32)], bin: f32, angle: f32) -> f64 {
    const OFFSETS: usize = 4;
    let (sin, cos) = angle.sin_cos();
    let mut bins: std::collections::HashMap<(usize, i64), f64> = Default::default();
    for &(x, y, weight) in points {
        let position = (y * cos - x * sin) / bin;
        for offset in 0..OFFSETS {
            let shifted = position + offset as f32 / OFFSETS as f32;
            *bins.entry((offset, shifted.floor() as i64)).or_default() += weight as f64;
        }
    }
    bins.values().map(|w| w * w).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of glyphs 10 px tall, 30 px apart, rotated by `degrees` about the origin.
    fn lines(degrees: f32) -> Vec<Blob> {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let mut glyphs = vec![];
        for line in 0..12 {
            for col in 0..25 {
                let (u, v) = (100.0 + col as f32 * 12.0, 100.0 + line as f32 * 30.0);
                let (x, y) = (u * cos - v * sin, u * sin + v * cos);
                let (x, y) = (x.round() as u32 + 50, y.round() as u32);
                glyphs.push(Blob {
                    x0: x - 4,
                    y0: y - 5,
                    x1: x + 4,
                    y1: y + 5,
                    area: 50,
                });
            }
        }
        glyphs
    }

    #[test]
    fn finds_the_angle_of_rotated_lines() {
        for degrees in [-7.0f32, -2.5, 0.0, 1.0, 4.0, 10.0] {
            let found = estimate(&lines(degrees), 10.0).to_degrees();
            assert!(
                (found - degrees).abs() <= 0.15,
                "rotated {degrees}°, found {found}°"
            );
        }
    }

    #[test]
    fn nothing_to_measure_is_zero() {
        assert_eq!(estimate(&[], 10.0), 0.0);
    }
}
