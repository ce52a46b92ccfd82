//! Reading label values the way a human wrote them: text folded for comparison, dates in the
//! shop's own format (kept, so the output can be printed back in that format for the strict
//! score), totals with or without a currency.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Case, accents, spacing and punctuation folded away: `"Mr. D.I.Y. (Kuchai)"` → `"MRDIYKUCHAI"`.
pub fn fold_text(text: &str) -> String {
    deunicode::deunicode(text)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// 0–1 similarity of two texts after folding (1 = equal), to see how close the misses are.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(&fold_text(a), &fold_text(b))
}

/// A label amount: `"RM 9.00"`, `"RM21.85"`, `"7,838.80"`, `"12,50 €"`, `"12"`.
///
/// The last `.` or `,` followed by one or two digits is the decimal separator; other separators
/// group thousands. Anything that is not a digit, separator or leading minus is ignored.
pub fn parse_label_amount(text: &str) -> Option<Decimal> {
    let negative = text.trim_start().starts_with('-');
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let kept = kept.trim_matches(|c| c == '.' || c == ',');
    if !kept.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let (int_part, frac) = match kept.rfind(['.', ',']) {
        Some(i) if (1..=2).contains(&(kept.len() - i - 1)) => (&kept[..i], &kept[i + 1..]),
        _ => (kept, ""),
    };
    let int_digits: String = int_part.chars().filter(|c| c.is_ascii_digit()).collect();
    if int_digits.len() > 15 {
        return None;
    }
    let int_digits = if int_digits.is_empty() {
        "0"
    } else {
        &int_digits
    };
    let value = if frac.is_empty() {
        Decimal::from_str(int_digits).ok()?
    } else {
        Decimal::from_str(&format!("{int_digits}.{frac}")).ok()?
    };
    Some(if negative { -value } else { value })
}

/// An amount as fidelio prints it: exactly two decimals.
pub fn canonical_amount(value: Decimal) -> String {
    let mut value = value.round_dp(2);
    value.rescale(2);
    value.to_string()
}

