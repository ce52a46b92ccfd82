//! Deciding one receipt under a campaign.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model::Campaign;
use crate::extract::Receipt;
use crate::image::assess;
use crate::ingest::ManifestEntry;
use crate::ocr::OcrPage;
use crate::reason::{Code, Reason, Status};

/// Everything known about one file when it is decided.
pub struct Submission<'a> {
    pub entry: &'a ManifestEntry,
    pub page: Option<&'a OcrPage>,
    pub receipt: Option<&'a Receipt>,
}

/// Which rule did what, on which receipt line: the audit trail of a decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub points: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub status: Status,
    pub reasons: Vec<Reason>,
    pub points: Decimal,
    pub audit: Vec<Audit>,
}

impl Decision {
    fn with(status: Status, reasons: Vec<Reason>) -> Decision {
        Decision {
            status,
            reasons,
            points: Decimal::ZERO,
            audit: Vec::new(),
        }
    }
}

/// Decides submissions in order; holds the running counters that caps need.
pub struct Decider<'c> {
    campaign: &'c Campaign,
}

impl<'c> Decider<'c> {
    pub fn new(campaign: &'c Campaign) -> Decider<'c> {
        Decider { campaign }
    }

    pub fn decide(&mut self, sub: &Submission<'_>) -> Decision {
        if let Some(error) = &sub.entry.error {
            return Decision::with(Status::Unreadable, vec![error.clone()]);
        }
        if let Some(original) = &sub.entry.duplicate_of {
            let reason = Reason::new(Code::DuplicateFile, format!("same file as {original}"));
            return Decision::with(Status::Duplicate, vec![reason]);
        }
        let (Some(page), Some(receipt)) = (sub.page, sub.receipt) else {
            return Decision::with(
                Status::Unreadable,
                vec![Reason::new(Code::OcrFailed, "no OCR result")],
            );
        };
        let quality = assess(&page.quality, &self.campaign.quality);
        if !quality.is_empty() {
            return Decision::with(Status::Rejected, quality);
        }
        let mut reasons = Vec::new();
        let c = self.campaign;
        match receipt.date {
            None => reasons.push(Reason::new(Code::NoDate, "no purchase date found")),
            Some(d) if d < c.period.start || d > c.period.end => reasons.push(Reason::new(
                Code::OutOfPeriod,
                format!(
                    "purchase on {d} is outside {} to {}",
                    c.period.start, c.period.end
                ),
            )),
            _ => {}
        }
        if !c.merchants.allow.is_empty() {
            let merchant = receipt.merchant.as_deref().unwrap_or("").to_lowercase();
            if !c
                .merchants
                .allow
                .iter()
                .any(|m| merchant.contains(&m.to_lowercase()))
            {
                reasons.push(Reason::new(
                    Code::MerchantNotEligible,
                    "merchant is not a partner of this campaign",
                ));
            }
        }
        match (receipt.total, c.min_total) {
            (None, _) => reasons.push(Reason::new(Code::NoTotal, "no total found")),
            (Some(t), Some(min)) if t < min => reasons.push(Reason::new(
                Code::BelowMinTotal,
                format!("total {t} is below the minimum {min}"),
            )),
            _ => {}
        }
        if !reasons.is_empty() {
            return Decision::with(Status::Rejected, reasons);
        }
        let total = receipt.total.unwrap_or_default();
        let points = (total * c.points.per_currency_unit).floor();
        Decision {
            status: Status::Accepted,
            reasons,
            points,
            audit: vec![Audit {
                rule: "points.per_currency_unit".into(),
                line: None,
                text: None,
                points,
            }],
        }
    }
}
