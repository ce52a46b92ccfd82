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
        if let Some(zeros) = layout.zero_padding() {
            return Err(ImageError::Corrupt(format!(
                "JPEG picture data ends in {zeros} zero bytes that are no picture (a file cut \
                 short and filled up)"
            )));
        }
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
    /// For each Huffman table defined so far (class 0 DC / 1 AC, id), the symbol of its
    /// all-zero code: the first symbol listed, given the shortest code, `0…0`.
    zero_symbols: std::collections::HashMap<(u8, u8), u8>,
}

/// A run of zero bytes this long ending a baseline scan is a file cut and filled up (a crafted
/// upload, or a tail the disk never received) unless zero bits are blank blocks there.
const PADDING_RUN: usize = 1024;

#[derive(Debug)]
struct ScanHeader {
    components: Vec<u8>,
    /// Spectral selection: coefficients `start..=end` (0 is DC).
    start: u8,
    end: u8,
    /// Successive approximation: the bit position this scan leaves the coefficients at.
    low_bit: u8,
    /// Whether a stream of zero bits decodes as blank blocks (a DC difference of 0, then the
    /// end of block) with every table this scan uses: so zeros can be a genuine blank page.
    zeros_blank: bool,
    /// Zero bytes ending the scan's entropy-coded data.
    trailing_zeros: usize,
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
                0xC4 => layout.read_tables(segment)?,
                0xDA => {
                    let count = usize::from(*segment.first()?);
                    let components = (0..count)
                        .map(|k| segment.get(1 + 2 * k).copied())
                        .collect::<Option<_>>()?;
                    let zeros_blank = (0..count).all(|k| {
                        let tables = segment.get(2 + 2 * k).copied().unwrap_or(0xFF);
                        layout.zero_symbols.get(&(0, tables >> 4)) == Some(&0)
                            && layout.zero_symbols.get(&(1, tables & 0x0F)) == Some(&0)
                    });
                    let rest = segment.get(1 + 2 * count..)?;
                    let data_end = next_marker(bytes, at);
                    let trailing_zeros = bytes[at.min(data_end)..data_end]
                        .iter()
                        .rev()
                        .take_while(|&&b| b == 0)
                        .count();
                    layout.scans.push(ScanHeader {
                        components,
                        start: *rest.first()?,
                        end: *rest.get(1)?,
                        low_bit: rest.get(2)? & 0x0F,
                        zeros_blank,
                        trailing_zeros,
                    });
                    at = data_end;
                }
                _ => {}
            }
        }
    }

    /// A DHT segment's tables: each a class/id byte, 16 code counts by length, the symbols.
    fn read_tables(&mut self, mut segment: &[u8]) -> Option<()> {
        while let Some(&class_id) = segment.first() {
            let counts = segment.get(1..17)?;
            let symbols: usize = counts.iter().map(|&c| usize::from(c)).sum();
            let values = segment.get(17..17 + symbols)?;
            if let Some(&first) = values.first() {
                self.zero_symbols
                    .insert((class_id >> 4, class_id & 0x0F), first);
            }
            segment = &segment[17 + symbols..];
        }
        Some(())
    }

    /// The zero bytes ending a baseline picture's data, when they cannot be blank blocks.
    /// A baseline encoder never writes a thousand zero bytes otherwise: with the standard
    /// tables zero bits decode as the same odd texture block after block, and where optimised
    /// tables give the all-zero code to "no change, end of block" (a white margin), they are
    /// let through (`zeros_blank`).
    fn zero_padding(&self) -> Option<usize> {
        if self.progressive {
            return None;
        }
        let scan = self.scans.last()?;
        (scan.trailing_zeros >= PADDING_RUN && !scan.zeros_blank).then_some(scan.trailing_zeros)
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

    /// Regression (issue 20): a JPEG cut at half, filled with zero bytes back to its length and
    /// ended with `FF D9` decoded whole (zero bits are valid codes) and was paid on its top
    /// half. Whole files, and zeros that are blank blocks under the file's tables, pass.
    #[test]
    fn regression_a_cut_jpeg_filled_with_zeros_is_corrupt() {
        let bytes = hostile("baseline.jpg");
        assert!(ensure_complete(&bytes, ImageKind::Jpeg).is_ok());
        let layout = JpegLayout::read(&bytes).unwrap();
        assert!(!layout.scans[0].zeros_blank, "libjpeg's standard tables");
        let half = bytes.len() / 2;
        let mut filled = bytes[..half].to_vec();
        filled.resize(bytes.len() - 2, 0);
        filled.extend_from_slice(&END_OF_IMAGE);
        let err = ensure_complete(&filled, ImageKind::Jpeg).unwrap_err();
        assert!(err.to_string().contains("zero bytes"), "{err}");
        // Without the end marker (a tail the disk never received): corrupt too.
        filled.truncate(bytes.len() - 2);
        assert!(ensure_complete(&filled, ImageKind::Jpeg).is_err());
        // A few zero bytes are ordinary picture data.
        let mut few = bytes[..half].to_vec();
        few.resize(half + 100, 0);
        few.extend_from_slice(&END_OF_IMAGE);
        assert!(JpegLayout::read(&few).unwrap().zero_padding().is_none());
    }

    /// Zero bits are blank blocks when both tables give their all-zero code to symbol 0 (DC
    /// difference 0, end of block): a white margin under optimised tables is not padding.
    #[test]
    fn zeros_that_are_blank_blocks_are_not_padding() {
        let mut layout = JpegLayout::default();
        // DC table 0: one 2-bit code for category 0; AC table 0: one 2-bit code for EOB.
        let mut dht = vec![0x00, 0, 1];
        dht.extend([0; 14]);
        dht.push(0x00);
        dht.extend([0x10, 0, 1]);
        dht.extend([0; 14]);
        dht.push(0x00);
        layout.read_tables(&dht).unwrap();
        assert_eq!(layout.zero_symbols.get(&(0, 0)), Some(&0));
        assert_eq!(layout.zero_symbols.get(&(1, 0)), Some(&0));
        layout.scans.push(ScanHeader {
            components: vec![1],
            start: 0,
            end: 63,
            low_bit: 0,
            zeros_blank: true,
            trailing_zeros: 50_000,
        });
        assert_eq!(layout.zero_padding(), None);
        layout.scans[0].zeros_blank = false;
        assert_eq!(layout.zero_padding(), Some(50_000));
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
