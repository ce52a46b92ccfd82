//! `fidelio ledger export`: every award and revocation line of a campaign as CSV, for
//! spreadsheets and audits.

use super::csv_text;
use crate::ledger::AwardLine;

/// The columns, in order.
pub const EXPORT_HEADER: [&str; 13] = [
    "seq",
    "kind",
    "campaign_id",
    "batch",
    "member_id",
    "receipt_id",
    "purchase_date",
    "merchant",
    "total",
    "points",
    "cashback",
    "reason",
    "created_at",
];

/// The lines as CSV (CRLF, formula-safe text cells).
pub fn award_lines_csv(lines: &[AwardLine]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(EXPORT_HEADER)?;
    let text = |v: &Option<String>| csv_text(v.as_deref().unwrap_or_default()).into_owned();
    for line in lines {
        writer.write_record([
            line.seq.to_string(),
            csv_text(&line.kind).into_owned(),
            csv_text(&line.campaign).into_owned(),
            text(&line.batch),
            text(&line.member),
            csv_text(&line.receipt_id).into_owned(),
            line.purchase_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            text(&line.merchant),
            line.total.map(|t| t.to_string()).unwrap_or_default(),
            line.points.to_string(),
            line.cashback.to_string(),
            text(&line.reason),
            line.created_at.clone(),
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}
