//! Batches: a night's run, committed at once, replayed when run again.
//!
//! A batch is named (`--batch`, by default the input folder's name) and belongs to a campaign.
//! Committing it records every decision, every award line and the rendered output files in a
//! single SQLite transaction, so a run killed at any moment has either recorded nothing (the
//! re-run decides again, from the same ledger, and gets the same answer) or everything (the
//! re-run replays the stored outputs byte for byte and awards nothing twice).
//!
//! Replaying needs the same inputs: the batch stores a fingerprint of its files' content hashes
//! and members; different inputs under a committed name are refused, because silently deciding
//! the extra files would make "re-running a batch" mean two different things.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;

use super::claims::{Claim, Finding, OriginalRow};
use super::nearby::chunks;
use super::{Ledger, LedgerError};
use crate::reason::{Code, Status};

/// Rendered output files by name.
pub type Outputs = Vec<(String, Vec<u8>)>;

/// Which batch of which campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchKey {
    pub campaign: String,
    pub batch: String,
}

/// A digest of what a batch was decided on: content hashes and members, not paths, so moving
/// the night's folder does not change it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFingerprint {
    pub digest: String,
    pub files: usize,
}

/// `(content hash, member, file)` of every input, in any order; the file only counts for inputs
/// without a content hash (unreadable), which have nothing else to tell them apart.
pub fn fingerprint_inputs<'a>(
    inputs: impl IntoIterator<Item = (&'a str, Option<&'a str>, &'a str)>,
) -> InputFingerprint {
    let mut lines: Vec<String> = inputs
        .into_iter()
        .map(|(id, member, file)| {
            let identity = if id.is_empty() {
                format!("file:{file}")
            } else {
                id.to_string()
            };
            format!("{identity}\t{}", member.unwrap_or(""))
        })
        .collect();
    lines.sort();
    let mut hasher = blake3::Hasher::new();
    for line in &lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    InputFingerprint {
        digest: hasher.finalize().to_hex().to_string(),
        files: lines.len(),
    }
}

/// A digest of the campaign rules, to warn when a replay ignores changed rules.
pub fn fingerprint_rules(rules: &impl serde::Serialize) -> String {
    let json = serde_json::to_vec(rules).unwrap_or_default();
    blake3::hash(&json).to_hex().to_string()
}

/// Batch names end up in file names, logs and CSV: keep them plain.
pub fn validate_batch_name(name: &str) -> Result<(), LedgerError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if name.is_empty() || name.len() > 100 || name.starts_with('.') || !name.chars().all(plain) {
        return Err(LedgerError::InvalidBatchName(name.to_string()));
    }
    Ok(())
}

/// The default batch name: the single input folder's name and the day of the run
/// (`inbox/` on 2 December → `inbox@2026-12-02`), so the same drop folder filled again makes a
/// new night, and a night re-run the same day replays. (A night re-run after midnight is
/// found by its files: see [`Ledger::batch_with_inputs`].) Several inputs, or a file, have no
/// obvious name and need `--batch`.
pub fn batch_name_from_inputs(inputs: &[PathBuf], today: NaiveDate) -> Result<String, LedgerError> {
    let [input] = inputs else {
        return Err(LedgerError::NoBatchName(format!("{} inputs", inputs.len())));
    };
    if !input.is_dir() {
        return Err(LedgerError::NoBatchName(format!(
            "{} is not a folder",
            input.display()
        )));
    }
    let absolute = std::fs::canonicalize(input).unwrap_or_else(|_| input.clone());
    let name = absolute
        .file_name()
        .map(|n| plain_name(&n.to_string_lossy()))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| LedgerError::NoBatchName(format!("{} has no name", input.display())))?;
    let batch = format!("{name}@{today}");
    validate_batch_name(&batch)?;
    Ok(batch)
}

/// A folder's name as batch names are spelt: accents dropped (`reçus` → `recus`), every run of
/// other characters one `-` (`Inbox 2` → `Inbox-2`), at most 80 characters (room for the date
/// and a round). Was: such a folder made every night's default name invalid (exit 2).
fn plain_name(name: &str) -> String {
    let ascii = deunicode::deunicode(name);
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_start_matches(['.', '-']).trim_end_matches('-');
    out.chars().take(80).collect()
}

