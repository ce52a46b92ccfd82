//! Applying a decisions file to the ledger.
//!
//! Every line is checked first — the receipt is held for review in this ledger, in one campaign,
//! not decided by a person already (unless in exactly the same way: then the line is already
//! applied and skipped), and an approved receipt can be paid (it has a member) — and a single
//! problem refuses the whole file, so a half-applied spreadsheet never has to be untangled.
//!
//! Approved receipts are then decided again under the campaign they were held under (kept in
//! the ledger), with the reviewer's corrections in place and the doubts that held them settled
//! ([`Approval`]). Caps and budget count every award of every night, including those of
//! earlier decisions files, because the decider starts from the ledger's standing awards and
//! decides the file's receipts in file order. A corrected receipt that turns out to be a
//! purchase already claimed (by another receipt, or earlier in the same file) is a duplicate.
//! Rejected receipts get `REJECTED_IN_REVIEW` with the reviewer's note.
//!
//! All of it is committed with the rendered outputs in one transaction; applying the same file
//! again replays those outputs and changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::decisions::{read_decisions, DecisionLine, LineError, Verdict};
use crate::campaign::ResultRecord;
use crate::campaign::{
    rejected_in_review, Approval, Audit, Campaign, Decider, Decision, Submission,
};
use crate::extract::Receipt;
use crate::ledger::{
    caps_history, purchase_key, AppliedReview, Claim, HeldReceipt, Ledger, LedgerError,
    ReviewCommit, ReviewedReceipt,
};
use crate::ocr::OcrRecord;
use crate::output::{Exporter, ItemsCsv, PointsCsv, ResultsJsonl, SummaryJson};
use crate::reason::{Code, Reason, Status};

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The file is refused: what is wrong, by line and column. Nothing was applied.
    #[error("{}", render_lines(.0))]
    Lines(Vec<LineError>),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

fn render_lines(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What applying a decisions file did.
#[derive(Debug)]
pub enum Applied {
    /// The same file was applied before: its outputs as they were; nothing changed.
    Replayed(AppliedReview),
    /// Receipts were decided: the new results (file order) and the rendered outputs.
    Decided(Decided),
}

#[derive(Debug)]
pub struct Decided {
    pub results: Vec<ResultRecord>,
    pub outputs: Vec<(String, Vec<u8>)>,
    /// Lines without a decision yet.
    pub undecided: usize,
    /// Lines decided exactly so by an earlier file.
    pub already: usize,
}

impl std::fmt::Display for Decided {
    /// `2 decided: 1 accepted, 1 rejected, 0 duplicate; 1 not decided yet, 0 applied before`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = |status| self.results.iter().filter(|r| r.status == status).count();
        write!(
            f,
            "{} decided: {} accepted, {} rejected, {} duplicate; {} not decided yet, {} applied \
             before",
            self.results.len(),
            count(Status::Accepted),
            count(Status::Rejected),
            count(Status::Duplicate),
            self.undecided,
            self.already
        )
    }
}

/// One line that will be decided, with what the ledger holds for it.
struct Pending {
    line: DecisionLine,
    verdict: Verdict,
    held: HeldReceipt,
}

