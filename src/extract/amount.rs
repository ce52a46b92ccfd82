//! Amounts as printed and as OCR reads them: `12,50`, `1.234,56 €`, `RM 9.90`, `£3.20`,
//! `7,838.80`, `-0,80`, `1.84-` (trailing minus), `RMO.02` (O read for 0), `27. 00` (a space
//! inside the number).
//!
//! A money amount has two decimals after `.` or `,`; the other separator (or `'`) may group
//! thousands. Letters OCR confuses with digits (O o → 0, I l | → 1, S → 5, B → 8) are repaired
//! only inside a number that already has a real digit, and the repair is flagged so the caller
//! can lower its confidence. A space read inside a number is tolerated around a decimal point
//! and before a comma (`27. 00`, `99 ,80`), after a comma only when a currency sign closes the
//! number (`1, 20€`): `17, 18` is a list. What is rejected matters as much: dates (`12.03.2024`), weights
//! (`0,186`), percentages (`5,5 %`) and long codes are not amounts.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

/// One amount found in a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    pub value: Decimal,
    /// Byte range in the searched text, currency and sign included.
    pub start: usize,
    pub end: usize,
    /// ISO code when a symbol or code is attached (`€`, `EUR`, `RM`, `£`), or [`DOLLAR`]
    /// for a bare `$`.
    pub currency: Option<&'static str>,
    /// Letters read as digits, or a space inside the number.
    pub repaired: bool,
    /// Only one decimal was printed or read (`174.9`): a weaker reading.
    pub short: bool,
}

/// A bare `$`: a dollar of no named country. US, Canadian, Singapore and Australian tills print
/// it, and Malaysian tills print it for the ringgit, so the receipt's currency is decided from
/// the country the receipt shows (`extract::read_currency`), never from the sign alone.
pub const DOLLAR: &str = "$";

/// Currency markers that may precede or follow a number, longest first.
const CURRENCY_MARKERS: [(&str, &str); 11] = [
    ("EUR", "EUR"),
    ("MYR", "MYR"),
    ("GBP", "GBP"),
    ("USD", "USD"),
    ("CHF", "CHF"),
    ("RM", "MYR"),
    // OCR's usual readings of RM on thermal print.
    ("RH", "MYR"),
    ("RN", "MYR"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("$", DOLLAR),
];

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<cur>EUR|MYR|GBP|USD|CHF|RM|RH|RN|€|£|\$)?\ ?
        (?P<neg>-)?
        (?P<int>
            [0-9]{1,3}(?:[\x20\u{A0}\u{202F}][0-9]{3})+
          | [0-9OoIlSB|]{1,3}(?:[.,'][0-9OoIlSB]{3})+
          | [0-9OoIlSB|]{1,9}
        )
        (?P<sep>\ ?\.\ ?|\ ?,\ ?|\ )
        (?P<dec>[0-9Oo]{1,2}|--?|–)
        (?P<trail>-)?",
    )
    .unwrap()
});

/// Every amount in `text`, left to right.
pub fn find_amounts(text: &str) -> Vec<Amount> {
    let mut found = Vec::new();
    let mut search_from = 0;
    while search_from < text.len() {
        let Some(caps) = NUMBER.captures_at(text, search_from) else {
            break;
        };
        let whole = caps.get(0).expect("group 0 always matches");
        match read_match(text, &caps) {
            // Amounts never overlap: a dash ending whole units (`10.--`) is not also the sign
            // of the next number (`10.---8,06` read `10.--` and `-8,06`, and a row's text
            // between them was sliced backwards: a panic the fuzzer found).
            Some(amount) if found.last().is_some_and(|p: &Amount| amount.start < p.end) => {
                search_from = next_char_boundary(text, whole.start());
            }
            Some(amount) => {
                search_from = amount.end.max(search_from + 1);
                found.push(amount);
            }
            None => {
                // Retry one character later: a rejected reading (`No. 12`) must not hide a
                // real amount that starts inside it.
                search_from = next_char_boundary(text, whole.start());
            }
        }
    }
    found
}

