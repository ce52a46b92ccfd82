//! `[caps]` and `[budget]`: the most a receipt, a member or the whole campaign can earn.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::values::opt_dec;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caps {
    /// Most points one receipt can earn.
    #[serde(default, with = "opt_dec")]
    pub receipt_points: Option<Decimal>,
    /// Most cashback one receipt can earn.
    #[serde(default, with = "opt_dec")]
    pub receipt_cashback: Option<Decimal>,
    /// Per member over the whole campaign.
    #[serde(default)]
    pub per_member: CapSet,
    /// Per member and purchase day.
    #[serde(default)]
    pub per_member_day: CapSet,
    /// Per member and ISO week (Monday to Sunday) of the purchase.
    #[serde(default)]
    pub per_member_week: CapSet,
}

/// Limits over a group of receipts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapSet {
    #[serde(default, with = "opt_dec")]
    pub points: Option<Decimal>,
    #[serde(default, with = "opt_dec")]
    pub cashback: Option<Decimal>,
    /// Accepted receipts.
    #[serde(default)]
    pub receipts: Option<u32>,
}

impl CapSet {
    pub fn is_empty(&self) -> bool {
        self.points.is_none() && self.cashback.is_none() && self.receipts.is_none()
    }
}

/// What the whole campaign can pay out, all members together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    #[serde(default, with = "opt_dec")]
    pub points: Option<Decimal>,
    #[serde(default, with = "opt_dec")]
    pub cashback: Option<Decimal>,
}
