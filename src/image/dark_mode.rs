//! Screenshots in dark mode: light print on a flat dark background.
//!
//! E-receipts arrive as screenshots of a shop's app, and phones in dark mode draw them as
//! light text on near-black. Measured as a photo, that is a page with no light paper at all:
//! `TOO_DARK`, and the member is told to find better light for a picture taken in none. The
//! class is recognised by what a camera never gives: a background that is both dark and flat
//! (a rendered colour, not a dim room, whose level drifts and whose sensor noise spreads it),
//! with a small share of clearly lighter pixels (the print). Such a page is inverted before
//! anything else, so quality, OCR and the report see dark print on light paper.

use image::GrayImage;

/// Background at or below this level is dark (0–255).
const DARK_BACKGROUND: u8 = 90;
/// Print at least this much lighter than the background.
const PRINT_CONTRAST: u8 = 90;
/// Share of pixels that are print: screenshots of receipts carry some text, never mostly text.
const MIN_PRINT: f64 = 0.005;
const MAX_PRINT: f64 = 0.45;
/// The background's spread (standard deviation of the pixels near its level, 0–255): a
/// rendered colour stays within a few levels, a photo of a dim page spreads far wider.
const MAX_BACKGROUND_SPREAD: f64 = 6.0;
/// Share of the image the flat background must cover.
const MIN_BACKGROUND: f64 = 0.5;

/// `gray` inverted when it is light print on a flat dark background; as it is otherwise.
pub fn light_print_on_dark(mut gray: GrayImage) -> GrayImage {
    if is_dark_mode(&gray) {
        image::imageops::invert(&mut gray);
    }
    gray
}

fn is_dark_mode(gray: &GrayImage) -> bool {
    let pixels = gray.as_raw();
    if pixels.is_empty() {
        return false;
    }
    let mut histogram = [0u64; 256];
    for &p in pixels {
        histogram[p as usize] += 1;
    }
    let total = pixels.len() as f64;
    // The background: the most common level.
    let background = (0..256)
        .max_by_key(|&v| (histogram[v], 255 - v))
        .unwrap_or(0);
    if background > usize::from(DARK_BACKGROUND) {
        return false;
    }
    // Pixels within 16 levels of it: their share and spread.
    let near = background.saturating_sub(16)..=(background + 16).min(255);
    let count: u64 = near.clone().map(|v| histogram[v]).sum();
    if (count as f64) < total * MIN_BACKGROUND {
        return false;
    }
    let mean = near
        .clone()
        .map(|v| v as f64 * histogram[v] as f64)
        .sum::<f64>()
        / count as f64;
    let variance = near
        .map(|v| (v as f64 - mean).powi(2) * histogram[v] as f64)
        .sum::<f64>()
        / count as f64;
    if variance.sqrt() > MAX_BACKGROUND_SPREAD {
        return false;
    }
    let light_from = background + usize::from(PRINT_CONTRAST);
    let print: u64 = (light_from.min(256)..256).map(|v| histogram[v]).sum();
    let share = print as f64 / total;
    (MIN_PRINT..=MAX_PRINT).contains(&share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Rows of light "print" bars on a background: `noise` adds a camera's spread.
    fn page(background: u8, print: u8, noise: u8) -> GrayImage {
        GrayImage::from_fn(300, 400, |x, y| {
            let ink = y % 30 < 12 && x % 9 < 5 && (20..280).contains(&x);
            let jitter =
                ((x * 7919 + y * 104_729) % (u32::from(noise) * 2 + 1)) as i32 - i32::from(noise);
            let level = if ink { print } else { background };
            Luma([(i32::from(level) + jitter).clamp(0, 255) as u8])
        })
    }

    #[test]
    fn a_dark_mode_screenshot_is_turned_into_dark_print_on_light() {
        let turned = light_print_on_dark(page(18, 235, 0));
        assert_eq!(
            turned.get_pixel(0, 20).0[0],
            255 - 18,
            "background now light"
        );
        assert_eq!(turned.get_pixel(20, 0).0[0], 255 - 235, "print now dark");
    }

    #[test]
    fn photos_and_light_pages_are_left_alone() {
        for (name, gray) in [
            ("a paper receipt", page(230, 30, 3)),
            ("a dim photo of a receipt", page(55, 20, 12)),
            ("a dim photo with noise and light print", page(40, 200, 20)),
            ("a black picture", page(0, 0, 0)),
        ] {
            assert_eq!(light_print_on_dark(gray.clone()), gray, "{name}");
        }
    }
}
