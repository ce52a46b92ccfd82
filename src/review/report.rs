//! `report.html`: a night in one self-contained page that opens from disk with no network.
//!
//! The page carries its data (every result, downscaled pictures, OCR boxes) as one JSON block
//! and its own script and style; charts are inline SVG drawn by the script. A reviewer filters
//! the receipts, steps through them with the keyboard, approves or rejects the ones in review,
//! corrects what was misread and downloads `decisions.csv` for `fidelio review apply`. Their
//! work is kept in the browser's local storage until then, so a closed tab loses nothing.
//!
//! Pictures are what the reader saw: the file decoded and prepared again with the default
//! preparation (crop, scale, deskew), so the OCR boxes fall on their words. When that picture's
//! size differs from the one the boxes refer to (the reader turned the page, or ran with other
//! settings) the picture is shown without boxes rather than with boxes in the wrong place. The
//! page is deterministic: the same night gives the same bytes.

use std::collections::HashMap;

use image::GrayImage;
use rayon::prelude::*;
use serde::Serialize;

use crate::campaign::ResultRecord;
use crate::image::{decode_gray, light_print_on_dark, stage, DecodeLimits, PrepareSettings};
use crate::ingest::sniff;
use crate::ocr::OcrPage;
use crate::output::Summary;

/// Pictures are scaled to fit this box (CSS pixels), enough to read a receipt's print.
const MAX_WIDTH: u32 = 520;
const MAX_HEIGHT: u32 = 1400;
/// JPEG quality of the embedded pictures: print stays legible, 80 receipts stay a few MB.
const JPEG_QUALITY: u8 = 60;

const TEMPLATE: &str = include_str!("report.html");

/// What a report shows.
pub struct NightReport<'a> {
    pub campaign: &'a str,
    pub batch: &'a str,
    /// The night's results, in input order.
    pub results: &'a [ResultRecord],
    /// OCR pages by receipt id, for the boxes and the text read (those known).
    pub pages: &'a HashMap<String, OcrPage>,
}

#[derive(Serialize)]
struct Data<'a> {
    campaign: &'a str,
    batch: &'a str,
    summary: Summary,
    /// Median time the reader took per receipt (one worker, when first read; cached readings
    /// keep theirs), the night's throughput per worker.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_ms: Option<u64>,
    receipts: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    result: &'a ResultRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture: Option<Picture>,
    /// The lines read, each `[x, y, width, height, text]` in the picture's pixels (no boxes
    /// when they would not fall on the picture: then `x` is -1).
    lines: Vec<(i32, i32, i32, i32, &'a str)>,
}

#[derive(Serialize)]
struct Picture {
    src: String,
    width: u32,
    height: u32,
}

/// The page, as HTML.
pub fn render_report(night: &NightReport<'_>) -> String {
    let receipts: Vec<Entry<'_>> = night
        .results
        .par_iter()
        .map(|result| entry(result, night.pages.get(&result.id)))
        .collect();
    let mut times: Vec<u64> = night
        .results
        .iter()
        .filter_map(|r| night.pages.get(&r.id))
        .map(|page| page.elapsed_ms)
        .collect();
    times.sort_unstable();
    let data = Data {
        campaign: night.campaign,
        batch: night.batch,
        summary: Summary::of(night.results),
        read_ms: times.get(times.len() / 2).copied(),
        receipts,
    };
    // `<` only occurs inside JSON strings, where `\u003c` means the same: no `</script>` can
    // close the block early whatever a receipt says.
    let json = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c");
    let title = html_escape(&format!("fidelio · {} · {}", night.campaign, night.batch));
    TEMPLATE
        .replacen("{{title}}", &title, 1)
        .replacen("{{data}}", &json, 1)
}

fn entry<'a>(result: &'a ResultRecord, page: Option<&'a OcrPage>) -> Entry<'a> {
    let prepared = prepared_picture(&result.file);
    let (picture, scale) = match &prepared {
        Some(gray) => {
            let scale = (MAX_WIDTH as f64 / gray.width() as f64)
                .min(MAX_HEIGHT as f64 / gray.height() as f64)
                .min(1.0);
            (encode(gray, scale), scale)
        }
        None => (None, 1.0),
    };
    let fits = match (&prepared, page) {
        (Some(gray), Some(page)) => gray.width() == page.width && gray.height() == page.height,
        _ => false,
    };
    let at = |v: i32| (v as f64 * scale).round() as i32;
    let lines = page
        .map(|page| {
            page.lines
                .iter()
                .map(|l| {
                    let b = &l.bbox;
                    if fits {
                        (
                            at(b.x()),
                            at(b.y()),
                            at(b.width()),
                            at(b.height()),
                            l.text.as_str(),
                        )
                    } else {
                        (-1, 0, 0, 0, l.text.as_str())
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Entry {
        result,
        picture,
        lines,
    }
}

/// The file decoded and prepared as the reader's default preparation does; `None` when it is
/// gone or not an image.
fn prepared_picture(file: &str) -> Option<GrayImage> {
    let bytes = std::fs::read(file).ok()?;
    let kind = sniff(&bytes)?;
    let gray = light_print_on_dark(decode_gray(&bytes, kind, DecodeLimits::default()).ok()?);
    let settings = PrepareSettings::default();
    let prepared = stage(gray, &settings).finish(0.0);
    (prepared.width() > 0 && prepared.height() > 0).then_some(prepared)
}

fn encode(gray: &GrayImage, scale: f64) -> Option<Picture> {
    let width = ((gray.width() as f64 * scale).round() as u32).max(1);
    let height = ((gray.height() as f64 * scale).round() as u32).max(1);
    let small = crate::image::resize_gray(gray, width, height);
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY);
    encoder
        .encode(small.as_raw(), width, height, image::ExtendedColorType::L8)
        .ok()?;
    Some(Picture {
        src: format!("data:image/jpeg;base64,{}", base64(&jpeg)),
        width,
        height,
    })
}

/// Standard base64 with padding (RFC 4648), for data URIs.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn a_receipt_cannot_close_the_data_block_or_inject_markup() {
        let result: ResultRecord = serde_json::from_str(
            r#"{"file":"gone/</script><script>alert(1)</script>.jpg","id":"ab","member":"<b>",
               "status":"review","reasons":[],"receipt":null,"points":"0","campaign":"c"}"#,
        )
        .unwrap();
        let pages = HashMap::new();
        let html = render_report(&NightReport {
            campaign: "c<&>",
            batch: "night",
            results: std::slice::from_ref(&result),
            pages: &pages,
        });
        assert_eq!(
            html.matches("</script>").count(),
            TEMPLATE.matches("</script>").count()
        );
        assert!(html.contains("<title>fidelio · c&lt;&amp;&gt; · night</title>"));
        for load in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(load), "the page loads {load}…");
        }
    }
}