/// Check `bytes` (a decisions file) against the ledger, decide, and commit; or replay the same
/// file's outputs. The caller holds the run lock.
pub fn apply_decisions(
    ledger: &mut Ledger,
    bytes: &[u8],
    campaign: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, ReviewError> {
    let digest = blake3::hash(bytes).to_hex().to_string();
    if let Some(applied) = ledger.applied_review(&digest)? {
        return Ok(Applied::Replayed(applied));
    }
    let (lines, mut errors) = read_decisions(bytes);
    let (mut undecided, mut already) = (0, 0);
    let mut pending = Vec::new();
    for line in lines {
        let Some(verdict) = line.verdict else {
            undecided += 1;
            continue;
        };
        let scope = line.campaign.as_deref().or(campaign);
        match find_held(ledger, &line, verdict, scope)? {
            Found::Pending(held) => pending.push(Pending {
                line,
                verdict,
                held: *held,
            }),
            Found::Already => already += 1,
            Found::Problem(error) => errors.push(error),
        }
    }
    let decided = decide_all(ledger, &pending, &mut errors)?;
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(ReviewError::Lines(errors));
    }
    let results: Vec<ResultRecord> = decided.iter().map(|(result, _)| result.clone()).collect();
    let outputs = render(&results)?;
    let commit = ReviewCommit {
        digest,
        applied_at: now,
        reviewed: decided.into_iter().map(|(_, reviewed)| reviewed).collect(),
        outputs: outputs.clone(),
    };
    ledger.commit_reviews(&commit)?;
    Ok(Applied::Decided(Decided {
        results,
        outputs,
        undecided,
        already,
    }))
}

enum Found {
    Pending(Box<HeldReceipt>),
    Already,
    Problem(LineError),
}

