//! Faded print darkened before a strip of the page is read again on its own.
//!
//! Thermal paper fades unevenly: on a faded date row some digits are a light gray that
//! Tesseract's own binarisation half drops (`06-05-2018` read `06-05- é 1`). Stretching the
//! strip's levels so its darkest ink is black and its paper white before reading it again
//! brings the pale strokes back (faded thermal and dot-matrix dates).

use image::GrayImage;

/// Share of a strip's pixels darker than the level taken as ink: the darkest strokes.
const INK_SHARE: f64 = 0.01;
/// Share of a strip's pixels darker than the level taken as paper. A strip cut around one row
/// of print is mostly paper, so anything lighter than its lighter part is paper.
const PAPER_SHARE: f64 = 0.60;

/// `gray` with its levels stretched: its ink level (the darkest 1 %) black, its paper level
/// (the lighter 40 %) white, linearly between. A strip without contrast is returned as is.
pub fn stretch_levels(gray: &GrayImage) -> GrayImage {
    let (ink, paper) = (level_below(gray, INK_SHARE), level_below(gray, PAPER_SHARE));
    if paper <= ink {
        return gray.clone();
    }
    let span = f32::from(paper - ink);
    let mut stretched = gray.clone();
    for pixel in stretched.pixels_mut() {
        let level = f32::from(pixel.0[0].saturating_sub(ink)) / span;
        pixel.0[0] = (level * 255.0 + 0.5).min(255.0) as u8;
    }
    stretched
}

/// The gray level below which `share` of the pixels lie (from their histogram).
fn level_below(gray: &GrayImage, share: f64) -> u8 {
    let mut histogram = [0u64; 256];
    for pixel in gray.pixels() {
        histogram[usize::from(pixel.0[0])] += 1;
    }
    let wanted = (gray.pixels().len() as f64 * share).ceil() as u64;
    let mut seen = 0;
    for (level, count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= wanted.max(1) {
            return level as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Paper at 230 with pale print at 150 and a few darkest strokes at 110.
    fn faded_strip() -> GrayImage {
        GrayImage::from_fn(100, 20, |x, y| match (x, y) {
            (0..=1, _) => Luma([110]),
            (10..=29, 5..=14) => Luma([150]),
            _ => Luma([230]),
        })
    }

    #[test]
    fn ink_becomes_black_paper_white_and_pale_print_dark() {
        let stretched = stretch_levels(&faded_strip());
        assert_eq!(stretched.get_pixel(0, 0).0[0], 0);
        assert_eq!(stretched.get_pixel(50, 0).0[0], 255);
        // Pale print was 40 of 120 levels above the ink: a third of the way to white.
        assert_eq!(stretched.get_pixel(15, 10).0[0], 85);
    }

    #[test]
    fn a_strip_without_contrast_is_left_as_it_is() {
        let blank = GrayImage::from_pixel(30, 10, Luma([240]));
        assert_eq!(stretch_levels(&blank), blank);
        let empty = GrayImage::new(0, 0);
        assert_eq!(stretch_levels(&empty), empty);
    }
}
