//! Preparing pixels for OCR: grayscale, bounded size, white border.

use image::{DynamicImage, GrayImage};

use super::quality::{measure, Quality};

/// Settings that change the pixels handed to the OCR engine (part of the OCR cache key).
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareSettings {
    /// Longest side after scaling; larger images are shrunk (never blindly upscaled).
    pub max_side: u32,
    /// White border added on every side, in pixels.
    pub border: u32,
}

impl Default for PrepareSettings {
    fn default() -> Self {
        PrepareSettings {
            max_side: 2400,
            border: 16,
        }
    }
}

impl PrepareSettings {
    /// A short stable description for the OCR cache key and the engine settings record.
    pub fn fingerprint(&self) -> String {
        format!(
            "v{}-max{}-b{}",
            super::PREPARE_VERSION,
            self.max_side,
            self.border
        )
    }
}

/// Pixels ready for OCR plus what was measured on the way.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub gray: GrayImage,
    pub quality: Quality,
}

pub fn prepare(image: &DynamicImage, settings: &PrepareSettings) -> Prepared {
    let gray = image.to_luma8();
    let quality = measure(&gray);
    let scaled = shrink_to(&gray, settings.max_side);
    Prepared {
        gray: pad(&scaled, settings.border),
        quality,
    }
}

fn shrink_to(gray: &GrayImage, max_side: u32) -> GrayImage {
    let longest = gray.width().max(gray.height());
    if longest <= max_side {
        return gray.clone();
    }
    let scale = max_side as f64 / longest as f64;
    let width = ((gray.width() as f64 * scale).round() as u32).max(1);
    let height = ((gray.height() as f64 * scale).round() as u32).max(1);
    image::imageops::resize(gray, width, height, image::imageops::FilterType::Triangle)
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
