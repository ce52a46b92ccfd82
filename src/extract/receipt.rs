//! The receipt record: what `results.jsonl` carries for each receipt (a contract: field names
//! never change, new fields are only added).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Fields read from one receipt. Money is exact decimal, serialised as a string.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub merchant: Option<String>,
    /// ISO 8601 date.
    pub date: Option<NaiveDate>,
    /// `HH:MM` (24 h).
    pub time: Option<String>,
    pub total: Option<Decimal>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vat: Vec<VatLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The number of articles the till printed (`NB ARTICLES : 5`, `Total Qty: 6`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_ids: Vec<String>,
    /// Locale pack used: `fr`, `en` or `de`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default)]
    pub secondary_confidence: SecondaryConfidence,
}

/// One purchased line. Discounts are negative amounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
    pub amount: Decimal,
    /// Index of the OCR line it was read from (for the audit trail).
    pub line: usize,
    /// A count was printed but could not be read, and the printed number of articles did not
    /// settle it: the quantity is a guess (see `extract::articles`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub count_unread: bool,
    /// A container deposit (`Pfand`, `consigne`, `statiegeld`), or one paid back (`Leergut`,
    /// negative): part of the sum, but no article bought, never a campaign product.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deposit: bool,
}

/// One row of a VAT table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VatLine {
    pub rate: Option<Decimal>,
    pub base: Option<Decimal>,
    pub amount: Option<Decimal>,
}

/// Confidence, 0–1, of the fields campaigns decide on: how likely the field is right. Low when
/// the reading is a guess (no keyword, OCR repairs, a close second candidate), high when
/// independent readings agree.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Confidence {
    pub merchant: f32,
    pub date: f32,
    pub total: f32,
    pub address: f32,
}

/// Confidence, 0–1, of the other fields; kept apart so code building a [`Confidence`] field by
/// field keeps compiling as fields are added here.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecondaryConfidence {
    pub time: f32,
    pub currency: f32,
    /// High when the items add up to the total.
    pub items: f32,
}

impl Receipt {
    /// The confidence of a field by its `results.jsonl` name; None for fields without one.
    pub fn confidence_of(&self, field: &str) -> Option<f32> {
        match field {
            "merchant" => Some(self.confidence.merchant),
            "date" => Some(self.confidence.date),
            "total" => Some(self.confidence.total),
            "address" => Some(self.confidence.address),
            "time" => Some(self.secondary_confidence.time),
            "currency" => Some(self.secondary_confidence.currency),
            "items" => Some(self.secondary_confidence.items),
            _ => None,
        }
    }
}
