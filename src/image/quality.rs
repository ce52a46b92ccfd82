//! Capture quality: is this photo good enough to decide on, and if not, what should the
//! customer do differently?
//!
//! Everything is measured on the prepared receipt (cropped, straightened, capitals about 30 px
//! tall), so a 12-MP photo and a 1000-px scan are judged on the same scale, and only on pixels
//! of the receipt: the table around it and the white corners added by straightening are left
//! out. Blank paper never dilutes a measure: blur and glare are read per tile and summarised
//! over the tiles that carry print.

use image::GrayImage;
use serde::{Deserialize, Serialize};

use super::layout::percentile;
use crate::reason::{Code, Reason};

/// What was measured on the receipt before OCR, plus how much legible text OCR found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Size of the decoded source image.
    pub width: u32,
    pub height: u32,
    /// Estimated capital height of the print in source pixels; 0 when no text was found.
    #[serde(default)]
    pub text_height: f32,
    /// Variance of the Laplacian on the prepared receipt (90th percentile over tiles): low
    /// means blurry.
    pub sharpness: f32,
    /// Share of the receipt washed out by glare or over-exposure, 0 to 1.
    pub glare: f32,
    /// Brightness of the paper (90th percentile of the receipt's pixels), 0 black to 255 white.
    pub brightness: f32,
    /// Legible words OCR found (see [`is_legible_word`]); `None` until OCR has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<u32>,
}

/// Campaign-set limits below which a receipt is rejected for capture quality (`[quality]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityThresholds {
    /// `BLURRY` below this [`Quality::sharpness`].
    pub min_sharpness: f32,
    /// `GLARE` above this [`Quality::glare`] (a share, 0 to 1).
    pub max_glare: f32,
    /// `TOO_DARK` below this paper [`Quality::brightness`] (0 to 255).
    pub min_brightness: f32,
    /// `TOO_SMALL` below this source size in pixels.
    pub min_width: u32,
    pub min_height: u32,
    /// `TOO_SMALL` below this capital height (source pixels): OCR cannot read it even enlarged.
    pub min_text_height: f32,
    /// `NOT_A_RECEIPT` with fewer legible OCR words than this.
    pub min_words: u32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        // Calibrated on 80 real scanned receipts (none may fail) against blurred, veiled,
        // darkened and shrunk copies of them (all must fail); numbers in the image-module docs.
        QualityThresholds {
            min_sharpness: 180.0,
            max_glare: 0.3,
            min_brightness: 90.0,
            min_width: 200,
            min_height: 200,
            min_text_height: 9.0,
            min_words: 5,
        }
    }
}

/// Paper is "clipped" (a scan, or a photo whose white point is blown) at or above this level.
const CLIPPED: f32 = 250.0;
/// Paper this far below clipping is a photo's paper, not a scanner's white (whose white point
/// can wander to 235 across a page).
const PHOTO_PAPER: f32 = 225.0;
/// Glare spots are only looked for when at least this share of the receipt is photo paper.
const MIN_PHOTO_PAPER_SHARE: f32 = 0.3;
/// A character whose darkest pixel stays lighter than this has been washed out by a veil of
/// reflected light (the faintest thermal print of the 80 real receipts stays below it).
pub const WASHED_INK: u8 = 185;
/// Tiles with less than this share of receipt pixels are not measured.
const MIN_VALID_SHARE: f32 = 0.5;
/// Side of the tiles blur is measured on, in prepared pixels (about one capital height).
const BLUR_TILE: u32 = 32;

/// The pixels quality is measured on: the prepared receipt and which pixels are receipt.
pub struct Measured<'a> {
    pub image: &'a GrayImage,
    pub valid: &'a [bool],
    /// Capital height in prepared pixels (0: unknown).
    pub text_height: f32,
    /// The darkest source pixel of each character found.
    pub ink: &'a [u8],
}

/// Measure `pixels`; `source` is the decoded size, `text_height` the source capital height.
pub fn measure(pixels: &Measured<'_>, source: (u32, u32), text_height: f32) -> Quality {
    let brightness = paper_level(pixels);
    Quality {
        width: source.0,
        height: source.1,
        text_height: round2(text_height),
        sharpness: round2(sharpness(pixels)),
        glare: round2(blown_share(pixels).max(washed_share(pixels.ink, brightness))),
        brightness: round2(brightness),
        words: None,
    }
}

