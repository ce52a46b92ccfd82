//! Image cleanup and capture quality, in one pass over the pixels.
//!
//! Tesseract's time grows with pixels and its accuracy with a clean page, so before OCR every
//! image is decoded under strict limits, oriented (EXIF), turned to grayscale, cropped to the
//! receipt (the paper on a table, or the print of a small receipt on an A4 scan), shrunk only
//! when its longest side exceeds 2400 px, and padded with white. Rescaling print towards a
//! fixed capital height was measured and rejected: shrinking large print cost accuracy and
//! enlarging small print did not pay (README, "Measuring extraction"). Deskewing is not done
//! (not measured beyond this): Tesseract reads the sample photos, turned by up to 1.4 degrees,
//! correctly; larger angles are untested.
//! The same pass measures capture quality (blur, glare, darkness, size) so a campaign can
//! reject a photo with a reason that tells the customer what to do.

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
