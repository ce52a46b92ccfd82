//! The one rule for text from outside sources in every CSV fidelio writes (member ids from
//! folder names and manifests, file names, campaign ids, reasons, OCR text): a cell that a
//! spreadsheet would run as a formula is written as text.
//!
//! OWASP's CSV-injection rule: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return gets a leading `'`, which spreadsheets take as "this is text" and do not show.
//! Leading spaces are kept (Excel runs `  =1+2` too, so the quote goes before the first sign
//! that matters, at the very start). Numbers fidelio computes (totals, points) are not outside
//! text and are written as they are, minus signs included.

use std::borrow::Cow;

/// `text` safe to put in a CSV cell opened by a spreadsheet.
pub fn csv_text(text: &str) -> Cow<'_, str> {
    let first = text.trim_start_matches(' ').chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_plain_text_is_untouched() {
        for (cell, written) in [
            ("=1+2", "'=1+2"),
            ("+33612345678", "'+33612345678"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=cmd", "'\t=cmd"),
            ("\r=cmd", "'\r=cmd"),
            ("  =HYPERLINK(\"x\")", "'  =HYPERLINK(\"x\")"),
            ("=cmd|'/Ccalc'!A0", "'=cmd|'/Ccalc'!A0"),
        ] {
            assert_eq!(csv_text(cell), written, "{cell:?}");
        }
        for plain in [
            "anna",
            "FRESCO MARKET",
            "M1",
            "",
            "a=b",
            "yaourts-2024",
            "1+1",
        ] {
            assert_eq!(csv_text(plain), plain);
        }
    }
}
