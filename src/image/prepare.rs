//! Preparing pixels for OCR: grayscale, crop to the receipt, deskew, scale, white border.
//!
//! The steps are decided on a small overview (where is the print, how is it tilted, how tall
//! are its capitals) and then applied to the full-resolution source in one resampling pass, so
//! a 12-MP photo is read once at full size and interpolated once.

use image::{DynamicImage, GrayImage};

use super::ink::Blob;
use super::layout::Layout;
use super::overview::Overview;
use super::quality::{measure, Measured, Quality};
use super::warp::{render, Frame, OutsideMap, Warp};

/// Settings that change the pixels handed to the OCR engine (part of the OCR cache key).
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareSettings {
    /// Capital heights (source pixels) in this range are left at their size: resampling would
    /// only blur them.
    pub min_text_height: f32,
    pub max_text_height: f32,
    /// Capital height that larger print is shrunk to.
    pub target_text_height: f32,
    /// Small print is enlarged to `min_text_height`, but never by more than this.
    pub max_upscale: f32,
    /// Longest side of the output; larger results are shrunk (also when no text was found).
    pub max_side: u32,
    /// Shrinking never makes the receipt narrower than this (a receipt line is 25 capitals or
    /// more): on a blurred photo merged lines can look like huge print, and shrinking by that
    /// would turn the page into a thumbnail.
    pub min_width: u32,
    /// Skew below this (degrees) is left alone: rotating costs a resampling blur.
    pub min_skew_degrees: f32,
    /// White border added on every side, in pixels.
    pub border: u32,
}

impl Default for PrepareSettings {
    fn default() -> Self {
        PrepareSettings {
            min_text_height: 25.0,
            max_text_height: 35.0,
            target_text_height: 30.0,
            max_upscale: 2.0,
            max_side: 4000,
            min_width: 600,
            min_skew_degrees: 0.3,
            border: 16,
        }
    }
}

impl PrepareSettings {
    /// A short stable description for the OCR cache key and the engine settings record.
    pub fn fingerprint(&self) -> String {
        format!(
            "v{}-text{}-{}-{}-up{}-max{}-min{}-skew{}-b{}",
            super::PREPARE_VERSION,
            self.min_text_height,
            self.target_text_height,
            self.max_text_height,
            self.max_upscale,
            self.max_side,
            self.min_width,
            self.min_skew_degrees,
            self.border
        )
    }

    /// Output pixels per source pixel for print whose capitals are `text_height` source pixels
    /// (0: unknown, then only the size limit applies).
    fn scale_for(&self, text_height: f32) -> f32 {
        if text_height <= 0.0 {
            1.0
        } else if text_height > self.max_text_height {
            self.target_text_height / text_height
        } else if text_height < self.min_text_height {
            (self.min_text_height / text_height).min(self.max_upscale)
        } else {
            1.0
        }
    }
}

/// What preparation did, for tests and diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// Rotation applied to straighten the print (degrees; 0 when none).
    pub skew_degrees: f32,
    /// Output pixels per source pixel.
    pub scale: f32,
    /// The region of the source kept, in the straightened frame (source pixels).
    pub frame: Frame,
}

/// Pixels ready for OCR plus what was measured on the way.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub gray: GrayImage,
    pub quality: Quality,
    pub geometry: Geometry,
}

pub fn prepare(image: &DynamicImage, settings: &PrepareSettings) -> Prepared {
    let gray = to_gray(image);
    let source = gray.dimensions();
    let overview = Overview::of(&gray);
    let layout = Layout::find(&overview.image);
    let factor = overview.factor as f32;
    let text_height = layout.text_height * factor;

    let mut angle = layout.skew;
    if angle.to_degrees().abs() < settings.min_skew_degrees {
        angle = 0.0;
    }
    let frame = receipt_frame(&layout, factor, angle, source);
    let scale = bounded_scale(settings.scale_for(text_height), &frame, settings);
    let warp = Warp::new(frame, angle, scale);
    let outside = layout.outside.as_ref().map(|outside| OutsideMap {
        outside,
        factor: overview.factor,
    });
    let mut rendered = render(&gray, &warp, outside.as_ref());
    let ink = glyph_ink(&gray, &layout.glyphs, overview.factor);
    // Quality is never judged on interpolated pixels: enlarging small print smooths edges, and
    // the photo would be called blurry for being small (TOO_SMALL says that).
    let unenlarged =
        (scale > 1.0).then(|| render(&gray, &Warp::new(frame, angle, 1.0), outside.as_ref()));
    drop(gray);
    let (measured, measured_scale) = match &unenlarged {
        Some(plain) => (plain, 1.0),
        None => (&rendered, scale),
    };
    let quality = measure(
        &Measured {
            image: &measured.image,
            valid: &measured.valid,
            text_height: text_height * measured_scale,
            ink: &ink,
        },
        source,
        text_height,
    );
    drop(unenlarged);
    rendered.whiten_invalid();
    Prepared {
        gray: pad(&rendered.image, settings.border),
        quality,
        geometry: Geometry {
            skew_degrees: angle.to_degrees(),
            scale,
            frame,
        },
    }
}

