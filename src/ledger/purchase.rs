//! The purchase key: what makes two different photos the same purchase.
//!
//! A till prints one receipt per purchase, identified by shop, date, time, total and ticket
//! number. Two photos of it give different bytes and slightly different OCR, so each field is
//! folded to a canonical form first: the merchant without accents, case, punctuation or legal
//! suffixes spelled differently (`MR. D.I.Y.` = `mr diy`), the total as an exact two-decimal
//! amount, the time as `HH:MM`, the ticket without separators or leading zeros. Without a date
//! and a total there is no key: "some purchase at Carrefour" must never match another one.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::extract::Receipt;

/// `merchant|date|time|total|ticket`, each folded; `None` when the receipt does not identify a
/// purchase (no date, no total, or neither a merchant nor a ticket number).
pub fn purchase_key(receipt: &Receipt) -> Option<String> {
    let date = receipt.date?;
    let total = receipt.total?;
    let merchant = receipt.merchant.as_deref().map(fold_merchant);
    let ticket = receipt.ticket.as_deref().map(fold_ticket);
    let merchant = merchant.filter(|m| !m.is_empty());
    let ticket = ticket.filter(|t| !t.is_empty());
    if merchant.is_none() && ticket.is_none() {
        return None;
    }
    Some(format!(
        "{}|{}|{}|{}|{}",
        merchant.unwrap_or_default(),
        fold_date(date),
        receipt
            .time
            .as_deref()
            .and_then(fold_time)
            .unwrap_or_default(),
        fold_total(total),
        ticket.unwrap_or_default(),
    ))
}

/// Lowercase ASCII letters and digits only, spaces collapsed: `Mr. D.I.Y. (Kuchai) Sdn Bhd` →
/// `mr diy kuchai sdn bhd`. Dots and hyphens inside abbreviations are dropped rather than turned
/// into spaces so `D.I.Y.` and `D. I. Y.` fold alike.
pub fn fold_merchant(merchant: &str) -> String {
    let ascii = deunicode::deunicode(merchant).to_lowercase();
    let mut folded = String::with_capacity(ascii.len());
    let mut pending_space = false;
    let mut previous_single_letter = false;
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-') {
        let word: String = word.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if word.is_empty() {
            continue;
        }
        let single_letter = word.len() == 1 && word.chars().all(|c| c.is_ascii_alphabetic());
        // `D. I. Y.`: consecutive single letters are one abbreviation.
        if pending_space && !(single_letter && previous_single_letter) {
            folded.push(' ');
        }
        folded.push_str(&word);
        pending_space = true;
        previous_single_letter = single_letter;
    }
    folded
}

fn fold_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `9:05`, `09.05`, `09:05:33` → `09:05`; anything else is dropped from the key.
fn fold_time(time: &str) -> Option<String> {
    let mut parts = time
        .trim()
        .split([':', '.', 'h', 'H'])
        .map(|p| p.trim().parse::<u32>().ok());
    let hours = parts.next()??;
    let minutes = parts.next()??;
    (hours < 24 && minutes < 60).then(|| format!("{hours:02}:{minutes:02}"))
}

/// Two decimals, always: `23.2`, `23.20` and `23.200` are one total.
fn fold_total(total: Decimal) -> String {
    let mut rounded = total.round_dp(2);
    rounded.rescale(2);
    rounded.to_string()
}

/// The number part, uppercase, leading zeros dropped: `Ticket N° 000-4711` → `4711`. Labels
/// before the first digit are not part of the number (the extractor may or may not keep them);
/// a ticket without digits is kept whole.
pub fn fold_ticket(ticket: &str) -> String {
    let ascii = deunicode::deunicode(ticket).to_uppercase();
    let kept: String = ascii
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let Some(first_digit) = kept.find(|c: char| c.is_ascii_digit()) else {
        return kept;
    };
    let number = kept[first_digit..].trim_start_matches('0');
    if number.is_empty() {
        "0".to_string()
    } else {
        number.to_string()
    }
}

/// The fields two readings of a purchase are compared on, each folded as in the key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub merchant: Option<String>,
    pub date: Option<NaiveDate>,
    pub time: Option<String>,
    /// Two decimals (`26.80`).
    pub total: Option<String>,
    pub ticket: Option<String>,
}

