//! Image cleanup and capture quality, in one pass over the pixels.
//!
//! Tesseract's time grows with pixels and its accuracy with a clean page, so before OCR every
//! image is decoded under strict limits, oriented (EXIF), turned to grayscale, cropped to the
//! receipt when it is a small part of the picture (a small receipt on an A4 scan), shrunk only
//! when its longest side exceeds 2400 px, and padded with white. Rescaling print towards a
//! fixed capital height was measured and rejected: shrinking large print cost accuracy and
//! enlarging small print did not pay (docs/history.md, "Measuring extraction"). Receipts turned by 2°
//! or more are levelled (`deskew`): on SROIE copies turned by 3.5° (`scripts/turned-eval`)
//! that lifts dates read from 70 % to 82.5 % and addresses from 27.5 % to 50 %. Smaller tilts
//! are left alone: Tesseract's row finding copes with them, and a perfectly level page made it
//! drop the price column of the sample photos (items 69 % → 23 %). Ruled lines (dashes under
//! headings, above totals) are erased so Tesseract does not read them into the text above.
//! The same pass measures capture quality (blur, glare, darkness, size) so a campaign can
//! reject a photo with a reason that tells the customer what to do.

mod crop;
mod dark_mode;
mod decode;
mod deskew;
pub mod grid;
mod heif;
mod levels;
pub mod metadata;
pub mod pdf;
pub mod phash;
mod prepare;
mod quality;
mod resize;
mod reverse;
mod rules;
pub mod screen;
mod tiff_pages;
mod truncation;
mod upright;

use serde::{Deserialize, Serialize};

pub use crop::{find_receipt, isolate_receipt, otsu, Region};
pub use dark_mode::light_print_on_dark;
pub use decode::{decode, decode_gray, DecodeLimits};
pub use grid::{grid, Grid, Likeness};
pub use levels::stretch_levels;
pub use metadata::{read_metadata, Metadata};
pub use phash::{distance, hamming, phash, Phash};
pub use prepare::{stage, PrepareSettings, Staged};
pub use quality::{assess, explain_no_text, measure, Quality, QualityThresholds};
pub use resize::resize_gray;
pub use screen::screen_pattern;
pub use truncation::ensure_complete;

/// The version of image preparation and of the quality scale, written at the head of every
/// OCR record's `prepare` so `fidelio validate` can refuse records measured on an older scale
/// (version 1). The OCR cache does not rely on it: its key hashes the code itself
/// (`fidelio::config`). History: 2: capture quality measured at a reference width, per tile (sharpness, glare).
/// 3: the table around a photographed receipt is painted the paper's gray. 4: only receipts
/// that are a small part of the picture are cropped. 5: quality records blank pictures.
/// 6: rows levelled (deskew). 7: ruled lines erased. 8: reverse video restored.
/// 9: resampled by `resize_gray` (SIMD triangle filter); JPEGs decoded straight to their luma.
/// 10: dark-mode screenshots inverted (`light_print_on_dark`); transparency laid on white.
pub const PREPARE_VERSION: u32 = 10;

/// Whether pixels prepared under `fingerprint` (see [`PrepareSettings::fingerprint`]) were
/// measured on today's quality scale. Sharpness moved from whole-image to per-tile measures in
/// version 2 (sharp photos went from ~200 to ~2000), so quality read from older OCR records
/// would be judged against the wrong thresholds.
pub fn measured_on_current_scale(fingerprint: &str) -> bool {
    let version = fingerprint
        .strip_prefix('v')
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse::<u32>().ok());
    version.is_some_and(|v| v >= 2)
}

/// Why an image could not be turned into pixels.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum ImageError {
    #[error("image is corrupt or truncated: {0}")]
    Corrupt(String),
    #[error("image is too large to process safely: {0}")]
    TooLarge(String),
    #[error("image format is not supported: {0}")]
    Unsupported(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_scale_is_read_from_the_preparation_fingerprint() {
        assert!(measured_on_current_scale(
            &PrepareSettings::default().fingerprint()
        ));
        assert!(measured_on_current_scale(
            "v2-max2400-b16-crop+look2(v2-max2400-b16-crop-s1.1)"
        ));
        assert!(!measured_on_current_scale("v1-max2400-b16"));
        assert!(!measured_on_current_scale(""));
        assert!(!measured_on_current_scale("text"));
    }
}