/// The darkest source pixel under each glyph: how dark the print really is, which the
/// overview's averaging hides for thin strokes.
fn glyph_ink(gray: &GrayImage, glyphs: &[Blob], factor: u32) -> Vec<u8> {
    let (width, height) = gray.dimensions();
    let raw = gray.as_raw();
    glyphs
        .iter()
        .map(|glyph| {
            let (x0, x1) = (glyph.x0 * factor, (glyph.x1 * factor).min(width));
            let (y0, y1) = (glyph.y0 * factor, (glyph.y1 * factor).min(height));
            (y0..y1)
                .flat_map(|y| raw[(y * width + x0) as usize..(y * width + x1) as usize].iter())
                .copied()
                .min()
                .unwrap_or(255)
        })
        .collect()
}

/// Grayscale by Rec. 601 luma in integer arithmetic. The image crate's own conversion goes
/// through colour-space-aware float code and cost more than all of our analysis on an 8-bit
/// photo; other pixel types (16-bit, float) are rare enough to leave to it.
fn to_gray(image: &DynamicImage) -> GrayImage {
    let from_channels = |raw: &[u8], channels: usize| -> Vec<u8> {
        raw.chunks_exact(channels)
            .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8) as u8)
            .collect()
    };
    let (width, height) = (image.width(), image.height());
    let luma = match image {
        DynamicImage::ImageLuma8(gray) => return gray.clone(),
        DynamicImage::ImageRgb8(rgb) => from_channels(rgb.as_raw(), 3),
        DynamicImage::ImageRgba8(rgba) => from_channels(rgba.as_raw(), 4),
        other => return other.to_luma8(),
    };
    GrayImage::from_raw(width, height, luma).expect("one luma byte per pixel")
}

/// The region to keep, in the frame straightened by `angle` (source pixels): around the text
/// with a margin of two capital heights, or the whole image when no text was found.
fn receipt_frame(layout: &Layout, factor: f32, angle: f32, source: (u32, u32)) -> Frame {
    if !layout.has_text() {
        return Frame {
            left: 0.0,
            top: 0.0,
            right: source.0 as f32,
            bottom: source.1 as f32,
        };
    }
    let (sin, cos) = angle.sin_cos();
    let straighten = |x: f32, y: f32| (x * cos + y * sin, -x * sin + y * cos);
    let mut frame = Frame {
        left: f32::MAX,
        top: f32::MAX,
        right: f32::MIN,
        bottom: f32::MIN,
    };
    for glyph in &layout.glyphs {
        let corners = [
            (glyph.x0, glyph.y0),
            (glyph.x1, glyph.y0),
            (glyph.x0, glyph.y1),
            (glyph.x1, glyph.y1),
        ];
        for (x, y) in corners {
            let (u, v) = straighten(x as f32 * factor, y as f32 * factor);
            frame.left = frame.left.min(u);
            frame.top = frame.top.min(v);
            frame.right = frame.right.max(u);
            frame.bottom = frame.bottom.max(v);
        }
    }
    let margin = 2.0 * layout.text_height * factor;
    Frame {
        left: (frame.left - margin).floor(),
        top: (frame.top - margin).floor(),
        right: (frame.right + margin).ceil(),
        bottom: (frame.bottom + margin).ceil(),
    }
}

