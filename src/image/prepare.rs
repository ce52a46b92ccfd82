//! Preparing pixels for OCR: grayscale, crop, bounded size, level rows, reverse video
//! restored, no ruled lines,
//! optional smoothing,
//! white border.

use image::{imageops, GrayImage};

use super::crop::isolate_receipt;
use super::deskew::deskew;
use super::quality::{measure, Quality};
use super::reverse::restore_reverse_video;
use super::rules::erase_rules;

/// Settings that change the pixels handed to the OCR engine (part of the OCR cache key).
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareSettings {
    /// Longest side after scaling; larger images are shrunk (never blindly upscaled).
    pub max_side: u32,
    /// White border added on every side, in pixels.
    pub border: u32,
    /// Crop to the receipt when it fills only part of the picture.
    pub crop: bool,
    /// Turn the receipt so its printed rows are level.
    pub deskew: bool,
    /// Turn white print on black bands into dark print on light paper.
    pub reverse_video: bool,
    /// Erase ruled lines (dashes under headings, above totals) that touch the text.
    pub erase_rules: bool,
    /// Gaussian smoothing (sigma in pixels) before OCR; 0 for none. Dot-matrix and noisy
    /// thermal print reads better slightly smoothed, clean print reads better as is.
    pub smooth: f32,
}

impl Default for PrepareSettings {
    fn default() -> Self {
        PrepareSettings {
            max_side: crate::defaults::PREPARE_MAX_SIDE,
            border: crate::defaults::PREPARE_BORDER,
            crop: true,
            deskew: true,
            reverse_video: true,
            erase_rules: true,
            smooth: 0.0,
        }
    }
}

impl PrepareSettings {
    /// A short stable description for the OCR cache key and the engine settings record.
    pub fn fingerprint(&self) -> String {
        let mut fingerprint = format!(
            "v{}-max{}-b{}",
            super::PREPARE_VERSION,
            self.max_side,
            self.border
        );
        if self.crop {
            fingerprint.push_str("-crop");
        }
        if self.deskew {
            fingerprint.push_str(&format!("-deskew{}", super::deskew::MIN_DEGREES));
        }
        if self.reverse_video {
            fingerprint.push_str("-rev");
        }
        if self.erase_rules {
            fingerprint.push_str("-rules");
        }
        if self.smooth > 0.0 {
            fingerprint.push_str(&format!("-s{}", self.smooth));
        }
        fingerprint
    }
}

/// The receipt measured, cropped and sized: what every reading of one image shares, so a
/// second reading only smooths and pads again instead of measuring and cropping twice.
pub struct Staged {
    pub quality: Quality,
    receipt: GrayImage,
    border: u32,
}

/// Measure `gray` and crop and size it under `settings` (their `smooth` is left to
/// [`Staged::finish`]).
pub fn stage(gray: GrayImage, settings: &PrepareSettings) -> Staged {
    let quality = measure(&gray);
    let receipt = if settings.crop {
        isolate_receipt(gray)
    } else {
        gray
    };
    let mut receipt = shrink_to(receipt, settings.max_side);
    if settings.deskew {
        receipt = deskew(receipt);
    }
    // Before rules: a band's solid frame would otherwise pass for a thick rule.
    if settings.reverse_video {
        receipt = restore_reverse_video(receipt);
    }
    if settings.erase_rules {
        receipt = erase_rules(receipt);
    }
    Staged {
        quality,
        receipt,
        border: settings.border,
    }
}

impl Staged {
    /// Pixels for OCR: smoothed with a Gaussian of `smooth` px (0 for none), then padded.
    pub fn finish(&self, smooth: f32) -> GrayImage {
        // `imageops::blur` panics on a picture without pixels (found by the property test).
        let has_pixels = self.receipt.width() > 0 && self.receipt.height() > 0;
        if smooth > 0.0 && has_pixels {
            pad(&imageops::blur(&self.receipt, smooth), self.border)
        } else {
            pad(&self.receipt, self.border)
        }
    }
}

/// `gray` shrunk so its longest side is at most `max_side`; as it is when already within.
pub(super) fn shrink_to(gray: GrayImage, max_side: u32) -> GrayImage {
    let longest = gray.width().max(gray.height());
    if longest <= max_side {
        return gray;
    }
    let scale = max_side as f64 / longest as f64;
    let width = ((gray.width() as f64 * scale).round() as u32).max(1);
    let height = ((gray.height() as f64 * scale).round() as u32).max(1);
    super::resize_gray(&gray, width, height)
}

fn pad(gray: &GrayImage, border: u32) -> GrayImage {
    let mut out = GrayImage::from_pixel(
        gray.width() + 2 * border,
        gray.height() + 2 * border,
        image::Luma([255]),
    );
    image::imageops::replace(&mut out, gray, border as i64, border as i64);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(100))]
        /// Whatever the picture (empty, one pixel, flat, blocks of any gray), staging and
        /// finishing it never panics and gives a padded picture.
        #[test]
        fn any_picture_stages_without_panicking(
            width in 0u32..260,
            height in 0u32..260,
            background in 0u8..=255,
            blocks in proptest::collection::vec((0u32..260, 0u32..260, 1u32..200, 1u32..6, 0u8..=255), 0..8),
        ) {
            let mut image = GrayImage::from_pixel(width, height, Luma([background]));
            for (x, y, w, h, level) in blocks {
                for yy in y.min(height)..(y + h).min(height) {
                    for xx in x.min(width)..(x + w).min(width) {
                        image.put_pixel(xx, yy, Luma([level]));
                    }
                }
            }
            let settings = PrepareSettings::default();
            let staged = stage(image, &settings);
            let ready = staged.finish(1.1);
            proptest::prop_assert!(ready.width() >= 2 * settings.border);
            proptest::prop_assert!(ready.height() >= 2 * settings.border);
        }
    }
}
