//! Deciding one receipt under a campaign, in a fixed order of questions:
//!
//! 1. Can we read it at all? (file errors → `unreadable`, same bytes seen → `duplicate`)
//! 2. Is the photo good enough, and is it a receipt? (→ `rejected`, telling the member what to do)
//! 3. Is it eligible? Period, deadline, merchant, store, currency, total, products; every failed
//!    rule is listed, so a member learns everything wrong at once (→ `rejected`), except that a
//!    shop outside the campaign gets just that reason: its basket does not matter.
//! 4. What does it earn? (points and cashback, each step in the audit trail)
//! 5. Should a person look first? (low confidence, high total, … → `review`, nothing awarded yet;
//!    a fraud signal (`fraud.rs`) → `review`, or `rejected` at step 3 if the campaign says so)
//! 6. What do the caps and budget still allow? (→ `accepted`, or `rejected` if nothing is left)
//!
//! Receipts are decided one by one in input order because caps depend on what came before.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caps::{Counters, PriorAward};
use super::eligibility::Partner;
use super::merchant::MerchantResolver;
use super::messages::{translate_quality, Msg};
use super::model::{Action, Campaign, ReviewedField};
use super::product::{Hit, ProductMatcher};
use super::score::{score, Earned};
use crate::extract::Receipt;
use crate::image::{assess, explain_no_text};
use crate::ingest::ManifestEntry;
use crate::ocr::{Line, OcrPage};
use crate::reason::{Reason, Status};

/// Less text than this (letters and digits over the whole page) is not a receipt.
const MIN_RECEIPT_CHARS: usize = 20;

/// Everything known about one file when it is decided.
pub struct Submission<'a> {
    pub entry: &'a ManifestEntry,
    pub page: Option<&'a OcrPage>,
    pub receipt: Option<&'a Receipt>,
    /// The file's modification time: the submission time when the manifest gives none.
    pub file_time: Option<DateTime<Utc>>,
    /// Set when a person has checked the receipt (`fidelio review apply`).
    pub approval: Option<Approval>,
}

/// A person looked at the receipt in review and approved it, after correcting what was
/// misread (their corrections are already in the submission's receipt). What sent it to review
/// (confidence, a high total, an uncertain merchant or count) is settled, and so is the photo's
/// quality; the campaign's rules, caps and budget still decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Approval {
    /// The merchant was typed by the reviewer: the partner is resolved from that name alone,
    /// not from the page's top lines.
    pub merchant_corrected: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub status: Status,
    pub reasons: Vec<Reason>,
    /// Points awarded (zero unless accepted).
    pub points: Decimal,
    /// Cashback awarded, in the campaign currency (zero unless accepted).
    pub cashback: Decimal,
    /// The partner merchant recognised (`merchants.allow` id).
    pub merchant: Option<String>,
    /// The receipt's lines found to be campaign products.
    pub products: Vec<ProductLine>,
    pub audit: Vec<Audit>,
}

/// A receipt line that is a campaign product: what basket analysis joins items on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductLine {
    /// The OCR line (`items[].line`).
    pub line: usize,
    /// The campaign's product id.
    pub product: String,
}

impl Decision {
    fn with(status: Status, reasons: Vec<Reason>, audit: Vec<Audit>) -> Decision {
        Decision {
            status,
            reasons,
            points: Decimal::ZERO,
            cashback: Decimal::ZERO,
            merchant: None,
            products: Vec::new(),
            audit,
        }
    }
}

/// Decides submissions in order; holds the compiled rules and the running cap counters.
pub struct Decider<'c> {
    pub(super) campaign: &'c Campaign,
    pub(super) merchants: MerchantResolver,
    pub(super) products: Vec<ProductMatcher>,
    counters: Counters,
}

