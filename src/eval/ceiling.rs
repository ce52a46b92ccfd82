//! Is the label readable in the OCR text at all? The ceiling of any extractor.
//!
//! When a field is wrong, either OCR never produced the printed value (an image or OCR
//! problem) or extraction missed a value that was there (a rule problem). Counting, per field,
//! the labels whose value appears somewhere in the OCR text separates the two, so the image
//! and extraction work can each be judged on its own: merchant and address as folded
//! substrings of the folded text, totals among the amounts read on any line, dates and times
//! among the dates and times read on any line.

use super::normalize::{fold_text, parse_label_amount, parse_label_date, parse_label_time};
use super::score::Field;
use crate::extract::{find_amounts, find_dates, find_times};

/// Whether the label's value can be found in the OCR lines; None for fields this does not
/// apply to (decisions, items, currency) or labels that cannot be read.
pub fn label_in_ocr(field: Field, label: &str, lines: &[String]) -> Option<bool> {
    match field {
        Field::Merchant | Field::Address => {
            let wanted = fold_text(label);
            let text: String = lines.iter().map(|l| fold_text(l)).collect();
            (!wanted.is_empty()).then(|| text.contains(&wanted))
        }
        Field::Total => {
            let wanted = parse_label_amount(label)?;
            Some(
                lines
                    .iter()
                    .flat_map(|l| find_amounts(l))
                    .any(|a| a.value.abs() == wanted),
            )
        }
        Field::Date => {
            let (wanted, _) = parse_label_date(label)?;
            Some(
                lines
                    .iter()
                    .flat_map(|l| find_dates(l))
                    .any(|d| d.date == wanted),
            )
        }
        Field::Time => {
            let (hour, minute) = parse_label_time(label)?;
            let wanted = format!("{hour:02}:{minute:02}");
            Some(
                lines
                    .iter()
                    .flat_map(|l| find_times(l))
                    .any(|t| t.time == wanted),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn finds_printed_values_and_misses_misread_ones() {
        let ocr = lines("MR. D.I.Y.(KUCHAI) SDN BHD\nTotal foot GSTAGY RM 53,30\n16-03-18 13:49");
        assert_eq!(
            label_in_ocr(Field::Merchant, "MR. D. I. Y. (KUCHAI) SDN BHD", &ocr),
            Some(true)
        );
        assert_eq!(label_in_ocr(Field::Total, "RM 53.30", &ocr), Some(true));
        assert_eq!(label_in_ocr(Field::Date, "16-03-18", &ocr), Some(true));
        assert_eq!(label_in_ocr(Field::Time, "13:49", &ocr), Some(true));
        assert_eq!(label_in_ocr(Field::Total, "53.80", &ocr), Some(false));
        assert_eq!(
            label_in_ocr(Field::Address, "LOT 1851-A", &ocr),
            Some(false)
        );
        assert_eq!(label_in_ocr(Field::Status, "accepted", &ocr), None);
        assert_eq!(label_in_ocr(Field::Date, "not a date", &ocr), None);
    }
}
