//! `summary.json`: counts by status and reason, and totals; deterministic so it can be diffed
//! between runs (timings live in `timings.json`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Exporter;
use crate::campaign::ResultRecord;
use crate::reason::Status;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub campaign: String,
    pub files: usize,
    pub by_status: BTreeMap<String, usize>,
    pub by_reason: BTreeMap<String, usize>,
    pub members: usize,
    pub points: Decimal,
    pub accepted_total: Decimal,
    /// Money paid back, for campaigns that pay cashback (absent otherwise, like the
    /// `cashback` column of `points.csv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback: Option<Decimal>,
    /// Earlier awards withdrawn by the revocation lines of this batch's `points.csv` (absent
    /// when it carries none), so these totals reconcile with what the CRM imports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revoked>,
    /// Per merchant (the partner id when the campaign recognised one, else the name as read;
    /// receipts with no merchant read are not listed): receipts read, accepted, their total
    /// and points.
    #[serde(default)]
    pub by_merchant: BTreeMap<String, MerchantFigures>,
}

/// One merchant's part of the night.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MerchantFigures {
    pub receipts: usize,
    pub accepted: usize,
    pub accepted_total: Decimal,
    pub points: Decimal,
}

/// Awards withdrawn in one batch's `points.csv`: how many, and the points and cashback they
/// take back, negative as on the CSV's lines (so `points` + `revoked.points` is the CSV's sum).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Revoked {
    pub awards: usize,
    pub points: Decimal,
    pub cashback: Decimal,
}

impl Summary {
    pub fn of(results: &[ResultRecord]) -> Summary {
        let mut summary = Summary {
            campaign: results
                .first()
                .map(|r| r.campaign.clone())
                .unwrap_or_default(),
            files: results.len(),
            ..Summary::default()
        };
        for status in Status::ALL {
            summary.by_status.insert(status.as_str().to_string(), 0);
        }
        let mut members = std::collections::BTreeSet::new();
        for record in results {
            *summary
                .by_status
                .entry(record.status.as_str().to_string())
                .or_default() += 1;
            for reason in &record.reasons {
                *summary
                    .by_reason
                    .entry(reason.code.as_str().to_string())
                    .or_default() += 1;
            }
            if let Some(member) = &record.member {
                members.insert(member.clone());
            }
            summary.points += record.points;
            if let Some(cashback) = record.cashback {
                *summary.cashback.get_or_insert(Decimal::ZERO) += cashback;
            }
            let total = record
                .receipt
                .as_ref()
                .and_then(|r| r.total)
                .unwrap_or_default();
            if record.status == Status::Accepted {
                summary.accepted_total += total;
            }
            if let Some(merchant) = merchant_key(record) {
                let figures = summary.by_merchant.entry(merchant).or_default();
                figures.receipts += 1;
                figures.points += record.points;
                if record.status == Status::Accepted {
                    figures.accepted += 1;
                    figures.accepted_total += total;
                }
            }
        }
        summary.members = members.len();
        summary
    }

    pub fn count(&self, status: Status) -> usize {
        self.by_status.get(status.as_str()).copied().unwrap_or(0)
    }
}

/// Whom a result counts for in `by_merchant`.
fn merchant_key(record: &ResultRecord) -> Option<String> {
    if let Some(id) = &record.merchant_id {
        return Some(id.clone());
    }
    let read = record.receipt.as_ref()?.merchant.as_deref()?.trim();
    (!read.is_empty()).then(|| read.to_string())
}

pub struct SummaryJson;

impl Exporter for SummaryJson {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        Summary::of(results).to_json()
    }
}

impl Summary {
    /// The `summary.json` bytes: pretty JSON and a final newline.
    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }
}
