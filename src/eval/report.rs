//! Aggregating field outcomes into the per-field table, the mismatch list, a confidence
//! calibration (is a confident answer actually right more often?) and CI thresholds.

use std::collections::BTreeMap;

use serde::Serialize;

use super::labels::LabelSet;
use super::score::{score, Field, FieldOutcome};
use super::Observation;

/// Confidence buckets for calibration: low, medium, high.
const BUCKETS: [(f32, f32, &str); 3] = [
    (0.0, 0.5, "<0.5"),
    (0.5, 0.8, "0.5-0.8"),
    (0.8, 1.01, ">=0.8"),
];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Observations that had a label.
    pub labelled: usize,
    /// Observations without a label (not scored).
    pub unlabelled: Vec<String>,
    /// Labels no observation matched (not scored).
    pub unmatched_labels: Vec<String>,
    pub fields: Vec<FieldStats>,
    /// Scored receipts that print their number of articles, and how many of them the items
    /// read add up to: item counts measured where no label gives them (None when none print
    /// it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub articles: Option<ArticleCheck>,
    /// Every field that did not match after normalisation.
    pub mismatches: Vec<Mismatch>,
}

/// The items read against the number of articles the receipt prints (`NB ARTICLES : 5`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArticleCheck {
    /// Scored receipts that print a number of articles.
    pub printed: usize,
    /// Of those, the receipts whose items count up to it (weighed goods one article,
    /// discounts none: `extract::article_units`).
    pub agree: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldStats {
    pub field: Field,
    /// Labelled receipts carrying this field.
    pub count: usize,
    pub normalised: usize,
    pub strict: usize,
    pub normalised_pct: f64,
    /// 95 % Wilson score interval of the normalised rate, in percent: a change whose figures
    /// stay inside it may be one receipt's luck, not a gain.
    pub normalised_interval_pct: [f64; 2],
    pub strict_pct: f64,
    /// Share of labels whose value is readable in the OCR text: the ceiling of extraction
    /// (None when the OCR text was not part of the input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_ocr_pct: Option<f64>,
    /// Mean 0–1 closeness after folding (missing values count as 0).
    pub similarity: f64,
    /// Accuracy per confidence bucket; only for fields the extractor gives a confidence for.
    pub calibration: Vec<Bucket>,
    /// The lowest confidence at or above which this field is right at least `REVIEW_PRECISION`
    /// of the time (a review threshold read off these receipts); None when no confidence
    /// reaches it, or the field has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_point: Option<ReviewPoint>,
}

/// Share of fields at or above a review threshold that must be right (issue 18: a field a
/// person does not look at is right at least 97 % of the time).
pub const REVIEW_PRECISION: f64 = 0.97;