impl Identity {
    /// The folded fields of whatever was read (raw merchant, time as printed, exact total).
    pub fn new(
        merchant: Option<&str>,
        date: Option<NaiveDate>,
        time: Option<&str>,
        total: Option<Decimal>,
        ticket: Option<&str>,
    ) -> Identity {
        Identity {
            merchant: merchant.map(fold_merchant).filter(|m| !m.is_empty()),
            date,
            time: time.and_then(fold_time),
            total: total.map(fold_total),
            ticket: ticket.map(fold_ticket).filter(|t| !t.is_empty()),
        }
    }
}

/// Shortest ticket number (folded) trusted to identify a purchase. Many tills number tickets
/// from 1 every day, so `0042` is printed in every shop of a chain that morning; a till or
/// transaction number with its store or register part (`3180042`, `7930F713`) is printed once.
const MIN_TICKET_CHARS: usize = 6;

/// Smallest similarity (normalised Levenshtein, 0–1) of two folded merchant names still read
/// as one shop misread: `mr diy kuchai sdn bhd` against `mr dly kuchal sdn bho` is 0.86, two
/// shops' names (`aeon co m bhd`, `mr diy`) are below 0.3.
const MERCHANT_SIMILAR: f64 = 0.6;

/// Whether two readings are one purchase although not every field was read alike: the kinds
/// of OCR slip a second photo brings (one digit of the total, a letter of the shop's name),
/// never a different day. They must have the same ticket number (at least
/// [`MIN_TICKET_CHARS`] characters), the same date, compatible shops (similar names, or one
/// side unread), and the same minute or totals within one misread digit.
///
/// The same minute and close totals without a ticket are not enough: a chain's shops serve
/// many customers a minute, and two totals one digit apart are common among them.
pub fn same_purchase(a: &Identity, b: &Identity) -> bool {
    let (Some(date_a), Some(date_b)) = (a.date, b.date) else {
        return false;
    };
    if date_a != date_b || !merchants_compatible(a, b) || !same_ticket(a, b) {
        return false;
    }
    same_minute(a, b) || totals_close(a, b)
}

/// Whether the fields two close images were read with agree on something that tells
/// purchases of one shop apart: the ticket number or the total. Nothing read may contradict
/// it: a different date, a time or ticket number more than one misread character away.
///
/// The same minute with a total one digit away is not enough: receipts of one shop look alike
/// to the print, and two customers of a busy shop pay 10.00 and 30.00 in the same minute
/// (measured: dropping it cost 0.1 point of recall, `scripts/near-dup-eval`).
pub fn fields_agree(a: &Identity, b: &Identity) -> bool {
    if contradict(a, b) {
        return false;
    }
    same_ticket(a, b) || same_total(a, b)
}

/// Whether what both readings have says they are two purchases: another date, a time more
/// than one misread character away, or ticket numbers more than one edit apart. Even a
/// near-identical image does not outweigh that: receipts of one shop, printed on one till,
/// photographed alike, hash within 2 bits of each other (measured on SROIE, docs/ledger.md).
///
/// One kind of reading slip is not a contradiction: times twelve hours apart to the minute
/// (`05:42` / `17:42`), a 12-hour clock whose `PM` one reading missed (measured with
/// `scripts/near-dup-eval`). A date one character away is: with the same total and minute it
/// took a regular's purchase of the next day for a misread copy (`tests/integration/fraud.rs`
/// receipts a day apart), and refusing an honest receipt costs more than paying a copy once
/// more, which can be revoked.
pub fn contradict(a: &Identity, b: &Identity) -> bool {
    let dates = matches!((a.date, b.date), (Some(x), Some(y)) if x != y);
    let times = matches!((&a.time, &b.time), (Some(x), Some(y)) if !times_compatible(x, y));
    let tickets = matches!((&a.ticket, &b.ticket),
        (Some(x), Some(y)) if strsim::levenshtein(x, y) > 1);
    dates || times || tickets
}

/// Folded times one misread character apart, or the same minute twelve hours apart.
fn times_compatible(a: &str, b: &str) -> bool {
    if strsim::hamming(a, b).is_ok_and(|d| d <= 1) {
        return true;
    }
    let minutes = |t: &str| {
        let (h, m) = t.split_once(':')?;
        Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
    };
    matches!((minutes(a), minutes(b)), (Some(x), Some(y)) if x.abs_diff(y) == 12 * 60)
}

fn same_total(a: &Identity, b: &Identity) -> bool {
    matches!((&a.total, &b.total), (Some(x), Some(y)) if x == y)
}

fn same_ticket(a: &Identity, b: &Identity) -> bool {
    matches!((&a.ticket, &b.ticket), (Some(x), Some(y)) if x == y && x.len() >= MIN_TICKET_CHARS)
}

fn same_minute(a: &Identity, b: &Identity) -> bool {
    matches!((&a.time, &b.time), (Some(x), Some(y)) if x == y)
}

