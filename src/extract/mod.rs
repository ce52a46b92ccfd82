//! Extraction: OCR lines → receipt fields (merchant, date, total, items, …).
//!
//! Pure functions over text and boxes, no OCR needed, so every rule is unit-tested on text
//! snippets. Each field carries a confidence so the campaign can send a guess to a human
//! reviewer instead of deciding on it.

mod amount;
mod date;
mod receipt;

pub use amount::parse_amount;
pub use date::{parse_date, parse_time};
pub use receipt::{Confidence, Item, Receipt, VatLine};

use crate::ocr::Line;

/// What the extractor may know beyond the text.
#[derive(Clone, Debug, Default)]
pub struct ExtractOptions {
    /// Locale pack to prefer (`fr`, `en`, `de`); detected from the text when absent.
    pub locale: Option<String>,
}

/// Read the receipt fields from OCR lines.
pub fn extract(lines: &[Line], options: &ExtractOptions) -> Receipt {
    receipt::basic(lines, options)
}
