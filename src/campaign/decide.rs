//! Deciding one receipt under a campaign, in a fixed order of questions:
//!
//! 1. Can we read it at all? (file errors → `unreadable`, same bytes seen → `duplicate`)
//! 2. Is the photo good enough, and is it a receipt? (→ `rejected`, telling the member what to do)
//! 3. Is it eligible? Period, deadline, merchant, store, currency, total, products; every failed
//!    rule is listed, so a member learns everything wrong at once (→ `rejected`).
//! 4. What does it earn? (points and cashback, each step in the audit trail)
//! 5. Should a person look first? (low confidence, high total, … → `review`, nothing awarded yet)
//! 6. What do the caps and budget still allow? (→ `accepted`, or `rejected` if nothing is left)
//!
//! Receipts are decided one by one in input order because caps depend on what came before.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caps::{Counters, PriorAward};
use super::merchant::{store_line, MerchantResolver, Resolution};
use super::messages::{translate_quality, Msg};
use super::model::Campaign;
use super::product::{self, Hit, ProductMatcher};
use super::score::{score, Earned};
use super::tz::parse_instant;
use crate::extract::Receipt;
use crate::image::assess;
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
    pub audit: Vec<Audit>,
}

impl Decision {
    fn with(status: Status, reasons: Vec<Reason>, audit: Vec<Audit>) -> Decision {
        Decision {
            status,
            reasons,
            points: Decimal::ZERO,
            cashback: Decimal::ZERO,
            merchant: None,
            audit,
        }
    }
}

/// Decides submissions in order; holds the compiled rules and the running cap counters.
pub struct Decider<'c> {
    campaign: &'c Campaign,
    merchants: MerchantResolver,
    products: Vec<ProductMatcher>,
    counters: Counters,
}

