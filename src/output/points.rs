//! `points.csv`: what the CRM imports. One row per awarded receipt, RFC 4180, UTF-8.

use super::{Exporter, ResultRecord};
use crate::reason::Status;

pub const POINTS_HEADER: [&str; 7] = [
    "member_id",
    "campaign_id",
    "receipt_id",
    "purchase_date",
    "merchant",
    "total",
    "points",
];

pub struct PointsCsv;

impl Exporter for PointsCsv {
    fn file_name(&self) -> &'static str {
        "points.csv"
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(POINTS_HEADER)?;
        for record in results.iter().filter(|r| r.status == Status::Accepted) {
            let receipt = record.receipt.as_ref();
            writer.write_record([
                record.member.clone().unwrap_or_default(),
                record.campaign.clone(),
                record.id.clone(),
                receipt
                    .and_then(|r| r.date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                receipt.and_then(|r| r.merchant.clone()).unwrap_or_default(),
                receipt
                    .and_then(|r| r.total)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                record.points.to_string(),
            ])?;
        }
        writer.into_inner().map_err(|e| e.into_error())
    }
}
