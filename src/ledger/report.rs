//! Reading the ledger back for operators (`fidelio ledger stats|history`) and forgetting it
//! on schedule (`purge`).
//!
//! Retention is a promise about personal data: `purge --before DATE` deletes whole batches
//! committed before that date with their receipts and award lines (foreign keys cascade), and
//! then vacuums so the rows are gone from the file, not just unlinked. Purged purchases can no
//! longer be recognised as duplicates nor count toward caps, which is the point of forgetting.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rusqlite::params;
use rust_decimal::Decimal;
use serde::Serialize;

use super::awards::{date, decimal};
use super::{Ledger, LedgerError};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub schema_version: u32,
    pub campaigns: Vec<CampaignStats>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CampaignStats {
    pub campaign: String,
    pub batches: usize,
    pub last_batch: Option<String>,
    pub last_committed_at: Option<String>,
    pub receipts: usize,
    pub by_status: BTreeMap<String, usize>,
    pub members: usize,
    /// Duplicates whose original was claimed by a different member.
    pub claimed_by_two_members: usize,
    pub awards: usize,
    pub points_awarded: Decimal,
    pub cashback_awarded: Decimal,
    pub revocations: usize,
    pub points_revoked: Decimal,
    pub pending_revocations: usize,
}

/// One receipt in a member's history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryRow {
    pub campaign: String,
    pub batch: String,
    pub decided_at: String,
    pub file: String,
    pub receipt_id: String,
    pub status: String,
    pub reasons: Vec<String>,
    pub purchase_date: Option<NaiveDate>,
    pub merchant: Option<String>,
    pub total: Option<Decimal>,
    pub points: Decimal,
    pub cashback: Decimal,
    pub revoked: bool,
    /// Set once a person decided the receipt in review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<HistoryReview>,
}

/// Who decided a receipt in review, when, and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryReview {
    pub decision: String,
    pub reviewer: Option<String>,
    pub note: Option<String>,
    pub decided_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub batches: usize,
    pub receipts: usize,
    pub award_lines: usize,
}

impl Ledger {
    /// Counts and totals per campaign (or for one).
    pub fn stats(&self, campaign: Option<&str>) -> Result<Stats, LedgerError> {
        let campaigns = self.campaigns(campaign)?;
        Ok(Stats {
            schema_version: self.schema_version()?,
            campaigns: campaigns
                .iter()
                .map(|c| self.campaign_stats(c))
                .collect::<Result<_, _>>()?,
        })
    }