/// Where a review threshold would sit on these receipts, and what it would leave a person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReviewPoint {
    /// Fields with at least this confidence are trusted.
    pub threshold: f32,
    /// Receipts whose field has at least `threshold`.
    pub trusted: usize,
    /// Of those, right (normalised).
    pub right: usize,
    /// Receipts left to a person for this field: below `threshold` or without a value.
    pub to_review_pct: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bucket {
    pub confidence: &'static str,
    pub count: usize,
    pub correct: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mismatch {
    pub file: String,
    #[serde(flatten)]
    pub outcome: FieldOutcome,
}

/// Score every observation that has a label.
pub fn evaluate(observations: &[Observation], labels: &LabelSet) -> Report {
    let mut by_field: BTreeMap<Field, Vec<FieldOutcome>> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut unlabelled = Vec::new();
    let mut matched_keys = std::collections::BTreeSet::new();
    let mut labelled = 0;
    let mut articles = ArticleCheck {
        printed: 0,
        agree: 0,
    };
    for observation in observations {
        let Some(label) = labels.find(&observation.file) else {
            unlabelled.push(observation.file.clone());
            continue;
        };
        labelled += 1;
        if let Some(r) = &observation.receipt {
            if let Some(printed) = r.articles {
                articles.printed += 1;
                let units = crate::extract::article_units(&r.items);
                articles.agree += usize::from(units == rust_decimal::Decimal::from(printed));
            }
        }
        matched_keys.insert(label.key.clone());
        for outcome in score(&label.expected, observation) {
            if !outcome.normalised {
                mismatches.push(Mismatch {
                    file: observation.file.clone(),
                    outcome: outcome.clone(),
                });
            }
            by_field.entry(outcome.field).or_default().push(outcome);
        }
    }
    let unmatched_labels = labels
        .all()
        .filter(|l| !matched_keys.contains(&l.key))
        .map(|l| l.key.display().to_string())
        .collect();
    Report {
        labelled,
        unlabelled,
        unmatched_labels,
        fields: by_field
            .into_iter()
            .map(|(field, outcomes)| field_stats(field, &outcomes))
            .collect(),
        articles: (articles.printed > 0).then_some(articles),
        mismatches,
    }
}

fn field_stats(field: Field, outcomes: &[FieldOutcome]) -> FieldStats {
    let count = outcomes.len();
    let normalised = outcomes.iter().filter(|o| o.normalised).count();
    let strict = outcomes.iter().filter(|o| o.strict).count();
    let pct = |n: usize| round1(100.0 * n as f64 / count.max(1) as f64);
    let similarity = outcomes.iter().map(|o| o.similarity).sum::<f64>() / count.max(1) as f64;
    let checked: Vec<bool> = outcomes.iter().filter_map(|o| o.in_ocr).collect();
    let in_ocr_pct = (!checked.is_empty()).then(|| {
        round1(100.0 * checked.iter().filter(|b| **b).count() as f64 / checked.len() as f64)
    });
    FieldStats {
        field,
        count,
        normalised,
        strict,
        normalised_pct: pct(normalised),
        normalised_interval_pct: wilson_pct(normalised, count),
        strict_pct: pct(strict),
        in_ocr_pct,
        similarity: (similarity * 1000.0).round() / 1000.0,
        calibration: calibration(outcomes),
        review_point: review_point(outcomes),
    }
}

/// The lowest confidence among `outcomes` such that the fields at or above it are right at
/// least `REVIEW_PRECISION` of the time (the largest set of trusted fields that is precise
/// enough), with what it leaves to a person.
pub fn review_point(outcomes: &[FieldOutcome]) -> Option<ReviewPoint> {
    let mut scored: Vec<(f32, bool)> = outcomes
        .iter()
        .filter_map(|o| Some((o.confidence?, o.normalised)))
        .filter(|(c, _)| *c > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best = None;
    let (mut trusted, mut right) = (0, 0);
    for (i, &(confidence, ok)) in scored.iter().enumerate() {
        trusted += 1;
        right += usize::from(ok);
        // Only at the end of a run of equal confidences: a threshold keeps all of them.
        let run_ends = scored.get(i + 1).is_none_or(|next| next.0 < confidence);
        if run_ends && right as f64 >= REVIEW_PRECISION * trusted as f64 {
            best = Some((confidence, trusted, right));
        }
    }
    let (threshold, trusted, right) = best?;
    Some(ReviewPoint {
        threshold,
        trusted,
        right,
        to_review_pct: round1(100.0 * (outcomes.len() - trusted) as f64 / outcomes.len() as f64),
    })
}

/// The 95 % Wilson score interval of `right` successes in `count` trials, in percent rounded to
/// 0.1: unlike the normal approximation it stays within 0–100 % and is honest for rates near
/// the ends and for small counts ([0, 0] without any trial).
pub fn wilson_pct(right: usize, count: usize) -> [f64; 2] {
    if count == 0 {
        return [0.0, 0.0];
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n = count as f64;
    let p = right as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    [
        round1(100.0 * (centre - half).max(0.0)),
        round1(100.0 * (centre + half).min(1.0)),
    ]
}

fn calibration(outcomes: &[FieldOutcome]) -> Vec<Bucket> {
    if outcomes.iter().all(|o| o.confidence.is_none()) {
        return Vec::new();
    }
    BUCKETS
        .iter()
        .map(|(low, high, name)| {
            let inside: Vec<&FieldOutcome> = outcomes
                .iter()
                .filter(|o| {
                    let c = o.confidence.unwrap_or(0.0);
                    c >= *low && c < *high
                })
                .collect();
            Bucket {
                confidence: name,
                count: inside.len(),
                correct: inside.iter().filter(|o| o.normalised).count(),
            }
        })
        .collect()
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// `total=90`: the normalised match rate of a field must reach this percentage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    pub field: Field,
    pub min_pct: f64,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error("threshold {0:?}: expected FIELD=PERCENT, e.g. total=90")]
    Syntax(String),
    #[error("threshold {0:?}: unknown field (known: merchant, date, time, total, currency, address, items, status, reasons, points)")]
    UnknownField(String),
}

impl std::str::FromStr for Threshold {
    type Err = ThresholdError;

    fn from_str(text: &str) -> Result<Threshold, ThresholdError> {
        let syntax = || ThresholdError::Syntax(text.to_string());
        let (name, value) = text.split_once('=').ok_or_else(syntax)?;
        let field =
            Field::parse(name).ok_or_else(|| ThresholdError::UnknownField(text.to_string()))?;
        let min_pct: f64 = value
            .trim()
            .trim_end_matches('%')
            .parse()
            .map_err(|_| syntax())?;
        if !(0.0..=100.0).contains(&min_pct) {
            return Err(syntax());
        }
        Ok(Threshold { field, min_pct })
    }
}

/// A threshold the report does not meet, with the rate reached (None: field never labelled).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shortfall {
    pub field: Field,
    pub required_pct: f64,
    pub reached_pct: Option<f64>,
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.field.as_str();
        match self.reached_pct {
            Some(reached) => write!(
                f,
                "{field} {reached:.1} % is below the required {} %",
                self.required_pct
            ),
            None => write!(
                f,
                "no label carries {field}, cannot check --min {field}={}",
                self.required_pct
            ),
        }
    }
}

