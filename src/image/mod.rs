//! Image cleanup and capture quality, in one pass over the pixels.
//!
//! Tesseract's time grows with pixels and noise and its accuracy drops with rotation and tiny
//! or huge glyphs, so before OCR every image is decoded under strict limits, oriented (EXIF),
//! turned to grayscale, cropped to the receipt, deskewed, scaled so capitals are about 30 px
//! tall and padded with white. The same pass measures capture quality (blur, glare, darkness,
//! size) so a campaign can reject a photo with a reason that tells the customer what to do.

mod crop;
mod decode;
mod prepare;
mod quality;
mod truncation;

use serde::{Deserialize, Serialize};

pub use crop::{find_receipt, Region};
pub use decode::{decode, DecodeLimits};
pub use prepare::{prepare, PrepareSettings, Prepared};
pub use quality::{assess, measure, Quality, QualityThresholds};
pub use truncation::ensure_complete;

/// Bumped whenever preparation changes pixels or what is measured on them, so cached OCR made
/// from older pixels, or carrying older quality measures, is not reused (it is part of the OCR
/// cache key). 2: capture quality measured at a reference width, per tile (sharpness, glare).
pub const PREPARE_VERSION: u32 = 2;

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
