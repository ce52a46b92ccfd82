//! Property tests: the parsers and the whole extractor face arbitrary OCR output (any Unicode,
//! any boxes) without panicking, report spans that are valid slices of their input, and read
//! back every amount, date and time they could have printed themselves.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::Receipt;
use super::{extract, find_amounts, find_dates, find_times, parse_amount, parse_date, parse_time};
use crate::ocr::{BBox, Line, Word};

/// Text that looks like receipt numbers and dates: digits, separators, currency and the
/// letters OCR confuses with digits.
const NUMERIC_NOISE: &str = "[-+RMHN€$£ 0-9OoIlSB|.,'/:xX@%*a-zA-Z]{0,32}";

fn check_amount_spans(text: &str) {
    for amount in find_amounts(text) {
        assert!(amount.start <= amount.end && amount.end <= text.len());
        assert!(text.is_char_boundary(amount.start) && text.is_char_boundary(amount.end));
        assert_eq!(amount.value.scale(), 2, "{text:?} gave {:?}", amount.value);
    }
}

proptest! {
    #[test]
    fn amount_parsers_survive_any_text(text in "\\PC{0,48}") {
        let _ = parse_amount(&text);
        check_amount_spans(&text);
    }

    #[test]
    fn amount_parsers_survive_number_like_text(text in NUMERIC_NOISE) {
        let _ = parse_amount(&text);
        check_amount_spans(&text);
    }

    #[test]
    fn printed_amounts_read_back(cents in 0i64..100_000_000_000, comma in any::<bool>(), grouped in any::<bool>(), euro in any::<bool>()) {
        let value = Decimal::new(cents, 2);
        let (decimal, group) = if comma { (',', '.') } else { ('.', ',') };
        let units = (cents / 100).to_string();
        let mut int = String::new();
        for (i, digit) in units.chars().enumerate() {
            if grouped && i > 0 && (units.len() - i) % 3 == 0 {
                int.push(group);
            }
            int.push(digit);
        }
        let text = format!("{int}{decimal}{:02}{}", cents % 100, if euro { " €" } else { "" });
        prop_assert_eq!(parse_amount(&text), Some(value), "{}", text);
    }

    #[test]
    fn date_parsers_survive_any_text(text in "\\PC{0,48}") {
        let _ = parse_date(&text);
        let _ = parse_time(&text);
        for found in find_dates(&text) {
            prop_assert!(found.start <= found.end);
        }
        let _ = find_times(&text);
    }

    #[test]
    fn date_parsers_survive_date_like_text(text in "[0-9/.\\- :hHaApPmMJFDSONjfdsonuvrtcbg]{0,32}") {
        let _ = parse_date(&text);
        let _ = parse_time(&text);
        for found in find_dates(&text) {
            prop_assert!((2000..=2099).contains(&found.date.year()));
        }
    }

    #[test]
    fn printed_dates_read_back(days in 0i64..36_500, style in 0usize..6) {
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
        let format = ["%d/%m/%Y", "%d.%m.%y", "%d-%m-%Y", "%Y-%m-%d", "%d %b %Y", "le %d/%m/%Y à 12h30"][style];
        let text = date.format(format).to_string();
        prop_assert_eq!(parse_date(&text), Some(date), "{}", text);
    }

    #[test]
    fn printed_times_read_back(hour in 0u32..24, minute in 0u32..60, seconds in any::<bool>()) {
        let text = if seconds { format!("{hour:02}:{minute:02}:07") } else { format!("{hour}h{minute:02}") };
        prop_assert_eq!(parse_time(&text), Some(format!("{hour:02}:{minute:02}")));
    }

    #[test]
    fn extract_survives_any_lines_and_is_deterministic(
        lines in prop::collection::vec(
            prop::collection::vec(("\\PC{1,12}", -50i32..3000, -50i32..3000, 0i32..400, 0i32..80, 0f32..100f32), 0..6),
            0..14,
        )
    ) {
        let lines: Vec<Line> = lines
            .into_iter()
            .map(|words| Line::from_words(words.into_iter().map(|(text, x, y, w, h, conf)| Word {
                text: text.split_whitespace().collect::<Vec<_>>().join("_"),
                conf,
                bbox: BBox([x, y, w, h]),
                reread: None,
            }).filter(|w| !w.text.is_empty()).collect()))
            .collect();
        let first: Receipt = extract(&lines);
        let second = extract(&lines);
        prop_assert_eq!(&first, &second);
        for c in [first.confidence.merchant, first.confidence.date, first.confidence.total, first.confidence.address] {
            prop_assert!((0.0..=1.0).contains(&c));
        }
    }

    #[test]
    fn extract_survives_receipt_like_lines(rows in prop::collection::vec(NUMERIC_NOISE, 0..20), locale in prop::option::of("fr|en|de|xx")) {
        let text = rows.join("\n");
        let receipt = super::extract_in(&super::test_lines(&text), locale.as_deref());
        if let Some(total) = receipt.total {
            prop_assert!(total > Decimal::ZERO);
        }
    }
}
