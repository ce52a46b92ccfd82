//! `[[products]]`: what must be bought, and what each unit earns.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::values::opt_dec;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: String,
    /// Each entry is a set of words that must all appear on the line, in any order; a word may
    /// end or start with `*` (`yaourt*`). Case and accents do not matter.
    #[serde(default)]
    pub words: Vec<String>,
    /// Globs on the whole folded line (`*YAOURT*BIO*`).
    #[serde(default)]
    pub globs: Vec<String>,
    /// Regular expressions on the folded line (accent-free, upper case, matched case-insensitively).
    #[serde(default)]
    pub regex: Vec<String>,
    /// EAN/GTIN codes (8, 12, 13 or 14 digits) printed on the line.
    #[serde(default)]
    pub ean: Vec<String>,
    /// Units of this product needed on one receipt for it to count (default 1).
    #[serde(default)]
    pub min_quantity: Option<u32>,
    /// Points for each unit bought.
    #[serde(default, with = "opt_dec")]
    pub points_per_unit: Option<Decimal>,
    /// Points once per receipt containing the product.
    #[serde(default, with = "opt_dec")]
    pub points: Option<Decimal>,
    /// Share of the product's price refunded (0.20 = 20 %).
    #[serde(default, with = "opt_dec")]
    pub cashback_rate: Option<Decimal>,
    /// Fixed amount refunded once per receipt containing the product.
    #[serde(default, with = "opt_dec")]
    pub cashback_amount: Option<Decimal>,
}

impl Product {
    pub fn min_units(&self) -> u32 {
        self.min_quantity.unwrap_or(1)
    }

    /// Whether the product earns anything by itself.
    pub fn rewards(&self) -> bool {
        self.points_per_unit.is_some()
            || self.points.is_some()
            || self.cashback_rate.is_some()
            || self.cashback_amount.is_some()
    }
}
