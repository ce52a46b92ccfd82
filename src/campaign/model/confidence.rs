//! `review.min_confidence`: one threshold for every field read, or one per field.
//!
//! Each field's confidence is its own scale: the date's and the total's are probabilities
//! calibrated on different scores (docs/calibration.md), and `fidelio eval` finds each field's
//! review point (the lowest confidence above which 97 % are right) on its own. One number for
//! all forces the strictest field's threshold on the others, sending receipts to review that
//! need none; a table sets each where its own figures put it.

use serde::de::value::MapAccessDeserializer;
use serde::de::{Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// `min_confidence = 0.9`, or `min_confidence = { date = 0.94, total = 0.9 }`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MinConfidence {
    /// The same threshold for the merchant, the date and the total.
    All(f32),
    /// A threshold per field; a field without one is not reviewed for its confidence.
    Fields(FieldThresholds),
}

/// The table form of `min_confidence`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldThresholds {
    #[serde(default)]
    pub merchant: Option<f32>,
    #[serde(default)]
    pub date: Option<f32>,
    #[serde(default)]
    pub total: Option<f32>,
}

/// The fields a confidence threshold applies to, as `LOW_CONFIDENCE` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewedField {
    Merchant,
    Date,
    Total,
}

impl ReviewedField {
    pub const ALL: [ReviewedField; 3] = [Self::Merchant, Self::Date, Self::Total];

    pub fn key(self) -> &'static str {
        match self {
            Self::Merchant => "merchant",
            Self::Date => "date",
            Self::Total => "total",
        }
    }
}

impl MinConfidence {
    /// The threshold for `field`, if any.
    pub fn of(&self, field: ReviewedField) -> Option<f32> {
        match self {
            Self::All(min) => Some(*min),
            Self::Fields(t) => match field {
                ReviewedField::Merchant => t.merchant,
                ReviewedField::Date => t.date,
                ReviewedField::Total => t.total,
            },
        }
    }

    /// Each threshold with the key it was written under (`review.min_confidence`, or
    /// `review.min_confidence.date`), for checks and explanations.
    pub fn keyed(&self) -> Vec<(String, f32)> {
        match self {
            Self::All(min) => vec![("review.min_confidence".to_string(), *min)],
            Self::Fields(_) => ReviewedField::ALL
                .iter()
                .filter_map(|&f| {
                    let min = self.of(f)?;
                    Some((format!("review.min_confidence.{}", f.key()), min))
                })
                .collect(),
        }
    }
}

impl<'de> Deserialize<'de> for MinConfidence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MinConfidence, D::Error> {
        d.deserialize_any(MinConfidenceVisitor)
    }
}

struct MinConfidenceVisitor;

impl<'de> Visitor<'de> for MinConfidenceVisitor {
    type Value = MinConfidence;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a confidence (0-1) or a table of them by field (merchant, date, total)")
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<MinConfidence, E> {
        Ok(MinConfidence::All(v as f32))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<MinConfidence, E> {
        Ok(MinConfidence::All(v as f32))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<MinConfidence, E> {
        Ok(MinConfidence::All(v as f32))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MinConfidence, A::Error> {
        FieldThresholds::deserialize(MapAccessDeserializer::new(map)).map(MinConfidence::Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Doc {
        min_confidence: MinConfidence,
    }

    fn parse(text: &str) -> Result<MinConfidence, toml::de::Error> {
        toml::from_str::<Doc>(text).map(|d| d.min_confidence)
    }

    #[test]
    fn one_number_sets_every_field_and_a_table_each_its_own() {
        let all = parse("min_confidence = 0.9").unwrap();
        for f in ReviewedField::ALL {
            assert_eq!(all.of(f), Some(0.9));
        }
        assert_eq!(
            parse("min_confidence = 1").unwrap(),
            MinConfidence::All(1.0)
        );
        let fields = parse("min_confidence = { date = 0.94, total = 0.9 }").unwrap();
        assert_eq!(fields.of(ReviewedField::Merchant), None);
        assert_eq!(fields.of(ReviewedField::Date), Some(0.94));
        assert_eq!(fields.of(ReviewedField::Total), Some(0.9));
        assert_eq!(
            fields.keyed(),
            [
                ("review.min_confidence.date".to_string(), 0.94),
                ("review.min_confidence.total".to_string(), 0.9)
            ]
        );
    }

    #[test]
    fn a_misspelt_field_or_a_string_is_refused() {
        let err = parse("min_confidence = { dat = 0.9 }")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `dat`"), "{err}");
        let err = parse("min_confidence = \"0.9\"").unwrap_err().to_string();
        assert!(err.contains("a confidence (0-1) or a table"), "{err}");
    }

    #[test]
    fn both_forms_survive_a_json_copy() {
        for text in [
            "min_confidence = 0.5",
            "min_confidence = { merchant = 0.75, total = 0.9 }",
        ] {
            let doc: Doc = toml::from_str(text).unwrap();
            let json = serde_json::to_string(&doc).unwrap();
            assert_eq!(serde_json::from_str::<Doc>(&json).unwrap(), doc, "{json}");
        }
    }
}
