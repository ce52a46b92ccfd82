//! Property: whatever the receipts, their order, the caps and what earlier nights awarded,
//! no receipt, member, member-day, member-week or campaign total ever exceeds its cap, for
//! points and for cashback, and only accepted receipts carry anything.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use fidelio::campaign::{Campaign, CapSet, Decider, PriorAward, Submission};
use fidelio::extract::{Confidence, Item, Receipt};
use fidelio::Status;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::support::{entry, good_quality, lines, page};

const BASE: &str = r#"
id = "prop"
name = "Property"
currency = "EUR"
[period]
start = 2024-03-01
end = 2024-04-30
[points]
per_currency_unit = 1.5
rounding = "half_up"
bonus_per_receipt = 3
[[points.multipliers]]
weekdays = ["sat", "sun"]
factor = 2
[[points.tiers]]
min_total = 100
bonus = 10
[[products]]
id = "granola"
name = "Granola"
words = ["granola"]
min_quantity = 1
cashback_rate = 0.2
"#;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
}

#[derive(Clone, Debug)]
struct Buy {
    member: u8,
    day: i64,
    total_cents: i64,
    granola_cents: i64,
}

#[derive(Clone, Debug)]
struct Limits {
    receipt_points: Option<i64>,
    receipt_cashback: Option<i64>,
    member: (Option<i64>, Option<i64>, Option<u32>),
    day: (Option<i64>, Option<i64>, Option<u32>),
    week: (Option<i64>, Option<i64>, Option<u32>),
    budget: (Option<i64>, Option<i64>),
}

fn cap() -> impl Strategy<Value = Option<i64>> {
    prop::option::of(1i64..400)
}

fn capset() -> impl Strategy<Value = (Option<i64>, Option<i64>, Option<u32>)> {
    (cap(), cap(), prop::option::of(1u32..6))
}

fn limits() -> impl Strategy<Value = Limits> {
    (cap(), cap(), capset(), capset(), capset(), (cap(), cap())).prop_map(
        |(rp, rc, member, day, week, budget)| Limits {
            receipt_points: rp,
            receipt_cashback: rc,
            member,
            day,
            week,
            budget,
        },
    )
}

fn buys() -> impl Strategy<Value = Vec<Buy>> {
    prop::collection::vec(
        (0u8..4, 0i64..61, 0i64..30_000, 0i64..5_000).prop_map(|(member, day, total, granola)| {
            Buy {
                member,
                day,
                total_cents: total,
                granola_cents: granola,
            }
        }),
        1..60,
    )
}

fn history() -> impl Strategy<Value = Vec<PriorAward>> {
    prop::collection::vec(
        (0u8..4, 0i64..61, 0i64..200, 0i64..30).prop_map(|(member, day, points, cashback)| {
            PriorAward {
                member: Some(format!("m{member}")),
                purchase_date: Some(start() + Duration::days(day)),
                decided_on: start() + Duration::days(day + 1),
                points: Decimal::from(points),
                cashback: Decimal::from(cashback),
                receipts: 1,
            }
        }),
        0..6,
    )
}

fn set(s: (Option<i64>, Option<i64>, Option<u32>)) -> CapSet {
    CapSet {
        points: s.0.map(Decimal::from),
        cashback: s.1.map(Decimal::from),
        receipts: s.2,
    }
}

fn campaign(l: &Limits) -> Campaign {
    let mut c = Campaign::parse(BASE, "prop").expect("base campaign");
    c.caps.receipt_points = l.receipt_points.map(Decimal::from);
    c.caps.receipt_cashback = l.receipt_cashback.map(Decimal::from);
    c.caps.per_member = set(l.member);
    c.caps.per_member_day = set(l.day);
    c.caps.per_member_week = set(l.week);
    c.budget.points = l.budget.0.map(Decimal::from);
    c.budget.cashback = l.budget.1.map(Decimal::from);
    c
}

fn decide(decider: &mut Decider<'_>, buy: &Buy) -> (Status, Decimal, Decimal) {
    let total = Decimal::new(buy.total_cents, 2);
    let granola = Decimal::new(buy.granola_cents, 2);
    let receipt = Receipt {
        date: Some(start() + Duration::days(buy.day)),
        total: Some(total),
        items: vec![Item {
            description: "GRANOLA MAISON".into(),
            quantity: None,
            unit: None,
            unit_price: None,
            amount: granola,
            line: 1,
            count_unread: false,
            deposit: false,
        }],
        confidence: Confidence {
            merchant: 1.0,
            date: 1.0,
            total: 1.0,
            address: 1.0,
        },
        ..Receipt::default()
    };
    let page = page(
        lines("SUPERETTE DU COIN\nGRANOLA MAISON\nTOTAL"),
        good_quality(),
    );
    let member = format!("m{}", buy.member);
    let entry = entry("x.jpg", Some(&member));
    let d = decider.decide(&Submission {
        entry: &entry,
        page: Some(&page),
        receipt: Some(&receipt),
        file_time: None,
        approval: None,
    });
    (d.status, d.points, d.cashback)
}