/// What the eligibility questions found.
struct Eligibility {
    failures: Vec<Msg>,
    merchant: Option<(String, f64, String)>,
    hits: Vec<Hit>,
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
            let reason = Msg::Duplicate(original.clone()).reason(lang);
            return Decision::with(Status::Duplicate, vec![reason], vec![]);
        }
        let (Some(page), Some(receipt)) = (sub.page, sub.receipt) else {
            return Decision::with(Status::Unreadable, vec![Msg::NoOcr.reason(lang)], vec![]);
        };
        let quality: Vec<Reason> = assess(&page.quality, &self.campaign.quality)
            .into_iter()
            .map(|r| translate_quality(r, lang))
            .collect();
        if !quality.is_empty() {
            return Decision::with(Status::Rejected, quality, vec![Audit::rule("quality")]);
        }
        if !looks_like_receipt(&page.lines) {
            let reasons = vec![Msg::NotAReceipt.reason(lang)];
            return Decision::with(Status::Rejected, reasons, vec![]);
        }
        self.decide_receipt(sub, &page.lines, receipt)
    }

    fn decide_receipt(&mut self, sub: &Submission<'_>, lines: &[Line], r: &Receipt) -> Decision {
        let c = self.campaign;
        let lang = c.language;
        let mut audit = Vec::new();
        let found = self.eligibility(sub, lines, r, &mut audit);
        let merchant_id = found.merchant.as_ref().map(|(id, _, _)| id.clone());
        let finish = |status, msgs: Vec<Msg>, audit| Decision {
            merchant: merchant_id.clone(),
            ..Decision::with(status, msgs.iter().map(|m| m.reason(lang)).collect(), audit)
        };
        if !found.failures.is_empty() {
            return finish(Status::Rejected, found.failures, audit);
        }
        let member = sub.entry.member.as_deref();
        if member.is_none() && c.has_member_caps() {
            return finish(Status::Review, vec![Msg::NoMember], audit);
        }
        let earned = score(c, r.date, r.total, &found.hits);
        audit.extend(earned.audit.iter().cloned());
        let review = self.review(r, &earned, found.merchant.as_ref());
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

    fn eligibility(
        &self,
        sub: &Submission<'_>,
        lines: &[Line],
        r: &Receipt,
        audit: &mut Vec<Audit>,
    ) -> Eligibility {
        let mut failures = Vec::new();
        self.check_period(r, &mut failures);
        self.check_submission(sub, r, &mut failures, audit);
        let merchant = self.check_merchant(r, lines, &mut failures, audit);
        self.check_store(r, lines, &mut failures, audit);
        self.check_money(r, &mut failures);
        let merchant_ok = !failures.iter().any(|m| {
            matches!(
                m,
                Msg::MerchantDenied(_) | Msg::MerchantUnknown(_) | Msg::NoMerchant
            )
        });
        // Products of a shop that is not a partner do not matter: one reason is enough there.
        let hits = if merchant_ok {
            self.check_products(r, lines, &mut failures)
        } else {
            Vec::new()
        };
        Eligibility {
            failures,
            merchant,
            hits,
        }
    }

    fn check_period(&self, r: &Receipt, failures: &mut Vec<Msg>) {
        let period = &self.campaign.period;
        match r.date {
            None => failures.push(Msg::NoDate),
            Some(d) if d < period.start || d > period.end => {
                failures.push(Msg::OutOfPeriod(d, period.start, period.end))
            }
            Some(_) => {}
        }
    }

    fn check_submission(
        &self,
        sub: &Submission<'_>,
        r: &Receipt,
        failures: &mut Vec<Msg>,
        audit: &mut Vec<Audit>,
    ) {
        let rules = &self.campaign.submission;
        if rules.deadline.is_none() && rules.max_days_after_purchase.is_none() {
            return;
        }
        let from_manifest = sub.entry.submitted_at.as_deref().and_then(parse_instant);
        let Some(instant) = from_manifest.or(sub.file_time) else {
            audit.push(Audit::rule("submission").note("no submission time known: not checked"));
            return;
        };
        let day: NaiveDate = self.campaign.timezone.local_date(instant);
        let source = if from_manifest.is_some() {
            "manifest"
        } else {
            "file time"
        };
        audit.push(Audit::rule("submission").note(format!(
            "submitted {day} ({source}, {})",
            self.campaign.timezone.name()
        )));
        if let Some(deadline) = rules.deadline.filter(|d| day > *d) {
            failures.push(Msg::AfterDeadline(day, deadline));
        }
        if let (Some(max), Some(bought)) = (rules.max_days_after_purchase, r.date) {
            let days = (day - bought).num_days();
            if days > i64::from(max) {
                failures.push(Msg::TooLongAfterPurchase(days, max));
            }
        }
    }

    fn check_merchant(
        &self,
        r: &Receipt,
        lines: &[Line],
        failures: &mut Vec<Msg>,
        audit: &mut Vec<Audit>,
    ) -> Option<(String, f64, String)> {
        match self.merchants.resolve(r, lines) {
            Resolution::Open => None,
            Resolution::Denied { name, line, text } => {
                audit.push(
                    Audit::rule("merchants.deny")
                        .at(line, text)
                        .note(name.clone()),
                );
                failures.push(Msg::MerchantDenied(name));
                None
            }
            Resolution::Unknown { read } => {
                failures.push(match read {
                    Some(read) => Msg::MerchantUnknown(read),
                    None => Msg::NoMerchant,
                });
                None
            }
            Resolution::Allowed {
                id,
                line,
                text,
                score,
            } => {
                let how = if score >= 1.0 {
                    "exact".to_string()
                } else {
                    format!("similarity {score:.2}")
                };
                audit.push(
                    Audit::rule(format!("merchants.allow[{id}]"))
                        .at(line, text.clone())
                        .note(how),
                );
                Some((id, score, text))
            }
        }
    }

    fn check_store(
        &self,
        r: &Receipt,
        lines: &[Line],
        failures: &mut Vec<Msg>,
        audit: &mut Vec<Audit>,
    ) {
        let Some(stores) = &self.campaign.merchants.stores else {
            return;
        };
        match store_line(&stores.postcodes, &stores.cities, r, lines) {
            Some((line, text)) => audit.push(Audit::rule("merchants.stores").at(line, text)),
            None => failures.push(Msg::StoreNotEligible),
        }
    }

    fn check_money(&self, r: &Receipt, failures: &mut Vec<Msg>) {
        let c = self.campaign;
        if let (Some(expected), Some(found)) = (&c.currency, &r.currency) {
            if !expected.eq_ignore_ascii_case(found) {
                failures.push(Msg::CurrencyMismatch(found.clone(), expected.clone()));
            }
        }
        match (r.total, c.min_total) {
            (None, _) if c.needs_total() => failures.push(Msg::NoTotal),
            (Some(total), Some(min)) if total < min => {
                failures.push(Msg::BelowMinTotal(total, min))
            }
            _ => {}
        }
    }

    /// The product lines that count; a failure when the campaign has products and none counts.
    fn check_products(&self, r: &Receipt, lines: &[Line], failures: &mut Vec<Msg>) -> Vec<Hit> {
        let products = &self.campaign.products;
        if products.is_empty() {
            return Vec::new();
        }
        let hits = product::find(&self.products, &r.items, lines);
        let units = |index: usize| -> u32 {
            hits.iter()
                .filter(|h| h.product == index)
                .map(|h| h.units)
                .sum()
        };
        let eligible: Vec<bool> = (0..products.len())
            .map(|i| units(i) >= products[i].min_units())
            .collect();
        if eligible.iter().any(|e| *e) {
            return hits.into_iter().filter(|h| eligible[h.product]).collect();
        }
        let short = (0..products.len()).find(|i| units(*i) > 0);
        failures.push(match short {
            Some(i) => {
                Msg::BelowMinQuantity(products[i].name.clone(), units(i), products[i].min_units())
            }
            None => Msg::NoEligibleProduct,
        });
        Vec::new()
    }

    fn review(
        &self,
        r: &Receipt,
        earned: &Earned,
        merchant: Option<&(String, f64, String)>,
    ) -> Vec<Msg> {
        let c = self.campaign;
        let rules = &c.review;
        let mut review = Vec::new();
        if let Some(min) = rules.min_confidence {
            let mut fields = vec![("date", r.confidence.date)];
            if c.merchants.allow.is_some() {
                fields.insert(0, ("merchant", r.confidence.merchant));
            }
            if c.needs_total() || rules.total_above.is_some() {
                fields.push(("total", r.confidence.total));
            }
            for (field, conf) in fields {
                if conf < min {
                    review.push(Msg::LowConfidence(field, conf, min));
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
        if let Some((id, score, text)) = merchant.filter(|m| rules.uncertain_merchant && m.1 < 1.0)
        {
            review.push(Msg::UncertainMerchant(text.clone(), id.clone(), *score));
        }
        review
    }
}

/// A photo with almost no text (a blank page, a face, a floor) is not a receipt.
fn looks_like_receipt(lines: &[Line]) -> bool {
    let chars: usize = lines
        .iter()
        .map(|l| l.text.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    chars >= MIN_RECEIPT_CHARS
}
