//! Settling a batch's decisions against the ledger: duplicates over time become `duplicate`
//! (or `review`), and every result becomes a record for [`Ledger::commit_batch`].
//!
//! Results are settled in input order, each checked against the ledger and against the batch's
//! earlier results, so the first claim of a purchase in sorted order is the original, whatever
//! the thread timing. A finding only changes a result that would pay (accepted, or sent to
//! review), except the very same bytes, which are a duplicate whatever was decided: a
//! submission rejected for its own reasons stays rejected and explains why, and the repeat is
//! added after those reasons. A member told "glare hides the text" about a copy of a receipt
//! already paid would otherwise retake it for nothing, and the operator would not see the
//! second attempt.
//!
//! A repeat found here that would have been paid had already been counted against caps and
//! budgets by the decider; the ledger step (`fidelio run`/`validate`) then decides the batch
//! again without counting it, so it never takes a later submission's share.

use rust_decimal::Decimal;

use super::{Claim, ClaimChecker, DecidedReceipt, Finding, LedgerError, MatchKind, Picture};
use crate::campaign::ResultRecord;
use crate::reason::Status;

impl Claim {
    /// The claim of a decided result (its receipt's fields), with its picture if known.
    pub fn of_result(result: &ResultRecord, picture: Picture) -> Claim {
        Claim::read(
            &result.id,
            result.member.as_deref(),
            result.receipt.as_ref(),
            picture,
        )
    }
}

/// Settle every result of a batch, in order. `pictures[i]` is what OCR measured of result
/// `i`'s picture (an empty slice when nothing is known).
pub fn settle(
    checker: &mut ClaimChecker<'_>,
    results: &mut [ResultRecord],
    pictures: &[Picture],
) -> Result<Vec<DecidedReceipt>, LedgerError> {
    results
        .iter_mut()
        .enumerate()
        .map(|(position, result)| {
            let picture = pictures.get(position).cloned().unwrap_or_default();
            settle_one(checker, position, result, picture)
        })
        .collect()
}

/// Check one result, apply what was found, remember it for the rest of the batch.
pub fn settle_one(
    checker: &mut ClaimChecker<'_>,
    position: usize,
    result: &mut ResultRecord,
    picture: Picture,
) -> Result<DecidedReceipt, LedgerError> {
    let claim = Claim::of_result(result, picture);
    let finding = if is_checked(result) {
        checker.check(&claim)?
    } else {
        None
    };
    match &finding {
        Some(finding) if applies(finding, result.status) => {
            result.status = finding.status(checker.policy());
            result.reasons = finding.reasons();
            result.points = Decimal::ZERO;
            result.audit.clear();
        }
        Some(finding) if result.status == Status::Rejected => {
            result.reasons.extend(finding.reasons());
        }
        _ => {}
    }
    checker.remember(position, &result.file, &claim, result.status);
    Ok(DecidedReceipt {
        position,
        file: result.file.clone(),
        claim,
        status: result.status,
        reasons: result.reasons.iter().map(|r| r.code).collect(),
        points: result.points,
        cashback: Decimal::ZERO,
        finding,
    })
}

/// Unreadable files have nothing to compare. In-batch copies are checked too: when the bytes
/// were claimed on an earlier night (or by another member tonight) that is the original to
/// point at, not the copy's first occurrence in this batch.
fn is_checked(result: &ResultRecord) -> bool {
    result.status != Status::Unreadable
}

fn applies(finding: &Finding, status: Status) -> bool {
    finding.kind == MatchKind::SameFile || matches!(status, Status::Accepted | Status::Review)
}
