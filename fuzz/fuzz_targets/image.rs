//! Inputs: any bytes, as `fidelio run` takes a file. Sniffed by their first bytes, checked
//! for truncation (`ensure_complete`: the JPEG marker walk), decoded to gray under a small
//! budget (`decode_gray`: the strict JPEG path, the pages of a TIFF, transparency on white,
//! HEIC through libheif). A PDF is read as the OCR stage reads it (`pdf::read`): its text
//! layer laid out as lines (`text_layer::lines`), or its scanned pages.
//! No input panics; a decoded page is within the budget.
#![no_main]

use fidelio::image::pdf::{self, PdfReceipt};
use fidelio::image::{decode_gray, ensure_complete, DecodeLimits};
use fidelio::ingest::{sniff, ImageKind};
use fidelio::ocr::text_layer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(kind) = sniff(&data[..data.len().min(16)]) else {
        return;
    };
    let _ = ensure_complete(data, kind);
    // A budget small enough that a crafted header cannot make one execution slow.
    let limits = DecodeLimits {
        max_width: 4096,
        max_height: 4096,
        max_pixels: 4_000_000,
        max_alloc: 64 << 20,
        ..DecodeLimits::default()
    };
    let gray = if kind == ImageKind::Pdf {
        match pdf::read(data, limits) {
            Ok(PdfReceipt::Text(pages)) => {
                let (lines, width, height) = text_layer::lines(&pages);
                for line in &lines {
                    assert!(!line.words.is_empty() && !line.text.is_empty());
                }
                assert!(width >= 1 && height >= 1);
                return;
            }
            Ok(PdfReceipt::Scanned(gray)) => Ok(gray),
            Err(e) => Err(e),
        }
    } else {
        decode_gray(data, kind, limits)
    };
    if let Ok(gray) = gray {
        let pixels = u64::from(gray.width()) * u64::from(gray.height());
        assert!(pixels <= limits.max_pixels, "{:?}", gray.dimensions());
    }
});
