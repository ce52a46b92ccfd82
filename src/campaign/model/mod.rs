//! The campaign file format: what a campaign manager may write, key by key.
//!
//! Every table denies unknown keys, because a misspelt rule (`min_totl`) would otherwise be
//! silently ignored and change who gets paid. `docs/campaign.md` and
//! `campaigns/schema.json` describe exactly these structs; a test keeps the three in step.

mod caps;
mod confidence;
mod fraud;
mod merchants;
mod points;
mod products;
pub(crate) mod values;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::tz::Timezone;
use crate::image::QualityThresholds;
use values::{date, opt_dec};

pub use caps::{Budget, CapSet, Caps};
pub use confidence::{FieldThresholds, MinConfidence, ReviewedField};
pub use fraud::{Action, Fraud};
pub use merchants::{Merchant, Merchants, Stores};
pub use points::{Day, Multiplier, Points, Rounding, Tier};
pub use products::Product;

/// The language of the messages members and operators read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
    De,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub language: Language,
    /// Interprets submission times (`submitted_at`) as local dates.
    #[serde(default)]
    pub timezone: Timezone,
    /// ISO 4217; a receipt in another currency is rejected (CURRENCY_MISMATCH).
    #[serde(default)]
    pub currency: Option<String>,
    /// Tesseract languages for this campaign's receipts (default `fra+eng`).
    #[serde(default)]
    pub ocr_languages: Option<String>,
    /// Receipts whose total is below this are rejected (BELOW_MIN_TOTAL).
    #[serde(default, with = "opt_dec")]
    pub min_total: Option<Decimal>,
    pub period: Period,
    #[serde(default)]
    pub submission: Submission,
    #[serde(default)]
    pub merchants: Merchants,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub points: Points,
    #[serde(default)]
    pub caps: Caps,
    #[serde(default)]
    pub budget: Budget,
    #[serde(default)]
    pub review: Review,
    #[serde(default)]
    pub quality: QualityThresholds,
    #[serde(default, skip_serializing_if = "Fraud::is_default")]
    pub fraud: Fraud,
}

/// Purchase dates that count, both ends included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(with = "date")]
    pub start: NaiveDate,
    #[serde(with = "date")]
    pub end: NaiveDate,
}

/// When a receipt must have been sent in by.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Last day (local, inclusive) a receipt may be submitted.
    #[serde(default, with = "values::opt_date")]
    pub deadline: Option<NaiveDate>,
    /// At most this many days between purchase and submission.
    #[serde(default)]
    pub max_days_after_purchase: Option<u32>,
}

/// What a person should look at instead of the machine deciding.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Merchant, date or total read with a confidence (0–1) below this: LOW_CONFIDENCE. One
    /// number for the three, or a table with one per field (`{ date = 0.94, total = 0.9 }`).
    #[serde(default)]
    pub min_confidence: Option<MinConfidence>,
    /// A total above this amount: HIGH_TOTAL.
    #[serde(default, with = "opt_dec")]
    pub total_above: Option<Decimal>,
    /// More points than this on one receipt: HIGH_POINTS.
    #[serde(default, with = "opt_dec")]
    pub points_above: Option<Decimal>,
    /// A merchant recognised only approximately (OCR-damaged name): UNCERTAIN_MERCHANT.
    #[serde(default)]
    pub uncertain_merchant: bool,
    /// A product line whose printed count could not be read (its units are a guess):
    /// UNCERTAIN_QUANTITY.
    #[serde(default)]
    pub uncertain_quantity: bool,
    /// A purchase date outside the period that may be a misreading of one inside it (read
    /// below the date's `min_confidence`, or one year digit away by a slip the reader makes):
    /// UNCERTAIN_DATE instead of OUT_OF_PERIOD.
    #[serde(default)]
    pub uncertain_date: bool,
}

impl Campaign {
    /// Whether any rule pays cashback (then results and points.csv carry a cashback column).
    pub fn pays_cashback(&self) -> bool {
        self.products
            .iter()
            .any(|p| p.cashback_rate.is_some() || p.cashback_amount.is_some())
    }

    /// Whether any rule awards points.
    pub fn awards_points(&self) -> bool {
        !self.points.per_currency_unit.is_zero()
            || !self.points.bonus_per_receipt.is_zero()
            || !self.points.tiers.is_empty()
            || self
                .products
                .iter()
                .any(|p| p.points_per_unit.is_some() || p.points.is_some())
    }

    /// Whether deciding needs the receipt total (else a missing total is no reason to refuse).
    pub fn needs_total(&self) -> bool {
        self.min_total.is_some()
            || !self.points.per_currency_unit.is_zero()
            || !self.points.tiers.is_empty()
    }
}