fn merchants_compatible(a: &Identity, b: &Identity) -> bool {
    match (&a.merchant, &b.merchant) {
        (Some(x), Some(y)) => strsim::normalized_levenshtein(x, y) >= MERCHANT_SIMILAR,
        _ => true,
    }
}

/// Totals both read and equal, or written with the same number of characters and differing in
/// one digit: the slip of a second reading (`26.40` for `26.80`), not a decimal point moved.
fn totals_close(a: &Identity, b: &Identity) -> bool {
    let (Some(x), Some(y)) = (&a.total, &b.total) else {
        return false;
    };
    x.len() == y.len() && x.chars().zip(y.chars()).filter(|(p, q)| p != q).count() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn receipt(merchant: &str, date: &str, time: &str, total: &str, ticket: &str) -> Receipt {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Receipt {
            merchant: some(merchant),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
            time: some(time),
            total: Decimal::from_str(total).ok(),
            ticket: some(ticket),
            ..Receipt::default()
        }
    }

    #[test]
    fn two_readings_of_one_receipt_share_a_key() {
        let first = receipt(
            "MR. D.I.Y. (KUCHAI) SDN BHD",
            "2018-03-16",
            "18:43",
            "53.3",
            "",
        );
        let second = receipt(
            "Mr. D. I. Y. (Kuchai) Sdn. Bhd.",
            "2018-03-16",
            "18:43",
            "53.30",
            "",
        );
        assert_eq!(purchase_key(&first), purchase_key(&second));
        assert_eq!(
            purchase_key(&first).unwrap(),
            "mr diy kuchai sdn bhd|2018-03-16|18:43|53.30|"
        );
    }

    #[test]
    fn accents_case_and_ticket_formatting_fold() {
        let a = receipt(
            "Café de la Gare",
            "2024-03-02",
            "9:05",
            "12",
            "Ticket N° 000-4711",
        );
        let b = receipt("CAFE DE LA GARE", "2024-03-02", "09.05", "12.00", "4711");
        assert_eq!(purchase_key(&a), purchase_key(&b));
        assert_eq!(
            purchase_key(&a).unwrap(),
            "cafe de la gare|2024-03-02|09:05|12.00|4711"
        );
    }

    #[test]
    fn different_purchases_at_one_shop_differ() {
        let base = receipt("Carrefour", "2024-03-02", "10:00", "20.00", "");
        for other in [
            receipt("Carrefour", "2024-03-03", "10:00", "20.00", ""),
            receipt("Carrefour", "2024-03-02", "10:01", "20.00", ""),
            receipt("Carrefour", "2024-03-02", "10:00", "20.01", ""),
            receipt("Carrefour", "2024-03-02", "10:00", "20.00", "17"),
        ] {
            assert_ne!(purchase_key(&base), purchase_key(&other), "{other:?}");
        }
    }

    #[test]
    fn no_key_without_date_total_or_identity() {
        assert_eq!(purchase_key(&receipt("Carrefour", "", "", "20", "")), None);
        assert_eq!(
            purchase_key(&receipt("Carrefour", "2024-03-02", "", "", "")),
            None
        );
        assert_eq!(purchase_key(&receipt("", "2024-03-02", "", "20", "")), None);
        assert_eq!(
            purchase_key(&receipt("!!", "2024-03-02", "", "20", "")),
            None
        );
        assert!(purchase_key(&receipt("", "2024-03-02", "", "20", "0042")).is_some());
    }

    #[test]
    fn odd_times_are_left_out_not_guessed() {
        let key = purchase_key(&receipt("Shop", "2024-03-02", "25:99", "1", "")).unwrap();
        assert_eq!(key, "shop|2024-03-02||1.00|");
        assert_eq!(fold_time("18h43"), Some("18:43".into()));
        assert_eq!(fold_time("18:43:59"), Some("18:43".into()));
        assert_eq!(fold_time("soon"), None);
    }

    fn identity(merchant: &str, date: &str, time: &str, total: &str, ticket: &str) -> Identity {
        let r = receipt(merchant, date, time, total, ticket);
        Identity::new(
            r.merchant.as_deref(),
            r.date,
            r.time.as_deref(),
            r.total,
            r.ticket.as_deref(),
        )
    }

    /// Regression: a 500-receipt run paid one receipt twice because the second photo's shop
    /// and total were misread (26.40 for 26.80), so the exact purchase key differed.
    #[test]
    fn one_ticket_read_twice_with_a_misread_total_and_shop_is_one_purchase() {
        let first = identity("FRESCO MARKET", "2024-03-14", "", "26.80", "7930F713");
        let second = identity("FRESC0 MARKEI", "2024-03-14", "", "26.40", "7930F713");
        assert!(same_purchase(&first, &second));
        // Ticket numbers restart every day: another day is another purchase.
        let next_day = identity("FRESCO MARKET", "2024-03-15", "", "26.80", "7930F713");
        assert!(!same_purchase(&first, &next_day));
        // Another shop with the same ticket number, date and total is another purchase.
        let elsewhere = identity("BRICO DEPOT", "2024-03-14", "", "26.80", "7930F713");
        assert!(!same_purchase(&first, &elsewhere));
        // A short ticket number is printed in every shop of a chain each day.
        let a = identity("FRESCO MARKET", "2024-03-14", "", "26.80", "0042");
        let b = identity("FRESCO MARKET", "2024-03-14", "", "26.40", "0042");
        assert!(!same_purchase(&a, &b));
    }

    /// Regression (`run::per_member_cap_and_budget_hold_across_batches`): two customers of one
    /// shop in the same minute, totals one digit apart, no ticket read: two purchases.
    #[test]
    fn one_till_minute_and_a_close_total_without_a_ticket_are_two_purchases() {
        let first = identity("FRESCO MARKET", "2024-03-04", "14:32", "12.00", "");
        let second = identity("FRESCO MARKET", "2024-03-04", "14:32", "13.00", "");
        assert!(!same_purchase(&first, &second));
        // With the same long ticket number, one purchase.
        let with = |i: &Identity| Identity {
            ticket: Some("3180042".into()),
            ..i.clone()
        };
        assert!(same_purchase(&with(&first), &with(&second)));
        // Another minute and a total two digits away: another purchase, ticket or not.
        let other = identity("FRESCO MARKET", "2024-03-04", "14:35", "21.60", "");
        assert!(!same_purchase(&with(&first), &with(&other)));
    }

    #[test]
    fn close_images_need_one_agreeing_field_and_no_contradiction() {
        let base = identity("Shop", "2024-03-02", "10:04", "20.50", "7930F713");
        let agree = [
            identity("", "", "", "20.50", ""),
            identity("", "", "", "", "7930F713"),
        ];
        for other in agree {
            assert!(fields_agree(&base, &other), "{other:?}");
        }
        let contradict = [
            identity("", "2024-03-03", "", "20.50", ""),
            identity("", "", "11:34", "20.50", ""),
            identity("", "", "", "20.50", "9999"),
            // Nothing agrees: the date alone is every receipt of that day; a close total is
            // another customer's, even in the same minute; the moment alone too.
            identity("", "2024-03-02", "", "", ""),
            identity("", "", "", "31.70", ""),
            identity("", "2024-03-02", "", "20.80", ""),
            identity("", "2024-03-02", "10:04", "20.80", ""),
            identity("", "2024-03-02", "10:04", "", ""),
        ];
        for other in contradict {
            assert!(!fields_agree(&base, &other), "{other:?}");
        }
    }

    /// Measured on `scripts/near-dup-eval`: a copy read `05:42` where its original read
    /// `17:42` (a `PM` missed), with the print within 2 bits, was taken for another purchase.
    #[test]
    fn a_lost_pm_is_no_contradiction_another_day_is() {
        let base = identity("Shop", "2018-03-08", "17:42", "20.50", "");
        for slip in [
            identity("Shop", "2018-03-08", "05:42", "20.50", ""),
            identity("Shop", "2018-03-08", "17:43", "20.50", ""),
        ] {
            assert!(!contradict(&base, &slip), "{slip:?}");
            assert!(fields_agree(&base, &slip), "{slip:?}");
        }
        for other in [
            // Eleven hours apart, or twelve hours and a minute: another time.
            identity("Shop", "2018-03-08", "06:42", "20.50", ""),
            identity("Shop", "2018-03-08", "05:41", "20.50", ""),
            // A date one character away, even with the same total and minute: a regular's
            // purchase of another day.
            identity("Shop", "2018-03-18", "17:42", "20.50", ""),
        ] {
            assert!(contradict(&base, &other), "{other:?}");
        }
    }

    #[test]
    fn ticket_of_zeros_stays_a_ticket() {
        assert_eq!(fold_ticket("000"), "0");
        assert_eq!(fold_ticket("inv 0012"), "12");
        assert_eq!(fold_ticket("4711-B"), "4711B");
        assert_eq!(fold_ticket("ABC"), "ABC");
    }
}
