//! Caps and budgets: the running totals that limit what the next receipt can earn.
//!
//! Receipts are decided one after another in input order, and each accepted receipt adds to
//! the totals of its member (whole campaign, purchase day, purchase week) and of the campaign.
//! Earlier nights' awards are passed in as [`PriorAward`]s (the ledger fills them) so a member
//! who reached a cap on Monday does not start from zero on Tuesday.
//!
//! Day and week caps count by **purchase date**, not submission date: a cap of "2 receipts a
//! day" is about shopping, and a member who sends a week of receipts at once must not be
//! refused for sending them together. Weeks are ISO weeks, Monday to Sunday.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::audit::Audit;
use super::messages::{Measure, Msg, Scope};
use super::model::{Budget, CapSet, Caps};
use super::tz::iso_week_start;

/// What an earlier run awarded: the ledger's side of the contract, plain data on purpose.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PriorAward {
    pub member: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    /// When it was decided (kept for the ledger's own reports; caps do not use it).
    pub decided_on: NaiveDate,
    pub points: Decimal,
    pub cashback: Decimal,
    /// Accepted receipts this award stands for (usually 1).
    pub receipts: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Used {
    points: Decimal,
    cashback: Decimal,
    receipts: u32,
}

impl Used {
    fn add(&mut self, points: Decimal, cashback: Decimal, receipts: u32) {
        self.points += points;
        self.cashback += cashback;
        self.receipts += receipts;
    }
}

/// Running totals by member, member-day, member-week and campaign.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    member: HashMap<String, Used>,
    day: HashMap<(String, NaiveDate), Used>,
    week: HashMap<(String, NaiveDate), Used>,
    campaign: Used,
}

/// What the caps let through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Granted {
    pub points: Decimal,
    pub cashback: Decimal,
    /// Caps that cut something (or refused the receipt).
    pub reasons: Vec<Msg>,
    pub audit: Vec<Audit>,
    /// Nothing could be granted although something was earned: the receipt is rejected.
    pub refused: bool,
}

impl Counters {
    pub fn from_history(history: &[PriorAward]) -> Counters {
        let mut counters = Counters::default();
        for award in history {
            counters.record(
                award.member.as_deref(),
                award.purchase_date,
                award.points,
                award.cashback,
                award.receipts,
            );
        }
        counters
    }

    fn record(
        &mut self,
        member: Option<&str>,
        date: Option<NaiveDate>,
        points: Decimal,
        cashback: Decimal,
        receipts: u32,
    ) {
        self.campaign.add(points, cashback, receipts);
        let Some(member) = member else { return };
        self.member
            .entry(member.to_string())
            .or_default()
            .add(points, cashback, receipts);
        if let Some(date) = date {
            self.day
                .entry((member.to_string(), date))
                .or_default()
                .add(points, cashback, receipts);
            self.week
                .entry((member.to_string(), iso_week_start(date)))
                .or_default()
                .add(points, cashback, receipts);
        }
    }

    fn used(&self, scope: Scope, member: &str, date: Option<NaiveDate>) -> Used {
        let get = |map: &HashMap<(String, NaiveDate), Used>, d: NaiveDate| {
            map.get(&(member.to_string(), d))
                .copied()
                .unwrap_or_default()
        };
        match (scope, date) {
            (Scope::Member, _) => self.member.get(member).copied().unwrap_or_default(),
            (Scope::MemberDay, Some(d)) => get(&self.day, d),
            (Scope::MemberWeek, Some(d)) => get(&self.week, iso_week_start(d)),
            _ => Used::default(),
        }
    }

