//! HEIC/HEIF photos (iPhones save them by default; Android phones can), decoded by the
//! system's libheif to their luma plane.
//!
//! The picture's size is read from its header (`ispe`) and checked against the budget before
//! anything is decoded; libheif then applies the file's own rotation, mirroring and cropping
//! (`irot`, `imir`, `clap`), as the EXIF orientation is applied to a JPEG. A 10-bit photo is
//! brought to 8 bits by libheif. The gray is HEVC's own luma plane, as for a JPEG; a picture
//! stored without one (uncompressed RGB) is refused with the reason. A file cut short
//! fails in the HEVC decoder or in libheif's box parser: `Corrupt`, never half a picture.

use image::GrayImage;
use libheif_rs::{
    Chroma, ColorSpace, DecodingOptions, HeifContext, Image, ImageHandle, LibHeif, RgbChroma,
};

use super::decode::DecodeLimits;
use super::ImageError;

/// The luma of the primary image of a HEIF file, upright, within `limits`.
pub fn decode_gray(bytes: &[u8], limits: DecodeLimits) -> Result<GrayImage, ImageError> {
    let lib = LibHeif::new();
    let context = HeifContext::read_from_bytes(bytes)
        .map_err(|e| ImageError::Corrupt(format!("HEIF container: {}", e.message)))?;
    let handle = context
        .primary_image_handle()
        .map_err(|e| ImageError::Corrupt(format!("HEIF without a picture: {}", e.message)))?;
    limits.check(handle.width().into(), handle.height().into())?;
    // HEVC stores 4:2:0 YCbCr: its luma plane is taken as it is. Anything else (4:4:4, a
    // monochrome or uncompressed picture) goes through libheif's conversion to RGB, weighed
    // like the generic path (libheif 1.15 converts nothing to monochrome).
    let luma = decode(&lib, &handle, ColorSpace::YCbCr(Chroma::C420)).and_then(|p| luma_of(&p));
    match luma {
        Ok(gray) => Ok(gray),
        Err(_) => {
            let picture = decode(&lib, &handle, ColorSpace::Rgb(RgbChroma::Rgb))?;
            rgb_gray(&picture)
        }
    }
}

fn decode(lib: &LibHeif, handle: &ImageHandle, space: ColorSpace) -> Result<Image, ImageError> {
    let mut options = DecodingOptions::new()
        .ok_or_else(|| ImageError::Unsupported("libheif could not allocate its options".into()))?;
    options.set_convert_hdr_to_8bit(true);
    options.set_strict_decoding(true);
    lib.decode(handle, space, Some(options))
        .map_err(|e| ImageError::Corrupt(format!("HEIF picture: {}", e.message)))
}

/// The 8-bit plane `plane` of `width` × `height` samples of `channels` bytes each, rows
/// `stride` apart, as gray through `gray`.
fn gray_of(
    plane: Option<libheif_rs::Plane<&[u8]>>,
    channels: usize,
    gray: impl Fn(&[u8]) -> u8,
) -> Result<GrayImage, ImageError> {
    let plane =
        plane.ok_or_else(|| ImageError::Corrupt("HEIF picture without its plane".into()))?;
    if plane.storage_bits_per_pixel as usize != 8 * channels {
        return Err(ImageError::Unsupported(format!(
            "HEIF plane of {} bits a pixel",
            plane.storage_bits_per_pixel
        )));
    }
    let (width, height) = (plane.width as usize, plane.height as usize);
    let mut out = Vec::with_capacity(width * height);
    for row in plane.data.chunks(plane.stride.max(1)).take(height) {
        let row = row
            .get(..width * channels)
            .ok_or_else(|| ImageError::Corrupt("HEIF plane shorter than its width".into()))?;
        out.extend(row.chunks_exact(channels).map(&gray));
    }
    GrayImage::from_raw(width as u32, height as u32, out)
        .ok_or_else(|| ImageError::Corrupt("HEIF plane shorter than its height".into()))
}

fn luma_of(picture: &Image) -> Result<GrayImage, ImageError> {
    gray_of(picture.planes().y, 1, |p| p[0])
}

fn rgb_gray(picture: &Image) -> Result<GrayImage, ImageError> {
    // Rec. 709, as the generic decoder weighs colour.
    gray_of(picture.planes().interleaved, 3, |p| {
        ((2126 * u32::from(p[0]) + 7152 * u32::from(p[1]) + 722 * u32::from(p[2])) / 10_000) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_no_heif_are_corrupt_not_a_panic() {
        let err = decode_gray(
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
            DecodeLimits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
        let err = decode_gray(b"", DecodeLimits::default()).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
    }
}
