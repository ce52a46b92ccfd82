//! The campaign's time zone, used to turn a submission instant (`2024-05-31T23:30:00Z`) into
//! the member's local date: a receipt sent at 00:30 in Paris on 1 June is late for a deadline
//! of 31 May even though it is still 31 May in UTC.
//!
//! Deliberately limited instead of pulling a tz database: `UTC`, fixed offsets (`+01:00`) and
//! the European zones listed in [`NAMED`], which all follow the EU summer-time rule in force
//! since 1996 (last Sunday of March to last Sunday of October, switching at 01:00 UTC).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Named zones we know, with their standard offset in hours; all observe EU summer time.
const NAMED: &[(&str, i32)] = &[
    ("Europe/London", 0),
    ("Europe/Dublin", 0),
    ("Europe/Lisbon", 0),
    ("Europe/Paris", 1),
    ("Europe/Brussels", 1),
    ("Europe/Luxembourg", 1),
    ("Europe/Monaco", 1),
    ("Europe/Berlin", 1),
    ("Europe/Vienna", 1),
    ("Europe/Zurich", 1),
    ("Europe/Amsterdam", 1),
    ("Europe/Madrid", 1),
    ("Europe/Rome", 1),
    ("Europe/Athens", 2),
    ("Europe/Helsinki", 2),
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Timezone {
    #[default]
    Utc,
    Fixed(FixedOffset),
    /// A named European zone: standard offset in seconds, plus one hour in summer.
    European {
        name: String,
        standard: i32,
    },
}

impl Timezone {
    pub fn parse(text: &str) -> Result<Timezone, String> {
        if matches!(text, "UTC" | "Etc/UTC" | "Z") {
            return Ok(Timezone::Utc);
        }
        if let Some((name, hours)) = NAMED.iter().find(|(n, _)| n.eq_ignore_ascii_case(text)) {
            return Ok(Timezone::European {
                name: name.to_string(),
                standard: hours * 3600,
            });
        }
        parse_offset(text).map(Timezone::Fixed).ok_or_else(|| {
            let names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown time zone {text:?}: use \"UTC\", an offset like \"+01:00\" or one of {}",
                names.join(", ")
            )
        })
    }

    pub fn name(&self) -> String {
        match self {
            Timezone::Utc => "UTC".into(),
            Timezone::Fixed(offset) => offset.to_string(),
            Timezone::European { name, .. } => name.clone(),
        }
    }

    /// The local calendar date of `instant` in this zone.
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        let offset = self.offset_at(instant);
        (instant + Duration::seconds(offset as i64)).date_naive()
    }

    fn offset_at(&self, instant: DateTime<Utc>) -> i32 {
        match self {
            Timezone::Utc => 0,
            Timezone::Fixed(offset) => offset.local_minus_utc(),
            Timezone::European { standard, .. } => {
                standard + if is_eu_summer(instant) { 3600 } else { 0 }
            }
        }
    }
}

/// `+01:00`, `-05:30`, `+0100`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// EU rule: summer time from the last Sunday of March 01:00 UTC to the last Sunday of October
/// 01:00 UTC.
fn is_eu_summer(instant: DateTime<Utc>) -> bool {
    let year = instant.year();
    let start = last_sunday(year, 3).and_hms_opt(1, 0, 0);
    let end = last_sunday(year, 10).and_hms_opt(1, 0, 0);
    match (start, end) {
        (Some(start), Some(end)) => {
            let (start, end) = (Utc.from_utc_datetime(&start), Utc.from_utc_datetime(&end));
            instant >= start && instant < end
        }
        _ => false,
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let last_day = NaiveDate::from_ymd_opt(year, month, 31)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, month, 30).unwrap_or_default());
    let back = last_day.weekday().num_days_from_sunday();
    last_day - Duration::days(back as i64)
}

/// Parse an RFC 3339 submission time (`2024-05-31T22:30:00Z`, `2024-05-31T23:30:00+01:00`).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl<'de> Deserialize<'de> for Timezone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timezone, D::Error> {
        let text = String::deserialize(d)?;
        Timezone::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Timezone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// The Monday starting `date`'s ISO week: weekly caps count Monday to Sunday.
pub fn iso_week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_instant(text).unwrap()
    }

    #[test]
    fn paris_midnight_crosses_the_date_in_summer_and_winter() {
        let paris = Timezone::parse("Europe/Paris").unwrap();
        // 31 May 22:30 UTC is 1 June 00:30 in Paris (summer, UTC+2).
        assert_eq!(
            paris.local_date(at("2024-05-31T22:30:00Z")),
            NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
        );
        assert_eq!(
            paris.local_date(at("2024-05-31T21:30:00Z")),
            NaiveDate::from_ymd_opt(2024, 5, 31).unwrap()
        );
        // 31 January 23:30 UTC is 1 February 00:30 in Paris (winter, UTC+1).
        assert_eq!(
            paris.local_date(at("2024-01-31T23:30:00Z")),
            NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()
        );
    }

    #[test]
    fn summer_time_switches_on_the_last_sundays() {
        assert!(!is_eu_summer(at("2024-03-31T00:59:00Z")));
        assert!(is_eu_summer(at("2024-03-31T01:00:00Z")));
        assert!(is_eu_summer(at("2024-10-27T00:59:00Z")));
        assert!(!is_eu_summer(at("2024-10-27T01:00:00Z")));
    }

    #[test]
    fn fixed_offsets_and_unknown_names() {
        let tz = Timezone::parse("-05:00").unwrap();
        assert_eq!(
            tz.local_date(at("2024-03-01T03:00:00Z")),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert!(Timezone::parse("Mars/Olympus")
            .unwrap_err()
            .contains("unknown time zone"));
        assert!(Timezone::parse("+25:00").is_err());
    }

    #[test]
    fn weeks_start_on_monday() {
        let sunday = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
        assert_eq!(
            iso_week_start(sunday),
            NaiveDate::from_ymd_opt(2024, 3, 4).unwrap()
        );
    }
}