fn round2(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

/// 90th percentile of the receipt's pixels: the paper, whatever share the print takes.
fn paper_level(pixels: &Measured<'_>) -> f32 {
    let mut histogram = [0u64; 256];
    for (&p, &valid) in pixels.image.as_raw().iter().zip(pixels.valid) {
        if valid {
            histogram[p as usize] += 1;
        }
    }
    histogram_quantile(&histogram, 0.9).unwrap_or(0) as f32
}

fn histogram_quantile(histogram: &[u64; 256], q: f64) -> Option<u8> {
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return None;
    }
    let wanted = ((total - 1) as f64 * q).round() as u64;
    let mut seen = 0u64;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen > wanted {
            return Some(level as u8);
        }
    }
    Some(255)
}

/// The square tiles of `side` covering the image, as (x0, y0, x1, y1).
fn tiles(image: &GrayImage, side: u32) -> impl Iterator<Item = (u32, u32, u32, u32)> {
    let (width, height) = image.dimensions();
    let side = side.max(4);
    (0..height.div_ceil(side)).flat_map(move |ty| {
        (0..width.div_ceil(side)).map(move |tx| {
            let (x0, y0) = (tx * side, ty * side);
            (x0, y0, (x0 + side).min(width), (y0 + side).min(height))
        })
    })
}

/// Variance of the 4-neighbour Laplacian per tile, over receipt pixels only; the 90th
/// percentile over tiles, so that blank paper (a Laplacian of zero) does not count.
fn sharpness(pixels: &Measured<'_>) -> f32 {
    let image = pixels.image;
    let width = image.width() as usize;
    let raw = image.as_raw();
    let mut variances = Vec::new();
    for (x0, y0, x1, y1) in tiles(image, BLUR_TILE) {
        let (mut sum, mut sum_sq, mut n) = (0.0f64, 0.0f64, 0u32);
        for y in y0.max(1)..y1.min(image.height().saturating_sub(1)) {
            for x in x0.max(1)..x1.min(image.width().saturating_sub(1)) {
                let at = y as usize * width + x as usize;
                let around = [at - 1, at + 1, at - width, at + width];
                if !pixels.valid[at] || around.iter().any(|&a| !pixels.valid[a]) {
                    continue;
                }
                let laplacian =
                    around.iter().map(|&a| raw[a] as f64).sum::<f64>() - 4.0 * raw[at] as f64;
                sum += laplacian;
                sum_sq += laplacian * laplacian;
                n += 1;
            }
        }
        let area = ((x1 - x0) * (y1 - y0)) as f32;
        if n > 0 && n as f32 >= MIN_VALID_SHARE * area {
            let mean = sum / n as f64;
            variances.push((sum_sq / n as f64 - mean * mean) as f32);
        }
    }
    percentile(variances, 0.9)
}

/// Glare on a photo: the share of the receipt's tiles that are clipped white with no print left
/// in them. Only counted when a good part of the paper is well below clipping (a photo, where
/// white paper comes out gray): on a scan, or a scan whose white point varies across the page,
/// blank paper is clipped and that is not glare.
fn blown_share(pixels: &Measured<'_>) -> f32 {
    let side = if pixels.text_height > 0.0 {
        (2.0 * pixels.text_height).round() as u32
    } else {
        64
    };
    let tiles: Vec<TileLevels> = tiles(pixels.image, side)
        .filter_map(|tile| TileLevels::of(pixels, tile))
        .collect();
    if tiles.is_empty() {
        return 0.0;
    }
    let share = |keep: &dyn Fn(&TileLevels) -> bool| {
        tiles.iter().filter(|t| keep(t)).count() as f32 / tiles.len() as f32
    };
    if share(&|t| t.median < PHOTO_PAPER) < MIN_PHOTO_PAPER_SHARE {
        return 0.0;
    }
    share(&|t| t.median >= CLIPPED && t.darkest >= WASHED_INK as f32)
}

