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

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::extract::Receipt;
use crate::output::ResultRecord;
use crate::reason::{Reason, Status};

pub use ceiling::label_in_ocr;
pub use labels::{Expected, ExpectedItem, LabelError, LabelFile, LabelKind, LabelSet};
pub use normalize::{fold_text, parse_label_amount, parse_label_date};
pub use report::{
    evaluate, Bucket, FieldStats, Mismatch, Report, Shortfall, Threshold, ThresholdError,
};
pub use score::{score, Field, FieldOutcome};

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
