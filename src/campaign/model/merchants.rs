//! `[merchants]`: which shops count.

use serde::{Deserialize, Serialize};

/// Default similarity (0–1) for recognising an OCR-damaged merchant name.
pub const DEFAULT_FUZZY: f64 = 0.85;
/// Default number of lines at the top of the receipt searched for the merchant name.
pub const DEFAULT_TOP_LINES: usize = 6;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merchants {
    /// Partner merchants; absent means every merchant not denied is eligible. Present but
    /// empty is an error (it would refuse everything).
    #[serde(default)]
    pub allow: Option<Vec<Merchant>>,
    /// Names that are never eligible, even if they also look like a partner.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Minimum similarity (0–1) to accept an approximate name; 1 turns fuzzy matching off.
    #[serde(default)]
    pub fuzzy: Option<f64>,
    /// How many lines at the top of the receipt are searched for the name.
    #[serde(default)]
    pub top_lines: Option<usize>,
    /// Only some stores of the partners (postcode or city prefixes).
    #[serde(default)]
    pub stores: Option<Stores>,
}

/// One partner merchant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merchant {
    /// Stable id recorded in the audit trail.
    pub id: String,
    /// The name as printed on receipts (accents and case do not matter).
    pub name: String,
    /// Other spellings seen on receipts.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Regular expressions on the folded (accent-free, upper-case) header lines.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// Store filter: a receipt passes if any postcode or city printed on it starts with one of these.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stores {
    #[serde(default)]
    pub postcodes: Vec<String>,
    #[serde(default)]
    pub cities: Vec<String>,
}

impl Merchants {
    pub fn fuzzy_threshold(&self) -> f64 {
        self.fuzzy.unwrap_or(DEFAULT_FUZZY)
    }

    pub fn top_lines(&self) -> usize {
        self.top_lines.unwrap_or(DEFAULT_TOP_LINES)
    }
}

impl Merchant {
    /// The name followed by its aliases.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}
