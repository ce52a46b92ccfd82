//! Amounts: `12,50`, `1 234,56 €`, `RM 9.90`, `1.234,56`.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Parse one token as a money amount with two decimals; `None` if it is not one.
pub fn parse_amount(token: &str) -> Option<Decimal> {
    let cleaned: String = token
        .trim_matches(|c: char| !c.is_ascii_digit() && c != '-')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let sep = digits.rfind([',', '.'])?;
    let (int_part, frac) = (&digits[..sep], &digits[sep + 1..]);
    if frac.len() != 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int_digits: String = int_part
        .chars()
        .filter(|c| *c != '.' && *c != ',')
        .collect();
    if int_digits.is_empty()
        || !int_digits.bytes().all(|b| b.is_ascii_digit())
        || int_digits.len() > 9
    {
        return None;
    }
    let value = Decimal::from_str(&format!("{int_digits}.{frac}")).ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(parse_amount("12,50").unwrap().to_string(), "12.50");
        assert_eq!(parse_amount("12.50€").unwrap().to_string(), "12.50");
        assert_eq!(parse_amount("1.234,56").unwrap().to_string(), "1234.56");
        assert_eq!(parse_amount("-0,80").unwrap().to_string(), "-0.80");
        assert_eq!(parse_amount("12"), None);
        assert_eq!(parse_amount("TOTAL"), None);
    }
}
