//! Recognising image formats by their first bytes, never by extension: customers' apps name
//! HEIC-converted JPEGs `.png`, and some upload PDFs as `.jpg`. A PDF is no image, but an
//! e-receipt or a scan sent as one is a receipt all the same (`image::pdf`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    Jpeg,
    Png,
    Tiff,
    Webp,
    Bmp,
    /// HEIC/HEIF photos (`image::heif`).
    Heif,
    /// PDF documents: e-receipts with a text layer, scans (`image::pdf`).
    Pdf,
}

impl ImageKind {
    /// The `image` crate's format, for the kinds that crate decodes.
    pub fn as_image_format(self) -> Option<image::ImageFormat> {
        match self {
            ImageKind::Jpeg => Some(image::ImageFormat::Jpeg),
            ImageKind::Png => Some(image::ImageFormat::Png),
            ImageKind::Tiff => Some(image::ImageFormat::Tiff),
            ImageKind::Webp => Some(image::ImageFormat::WebP),
            ImageKind::Bmp => Some(image::ImageFormat::Bmp),
            ImageKind::Heif | ImageKind::Pdf => None,
        }
    }
}

/// The image kind of a file from its first bytes (16 are enough), if it is one we read.
pub fn sniff(head: &[u8]) -> Option<ImageKind> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        Some(ImageKind::Tiff)
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(ImageKind::Webp)
    } else if head.starts_with(b"BM") && head.len() >= 14 {
        Some(ImageKind::Bmp)
    } else if is_heif(head) {
        Some(ImageKind::Heif)
    } else if head.starts_with(b"%PDF-") {
        Some(ImageKind::Pdf)
    } else {
        None
    }
}

/// Whether `head` opens an ISO-BMFF container of a still HEIF picture: an `ftyp` box whose
/// major brand is one of HEIF's (`heic`, `heix`, `mif1`, …). AVIF (`avif`) and videos
/// (`mp41`, `qt  `) share the container and are not HEIF pictures.
fn is_heif(head: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 8] = [
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
    ];
    head.len() >= 12 && &head[4..8] == b"ftyp" && BRANDS.iter().any(|b| &head[8..12] == *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_format_by_magic_bytes() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ImageKind::Png)
        );
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Some(ImageKind::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Some(ImageKind::Tiff));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(ImageKind::Webp));
        assert_eq!(
            sniff(b"BM\x36\0\x0c\0\0\0\0\0\x36\0\0\0"),
            Some(ImageKind::Bmp)
        );
    }

    #[test]
    fn recognises_heif_photos_and_pdf_documents() {
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Some(ImageKind::Heif)
        );
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Some(ImageKind::Pdf));
        assert_eq!(
            sniff(b"\0\0\0\x1cftypmif1\0\0\0\0mif1heic"),
            Some(ImageKind::Heif)
        );
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42\0\0\0\0isom"), None);
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1"), None);
        assert_eq!(sniff(b"\0\0\0\x18ftyp"), None);
    }

    #[test]
    fn rejects_non_images_and_short_input() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF"), None);
        assert_eq!(sniff(b"BM"), None);
        assert_eq!(sniff(b"hello world, not an image"), None);
    }
}
