//! How campaign values are read from TOML: dates and exact decimals.
//!
//! Money and points must be exact, but TOML has only binary floats: `0.1` read as an `f64` is
//! not one tenth. We read a float through its shortest decimal spelling (what the campaign
//! manager typed), and also accept integers and strings (`"12.50"`).

use rust_decimal::Decimal;
use serde::de::{Error, Visitor};
use std::str::FromStr;

/// Dates written as TOML local dates (`start = 2024-03-01`) or as strings.
pub mod date {
    use chrono::NaiveDate;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Date(toml::value::Datetime),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = match Raw::deserialize(d)
            .map_err(|_| D::Error::custom("expected a date like 2024-03-01"))?
        {
            Raw::Date(dt) => dt.to_string(),
            Raw::Text(s) => s,
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| D::Error::custom(format!("expected a date like 2024-03-01, got {text:?}")))
    }

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&date.to_string())
    }
}

/// Optional dates, same spellings as [`date`].
pub mod opt_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    struct Wrapped(#[serde(with = "super::date")] NaiveDate);

    /// `null` (how the ledger's JSON copy of a campaign writes an absent date) is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<Wrapped>::deserialize(d).map(|w| w.map(|w| w.0))
    }

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// The largest amount, rate, factor or count a campaign may hold, either sign: a billion is
/// beyond any real campaign, and keeps every product fidelio computes from campaign values and
/// receipt totals far inside `Decimal`'s range.
pub const MAX_CAMPAIGN_NUMBER: i64 = 1_000_000_000;

/// At most this many decimals (a millionth of a point or of a currency unit).
const MAX_DECIMALS: u32 = 6;

fn bounded<E: Error>(value: Decimal, typed: &dyn std::fmt::Display) -> Result<Decimal, E> {
    if value.abs() > Decimal::from(MAX_CAMPAIGN_NUMBER) {
        return Err(E::custom(format!(
            "{typed} is out of range: campaign numbers are at most {MAX_CAMPAIGN_NUMBER} either way"
        )));
    }
    if value.normalize().scale() > MAX_DECIMALS {
        return Err(E::custom(format!(
            "{typed} has more than {MAX_DECIMALS} decimals"
        )));
    }
    Ok(value)
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number like 12.50")
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Decimal, E> {
        bounded(Decimal::from(v), &v)
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Decimal, E> {
        bounded(Decimal::from(v), &v)
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Decimal, E> {
        // `{}` prints the shortest spelling that reads back as the same float: what was typed.
        let value = Decimal::from_str(&format!("{v}"))
            .map_err(|_| E::custom(format!("{v} is not a usable number")))?;
        bounded(value, &v)
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Decimal, E> {
        let value = Decimal::from_str(v.trim())
            .map_err(|_| E::custom(format!("expected a number like 12.50, got {v:?}")))?;
        bounded(value, &format!("{v:?}"))
    }
}

/// An exact decimal: `10`, `0.2`, `"12.50"`.
pub mod dec {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(super::DecimalVisitor)
    }

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }
}

/// An optional exact decimal.
pub mod opt_dec {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// `null` (how the ledger's JSON copy of a campaign writes an absent value) is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> serde::de::Visitor<'de> for OptionVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number like 12.50")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Option<Decimal>, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<Decimal>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Decimal>, D::Error> {
            d.deserialize_any(super::DecimalVisitor).map(Some)
        }
    }

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }
}
