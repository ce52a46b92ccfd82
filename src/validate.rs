//! Validation: OCR records → decided results (extraction + campaign rules).
//!
//! Shared by `fidelio run` and `fidelio validate`, so re-deciding cached OCR under a changed
//! campaign gives exactly what a full run would. Decisions are made sequentially in input
//! order because caps and budgets depend on what was awarded before.

use crate::campaign::{Campaign, Decider, Submission};
use crate::extract::{extract, ExtractOptions, Receipt};
use crate::ocr::OcrRecord;
use crate::output::ResultRecord;

pub fn decide_all(records: &[OcrRecord], campaign: &Campaign) -> Vec<ResultRecord> {
    let options = ExtractOptions::default();
    let receipts: Vec<Option<Receipt>> = records
        .iter()
        .map(|r| r.ocr.as_ref().map(|page| extract(&page.lines, &options)))
        .collect();
    let mut decider = Decider::new(campaign);
    records
        .iter()
        .zip(receipts)
        .map(|(record, receipt)| {
            let decision = decider.decide(&Submission {
                entry: &record.entry,
                page: record.ocr.as_ref(),
                receipt: receipt.as_ref(),
            });
            ResultRecord {
                file: record.entry.file.clone(),
                id: record.entry.id.clone(),
                member: record.entry.member.clone(),
                status: decision.status,
                reasons: decision.reasons,
                receipt,
                points: decision.points,
                campaign: campaign.id.clone(),
                duplicate_of: record.entry.duplicate_of.clone(),
                audit: decision.audit,
            }
        })
        .collect()
}
