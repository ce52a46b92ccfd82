//! Rule checks on what a campaign pays: points, multipliers, tiers, caps and budgets. Split
//! from [`super::check`] because these are the checks about amounts: a campaign that pays
//! nothing, a multiplier that can never apply, tiers out of order, caps that contradict each
//! other (a daily cap above the weekly one can never be reached).

use rust_decimal::Decimal;

use super::check::{positive, Checker};
use super::model::{Campaign, CapSet};

pub(super) fn points(campaign: &Campaign, c: &mut Checker) {
    let p = &campaign.points;
    if p.per_currency_unit < Decimal::ZERO {
        c.error(
            "points.per_currency_unit",
            "per_currency_unit must not be negative",
        );
    }
    if p.bonus_per_receipt < Decimal::ZERO {
        c.error(
            "points.bonus_per_receipt",
            "bonus_per_receipt must not be negative",
        );
    }
    if p.decimals > 4 {
        c.error(
            "points.decimals",
            format!("at most 4 decimals, got {}", p.decimals),
        );
    }
    if !campaign.awards_points() && !campaign.pays_cashback() {
        c.error("id", "the campaign awards no points and no cashback: set points.per_currency_unit, a product's points_per_unit, or a cashback");
    }
    let period = &campaign.period;
    for (i, m) in p.multipliers.iter().enumerate() {
        let at = |key: &str| format!("points.multipliers.{i}.{key}");
        if m.factor <= Decimal::ZERO {
            c.error(
                at("factor"),
                format!("factor must be more than 0, got {}", m.factor),
            );
        }
        if let (Some(from), Some(to)) = (m.from, m.to) {
            if to < from {
                c.error(
                    at("to"),
                    format!("the multiplier ends ({to}) before it starts ({from})"),
                );
            }
        }
        let outside =
            m.to.is_some_and(|to| to < period.start) || m.from.is_some_and(|f| f > period.end);
        if outside {
            c.error(
                at("factor"),
                "this multiplier's dates are outside the campaign period: it can never apply",
            );
        }
        if m.weekdays.is_empty() && m.from.is_none() && m.to.is_none() {
            c.error(at("factor"), "this multiplier applies to every purchase: give weekdays or from/to, or change the points themselves");
        }
    }
    for (i, tier) in p.tiers.iter().enumerate() {
        if tier.bonus <= Decimal::ZERO {
            c.error(
                format!("points.tiers.{i}.bonus"),
                format!("bonus must be more than 0, got {}", tier.bonus),
            );
        }
        if i > 0 && tier.min_total <= p.tiers[i - 1].min_total {
            c.error(
                format!("points.tiers.{i}.min_total"),
                "tiers must be listed by increasing min_total",
            );
        }
    }
}

pub(super) fn caps(campaign: &Campaign, c: &mut Checker) {
    let caps = &campaign.caps;
    positive(c, "caps.receipt_points", caps.receipt_points);
    positive(c, "caps.receipt_cashback", caps.receipt_cashback);
    positive(c, "budget.points", campaign.budget.points);
    positive(c, "budget.cashback", campaign.budget.cashback);
    let sets = [
        ("caps.per_member", &caps.per_member),
        ("caps.per_member_day", &caps.per_member_day),
        ("caps.per_member_week", &caps.per_member_week),
    ];
    for (key, set) in sets {
        positive(c, &format!("{key}.points"), set.points);
        positive(c, &format!("{key}.cashback"), set.cashback);
        if set.receipts == Some(0) {
            c.error(
                format!("{key}.receipts"),
                "a cap of 0 receipts refuses every receipt",
            );
        }
    }
    // A narrower period with a larger cap than a wider one can never be reached.
    let nested = [
        (
            "caps.per_member_day",
            &caps.per_member_day,
            "caps.per_member_week",
            &caps.per_member_week,
        ),
        (
            "caps.per_member_week",
            &caps.per_member_week,
            "caps.per_member",
            &caps.per_member,
        ),
        (
            "caps.per_member_day",
            &caps.per_member_day,
            "caps.per_member",
            &caps.per_member,
        ),
    ];
    for (inner_key, inner, outer_key, outer) in nested {
        contradicting(c, inner_key, inner, outer_key, outer);
    }
    if let (Some(bonus), Some(cap)) = (Some(campaign.points.bonus_per_receipt), caps.receipt_points)
    {
        if bonus > cap {
            c.error(
                "caps.receipt_points",
                format!("the bonus per receipt ({bonus}) is more than the receipt cap ({cap})"),
            );
        }
    }
    let cashback_caps = [
        ("caps.receipt_cashback", caps.receipt_cashback),
        ("caps.per_member.cashback", caps.per_member.cashback),
        ("caps.per_member_day.cashback", caps.per_member_day.cashback),
        (
            "caps.per_member_week.cashback",
            caps.per_member_week.cashback,
        ),
        ("budget.cashback", campaign.budget.cashback),
    ];
    for (key, value) in cashback_caps {
        if value.is_some() && !campaign.pays_cashback() {
            c.error(key, "this caps cashback, but no rule pays cashback");
        }
    }
    let points_caps = [
        ("caps.receipt_points", caps.receipt_points),
        ("caps.per_member.points", caps.per_member.points),
        ("caps.per_member_day.points", caps.per_member_day.points),
        ("caps.per_member_week.points", caps.per_member_week.points),
        ("budget.points", campaign.budget.points),
    ];
    for (key, value) in points_caps {
        if value.is_some() && !campaign.awards_points() {
            c.error(key, "this caps points, but no rule awards points");
        }
    }
}

fn contradicting(
    c: &mut Checker,
    inner_key: &str,
    inner: &CapSet,
    outer_key: &str,
    outer: &CapSet,
) {
    let pairs = [
        ("points", inner.points, outer.points),
        ("cashback", inner.cashback, outer.cashback),
        (
            "receipts",
            inner.receipts.map(Decimal::from),
            outer.receipts.map(Decimal::from),
        ),
    ];
    for (what, i, o) in pairs {
        if let (Some(i), Some(o)) = (i, o) {
            if i > o {
                c.error(
                    format!("{inner_key}.{what}"),
                    format!("{inner_key}.{what} ({i}) is more than {outer_key}.{what} ({o}): it can never be reached"),
                );
            }
        }
    }
}
