//! Decoding under limits: a hostile or broken file must never make fidelio allocate gigabytes.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use super::truncation::JpegLayout;
use super::ImageError;

const END_OF_IMAGE: [u8; 2] = [0xFF, 0xD9];
use crate::ingest::ImageKind;

/// Upper bounds checked before any pixel buffer is allocated.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    pub max_width: u32,
    pub max_height: u32,
    /// Width × height the header may declare.
    pub max_pixels: u64,
    /// Bytes the decoder may allocate.
    pub max_alloc: u64,
    /// Bytes the file may have; larger files are refused unread.
    pub max_file_bytes: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        use crate::defaults as d;
        DecodeLimits {
            max_width: d::DECODE_MAX_SIDE,
            max_height: d::DECODE_MAX_SIDE,
            max_pixels: d::DECODE_MAX_PIXELS,
            max_alloc: d::DECODE_MAX_ALLOC,
            max_file_bytes: d::DECODE_MAX_FILE_BYTES,
        }
    }
}

impl DecodeLimits {
    /// The header's `width` × `height` within the budget, or why not.
    pub(super) fn check(&self, width: u64, height: u64) -> Result<(), ImageError> {
        let pixels = width * height;
        if pixels > self.max_pixels {
            return Err(ImageError::TooLarge(format!(
                "{width}×{height} is {:.1} megapixels; pictures over {} are refused \
                 (--max-megapixels)",
                pixels as f64 / 1e6,
                self.max_pixels as f64 / 1e6
            )));
        }
        if width > u64::from(self.max_width) || height > u64::from(self.max_height) {
            return Err(ImageError::TooLarge(format!(
                "{width}×{height}: sides over {} pixels are refused",
                self.max_width.max(self.max_height)
            )));
        }
        Ok(())
    }
}

/// Decode `bytes` of a sniffed `kind`, applying the EXIF orientation.
pub fn decode(
    bytes: &[u8],
    kind: ImageKind,
    limits: DecodeLimits,
) -> Result<DynamicImage, ImageError> {
    let Some(format) = kind.as_image_format() else {
        return decode_gray(bytes, kind, limits).map(DynamicImage::ImageLuma8);
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(to_image_error)?;
    let (width, height) = decoder.dimensions();
    limits.check(width.into(), height.into())?;
    if decoder.total_bytes() > limits.max_alloc {
        return Err(ImageError::TooLarge(format!(
            "{width}×{height} {:?} needs {} MB to decode; the budget is {} MB",
            decoder.color_type(),
            decoder.total_bytes() / 1_000_000,
            limits.max_alloc / 1_000_000
        )));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(to_image_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Decode `bytes` of a sniffed `kind` straight to gray, applying the EXIF orientation.
///
/// A colour JPEG gives its luma plane without ever holding its colour pixels: a 35-MP
/// flatbed scan then needs 35 MB instead of 105 MB of RGB and the 35 MB of gray made from it
/// (at `-j2`, two of those at once were most of the peak memory), and its colour planes are
/// not decoded at all. The gray is the JPEG's own luma (Rec. 601 weights) where the generic
/// path weighs RGB by Rec. 709: the same on gray paper and black ink. A TIFF of several pages
/// gives them all, stacked (`tiff_pages`). Other formats and any file the JPEG decoder refuses
/// go the generic way, which gives the reason.
pub fn decode_gray(
    bytes: &[u8],
    kind: ImageKind,
    limits: DecodeLimits,
) -> Result<GrayImage, ImageError> {
    if kind == ImageKind::Jpeg {
        if let Some(gray) = jpeg_luma(bytes, limits) {
            return gray;
        }
    }
    match kind {
        ImageKind::Heif => return super::heif::decode_gray(bytes, limits),
        ImageKind::Pdf => return super::pdf::scanned_pages(bytes, limits),
        _ => {}
    }
    if kind == ImageKind::Tiff {
        if let Some(offsets) = super::tiff_pages::page_offsets(bytes).filter(|o| o.len() > 1) {
            return super::tiff_pages::decode_pages(bytes, &offsets, limits, on_white);
        }
    }
    Ok(on_white(decode(bytes, kind, limits)?))
}

/// Gray of `image`, transparent parts laid on white paper. Dropping the alpha channel, as a
/// plain conversion does, turns the transparent background of a PNG screenshot or cut-out into
/// the black its colour channels usually hold: a page read as `TOO_DARK`.
fn on_white(image: DynamicImage) -> GrayImage {
    if !image.color().has_alpha() {
        return image.into_luma8();
    }
    let rgba = image.into_rgba8();
    GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        // Rec. 709 luma, as `into_luma8` weighs colour.
        let luma = (2126 * u32::from(r) + 7152 * u32::from(g) + 722 * u32::from(b)) / 10_000;
        let alpha = u32::from(a);
        image::Luma([((luma * alpha + 255 * (255 - alpha)) / 255) as u8])
    })
}

/// The gray of a JPEG within `limits`, upright; `None` when this decoder cannot read its
/// header (the generic path then gives the reason). A YCbCr or gray JPEG gives its luma plane;
/// another colour space (CMYK and YCCK from print workflows, Adobe RGB) is decoded to RGB and
/// weighed like the generic path.
///
/// The scan data of a baseline JPEG is decoded strictly and without its end-of-image marker,
/// so it must hold every block of the picture by itself: a JPEG cut mid-upload with `FF D9`
/// appended (which passes `ensure_complete`) runs out of data and is `Corrupt`, where a
/// lenient decoder fills the missing half with gray and OCR reads the top half as the receipt.
/// Measured on the 378 SROIE receipts and the samples: every whole file decodes this way, and
/// the same files cut at half with `FF D9` appended all fail. A progressive JPEG needs its end
/// marker to finish decoding, and a cut one decodes whole anyway (blurred): its completeness
/// is checked on its scan headers (`truncation`).
fn jpeg_luma(bytes: &[u8], limits: DecodeLimits) -> Option<Result<GrayImage, ImageError>> {
    let progressive = JpegLayout::read(bytes).is_some_and(|layout| layout.progressive);
    let end = if progressive {
        bytes.len()
    } else {
        bytes
            .windows(2)
            .rposition(|w| w == END_OF_IMAGE)
            .unwrap_or(bytes.len())
    };
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(limits.max_width as usize)
        .set_max_height(limits.max_height as usize);
    let mut decoder =
        zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(&bytes[..end]), options);
    decoder.decode_headers().ok()?;
    let luma = matches!(
        decoder.input_colorspace()?,
        ColorSpace::YCbCr | ColorSpace::Luma
    );
    let (width, height) = decoder.dimensions()?;
    // Over budget: the generic path refuses it with the reason, from the header alone.
    limits.check(width as u64, height as u64).ok()?;
    let out = if luma {
        ColorSpace::Luma
    } else {
        ColorSpace::RGB
    };
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(out));
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        Err(e) => {
            return Some(Err(ImageError::Corrupt(format!(
                "JPEG data ends before the picture does ({e}): a cut upload"
            ))))
        }
    };
    let orientation = decoder
        .exif()
        .and_then(|exif| image::metadata::Orientation::from_exif_chunk(exif))
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = if luma {
        DynamicImage::ImageLuma8(GrayImage::from_raw(width as u32, height as u32, pixels)?)
    } else {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(
            width as u32,
            height as u32,
            pixels,
        )?)
    };
    image.apply_orientation(orientation);
    Some(Ok(image.into_luma8()))
}