fn find_held(
    ledger: &Ledger,
    line: &DecisionLine,
    verdict: Verdict,
    campaign: Option<&str>,
) -> Result<Found, LedgerError> {
    let problem =
        |message: String| Found::Problem(LineError::new(line.line, line.id_column, message));
    let id = &line.receipt_id;
    let mut held = ledger.held_receipts(id, campaign)?;
    let held = match held.len() {
        0 => {
            return Ok(problem(format!(
                "receipt {id} was never held for review in this ledger{}",
                campaign
                    .map(|c| format!(" (campaign {c})"))
                    .unwrap_or_default()
            )))
        }
        1 => held.remove(0),
        _ => {
            let campaigns: BTreeSet<&str> = held.iter().map(|h| h.campaign.as_str()).collect();
            return Ok(problem(format!(
                "receipt {id} is held in {} campaigns ({}): fill the campaign column or give \
                 --campaign",
                campaigns.len(),
                campaigns.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    };
    if let Some(review) = &held.review {
        let corrections = serde_json::to_string(&line.corrections).unwrap_or_default();
        let same = review.decision == verdict.as_str()
            && review.corrections == corrections
            && review.reviewer == line.reviewer
            && review.note == line.note;
        if same {
            return Ok(Found::Already);
        }
        return Ok(problem(format!(
            "receipt {id} was already decided in review on {}{} ({}): a review decision is \
             final (take back an award with `fidelio ledger revoke`)",
            review.decided_at,
            review
                .reviewer
                .as_deref()
                .map(|r| format!(" by {r}"))
                .unwrap_or_default(),
            review.decision
        )));
    }
    if held.record.is_none() || held.result.is_none() {
        return Ok(problem(format!(
            "receipt {id} was held for review by a fidelio older than the review commands, \
             which did not keep what it was decided on: decide it by hand"
        )));
    }
    Ok(Found::Pending(Box::new(held)))
}

/// Decide every pending line, campaign by campaign, each in file order; results in file order.
fn decide_all(
    ledger: &Ledger,
    pending: &[Pending],
    errors: &mut Vec<LineError>,
) -> Result<Vec<(ResultRecord, ReviewedReceipt)>, LedgerError> {
    let mut by_campaign: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, p) in pending.iter().enumerate() {
        by_campaign
            .entry(p.held.campaign.as_str())
            .or_default()
            .push(index);
    }
    let mut decided: Vec<Option<(ResultRecord, ReviewedReceipt)>> = vec![None; pending.len()];
    for (campaign_id, indexes) in by_campaign {
        let rules = pending[indexes[0]].held.rules.as_deref();
        let campaign: Campaign = match rules.map(serde_json::from_str) {
            Some(Ok(campaign)) => campaign,
            _ => {
                for &index in &indexes {
                    let p = &pending[index];
                    errors.push(LineError::new(
                        p.line.line,
                        p.line.id_column,
                        format!(
                            "the rules of campaign {campaign_id} that held receipt {} are not \
                             in the ledger",
                            p.line.receipt_id
                        ),
                    ));
                }
                continue;
            }
        };
        let history = caps_history(&ledger.prior_awards(campaign_id)?);
        let mut decider = Decider::new(&campaign, &history);
        let mut claimed: BTreeSet<String> = BTreeSet::new();
        for index in indexes {
            let p = &pending[index];
            match decide_one(ledger, &campaign, &mut decider, &mut claimed, p)? {
                Ok(pair) => decided[index] = Some(pair),
                Err(error) => errors.push(error),
            }
        }
    }
    Ok(decided.into_iter().flatten().collect())
}

fn decide_one(
    ledger: &Ledger,
    campaign: &Campaign,
    decider: &mut Decider<'_>,
    claimed: &mut BTreeSet<String>,
    p: &Pending,
) -> Result<Result<(ResultRecord, ReviewedReceipt), LineError>, LedgerError> {
    let corrupt = |what: &str, e: serde_json::Error| {
        LedgerError::Corrupt(format!("{what} of receipt {}: {e}", p.held.receipt_id))
    };
    let record: OcrRecord = serde_json::from_str(p.held.record.as_deref().unwrap_or_default())
        .map_err(|e| corrupt("held OCR record", e))?;
    let before: ResultRecord = serde_json::from_str(p.held.result.as_deref().unwrap_or_default())
        .map_err(|e| corrupt("held result", e))?;
    let read = before.receipt.clone().unwrap_or_default();
    let receipt = match corrected(&read, &p.line) {
        Ok(receipt) => receipt,
        Err(error) => return Ok(Err(error)),
    };
    let who = p
        .line
        .reviewer
        .as_deref()
        .map(|r| format!(" by {r}"))
        .unwrap_or_default();
    let note = p
        .line
        .note
        .as_deref()
        .map(|n| format!(": {n}"))
        .unwrap_or_default();
    // What a person settled without the campaign deciding: nothing paid, what was found kept.
    let settled = |status, reason| Decision {
        status,
        reasons: vec![reason],
        points: Decimal::ZERO,
        cashback: Decimal::ZERO,
        merchant: before.merchant_id.clone(),
        products: before.products.clone(),
        audit: Vec::new(),
    };
    let mut decision = match p.verdict {
        Verdict::Reject => settled(
            Status::Rejected,
            rejected_in_review(campaign.language, p.line.note.as_deref()),
        ),
        Verdict::Approve => {
            let key = purchase_key(&receipt);
            let elsewhere = match &key {
                Some(key) if claimed.contains(key) => Some(
                    "same purchase (shop, date, time, total) as a receipt approved earlier in \
                     this decisions file"
                        .to_string(),
                ),
                Some(key) => ledger
                    .purchase_claimed_elsewhere(&campaign.id, key, p.held.row)?
                    .map(|(id, member)| {
                        format!(
                            "same purchase (shop, date, time, total) as receipt {id} (member {})",
                            member.as_deref().unwrap_or("unknown")
                        )
                    }),
                None => None,
            };
            if let Some(message) = elsewhere {
                settled(
                    Status::Duplicate,
                    Reason::new(Code::DuplicatePurchase, message),
                )
            } else {
                let merchant_corrected =
                    p.line.corrections.merchant.is_some() && receipt.merchant != read.merchant;
                let file_time = record
                    .entry
                    .file_time
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let decision = decider.decide(&Submission {
                    entry: &record.entry,
                    page: record.ocr.as_ref(),
                    receipt: Some(&receipt),
                    file_time,
                    approval: Some(Approval { merchant_corrected }),
                });
                if decision.status == Status::Review {
                    let why: Vec<String> =
                        decision.reasons.iter().map(|r| r.message.clone()).collect();
                    return Ok(Err(LineError::new(
                        p.line.line,
                        p.line.decision_column,
                        format!(
                            "receipt {} cannot be approved: {}; reject it instead",
                            p.line.receipt_id,
                            why.join("; ")
                        ),
                    )));
                }
                if let Some(key) = key.filter(|_| decision.status == Status::Accepted) {
                    claimed.insert(key);
                }
                decision
            }
        }
    };
    decision
        .audit
        .push(Audit::rule("review").note(format!("{}d{who}{note}", p.verdict.as_str())));
    let (status, points, cashback) = (decision.status, decision.points, decision.cashback);
    let after = ResultRecord {
        status,
        reasons: decision.reasons,
        receipt: Some(receipt),
        points,
        cashback: campaign.pays_cashback().then_some(cashback),
        merchant_id: decision.merchant,
        products: decision.products,
        duplicate_of: None,
        audit: decision.audit,
        ..before
    };
    let reviewed = ReviewedReceipt {
        row: p.held.row,
        decision: p.verdict.as_str().to_string(),
        reviewer: p.line.reviewer.clone(),
        note: p.line.note.clone(),
        corrections: serde_json::to_string(&p.line.corrections)
            .map_err(|e| corrupt("corrections", e))?,
        status,
        reasons: after.reasons.iter().map(|r| r.code).collect(),
        points,
        cashback,
        claim: Claim::of_result(&after, crate::ledger::Picture::default()),
        result: serde_json::to_string(&after).map_err(|e| corrupt("result", e))?,
    };
    Ok(Ok((after, reviewed)))
}

/// The receipt as read, with the reviewer's corrections; a corrected field is certain. A
/// quantity for a line where no item was read is a mistake to report.
fn corrected(read: &Receipt, line: &DecisionLine) -> Result<Receipt, LineError> {
    let mut receipt = read.clone();
    let c = &line.corrections;
    for (&at, &quantity) in &c.quantities {
        let mut found = false;
        for item in receipt.items.iter_mut().filter(|i| i.line == at) {
            item.quantity = Some(quantity);
            item.count_unread = false;
            found = true;
        }
        if !found {
            return Err(LineError::new(
                line.line,
                line.quantities_column,
                format!("receipt {} has no item read on line {at}", line.receipt_id),
            ));
        }
    }
    if let Some(merchant) = &c.merchant {
        receipt.merchant = Some(merchant.clone());
        receipt.confidence.merchant = 1.0;
    }
    if let Some(date) = c.date {
        receipt.date = Some(date);
        receipt.confidence.date = 1.0;
    }
    if let Some(time) = &c.time {
        receipt.time = Some(time.clone());
        receipt.secondary_confidence.time = 1.0;
    }
    if let Some(total) = c.total {
        receipt.total = Some(total);
        receipt.confidence.total = 1.0;
    }
    Ok(receipt)
}

/// `results.jsonl`, `summary.json`, `points.csv` and `items.csv` of the receipts a file decided.
fn render(results: &[ResultRecord]) -> Result<Vec<(String, Vec<u8>)>, LedgerError> {
    let exporters: [&dyn Exporter; 4] = [&ResultsJsonl, &SummaryJson, &PointsCsv, &ItemsCsv];
    exporters
        .iter()
        .map(|e| {
            let bytes = e.render(results).map_err(|source| LedgerError::Io {
                path: e.file_name().into(),
                source,
            })?;
            Ok((e.file_name().to_string(), bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ledger keeps campaigns as JSON to decide held receipts later: every example and
    /// test campaign must come back the same.
    #[test]
    fn every_campaign_survives_the_ledger_s_json() {
        let mut checked = 0;
        for dir in ["campaigns", "tests/data/campaigns"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                let campaign = Campaign::load(&path).unwrap();
                let json = serde_json::to_string(&campaign).unwrap();
                let back: Campaign = serde_json::from_str(&json)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(back, campaign, "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 3, "{checked}");
    }
}
