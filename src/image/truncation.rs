//! Detecting truncated uploads that decoders would silently accept.
//!
//! JPEG decoders are lenient: a file cut off mid-upload decodes with the missing part grey, and
//! OCR then reads half a receipt. A complete JPEG has an end-of-image marker after its last
//! scan, so we check for that instead of trusting the decoder. That marker is easily appended
//! to a cut file, so the decoder then checks a baseline picture's data holds every block
//! (`decode::jpeg_luma`). A progressive JPEG (phones' "optimised for web" exports, messaging
//! apps) sends the whole picture coarse first, then refines it scan after scan: cut, it still
//! decodes to a whole page, blurred from where the cut fell. Its header of each scan says
//! which coefficients it carries and to which precision, so a picture is complete when, for
//! every colour component, the DC and every AC coefficient reached full precision (`Al` 0).
//! A cut inside the very last scan still passes: it loses the last bit of precision of part of
//! the page, not a part of the receipt.

use super::ImageError;
use crate::ingest::ImageKind;

const START_OF_SCAN: [u8; 2] = [0xFF, 0xDA];
const END_OF_IMAGE: [u8; 2] = [0xFF, 0xD9];

/// An error when `bytes` are visibly cut short for their format.
pub fn ensure_complete(bytes: &[u8], kind: ImageKind) -> Result<(), ImageError> {
    if kind != ImageKind::Jpeg {
        // PNG, TIFF, WebP and BMP decoders fail on truncation by themselves (a PNG cut with
        // its end chunk appended, a TIFF whose strips run past the end: `tests/data/hostile`).
        return Ok(());
    }
    if let Some(layout) = JpegLayout::read(bytes) {
        if layout.progressive {
            if let Some(missing) = layout.unrefined() {
                return Err(ImageError::Corrupt(format!(
                    "progressive JPEG is truncated: {missing} never reach full precision \
                     (its last scans are missing)"
                )));
            }
        }
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

/// The frame and scan headers of a JPEG, read by walking its markers.
#[derive(Debug, Default)]
pub(super) struct JpegLayout {
    /// A progressive frame (SOF2, SOF6, SOF10, SOF14).
    pub progressive: bool,
    /// The frame's component ids.
    components: Vec<u8>,
    scans: Vec<ScanHeader>,
}

#[derive(Debug)]
struct ScanHeader {
    components: Vec<u8>,
    /// Spectral selection: coefficients `start..=end` (0 is DC).
    start: u8,
    end: u8,
    /// Successive approximation: the bit position this scan leaves the coefficients at.
    low_bit: u8,
}

impl JpegLayout {
    /// The main picture's layout (an EXIF thumbnail is inside its APP1 segment, skipped);
    /// `None` when the bytes do not start like a JPEG or a header is cut.
    pub(super) fn read(bytes: &[u8]) -> Option<JpegLayout> {
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return None;
        }
        let mut layout = JpegLayout::default();
        let mut at = 2;
        loop {
            // Markers may be preceded by fill bytes 0xFF.
            while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
                at += 1;
            }
            if bytes.get(at) != Some(&0xFF) {
                return Some(layout);
            }
            let marker = *bytes.get(at + 1)?;
            match marker {
                0xD9 => return Some(layout),
                0xD0..=0xD7 | 0x01 => {
                    at += 2;
                    continue;
                }
                _ => {}
            }
            let length = usize::from(u16::from_be_bytes([
                *bytes.get(at + 2)?,
                *bytes.get(at + 3)?,
            ]));
            let segment = bytes.get(at + 4..at + 2 + length.max(2))?;
            at += 2 + length;
            match marker {
                0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                    layout.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                    let count = usize::from(*segment.get(5)?);
                    layout.components = (0..count)
                        .map(|k| segment.get(6 + 3 * k).copied())
                        .collect::<Option<_>>()?;
                }
                0xDA => {
                    let count = usize::from(*segment.first()?);
                    let components = (0..count)
                        .map(|k| segment.get(1 + 2 * k).copied())
                        .collect::<Option<_>>()?;
                    let rest = segment.get(1 + 2 * count..)?;
                    layout.scans.push(ScanHeader {
                        components,
                        start: *rest.first()?,
                        end: *rest.get(1)?,
                        low_bit: rest.get(2)? & 0x0F,
                    });
                    at = next_marker(bytes, at);
                }
                _ => {}
            }
        }
    }

    /// The first coefficient of a component that no scan brought to full precision, told
    /// for a person (`the DC of component 1`); `None` when every one was.
    fn unrefined(&self) -> Option<String> {
        for &component in &self.components {
            for coefficient in 0..=63u8 {
                let done = self.scans.iter().any(|scan| {
                    scan.low_bit == 0
                        && (scan.start..=scan.end).contains(&coefficient)
                        && scan.components.contains(&component)
                });
                if !done {
                    let which = if coefficient == 0 {
                        "the DC coefficients".to_string()
                    } else {
                        format!("AC coefficient {coefficient}")
                    };
                    return Some(format!("{which} of component {component}"));
                }
            }
        }
        None
    }
}

/// Where the entropy-coded data starting at `from` ends: the next marker that is not a
/// stuffed `FF 00` nor a restart marker.
fn next_marker(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at + 1 < bytes.len() {
        if bytes[at] == 0xFF && !matches!(bytes[at + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            return at;
        }
        at += 1;
    }
    bytes.len()
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

    fn hostile(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/hostile/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// Issue 20: a progressive JPEG cut with `FF D9` appended decoded to a whole, blurred page.
    #[test]
    fn regression_a_progressive_jpeg_cut_short_is_corrupt() {
        let bytes = hostile("progressive.jpg");
        let layout = JpegLayout::read(&bytes).unwrap();
        assert!(layout.progressive);
        assert!(layout.scans.len() > 3, "{layout:?}");
        assert!(ensure_complete(&bytes, ImageKind::Jpeg).is_ok());
        let last_scan = rfind(&bytes, &START_OF_SCAN).unwrap();
        for cut in [bytes.len() / 4, bytes.len() / 2, last_scan - 1] {
            let mut cut_bytes = bytes[..cut].to_vec();
            cut_bytes.extend_from_slice(&END_OF_IMAGE);
            let err = ensure_complete(&cut_bytes, ImageKind::Jpeg).unwrap_err();
            assert!(
                err.to_string().contains("progressive"),
                "cut at {cut}: {err}"
            );
        }
    }

    #[test]
    fn a_baseline_jpeg_has_one_scan_with_every_component() {
        let layout = JpegLayout::read(&jpeg()).unwrap();
        assert!(!layout.progressive);
        assert_eq!(layout.scans.len(), 1);
        assert_eq!(layout.components.len(), 1);
        assert_eq!(layout.unrefined(), None);
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
