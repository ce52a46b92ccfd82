//! The batch's outputs with the ledger's pending revocations: negative rows in `points.csv` and
//! their sum in `summary.json`, so the CRM learns of an award taken back on the next night.

use super::{Exporter, PointsCsv, Revoked, Summary, SummaryJson};
use crate::campaign::ResultRecord;
use crate::ledger::Revocation;

/// `points.csv` with the batch's revocations appended as negative rows.
///
/// Wraps the campaign's own points exporter rather than copying it: the award rows and header
/// are exactly `PointsCsv`'s, and each revocation row fills the same columns by name (unknown
/// columns stay empty), so the two can never drift apart.
pub struct PointsWithRevocations<'a> {
    pub revocations: &'a [Revocation],
}

impl Exporter for PointsWithRevocations<'_> {
    fn file_name(&self) -> &'static str {
        PointsCsv.file_name()
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        let awards = PointsCsv.render(results)?;
        if self.revocations.is_empty() {
            return Ok(awards);
        }
        let header = csv::Reader::from_reader(awards.as_slice())
            .headers()?
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(awards);
        for revocation in self.revocations {
            writer.write_record(header.iter().map(|column| column_value(revocation, column)))?;
        }
        writer.into_inner().map_err(|e| e.into_error())
    }
}

/// `summary.json` with the revocations the batch's `points.csv` carries.
pub struct SummaryWithRevocations<'a> {
    pub revocations: &'a [Revocation],
}

impl Exporter for SummaryWithRevocations<'_> {
    fn file_name(&self) -> &'static str {
        SummaryJson.file_name()
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        let mut summary = Summary::of(results);
        if !self.revocations.is_empty() {
            summary.revoked = Some(Revoked {
                awards: self.revocations.len(),
                points: self.revocations.iter().map(|r| r.points).sum(),
                cashback: self.revocations.iter().map(|r| r.cashback).sum(),
            });
        }
        summary.to_json()
    }
}

fn column_value(revocation: &Revocation, column: &str) -> String {
    let text = |value: &str| super::csv_text(value).into_owned();
    match column {
        "member_id" | "member" => text(revocation.member.as_deref().unwrap_or_default()),
        "campaign_id" | "campaign" => text(&revocation.campaign),
        "receipt_id" | "id" => text(&revocation.receipt_id),
        "purchase_date" | "date" => revocation
            .purchase_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        "merchant" => text(revocation.merchant.as_deref().unwrap_or_default()),
        "total" => revocation.total.map(|t| t.to_string()).unwrap_or_default(),
        "points" => revocation.points.to_string(),
        "cashback" => revocation.cashback.to_string(),
        "reason" => text(&revocation.reason),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;

    fn money(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn revocations_are_appended_to_points_csv_as_negative_rows() {
        let revocation = Revocation {
            seq: 3,
            campaign: "spring".into(),
            member: Some("m1".into()),
            receipt_id: "abc".into(),
            purchase_date: NaiveDate::from_ymd_opt(2024, 3, 1),
            merchant: Some("Shop, \"Main\"".into()),
            total: Some(money("11.00")),
            points: money("-11"),
            cashback: Decimal::ZERO,
            reason: "fraud".into(),
            created_at: "2024-03-05T23:00:00Z".into(),
            batch: None,
        };
        let results: Vec<ResultRecord> = vec![];
        let plain = PointsCsv.render(&results).unwrap();
        let with = PointsWithRevocations {
            revocations: std::slice::from_ref(&revocation),
        }
        .render(&results)
        .unwrap();
        let text = String::from_utf8(with).unwrap();
        assert!(text.starts_with(std::str::from_utf8(&plain).unwrap()));
        assert!(
            text.ends_with("m1,spring,abc,2024-03-01,\"Shop, \"\"Main\"\"\",11.00,-11\r\n"),
            "{text}"
        );
        let none = PointsWithRevocations { revocations: &[] }
            .render(&results)
            .unwrap();
        assert_eq!(none, plain);
    }
}
