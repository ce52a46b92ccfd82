//! Identifiers and payment: the ticket or receipt number, how the customer paid, and the
//! seller's tax and company ids (SIRET, VAT, USt-IdNr, Steuernummer, GST, company number).
//!
//! The ticket number is what a reviewer types to find a receipt and what duplicate detection
//! keys on; tax ids tell which legal entity sold, whatever the brand on top says.

use std::sync::LazyLock;

use regex::Regex;

use super::classify::{words, Role, RowInfo};
use super::locale::{Locale, Pack};
use super::text::{find_keyword, fold};

static TICKET_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\s.:#]*([A-Z0-9][A-Z0-9\-/_]*\d[A-Z0-9\-/_]*)").unwrap());

/// The receipt's number, as printed after its label: the receipt's own locale's labels first
/// (most specific first), then the other packs'.
pub fn read_ticket(rows: &[RowInfo], locale: Locale) -> Option<String> {
    for label in words(locale, |p| p.ticket_label) {
        for row in rows {
            let Some(position) = find_keyword(&row.tokens, label) else {
                continue;
            };
            let folded = fold(row.text());
            let Some(after) = text_after_tokens(&folded, position + label.split(' ').count())
            else {
                continue;
            };
            if let Some(caps) = TICKET_VALUE.captures(after) {
                let value = caps[1].trim_end_matches(['-', '/']).to_string();
                let digits = value.chars().filter(|c| c.is_ascii_digit()).count();
                if digits >= 3 && !looks_like_date(&value) {
                    return Some(value);
                }
            }
        }
    }
    None
}

fn looks_like_date(value: &str) -> bool {
    super::date::parse_date(value).is_some()
}

/// The folded text after its first `count` alphanumeric tokens.
fn text_after_tokens(folded: &str, count: usize) -> Option<&str> {
    let mut seen = 0;
    let mut in_token = false;
    for (i, c) in folded.char_indices() {
        let alnum = c.is_ascii_alphanumeric();
        if in_token && !alnum {
            seen += 1;
            if seen == count {
                return Some(&folded[i..]);
            }
        }
        in_token = alnum;
    }
    None
}

/// Payment words of every pack with the method each names: card brands first, so a brand
/// beats a generic card word on the same row, then card, cash and cheque words.
static PAYMENT_METHODS: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| {
    let mut methods = Pack::every_locale().payment_method.to_vec();
    let generic = ["CARD", "CASH", "CHEQUE"];
    methods.sort_by_key(|(_, method)| {
        generic
            .iter()
            .position(|g| g == method)
            .map_or(0, |p| p + 1)
    });
    methods
});

/// How the customer paid: the method named on the payment rows (a card brand beats a generic
/// card word), or after a payment label.
pub fn read_payment(rows: &[RowInfo]) -> Option<String> {
    let mut found: Option<&str> = None;
    for row in rows {
        let labelled = Pack::every_locale()
            .payment_label
            .iter()
            .any(|l| find_keyword(&row.tokens, l).is_some());
        if !(row.role.is_tender() || labelled) {
            continue;
        }
        let method = PAYMENT_METHODS
            .iter()
            .find(|(word, _)| find_keyword(&row.tokens, word).is_some())
            .map(|(_, method)| *method);
        match (found, method) {
            (None, Some(m)) => found = Some(m),
            (Some("CARD" | "CASH"), Some(m))
                if !matches!(m, "CARD" | "CASH") && row.role == Role::Card =>
            {
                found = Some(m)
            }
            _ => {}
        }
    }
    found.map(str::to_string)
}

static SIRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"SIRE[TN]\s*(?:NO?|N)?\s*[:.]?\s*((?:\d\s?){9}(?:(?:\d\s?){5})?)").unwrap()
});
static EU_VAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(FR\s?[0-9A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}|DE\s?\d{3}\s?\d{3}\s?\d{3}|GB\s?\d{3}\s?\d{4}\s?\d{2}(?:\d{3})?)\b").unwrap()
});
static STEUERNUMMER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:ST\.?\s?-?\s?NR|STEUERNR|STEUERNUMMER)\.?\s*:?\s*(\d{2,3}/\d{3}/\d{4,5})")
        .unwrap()
});
static GST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:GST|SST)\s*(?:ID|REG(?:ISTRATION)?|NO)?\.?\s*(?:NO|ID)?\.?\s*[:;#]?\s*(\d[\d ]{9,15}\d)").unwrap()
});
static COMPANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:CO\.?\s?-?\s?REG|COMPANY\s?(?:NO|REG)|CO\.?\s?NO|BRN|REG\.?\s?NO)\.?\s*[:.]?\s*(\d{4,10}\s?-?\s?[A-Z])\b").unwrap()
});