fn next_char_boundary(text: &str, index: usize) -> usize {
    let mut next = index + 1;
    while next < text.len() && !text.is_char_boundary(next) {
        next += 1;
    }
    next
}

fn read_match(text: &str, caps: &regex::Captures<'_>) -> Option<Amount> {
    let whole = caps.get(0)?;
    let int = caps.name("int")?;
    let sep = caps.name("sep")?;
    let dec = caps.name("dec")?;
    let currency_prefix = caps.name("cur");
    let number_start = caps.name("neg").map_or(int.start(), |n| n.start());
    let start = currency_prefix.map_or(number_start, |c| c.start());
    if !starts_a_token(text, start) {
        return None;
    }
    let sep_text = sep.as_str();
    let spaced = sep_text.contains(' ');
    let decimal_sep = sep_text.trim();
    // Whole units written with a dash for the cents (`5,-`, `12,--`, `20.–`), as German,
    // Austrian and Swiss tills print round prices: only right after a comma or a point.
    let whole_units = dec.as_str().starts_with(['-', '–']);
    if whole_units && (spaced || decimal_sep.is_empty()) {
        return None;
    }
    // A space after a decimal comma makes a list (`17, 18`) unless a currency sign closes the
    // number on two decimals: `1, 20€` is a price whose comma OCR spaced from its cents.
    let after_comma = sep_text.ends_with(", ");
    if after_comma && (dec.as_str().len() != 2 || currency_after(&text[dec.end()..]).is_none()) {
        return None;
    }
    let dec_text = if whole_units { "00" } else { dec.as_str() };
    // A bare space stands for the separator only after a currency marker (`RH 88 17`).
    if decimal_sep.is_empty() && (currency_prefix.is_none() || dec.as_str().len() != 2) {
        return None;
    }
    // Thousands grouped by spaces (`1 367,90`) go with a decimal comma only, as French and
    // German print them; `RM 1 20.00` is a count and a price.
    if int.as_str().contains(GROUPING_SPACES) && decimal_sep != "," {
        return None;
    }
    let short = dec_text.len() == 1;
    if !ends_a_number(text, dec.end(), short) {
        return None;
    }
    if spaced && short {
        return None;
    }
    let (int_digits, int_repaired) = repair_digits(&grouping_removed(int.as_str(), decimal_sep)?);
    // No receipt prints a trillion; longer digit runs are codes, and the bound keeps every sum
    // and product of amounts far from decimal overflow.
    if int_digits.len() > 12 {
        return None;
    }
    let (dec_digits, dec_repaired) = repair_digits(dec_text);
    let real_digits = int
        .as_str()
        .bytes()
        .chain(dec_text.bytes())
        .filter(u8::is_ascii_digit)
        .count();
    if real_digits < 2
        || (int_repaired
            && int.as_str().bytes().filter(u8::is_ascii_digit).count() == 0
            && int.as_str().len() > 1)
    {
        return None;
    }
    let mut value: Decimal = format!("{int_digits}.{dec_digits:0<2}").parse().ok()?;
    value.rescale(2);
    let trailing_minus = caps
        .name("trail")
        .is_some_and(|t| !followed_by_digit(text, t.end()));
    let negative = caps.name("neg").is_some() || trailing_minus || minus_before(text, start);
    let end = if trailing_minus {
        caps.name("trail").map_or(dec.end(), |t| t.end())
    } else {
        dec.end()
    };
    let currency = currency_prefix
        .map(|c| currency_code(c.as_str()))
        .or_else(|| currency_after(&text[end..]));
    Some(Amount {
        value: if negative { -value } else { value },
        start: if minus_before(text, start) {
            start - 1
        } else {
            start
        },
        end: whole.end().min(end.max(dec.end())),
        currency,
        repaired: int_repaired || dec_repaired || spaced || decimal_sep.is_empty(),
        short,
    })
}

