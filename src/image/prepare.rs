//! Preparing pixels for OCR: grayscale, bounded size, white border.

use image::{imageops, DynamicImage, GrayImage};

use super::crop::isolate_receipt;
use super::quality::{measure, Quality};

/// Settings that change the pixels handed to the OCR engine (part of the OCR cache key).
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareSettings {
    /// Longest side after scaling; larger images are shrunk (never blindly upscaled).
    pub max_side: u32,
    /// White border added on every side, in pixels.
    pub border: u32,
    /// Crop to the receipt when it fills only part of the picture.
    pub crop: bool,
    /// Gaussian smoothing (sigma in pixels) before OCR; 0 for none. Dot-matrix and noisy
    /// thermal print reads better slightly smoothed, clean print reads better as is.
    pub smooth: f32,
}

impl Default for PrepareSettings {
    fn default() -> Self {
        PrepareSettings {
            max_side: 2400,
            border: 16,
            crop: true,
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
        if self.smooth > 0.0 {
            fingerprint.push_str(&format!("-s{}", self.smooth));
        }
        fingerprint
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
    let receipt = if settings.crop {
        isolate_receipt(gray)
    } else {
        gray
    };
    let mut scaled = shrink_to(receipt, settings.max_side);
    if settings.smooth > 0.0 {
        scaled = imageops::blur(&scaled, settings.smooth);
    }
    Prepared {
        gray: pad(&scaled, settings.border),
        quality,
    }
}

fn shrink_to(gray: GrayImage, max_side: u32) -> GrayImage {
    let longest = gray.width().max(gray.height());
    if longest <= max_side {
        return gray;
    }
    let scale = max_side as f64 / longest as f64;
    let width = ((gray.width() as f64 * scale).round() as u32).max(1);
    let height = ((gray.height() as f64 * scale).round() as u32).max(1);
    imageops::resize(&gray, width, height, imageops::FilterType::Triangle)
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