/// `fidelio eval --json`: the report with the thresholds it misses.
#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    shortfalls: &'a [Shortfall],
}

impl Report {
    /// The report and the thresholds it misses as pretty JSON, newline-terminated.
    pub fn to_json(&self, shortfalls: &[Shortfall]) -> serde_json::Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(&JsonReport {
            report: self,
            shortfalls,
        })?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    pub fn field(&self, field: Field) -> Option<&FieldStats> {
        self.fields.iter().find(|f| f.field == field)
    }

    /// Thresholds not met. A field no label carries fails: a guard on nothing guards nothing.
    pub fn shortfalls(&self, thresholds: &[Threshold]) -> Vec<Shortfall> {
        thresholds
            .iter()
            .filter_map(|t| {
                let reached = self.field(t.field).map(|s| s.normalised_pct);
                let met = reached.is_some_and(|r| r + 1e-9 >= t.min_pct);
                (!met).then_some(Shortfall {
                    field: t.field,
                    required_pct: t.min_pct,
                    reached_pct: reached,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(confidence: f32, normalised: bool) -> FieldOutcome {
        FieldOutcome {
            field: Field::Total,
            expected: "1.00".into(),
            got: Some("1.00".into()),
            normalised,
            strict: normalised,
            similarity: 1.0,
            confidence: Some(confidence),
            in_ocr: None,
        }
    }

    #[test]
    fn the_review_point_is_the_lowest_confidence_still_precise_enough() {
        // 40 sure and right, then one wrong at 0.7, then 20 right at 0.6, 10 half right at 0.3.
        let mut outcomes: Vec<FieldOutcome> = (0..40).map(|_| outcome(0.9, true)).collect();
        outcomes.push(outcome(0.7, false));
        outcomes.extend((0..20).map(|_| outcome(0.6, true)));
        outcomes.extend((0..10).map(|i| outcome(0.3, i % 2 == 0)));
        let point = review_point(&outcomes).unwrap();
        // At 0.6: 60 of 61 right (98.4 %); at 0.3: 65 of 71 (91.5 %).
        assert_eq!(point.threshold, 0.6);
        assert_eq!((point.trusted, point.right), (61, 60));
        assert_eq!(point.to_review_pct, 14.1);
        // Nothing precise enough: no threshold.
        let poor: Vec<FieldOutcome> = (0..10).map(|i| outcome(0.8, i % 3 == 0)).collect();
        assert_eq!(review_point(&poor), None);
    }

    #[test]
    fn wilson_intervals_match_the_textbook_values() {
        // Newcombe (1998), table I: 81/263 -> 0.2553-0.3662; 0/10 -> 0-0.2775.
        assert_eq!(wilson_pct(81, 263), [25.5, 36.6]);
        assert_eq!(wilson_pct(0, 10), [0.0, 27.8]);
        assert_eq!(wilson_pct(10, 10), [72.2, 100.0]);
        assert_eq!(wilson_pct(0, 0), [0.0, 0.0]);
        // One receipt of 191 is half a point: inside the interval of 90 %.
        let [low, high] = wilson_pct(172, 191);
        assert!(low < 89.5 && high > 90.6, "{low} {high}");
    }
    use crate::eval::labels::Expected;
    use crate::extract::Receipt;
    use rust_decimal::Decimal;
    use std::path::PathBuf;
    use std::str::FromStr;

    fn labels() -> LabelSet {
        let label = |total: &str| Expected {
            total: Some(total.into()),
            date: Some("01/02/2018".into()),
            ..Expected::default()
        };
        LabelSet::from_labels([
            (PathBuf::from("a"), label("1.00")),
            (PathBuf::from("b"), label("RM 2.00")),
            (PathBuf::from("c"), label("3.00")),
        ])
    }

    fn observed(file: &str, total: &str) -> Observation {
        Observation {
            file: file.into(),
            receipt: Some(Receipt {
                total: Some(Decimal::from_str(total).unwrap()),
                ..Receipt::default()
            }),
            decision: None,
            ocr_lines: None,
        }
    }

    #[test]
    fn counts_matches_per_field_and_lists_mismatches() {
        let report = evaluate(
            &[
                observed("x/a.jpg", "1.00"),
                observed("x/b.jpg", "2.00"),
                observed("x/z.jpg", "1"),
            ],
            &labels(),
        );
        assert_eq!(report.labelled, 2);
        assert_eq!(report.unlabelled, vec!["x/z.jpg".to_string()]);
        assert_eq!(report.unmatched_labels, vec!["c".to_string()]);
        let total = report.field(Field::Total).unwrap();
        assert_eq!((total.count, total.normalised, total.strict), (2, 2, 1));
        assert_eq!(total.normalised_pct, 100.0);
        assert_eq!(total.strict_pct, 50.0);
        let date = report.field(Field::Date).unwrap();
        assert_eq!(date.normalised, 0);
        assert_eq!(report.mismatches.len(), 2);
    }

    #[test]
    fn thresholds_parse_and_guard() {
        let report = evaluate(
            &[observed("a.jpg", "1.00"), observed("b.jpg", "9.00")],
            &labels(),
        );
        let t = |s: &str| Threshold::from_str(s).unwrap();
        assert!(report.shortfalls(&[t("total=50")]).is_empty());
        assert_eq!(report.shortfalls(&[t("total=50.1%")]).len(), 1);
        let never = report.shortfalls(&[t("address=0")]);
        assert_eq!(never[0].reached_pct, None);
        assert!(matches!(
            Threshold::from_str("total"),
            Err(ThresholdError::Syntax(_))
        ));
        assert!(matches!(
            Threshold::from_str("colour=3"),
            Err(ThresholdError::UnknownField(_))
        ));
        assert!(Threshold::from_str("total=101").is_err());
    }
}
