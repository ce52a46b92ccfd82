//! Dates and times as printed on receipts, and as OCR reads them.
//!
//! Dates: day first (`16/03/2018`, `16.03.18`, `16-03-18`), year first (`2024-03-12`,
//! `2016/05/01`), month names in English, French, German and Malay (`12 MAR 2018`,
//! `05-Aug-2017`, `le 12 mars 2024`, `12. März 2024`, `4 December, 2017`, `Mar 12, 2018`).
//! US month-first order is only read when day-first is impossible (`12/28/2017`), and flagged.
//! Impossible dates (31/02) and years outside 2000–2099 are rejected. OCR spaces around the
//! separators (`28-03- 18`) are tolerated and flagged.
//!
//! Two slips of a line reader that drops narrow spaces and confuses round glyphs are read
//! through: a clock glued to the year before it (`12 Jun 201818:18`, `16-03-1813:49`), and a
//! zero for the O of a month name run into the day (`100CT 2017`).
//!
//! Times: `14:32`, `14:32:05`, `14h32`, `2:05 PM`, converted to 24-hour `HH:MM`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::locale::Pack;
use super::text::fold;

/// One date found in a text (byte positions refer to the folded text).
#[derive(Clone, Debug, PartialEq)]
pub struct DateMatch {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
    /// Read month first because day first was impossible.
    pub month_first: bool,
    /// Spaces or mixed separators inside the date.
    pub repaired: bool,
    pub two_digit_year: bool,
}

fn month_number(name: &str) -> Option<u32> {
    Pack::every_locale()
        .months
        .iter()
        .find(|(n, _)| *n == name.replace('0', "O"))
        .map(|(_, m)| *m)
}

fn month_pattern() -> String {
    let mut names: Vec<&str> = Pack::every_locale()
        .months
        .iter()
        .map(|(n, _)| *n)
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    // The reader's zero for O (`100CT 2017`): any O of a name may come as 0.
    names.join("|").replace('O', "[O0]")
}

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,4})( ?[/.\-~] ?)(\d{1,2})( ?[/.\-~] ?)(\d{4}|\d{2})").unwrap()
});
/// `2703/2018`, `27032018`: day and month with the separators between them lost.
static JOINED_DAY_MONTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{2})(\d{2})(?: ?/ ?)?(\d{4})").unwrap());
static DAY_MONTH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(\d{{1,2}})(?:ER)?\.? ?[/\-]? ?({})\b\.? ?[/\-,]? ?(\d{{4}}|\d{{2}})",
        month_pattern()
    ))
    .unwrap()
});
static MONTH_NAME_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b({})\b\.? (\d{{1,2}}),? (\d{{4}})",
        month_pattern()
    ))
    .unwrap()
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2})(?: ?: ?|H)([0-5]\d)(?: ?: ?([0-5]\d))?(?: ?([AP])\.?M\b\.?)?").unwrap()
});

/// `HH.MM.SS`, `HH.MM:SS`, `HH:MM.SS`, or `HH.MM` (a clock only right after a date or before
/// `Uhr`): see [`dotted_times`].
static TIME_DOTTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})[.:]([0-5]\d)(?:[.:]([0-5]\d))?( ?UHR\b)?").unwrap());