/// What `begin_batch` found.
#[derive(Debug)]
pub enum BatchStart {
    /// Never committed: decide it, then `commit_batch`.
    Fresh,
    /// Already committed with the same inputs: write these outputs, decide nothing.
    Replay(StoredBatch),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredBatch {
    pub committed_at: String,
    /// The campaign rules differ from those the batch was decided under (the stored decisions
    /// stand: they were paid).
    pub rules_changed: bool,
    /// Output files by name, as written when the batch was committed.
    pub outputs: Vec<(String, Vec<u8>)>,
}

/// One decided submission, as the ledger records it.
#[derive(Clone, Debug)]
pub struct DecidedReceipt {
    /// Index in the batch's sorted input (what makes in-batch originals addressable).
    pub position: usize,
    pub file: String,
    pub claim: Claim,
    pub status: Status,
    pub reasons: Vec<Code>,
    pub points: Decimal,
    pub cashback: Decimal,
    /// Set when the ledger found it repeats an earlier claim.
    pub finding: Option<Finding>,
}

/// Everything a batch commits, in one transaction.
#[derive(Clone, Debug)]
pub struct BatchCommit {
    pub key: BatchKey,
    pub inputs: InputFingerprint,
    /// [`fingerprint_rules`] of the campaign.
    pub rules: String,
    /// The campaign itself, as JSON, kept by fingerprint so its receipts in review can be
    /// decided again under the rules they were held under.
    pub campaign_rules: String,
    /// What each receipt held for review was decided on, by position.
    pub held: Vec<HeldForReview>,
    pub committed_at: DateTime<Utc>,
    pub receipts: Vec<DecidedReceipt>,
    /// Pending revocations (`seq`) whose negative lines this batch's points.csv carries.
    pub revocations: Vec<i64>,
    /// Rendered output files by name, replayed verbatim on a re-run.
    pub outputs: Vec<(String, Vec<u8>)>,
}

/// A receipt the batch holds for a person: what `fidelio review apply` needs to decide it again.
#[derive(Clone, Debug)]
pub struct HeldForReview {
    pub position: usize,
    /// The OCR record (manifest entry and page) it was decided on, as JSON.
    pub record: String,
    /// Its result as decided (with the receipt as read), as JSON.
    pub result: String,
}

/// A batch written inside an open transaction: nothing is visible, or durable, until
/// [`StagedBatch::commit`]. Dropping it (or dying) rolls everything back.
pub struct StagedBatch<'l> {
    tx: Transaction<'l>,
}

impl StagedBatch<'_> {
    pub fn commit(self) -> Result<(), LedgerError> {
        Ok(self.tx.commit()?)
    }
}

