//! Decoding under limits: a hostile or broken file must never make fidelio allocate gigabytes.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};

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
        // 100 MP covers any phone or flatbed at 600 dpi; beyond that it is not a receipt photo.
        DecodeLimits {
            max_width: 20_000,
            max_height: 20_000,
            max_alloc: 512 * 1024 * 1024,
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
