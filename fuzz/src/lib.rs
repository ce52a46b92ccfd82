//! What the fuzz targets share: an OCR page built from text the fuzzer writes, and the decided
//! records of `samples/` that campaigns found by the fuzzer are tried on.
//!
//! A page is written one line of text per OCR line, laid out like a receipt (one row every
//! 30 px, 12 px a character), so the seeds can be real transcripts and the fuzzer starts from
//! receipts. A few prefixes let it reach what an engine can give and a transcript cannot:
//!
//! - `@x,y,w,h,c text`: the line's box and confidence, any values an engine could report
//!   (boxes overlapping, of zero size, far outside the page);
//! - `~text`: a line of the second reading (`OcrPage::second_look`);
//! - `text ^ again`: the line read again alone (`Line::reread`); `word|again` the same for a
//!   word.

use std::sync::OnceLock;

use fidelio::campaign::{Campaign, PriorAward};
use fidelio::extract::Receipt;
use fidelio::ocr::{BBox, Line, OcrPage, OcrRecord, Reading, Word};
use fidelio::reason::Status;

const ROW: i32 = 30;
const CHAR: i32 = 12;
const HEIGHT: i32 = 22;

/// The OCR records of `samples/inbox` (text engine), as `fidelio ocr --engine text` wrote them.
pub fn sample_records() -> &'static [OcrRecord] {
    static RECORDS: OnceLock<Vec<OcrRecord>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        include_str!("../fixtures/samples-ocr.jsonl")
            .lines()
            .map(|line| serde_json::from_str(line).expect("fixture OCR record"))
            .collect()
    })
}

/// The receipts read from [`sample_records`], read once.
pub fn sample_receipts() -> &'static [Option<Receipt>] {
    static RECEIPTS: OnceLock<Vec<Option<Receipt>>> = OnceLock::new();
    RECEIPTS.get_or_init(|| fidelio::validate::read_receipts(sample_records()))
}

/// The project's demo campaign, which pages the fuzzer writes are decided under.
pub fn demo_campaign() -> &'static Campaign {
    static CAMPAIGN: OnceLock<Campaign> = OnceLock::new();
    CAMPAIGN.get_or_init(|| {
        Campaign::parse(include_str!("../../campaigns/demo.toml"), "demo.toml")
            .expect("demo campaign")
    })
}

/// Decide `records` (with their `receipts`) under `campaign` as a first night, then a second
/// night that remembers the first one's awards (caps and budgets half used).
pub fn decide_twice(records: &[OcrRecord], receipts: &[Option<Receipt>], campaign: &Campaign) {
    let none = std::collections::BTreeSet::new();
    let first = fidelio::validate::decide_read(records, receipts, campaign, &[], &none);
    let decided_on = chrono::NaiveDate::from_ymd_opt(2024, 4, 1).expect("a date");
    let history: Vec<PriorAward> = first
        .iter()
        .filter(|result| result.status == Status::Accepted)
        .map(|result| PriorAward {
            member: result.member.clone(),
            purchase_date: result.receipt.as_ref().and_then(|r| r.date),
            decided_on,
            points: result.points,
            cashback: result.cashback.unwrap_or_default(),
            receipts: 1,
        })
        .collect();
    let second = fidelio::validate::decide_read(records, receipts, campaign, &history, &none);
    for result in first.iter().chain(&second) {
        serde_json::to_string(result).expect("a decided result serialises");
    }
}

/// An OCR page from fuzzer text (see the module docs), on the first sample's page settings.
pub fn page_from_text(text: &str) -> OcrPage {
    let mut page = sample_records()[0].ocr.clone().expect("fixture page");
    let mut first = Vec::new();
    let mut again = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let (target, raw) = match raw.strip_prefix('~') {
            Some(rest) => (&mut again, rest),
            None => (&mut first, raw),
        };
        target.push(line_from_text(raw, index as i32));
    }
    page.lines = first;
    page.second_look = (!again.is_empty()).then(|| Reading {
        prepare: page.engine.prepare.clone(),
        width: page.width,
        height: page.height,
        lines: again,
    });
    page
}

fn line_from_text(raw: &str, index: i32) -> Line {
    let (geometry, raw) = match raw.strip_prefix('@').and_then(|rest| rest.split_once(' ')) {
        Some((numbers, rest)) => (parse_geometry(numbers), rest),
        None => (None, raw),
    };
    let (raw, reread) = match raw.split_once(" ^ ") {
        Some((text, again)) => (text, Some(again.to_string())),
        None => (raw, None),
    };
    let mut words = Vec::new();
    let mut column = 0i32;
    for piece in raw.split(' ') {
        let chars = piece.chars().count() as i32;
        if chars > 0 {
            let (text, reread) = match piece.split_once('|') {
                Some((text, again)) => (text.to_string(), Some(again.to_string())),
                None => (piece.to_string(), None),
            };
            words.push(Word {
                text,
                conf: 95.0,
                bbox: BBox([
                    column.saturating_mul(CHAR),
                    index * ROW,
                    chars * CHAR,
                    HEIGHT,
                ]),
                reread,
            });
        }
        column = column.saturating_add(chars + 1);
    }
    let mut line = if words.is_empty() {
        Line::from_text(raw, 95.0, BBox([0, index * ROW, 0, HEIGHT]))
    } else {
        Line::from_words(words)
    };
    if let Some((bbox, conf)) = geometry {
        line.bbox = bbox;
        line.conf = conf;
        for word in &mut line.words {
            word.conf = conf;
        }
    }
    line.reread = reread;
    line
}

/// `x,y,w,h,c`: a box within what a 50-megapixel picture allows, a confidence 0–100.
fn parse_geometry(numbers: &str) -> Option<(BBox, f32)> {
    let mut values = numbers.split(',').map(|n| n.parse::<i32>().ok());
    let mut next = || values.next().flatten();
    let (x, y, w, h) = (next()?, next()?, next()?, next()?);
    let conf = next().unwrap_or(95) as f32;
    let side = |v: i32| v.clamp(-50_000, 50_000);
    Some((
        BBox([side(x), side(y), side(w), side(h)]),
        conf.clamp(0.0, 100.0),
    ))
}
