//! The campaign file format.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::image::QualityThresholds;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub currency: Option<String>,
    /// Tesseract languages for this campaign's receipts (default `fra+eng`).
    #[serde(default)]
    pub ocr_languages: Option<String>,
    pub period: Period,
    #[serde(default)]
    pub merchants: Merchants,
    #[serde(default)]
    pub min_total: Option<Decimal>,
    #[serde(default)]
    pub points: Points,
    #[serde(default)]
    pub quality: QualityThresholds,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(with = "toml_date")]
    pub start: NaiveDate,
    #[serde(with = "toml_date")]
    pub end: NaiveDate,
}

/// Dates written as TOML local dates (`start = 2024-03-01`) or as strings.
pub(crate) mod toml_date {
    use chrono::NaiveDate;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Date(toml::value::Datetime),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = match Raw::deserialize(d)? {
            Raw::Date(dt) => dt.to_string(),
            Raw::Text(s) => s,
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| D::Error::custom(format!("expected a date like 2024-03-01, got {text:?}")))
    }

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&date.to_string())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merchants {
    /// Merchant names (case-insensitive substrings of the receipt's merchant); empty allows all.
    #[serde(default)]
    pub allow: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    /// Points per currency unit of the total (rounded down).
    #[serde(default)]
    pub per_currency_unit: Decimal,
}

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("cannot read campaign {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Campaign {
    pub fn load(path: &Path) -> Result<Campaign, CampaignError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CampaignError::Read {
            path: shown.clone(),
            source,
        })?;
        Campaign::parse(&text, &shown)
    }

    pub fn parse(text: &str, origin: &str) -> Result<Campaign, CampaignError> {
        toml::from_str(text).map_err(|e| CampaignError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })
    }
}
