//! Detecting truncated uploads that decoders would silently accept.
//!
//! JPEG decoders are lenient: a file cut off mid-upload decodes with the missing part grey, and
//! OCR then reads half a receipt. A complete JPEG has an end-of-image marker after its last
//! scan, so we check for that instead of trusting the decoder.

use super::ImageError;
use crate::ingest::ImageKind;

const START_OF_SCAN: [u8; 2] = [0xFF, 0xDA];
const END_OF_IMAGE: [u8; 2] = [0xFF, 0xD9];

/// An error when `bytes` are visibly cut short for their format.
pub fn ensure_complete(bytes: &[u8], kind: ImageKind) -> Result<(), ImageError> {
    if kind != ImageKind::Jpeg {
        // PNG, TIFF, WebP and BMP decoders fail on truncation by themselves.
        return Ok(());
    }
    // Entropy-coded data stuffs 0xFF as 0xFF00, so neither marker appears inside scan data; an
    // embedded EXIF thumbnail's markers come before the main image's last scan.
    let last_scan = rfind(bytes, &START_OF_SCAN);
    let complete = match last_scan {
        Some(start) => rfind(&bytes[start..], &END_OF_IMAGE).is_some(),
        None => false,
    };
    if complete {
        Ok(())
    } else {
        Err(ImageError::Corrupt(
            "JPEG is truncated (no end-of-image marker after the last scan)".into(),
        ))
    }
}

fn rfind(haystack: &[u8], needle: &[u8; 2]) -> Option<usize> {
    haystack.windows(2).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg() -> Vec<u8> {
        let img = image::GrayImage::from_fn(64, 64, |x, y| image::Luma([((x * y) % 256) as u8]));
        let mut out = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    }

    #[test]
    fn complete_jpeg_passes_and_trailing_bytes_are_tolerated() {
        let mut bytes = jpeg();
        assert!(ensure_complete(&bytes, ImageKind::Jpeg).is_ok());
        bytes.extend_from_slice(b"\0\0vendor trailer");
        assert!(ensure_complete(&bytes, ImageKind::Jpeg).is_ok());
    }

    #[test]
    fn cut_jpeg_is_corrupt() {
        let bytes = jpeg();
        for cut in [bytes.len() / 3, bytes.len() - 2, 4] {
            assert!(
                ensure_complete(&bytes[..cut], ImageKind::Jpeg).is_err(),
                "cut at {cut}"
            );
        }
    }
}
