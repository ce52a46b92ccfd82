//! Decoding under limits: a hostile or broken file must never make fidelio allocate gigabytes.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use super::ImageError;
use crate::ingest::ImageKind;

/// Upper bounds checked before any pixel buffer is allocated.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    pub max_width: u32,
    pub max_height: u32,
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_width: crate::defaults::DECODE_MAX_SIDE,
            max_height: crate::defaults::DECODE_MAX_SIDE,
            max_alloc: crate::defaults::DECODE_MAX_ALLOC,
        }
    }
}

/// Decode `bytes` of a sniffed `kind`, applying the EXIF orientation.
pub fn decode(
    bytes: &[u8],
    kind: ImageKind,
    limits: DecodeLimits,
) -> Result<DynamicImage, ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.as_image_format());
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(to_image_error)?;
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
/// path weighs RGB by Rec. 709: the same on gray paper and black ink. Other formats, CMYK
/// JPEGs and any file the JPEG decoder refuses go the generic way, which gives the reason.
pub fn decode_gray(
    bytes: &[u8],
    kind: ImageKind,
    limits: DecodeLimits,
) -> Result<GrayImage, ImageError> {
    if kind == ImageKind::Jpeg {
        if let Some(gray) = jpeg_luma(bytes, limits) {
            return Ok(gray);
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

/// The luma plane of a YCbCr or gray JPEG within `limits`, upright; `None` when this
/// decoder cannot give it.
fn jpeg_luma(bytes: &[u8], limits: DecodeLimits) -> Option<GrayImage> {
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(limits.max_width as usize)
        .set_max_height(limits.max_height as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().ok()?;
    if !matches!(
        decoder.input_colorspace()?,
        ColorSpace::YCbCr | ColorSpace::Luma
    ) {
        return None;
    }
    let (width, height) = decoder.dimensions()?;
    if (width as u64) * (height as u64) > limits.max_alloc {
        return None;
    }
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(ColorSpace::Luma));
    let pixels = decoder.decode().ok()?;
    let orientation = decoder
        .exif()
        .and_then(|exif| image::metadata::Orientation::from_exif_chunk(exif))
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let gray = GrayImage::from_raw(width as u32, height as u32, pixels)?;
    let mut image = DynamicImage::ImageLuma8(gray);
    image.apply_orientation(orientation);
    Some(image.into_luma8())
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
        };
        let err = decode(&png(400, 30), ImageKind::Png, limits).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge(_)), "{err:?}");
    }
}