/// The number must not continue a word (`ITEM5.00`) or another number (`2018.12.50`); a
/// quantity sign (`3x10.49`, `@7.00`) or a currency marker may touch it.
fn starts_a_token(text: &str, start: usize) -> bool {
    let before = &text[..start];
    let mut previous = before.chars().rev();
    match previous.next() {
        None => true,
        Some(c) if c.is_ascii_digit() => false,
        Some('.' | ',') => !previous.next().is_some_and(|c| c.is_ascii_digit()),
        Some('x' | 'X' | '@' | '*') => true,
        // `RMO.02` starts at its currency marker; a glued word like `TVA5,50` is a code.
        Some(c) => !c.is_alphanumeric(),
    }
}

/// After the decimals: no further digit, no `%`, and no separator followed by a digit (which
/// would make it a date like `12.03.2024` or a three-decimal weight).
/// A one-decimal reading is only trusted at the end of the text (`NET TOTAL 174.9`).
fn ends_a_number(text: &str, end: usize, short: bool) -> bool {
    let after = &text[end..];
    if short {
        return after.chars().all(|c| !c.is_alphanumeric() && c != '%');
    }
    let mut rest = after.chars();
    match rest.next() {
        None => true,
        Some(c) if c.is_ascii_digit() => false,
        Some('%') => false,
        Some(' ') => rest.next() != Some('%'),
        Some('.' | ',' | ':' | '/') => !rest.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

fn followed_by_digit(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// `-RM 0.02`: a minus sign directly before the currency marker.
fn minus_before(text: &str, start: usize) -> bool {
    text[..start].ends_with('-') && {
        let before_minus = &text[..start - 1];
        !before_minus
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
    }
}

/// Spaces that group thousands: plain, no-break and narrow no-break (French typography).
const GROUPING_SPACES: [char; 3] = [' ', '\u{A0}', '\u{202F}'];

/// The integer part without thousands separators; None when grouping uses the decimal separator.
fn grouping_removed(int: &str, decimal_sep: &str) -> Option<String> {
    let groups: Vec<char> = int
        .chars()
        .filter(|c| matches!(c, '.' | ',' | '\''))
        .collect();
    if groups.iter().any(|g| decimal_sep.starts_with(*g)) {
        return None;
    }
    Some(
        int.chars()
            .filter(|c| !matches!(c, '.' | ',' | '\'') && !GROUPING_SPACES.contains(c))
            .collect(),
    )
}

/// Letters read in place of digits, repaired; `true` when any was.
fn repair_digits(text: &str) -> (String, bool) {
    let mut repaired = false;
    let digits = text
        .chars()
        .map(|c| {
            let digit = match c {
                'O' | 'o' => '0',
                'I' | 'l' | '|' => '1',
                'S' => '5',
                'B' => '8',
                other => other,
            };
            repaired |= digit != c;
            digit
        })
        .collect();
    (digits, repaired)
}

fn currency_code(marker: &str) -> &'static str {
    CURRENCY_MARKERS
        .iter()
        .find(|(m, _)| *m == marker)
        .map_or("EUR", |(_, code)| code)
}

/// A currency symbol or code right after the number (`12,50 €`, `12.50EUR`).
fn currency_after(rest: &str) -> Option<&'static str> {
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    for (marker, code) in [
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("£", "GBP"),
        ("GBP", "GBP"),
        ("CHF", "CHF"),
        ("MYR", "MYR"),
        ("USD", "USD"),
        ("$", DOLLAR),
        // French-speaking tills outside the euro: Morocco's dirham, Tunisia's dinar, the CFA
        // franc; read as euros, their receipts would pass a French campaign.
        ("DH", "MAD"),
        ("MAD", "MAD"),
        ("DT", "TND"),
        ("TND", "TND"),
        ("FCFA", "XOF"),
        ("XOF", "XOF"),
    ] {
        if let Some(after) = rest.strip_prefix(marker) {
            if !after.chars().next().is_some_and(|c| c.is_alphanumeric()) {
                return Some(code);
            }
        }
    }
    None
}

/// Parse one token as a money amount with two decimals; `None` if it is not exactly one.
pub fn parse_amount(token: &str) -> Option<Decimal> {
    let trimmed = token.trim();
    let amounts = find_amounts(trimmed);
    let [amount] = amounts.as_slice() else {
        return None;
    };
    if amount.short {
        return None;
    }
    let outside = format!("{}{}", &trimmed[..amount.start], &trimmed[amount.end..]);
    let leftover = outside
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '€' | '£' | '$' | ':' | '*'))
        .trim_start_matches("EUR")
        .trim_start_matches("GBP");
    leftover.is_empty().then_some(amount.value)
}