/// Every plausible date in `text`, left to right.
pub fn find_dates(text: &str) -> Vec<DateMatch> {
    let folded = fold(text);
    let mut found: Vec<DateMatch> = Vec::new();
    let mut from = 0;
    while let Some(caps) = NUMERIC.captures_at(&folded, from) {
        let whole = caps.get(0).expect("whole match");
        match numeric_date(&folded, &caps) {
            Some(m) => {
                from = m.end;
                found.push(m);
            }
            // `#19- 10/03/2018` first reads `19- 10/03`; try again one character later.
            None => from = whole.start() + 1,
        }
    }
    for caps in JOINED_DAY_MONTH.captures_iter(&folded) {
        let whole = caps.get(0).expect("whole match");
        if !isolated(&folded, whole.start(), whole.end()) {
            continue;
        }
        let date = full_year(&caps[3])
            .and_then(|year| ymd(year, caps[2].parse().ok()?, caps[1].parse().ok()?));
        if let Some(date) = date {
            found.push(DateMatch {
                date,
                start: whole.start(),
                end: whole.end(),
                month_first: false,
                repaired: true,
                two_digit_year: false,
            });
        }
    }
    for caps in DAY_MONTH_NAME.captures_iter(&folded) {
        let whole = caps.get(0).expect("whole match");
        if !isolated(&folded, whole.start(), whole.end()) {
            continue;
        }
        if let Some(m) = named_date(&caps[1], &caps[2], &caps[3], whole.start(), whole.end()) {
            found.push(m);
        }
    }
    for caps in MONTH_NAME_DAY.captures_iter(&folded) {
        let whole = caps.get(0).expect("whole match");
        if let Some(m) = named_date(&caps[2], &caps[1], &caps[3], whole.start(), whole.end()) {
            found.push(m);
        }
    }
    found.sort_by_key(|m| m.start);
    found.dedup_by(|b, a| b.start < a.end);
    found
}

/// No digit (or date separator followed by a digit) touching either end.
fn isolated(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let mut after = text[end..].chars();
    let after_first = after.next();
    let before_ok = !before.is_some_and(|c| c.is_ascii_digit());
    let after_ok = match after_first {
        Some(c) if c.is_ascii_digit() => clock_at(text, end),
        Some('/' | '.' | '-') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        _ => true,
    };
    let before_sep = text[..start].chars().rev().take(2).collect::<Vec<_>>();
    let glued_before = matches!(before_sep.as_slice(), [ '/' | '-', d, ..] if d.is_ascii_digit());
    before_ok && after_ok && !glued_before
}