fn to_image_error(err: image::ImageError) -> ImageError {
    use image::error::ImageError as E;
    match err {
        E::Limits(l) => ImageError::TooLarge(l.to_string()),
        E::Unsupported(u) => ImageError::Unsupported(u.to_string()),
        other => ImageError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::GrayImage::from_pixel(width, height, image::Luma([255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    /// Transparent PNGs (screenshots, cut-outs) were read as black pages: their transparent
    /// pixels hold black. They are laid on white.
    #[test]
    fn regression_transparent_parts_are_white_paper_not_black() {
        let img = image::RgbaImage::from_fn(20, 10, |x, _| {
            if x < 5 {
                image::Rgba([0, 0, 0, 255]) // opaque black print
            } else {
                image::Rgba([0, 0, 0, 0]) // transparent
            }
        });
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        let gray = decode_gray(&bytes, ImageKind::Png, DecodeLimits::default()).unwrap();
        assert_eq!(gray.get_pixel(0, 0).0[0], 0);
        assert_eq!(gray.get_pixel(10, 0).0[0], 255);
    }

    #[test]
    fn decodes_a_valid_png() {
        let img = decode(&png(40, 30), ImageKind::Png, DecodeLimits::default()).unwrap();
        assert_eq!((img.width(), img.height()), (40, 30));
    }

    #[test]
    fn truncated_file_is_corrupt_not_a_panic() {
        let bytes = png(40, 30);
        let err = decode(
            &bytes[..bytes.len() / 2],
            ImageKind::Png,
            DecodeLimits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
    }

    fn jpeg(image: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn a_colour_jpeg_decodes_to_the_gray_of_the_generic_path() {
        // Dark red ink on cream paper: the luma plane and the RGB-then-gray path agree
        // within a few levels.
        let rgb = image::RgbImage::from_fn(64, 48, |x, _| {
            if x < 32 {
                image::Rgb([150, 20, 20])
            } else {
                image::Rgb([250, 245, 230])
            }
        });
        let bytes = jpeg(&DynamicImage::ImageRgb8(rgb));
        let fast = decode_gray(&bytes, ImageKind::Jpeg, DecodeLimits::default()).unwrap();
        let generic = decode(&bytes, ImageKind::Jpeg, DecodeLimits::default())
            .unwrap()
            .into_luma8();
        assert_eq!(fast.dimensions(), generic.dimensions());
        for (a, b) in fast.pixels().zip(generic.pixels()) {
            assert!(a.0[0].abs_diff(b.0[0]) <= 12, "{} vs {}", a.0[0], b.0[0]);
        }
    }

    #[test]
    fn a_broken_jpeg_gets_the_generic_reason() {
        let bytes = jpeg(&DynamicImage::ImageLuma8(GrayImage::from_pixel(
            40,
            30,
            image::Luma([128]),
        )));
        let err = decode_gray(&bytes[..20], ImageKind::Jpeg, DecodeLimits::default()).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
        let limits = DecodeLimits {
            max_width: 10,
            max_height: 10,
            max_alloc: 1 << 20,
            ..DecodeLimits::default()
        };
        let err = decode_gray(&bytes, ImageKind::Jpeg, limits).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge(_)), "{err:?}");
    }

    #[test]
    fn absurd_dimensions_are_refused_before_allocating() {
        let limits = DecodeLimits {
            max_width: 100,
            max_height: 100,
            max_alloc: 1 << 20,
            ..DecodeLimits::default()
        };
        let err = decode(&png(400, 30), ImageKind::Png, limits).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge(_)), "{err:?}");
    }

    /// A page of varied print, so half of its scan data is half of the picture.
    fn noisy_page() -> DynamicImage {
        DynamicImage::ImageLuma8(image::GrayImage::from_fn(160, 240, |x, y| {
            image::Luma([((x * 37 + y * 91 + (x * y) % 29) % 251) as u8])
        }))
    }

    #[test]
    fn regression_a_cut_jpeg_with_an_end_marker_appended_is_corrupt() {
        let whole = jpeg(&noisy_page());
        assert!(decode_gray(&whole, ImageKind::Jpeg, DecodeLimits::default()).is_ok());
        let mut cut = whole[..whole.len() / 2].to_vec();
        cut.extend_from_slice(&END_OF_IMAGE);
        let err = decode_gray(&cut, ImageKind::Jpeg, DecodeLimits::default()).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn pictures_over_the_pixel_budget_are_refused_from_their_header() {
        let limits = DecodeLimits {
            max_pixels: 1_000,
            ..DecodeLimits::default()
        };
        for (bytes, kind) in [
            (png(40, 30), ImageKind::Png),
            (jpeg(&noisy_page()), ImageKind::Jpeg),
        ] {
            assert!(decode_gray(&bytes, kind, DecodeLimits::default()).is_ok());
            let err = decode_gray(&bytes, kind, limits).unwrap_err();
            assert!(matches!(err, ImageError::TooLarge(_)), "{err:?}");
        }
    }

    fn hostile(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/hostile/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn cut_in_half(bytes: &[u8]) -> Vec<u8> {
        let mut cut = bytes[..bytes.len() / 2].to_vec();
        cut.extend_from_slice(&END_OF_IMAGE);
        cut
    }

    /// Issue 20: a whole progressive JPEG was `CORRUPT_IMAGE` ("JPEG data ends before the
    /// picture does"): its scans were decoded without the end marker they need.
    #[test]
    fn regression_a_whole_progressive_jpeg_decodes() {
        let bytes = hostile("progressive.jpg");
        let gray = decode_gray(&bytes, ImageKind::Jpeg, DecodeLimits::default()).unwrap();
        let generic = decode(&bytes, ImageKind::Jpeg, DecodeLimits::default()).unwrap();
        assert_eq!(gray.dimensions(), generic.into_luma8().dimensions());
    }

    /// Issue 20: a CMYK JPEG went the lenient generic way, so one cut at half with `FF D9`
    /// appended was decided on its top half.
    #[test]
    fn regression_a_cmyk_jpeg_cut_short_is_corrupt_and_a_whole_one_reads_as_before() {
        let bytes = hostile("cmyk.jpg");
        let gray = decode_gray(&bytes, ImageKind::Jpeg, DecodeLimits::default()).unwrap();
        let generic = decode(&bytes, ImageKind::Jpeg, DecodeLimits::default())
            .unwrap()
            .into_luma8();
        assert_eq!(gray.dimensions(), generic.dimensions());
        let differ = gray
            .pixels()
            .zip(generic.pixels())
            .filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > 2)
            .count();
        assert_eq!(differ, 0);
        let err = decode_gray(
            &cut_in_half(&bytes),
            ImageKind::Jpeg,
            DecodeLimits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
    }
}
