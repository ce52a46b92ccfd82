//! Labels: what a human read on each receipt, in one of two shapes.
//!
//! SROIE-style labels (`{company, date, address, total}`, values exactly as printed) come from
//! public research sets; fidelio's own expected files (`{merchant, date, time, total, currency,
//! address, items, status, reasons, points}`) sit beside the generated samples. The shape is
//! detected from the keys so one folder may mix both. A label is matched to a result by file
//! stem (`x/005.jpg` ↔ `DIR/005.json`); when several labels share a stem, the one whose path
//! ends like the result's path wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::reason::Code;

/// One labelled receipt. Absent or `null` values are not scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expected {
    pub kind: LabelKind,
    pub merchant: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
    pub total: Option<String>,
    pub currency: Option<String>,
    pub address: Option<String>,
    pub items: Option<Vec<ExpectedItem>>,
    pub status: Option<String>,
    pub reasons: Option<Vec<String>>,
    pub points: Option<String>,
}

impl Expected {
    /// The photo is expected refused for capture quality (BLURRY, GLARE, …): the member is
    /// asked for a new photo and nothing on this one is read, so only the decision is scored,
    /// as in the samples test. A faulted photo sent to review (its date and total read
    /// clearly) is read, and scored like any other.
    pub fn refused_for_capture(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "rejected")
            && self
                .reasons
                .iter()
                .flatten()
                .any(|r| Code::CAPTURE.iter().any(|c| c.as_str() == r))
    }

    /// The label with only its decision (status, reasons, points) left to score.
    pub fn decision_only(&self) -> Expected {
        Expected {
            kind: self.kind,
            status: self.status.clone(),
            reasons: self.reasons.clone(),
            points: self.points.clone(),
            ..Expected::default()
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LabelKind {
    /// `{company, date, address, total}` as printed on the receipt.
    #[default]
    Sroie,
    /// fidelio's expected output (ISO dates, decimal totals, decisions).
    Fidelio,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedItem {
    pub description: String,
    pub amount: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("cannot read labels in {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: not a label (expected SROIE keys company/date/address/total or fidelio keys merchant/date/total/…)")]
    UnknownShape { path: String },
    #[error("{path}: invalid JSON: {message}")]
    Json { path: String, message: String },
}

const FIDELIO_ONLY_KEYS: [&str; 7] = [
    "merchant", "time", "currency", "items", "status", "reasons", "points",
];
const SHARED_KEYS: [&str; 4] = ["company", "date", "address", "total"];

impl Expected {
    /// Read a label from its JSON object, detecting its shape from the keys.
    pub fn from_json(value: &Value, path: &str) -> Result<Expected, LabelError> {
        let unknown = || LabelError::UnknownShape {
            path: path.to_string(),
        };
        let object = value.as_object().ok_or_else(unknown)?;
        let is_fidelio = FIDELIO_ONLY_KEYS.iter().any(|k| object.contains_key(*k));
        if !is_fidelio && !SHARED_KEYS.iter().any(|k| object.contains_key(*k)) {
            return Err(unknown());
        }
        let text = |key: &str| scalar_text(object, key);
        Ok(Expected {
            kind: if is_fidelio {
                LabelKind::Fidelio
            } else {
                LabelKind::Sroie
            },
            merchant: text("merchant").or_else(|| text("company")),
            date: text("date"),
            time: text("time"),
            total: text("total"),
            currency: text("currency"),
            address: text("address"),
            items: object.get("items").and_then(items_of),
            status: text("status"),
            reasons: object.get("reasons").and_then(reasons_of),
            points: text("points"),
        })
    }
}

/// A string or number value as text; null, empty and other shapes are "not labelled".
fn scalar_text(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn items_of(value: &Value) -> Option<Vec<ExpectedItem>> {
    let items = value.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|item| {
                let object = item.as_object()?;
                Some(ExpectedItem {
                    description: scalar_text(object, "description").unwrap_or_default(),
                    amount: scalar_text(object, "amount")?,
                })
            })
            .collect(),
    )
}

/// Reason codes, written as plain strings or as `{code, message}` objects.
fn reasons_of(value: &Value) -> Option<Vec<String>> {
    let reasons = value.as_array()?;
    Some(
        reasons
            .iter()
            .filter_map(|r| match r {
                Value::String(code) => Some(code.clone()),
                Value::Object(o) => o.get("code")?.as_str().map(str::to_string),
                _ => None,
            })
            .collect(),
    )
}

/// A label file found in the labels folder.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelFile {
    /// Path relative to the labels folder, without extension (`alice/IMG_1`).
    pub key: PathBuf,
    pub expected: Expected,
}

/// Every label under a folder, by file stem.
#[derive(Debug, Default)]
pub struct LabelSet {
    by_stem: BTreeMap<String, Vec<LabelFile>>,
    /// Files that looked like labels but could not be read; reported, not fatal.
    pub problems: Vec<LabelError>,
}