#[derive(Default, Clone, Copy)]
struct Sum {
    points: Decimal,
    cashback: Decimal,
    receipts: u32,
}

impl Sum {
    fn add(&mut self, points: Decimal, cashback: Decimal, receipts: u32) {
        self.points += points;
        self.cashback += cashback;
        self.receipts += receipts;
    }
}

/// Totals by key, history included.
#[derive(Default)]
struct Totals {
    member: HashMap<String, Sum>,
    day: HashMap<(String, NaiveDate), Sum>,
    week: HashMap<(String, NaiveDate), Sum>,
    campaign: Sum,
}

fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

impl Totals {
    fn add(&mut self, member: &str, date: NaiveDate, p: Decimal, c: Decimal, n: u32) {
        self.campaign.add(p, c, n);
        self.member.entry(member.into()).or_default().add(p, c, n);
        self.day
            .entry((member.into(), date))
            .or_default()
            .add(p, c, n);
        self.week
            .entry((member.into(), week_of(date)))
            .or_default()
            .add(p, c, n);
    }
}

/// What this run added must fit in what the cap left after history (never below zero).
fn within(after: Sum, before: Sum, s: (Option<i64>, Option<i64>, Option<u32>)) -> bool {
    let room = |cap: i64, used: Decimal| (Decimal::from(cap) - used).max(Decimal::ZERO);
    let added_points = after.points - before.points;
    let added_cashback = after.cashback - before.cashback;
    let added_receipts = after.receipts - before.receipts;
    s.0.is_none_or(|cap| added_points <= room(cap, before.points))
        && s.1
            .is_none_or(|cap| added_cashback <= room(cap, before.cashback))
        && s.2
            .is_none_or(|cap| added_receipts == 0 || before.receipts + added_receipts <= cap)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn points_and_cashback_never_exceed_any_cap(l in limits(), buys in buys(), history in history()) {
        let campaign = campaign(&l);
        let mut decider = Decider::new(&campaign, &history);
        let mut before = Totals::default();
        for h in &history {
            let member = h.member.as_deref().unwrap_or_default();
            before.add(member, h.purchase_date.unwrap(), h.points, h.cashback, h.receipts);
        }
        let mut after = Totals::default();
        for h in &history {
            let member = h.member.as_deref().unwrap_or_default();
            after.add(member, h.purchase_date.unwrap(), h.points, h.cashback, h.receipts);
        }
        for buy in &buys {
            let (status, points, cashback) = decide(&mut decider, buy);
            prop_assert!(points >= Decimal::ZERO && cashback >= Decimal::ZERO);
            if status != Status::Accepted {
                prop_assert_eq!(points, Decimal::ZERO);
                prop_assert_eq!(cashback, Decimal::ZERO);
                continue;
            }
            if let Some(cap) = l.receipt_points {
                prop_assert!(points <= Decimal::from(cap), "receipt points {} > {}", points, cap);
            }
            if let Some(cap) = l.receipt_cashback {
                prop_assert!(cashback <= Decimal::from(cap), "receipt cashback {} > {}", cashback, cap);
            }
            let member = format!("m{}", buy.member);
            after.add(&member, start() + Duration::days(buy.day), points, cashback, 1);
        }
        for (key, sum) in &after.member {
            let prior = before.member.get(key).copied().unwrap_or_default();
            prop_assert!(within(*sum, prior, l.member), "member {} over its cap", key);
        }
        for (key, sum) in &after.day {
            let prior = before.day.get(key).copied().unwrap_or_default();
            prop_assert!(within(*sum, prior, l.day), "member-day {:?} over its cap", key);
        }
        for (key, sum) in &after.week {
            let prior = before.week.get(key).copied().unwrap_or_default();
            prop_assert!(within(*sum, prior, l.week), "member-week {:?} over its cap", key);
        }
        let budget = (l.budget.0, l.budget.1, None);
        prop_assert!(within(after.campaign, before.campaign, budget), "budget exceeded");
    }
}
