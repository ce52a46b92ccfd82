//! Evaluation: how well does fidelio read receipts whose answers a human wrote down?
//!
//! Extraction rules are only as good as their measured accuracy on receipts nobody tuned them
//! on, and a CI pipeline must be able to refuse a change that makes them worse. This module
//! compares observations (what fidelio read: `results.jsonl` lines, or receipts extracted
//! from OCR on the spot) with labels, field by field, and aggregates a per-field table with
//! normalised and strict match rates (see [`score`] for both definitions), a confidence
//! calibration and threshold checks. It never prints: the `eval` subcommand renders the report.

mod ceiling;
mod labels;
mod normalize;
mod report;
mod score;
mod table;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::campaign::{Campaign, ResultRecord};
use crate::extract::Receipt;
use crate::ocr::{OcrPage, OcrRecord};
use crate::reason::{Reason, Status};
use crate::validate::{decide_all, read_receipts};

pub use ceiling::label_in_ocr;
pub use labels::{Expected, ExpectedItem, LabelError, LabelFile, LabelKind, LabelSet};
pub use normalize::{fold_text, parse_label_amount, parse_label_date};
pub use report::{
    evaluate, review_point, Bucket, FieldStats, Mismatch, Report, ReviewPoint, Shortfall,
    Threshold, ThresholdError, REVIEW_PRECISION,
};
pub use score::{score, Field, FieldOutcome};
pub use table::write_table;

/// Every labelled file is a test case, byte copies included (SROIE holds 17 files that are
/// byte for byte another receipt's image, each with its own label). The nightly run reads a
/// copy once, under its original; here each copy is given its original's reading, which the
/// same bytes would give again, so it is scored rather than counted as read empty.
pub fn share_readings_with_copies(records: &mut [OcrRecord]) {
    let pages: std::collections::HashMap<String, OcrPage> = records
        .iter()
        .filter(|r| r.entry.duplicate_of.is_none())
        .filter_map(|r| Some((r.entry.file.clone(), r.ocr.clone()?)))
        .collect();
    for record in records.iter_mut().filter(|r| r.ocr.is_none()) {
        if let Some(page) = record
            .entry
            .duplicate_of
            .as_ref()
            .and_then(|f| pages.get(f))
        {
            record.ocr = Some(page.clone());
        }
    }
}

/// OCR records extracted (and decided, with a campaign) now, their text (both readings, when
/// there was a second look) kept so the report can tell OCR misses from extraction misses.
pub fn observe_ocr(records: &[OcrRecord], campaign: Option<&Campaign>) -> Vec<Observation> {
    let ocr_lines = |record: &OcrRecord| {
        record
            .ocr
            .as_ref()
            .map(|page| page.all_lines().map(|l| l.text.clone()).collect())
    };
    if let Some(campaign) = campaign {
        return decide_all(records, campaign)
            .iter()
            .zip(records)
            .map(|(result, record)| Observation {
                ocr_lines: ocr_lines(record),
                ..Observation::from(result)
            })
            .collect();
    }
    read_receipts(records)
        .into_iter()
        .zip(records)
        .map(|(receipt, record)| Observation {
            file: record.entry.file.clone(),
            receipt,
            decision: None,
            ocr_lines: ocr_lines(record),
        })
        .collect()
}

/// What fidelio read for one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The input path as in `results.jsonl` (`x/005.jpg`); matched to labels by stem.
    pub file: String,
    pub receipt: Option<Receipt>,
    /// The campaign decision, when the observation went through one.
    pub decision: Option<ObservedDecision>,
    /// The OCR text lines, when known: tells OCR misses from extraction misses.
    pub ocr_lines: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObservedDecision {
    pub status: Status,
    /// Reason codes in output order.
    pub reasons: Vec<String>,
    pub points: Decimal,
}

impl From<&ResultRecord> for Observation {
    fn from(record: &ResultRecord) -> Observation {
        Observation {
            file: record.file.clone(),
            receipt: record.receipt.clone(),
            decision: Some(ObservedDecision {
                status: record.status,
                reasons: codes(&record.reasons),
                points: record.points,
            }),
            ocr_lines: None,
        }
    }
}

fn codes(reasons: &[Reason]) -> Vec<String> {
    reasons
        .iter()
        .map(|r| r.code.as_str().to_string())
        .collect()
}

/// A `results.jsonl` line read leniently: only what evaluation needs, so results written by
/// another fidelio version (extra or missing decision fields) still evaluate.
#[derive(Clone, Debug, Deserialize)]
pub struct ResultLine {
    pub file: String,
    #[serde(default)]
    pub receipt: Option<Receipt>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub reasons: Option<Vec<Reason>>,
    #[serde(default)]
    pub points: Option<Decimal>,
}

impl From<ResultLine> for Observation {
    fn from(line: ResultLine) -> Observation {
        let decision = line.status.map(|status| ObservedDecision {
            status,
            reasons: line.reasons.as_deref().map(codes).unwrap_or_default(),
            points: line.points.unwrap_or_default(),
        });
        Observation {
            file: line.file,
            receipt: line.receipt,
            decision,
            ocr_lines: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(file: &str, duplicate_of: Option<&str>, text: Option<&str>) -> OcrRecord {
        let mut json = serde_json::json!({"file": file, "id": "ab", "size": 1, "format": "jpeg"});
        if let Some(original) = duplicate_of {
            json["duplicate_of"] = original.into();
        }
        if let Some(text) = text {
            json["ocr"] = serde_json::json!({
                "width": 10, "height": 10,
                "quality": {"width": 10, "height": 10, "sharpness": 1.0, "glare": 0.0,
                            "brightness": 200.0},
                "engine": {"name": "text", "version": "1", "languages": "", "settings": "",
                           "prepare": ""},
                "elapsed_ms": 0,
                "lines": [{"text": text, "conf": 90.0, "bbox": [0, 0, 5, 5], "words": []}]
            });
        }
        serde_json::from_value(json).unwrap()
    }

    /// SROIE's byte copies were scored as read empty: 17 of 378 fields lost in every column.
    #[test]
    fn regression_a_byte_copy_of_a_labelled_receipt_is_scored_on_its_originals_reading() {
        let mut records = vec![
            record("a/028.jpg", None, Some("TOTAL 4.00")),
            record("a/262.jpg", Some("a/028.jpg"), None),
            record("a/300.jpg", Some("a/missing.jpg"), None),
        ];
        share_readings_with_copies(&mut records);
        assert_eq!(records[1].ocr, records[0].ocr);
        assert_eq!(records[1].entry.duplicate_of.as_deref(), Some("a/028.jpg"));
        assert_eq!(records[2].ocr, None);
    }

    #[test]
    fn result_lines_from_other_versions_still_read() {
        let line: ResultLine = serde_json::from_str(
            r#"{"file":"x/005.jpg","id":"ab","status":"review","new_field":1,
                "receipt":{"merchant":"SHOP","date":"2018-03-16","total":"9.00","items":[]},
                "reasons":[{"code":"LOW_CONFIDENCE","message":"m"}],"points":"0"}"#,
        )
        .unwrap();
        let observation = Observation::from(line);
        let receipt = observation.receipt.unwrap();
        assert_eq!(receipt.merchant.as_deref(), Some("SHOP"));
        let decision = observation.decision.unwrap();
        assert_eq!(decision.status, Status::Review);
        assert_eq!(decision.reasons, vec!["LOW_CONFIDENCE".to_string()]);
    }
}