impl LabelSet {
    /// Read every `*.json` under `dir` (recursively, sorted).
    pub fn load(dir: &Path) -> Result<LabelSet, LabelError> {
        let read_error = |message: String| LabelError::Read {
            path: dir.display().to_string(),
            message,
        };
        if !dir.is_dir() {
            return Err(read_error("not a folder".into()));
        }
        let mut set = LabelSet::default();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| read_error(e.to_string()))?;
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            match read_label(path) {
                Ok(expected) => set.insert(dir, path, expected),
                Err(problem) => set.problems.push(problem),
            }
        }
        Ok(set)
    }

    fn insert(&mut self, dir: &Path, path: &Path, expected: Expected) {
        let key = path.strip_prefix(dir).unwrap_or(path).with_extension("");
        let stem = stem_of(path);
        self.by_stem
            .entry(stem)
            .or_default()
            .push(LabelFile { key, expected });
    }

    /// Build a set from labels already in memory (tests, other tools).
    pub fn from_labels(labels: impl IntoIterator<Item = (PathBuf, Expected)>) -> LabelSet {
        let mut set = LabelSet::default();
        for (key, expected) in labels {
            let stem = stem_of(&key);
            set.by_stem
                .entry(stem)
                .or_default()
                .push(LabelFile { key, expected });
        }
        set
    }

    pub fn len(&self) -> usize {
        self.by_stem.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn all(&self) -> impl Iterator<Item = &LabelFile> {
        self.by_stem.values().flatten()
    }

    /// The label for a result's `file`: by stem, disambiguated by the path's trailing folders.
    pub fn find(&self, file: &str) -> Option<&LabelFile> {
        let path = Path::new(file);
        let candidates = self.by_stem.get(&stem_of(path))?;
        if let [only] = candidates.as_slice() {
            return Some(only);
        }
        let without_extension = path.with_extension("");
        candidates
            .iter()
            .filter(|c| without_extension.ends_with(&c.key))
            .max_by_key(|c| c.key.components().count())
    }
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_label(path: &Path) -> Result<Expected, LabelError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LabelError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| LabelError::Json {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    Expected::from_json(&value, &shown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_sroie_labels() {
        let label = json!({"company": "MR. D.I.Y. SDN BHD", "date": "16-03-18",
                           "address": "LOT 1851-A", "total": "RM 9.00"});
        let expected = Expected::from_json(&label, "x").unwrap();
        assert_eq!(expected.kind, LabelKind::Sroie);
        assert_eq!(expected.merchant.as_deref(), Some("MR. D.I.Y. SDN BHD"));
        assert_eq!(expected.total.as_deref(), Some("RM 9.00"));
        assert_eq!(expected.status, None);
    }

    #[test]
    fn detects_fidelio_labels_with_numbers_and_reason_objects() {
        let label = json!({"merchant": "Carrefour", "date": "2024-03-12", "total": 12.5,
                           "items": [{"description": "PAIN", "amount": "1.20"}],
                           "status": "accepted",
                           "reasons": ["LOW_CONFIDENCE", {"code": "HIGH_TOTAL", "message": "x"}],
                           "points": 12, "time": null});
        let expected = Expected::from_json(&label, "x").unwrap();
        assert_eq!(expected.kind, LabelKind::Fidelio);
        assert_eq!(expected.total.as_deref(), Some("12.5"));
        assert_eq!(expected.time, None);
        assert_eq!(expected.items.as_ref().unwrap()[0].amount, "1.20");
        assert_eq!(
            expected.reasons.unwrap(),
            vec!["LOW_CONFIDENCE".to_string(), "HIGH_TOTAL".to_string()]
        );
    }

    #[test]
    fn rejects_other_json() {
        assert!(Expected::from_json(&json!({"foo": 1}), "x").is_err());
        assert!(Expected::from_json(&json!([1, 2]), "x").is_err());
    }

    #[test]
    fn finds_labels_by_stem_then_by_trailing_folders() {
        let label = |total: &str| Expected {
            total: Some(total.into()),
            ..Expected::default()
        };
        let set = LabelSet::from_labels([
            (PathBuf::from("005"), label("1")),
            (PathBuf::from("alice/IMG_1"), label("2")),
            (PathBuf::from("bob/IMG_1"), label("3")),
        ]);
        let total = |file: &str| set.find(file).and_then(|l| l.expected.total.clone());
        assert_eq!(total("x/y/005.jpg").as_deref(), Some("1"));
        assert_eq!(total("inbox/bob/IMG_1.jpg").as_deref(), Some("3"));
        assert_eq!(total("inbox/carol/IMG_1.jpg"), None);
        assert_eq!(total("006.jpg"), None);
    }
}
