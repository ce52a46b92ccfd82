//! Validation: OCR records → decided results (extraction + campaign rules).
//!
//! Shared by `fidelio run` and `fidelio validate`, so re-deciding cached OCR under a changed
//! campaign gives exactly what a full run would. Extraction is independent per receipt and runs
//! in parallel; decisions are then made sequentially in input order because caps and budgets
//! depend on what was awarded before.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::campaign::ResultRecord;
use crate::campaign::{Campaign, Decider, PriorAward, Submission};
use crate::extract::{read_page, Receipt};
use crate::ocr::OcrRecord;

/// OCR records from before the quality measures changed would be rejected as blurry under
/// today's thresholds: the first such record, as a message telling the operator to OCR the
/// images again (the cache does so on its own).
pub fn measured_on_old_scale(records: &[OcrRecord]) -> Option<String> {
    let old = records.iter().find(|r| {
        r.ocr
            .as_ref()
            .is_some_and(|page| !crate::image::measured_on_current_scale(&page.engine.prepare))
    })?;
    Some(format!(
        "{}: OCR made by an older fidelio (image preparation {:?}) measures capture quality on \
         another scale; run `fidelio ocr` again on these images",
        old.entry.file,
        old.ocr
            .as_ref()
            .map(|p| p.engine.prepare.as_str())
            .unwrap_or_default()
    ))
}

/// Decide `records` under `campaign` as the first night of the campaign (no earlier awards).
pub fn decide_all(records: &[OcrRecord], campaign: &Campaign) -> Vec<ResultRecord> {
    let receipts = read_receipts(records);
    decide_read(records, &receipts, campaign, &[], &BTreeSet::new())
}

/// Each record's receipt, read from its OCR page (in parallel); `None` for records without
/// OCR. Read once per batch: the ledger may decide a batch twice (see `decide_read`). Each
/// receipt is read on its own: letting a batch agree on its shops' names fixed six tune-half
/// merchants and not one on the check half, so it went (issue 18).
pub fn read_receipts(records: &[OcrRecord]) -> Vec<Option<Receipt>> {
    records
        .par_iter()
        .map(|r| r.ocr.as_ref().map(read_page))
        .collect()
}

/// Decide `records`, whose receipts [`read_receipts`] read, under `campaign`, with caps and
/// budgets already used by `history`. The records at positions in `uncounted` (repeats the
/// ledger will pay nothing) are decided without using up caps or budget.
pub fn decide_read(
    records: &[OcrRecord],
    receipts: &[Option<Receipt>],
    campaign: &Campaign,
    history: &[PriorAward],
    uncounted: &BTreeSet<usize>,
) -> Vec<ResultRecord> {
    let mut decider = Decider::new(campaign, history);
    records
        .iter()
        .zip(receipts)
        .enumerate()
        .map(|(position, (record, receipt))| {
            let file_time = record.entry.file_time.as_deref().and_then(parse_file_time);
            let submission = Submission {
                entry: &record.entry,
                page: record.ocr.as_ref(),
                receipt: receipt.as_ref(),
                file_time,
                approval: None,
            };
            let decision = if uncounted.contains(&position) {
                decider.decide_uncounted(&submission)
            } else {
                decider.decide(&submission)
            };
            ResultRecord {
                file: record.entry.file.clone(),
                path_bytes: record.entry.path_bytes.clone(),
                id: record.entry.id.clone(),
                member: record.entry.member.clone(),
                status: decision.status,
                reasons: decision.reasons,
                receipt: receipt.clone(),
                points: decision.points,
                cashback: campaign.pays_cashback().then_some(decision.cashback),
                campaign: campaign.id.clone(),
                merchant_id: decision.merchant,
                products: decision.products,
                duplicate_of: record.entry.duplicate_of.clone(),
                audit: decision.audit,
            }
        })
        .collect()
}

/// The file time recorded by `scan` (so validation on another machine, after the images are
/// gone, sees the same submission time).
fn parse_file_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
