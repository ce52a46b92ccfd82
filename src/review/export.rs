//! `fidelio review export`: every receipt waiting for a person, as a decisions file to fill in
//! a spreadsheet — what was read in the field columns (left as is, it is kept), the decision,
//! reviewer and note empty, and the context a reviewer needs (campaign, batch, member, file,
//! why it is held).

use super::decisions::{CONTEXT_COLUMNS, DECISIONS_HEADER};
use crate::campaign::ResultRecord;
use crate::ledger::{HeldReceipt, Ledger, LedgerError};
use crate::output::csv_text;

/// The decisions file of the pending receipts (optionally of one campaign and batch).
pub fn export_pending(
    ledger: &Ledger,
    campaign: Option<&str>,
    batch: Option<&str>,
) -> Result<Vec<u8>, LedgerError> {
    let held = ledger.pending_reviews(campaign, batch)?;
    let csv_error = |e: csv::Error| LedgerError::Corrupt(e.to_string());
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header: Vec<&str> = DECISIONS_HEADER
        .iter()
        .chain(CONTEXT_COLUMNS.iter())
        .copied()
        .collect();
    writer.write_record(&header).map_err(csv_error)?;
    for h in &held {
        writer.write_record(row(h)).map_err(csv_error)?;
    }
    writer
        .into_inner()
        .map_err(|e| LedgerError::Corrupt(e.into_error().to_string()))
}

fn row(held: &HeldReceipt) -> Vec<String> {
    let result: Option<ResultRecord> = held
        .result
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok());
    let receipt = result.as_ref().and_then(|r| r.receipt.as_ref());
    let text = |value: Option<&str>| csv_text(value.unwrap_or_default()).into_owned();
    let reasons = result
        .as_ref()
        .map(|r| {
            r.reasons
                .iter()
                .map(|reason| format!("{}: {}", reason.code, reason.message))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default();
    vec![
        held.receipt_id.clone(),
        String::new(),
        text(receipt.and_then(|r| r.merchant.as_deref())),
        receipt
            .and_then(|r| r.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        text(receipt.and_then(|r| r.time.as_deref())),
        receipt
            .and_then(|r| r.total)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        String::new(),
        String::new(),
        text(Some(&held.campaign)),
        text(Some(&held.batch)),
        text(held.member.as_deref()),
        text(Some(&held.file)),
        csv_text(&reasons).into_owned(),
    ]
}
