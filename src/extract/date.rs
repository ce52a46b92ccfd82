//! Dates and times as printed on receipts.

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

static DMY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b").unwrap());
static ISO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").unwrap());
static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([01]?\d|2[0-3])[:hH]([0-5]\d)\b").unwrap());

/// The first plausible date in `text` (day first, as in Europe and Malaysia).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    if let Some(c) = ISO.captures(text) {
        return NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    let c = DMY.captures(text)?;
    let day: u32 = c[1].parse().ok()?;
    let month: u32 = c[2].parse().ok()?;
    let mut year: i32 = c[3].parse().ok()?;
    if year < 100 {
        year += 2000;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The first `HH:MM` time in `text`.
pub fn parse_time(text: &str) -> Option<String> {
    let c = TIME.captures(text)?;
    Some(format!("{:02}:{}", c[1].parse::<u32>().ok()?, &c[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_day_first_dates() {
        assert_eq!(
            parse_date("le 12/03/2024"),
            NaiveDate::from_ymd_opt(2024, 3, 12)
        );
        assert_eq!(
            parse_date("16-03-18 10:32"),
            NaiveDate::from_ymd_opt(2018, 3, 16)
        );
        assert_eq!(
            parse_date("2024-03-12"),
            NaiveDate::from_ymd_opt(2024, 3, 12)
        );
        assert_eq!(parse_date("31/02/2024"), None);
        assert_eq!(parse_time("14h32"), Some("14:32".into()));
    }
}
