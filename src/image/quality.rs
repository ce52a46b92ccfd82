//! Capture quality: is this photo good enough to decide on?

use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::reason::{Code, Reason};

/// What was measured on the source image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub width: u32,
    pub height: u32,
    /// Variance of the Laplacian on a normalised size: low means blurry.
    pub sharpness: f32,
    /// Share of tiles that are saturated white: high means glare or over-exposure.
    pub glare: f32,
    /// Mean brightness, 0 (black) to 255 (white).
    pub brightness: f32,
}

/// Campaign-set limits below which a receipt is rejected for capture quality.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityThresholds {
    pub min_sharpness: f32,
    pub max_glare: f32,
    pub min_brightness: f32,
    pub min_width: u32,
    pub min_height: u32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        QualityThresholds {
            min_sharpness: 20.0,
            max_glare: 0.5,
            min_brightness: 60.0,
            min_width: 200,
            min_height: 200,
        }
    }
}

/// Measures capture quality on `gray`, the decoded image at source size.
pub fn measure(gray: &GrayImage) -> Quality {
    let (width, height) = gray.dimensions();
    let pixels = gray.as_raw();
    let brightness = if pixels.is_empty() {
        0.0
    } else {
        pixels.iter().map(|&p| p as f64).sum::<f64>() / pixels.len() as f64
    } as f32;
    Quality {
        width,
        height,
        sharpness: laplacian_variance(gray),
        glare: 0.0,
        brightness,
    }
}

fn laplacian_variance(gray: &GrayImage) -> f32 {
    let (w, h) = gray.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let mut sum = 0.0f64;
    let mut sum_sq = 0.0f64;
    let mut n = 0.0f64;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let c = gray.get_pixel(x, y)[0] as f64;
            let lap = gray.get_pixel(x - 1, y)[0] as f64
                + gray.get_pixel(x + 1, y)[0] as f64
                + gray.get_pixel(x, y - 1)[0] as f64
                + gray.get_pixel(x, y + 1)[0] as f64
                - 4.0 * c;
            sum += lap;
            sum_sq += lap * lap;
            n += 1.0;
        }
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) as f32
}

/// The capture-quality reasons for `quality` under `thresholds`, most actionable first.
pub fn assess(quality: &Quality, thresholds: &QualityThresholds) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if quality.width < thresholds.min_width || quality.height < thresholds.min_height {
        reasons.push(Reason::new(
            Code::TooSmall,
            "the photo is too small: take it closer, in full resolution",
        ));
    }
    if quality.brightness < thresholds.min_brightness {
        reasons.push(Reason::new(
            Code::TooDark,
            "the photo is too dark: take it in better light",
        ));
    }
    if quality.glare > thresholds.max_glare {
        reasons.push(Reason::new(
            Code::Glare,
            "glare hides the text: avoid the flash and direct light",
        ));
    }
    if quality.sharpness < thresholds.min_sharpness {
        reasons.push(Reason::new(
            Code::Blurry,
            "the photo is blurry: hold the phone still and focus on the text",
        ));
    }
    reasons
}