/// The ISO code a currency marker stands for, if the text has one on its own (`€`, `EUR`,
/// `RM`, `£`, `$`, `GBP`, `MYR`); used to detect the receipt's currency from any row.
pub fn currency_of_marker(token: &str) -> Option<&'static str> {
    CURRENCY_MARKERS
        .iter()
        .filter(|(m, _)| !matches!(*m, "RH" | "RN"))
        .find(|(m, _)| *m == token)
        .map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Regression (found by `scripts/fuzz`, target extract): `10.---8,06` gave `10.--` at
    /// 31..36 and `-8,06` at 35..41; an item row sliced the text between them backwards and
    /// panicked. Spans follow each other.
    #[test]
    fn regression_amounts_never_overlap() {
        let text = "SIRET 490 118 ---------------- 10.---8,06";
        let found = find_amounts(text);
        assert!(!found.is_empty());
        for pair in found.windows(2) {
            assert!(pair[0].end <= pair[1].start, "{found:?}");
        }
        let last = found.last().unwrap();
        assert!(text[last.start..last.end].ends_with("8,06"), "{found:?}");
    }

    fn values(text: &str) -> Vec<String> {
        find_amounts(text)
            .iter()
            .map(|a| a.value.to_string())
            .collect()
    }

    #[test]
    fn parses_common_forms() {
        assert_eq!(parse_amount("12,50").unwrap().to_string(), "12.50");
        assert_eq!(parse_amount("12.50€").unwrap().to_string(), "12.50");
        assert_eq!(parse_amount("1.234,56").unwrap().to_string(), "1234.56");
        assert_eq!(parse_amount("1 367,90").unwrap().to_string(), "1367.90");
        assert_eq!(parse_amount("12\u{202F}345,00 €"), Some(d("12345.00")));
        assert_eq!(parse_amount("-0,80").unwrap().to_string(), "-0.80");
        assert_eq!(parse_amount("RM9.90"), Some(d("9.90")));
        assert_eq!(parse_amount("12"), None);
        assert_eq!(parse_amount("TOTAL"), None);
        assert_eq!(parse_amount("12,50 13,00"), None);
    }

    #[test]
    fn whole_units_with_a_dash_for_the_cents() {
        assert_eq!(values("Summe 5,-"), ["5.00"]);
        assert_eq!(values("Summe EUR 12,--"), ["12.00"]);
        assert_eq!(values("Gutschein 20.– A"), ["20.00"]);
        assert_eq!(values("Brot 1,- A Milch 0,99 A"), ["1.00", "0.99"]);
        // Not a range, a date or a dash after a bare number.
        assert_eq!(values("10 - 12 Uhr"), Vec::<String>::new());
        assert_eq!(values("Nr 12 -"), Vec::<String>::new());
        assert_eq!(values("5,00-"), ["-5.00"]);
    }

    /// Darty's `MONTANT DU 1 367,90 EUR` read as 367,90.
    #[test]
    fn regression_thousands_grouped_by_spaces_with_a_decimal_comma() {
        assert_eq!(values("MONTANT DU 1 367,90 EUR"), ["1367.90"]);
        assert_eq!(values("LAVE-LINGE 8KG 1 249,00"), ["1249.00"]);
        // Not with a decimal point, nor groups that are not of three digits.
        assert_eq!(values("1 120.00"), ["120.00"]);
        assert_eq!(values("2 12,50"), ["12.50"]);
    }

    #[test]
    fn finds_amounts_in_rows_with_their_currency() {
        let found = find_amounts("TOTAL TTC 12,50 €");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, d("12.50"));
        assert_eq!(found[0].currency, Some("EUR"));
        let found = find_amounts("Total Incl. GST@6% RM 9,90");
        assert_eq!(found.last().unwrap().currency, Some("MYR"));
        assert_eq!(
            find_amounts("Total Facture : 56.00 DH")[0].currency,
            Some("MAD")
        );
        assert_eq!(find_amounts("Nett Total: $8.20")[0].currency, Some(DOLLAR));
        assert_eq!(values("£3.20 x 2 6.40"), ["3.20", "6.40"]);
        assert_eq!(values("SUMME EUR 1.234,56"), ["1234.56"]);
        assert_eq!(values("Total RM 7,838.80"), ["7838.80"]);
        assert_eq!(values("Total 1'234.50"), ["1234.50"]);
    }

    #[test]
    fn signs_before_after_and_around_currency() {
        assert_eq!(values("ROUNDING ADJUSTMENT -RM 0.02"), ["-0.02"]);
        assert_eq!(values("Discount RM-0.20"), ["-0.20"]);
        assert_eq!(values("GDN WATER 1.84-"), ["-1.84"]);
        assert_eq!(values("Remise -1,00"), ["-1.00"]);
        assert_eq!(values("Total 12.50 - 20.00"), ["12.50", "20.00"]);
    }

    #[test]
    fn repairs_ocr_letters_inside_numbers_only() {
        let found = find_amounts("Rounding RMO.02");
        assert_eq!(found[0].value, d("0.02"));
        assert!(found[0].repaired);
        assert_eq!(values("TOTAL 1O,5O"), ["10.50"]);
        assert_eq!(values("Total 27. 00"), ["27.00"]);
        assert_eq!(values("Total RH 88 17"), ["88.17"]);
        assert_eq!(values("5.90SR"), ["5.90"]);
        assert!(!find_amounts("12,50").first().unwrap().repaired);
        assert!(values("SOS").is_empty());
        assert!(values("ISBN OS.BO").is_empty());
    }

    #[test]
    fn rejects_dates_weights_percentages_and_codes() {
        assert!(values("le 12.03.2024").is_empty());
        assert!(values("14.03.18 10:32").is_empty());
        assert!(values("0,186 kg").is_empty());
        assert!(values("TVA 5,50%").is_empty());
        assert!(values("0,186 kg x").is_empty());
        assert!(values("TVA 5,50 %").is_empty());
        assert!(values("9555075106825").is_empty());
        assert!(values("3.9000").is_empty());
        assert!(values("Tel 03-87686092").is_empty());
        assert!(values("ITEM5.00").is_empty());
        assert!(values("12 34").is_empty());
        assert!(values("NO.17, 18 & 41, JALAN BESAR").is_empty());
        assert!(values("SOUS-TOTAL 9, 5306").is_empty());
        assert!(values("A 5, 50% 18").is_empty());
    }

    /// Re-rendered samples: `BAGUETTE TRADITION 1, 20€`, `Vollmilch 3,5% 1L 1, 19 € A`.
    #[test]
    fn regression_a_space_after_the_decimal_comma_before_a_currency_sign_is_a_price() {
        let spaced = find_amounts("BAGUETTE TRADITION 1, 20€");
        assert_eq!(spaced.len(), 1);
        assert_eq!(spaced[0].value, d("1.20"));
        assert_eq!(spaced[0].currency, Some("EUR"));
        assert!(spaced[0].repaired);
        assert_eq!(values("Vollmilch 3,5% 1L 1, 19 € A"), ["1.19"]);
        assert_eq!(values("2X 1, 20 EUR 2,40"), ["1.20", "2.40"]);
    }

    #[test]
    fn one_decimal_is_a_short_reading() {
        let found = find_amounts("NET TOTAL 174.9");
        assert_eq!(found[0].value, d("174.90"));
        assert!(found[0].short);
        assert!(find_amounts("1.5L").is_empty());
        assert!(find_amounts("6.5%").is_empty());
    }

    #[test]
    fn quantity_marks_may_touch_a_price() {
        assert_eq!(values("3x10.49 31.47"), ["10.49", "31.47"]);
        assert_eq!(values("2 FISHBALL NOODLE @7.00 14.00"), ["7.00", "14.00"]);
    }
}
