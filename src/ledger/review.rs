//! Receipts held for a person, and what people decided about them.
//!
//! A batch that decides a receipt `review` pays nothing for it and keeps what it was decided on
//! (`review_queue`). `fidelio review apply` later records a person's decision: the receipt's
//! row takes its new status, amounts and corrected fields (so claims, caps and history see the
//! receipt as it now stands), an accepted one gets its award line, and a `reviews` row keeps
//! who decided, when, why and what they corrected. Everything a decisions file changes is
//! written in one transaction together with its rendered outputs, which a second application
//! of the same file replays instead of deciding anything again — the same contract as a batch.
//!
//! The ledger stores the records as JSON text and does not interpret them: deciding is the
//! `review` module's work.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use rust_decimal::Decimal;

use super::batch::timestamp;
use super::claims::Claim;
use super::{Ledger, LedgerError};
use crate::reason::{Code, Status};

/// A receipt that was decided `review` by a batch: pending, or decided since by a person.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldReceipt {
    /// The ledger's row id (stable key for [`ReviewedReceipt::row`]).
    pub row: i64,
    pub campaign: String,
    pub batch: String,
    pub receipt_id: String,
    pub member: Option<String>,
    pub file: String,
    pub decided_at: String,
    /// The OCR record it was decided on (JSON); `None` for receipts held before this ledger
    /// kept them (schema version 1).
    pub record: Option<String>,
    /// Its result as the batch decided it (JSON).
    pub result: Option<String>,
    /// The campaign it was decided under (JSON).
    pub rules: Option<String>,
    /// What a person decided, once they have.
    pub review: Option<ReviewRecord>,
}

/// A person's decision as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRecord {
    pub decision: String,
    pub reviewer: Option<String>,
    pub note: Option<String>,
    /// The corrections as given (JSON).
    pub corrections: String,
    /// The status it was given.
    pub status: String,
    /// Its result after review (JSON).
    pub result: String,
    pub decided_at: String,
}

/// One receipt decided by a person, to record.
#[derive(Clone, Debug)]
pub struct ReviewedReceipt {
    pub row: i64,
    pub decision: String,
    pub reviewer: Option<String>,
    pub note: Option<String>,
    pub corrections: String,
    pub status: Status,
    pub reasons: Vec<Code>,
    pub points: Decimal,
    pub cashback: Decimal,
    /// The receipt's fields as they now stand (corrections applied) and its purchase key.
    pub claim: Claim,
    pub result: String,
}

/// Everything one decisions file changes, committed at once.
#[derive(Clone, Debug)]
pub struct ReviewCommit {
    /// blake3 of the decisions file: the same file applied again is replayed.
    pub digest: String,
    pub applied_at: DateTime<Utc>,
    pub reviewed: Vec<ReviewedReceipt>,
    pub outputs: Vec<(String, Vec<u8>)>,
}

/// A decisions file applied before: when, and its outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedReview {
    pub applied_at: String,
    pub outputs: Vec<(String, Vec<u8>)>,
}

const HELD_COLUMNS: &str = "r.id, r.campaign, r.batch, r.receipt_id, r.member, r.file, \
    r.decided_at, q.record, q.result, c.rules, v.decision, v.reviewer, v.note, v.corrections, \
    v.status, v.result, v.decided_at";

const HELD_FROM: &str = "receipts r \
    JOIN batches b ON b.campaign = r.campaign AND b.batch = r.batch \
    LEFT JOIN review_queue q ON q.receipt = r.id \
    LEFT JOIN campaign_rules c ON c.fingerprint = b.rules \
    LEFT JOIN reviews v ON v.receipt = r.id";

/// A receipt counts as held when its batch decided it `review`.
const HELD: &str = "(q.receipt IS NOT NULL OR v.receipt IS NOT NULL OR r.status = 'review')";

impl Ledger {
    /// Receipts still waiting for a person, optionally of one campaign and batch, in the order
    /// they were decided.
    pub fn pending_reviews(
        &self,
        campaign: Option<&str>,
        batch: Option<&str>,
    ) -> Result<Vec<HeldReceipt>, LedgerError> {
        self.held_where(
            "v.receipt IS NULL AND r.status = 'review' AND (?1 IS NULL OR r.campaign = ?1) \
             AND (?2 IS NULL OR r.batch = ?2)",
            params![campaign, batch],
        )
    }

    /// Every held receipt (pending or reviewed) with this content hash, optionally of one
    /// campaign.
    pub fn held_receipts(
        &self,
        receipt_id: &str,
        campaign: Option<&str>,
    ) -> Result<Vec<HeldReceipt>, LedgerError> {
        self.held_where(
            "r.receipt_id = ?1 AND (?2 IS NULL OR r.campaign = ?2)",
            params![receipt_id, campaign],
        )
    }