/// `HH:MM` from `"14:32"`, `"14:32:10"`, `"9:05"`.
pub fn parse_label_time(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split(':');
    let hour: u32 = parts.next()?.trim().parse().ok()?;
    let minute: u32 = parts.next()?.trim().parse().ok()?;
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// How a label prints its date, so the output can be printed the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateStyle {
    /// The three fields in printed order, each with how it is written.
    fields: [FieldStyle; 3],
    /// Text before, between and after the fields (`["", "-", "-", ""]`).
    separators: [String; 4],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldStyle {
    /// Day number; `true` when zero-padded to two digits.
    Day(bool),
    Month(bool),
    MonthName(NameStyle),
    /// Year with 2 or 4 digits.
    Year(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NameStyle {
    language: usize,
    abbreviated: bool,
    case: Case,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Title,
}

/// Month names labels may use, per language: (full, abbreviation).
const MONTHS: [[(&str, &str); 12]; 3] = [
    [
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may", "may"),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    [
        ("janvier", "janv"),
        ("fevrier", "fevr"),
        ("mars", "mars"),
        ("avril", "avr"),
        ("mai", "mai"),
        ("juin", "juin"),
        ("juillet", "juil"),
        ("aout", "aout"),
        ("septembre", "sept"),
        ("octobre", "oct"),
        ("novembre", "nov"),
        ("decembre", "dec"),
    ],
    [
        ("januar", "jan"),
        ("februar", "feb"),
        ("marz", "mar"),
        ("april", "apr"),
        ("mai", "mai"),
        ("juni", "jun"),
        ("juli", "jul"),
        ("august", "aug"),
        ("september", "sep"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("dezember", "dez"),
    ],
];

fn month_from_name(word: &str) -> Option<(u32, NameStyle)> {
    let folded = deunicode::deunicode(word).to_lowercase();
    let case = if word.chars().all(|c| !c.is_lowercase()) {
        Case::Upper
    } else if word.chars().all(|c| !c.is_uppercase()) {
        Case::Lower
    } else {
        Case::Title
    };
    for (language, names) in MONTHS.iter().enumerate() {
        for (index, (full, abbr)) in names.iter().enumerate() {
            let abbreviated = folded == *abbr && folded != *full;
            if folded == *full || folded == *abbr {
                let style = NameStyle {
                    language,
                    abbreviated,
                    case,
                };
                return Some((index as u32 + 1, style));
            }
        }
    }
    None
}

/// Parse a label date: day first (`16-03-18`, `29/10/2017`, `30 DEC 17`, `05-AUG-2017`),
/// year first when it has four digits (`2016/05/01`), month first only when the first number
/// cannot be a month (`12/28/2017`).
pub fn parse_label_date(text: &str) -> Option<(NaiveDate, DateStyle)> {
    let (tokens, separators) = split_date_tokens(text.trim())?;
    let named = tokens
        .iter()
        .position(|t| t.chars().all(char::is_alphabetic));
    let numbers: Vec<Option<u32>> = tokens.iter().map(|t| t.parse().ok()).collect();
    let order = field_order(&tokens, named, &numbers)?;
    let mut day = 0;
    let mut month = 0;
    let mut year = 0;
    let mut fields = [FieldStyle::Day(false); 3];
    for (i, kind) in order.iter().enumerate() {
        let token = &tokens[i];
        fields[i] = match kind {
            'd' => {
                day = numbers[i]?;
                FieldStyle::Day(token.len() == 2)
            }
            'm' if Some(i) == named => {
                let (m, style) = month_from_name(token)?;
                month = m;
                FieldStyle::MonthName(style)
            }
            'm' => {
                month = numbers[i]?;
                FieldStyle::Month(token.len() == 2)
            }
            _ => {
                let value = numbers[i]? as i32;
                year = if token.len() == 2 {
                    2000 + value
                } else {
                    value
                };
                FieldStyle::Year(if token.len() == 2 { 2 } else { 4 })
            }
        };
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some((date, DateStyle { fields, separators }))
}

/// Three alphanumeric tokens and the four texts around them.
fn split_date_tokens(text: &str) -> Option<([String; 3], [String; 4])> {
    let mut tokens: Vec<String> = Vec::new();
    let mut separators: Vec<String> = vec![String::new()];
    for c in text.chars() {
        let continues = tokens.len() == separators.len()
            && tokens
                .last()
                .and_then(|t| t.chars().last())
                .is_some_and(|last| last.is_alphabetic() == c.is_alphabetic());
        if c.is_alphanumeric() {
            if continues {
                tokens.last_mut()?.push(c);
            } else {
                if tokens.len() == separators.len() {
                    separators.push(String::new());
                }
                tokens.push(c.to_string());
            }
        } else {
            if tokens.len() == separators.len() {
                separators.push(String::new());
            }
            separators.last_mut()?.push(c);
        }
    }
    if tokens.len() == separators.len() {
        separators.push(String::new());
    }
    let tokens: [String; 3] = tokens.try_into().ok()?;
    let separators: [String; 4] = separators.try_into().ok()?;
    Some((tokens, separators))
}

fn field_order(
    tokens: &[String; 3],
    named: Option<usize>,
    numbers: &[Option<u32>],
) -> Option<[char; 3]> {
    if let Some(n) = named {
        return match n {
            1 => Some(['d', 'm', 'y']),
            0 => Some(['m', 'd', 'y']),
            _ => None,
        };
    }
    if tokens[0].len() == 4 {
        return Some(['y', 'm', 'd']);
    }
    let (first, second) = (numbers[0]?, numbers[1]?);
    if first > 12 && second <= 12 {
        return Some(['d', 'm', 'y']);
    }
    if second > 12 && first <= 12 {
        return Some(['m', 'd', 'y']);
    }
    Some(['d', 'm', 'y'])
}

impl DateStyle {
    /// `date` printed the way the label prints its dates.
    pub fn render(&self, date: NaiveDate) -> String {
        let mut out = self.separators[0].clone();
        for (i, field) in self.fields.iter().enumerate() {
            out.push_str(&render_field(*field, date));
            out.push_str(&self.separators[i + 1]);
        }
        out
    }
}

fn render_field(field: FieldStyle, date: NaiveDate) -> String {
    let padded = |value: u32, pad: bool| {
        if pad {
            format!("{value:02}")
        } else {
            value.to_string()
        }
    };
    match field {
        FieldStyle::Day(pad) => padded(date.day(), pad),
        FieldStyle::Month(pad) => padded(date.month(), pad),
        FieldStyle::Year(2) => format!("{:02}", date.year().rem_euclid(100)),
        FieldStyle::Year(_) => date.year().to_string(),
        FieldStyle::MonthName(style) => {
            let (full, abbr) = MONTHS[style.language][date.month0() as usize];
            let name = if style.abbreviated { abbr } else { full };
            match style.case {
                Case::Upper => name.to_uppercase(),
                Case::Lower => name.to_string(),
                Case::Title => {
                    let mut chars = name.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect())
                        .unwrap_or_default()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn folds_case_spacing_and_punctuation() {
        assert_eq!(
            fold_text("MR. D. I. Y. (KUCHAI) SDN BHD"),
            fold_text("Mr. D.I.Y.(Kuchai) Sdn Bhd")
        );
        assert_eq!(fold_text("Café  É"), "CAFEE");
    }

    #[test]
    fn label_amounts_ignore_currency_and_grouping() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(parse_label_amount("RM 9.00"), Some(d("9.00")));
        assert_eq!(parse_label_amount("RM21.85"), Some(d("21.85")));
        assert_eq!(parse_label_amount("7,838.80"), Some(d("7838.80")));
        assert_eq!(parse_label_amount("1.234,5 €"), Some(d("1234.5")));
        assert_eq!(parse_label_amount("12"), Some(d("12")));
        assert_eq!(parse_label_amount("-3,10"), Some(d("-3.10")));
        assert_eq!(parse_label_amount("RM"), None);
        assert_eq!(canonical_amount(d("9")), "9.00");
    }

    #[test]
    fn label_dates_parse_day_first_and_print_back_identically() {
        for (label, date) in [
            ("16-03-18", ymd(2018, 3, 16)),
            ("29/10/2017", ymd(2017, 10, 29)),
            ("11/5/2018", ymd(2018, 5, 11)),
            ("30 DEC 17", ymd(2017, 12, 30)),
            ("05-AUG-2017", ymd(2017, 8, 5)),
            ("25/FEB/2017", ymd(2017, 2, 25)),
            ("10 Jun 2018", ymd(2018, 6, 10)),
            ("2016/05/01", ymd(2016, 5, 1)),
            ("12/28/2017", ymd(2017, 12, 28)),
            ("2024-03-12", ymd(2024, 3, 12)),
            ("12 mars 2024", ymd(2024, 3, 12)),
        ] {
            let (parsed, style) = parse_label_date(label).unwrap_or_else(|| panic!("{label}"));
            assert_eq!(parsed, date, "{label}");
            assert_eq!(style.render(date), label);
        }
        let (_, style) = parse_label_date("16-03-18").unwrap();
        assert_eq!(style.render(ymd(2018, 3, 6)), "06-03-18");
        assert_eq!(parse_label_date("31/02/2018"), None);
        assert_eq!(parse_label_date("not a date"), None);
        assert_eq!(parse_label_date(""), None);
    }

    #[test]
    fn label_times() {
        assert_eq!(parse_label_time("14:32:10"), Some((14, 32)));
        assert_eq!(parse_label_time("9:05"), Some((9, 5)));
        assert_eq!(parse_label_time("25:00"), None);
    }
}
