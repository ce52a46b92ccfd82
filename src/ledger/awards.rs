//! Award lines: what was paid, what was taken back, and what caps must count.
//!
//! An accepted receipt gets one `award` line when its batch commits. Fraud found later is
//! revoked: a `revocation` line with the negated points, *pending* until the next batch of the
//! campaign commits and carries it as a negative row in its `points.csv` (the CRM only ever
//! imports points files, so that is how a clawback reaches it). Each receipt has at most one
//! award and one revocation, enforced by the schema.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::Serialize;

use super::batch::timestamp;
use super::{Ledger, LedgerError};

/// An award made in an earlier batch and not revoked: what per-member caps and the campaign
/// budget must count across nights.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriorAward {
    pub member: Option<String>,
    pub receipt_id: String,
    pub batch: String,
    pub purchase_date: Option<NaiveDate>,
    pub points: Decimal,
    pub cashback: Decimal,
    pub awarded_at: String,
}

/// A revocation line (points and cashback are negative).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Revocation {
    pub seq: i64,
    pub campaign: String,
    pub member: Option<String>,
    pub receipt_id: String,
    pub purchase_date: Option<NaiveDate>,
    pub merchant: Option<String>,
    pub total: Option<Decimal>,
    pub points: Decimal,
    pub cashback: Decimal,
    pub reason: String,
    pub created_at: String,
    /// The batch whose points.csv carried it; `None` while pending.
    pub batch: Option<String>,
}

/// One line of `fidelio ledger export`: an award or a revocation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AwardLine {
    pub seq: i64,
    pub kind: String,
    pub campaign: String,
    pub batch: Option<String>,
    pub member: Option<String>,
    pub receipt_id: String,
    pub purchase_date: Option<NaiveDate>,
    pub merchant: Option<String>,
    pub total: Option<Decimal>,
    pub points: Decimal,
    pub cashback: Decimal,
    pub reason: Option<String>,
    pub created_at: String,
}

const LINE_COLUMNS: &str = "a.seq, a.kind, a.campaign, a.batch, a.member, r.receipt_id, \
    r.purchase_date, r.merchant, r.total, a.points, a.cashback, a.reason, a.created_at";

impl Ledger {
    /// Awards of `campaign` still standing (revoked ones excluded: their points came back),
    /// oldest first.
    pub fn prior_awards(&self, campaign: &str) -> Result<Vec<PriorAward>, LedgerError> {
        let lines = self.lines(
            "a.campaign = ?1 AND a.kind = 'award' AND NOT EXISTS (SELECT 1 FROM awards v \
             WHERE v.receipt = a.receipt AND v.kind = 'revocation')",
            campaign,
        )?;
        Ok(lines
            .into_iter()
            .map(|line| PriorAward {
                member: line.member,
                receipt_id: line.receipt_id,
                batch: line.batch.unwrap_or_default(),
                purchase_date: line.purchase_date,
                points: line.points,
                cashback: line.cashback,
                awarded_at: line.created_at,
            })
            .collect())
    }

    /// Every award and revocation line of `campaign`, in the order they were made.
    pub fn award_lines(&self, campaign: &str) -> Result<Vec<AwardLine>, LedgerError> {
        self.lines("a.campaign = ?1", campaign)
    }

    /// Revocations of `campaign` not yet carried by a batch, oldest first.
    pub fn pending_revocations(&self, campaign: &str) -> Result<Vec<Revocation>, LedgerError> {
        let lines = self.lines(
            "a.campaign = ?1 AND a.kind = 'revocation' AND a.batch IS NULL",
            campaign,
        )?;
        Ok(lines.into_iter().map(revocation).collect())
    }

    fn lines(&self, condition: &str, value: &str) -> Result<Vec<AwardLine>, LedgerError> {
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM awards a JOIN receipts r ON r.id = a.receipt \
             WHERE {condition} ORDER BY a.seq"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([value], raw_line)?;
        rows.map(|row| row?.parse()).collect()
    }

