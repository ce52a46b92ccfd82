//! `points.csv`: what the CRM imports. One row per accepted receipt, RFC 4180, UTF-8, CRLF;
//! text cells formula-safe (`csv_text`).
//!
//! A `cashback` column is added after `points` only when the campaign pays cashback (its
//! results carry a cashback amount), so points-only campaigns keep the exact columns CRMs
//! were set up with.

use super::{csv_text, Exporter};
use crate::campaign::ResultRecord;
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

/// The extra column for campaigns that pay cashback.
pub const CASHBACK_COLUMN: &str = "cashback";

pub struct PointsCsv;

impl Exporter for PointsCsv {
    fn file_name(&self) -> &'static str {
        "points.csv"
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        let with_cashback = results.iter().any(|r| r.cashback.is_some());
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let mut header: Vec<&str> = POINTS_HEADER.to_vec();
        if with_cashback {
            header.push(CASHBACK_COLUMN);
        }
        writer.write_record(&header)?;
        for record in results.iter().filter(|r| r.status == Status::Accepted) {
            writer.write_record(row(record, with_cashback))?;
        }
        writer.into_inner().map_err(|e| e.into_error())
    }
}

fn row(record: &ResultRecord, with_cashback: bool) -> Vec<String> {
    let receipt = record.receipt.as_ref();
    let text = |value: &str| csv_text(value).into_owned();
    let mut row = vec![
        text(record.member.as_deref().unwrap_or_default()),
        text(&record.campaign),
        text(&record.id),
        receipt
            .and_then(|r| r.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        text(
            receipt
                .and_then(|r| r.merchant.as_deref())
                .unwrap_or_default(),
        ),
        receipt
            .and_then(|r| r.total)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        record.points.to_string(),
    ];
    if with_cashback {
        row.push(record.cashback.unwrap_or_default().to_string());
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn record(status: Status, cashback: Option<Decimal>) -> ResultRecord {
        ResultRecord {
            file: "a.jpg".into(),
            path_bytes: None,
            id: "abc".into(),
            member: Some("m1".into()),
            status,
            reasons: vec![],
            receipt: None,
            points: Decimal::new(20, 0),
            cashback,
            campaign: "c".into(),
            merchant_id: None,
            products: vec![],
            duplicate_of: None,
            audit: vec![],
        }
    }

    fn render(results: &[ResultRecord]) -> String {
        String::from_utf8(PointsCsv.render(results).unwrap()).unwrap()
    }

    #[test]
    fn cashback_column_only_when_the_campaign_pays_cashback() {
        let plain = render(&[record(Status::Accepted, None)]);
        assert_eq!(
            plain,
            "member_id,campaign_id,receipt_id,purchase_date,merchant,total,points\r\nm1,c,abc,,,,20\r\n"
        );
        let cash = render(&[
            record(Status::Accepted, Some(Decimal::new(60, 2))),
            record(Status::Rejected, Some(Decimal::ZERO)),
        ]);
        assert_eq!(
            cash,
            "member_id,campaign_id,receipt_id,purchase_date,merchant,total,points,cashback\r\nm1,c,abc,,,,20,0.60\r\n"
        );
    }
}
