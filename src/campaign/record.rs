//! One line of `results.jsonl`: the contract other tools read.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Audit, ProductLine};
use crate::extract::Receipt;
use crate::reason::{Reason, Status};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    /// The path as found, shown: a name that is not UTF-8 has U+FFFD for its odd bytes.
    pub file: String,
    /// The path's exact bytes, hex, when they are not UTF-8 (as in the scan manifest), so two
    /// files that show alike are told apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    /// blake3 of the file's bytes, hex.
    pub id: String,
    pub member: Option<String>,
    pub status: Status,
    pub reasons: Vec<Reason>,
    pub receipt: Option<Receipt>,
    /// Points awarded (exact decimal, as a string).
    pub points: Decimal,
    /// Cashback awarded, present only when the campaign pays cashback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback: Option<Decimal>,
    pub campaign: String,
    /// The campaign partner the merchant was recognised as (`merchants.allow` id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
    /// The receipt's lines that are campaign products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<ProductLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit: Vec<Audit>,
}
