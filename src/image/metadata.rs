//! What a file says about where its picture came from: the software that last wrote it and
//! when the camera took it.
//!
//! Two fraud signals rest on this. A receipt photo that went through an image editor
//! (Photoshop, GIMP, Snapseed…) may have had its total or date painted over: editors name
//! themselves in EXIF `Software` or XMP `CreatorTool`/`softwareAgent`, and phones and scanners
//! write their own names there, never an editor's. And a camera date earlier than the printed
//! purchase date means the photo was taken before the receipt could exist.
//!
//! Only the metadata containers are read (JPEG APP1 segments, PNG chunks, WebP chunks, a TIFF
//! file's first directory), never pixels, with every offset checked: a hostile file gives
//! nothing, never a panic. Metadata is easy to strip, so its absence proves nothing; its
//! presence is what a reviewer is shown.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::ingest::ImageKind;

/// What the metadata of one file says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The software that wrote the file (EXIF `Software`, XMP `CreatorTool`, a PNG `Software`
    /// text), and any recorded in the XMP history, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub software: Vec<String>,
    /// When the picture was taken (EXIF `DateTimeOriginal`, else `DateTime`), camera local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken: Option<NaiveDateTime>,
}

/// Image editors: programs that change pixels, as opposed to the camera apps, scanner drivers
/// and document-scanning apps (`Adobe Scan`, `CamScanner`) that write receipts' files. Matched
/// as lowercase substrings of a software name.
const EDITORS: &[&str] = &[
    "photoshop",
    "gimp",
    "snapseed",
    "lightroom",
    "affinity photo",
    "pixelmator",
    "paint.net",
    "picsart",
    "photopea",
    "pixlr",
    "fotor",
    "krita",
    "facetune",
    "photodirector",
    "befunky",
    "canva",
    "luminar",
    "polarr",
    "acdsee",
    "paintshop",
    "corel photo-paint",
    "inpixio",
];

impl Metadata {
    /// The first software named that is an image editor.
    pub fn editor(&self) -> Option<&str> {
        self.software.iter().map(String::as_str).find(|name| {
            let lower = name.to_lowercase();
            EDITORS.iter().any(|editor| lower.contains(editor))
        })
    }
}

/// The metadata of a file of `kind`; empty when it has none or it cannot be read.
pub fn read_metadata(bytes: &[u8], kind: ImageKind) -> Metadata {
    let mut found = Metadata::default();
    match kind {
        ImageKind::Jpeg => jpeg(bytes, &mut found),
        ImageKind::Png => png(bytes, &mut found),
        ImageKind::Webp => webp(bytes, &mut found),
        ImageKind::Tiff => tiff(bytes, &mut found),
        // A HEIF photo's EXIF sits in a metadata item libheif gives only after parsing the
        // whole container, and a PDF's producer names the tool that wrote it (a shop's
        // till software, a scanner), not an editing of a picture: not read (yet).
        ImageKind::Bmp | ImageKind::Heif | ImageKind::Pdf => {}
    }
    found
}

const EXIF_HEADER: &[u8] = b"Exif\0\0";
const XMP_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// APP1 segments before the scan data: EXIF and XMP.
fn jpeg(bytes: &[u8], found: &mut Metadata) {
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        // Start of scan or end of image: no metadata after this.
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let Some(body) = bytes.get(at + 4..at + 2 + length) else {
            break;
        };
        if marker == 0xE1 {
            if let Some(exif) = body.strip_prefix(EXIF_HEADER) {
                tiff(exif, found);
            } else if let Some(xmp) = body.strip_prefix(XMP_HEADER) {
                read_xmp(xmp, found);
            }
        }
        at += 2 + length.max(2);
    }
}