    /// Cut `points` and `cashback` to what every cap still allows, and count the receipt if
    /// anything (or nothing, when nothing was earned) is granted.
    pub fn grant(
        &mut self,
        caps: &Caps,
        budget: &Budget,
        member: Option<&str>,
        date: Option<NaiveDate>,
        points: Decimal,
        cashback: Decimal,
    ) -> Granted {
        let mut g = Granted {
            points,
            cashback,
            ..Granted::default()
        };
        cut_receipt(caps, &mut g);
        if let Some(member) = member {
            let scopes = [
                (Scope::Member, &caps.per_member, "caps.per_member"),
                (
                    Scope::MemberDay,
                    &caps.per_member_day,
                    "caps.per_member_day",
                ),
                (
                    Scope::MemberWeek,
                    &caps.per_member_week,
                    "caps.per_member_week",
                ),
            ];
            for (scope, set, key) in scopes {
                if matches!(scope, Scope::MemberDay | Scope::MemberWeek) && date.is_none() {
                    continue;
                }
                let used = self.used(scope, member, date);
                if refuse_for_receipts(set, used, scope, key, &mut g) {
                    return g;
                }
                cut_set(set, used, scope, key, &mut g);
            }
        }
        cut_budget(budget, self.campaign, &mut g);
        let earned_something = points > Decimal::ZERO || cashback > Decimal::ZERO;
        if earned_something && g.points.is_zero() && g.cashback.is_zero() {
            g.refused = true;
            return g;
        }
        self.record(member, date, g.points, g.cashback, 1);
        g
    }
}

fn cut_receipt(caps: &Caps, g: &mut Granted) {
    if let Some(limit) = caps.receipt_points {
        let msg = Msg::Capped(Scope::Receipt, Measure::Points, limit);
        g.cut(Measure::Points, limit, "caps.receipt_points", msg);
    }
    if let Some(limit) = caps.receipt_cashback {
        let msg = Msg::Capped(Scope::Receipt, Measure::Cashback, limit);
        g.cut(Measure::Cashback, limit, "caps.receipt_cashback", msg);
    }
}

fn refuse_for_receipts(set: &CapSet, used: Used, scope: Scope, key: &str, g: &mut Granted) -> bool {
    match set.receipts {
        Some(limit) if used.receipts >= limit => {
            g.reasons
                .push(Msg::Capped(scope, Measure::Receipts, Decimal::from(limit)));
            let mut entry = Audit::rule(format!("{key}.receipts"))
                .points(-g.points)
                .note(format!(
                    "{} of {limit} receipts already accepted",
                    used.receipts
                ));
            if !g.cashback.is_zero() {
                entry = entry.cashback(-g.cashback);
            }
            g.audit.push(entry);
            g.points = Decimal::ZERO;
            g.cashback = Decimal::ZERO;
            g.refused = true;
            true
        }
        _ => false,
    }
}

fn cut_set(set: &CapSet, used: Used, scope: Scope, key: &str, g: &mut Granted) {
    if let Some(limit) = set.points {
        let left = (limit - used.points).max(Decimal::ZERO);
        let msg = Msg::Capped(scope, Measure::Points, limit);
        g.cut(Measure::Points, left, &format!("{key}.points"), msg);
    }
    if let Some(limit) = set.cashback {
        let left = (limit - used.cashback).max(Decimal::ZERO);
        let msg = Msg::Capped(scope, Measure::Cashback, limit);
        g.cut(Measure::Cashback, left, &format!("{key}.cashback"), msg);
    }
}

fn cut_budget(budget: &Budget, campaign: Used, g: &mut Granted) {
    if let Some(limit) = budget.points {
        let left = (limit - campaign.points).max(Decimal::ZERO);
        g.cut(
            Measure::Points,
            left,
            "budget.points",
            Msg::Budget(Measure::Points),
        );
    }
    if let Some(limit) = budget.cashback {
        let left = (limit - campaign.cashback).max(Decimal::ZERO);
        let msg = Msg::Budget(Measure::Cashback);
        g.cut(Measure::Cashback, left, "budget.cashback", msg);
    }
}

impl Granted {
    /// Lower the points or cashback to `left` if above it, saying why.
    fn cut(&mut self, measure: Measure, left: Decimal, rule: &str, why: Msg) {
        let amount = match measure {
            Measure::Cashback => &mut self.cashback,
            _ => &mut self.points,
        };
        if *amount <= left {
            return;
        }
        let delta = left - *amount;
        *amount = left;
        let entry = Audit::rule(rule).note(format!("limited to {left}"));
        self.audit.push(match measure {
            Measure::Cashback => entry.cashback(delta),
            _ => entry.points(delta),
        });
        self.reasons.push(why);
    }
}