impl Ledger {
    /// Is this batch new, or committed already (replay)? Errors when it was committed with
    /// different inputs.
    pub fn begin_batch(
        &self,
        key: &BatchKey,
        inputs: &InputFingerprint,
        rules: &str,
    ) -> Result<BatchStart, LedgerError> {
        let committed: Option<(String, String, i64, String)> = self
            .conn
            .query_row(
                "SELECT inputs, rules, files, committed_at FROM batches \
                 WHERE campaign = ?1 AND batch = ?2",
                [&key.campaign, &key.batch],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((stored_inputs, stored_rules, files, committed_at)) = committed else {
            return Ok(BatchStart::Fresh);
        };
        if stored_inputs != inputs.digest {
            return Err(LedgerError::BatchInputsChanged {
                campaign: key.campaign.clone(),
                batch: key.batch.clone(),
                committed_at,
                committed: files as usize,
                now: inputs.files,
            });
        }
        Ok(BatchStart::Replay(StoredBatch {
            outputs: self.batch_outputs(key)?,
            rules_changed: stored_rules != rules,
            committed_at,
        }))
    }

    /// The batch of `campaign` committed with exactly these inputs, if any (the latest): a
    /// night re-run under a default name that changed with the date (`inbox@…`) is still the
    /// same night.
    pub fn batch_with_inputs(
        &self,
        campaign: &str,
        inputs: &InputFingerprint,
    ) -> Result<Option<String>, LedgerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT batch FROM batches WHERE campaign = ?1 AND inputs = ?2 \
                 ORDER BY committed_at DESC, batch DESC LIMIT 1",
                params![campaign, inputs.digest],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The campaigns that committed a batch named `batch` (optionally only `campaign`), with
    /// its stored outputs: what `fidelio report` shows.
    pub fn committed_outputs(
        &self,
        batch: &str,
        campaign: Option<&str>,
    ) -> Result<Vec<(BatchKey, Outputs)>, LedgerError> {
        let mut statement = self.conn.prepare(
            "SELECT campaign FROM batches WHERE batch = ?1 AND (?2 IS NULL OR campaign = ?2) \
             ORDER BY campaign",
        )?;
        let campaigns: Vec<String> = statement
            .query_map(params![batch, campaign], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        campaigns
            .into_iter()
            .map(|campaign| {
                let key = BatchKey {
                    campaign,
                    batch: batch.to_string(),
                };
                let outputs = self.batch_outputs(&key)?;
                Ok((key, outputs))
            })
            .collect()
    }

    fn batch_outputs(&self, key: &BatchKey) -> Result<Vec<(String, Vec<u8>)>, LedgerError> {
        let mut statement = self.conn.prepare(
            "SELECT name, bytes FROM batch_outputs WHERE campaign = ?1 AND batch = ?2 ORDER BY name",
        )?;
        let rows =
            statement.query_map([&key.campaign, &key.batch], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record a whole batch atomically.
    pub fn commit_batch(&mut self, commit: &BatchCommit) -> Result<(), LedgerError> {
        self.stage_batch(commit)?.commit()
    }

    /// Write a whole batch inside a transaction left open for the caller to commit.
    pub fn stage_batch(&mut self, commit: &BatchCommit) -> Result<StagedBatch<'_>, LedgerError> {
        let tx = self.write_transaction()?;
        insert_batch(&tx, commit)?;
        let rows = insert_receipts(&tx, commit)?;
        link_originals(&tx, commit, &rows)?;
        insert_awards(&tx, commit, &rows)?;
        hold_for_review(&tx, commit, &rows)?;
        emit_revocations(&tx, commit)?;
        Ok(StagedBatch { tx })
    }
}

fn insert_batch(tx: &Transaction<'_>, commit: &BatchCommit) -> Result<(), LedgerError> {
    let key = &commit.key;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM batches WHERE campaign = ?1 AND batch = ?2)",
        [&key.campaign, &key.batch],
        |r| r.get(0),
    )?;
    if exists {
        return Err(LedgerError::BatchAlreadyCommitted {
            campaign: key.campaign.clone(),
            batch: key.batch.clone(),
        });
    }
    tx.execute(
        "INSERT INTO batches (campaign, batch, inputs, rules, files, committed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            key.campaign,
            key.batch,
            commit.inputs.digest,
            commit.rules,
            commit.inputs.files as i64,
            timestamp(commit.committed_at),
        ],
    )?;
    let mut output = tx.prepare(
        "INSERT INTO batch_outputs (campaign, batch, name, bytes) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (name, bytes) in &commit.outputs {
        output.execute(params![key.campaign, key.batch, name, bytes])?;
    }
    Ok(())
}