    fn held_where(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<HeldReceipt>, LedgerError> {
        let sql = format!(
            "SELECT {HELD_COLUMNS} FROM {HELD_FROM} WHERE {HELD} AND {filter} \
             ORDER BY r.decided_at, r.campaign, r.batch, r.position"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement.query_map(args, held_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Another standing claim (accepted or in review) of the same purchase in `campaign`:
    /// its content hash and member.
    pub fn purchase_claimed_elsewhere(
        &self,
        campaign: &str,
        purchase_key: &str,
        except_row: i64,
    ) -> Result<Option<(String, Option<String>)>, LedgerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT receipt_id, member FROM receipts WHERE campaign = ?1 AND \
                 purchase_key = ?2 AND id != ?3 AND status IN ('accepted', 'review') \
                 ORDER BY id LIMIT 1",
                params![campaign, purchase_key, except_row],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The decisions file with this digest, if it was applied already.
    pub fn applied_review(&self, digest: &str) -> Result<Option<AppliedReview>, LedgerError> {
        let Some(applied_at) = self
            .conn
            .query_row(
                "SELECT applied_at FROM review_applies WHERE digest = ?1",
                [digest],
                |r| r.get::<_, String>(0),
            )
            .optional()?
        else {
            return Ok(None);
        };
        let mut statement = self
            .conn
            .prepare("SELECT name, bytes FROM review_outputs WHERE apply = ?1 ORDER BY name")?;
        let outputs = statement
            .query_map([digest], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Some(AppliedReview {
            applied_at,
            outputs,
        }))
    }

    /// Record a decisions file: every reviewed receipt's new state, its award line, its
    /// review row, and the outputs; all or nothing.
    pub fn commit_reviews(&mut self, commit: &ReviewCommit) -> Result<(), LedgerError> {
        let tx = self.write_transaction()?;
        let at = timestamp(commit.applied_at);
        tx.execute(
            "INSERT INTO review_applies (digest, applied_at, decided) VALUES (?1, ?2, ?3)",
            params![commit.digest, at, commit.reviewed.len() as i64],
        )?;
        for (name, bytes) in &commit.outputs {
            tx.execute(
                "INSERT INTO review_outputs (apply, name, bytes) VALUES (?1, ?2, ?3)",
                params![commit.digest, name, bytes],
            )?;
        }
        let award_batch = review_batch_name(&commit.digest);
        for reviewed in &commit.reviewed {
            let (campaign, status): (String, String) = tx.query_row(
                "SELECT campaign, status FROM receipts WHERE id = ?1",
                [reviewed.row],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if status != Status::Review.as_str() {
                return Err(LedgerError::Corrupt(format!(
                    "receipt row {} is {status}, not in review",
                    reviewed.row
                )));
            }
            let claim = &reviewed.claim;
            let reasons = serde_json::to_string(&reviewed.reasons)
                .map_err(|e| LedgerError::Corrupt(e.to_string()))?;
            tx.execute(
                "UPDATE receipts SET status = ?2, reasons = ?3, purchase_key = ?4, \
                 purchase_date = ?5, purchase_time = ?6, merchant = ?7, total = ?8, \
                 points = ?9, cashback = ?10 WHERE id = ?1",
                params![
                    reviewed.row,
                    reviewed.status.as_str(),
                    reasons,
                    claim.purchase_key,
                    claim.date.map(|d| d.to_string()),
                    claim.time,
                    claim.merchant,
                    claim.total.map(|t| t.to_string()),
                    reviewed.points.to_string(),
                    reviewed.cashback.to_string(),
                ],
            )?;
            tx.execute(
                "INSERT INTO reviews (receipt, apply, decision, reviewer, note, corrections, \
                 status, result, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    reviewed.row,
                    commit.digest,
                    reviewed.decision,
                    reviewed.reviewer,
                    reviewed.note,
                    reviewed.corrections,
                    reviewed.status.as_str(),
                    reviewed.result,
                    at,
                ],
            )?;
            if reviewed.status == Status::Accepted {
                tx.execute(
                    "INSERT INTO awards (campaign, receipt, member, kind, points, cashback, \
                     reason, created_at, batch) VALUES (?1, ?2, ?3, 'award', ?4, ?5, ?6, ?7, ?8)",
                    params![
                        campaign,
                        reviewed.row,
                        claim.member,
                        reviewed.points.to_string(),
                        reviewed.cashback.to_string(),
                        format!(
                            "approved in review{}",
                            reviewed
                                .reviewer
                                .as_deref()
                                .map(|r| format!(" by {r}"))
                                .unwrap_or_default()
                        ),
                        at,
                        award_batch,
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// The batch name award lines of a decisions file carry (`review-` and the start of its
/// digest), so `ledger export` shows where a payment came from.
pub fn review_batch_name(digest: &str) -> String {
    format!("review-{}", &digest[..digest.len().min(12)])
}

fn held_row(r: &Row<'_>) -> rusqlite::Result<HeldReceipt> {
    let decision: Option<String> = r.get(10)?;
    let review = match decision {
        Some(decision) => Some(ReviewRecord {
            decision,
            reviewer: r.get(11)?,
            note: r.get(12)?,
            corrections: r.get(13)?,
            status: r.get(14)?,
            result: r.get(15)?,
            decided_at: r.get(16)?,
        }),
        None => None,
    };
    Ok(HeldReceipt {
        row: r.get(0)?,
        campaign: r.get(1)?,
        batch: r.get(2)?,
        receipt_id: r.get(3)?,
        member: r.get(4)?,
        file: r.get(5)?,
        decided_at: r.get(6)?,
        record: r.get(7)?,
        result: r.get(8)?,
        rules: r.get(9)?,
        review,
    })
}
