//! Multi-page TIFFs: every page read, as one receipt.
//!
//! A scanner writes a receipt too long for its glass, or its front and back, as one TIFF of
//! several pages; decoders read the first and drop the rest without a word (a two-page scan
//! was decided on its top half). Here the pages of one file are one receipt, read top to
//! bottom: each page is decoded by the generic decoder (all its colour types, its limits) on
//! a copy of the file whose header points at that page, and the pages are stacked on white
//! paper. More than [`MAX_PAGES`] pages is not one receipt: the file is refused with that
//! reason. The pages' pixels together stay within the picture budget.

use image::GrayImage;

use super::decode::{decode, DecodeLimits};
use super::ImageError;
use crate::ingest::ImageKind;

/// A receipt scanned in more parts than this is not a receipt (a document, a batch of
/// receipts in one file): refused, with the reason.
pub const MAX_PAGES: usize = 8;

/// Where each page's directory starts, in file order; `None` when the bytes are not a TIFF
/// whose directory chain can be walked (the generic decoder then says why). A chain that
/// loops or runs past the end stops there.
pub fn page_offsets(bytes: &[u8]) -> Option<Vec<u64>> {
    let order = match bytes.get(..2)? {
        b"II" => Order::Little,
        b"MM" => Order::Big,
        _ => return None,
    };
    let big = match order.u16(bytes, 2)? {
        42 => false,
        43 => true,
        _ => return None,
    };
    let mut next = if big {
        order.u64(bytes, 8)?
    } else {
        u64::from(order.u32(bytes, 4)?)
    };
    let mut offsets = Vec::new();
    // One more than the most we read, to tell "too many" from "just enough".
    while next != 0 && offsets.len() <= MAX_PAGES && !offsets.contains(&next) {
        let at = usize::try_from(next).ok()?;
        let entries = if big {
            order.u64(bytes, at)
        } else {
            order.u16(bytes, at).map(u64::from)
        };
        let (entry_size, count_size) = if big { (20u64, 8u64) } else { (12, 2) };
        offsets.push(next);
        // A page whose directory lies past the end is still a page: decoding it says why.
        let Some(entries) = entries else {
            break;
        };
        let link = next
            .checked_add(count_size)?
            .checked_add(entries.checked_mul(entry_size)?)?;
        let link = usize::try_from(link).ok()?;
        next = if big {
            order.u64(bytes, link).unwrap_or(0)
        } else {
            u64::from(order.u32(bytes, link).unwrap_or(0))
        };
    }
    Some(offsets)
}

/// Every page of a TIFF of several pages, stacked top to bottom on white, in gray.
pub fn decode_pages(
    bytes: &[u8],
    offsets: &[u64],
    limits: DecodeLimits,
    gray: impl Fn(image::DynamicImage) -> GrayImage,
) -> Result<GrayImage, ImageError> {
    if offsets.len() > MAX_PAGES {
        return Err(ImageError::Unsupported(format!(
            "a TIFF of more than {MAX_PAGES} pages; the pages of one file are read as one \
             receipt: send each receipt as its own file"
        )));
    }
    let mut pages = Vec::with_capacity(offsets.len());
    let mut pixels = 0u64;
    for (index, &offset) in offsets.iter().enumerate() {
        let page = decode(&pointing_at(bytes, offset), ImageKind::Tiff, limits)
            .map_err(|e| on_page(e, index + 1))?;
        pixels += u64::from(page.width()) * u64::from(page.height());
        if pixels > limits.max_pixels {
            return Err(ImageError::TooLarge(format!(
                "the {} pages of this TIFF hold more than {:.1} megapixels together",
                offsets.len(),
                limits.max_pixels as f64 / 1e6
            )));
        }
        pages.push(gray(page));
    }
    Ok(stack(&pages))
}

