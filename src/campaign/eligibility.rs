//! The eligibility questions of a decision: period, deadline, merchant, store, currency, total
//! and products. Each failed rule adds its reason, so a member learns everything wrong with a
//! receipt at once (a shop outside the campaign excepted: that one reason is enough); what was
//! found (partner, store line, submission date) goes into the audit trail.

use chrono::{Datelike, NaiveDate};

use super::audit::Audit;
use super::decide::{Decider, Submission};
use super::merchant::{store_line, Resolution};
use super::messages::Msg;
use super::model::ReviewedField;
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
    /// Failures that may come from a misreading (`review.uncertain_date`): a person decides.
    pub doubts: Vec<Msg>,
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
        let mut doubts = Vec::new();
        self.check_period(sub, r, &mut failures, &mut doubts);
        // A date in doubt says nothing sure about how long after the purchase it was sent.
        let bought = r.date.filter(|_| doubts.is_empty());
        self.check_submission(sub, bought, &mut failures, audit);
        let before = failures.len();
        let merchant = self.check_merchant(r, merchant_lines, &mut failures, audit);
        // A shop outside the campaign gets that one reason (plus any timing one): its store,
        // currency, total and basket do not matter.
        if failures.len() > before {
            return Eligibility {
                failures,
                doubts,
                merchant,
                hits: Vec::new(),
            };
        }
        self.check_store(r, lines, &mut failures, audit);
        self.check_money(r, &mut failures);
        let hits = self.check_products(r, lines, &mut failures);
        Eligibility {
            failures,
            doubts,
            merchant,
            hits,
        }
    }

    fn check_period(
        &self,
        sub: &Submission<'_>,
        r: &Receipt,
        failures: &mut Vec<Msg>,
        doubts: &mut Vec<Msg>,
    ) {
        let period = &self.campaign.period;
        match r.date {
            None => failures.push(Msg::NoDate),
            Some(d) if d < period.start || d > period.end => match self.date_in_doubt(sub, r, d) {
                Some(doubt) => doubts.push(doubt),
                None => failures.push(Msg::OutOfPeriod(d, period.start, period.end)),
            },
            Some(_) => {}
        }
    }

    /// With `review.uncertain_date`, why a purchase date `read` outside the period may be a
    /// misreading of one inside it: it was read below the date's `min_confidence`, or one year
    /// digit slipped the way the reader slips (`slipped_years`) puts it in the period. A
    /// rejection is final for the member; a misread digit must not make one. Never for a
    /// receipt a person approved: they saw the date.
    fn date_in_doubt(&self, sub: &Submission<'_>, r: &Receipt, read: NaiveDate) -> Option<Msg> {
        let rules = &self.campaign.review;
        if !rules.uncertain_date || sub.approval.is_some() {
            return None;
        }
        let period = &self.campaign.period;
        let slipped = slipped_years(read).find(|d| *d >= period.start && *d <= period.end);
        let min = rules
            .min_confidence
            .as_ref()
            .and_then(|m| m.of(ReviewedField::Date));
        let unsure = min.is_some_and(|min| r.confidence.date < min);
        (slipped.is_some() || unsure).then_some(Msg::UncertainDate(
            read,
            slipped,
            period.start,
            period.end,
        ))
    }

    /// `bought`: the purchase date, when it is not in doubt.
    fn check_submission(
        &self,
        sub: &Submission<'_>,
        bought: Option<NaiveDate>,
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
        if let (Some(max), Some(bought)) = (rules.max_days_after_purchase, bought) {
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
/// Digits the reader prints for others, as (printed, read): on the tune half of the SROIE
/// receipts (`sroie-lines`, 24 025 transcribed digits in lines the reader found), the
/// substitutions seen at least three times. A printed 8 read as 3 is the commonest
/// (`15-03-18` read `15-03-13`).
const DIGIT_SLIPS: [(u8, u8); 7] = [
    (b'8', b'3'),
    (b'4', b'2'),
    (b'8', b'6'),
    (b'6', b'2'),
    (b'6', b'5'),
    (b'0', b'6'),
    (b'3', b'0'),
];

/// The dates `read` may have been printed as, one digit of its year slipped back: for each
/// year digit the reader may have read in place of another, the date with that other digit.
/// Only the year: a slipped day or month lands near the period's edges, where real late or
/// early purchases are too; a slipped year lands a whole year or more away.
fn slipped_years(read: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let year = format!("{:04}", read.year());
    let mut dates = Vec::new();
    for (at, digit) in year.bytes().enumerate() {
        for &(printed, _) in DIGIT_SLIPS.iter().filter(|(_, r)| *r == digit) {
            let mut other = year.clone().into_bytes();
            other[at] = printed;
            let Some(y) = std::str::from_utf8(&other)
                .ok()
                .and_then(|s| s.parse().ok())
            else {
                continue;
            };
            if let Some(d) = read.with_year(y) {
                dates.push(d);
            }
        }
    }
    dates.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_year_is_slipped_back_one_digit_at_a_time_the_ways_the_reader_slips() {
        let slipped: Vec<NaiveDate> = slipped_years(date("2013-03-15")).collect();
        // `3` is what a printed 8 is read as (the commonest slip); a 2 is never read as 3.
        assert!(slipped.contains(&date("2018-03-15")), "{slipped:?}");
        assert!(!slipped.contains(&date("2012-03-15")), "{slipped:?}");
        let slipped: Vec<NaiveDate> = slipped_years(date("2022-04-10")).collect();
        assert!(slipped.contains(&date("2024-04-10")), "{slipped:?}");
        assert!(slipped.contains(&date("2026-04-10")), "{slipped:?}");
        // No digit the reader prints for another reads as 1, 7 or 9.
        assert_eq!(slipped_years(date("1979-07-01")).count(), 0);
    }

    #[test]
    fn a_slipped_year_keeps_the_day_when_it_exists() {
        // 29 February read in a leap year has no twin in a common one: left out, no panic.
        let slipped: Vec<NaiveDate> = slipped_years(date("2032-02-29")).collect();
        assert!(
            slipped.iter().all(|d| d.month() == 2 && d.day() == 29),
            "{slipped:?}"
        );
        assert!(slipped.iter().all(|d| d.year() % 4 == 0), "{slipped:?}");
    }
}
