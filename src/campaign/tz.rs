//! The campaign's time zone, used to turn a submission instant (`2024-05-31T23:30:00Z`) into
//! the member's local date: a receipt sent at 00:30 in Paris on 1 June is late for a deadline
//! of 31 May even though it is still 31 May in UTC.
//!
//! `UTC`, a fixed offset (`+01:00`) or any IANA zone name (`Europe/Paris`,
//! `Asia/Kuala_Lumpur`), whose rules and their history come from the tz database compiled
//! into `chrono-tz`.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Timezone {
    #[default]
    Utc,
    Fixed(FixedOffset),
    /// An IANA zone, with its summer time and every change of rule.
    Named(Tz),
}

impl Timezone {
    pub fn parse(text: &str) -> Result<Timezone, String> {
        if matches!(text, "UTC" | "Etc/UTC" | "Z") {
            return Ok(Timezone::Utc);
        }
        if let Some(offset) = parse_offset(text) {
            return Ok(Timezone::Fixed(offset));
        }
        Tz::from_str_insensitive(text)
            .map(Timezone::Named)
            .map_err(|_| {
                let hint = closest_zone(text)
                    .map(|name| format!(" (did you mean {name:?}?)"))
                    .unwrap_or_default();
                format!(
                    "unknown time zone {text:?}{hint}: use \"UTC\", an offset like \"+01:00\" or \
                     an IANA zone name like \"Europe/Paris\""
                )
            })
    }

    pub fn name(&self) -> String {
        match self {
            Timezone::Utc => "UTC".into(),
            Timezone::Fixed(offset) => offset.to_string(),
            Timezone::Named(tz) => tz.name().to_string(),
        }
    }

    /// The local calendar date of `instant` in this zone.
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        match self {
            Timezone::Utc => instant.date_naive(),
            Timezone::Fixed(offset) => instant.with_timezone(offset).date_naive(),
            Timezone::Named(tz) => instant.with_timezone(tz).date_naive(),
        }
    }
}

/// The IANA zone within two typed letters of `text` (`Europe/Pariss`), if one is.
fn closest_zone(text: &str) -> Option<&'static str> {
    let text = text.to_ascii_lowercase();
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            (
                edit_distance(&text, &tz.name().to_ascii_lowercase()),
                tz.name(),
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance over bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
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
        let paris = Timezone::parse("Europe/Paris").unwrap();
        let date = |text| paris.local_date(at(text));
        // 22:30 UTC is 00:30 the next day in summer (UTC+2), 23:30 the same day in winter.
        assert_eq!(date("2024-03-30T22:30:00Z").to_string(), "2024-03-30"); // winter
        assert_eq!(date("2024-03-31T22:30:00Z").to_string(), "2024-04-01"); // summer
        assert_eq!(date("2024-10-26T22:30:00Z").to_string(), "2024-10-27"); // summer
        assert_eq!(date("2024-10-27T22:30:00Z").to_string(), "2024-10-27"); // winter
    }

    #[test]
    fn any_iana_zone_by_name_in_any_case() {
        // Regression (issue 22): Malaysian campaigns could not name their zone.
        let kl = Timezone::parse("Asia/Kuala_Lumpur").unwrap();
        assert_eq!(kl.name(), "Asia/Kuala_Lumpur");
        // 16:30 UTC is 00:30 the next day in Kuala Lumpur (UTC+8, no summer time).
        assert_eq!(
            kl.local_date(at("2018-03-30T16:30:00Z")),
            NaiveDate::from_ymd_opt(2018, 3, 31).unwrap()
        );
        assert_eq!(
            Timezone::parse("europe/berlin").unwrap().name(),
            "Europe/Berlin"
        );
        // Zones outside the EU rule: London in summer is UTC+1, New York follows US dates.
        let ny = Timezone::parse("America/New_York").unwrap();
        assert_eq!(
            ny.local_date(at("2024-03-10T04:30:00Z")).to_string(),
            "2024-03-09"
        );
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