/// A clock (`18:18`, not part of a longer number) starts at byte `at` of `text`: the reader
/// lost the space between a date and its time (`12 JUN 201818:18`).
fn clock_at(text: &str, at: usize) -> bool {
    static CLOCK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:[01]?\d|2[0-3]):[0-5]\d").unwrap());
    let Some(rest) = text.get(at..) else {
        return false;
    };
    CLOCK
        .find(rest)
        .is_some_and(|m| !rest[m.end()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// `002-2016/05/01`: a year-first date after a till or terminal number and a dash. A
/// four-digit year starting 19 or 20 is too specific to be the middle of a longer number.
fn prefixed_iso(text: &str, caps: &regex::Captures<'_>) -> bool {
    let Some(whole) = caps.get(0) else {
        return false;
    };
    let year = &caps[1];
    let dash_before = text[..whole.start()].ends_with('-');
    let after = text[whole.end()..].chars().next();
    dash_before
        && year.len() == 4
        && (year.starts_with("19") || year.starts_with("20"))
        && !after.is_some_and(|c| c.is_ascii_digit() || matches!(c, '/' | '.' | '-'))
}

fn numeric_date(text: &str, caps: &regex::Captures<'_>) -> Option<DateMatch> {
    let whole = caps.get(0)?;
    let year = caps.get(5)?;
    // `16-03-1813:49`: a two-digit year with its clock glued on, which the pattern took for
    // the year 1813.
    let (third, end) = if year.len() == 4 && clock_at(text, year.start() + 2) {
        (&year.as_str()[..2], year.start() + 2)
    } else {
        (year.as_str(), year.end())
    };
    if !isolated(text, whole.start(), end) && !prefixed_iso(text, caps) {
        return None;
    }
    let (first, sep1, second, sep2) = (&caps[1], &caps[2], &caps[3], &caps[4]);
    // `2/4.00`, `3/10.00`: a multi-buy offer (two for 4.00), a price with cents, no date.
    if sep1.trim() == "/" && sep2.trim() == "." && third.len() == 2 {
        return None;
    }
    // A tilde is a hyphen misread (the small recogniser's slip on thin dashes: `05-05~18`).
    let mut repaired =
        sep1.trim() != sep2.trim() || sep1.contains([' ', '~']) || sep2.contains([' ', '~']);
    let number = |s: &str| s.parse::<u32>().ok();
    let (date, month_first, two_digit_year) = if first.len() == 4 {
        // Year first: 2024-03-12, 2016/05/01.
        if third.len() != 2 && third.len() != 1 {
            return None;
        }
        let date = ymd(number(first)? as i32, number(second)?, number(third)?)?;
        (date, false, false)
    } else {
        if first.len() > 2 {
            return None;
        }
        let (year, year_repaired) = year_of(third)?;
        repaired |= year_repaired;
        let (day, month) = (number(first)?, number(second)?);
        match ymd(year, month, day) {
            Some(date) => (date, false, third.len() == 2),
            // Month first is the US order, written with slashes or dashes; a dotted reading
            // that only makes a date month first is a clock (`11.14.00`, a colon read as a dot).
            None if sep1.trim() == "." && sep2.trim() == "." && third.len() == 2 => return None,
            None => (ymd(year, day, month)?, true, third.len() == 2),
        }
    };
    Some(DateMatch {
        date,
        start: whole.start(),
        end,
        month_first,
        repaired,
        two_digit_year,
    })
}

fn named_date(day: &str, month: &str, year: &str, start: usize, end: usize) -> Option<DateMatch> {
    let date = ymd(full_year(year)?, month_number(month)?, day.parse().ok()?)?;
    Some(DateMatch {
        date,
        start,
        end,
        month_first: false,
        repaired: false,
        two_digit_year: year.len() == 2,
    })
}

/// A printed year, and whether its century was repaired: OCR reads the `0` of `2017` as
/// `6`, `8`, `5` or `3` (`2617`), a year no receipt carries.
fn year_of(text: &str) -> Option<(i32, bool)> {
    let year = full_year(text)?;
    let misread_century = text.len() == 4
        && text.starts_with('2')
        && matches!(text.as_bytes()[1], b'3' | b'5' | b'6' | b'8');
    if misread_century {
        return Some((2000 + text[2..].parse::<i32>().ok()?, true));
    }
    Some((year, false))
}

fn full_year(text: &str) -> Option<i32> {
    let value: i32 = text.parse().ok()?;
    match text.len() {
        2 => Some(2000 + value),
        4 => Some(value),
        _ => None,
    }
}

/// A calendar date a receipt can carry: real, and in 2000–2099.
fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(2000..=2099).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The first plausible date in `text`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    find_dates(text).first().map(|m| m.date)
}

/// One time of day found in a text (byte positions refer to the folded text).
#[derive(Clone, Debug, PartialEq)]
pub struct TimeMatch {
    /// `HH:MM`, 24-hour.
    pub time: String,
    pub start: usize,
    pub end: usize,
    pub has_seconds: bool,
}

/// Every time of day in `text`, left to right.
pub fn find_times(text: &str) -> Vec<TimeMatch> {
    let folded = fold(text);
    let mut times = clock_times(&folded);
    for found in dotted_times(&folded) {
        if !times
            .iter()
            .any(|t| t.start < found.end && found.start < t.end)
        {
            times.push(found);
        }
    }
    times.sort_by_key(|t| t.start);
    times
}

/// Clocks with a dot for a colon: with seconds (`11.14.00`, `8.08:53`: a colon read as a dot,
/// or printed so), right after the date on its row (`26/02/18 08.28`), or said to be one by
/// `Uhr` (`15.42 Uhr`); anywhere else `08.28` is an amount. Dotted dates (`11.12.00`) stay dates.
fn dotted_times(folded: &str) -> Vec<TimeMatch> {
    let dates = find_dates(folded);
    let mut found = Vec::new();
    for caps in TIME_DOTTED.captures_iter(folded) {
        let (Some(whole), Some(clock_end), Ok(hour), Ok(minute)) = (
            caps.get(0),
            caps.get(3).or(caps.get(2)),
            caps[1].parse::<u32>(),
            caps[2].parse::<u32>(),
        ) else {
            continue;
        };
        let (start, end) = (whole.start(), clock_end.end());
        let after_a_date = dates
            .iter()
            .any(|d| d.end <= start && folded[d.end..start].trim().is_empty());
        let clock = caps.get(3).is_some() || caps.get(4).is_some() || after_a_date;
        if clock
            && folded[start..end].contains('.')
            && hour < 24
            && time_is_isolated_dotted(folded, start, end)
            && !dates.iter().any(|d| d.start < end && start < d.end)
        {
            found.push(TimeMatch {
                time: format!("{hour:02}:{minute:02}"),
                start,
                end: whole.end(),
                has_seconds: caps.get(3).is_some(),
            });
        }
    }
    found
}

/// Not inside a longer number: no digit, dot or comma just before or after.
fn time_is_isolated_dotted(text: &str, start: usize, end: usize) -> bool {
    let number_glyph = |c: char| c.is_ascii_digit() || c == '.' || c == ',' || c == ':';
    !text[..start].chars().next_back().is_some_and(number_glyph)
        && !text[end..].chars().next().is_some_and(number_glyph)
}

/// `HH:MM`, `HHhMM`, with seconds or AM/PM, in `folded` text.
fn clock_times(folded: &str) -> Vec<TimeMatch> {
    TIME.captures_iter(folded)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            if !time_is_isolated(folded, whole.start(), whole.end()) {
                return None;
            }
            let separator_is_h = folded[caps.get(1)?.end()..].starts_with('H');
            if separator_is_h && caps.get(3).is_some() {
                return None;
            }
            let mut hour: u32 = caps[1].parse().ok()?;
            let minute: u32 = caps[2].parse().ok()?;
            match caps.get(4).map(|m| m.as_str()) {
                Some("P") if (1..12).contains(&hour) => hour += 12,
                Some("A") if hour == 12 => hour = 0,
                _ => {}
            }
            (hour < 24 && minute < 60).then(|| TimeMatch {
                time: format!("{hour:02}:{minute:02}"),
                start: whole.start(),
                end: whole.end(),
                has_seconds: caps.get(3).is_some(),
            })
        })
        .collect()
}