/// `scale`, raised when shrinking would make the receipt narrower than `min_width` and
/// reduced when the output would exceed `max_side`.
fn bounded_scale(scale: f32, frame: &Frame, settings: &PrepareSettings) -> f32 {
    let width = frame.right - frame.left;
    let longest = width.max(frame.bottom - frame.top);
    let narrowest_shrink = (settings.min_width as f32 / width).min(1.0);
    let scale = scale.max(narrowest_shrink);
    scale.min(settings.max_side as f32 / longest)
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
    use crate::image::synthetic::{map, Scene};

    fn prepared(gray: GrayImage) -> Prepared {
        prepare(&DynamicImage::ImageLuma8(gray), &PrepareSettings::default())
    }

    /// Rows of the prepared image (border excluded) that hold no print at all.
    fn blank_rows(gray: &GrayImage) -> usize {
        (0..gray.height())
            .filter(|&y| (0..gray.width()).all(|x| gray.get_pixel(x, y)[0] > 128))
            .count()
    }

    #[test]
    fn rotated_receipt_on_a_table_is_cropped_straightened_and_scaled() {
        let scene = Scene::photo(42, 6.0);
        let out = prepared(scene.render());

        assert!(
            (out.geometry.skew_degrees - 6.0).abs() < 0.4,
            "{:?}",
            out.geometry
        );
        assert!(
            (out.quality.text_height - 42.0).abs() <= 4.0,
            "{:?}",
            out.quality
        );
        // Capitals of 42 px are brought to the 30 px target.
        let capitals = out.quality.text_height * out.geometry.scale;
        assert!((capitals - 30.0).abs() <= 2.0, "capitals {capitals}");
        // Cropped to the print: the paper's print area plus margins, scaled, not the table.
        let print_width = (scene.paper.0 - 2 * scene.margin()) as f32 * out.geometry.scale;
        let width = out.gray.width() as f32;
        assert!(
            width > print_width && width < print_width * 1.5,
            "width {width}, print {print_width}"
        );
        // No table left: the outermost rows and columns inside the border are paper.
        let border = PrepareSettings::default().border;
        let (w, h) = (
            out.gray.width() - 2 * border,
            out.gray.height() - 2 * border,
        );
        let edge_dark = (0..w)
            .flat_map(|x| [(x, 0), (x, h - 1)])
            .chain((0..h).flat_map(|y| [(0, y), (w - 1, y)]))
            .filter(|&(x, y)| out.gray.get_pixel(x + border, y + border)[0] < 200)
            .count();
        assert_eq!(edge_dark, 0);
        // Straight lines of print leave blank rows between them; tilted ones would not.
        let lines = (scene.paper.1 - 2 * scene.margin()) / scene.line_pitch();
        assert!(
            blank_rows(&out.gray) as f32
                > lines as f32
                    * (scene.line_pitch() - scene.text_height) as f32
                    * out.geometry.scale
                    * 0.6,
            "blank rows {}",
            blank_rows(&out.gray)
        );
    }

    #[test]
    fn straight_scan_at_a_good_size_is_copied_not_resampled() {
        let scene = Scene::scan(700, 900, 30);
        let gray = scene.render();
        let out = prepared(gray.clone());
        assert_eq!(out.geometry.skew_degrees, 0.0);
        assert_eq!(out.geometry.scale, 1.0);
        let frame = out.geometry.frame;
        let (left, top) = (frame.left as i64, frame.top as i64);
        let border = PrepareSettings::default().border as i64;
        for (x, y, p) in out.gray.enumerate_pixels() {
            let (sx, sy) = (x as i64 - border + left, y as i64 - border + top);
            let inside = sx >= 0 && sy >= 0 && sx < 700 && sy < 900;
            if inside && (x as i64) >= border && (y as i64) >= border {
                assert_eq!(p[0], gray.get_pixel(sx as u32, sy as u32)[0], "at {x},{y}");
            }
        }
    }

    #[test]
    fn small_print_is_enlarged_but_never_more_than_twice() {
        let out = prepared(Scene::scan(500, 700, 20).render());
        assert!(
            (out.geometry.scale - 1.25).abs() < 0.1,
            "{:?}",
            out.geometry
        );
        let out = prepared(Scene::scan(300, 400, 8).render());
        assert_eq!(out.geometry.scale, 2.0);
    }

    #[test]
    fn huge_print_is_shrunk_to_the_target() {
        let out = prepared(Scene::scan(2400, 3000, 90).render());
        let capitals = out.quality.text_height * out.geometry.scale;
        assert!((capitals - 30.0).abs() <= 3.0, "{:?}", out.geometry);
    }

    #[test]
    fn blank_and_degenerate_images_never_panic() {
        for (w, h) in [(0, 0), (1, 1), (5000, 3), (3, 5000), (40, 40)] {
            let out = prepared(GrayImage::from_pixel(w, h, image::Luma([255])));
            assert_eq!(out.quality.text_height, 0.0);
            assert!(out.gray.width() >= 1 && out.gray.height() >= 1);
        }
        let noise = GrayImage::from_fn(300, 300, |x, y| {
            image::Luma([((x * 31 + y * 17) % 256) as u8])
        });
        prepared(noise);
    }

    #[test]
    fn colour_images_become_gray_by_luma() {
        let rgb = image::RgbImage::from_pixel(4, 4, image::Rgb([255, 0, 0]));
        let gray = to_gray(&DynamicImage::ImageRgb8(rgb));
        assert_eq!(gray.get_pixel(0, 0)[0], 77);
    }

    #[test]
    fn dark_table_does_not_count_as_print_or_paper() {
        // The same receipt, photographed on a table or scanned alone, measures alike.
        let scene = Scene::photo(40, 0.0);
        let photo = prepared(scene.render());
        let alone = prepared(map(&scene.render(), |p| {
            if p < 100 && p > 50 {
                230
            } else {
                p
            }
        }));
        assert!((photo.quality.brightness - alone.quality.brightness).abs() < 5.0);
    }
}