/// `pages` one under the other, on white, left-aligned (the pages of a TIFF or a PDF).
pub(super) fn stack(pages: &[GrayImage]) -> GrayImage {
    if let [page] = pages {
        return page.clone();
    }
    let width = pages.iter().map(GrayImage::width).max().unwrap_or(0);
    let height = pages.iter().map(GrayImage::height).sum();
    let mut sheet = GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut top = 0;
    for page in pages {
        image::imageops::replace(&mut sheet, page, 0, i64::from(top));
        top += page.height();
    }
    sheet
}

/// A copy of the TIFF `bytes` whose header names the directory at `offset` as its first.
fn pointing_at(bytes: &[u8], offset: u64) -> Vec<u8> {
    let mut copy = bytes.to_vec();
    let little = copy.starts_with(b"II");
    let big = copy.get(2..4).is_some_and(|m| m == [43, 0] || m == [0, 43]);
    if big {
        let field = if little {
            offset.to_le_bytes()
        } else {
            offset.to_be_bytes()
        };
        copy[8..16].copy_from_slice(&field);
    } else {
        let offset = offset as u32; // walked from a 32-bit field
        let field = if little {
            offset.to_le_bytes()
        } else {
            offset.to_be_bytes()
        };
        copy[4..8].copy_from_slice(&field);
    }
    copy
}

fn on_page(err: ImageError, page: usize) -> ImageError {
    match err {
        ImageError::TooLarge(m) => ImageError::TooLarge(format!("page {page}: {m}")),
        ImageError::Corrupt(m) => ImageError::Corrupt(format!("page {page}: {m}")),
        ImageError::Unsupported(m) => ImageError::Unsupported(format!("page {page}: {m}")),
    }
}

#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u16::from_le_bytes(b),
            Order::Big => u16::from_be_bytes(b),
        })
    }

    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        })
    }

    fn u64(self, bytes: &[u8], at: usize) -> Option<u64> {
        let b: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u64::from_le_bytes(b),
            Order::Big => u64::from_be_bytes(b),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/hostile/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// Issue 21: the second page of a two-page TIFF was dropped without a word.
    #[test]
    fn regression_both_pages_of_a_two_page_tiff_are_read_top_to_bottom() {
        let bytes = hostile("two-pages.tif");
        let offsets = page_offsets(&bytes).unwrap();
        assert_eq!(offsets.len(), 2);
        let sheet = decode_pages(&bytes, &offsets, DecodeLimits::default(), |p| {
            p.into_luma8()
        })
        .unwrap();
        let first = decode(&bytes, ImageKind::Tiff, DecodeLimits::default()).unwrap();
        assert_eq!(sheet.width(), first.width());
        assert!(sheet.height() > first.height(), "{:?}", sheet.dimensions());
        // The top of the sheet is the first page.
        let first = first.into_luma8();
        assert_eq!(sheet.get_pixel(10, 10), first.get_pixel(10, 10));
    }

    #[test]
    fn a_single_page_tiff_has_one_offset_and_other_bytes_none() {
        let image = image::GrayImage::from_pixel(8, 8, image::Luma([200]));
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Tiff,
            )
            .unwrap();
        assert_eq!(page_offsets(&bytes).map(|o| o.len()), Some(1));
        assert_eq!(page_offsets(b"\xff\xd8\xff"), None);
        assert_eq!(page_offsets(b"II"), None);
    }

    #[test]
    fn a_directory_chain_that_loops_or_runs_out_stops() {
        // II, 42, first directory at 8: no entries, next directory at 8 again.
        let mut looping = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        looping.extend_from_slice(&[0, 0, 8, 0, 0, 0]);
        assert_eq!(page_offsets(&looping), Some(vec![8]));
        // A directory past the end is listed; decoding it says why.
        let past = b"II\x2a\x00\xff\x00\x00\x00".to_vec();
        assert_eq!(page_offsets(&past), Some(vec![255]));
    }

    #[test]
    fn too_many_pages_are_refused_with_the_reason() {
        let offsets: Vec<u64> = (1..=(MAX_PAGES as u64 + 1)).collect();
        let err =
            decode_pages(b"II", &offsets, DecodeLimits::default(), |p| p.into_luma8()).unwrap_err();
        assert!(err.to_string().contains("more than 8 pages"), "{err}");
    }
}
