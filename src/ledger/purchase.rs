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

    #[test]
    fn ticket_of_zeros_stays_a_ticket() {
        assert_eq!(fold_ticket("000"), "0");
        assert_eq!(fold_ticket("inv 0012"), "12");
        assert_eq!(fold_ticket("4711-B"), "4711B");
        assert_eq!(fold_ticket("ABC"), "ABC");
    }
}