/// Tax and company ids as `KIND value`: `SIRET 12345678900012`, `VAT FR12345678901`,
/// `STNR 12/345/67890`, `GST 000473792512`, `REG 750441-W`.
pub fn read_tax_ids(rows: &[RowInfo]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut push = |id: String| {
        if !ids.contains(&id) {
            ids.push(id);
        }
    };
    for row in rows {
        let folded = fold(row.text());
        let digits_only = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        for caps in SIRET.captures_iter(&folded) {
            let value = digits_only(&caps[1]);
            let kind = if value.len() == 14 { "SIRET" } else { "SIREN" };
            push(format!("{kind} {value}"));
        }
        let has_vat_label = Pack::every_locale()
            .vat_id_label
            .iter()
            .any(|w| find_keyword(&row.tokens, w).is_some());
        if has_vat_label {
            for caps in EU_VAT.captures_iter(&folded) {
                push(format!("VAT {}", digits_only(&caps[1])));
            }
        }
        if let Some(caps) = STEUERNUMMER.captures(&folded) {
            push(format!("STNR {}", &caps[1]));
        }
        if let Some(caps) = GST.captures(&folded) {
            let value = digits_only(&caps[1]);
            if (10..=15).contains(&value.len()) {
                push(format!("GST {value}"));
            }
        }
        if let Some(caps) = COMPANY.captures(&folded) {
            push(format!("REG {}", digits_only(&caps[1])));
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::locale::Locale;
    use crate::extract::rows::build_rows;
    use crate::extract::test_lines;

    fn rows(text: &str, locale: Locale) -> Vec<RowInfo> {
        classify(build_rows(&test_lines(text)), locale)
    }

    #[test]
    fn ticket_numbers() {
        let cases = [
            ("Ticket N° 004512  Caisse 3", Locale::Fr, Some("004512")),
            ("Bon-Nr. 7731 Datum 12.03.2024", Locale::De, Some("7731")),
            (
                "Receipt No.: CS1802/27714 Date: 12/02/2018",
                Locale::En,
                Some("CS1802/27714"),
            ),
            ("INV No.: 153887 Pax(s): 2", Locale::En, Some("153887")),
            ("THANK YOU", Locale::En, None),
        ];
        for (text, locale, ticket) in cases {
            let read = read_ticket(&rows(text, locale), locale);
            assert_eq!(read.as_deref(), ticket, "{text}");
        }
    }

    #[test]
    fn payment_methods() {
        let cases = [
            ("TOTAL 12,50\nCB 12,50", Locale::Fr, Some("CARD")),
            (
                "TOTAL 12,50\nESPECES 20,00\nRENDU 7,50",
                Locale::Fr,
                Some("CASH"),
            ),
            ("SUMME 3,27\nGEGEBEN BAR 5,00", Locale::De, Some("CASH")),
            ("TOTAL 86.00\nVisa RM 86.00", Locale::En, Some("VISA")),
            ("Payment Type: Cash", Locale::En, Some("CASH")),
            ("STRICTLY NO CASH REFUND.", Locale::En, None),
        ];
        for (text, locale, payment) in cases {
            assert_eq!(
                read_payment(&rows(text, locale)).as_deref(),
                payment,
                "{text}"
            );
        }
    }

    #[test]
    fn tax_ids() {
        let ids = read_tax_ids(&rows(
            "SIRET 123 456 789 00012\nN° TVA intracom FR 12 345678901\nSt.-Nr. 12/345/67890\n\
             (GST ID No :000473792512)\n(CO Reg : 750441-W)",
            Locale::Fr,
        ));
        assert_eq!(
            ids,
            vec![
                "SIRET 12345678900012",
                "VAT FR12345678901",
                "STNR 12/345/67890",
                "GST 000473792512",
                "REG 750441-W"
            ]
        );
    }
}