    /// Revoke the award of a receipt (its content hash, or an unambiguous prefix of at least 8
    /// characters), optionally within one campaign. The negative line goes out with the
    /// campaign's next batch.
    pub fn revoke(
        &mut self,
        receipt: &str,
        campaign: Option<&str>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Revocation, LedgerError> {
        let started = std::time::Instant::now();
        self.revoke_now(receipt, campaign, reason, at)
            .map_err(|err| self.name_busy(err, started))
    }

    fn revoke_now(
        &mut self,
        receipt: &str,
        campaign: Option<&str>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Revocation, LedgerError> {
        // Immediate: wait for another writer (the busy timeout) instead of failing when a read
        // would have to become a write.
        let tx = self.write_transaction()?;
        let award = find_award(&tx, receipt, campaign)?;
        let revoked_at: Option<String> = tx
            .query_row(
                "SELECT created_at FROM awards WHERE receipt = ?1 AND kind = 'revocation'",
                [award.receipt_row],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(at) = revoked_at {
            return Err(LedgerError::AlreadyRevoked {
                receipt: award.receipt_id,
                campaign: award.campaign,
                at,
            });
        }
        tx.execute(
            "INSERT INTO awards (campaign, receipt, member, kind, points, cashback, reason, \
             created_at, batch) VALUES (?1, ?2, ?3, 'revocation', ?4, ?5, ?6, ?7, NULL)",
            params![
                award.campaign,
                award.receipt_row,
                award.member,
                (-award.points).to_string(),
                (-award.cashback).to_string(),
                reason,
                timestamp(at),
            ],
        )?;
        let seq = tx.last_insert_rowid();
        tx.commit()?;
        let line = self
            .lines("a.seq = ?1", &seq.to_string())?
            .pop()
            .ok_or_else(|| LedgerError::Corrupt(format!("revocation {seq} vanished")))?;
        Ok(revocation(line))
    }
}

struct FoundAward {
    receipt_row: i64,
    receipt_id: String,
    campaign: String,
    member: Option<String>,
    points: Decimal,
    cashback: Decimal,
}

/// Shortest prefix accepted: 8 hex digits make accidental matches vanishingly rare.
const MIN_PREFIX: usize = 8;

fn find_award(
    tx: &rusqlite::Transaction<'_>,
    receipt: &str,
    campaign: Option<&str>,
) -> Result<FoundAward, LedgerError> {
    let receipt = receipt.trim().to_ascii_lowercase();
    if receipt.len() < MIN_PREFIX || !receipt.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(LedgerError::UnknownReceipt(receipt));
    }
    let mut statement = tx.prepare(
        "SELECT a.receipt, r.receipt_id, a.campaign, a.member, a.points, a.cashback \
         FROM awards a JOIN receipts r ON r.id = a.receipt \
         WHERE a.kind = 'award' AND substr(r.receipt_id, 1, ?1) = ?2 \
         AND (?3 IS NULL OR a.campaign = ?3) ORDER BY a.seq",
    )?;
    let rows = statement.query_map(params![receipt.len() as i64, receipt, campaign], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut found = rows.collect::<Result<Vec<_>, _>>()?;
    if found.len() > 1 {
        return Err(LedgerError::AmbiguousReceipt {
            prefix: receipt,
            count: found.len(),
        });
    }
    let (receipt_row, receipt_id, campaign, member, points, cashback) =
        found.pop().ok_or(LedgerError::UnknownReceipt(receipt))?;
    Ok(FoundAward {
        receipt_row,
        receipt_id,
        campaign,
        member,
        points: decimal(&points)?,
        cashback: decimal(&cashback)?,
    })
}

/// The row as stored (text), parsed in one place.
struct RawLine {
    seq: i64,
    kind: String,
    campaign: String,
    batch: Option<String>,
    member: Option<String>,
    receipt_id: String,
    purchase_date: Option<String>,
    merchant: Option<String>,
    total: Option<String>,
    points: String,
    cashback: String,
    reason: Option<String>,
    created_at: String,
}

fn raw_line(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawLine> {
    Ok(RawLine {
        seq: r.get(0)?,
        kind: r.get(1)?,
        campaign: r.get(2)?,
        batch: r.get(3)?,
        member: r.get(4)?,
        receipt_id: r.get(5)?,
        purchase_date: r.get(6)?,
        merchant: r.get(7)?,
        total: r.get(8)?,
        points: r.get(9)?,
        cashback: r.get(10)?,
        reason: r.get(11)?,
        created_at: r.get(12)?,
    })
}

impl RawLine {
    fn parse(self) -> Result<AwardLine, LedgerError> {
        Ok(AwardLine {
            seq: self.seq,
            kind: self.kind,
            campaign: self.campaign,
            batch: self.batch,
            member: self.member,
            receipt_id: self.receipt_id,
            purchase_date: self.purchase_date.as_deref().map(date).transpose()?,
            merchant: self.merchant,
            total: self.total.as_deref().map(decimal).transpose()?,
            points: decimal(&self.points)?,
            cashback: decimal(&self.cashback)?,
            reason: self.reason,
            created_at: self.created_at,
        })
    }
}

fn revocation(line: AwardLine) -> Revocation {
    Revocation {
        seq: line.seq,
        campaign: line.campaign,
        member: line.member,
        receipt_id: line.receipt_id,
        purchase_date: line.purchase_date,
        merchant: line.merchant,
        total: line.total,
        points: line.points,
        cashback: line.cashback,
        reason: line.reason.unwrap_or_default(),
        created_at: line.created_at,
        batch: line.batch,
    }
}

pub(crate) fn decimal(text: &str) -> Result<Decimal, LedgerError> {
    Decimal::from_str(text).map_err(|_| LedgerError::Corrupt(format!("amount {text:?}")))
}

pub(crate) fn date(text: &str) -> Result<NaiveDate, LedgerError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| LedgerError::Corrupt(format!("date {text:?}")))
}

/// The standing awards as the campaign's caps count them: one accepted receipt each, decided on
/// the day it was awarded.
pub fn caps_history(prior: &[PriorAward]) -> Vec<crate::campaign::PriorAward> {
    prior
        .iter()
        .map(|award| crate::campaign::PriorAward {
            member: award.member.clone(),
            purchase_date: award.purchase_date,
            decided_on: award
                .awarded_at
                .get(..10)
                .and_then(|day| NaiveDate::from_str(day).ok())
                .unwrap_or_default(),
            points: award.points,
            cashback: award.cashback,
            receipts: 1,
        })
        .collect()
}
