//! The receipt record and a first, simple reader.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{parse_amount, parse_date, parse_time, ExtractOptions};
use crate::ocr::Line;

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default)]
    pub confidence: Confidence,
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
}

/// One row of a VAT table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VatLine {
    pub rate: Option<Decimal>,
    pub base: Option<Decimal>,
    pub amount: Option<Decimal>,
}

/// Per-field confidence, 0–1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Confidence {
    pub merchant: f32,
    pub date: f32,
    pub total: f32,
    pub address: f32,
}

impl Confidence {
    /// The confidence of a field by its `results.jsonl` name; None for fields without one.
    pub fn of(&self, field: &str) -> Option<f32> {
        match field {
            "merchant" => Some(self.merchant),
            "date" => Some(self.date),
            "total" => Some(self.total),
            "address" => Some(self.address),
            _ => None,
        }
    }
}

/// A first reader: merchant = first line with letters, date = first date, total = amount on the
/// last line mentioning TOTAL.
pub fn basic(lines: &[Line], _options: &ExtractOptions) -> Receipt {
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let merchant = texts
        .iter()
        .find(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .map(|t| t.trim().to_string());
    let date = texts.iter().find_map(|t| parse_date(t));
    let time = texts.iter().find_map(|t| parse_time(t));
    let total = texts
        .iter()
        .rev()
        .filter(|t| t.to_uppercase().contains("TOTAL"))
        .find_map(|t| t.split_whitespace().rev().find_map(parse_amount));
    let currency = if texts.iter().any(|t| t.contains('€') || t.contains("EUR")) {
        Some("EUR".to_string())
    } else {
        None
    };
    Receipt {
        confidence: Confidence {
            merchant: if merchant.is_some() { 0.5 } else { 0.0 },
            date: if date.is_some() { 0.5 } else { 0.0 },
            total: if total.is_some() { 0.5 } else { 0.0 },
            address: 0.0,
        },
        merchant,
        date,
        time,
        total,
        currency,
        ..Receipt::default()
    }
}
