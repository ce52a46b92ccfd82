//! The eligibility questions of a decision: period, deadline, merchant, store, currency, total
//! and products. Each failed rule adds its reason, so a member learns everything wrong with a
//! receipt at once (a shop outside the campaign excepted: that one reason is enough); what was
//! found (partner, store line, submission date) goes into the audit trail.

use chrono::NaiveDate;

use super::audit::Audit;
use super::decide::{Decider, Submission};
use super::merchant::{store_line, Resolution};
use super::messages::Msg;
use super::product::{self, Hit};
use super::tz::parse_instant;
use crate::extract::Receipt;
use crate::ocr::Line;

/// The partner a receipt was recognised as.
pub(super) struct Partner {
    pub id: String,
    /// Similarity of the name read to the partner's (1 = exact).
    pub score: f64,
    /// The text it was read from.
    pub text: String,
}

/// What the eligibility questions found.
pub(super) struct Eligibility {
    pub failures: Vec<Msg>,
    pub merchant: Option<Partner>,
    pub hits: Vec<Hit>,
}

impl Decider<'_> {
    pub(super) fn eligibility(
        &self,
        sub: &Submission<'_>,
        lines: &[Line],
        merchant_lines: &[Line],
        r: &Receipt,
        audit: &mut Vec<Audit>,
    ) -> Eligibility {
        let mut failures = Vec::new();
        self.check_period(r, &mut failures);
        self.check_submission(sub, r, &mut failures, audit);
        let before = failures.len();
        let merchant = self.check_merchant(r, merchant_lines, &mut failures, audit);
        // A shop outside the campaign gets that one reason (plus any timing one): its store,
        // currency, total and basket do not matter.
        if failures.len() > before {
            return Eligibility {
                failures,
                merchant,
                hits: Vec::new(),
            };
        }
        self.check_store(r, lines, &mut failures, audit);
        self.check_money(r, &mut failures);
        let hits = self.check_products(r, lines, &mut failures);
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
        let Some((day, source)) = self.submitted_day(sub) else {
            audit.push(Audit::rule("submission").note("no submission time known: not checked"));
            return;
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

    /// The day the receipt was sent, in the campaign's time zone, and where that comes from:
    /// the manifest's `submitted_at`, else the file's modification time.
    pub(super) fn submitted_day(&self, sub: &Submission<'_>) -> Option<(NaiveDate, &'static str)> {
        let from_manifest = sub.entry.submitted_at.as_deref().and_then(parse_instant);
        let instant = from_manifest.or(sub.file_time)?;
        let source = if from_manifest.is_some() {
            "manifest"
        } else {
            "file time"
        };
        Some((self.campaign.timezone.local_date(instant), source))
    }

    fn check_merchant(
        &self,
        r: &Receipt,
        lines: &[Line],
        failures: &mut Vec<Msg>,
        audit: &mut Vec<Audit>,
    ) -> Option<Partner> {
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
                Some(Partner { id, score, text })
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
}
