//! A price column the page reading left out.
//!
//! With a wide gap between descriptions and prices (table photos, receipts scanned on a dark
//! card), a page reading can leave the right-aligned price column unread: items, `TOTAL`,
//! `ESPECES` and `RENDU` then come without their amounts. Rows that name an amount but show
//! none, with no value on the row below either, tell the OCR stage to look for that column
//! among the print no word covers (`ocr::unread_price_column`).
//!
//! Until issue 18 the rows' labels also pointed at where the column was, for Tesseract's page
//! layout (psm 4) that took it for a block of its own; with the neural reader that changed no
//! field on either SROIE half nor the samples, and the print search covers the same receipts.

use super::classify::{Role, RowInfo};

/// Some total, subtotal or change row below the header shows no amount, on its row or the row
/// below, or no total row shows one at all: the page reading may have left out print the
/// amounts are in, the total row with them (see `ocr::unread_price_column`). Receipts whose
/// amounts were all read are not searched, so nothing unread on them (a stamp, a tax code
/// column) can reach their rows.
pub fn amount_lacking(rows: &[RowInfo], header_last: Option<usize>) -> bool {
    let first = header_last.map_or(0, |last| last + 1);
    let total_shown = (0..rows.len()).any(|i| rows[i].role == Role::Total && shows_amount(rows, i));
    !total_shown || (first..rows.len()).any(|i| names_an_amount_it_lacks(rows, i))
}

/// A total, subtotal or change row without an amount, whose amount is not printed on the row
/// below either.
fn names_an_amount_it_lacks(rows: &[RowInfo], i: usize) -> bool {
    let names_amount = matches!(rows[i].role, Role::Total | Role::Subtotal | Role::Change);
    names_amount && !shows_amount(rows, i)
}

/// Row `i` shows an amount, on itself or as a bare value on the row below.
fn shows_amount(rows: &[RowInfo], i: usize) -> bool {
    !rows[i].amounts.is_empty() || rows.get(i + 1).is_some_and(RowInfo::is_bare_amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::locale::Locale;
    use crate::extract::rows::build_rows;
    use crate::extract::test_lines;

    #[test]
    fn a_total_or_change_row_without_its_amount_lacks_one() {
        let lacking = |text: &str| {
            let rows = classify(build_rows(&test_lines(text)), Locale::Fr);
            amount_lacking(&rows, Some(0))
        };
        assert!(lacking("MONOPRIX\nSALADE CESAR\nTOTAL EUR\nCB 9,35"));
        assert!(lacking(
            "FRESCO\nPAIN 1,20\nTOTAL 1,20\nESPECES 2,00\nRENDU"
        ));
        assert!(!lacking("MONOPRIX\nSALADE 4,50\nTOTAL 4,50\nCB 4,50"));
        // The total row itself left out with its amount.
        assert!(lacking("LIDL\nBananes\nChips nature\n22.03.2024 10:15"));
        assert!(!lacking("MONOPRIX\nSALADE 4,50\nTOTAL\n4,50\nCB 4,50"));
    }
}
