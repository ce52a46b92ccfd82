//! Image cleanup and capture quality, in one pass over the pixels.
//!
//! Tesseract's time grows with pixels and noise and its accuracy drops with rotation and tiny
//! or huge glyphs, so before OCR every image is decoded under strict limits, oriented (EXIF),
//! turned to grayscale, cropped to the receipt, deskewed, scaled so capitals are about 30 px
//! tall and padded with white. The same pass measures capture quality (blur, glare, darkness,
//! size) so a campaign can reject a photo with a reason that tells the customer what to do.
//!
//! The stages, in the order `prepare` runs them: `overview` (a ≤1600 px copy to analyse),
//! `ink` (Sauvola binarisation, blobs), `layout` (the table around the receipt, the print, its
//! capital height), `skew` (the angle of the lines), `warp` (crop + straighten + scale from the
//! full-resolution source in one pass), `quality` (measures and the campaign's verdict).
//!
//! Calibration (`cargo test --release --test sroie_quality -- --ignored --nocapture`, 80 real
//! scanned receipts against degraded copies of each): Laplacian variance 311 or more on every
//! receipt, 118 or less once blurred by an eighth of the capital height (threshold 180); glare
//! at most 0.01 on receipts, 1.0 under a veil that turns black print 190+ gray (threshold 0.3;
//! the faintest real thermal print is 145, so lighter veils cannot be told from faded paper);
//! paper brightness 215 or more, 63 or less at a quarter of the light (threshold 90). Capital
//! height estimates match the height of Tesseract's boxes around all-capital words within ±8% on
//! 76 of the 79 receipts that have such words (the rest: faint dot-matrix print, -10 to -25%).
//!
//! `NOT_A_RECEIPT` needs OCR: the runner stores the number of legible words in
//! [`Quality::words`] and [`assess`] gives the reason when it is below `min_words` and nothing
//! else is wrong, so the campaign's decider needs no extra call.

mod decode;
mod ink;
mod layout;
mod overview;
mod prepare;
mod quality;
mod skew;
#[cfg(test)]
mod synthetic;
mod truncation;
mod warp;

use serde::{Deserialize, Serialize};

pub use decode::{decode, DecodeLimits};
pub use prepare::{prepare, Geometry, PrepareSettings, Prepared};
pub use quality::{assess, is_legible_word, Quality, QualityThresholds};
pub use truncation::ensure_complete;
pub use warp::Frame;

/// Bumped whenever preparation changes pixels, so cached OCR made from older pixels is not
/// reused (it is part of the OCR cache key).
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