/// `eXIf` (TIFF), `tEXt`/`iTXt` with the `Software` keyword or XMP.
fn png(bytes: &[u8], found: &mut Metadata) {
    let mut at = 8;
    while let Some(header) = bytes.get(at..at + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(length)) else {
            break;
        };
        match kind {
            b"eXIf" => tiff(data, found),
            b"tEXt" | b"iTXt" => {
                let (keyword, rest) = split_at_nul(data);
                let text = if kind == b"iTXt" {
                    // Compression flag, method, language tag\0, translated keyword\0, text.
                    let rest = rest.get(2..).unwrap_or_default();
                    let (_, rest) = split_at_nul(rest);
                    split_at_nul(rest).1
                } else {
                    rest
                };
                match keyword {
                    b"Software" => push_software(found, &String::from_utf8_lossy(text)),
                    b"XML:com.adobe.xmp" => read_xmp(text, found),
                    _ => {}
                }
            }
            _ => {}
        }
        at = at.saturating_add(12).saturating_add(length);
    }
}

/// RIFF chunks `EXIF` and `XMP `.
fn webp(bytes: &[u8], found: &mut Metadata) {
    let mut at = 12;
    while let Some(header) = bytes.get(at..at + 8) {
        let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(length)) else {
            break;
        };
        match &header[..4] {
            b"EXIF" => tiff(data.strip_prefix(EXIF_HEADER).unwrap_or(data), found),
            b"XMP " => read_xmp(data, found),
            _ => {}
        }
        // Chunks are padded to an even length.
        at = at.saturating_add(8).saturating_add(length + (length & 1));
    }
}

const SOFTWARE: u16 = 0x0131;
const DATE_TIME: u16 = 0x0132;
const EXIF_IFD: u16 = 0x8769;
const DATE_TIME_ORIGINAL: u16 = 0x9003;

/// A TIFF structure (an EXIF block, or a TIFF file): `Software` and the date of its first
/// directory, `DateTimeOriginal` of its EXIF directory.
fn tiff(bytes: &[u8], found: &mut Metadata) {
    let Some(reader) = Tiff::new(bytes) else {
        return;
    };
    let Some(first) = reader.u32_at(4) else {
        return;
    };
    let mut date_time = None;
    let mut original = None;
    let mut exif = None;
    for (tag, entry) in reader.entries(first as usize) {
        match tag {
            SOFTWARE => {
                if let Some(text) = reader.ascii(entry) {
                    push_software(found, &text);
                }
            }
            DATE_TIME => date_time = reader.ascii(entry).and_then(|t| exif_date(&t)),
            EXIF_IFD => exif = reader.u32_at(entry + 8),
            _ => {}
        }
    }
    if let Some(exif) = exif {
        for (tag, entry) in reader.entries(exif as usize) {
            if tag == DATE_TIME_ORIGINAL {
                original = reader.ascii(entry).and_then(|t| exif_date(&t));
            }
        }
    }
    if found.taken.is_none() {
        found.taken = original.or(date_time);
    }
}

/// Byte-order-aware reads within one TIFF structure; every read checked.
struct Tiff<'a> {
    bytes: &'a [u8],
    little: bool,
}

/// Directories hold at most this many entries here: a hostile count is not followed.
const MAX_ENTRIES: usize = 512;