/// Glare as a veil: reflected light adds to every pixel, so paper clips and print turns light
/// gray. The share of characters whose darkest pixel is lighter than [`WASHED_INK`]; a clipped
/// picture with no print at all is entirely washed out.
fn washed_share(ink: &[u8], paper: f32) -> f32 {
    if ink.is_empty() {
        return if paper >= CLIPPED { 1.0 } else { 0.0 };
    }
    ink.iter().filter(|&&darkest| darkest >= WASHED_INK).count() as f32 / ink.len() as f32
}

/// A tile's typical and darkest receipt pixels.
struct TileLevels {
    median: f32,
    /// 2nd percentile: the print, robust to a stray dark pixel.
    darkest: f32,
}

impl TileLevels {
    /// `None` when too few of the tile's pixels are receipt.
    fn of(pixels: &Measured<'_>, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> Option<TileLevels> {
        let width = pixels.image.width() as usize;
        let raw = pixels.image.as_raw();
        let mut histogram = [0u64; 256];
        let mut n = 0u64;
        for y in y0..y1 {
            for x in x0..x1 {
                let at = y as usize * width + x as usize;
                if pixels.valid[at] {
                    histogram[raw[at] as usize] += 1;
                    n += 1;
                }
            }
        }
        let area = ((x1 - x0) * (y1 - y0)) as f32;
        if n == 0 || (n as f32) < MIN_VALID_SHARE * area {
            return None;
        }
        Some(TileLevels {
            median: histogram_quantile(&histogram, 0.5)?.into(),
            darkest: histogram_quantile(&histogram, 0.02)?.into(),
        })
    }
}

/// A word that counts as text found: at least two letters or digits, read with some confidence
/// (Tesseract reports low-confidence garbage on stains, wood grain and faces).
pub fn is_legible_word(text: &str, confidence: f32) -> bool {
    confidence >= 50.0 && text.chars().filter(|c| c.is_alphanumeric()).count() >= 2
}