    fn campaigns(&self, only: Option<&str>) -> Result<Vec<String>, LedgerError> {
        let mut statement = self.conn.prepare(
            "SELECT DISTINCT campaign FROM batches WHERE ?1 IS NULL OR campaign = ?1 \
             ORDER BY campaign",
        )?;
        let rows = statement.query_map([only], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn campaign_stats(&self, campaign: &str) -> Result<CampaignStats, LedgerError> {
        let mut stats = CampaignStats {
            campaign: campaign.to_string(),
            ..CampaignStats::default()
        };
        let (batches, last_batch, last_at): (i64, Option<String>, Option<String>) =
            self.conn.query_row(
                "SELECT count(*), (SELECT batch FROM batches WHERE campaign = ?1 \
                 ORDER BY committed_at DESC, batch DESC LIMIT 1), max(committed_at) \
                 FROM batches WHERE campaign = ?1",
                [campaign],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        stats.batches = batches as usize;
        stats.last_batch = last_batch;
        stats.last_committed_at = last_at;
        self.count_receipts(campaign, &mut stats)?;
        self.sum_awards(campaign, &mut stats)?;
        Ok(stats)
    }

    fn count_receipts(&self, campaign: &str, stats: &mut CampaignStats) -> Result<(), LedgerError> {
        let mut statement = self
            .conn
            .prepare("SELECT status, member, other_member FROM receipts WHERE campaign = ?1")?;
        let mut rows = statement.query([campaign])?;
        let mut members = BTreeSet::new();
        while let Some(row) = rows.next()? {
            let status: String = row.get(0)?;
            *stats.by_status.entry(status).or_default() += 1;
            if let Some(member) = row.get::<_, Option<String>>(1)? {
                members.insert(member);
            }
            stats.claimed_by_two_members += usize::from(row.get::<_, bool>(2)?);
            stats.receipts += 1;
        }
        stats.members = members.len();
        Ok(())
    }

    fn sum_awards(&self, campaign: &str, stats: &mut CampaignStats) -> Result<(), LedgerError> {
        for line in self.award_lines(campaign)? {
            if line.kind == "award" {
                stats.awards += 1;
                stats.points_awarded += line.points;
                stats.cashback_awarded += line.cashback;
            } else {
                stats.revocations += 1;
                stats.points_revoked -= line.points;
                stats.pending_revocations += usize::from(line.batch.is_none());
            }
        }
        Ok(())
    }

    /// Every receipt a member submitted (all campaigns, or one), oldest first.
    pub fn member_history(
        &self,
        member: &str,
        campaign: Option<&str>,
    ) -> Result<Vec<HistoryRow>, LedgerError> {
        let mut statement = self.conn.prepare(
            "SELECT r.campaign, r.batch, r.decided_at, r.file, r.receipt_id, r.status, r.reasons, \
             r.purchase_date, r.merchant, r.total, r.points, r.cashback, \
             EXISTS (SELECT 1 FROM awards v WHERE v.receipt = r.id AND v.kind = 'revocation'), \
             w.decision, w.reviewer, w.note, w.decided_at \
             FROM receipts r LEFT JOIN reviews w ON w.receipt = r.id WHERE r.member = ?1 AND (?2 IS NULL OR r.campaign = ?2) \
             ORDER BY r.decided_at, r.id",
        )?;
        let rows = statement.query_map(params![member, campaign], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ),
                (
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, bool>(12)?,
                ),
                (
                    r.get::<_, Option<String>>(13)?,
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                    r.get::<_, Option<String>>(16)?,
                ),
            ))
        })?;
        let mut history = Vec::new();
        for row in rows {
            let ((campaign, batch, decided_at, file, receipt_id, status, reasons), rest, review) =
                row?;
            let (decision, reviewer, note, reviewed_at) = review;
            let (purchase_date, merchant, total, points, cashback, revoked) = rest;
            history.push(HistoryRow {
                campaign,
                batch,
                decided_at,
                file,
                receipt_id,
                status,
                reasons: serde_json::from_str(&reasons)
                    .map_err(|_| LedgerError::Corrupt(format!("reasons {reasons:?}")))?,
                purchase_date: purchase_date.as_deref().map(date).transpose()?,
                merchant,
                total: total.as_deref().map(decimal).transpose()?,
                points: decimal(&points)?,
                cashback: decimal(&cashback)?,
                revoked,
                review: decision.map(|decision| HistoryReview {
                    decision,
                    reviewer,
                    note,
                    decided_at: reviewed_at.unwrap_or_default(),
                }),
            });
        }
        Ok(history)
    }

    /// Delete every batch committed before `before` (optionally of one campaign), with its
    /// receipts and award lines, then reclaim the space.
    pub fn purge_before(
        &mut self,
        before: NaiveDate,
        campaign: Option<&str>,
    ) -> Result<PurgeReport, LedgerError> {
        let cutoff = before.format("%Y-%m-%d").to_string();
        let scope = |alias: &str| {
            format!("{alias}committed_at < ?1 AND (?2 IS NULL OR {alias}campaign = ?2)")
        };
        let tx = self.write_transaction()?;
        let count = |sql: &str| -> Result<usize, LedgerError> {
            Ok(tx.query_row(sql, params![cutoff, campaign], |r| r.get::<_, i64>(0))? as usize)
        };
        let report = PurgeReport {
            batches: count(&format!("SELECT count(*) FROM batches WHERE {}", scope("")))?,
            receipts: count(&format!(
                "SELECT count(*) FROM receipts r JOIN batches b \
                 ON b.campaign = r.campaign AND b.batch = r.batch WHERE {}",
                scope("b.")
            ))?,
            award_lines: count(&format!(
                "SELECT count(*) FROM awards a JOIN receipts r ON r.id = a.receipt \
                 JOIN batches b ON b.campaign = r.campaign AND b.batch = r.batch WHERE {}",
                scope("b.")
            ))?,
        };
        tx.execute(
            &format!("DELETE FROM batches WHERE {}", scope("")),
            params![cutoff, campaign],
        )?;
        // A decisions file's stored outputs name members too: they go once no receipt it
        // decided is left.
        tx.execute(
            "DELETE FROM review_applies WHERE applied_at < ?1 AND NOT EXISTS \
             (SELECT 1 FROM reviews v WHERE v.apply = review_applies.digest)",
            [&cutoff],
        )?;
        tx.commit()?;
        self.conn
            .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(report)
    }
}