/// Inserts every receipt; returns their row ids by position in `commit.receipts`.
fn insert_receipts(tx: &Transaction<'_>, commit: &BatchCommit) -> Result<Vec<i64>, LedgerError> {
    let mut insert = tx.prepare(
        "INSERT INTO receipts (campaign, batch, position, file, receipt_id, member, status, \
         reasons, purchase_key, phash, purchase_date, purchase_time, merchant, total, points, \
         cashback, other_member, decided_at, ticket, grid, picture_width, picture_height) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
         ?19, ?20, ?21, ?22)",
    )?;
    let mut frame = tx.prepare(
        "INSERT INTO receipt_frames (receipt, frame, campaign, hash, ph0, ph1, ph2, ph3) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let decided_at = timestamp(commit.committed_at);
    let mut rows = Vec::with_capacity(commit.receipts.len());
    for receipt in &commit.receipts {
        let claim = &receipt.claim;
        let reasons = serde_json::to_string(&receipt.reasons)
            .map_err(|e| LedgerError::Corrupt(e.to_string()))?;
        insert.execute(params![
            commit.key.campaign,
            commit.key.batch,
            receipt.position as i64,
            receipt.file,
            claim.receipt_id,
            claim.member,
            receipt.status.as_str(),
            reasons,
            claim.purchase_key,
            claim.phash.map(|h| h.to_string()),
            claim.date.map(|d| d.to_string()),
            claim.time,
            claim.merchant,
            claim.total.map(|t| t.to_string()),
            receipt.points.to_string(),
            receipt.cashback.to_string(),
            receipt.finding.as_ref().is_some_and(|f| f.other_member),
            decided_at,
            claim.ticket,
            claim.grid.as_ref().map(|g| g.to_bytes()),
            claim.grid.as_ref().map(|g| g.width),
            claim.grid.as_ref().map(|g| g.height),
        ])?;
        let row = tx.last_insert_rowid();
        for (index, hash) in claim.phash.iter().flat_map(|h| h.frames).enumerate() {
            let [c0, c1, c2, c3] = chunks(hash);
            frame.execute(params![
                row,
                index as i64,
                commit.key.campaign,
                hash as i64,
                c0,
                c1,
                c2,
                c3
            ])?;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Point each duplicate at its original's row, now that the batch's own rows exist.
fn link_originals(
    tx: &Transaction<'_>,
    commit: &BatchCommit,
    rows: &[i64],
) -> Result<(), LedgerError> {
    let mut update = tx.prepare("UPDATE receipts SET original = ?1 WHERE id = ?2")?;
    for (receipt, row) in commit.receipts.iter().zip(rows) {
        let Some(finding) = &receipt.finding else {
            continue;
        };
        let original = match finding.original.row {
            OriginalRow::Stored(id) => Some(id),
            OriginalRow::InBatch(position) => commit
                .receipts
                .iter()
                .position(|r| r.position == position)
                .map(|index| rows[index]),
            OriginalRow::Unknown => None,
        };
        if let Some(original) = original {
            update.execute([original, *row])?;
        }
    }
    Ok(())
}

/// One award line per accepted receipt: exactly the rows of this batch's points.csv.
fn insert_awards(
    tx: &Transaction<'_>,
    commit: &BatchCommit,
    rows: &[i64],
) -> Result<(), LedgerError> {
    let mut insert = tx.prepare(
        "INSERT INTO awards (campaign, receipt, member, kind, points, cashback, created_at, batch) \
         VALUES (?1, ?2, ?3, 'award', ?4, ?5, ?6, ?7)",
    )?;
    let created_at = timestamp(commit.committed_at);
    for (receipt, row) in commit.receipts.iter().zip(rows) {
        if receipt.status != Status::Accepted {
            continue;
        }
        insert.execute(params![
            commit.key.campaign,
            row,
            receipt.claim.member,
            receipt.points.to_string(),
            receipt.cashback.to_string(),
            created_at,
            commit.key.batch,
        ])?;
    }
    Ok(())
}

/// Keep the campaign's rules and what each held receipt was decided on.
fn hold_for_review(
    tx: &Transaction<'_>,
    commit: &BatchCommit,
    rows: &[i64],
) -> Result<(), LedgerError> {
    tx.execute(
        "INSERT OR IGNORE INTO campaign_rules (fingerprint, campaign, rules) VALUES (?1, ?2, ?3)",
        params![commit.rules, commit.key.campaign, commit.campaign_rules],
    )?;
    let mut insert =
        tx.prepare("INSERT INTO review_queue (receipt, record, result) VALUES (?1, ?2, ?3)")?;
    for held in &commit.held {
        let index = commit
            .receipts
            .iter()
            .position(|r| r.position == held.position && r.status == Status::Review)
            .ok_or_else(|| {
                LedgerError::Corrupt(format!(
                    "receipt at position {} is held for review but was not decided review",
                    held.position
                ))
            })?;
        insert.execute(params![rows[index], held.record, held.result])?;
    }
    Ok(())
}

/// Mark the pending revocations this batch's points.csv carries as emitted by it.
fn emit_revocations(tx: &Transaction<'_>, commit: &BatchCommit) -> Result<(), LedgerError> {
    let mut update = tx.prepare(
        "UPDATE awards SET batch = ?1 WHERE seq = ?2 AND kind = 'revocation' AND batch IS NULL \
         AND campaign = ?3",
    )?;
    let mut emitted = 0;
    for seq in &commit.revocations {
        emitted += update.execute(params![commit.key.batch, seq, commit.key.campaign])?;
    }
    if emitted != commit.revocations.len() {
        return Err(LedgerError::RevocationsChanged {
            expected: commit.revocations.len(),
            found: emitted,
        });
    }
    Ok(())
}

/// RFC 3339 in UTC with seconds: sorts as text, so date ranges are plain comparisons.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