/// The capture-quality reasons for `quality` under `thresholds`, most actionable first.
///
/// `NOT_A_RECEIPT` (too few legible words, once OCR has run) is only given when nothing else
/// is wrong: a blurry or dark receipt is still a receipt, and the customer should be told how
/// to retake it.
pub fn assess(quality: &Quality, thresholds: &QualityThresholds) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let too_small = quality.width < thresholds.min_width
        || quality.height < thresholds.min_height
        || (quality.text_height > 0.0 && quality.text_height < thresholds.min_text_height);
    if too_small {
        reasons.push(Reason::new(
            Code::TooSmall,
            "the receipt is too small in the photo: take it closer, in full resolution",
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
    let no_text = quality.words.is_some_and(|w| w < thresholds.min_words);
    if reasons.is_empty() && no_text {
        reasons.push(Reason::new(
            Code::NotAReceipt,
            "no receipt text was found: photograph the whole receipt, print side up",
        ));
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::synthetic::{map, Scene};
    use crate::image::{prepare, PrepareSettings};
    use image::DynamicImage;

    fn quality_of(gray: GrayImage) -> Quality {
        prepare(&DynamicImage::ImageLuma8(gray), &PrepareSettings::default()).quality
    }

    fn codes(quality: &Quality) -> Vec<Code> {
        assess(quality, &QualityThresholds::default())
            .into_iter()
            .map(|r| r.code)
            .collect()
    }

    fn clean_receipt() -> GrayImage {
        Scene::photo(40, 3.0).render()
    }

    #[test]
    fn clean_receipt_passes() {
        let quality = quality_of(clean_receipt());
        assert_eq!(codes(&quality), vec![], "{quality:?}");
        assert!(
            quality.brightness >= 200.0 && quality.glare == 0.0,
            "{quality:?}"
        );
    }

    #[test]
    fn clean_scan_with_clipped_white_paper_passes() {
        let quality = quality_of(map(&Scene::scan(900, 1200, 30).render(), |p| {
            p.saturating_add(10)
        }));
        assert_eq!(codes(&quality), vec![], "{quality:?}");
    }

    #[test]
    fn blurred_copy_is_blurry() {
        let sharp = quality_of(clean_receipt());
        let blurred = quality_of(image::imageops::blur(&clean_receipt(), 6.0));
        assert!(
            blurred.sharpness < sharp.sharpness / 10.0,
            "{sharp:?} {blurred:?}"
        );
        assert_eq!(codes(&blurred), vec![Code::Blurry], "{blurred:?}");
    }

    #[test]
    fn veiled_copy_is_glare() {
        // Reflected light adds to every pixel: paper clips, print turns light gray.
        let veiled = quality_of(map(&clean_receipt(), |p| p.saturating_add(190)));
        assert!(codes(&veiled).contains(&Code::Glare), "{veiled:?}");
    }

    #[test]
    fn glare_spot_on_a_photo_is_glare() {
        let mut gray = clean_receipt();
        let (w, h) = gray.dimensions();
        for (x, y, p) in gray.enumerate_pixels_mut() {
            let (dx, dy) = (x as f32 - w as f32 / 2.0, y as f32 - h as f32 / 2.0);
            if dx * dx + dy * dy < (0.3 * w as f32).powi(2) {
                p[0] = 255;
            }
        }
        let quality = quality_of(gray);
        assert!(quality.glare > 0.3, "{quality:?}");
        assert!(codes(&quality).contains(&Code::Glare));
    }

    #[test]
    fn dark_copy_is_too_dark() {
        let dark = quality_of(map(&clean_receipt(), |p| p / 4));
        assert_eq!(codes(&dark).first(), Some(&Code::TooDark), "{dark:?}");
    }

    #[test]
    fn tiny_image_is_too_small() {
        let tiny = image::imageops::resize(
            &clean_receipt(),
            150,
            180,
            image::imageops::FilterType::Triangle,
        );
        assert_eq!(codes(&quality_of(tiny)).first(), Some(&Code::TooSmall));
    }

    #[test]
    fn receipt_far_from_the_camera_is_too_small() {
        // A full-size photo in which the print is 7 px tall.
        let scene = Scene {
            table: (1600, 1600),
            paper: (260, 400),
            ..Scene::photo(7, 0.0)
        };
        let quality = quality_of(scene.render());
        assert!(
            quality.text_height > 0.0 && quality.text_height < 9.0,
            "{quality:?}"
        );
        assert_eq!(codes(&quality).first(), Some(&Code::TooSmall));
    }

    #[test]
    fn no_legible_words_is_not_a_receipt_but_only_when_nothing_else_is_wrong() {
        let mut quality = quality_of(clean_receipt());
        quality.words = Some(2);
        assert_eq!(codes(&quality), vec![Code::NotAReceipt]);
        quality.words = Some(40);
        assert_eq!(codes(&quality), vec![]);
        quality.words = Some(0);
        quality.sharpness = 1.0;
        assert_eq!(
            codes(&quality),
            vec![Code::Blurry],
            "a blurry receipt is still one"
        );
    }

    #[test]
    fn legible_words_need_two_alphanumerics_and_confidence() {
        assert!(is_legible_word("TOTAL", 90.0));
        assert!(is_legible_word("12,40", 70.0));
        assert!(!is_legible_word("~", 95.0));
        assert!(!is_legible_word("a.", 95.0));
        assert!(!is_legible_word("TOTAL", 20.0));
    }

    #[test]
    fn thresholds_default_when_a_campaign_sets_only_some() {
        let thresholds: QualityThresholds = toml::from_str("min_sharpness = 10.0").unwrap();
        assert_eq!(thresholds.min_sharpness, 10.0);
        assert_eq!(thresholds.min_words, QualityThresholds::default().min_words);
        assert!(toml::from_str::<QualityThresholds>("min_sharpnes = 1.0").is_err());
    }

    #[test]
    fn quality_recorded_before_text_fields_existed_still_reads() {
        let old = r#"{"width":10,"height":10,"sharpness":1.0,"glare":0.0,"brightness":200.0}"#;
        let quality: Quality = serde_json::from_str(old).unwrap();
        assert_eq!((quality.text_height, quality.words), (0.0, None));
    }
}
