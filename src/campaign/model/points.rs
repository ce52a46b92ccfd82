//! `[points]`: how many points a receipt earns.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::values::{dec, opt_date};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    /// Points per currency unit of the receipt total (`1` = one point per euro).
    #[serde(default, with = "dec")]
    pub per_currency_unit: Decimal,
    /// How the final points are rounded (default `down`).
    #[serde(default)]
    pub rounding: Rounding,
    /// Decimal places kept in points (default 0: whole points).
    #[serde(default)]
    pub decimals: u32,
    /// Fixed points on every accepted receipt.
    #[serde(default, with = "dec")]
    pub bonus_per_receipt: Decimal,
    /// Multiply the spend and product points on some days; the largest matching factor wins.
    #[serde(default)]
    pub multipliers: Vec<Multiplier>,
    /// Bonus points by receipt total; the highest tier reached applies.
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Toward zero: 12.9 → 12.
    #[default]
    Down,
    /// Away from zero: 12.1 → 13.
    Up,
    /// Nearest, halves up: 12.5 → 13.
    HalfUp,
    /// Nearest, halves to even: 12.5 → 12, 13.5 → 14.
    HalfEven,
}

impl Rounding {
    pub fn round(self, value: Decimal, decimals: u32) -> Decimal {
        let strategy = match self {
            Rounding::Down => RoundingStrategy::ToZero,
            Rounding::Up => RoundingStrategy::AwayFromZero,
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        };
        value.round_dp_with_strategy(decimals, strategy)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multiplier {
    /// Shown in the audit trail and in `campaign explain`.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(with = "dec")]
    pub factor: Decimal,
    /// Days of the week of the purchase (`sat`, `sunday`, `samedi`, …).
    #[serde(default)]
    pub weekdays: Vec<Day>,
    /// First purchase date (inclusive).
    #[serde(default, with = "opt_date")]
    pub from: Option<NaiveDate>,
    /// Last purchase date (inclusive).
    #[serde(default, with = "opt_date")]
    pub to: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Receipts with a total at least this much reach the tier.
    #[serde(with = "dec")]
    pub min_total: Decimal,
    /// Points added when the tier is reached.
    #[serde(with = "dec")]
    pub bonus: Decimal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    #[serde(alias = "monday", alias = "lun", alias = "lundi")]
    Mon,
    #[serde(alias = "tuesday", alias = "mar", alias = "mardi")]
    Tue,
    #[serde(alias = "wednesday", alias = "mer", alias = "mercredi")]
    Wed,
    #[serde(alias = "thursday", alias = "jeu", alias = "jeudi")]
    Thu,
    #[serde(alias = "friday", alias = "ven", alias = "vendredi")]
    Fri,
    #[serde(alias = "saturday", alias = "sam", alias = "samedi")]
    Sat,
    #[serde(alias = "sunday", alias = "dim", alias = "dimanche")]
    Sun,
}

impl Day {
    pub fn of(date: NaiveDate) -> Day {
        use chrono::Datelike;
        match date.weekday() {
            chrono::Weekday::Mon => Day::Mon,
            chrono::Weekday::Tue => Day::Tue,
            chrono::Weekday::Wed => Day::Wed,
            chrono::Weekday::Thu => Day::Thu,
            chrono::Weekday::Fri => Day::Fri,
            chrono::Weekday::Sat => Day::Sat,
            chrono::Weekday::Sun => Day::Sun,
        }
    }
}

impl Multiplier {
    /// Whether a purchase on `date` gets this multiplier.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        let day_ok = self.weekdays.is_empty() || self.weekdays.contains(&Day::of(date));
        let from_ok = self.from.is_none_or(|from| date >= from);
        let to_ok = self.to.is_none_or(|to| date <= to);
        day_ok && from_ok && to_ok
    }
}