impl<'c> Decider<'c> {
    /// `history`: what earlier runs awarded under this campaign (empty on the first night).
    pub fn new(campaign: &'c Campaign, history: &[PriorAward]) -> Decider<'c> {
        Decider {
            campaign,
            merchants: MerchantResolver::new(&campaign.merchants),
            products: campaign
                .products
                .iter()
                .map(ProductMatcher::compile)
                .collect(),
            counters: Counters::from_history(history),
        }
    }

    pub fn decide(&mut self, sub: &Submission<'_>) -> Decision {
        let lang = self.campaign.language;
        if let Some(error) = &sub.entry.error {
            return Decision::with(Status::Unreadable, vec![error.clone()], vec![]);
        }
        if let Some(original) = &sub.entry.duplicate_of {
            let mut reasons = vec![Msg::Duplicate(original.clone()).reason(lang)];
            if let Some(member) = &sub.entry.duplicate_of_member {
                reasons.push(Msg::SentByOtherMember(member.clone()).reason(lang));
            }
            return Decision::with(Status::Duplicate, reasons, vec![]);
        }
        let (Some(page), Some(receipt)) = (sub.page, sub.receipt) else {
            return Decision::with(Status::Unreadable, vec![Msg::NoOcr.reason(lang)], vec![]);
        };
        if let Some(approval) = sub.approval {
            let lines: &[Line] = if approval.merchant_corrected {
                &[]
            } else {
                &page.lines
            };
            return self.decide_receipt(sub, &page.lines, lines, receipt, Capture::default());
        }
        let limits = &self.campaign.quality;
        let quality: Vec<Reason> = assess(&page.quality, limits)
            .into_iter()
            .map(|r| translate_quality(r, lang))
            .collect();
        let mut capture = Capture::default();
        if !quality.is_empty() {
            let q = &page.quality;
            let measured = Audit::rule("quality").note(format!(
                "{}×{} px, sharpness {:.1}, glare {:.2}, brightness {:.0}",
                q.width, q.height, q.sharpness, q.glare, q.brightness
            ));
            if !reads_clearly(receipt, limits.clear_reading) {
                return Decision::with(Status::Rejected, quality, vec![measured]);
            }
            capture = Capture {
                doubts: quality.iter().map(|r| Msg::PoorCapture(r.code)).collect(),
                audit: Some(measured),
            };
        }
        if capture.audit.is_none() && !looks_like_receipt(&page.lines) {
            let reason = match explain_no_text(&page.quality) {
                Some(capture) => translate_quality(capture, lang),
                None => Msg::NotAReceipt.reason(lang),
            };
            return Decision::with(Status::Rejected, vec![reason], vec![]);
        }
        self.decide_receipt(sub, &page.lines, &page.lines, receipt, capture)
    }

    /// Decide `sub` without counting what it earns against caps and budgets: for a submission
    /// the ledger found to repeat an earlier claim, which will be paid nothing.
    pub fn decide_uncounted(&mut self, sub: &Submission<'_>) -> Decision {
        let counted = self.counters.clone();
        let decision = self.decide(sub);
        self.counters = counted;
        decision
    }

    /// `merchant_lines`: where the partner may be read (the page, or nothing when a reviewer
    /// typed the merchant).
    fn decide_receipt(
        &mut self,
        sub: &Submission<'_>,
        lines: &[Line],
        merchant_lines: &[Line],
        r: &Receipt,
        capture: Capture,
    ) -> Decision {
        let c = self.campaign;
        let lang = c.language;
        let mut audit: Vec<Audit> = capture.audit.into_iter().collect();
        let found = self.eligibility(sub, lines, merchant_lines, r, &mut audit);
        let merchant_id = found.merchant.as_ref().map(|p| p.id.clone());
        let products: Vec<ProductLine> = found
            .hits
            .iter()
            .map(|hit| ProductLine {
                line: hit.line,
                product: c.products[hit.product].id.clone(),
            })
            .collect();
        let finish = |status, msgs: Vec<Msg>, audit| Decision {
            merchant: merchant_id.clone(),
            products: products.clone(),
            ..Decision::with(status, msgs.iter().map(|m| m.reason(lang)).collect(), audit)
        };
        // A person who approved the receipt in review has seen what the signals saw.
        let fraud = match sub.approval {
            Some(_) => Vec::new(),
            None => self.fraud(sub, r, &mut audit),
        };
        let (refused, doubted): (Vec<_>, Vec<_>) = fraud
            .into_iter()
            .partition(|(action, _)| *action == Action::Reject);
        let mut failures = found.failures;
        failures.extend(refused.into_iter().map(|(_, msg)| msg));
        if !failures.is_empty() {
            return finish(Status::Rejected, failures, audit);
        }
        // Points go to a member: a receipt nobody sent (a file directly in the input folder, a
        // manifest row without a member) is never paid; a person can attach it to one.
        let member = sub.entry.member.as_deref().filter(|m| !m.trim().is_empty());
        if member.is_none() {
            // What a person must look at anyway: the fraud signals too, not just the member.
            let mut msgs = vec![Msg::NoMember];
            msgs.extend(capture.doubts.iter().cloned());
            msgs.extend(found.doubts.iter().cloned());
            msgs.extend(doubted.into_iter().map(|(_, msg)| msg));
            return finish(Status::Review, msgs, audit);
        }
        let earned = score(c, r.date, r.total, &found.hits);
        audit.extend(earned.audit.iter().cloned());
        let mut review = capture.doubts;
        review.extend(found.doubts.iter().cloned());
        if sub.approval.is_none() {
            // A date in doubt is said once: UNCERTAIN_DATE says it was read with doubt.
            let date_in_doubt = !found.doubts.is_empty();
            review.extend(
                self.review(r, &earned, found.merchant.as_ref(), &found.hits)
                    .into_iter()
                    .filter(|m| !(date_in_doubt && matches!(m, Msg::LowConfidence("date", ..)))),
            );
        }
        review.extend(doubted.into_iter().map(|(_, msg)| msg));
        if !review.is_empty() {
            return finish(Status::Review, review, audit);
        }
        let granted = self.counters.grant(
            &c.caps,
            &c.budget,
            member,
            r.date,
            earned.points,
            earned.cashback,
        );
        audit.extend(granted.audit);
        if granted.refused {
            return finish(Status::Rejected, granted.reasons, audit);
        }
        Decision {
            points: granted.points,
            cashback: granted.cashback,
            ..finish(Status::Accepted, granted.reasons, audit)
        }
    }

    fn review(
        &self,
        r: &Receipt,
        earned: &Earned,
        merchant: Option<&Partner>,
        hits: &[Hit],
    ) -> Vec<Msg> {
        let c = self.campaign;
        let rules = &c.review;
        let mut review = Vec::new();
        if let Some(thresholds) = &rules.min_confidence {
            for field in ReviewedField::ALL {
                let (applies, conf) = match field {
                    ReviewedField::Merchant => (c.merchants.allow.is_some(), r.confidence.merchant),
                    ReviewedField::Date => (true, r.confidence.date),
                    ReviewedField::Total => (
                        c.needs_total() || rules.total_above.is_some(),
                        r.confidence.total,
                    ),
                };
                match thresholds.of(field) {
                    Some(min) if applies && conf < min => {
                        review.push(Msg::LowConfidence(field.key(), conf, min));
                    }
                    _ => {}
                }
            }
        }
        if let (Some(limit), Some(total)) = (rules.total_above, r.total) {
            if total > limit {
                review.push(Msg::HighTotal(total, limit));
            }
        }
        if let Some(limit) = rules.points_above.filter(|l| earned.points > *l) {
            review.push(Msg::HighPoints(earned.points, limit));
        }
        if let Some(p) = merchant.filter(|p| rules.uncertain_merchant && p.score < 1.0) {
            review.push(Msg::UncertainMerchant(
                p.text.clone(),
                p.id.clone(),
                p.score,
            ));
        }
        if rules.uncertain_quantity {
            if let Some(hit) = hits.iter().find(|h| h.count_unread) {
                review.push(Msg::UncertainQuantity(hit.text.clone()));
            }
        }
        review
    }
}

/// What the capture gate found on a photo whose reading got past it: the flaws, for a person
/// to look at, and the measures, for the audit.
#[derive(Default)]
struct Capture {
    doubts: Vec<Msg>,
    audit: Option<Audit>,
}

/// The capture gate's measures are signs that a photo may be misread; the reader's calibrated
/// confidence says whether it was. A faulted photo whose date and total were both read at
/// least `clear` surely is decided on its content and goes to a person, not refused: a clean
/// scan of faint or coloured print measures as glare (7 of the 298 `sroie-train` receipts),
/// and the neural reader reads many blurred copies the gate faults.
fn reads_clearly(r: &Receipt, clear: f32) -> bool {
    r.date.is_some()
        && r.total.is_some()
        && r.confidence.date >= clear
        && r.confidence.total >= clear
}

/// A photo with almost no text (a blank page, a face, a floor) is not a receipt.
fn looks_like_receipt(lines: &[Line]) -> bool {
    let chars: usize = lines
        .iter()
        .map(|l| l.text.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    chars >= MIN_RECEIPT_CHARS
}