impl<'a> Tiff<'a> {
    fn new(bytes: &'a [u8]) -> Option<Tiff<'a>> {
        let little = match bytes.get(..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        Some(Tiff { bytes, little })
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// (tag, offset of the 12-byte entry) of the directory at `at`.
    fn entries(&self, at: usize) -> Vec<(u16, usize)> {
        let count = usize::from(self.u16_at(at).unwrap_or(0)).min(MAX_ENTRIES);
        (0..count)
            .map(|i| at + 2 + 12 * i)
            .filter_map(|entry| Some((self.u16_at(entry)?, entry)))
            .collect()
    }

    /// The text of an ASCII entry (type 2), without its trailing NULs.
    fn ascii(&self, entry: usize) -> Option<String> {
        if self.u16_at(entry + 2)? != 2 {
            return None;
        }
        let count = self.u32_at(entry + 4)? as usize;
        let start = if count <= 4 {
            entry + 8
        } else {
            self.u32_at(entry + 8)? as usize
        };
        let raw = self.bytes.get(start..start.checked_add(count)?)?;
        let text = String::from_utf8_lossy(raw);
        let text = text.trim_end_matches('\0').trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// `2024:03:14 18:43:05` (the EXIF form); a blank or zeroed date is none.
fn exif_date(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y:%m:%d %H:%M:%S").ok()
}

/// Software names an XMP packet records: `xmp:CreatorTool` and every
/// `stEvt:softwareAgent` of the edit history, as attributes or elements.
fn read_xmp(xml: &[u8], found: &mut Metadata) {
    let text = String::from_utf8_lossy(xml);
    for name in ["xmp:CreatorTool", "stEvt:softwareAgent"] {
        let mut rest: &str = &text;
        while let Some(at) = rest.find(name) {
            rest = &rest[at + name.len()..];
            let value = if let Some(attribute) = rest.strip_prefix("=\"") {
                attribute.split('"').next()
            } else if let Some(element) = rest.strip_prefix('>') {
                element.split('<').next()
            } else {
                None
            };
            if let Some(value) = value {
                push_software(found, value);
            }
        }
    }
}

fn push_software(found: &mut Metadata, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !found.software.iter().any(|s| s == name) && found.software.len() < 16 {
        found.software.push(name.chars().take(120).collect());
    }
}

fn split_at_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// A JPEG APP1 EXIF segment holding `software` and `taken` (`2024:03:14 18:43:05`): what an
/// editor or a camera writes, for tests of this module and of the fraud checks.
pub fn exif_segment(software: Option<&str>, taken: Option<&str>) -> Vec<u8> {
    // Little-endian TIFF: IFD0 at 8 with Software and an EXIF pointer; the EXIF IFD after it.
    let software = software.map(|s| format!("{s}\0").into_bytes());
    let taken = taken.map(|t| format!("{t}\0").into_bytes());
    let ifd0_entries = 1 + usize::from(software.is_some());
    let ifd0_len = 2 + 12 * ifd0_entries + 4;
    let exif_at = 8 + ifd0_len;
    let exif_entries = usize::from(taken.is_some());
    let exif_len = 2 + 12 * exif_entries + 4;
    let mut data_at = exif_at + exif_len;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let mut data: Vec<u8> = Vec::new();
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(kind.to_le_bytes());
        tiff.extend(count.to_le_bytes());
        tiff.extend(value.to_le_bytes());
    };
    tiff.extend((ifd0_entries as u16).to_le_bytes());
    if let Some(software) = &software {
        entry(
            &mut tiff,
            SOFTWARE,
            2,
            software.len() as u32,
            data_at as u32,
        );
        data_at += software.len();
        data.extend(software);
    }
    entry(&mut tiff, EXIF_IFD, 4, 1, exif_at as u32);
    tiff.extend(0u32.to_le_bytes());
    tiff.extend((exif_entries as u16).to_le_bytes());
    if let Some(taken) = &taken {
        entry(
            &mut tiff,
            DATE_TIME_ORIGINAL,
            2,
            taken.len() as u32,
            data_at as u32,
        );
        data.extend(taken);
    }
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(data);
    let mut segment = vec![0xFF, 0xE1];
    let length = 2 + EXIF_HEADER.len() + tiff.len();
    segment.extend((length as u16).to_be_bytes());
    segment.extend(EXIF_HEADER);
    segment.extend(tiff);
    segment
}

/// `jpeg` with `segment` inserted after its start-of-image marker.
pub fn with_segment(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend(segment);
    out.extend(&jpeg[2..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_jpeg() -> Vec<u8> {
        let image = image::GrayImage::from_pixel(16, 16, image::Luma([200]));
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut bytes)
            .encode_image(&image)
            .unwrap();
        bytes
    }

    #[test]
    fn reads_an_editor_and_the_camera_date_from_exif() {
        let segment = exif_segment(
            Some("Adobe Photoshop 25.0 (Windows)"),
            Some("2024:03:14 18:43:05"),
        );
        let bytes = with_segment(&tiny_jpeg(), &segment);
        let found = read_metadata(&bytes, ImageKind::Jpeg);
        assert_eq!(found.software, ["Adobe Photoshop 25.0 (Windows)"]);
        assert_eq!(found.editor(), Some("Adobe Photoshop 25.0 (Windows)"));
        assert_eq!(found.taken.unwrap().to_string(), "2024-03-14 18:43:05");
        // The file still decodes: the segment is well formed.
        image::load_from_memory(&bytes).unwrap();
    }

    #[test]
    fn a_phone_or_a_scanning_app_is_no_editor() {
        for software in [
            "Android RP1A.200720.012",
            "17.2.1",
            "Adobe Scan",
            "CamScanner",
        ] {
            let bytes = with_segment(&tiny_jpeg(), &exif_segment(Some(software), None));
            let found = read_metadata(&bytes, ImageKind::Jpeg);
            assert_eq!(found.software, [software]);
            assert_eq!(found.editor(), None, "{software}");
        }
        assert_eq!(
            read_metadata(&tiny_jpeg(), ImageKind::Jpeg),
            Metadata::default()
        );
    }

    #[test]
    fn xmp_history_names_the_editor_even_when_exif_does_not() {
        let xmp = b"<x:xmpmeta><rdf:Description xmp:CreatorTool=\"Pixel 7\"><xmpMM:History>\
            <rdf:li stEvt:action=\"saved\" stEvt:softwareAgent=\"GIMP 2.10\"/></xmpMM:History>\
            </rdf:Description></x:xmpmeta>";
        let mut segment = vec![0xFF, 0xE1];
        segment.extend(((2 + XMP_HEADER.len() + xmp.len()) as u16).to_be_bytes());
        segment.extend(XMP_HEADER);
        segment.extend(xmp);
        let found = read_metadata(&with_segment(&tiny_jpeg(), &segment), ImageKind::Jpeg);
        assert_eq!(found.software, ["Pixel 7", "GIMP 2.10"]);
        assert_eq!(found.editor(), Some("GIMP 2.10"));
    }

    #[test]
    fn png_software_text_is_read() {
        let image = image::GrayImage::from_pixel(4, 4, image::Luma([200]));
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        // A tEXt chunk after the IHDR (8 + 25 bytes); the CRC is not checked here.
        let text = b"Software\0Snapseed 2.0";
        let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
        chunk.extend(b"tEXt");
        chunk.extend(text);
        chunk.extend([0; 4]);
        let mut png = bytes[..33].to_vec();
        png.extend(chunk);
        png.extend(&bytes[33..]);
        let found = read_metadata(&png, ImageKind::Png);
        assert_eq!(found.editor(), Some("Snapseed 2.0"));
    }

    #[test]
    fn hostile_metadata_gives_nothing_and_never_panics() {
        let base = with_segment(
            &tiny_jpeg(),
            &exif_segment(Some("GIMP"), Some("2024:03:14 18:43:05")),
        );
        // Every truncation and a sweep of corrupted bytes over the segment.
        for cut in 0..base.len().min(200) {
            read_metadata(&base[..cut], ImageKind::Jpeg);
        }
        for at in 2..base.len().min(140) {
            for value in [0x00, 0x7F, 0xFF] {
                let mut bad = base.clone();
                bad[at] = value;
                read_metadata(&bad, ImageKind::Jpeg);
                read_metadata(&bad[2..], ImageKind::Tiff);
                read_metadata(&bad, ImageKind::Png);
                read_metadata(&bad, ImageKind::Webp);
            }
        }
    }
}