/// Not part of a longer number or clock reading; a label colon before is fine (`Time:12:48`),
/// and so is the `T` of an ISO date and time (`2026-11-20T14:05:00`, e-receipts).
fn time_is_isolated(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let before_ok = match before.next() {
        None => true,
        Some(':') => !before.next().is_some_and(|c| c.is_ascii_digit()),
        Some('T') => before.next().is_some_and(|c| c.is_ascii_digit()),
        // A clock glued to the date before it (`16-03-1813:49`).
        Some(c) if c.is_ascii_digit() => find_dates(&text[..start])
            .last()
            .is_some_and(|d| d.end == start),
        Some(c) => !c.is_ascii_alphanumeric() && c != '.' && c != ',',
    };
    // A colon after is a longer clock reading, unless its seconds were misread as letters
    // (`TIME: 14:30:DD`).
    let mut after = text[end..].chars();
    let after_ok = match after.next() {
        Some(':') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        next => !next.is_some_and(|c| c.is_ascii_digit()),
    };
    before_ok && after_ok
}

/// The first `HH:MM` time in `text`.
pub fn parse_time(text: &str) -> Option<String> {
    find_times(text).into_iter().next().map(|t| t.time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn reads_day_first_dates() {
        assert_eq!(parse_date("le 12/03/2024"), ymd(2024, 3, 12));
        assert_eq!(parse_date("16-03-18 10:32"), ymd(2018, 3, 16));
        assert_eq!(parse_date("16.03.2018"), ymd(2018, 3, 16));
        assert_eq!(parse_date("2024-03-12"), ymd(2024, 3, 12));
        assert_eq!(parse_date("Date: 2016/06/01 14:11:20"), ymd(2016, 6, 1));
        assert_eq!(parse_date("Date : 11/5/2018 13:14:32"), ymd(2018, 5, 11));
        assert_eq!(parse_date("31/02/2024"), None);
        assert_eq!(parse_date("Tel 03-87686092"), None);
        assert_eq!(parse_date("12/03/1950"), None);
    }

    /// US drugstores print multi-buy offers below the item (`1 @ 2.19 or 2/4.00`, twice on one
    /// receipt): read as the 2nd of April 2000, printed twice, they outvoted the purchase date.
    #[test]
    fn regression_a_multi_buy_price_is_no_date() {
        assert!(find_dates("1 @ 2.19 or 2/4.00").is_empty());
        assert!(find_dates("3/10.00").is_empty());
        assert_eq!(parse_date("12/03/24"), ymd(2024, 3, 12));
        assert_eq!(parse_date("12.03.24"), ymd(2024, 3, 12));
    }

    #[test]
    fn month_first_only_when_day_first_is_impossible() {
        let found = find_dates("DATE : 12/28/2017 10:17:32 PM");
        assert_eq!(found[0].date, ymd(2017, 12, 28).unwrap());
        assert!(found[0].month_first);
        assert!(!find_dates("04/06/2018")[0].month_first);
    }

    #[test]
    fn reads_month_names_in_four_languages() {
        assert_eq!(parse_date("30 Dec 17 18:40:57"), ymd(2017, 12, 30));
        assert_eq!(parse_date("05-Aug-2017 02:11:23 PM"), ymd(2017, 8, 5));
        assert_eq!(parse_date("25/FEB/2017"), ymd(2017, 2, 25));
        assert_eq!(parse_date("le 12 mars 2024 à 14:32"), ymd(2024, 3, 12));
        assert_eq!(parse_date("1er février 2024"), ymd(2024, 2, 1));
        assert_eq!(parse_date("12. März 2024"), ymd(2024, 3, 12));
        assert_eq!(
            parse_date("Monday, 4 December, 2017 1:55:54 PM"),
            ymd(2017, 12, 4)
        );
        assert_eq!(parse_date("Mar 12, 2018"), ymd(2018, 3, 12));
        assert_eq!(parse_date("10 Ogos 2018"), ymd(2018, 8, 10));
        assert_eq!(parse_date("MARS"), None);
    }

    #[test]
    fn tolerates_ocr_spaces_and_flags_them() {
        let found = find_dates("28-03- 18 18:05 SHO1");
        assert_eq!(found[0].date, ymd(2018, 3, 28).unwrap());
        assert!(found[0].repaired);
        assert!(found[0].two_digit_year);
    }

    /// The small recogniser, reading every date line since it replaced the tiny one there,
    /// read a thin hyphen as a tilde (`05-05~18`) and the receipt lost its date.
    #[test]
    fn regression_a_hyphen_read_as_a_tilde_still_separates_a_date() {
        let found = find_dates("05:23PM 568268 05-05~18");
        assert_eq!(found[0].date, ymd(2018, 5, 5).unwrap());
        assert!(found[0].repaired);
        assert!(find_dates("05~05~18")[0].repaired);
    }

    #[test]
    fn a_lost_separator_between_day_and_month_is_tolerated_and_flagged() {
        let found = find_dates("_. 2703/2018 No CS-20243");
        assert_eq!(found[0].date, ymd(2018, 3, 27).unwrap());
        assert!(found[0].repaired);
        assert!(find_dates("INV 9912/2018").is_empty());
        // Pale slashes over an underline, lost when the row is read on its own.
        let found = find_dates("27032018");
        assert_eq!(found[0].date, ymd(2018, 3, 27).unwrap());
        assert!(found[0].repaired);
        assert!(find_dates("BARCODE 927032018").is_empty());
        assert!(find_dates("20180327").is_empty());
    }

    #[test]
    fn a_misread_century_is_repaired_and_flagged() {
        let found = find_dates("VEOS 14 Date: 30/09/2617");
        assert_eq!(found[0].date, ymd(2017, 9, 30).unwrap());
        assert!(found[0].repaired);
        assert!(find_dates("30/09/2417").is_empty());
    }

    #[test]
    fn dates_do_not_come_from_longer_numbers() {
        assert!(find_dates("9555075106825").is_empty());
        assert!(find_dates("1.234.567,89").is_empty());
        assert!(find_dates("INV 12/03/2018/77").is_empty());
        assert!(find_dates("REF 12-2016/05/01/7").is_empty());
    }

    /// Footers that print the date after the till number: `002-2016/05/01 14:13:16`.
    #[test]
    fn a_year_first_date_after_a_till_number_is_read() {
        let found = find_dates("002-2016/05/01 14:13:16 Elin (1) 000-049909 [1]");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].date.to_string(), "2016-05-01");
        assert!(find_dates("0312-1234/05/01").is_empty());
    }

    #[test]
    fn reads_times() {
        assert_eq!(parse_time("14h32"), Some("14:32".into()));
        assert_eq!(parse_time("à 14H32"), Some("14:32".into()));
        assert_eq!(parse_time("18:31:45"), Some("18:31".into()));
        assert_eq!(parse_time("10:58:51 PM"), Some("22:58".into()));
        assert_eq!(parse_time("12:05 AM"), Some("00:05".into()));
        assert_eq!(parse_time("13:14:15 PM"), Some("13:14".into()));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("Tel 03-2026 6386"), None);
        assert_eq!(parse_time("1:55:54 PM"), Some("13:55".into()));
        assert_eq!(parse_time("2026-11-20T14:05:00"), Some("14:05".into()));
        assert_eq!(parse_time("REF AT14:05"), None);
        // Seconds misread as letters leave the clock; a longer reading is no clock.
        assert_eq!(parse_time("TIME: 14:30:DD"), Some("14:30".into()));
        assert_eq!(parse_time("14:30:5"), None);
    }

    /// The neural reader drops the narrow space between a date and its clock.
    #[test]
    fn a_clock_glued_to_the_year_is_read_apart() {
        assert_eq!(parse_date("12 Jun 201818:18"), ymd(2018, 6, 12));
        assert_eq!(parse_time("12 Jun 201818:18"), Some("18:18".into()));
        assert_eq!(parse_date("16-03-1813:49 SH01 B026"), ymd(2018, 3, 16));
        assert_eq!(parse_time("16-03-1813:49 SH01 B026"), Some("13:49".into()));
        assert_eq!(parse_date("16/03/201818:05:12"), ymd(2018, 3, 16));
        // Not a clock: a longer number, or no date before it.
        assert!(find_dates("16-03-201818:185").is_empty());
        assert_eq!(parse_time("INV 77718:18"), None);
    }

    #[test]
    fn a_zero_for_the_o_of_a_month_is_read() {
        assert_eq!(parse_date(": 100CT 2017 TUE"), ymd(2017, 10, 10));
        assert_eq!(parse_date("3 N0V 2018"), ymd(2018, 11, 3));
    }

    /// Bug: clocks with a dot for a colon had no time (`Time 11.58:00`, `17/01/2018 8.08:53`,
    /// `26/02/18 08.28 10886 09`: 7 of the 142 SROIE tune receipts whose transcription prints
    /// one time). With seconds the reading is a clock anywhere; `HH.MM` only right after the
    /// date on its row, where no amount is printed.
    #[test]
    fn regression_dotted_clocks_with_seconds_or_after_the_date() {
        assert_eq!(parse_time("11.14.00"), Some("11:14".into()));
        assert_eq!(parse_time("Time 11.58:00"), Some("11:58".into()));
        assert_eq!(parse_time("17/01/2018 8.08:53"), Some("08:08".into()));
        assert_eq!(parse_time("26/02/18 08.28 10886 09"), Some("08:28".into()));
        // Amounts, a dotted date, and a number with more digits are no clock.
        assert_eq!(parse_time("TOTAL 08.28"), None);
        assert_eq!(parse_time("26/02/18 TOTAL 08.28"), None);
        assert_eq!(parse_time("11.12.00"), None);
        assert_eq!(parse_date("11.12.00"), ymd(2000, 12, 11));
        assert_eq!(parse_time("1.234.56"), None);
        assert_eq!(parse_time("26/02/18 1.234,56"), None);
    }

    /// German tills that print the time with a dot: `22.11.26 15.42 Uhr`.
    #[test]
    fn regression_a_german_time_with_a_dot_is_one_when_it_says_uhr() {
        assert_eq!(parse_time("22.11.26    15.42 Uhr"), Some("15:42".into()));
        assert_eq!(parse_time("15:42 Uhr"), Some("15:42".into()));
        // Without the word it is an amount, and past the clock it is none.
        assert_eq!(parse_time("SUMME 15.42"), None);
        assert_eq!(parse_time("25.10 Uhr"), None);
    }
}
