//! A price column Tesseract left out.
//!
//! With a wide gap between descriptions and prices, Tesseract's page layout (psm 4) can take
//! the price column for a block of its own and leave it unread: every item, `TOTAL TTC`,
//! `ESPECES` and `RENDU` then come without their amounts (a re-rendered sample photo of
//! MAXIMARCHÉ Nantes). Rows that name an amount but show none, with no value on the row below
//! either, tell the OCR stage where that column is, so it can read it on its own.

use super::classify::{Role, RowInfo};
use crate::ocr::BBox;

/// Rows naming an amount they lack before a column counts as lost: one such row is often a
/// heading (`TOTAL` above its figures), two are a pattern.
const LACKING_ROWS: usize = 2;

/// The region right of the rows that lack their amounts, from below the header down to the
/// last such row, reaching to the page's right edge; `None` when no column was lost.
pub fn lost_price_column(rows: &[RowInfo], header_last: Option<usize>) -> Option<BBox> {
    let first = header_last.map_or(0, |last| last + 1);
    let lacking: Vec<usize> = (first..rows.len())
        .filter(|&i| names_an_amount_it_lacks(rows, i))
        .collect();
    if lacking.len() < LACKING_ROWS {
        return None;
    }
    let last = *lacking.last()?;
    let span = &rows[first..=last];
    let left = span
        .iter()
        .filter(|row| row.amounts.is_empty())
        .map(|row| row.row.bbox.right() + row.row.glyph_height())
        .max()?;
    let top = span.iter().map(|row| row.row.bbox.y()).min()?;
    let bottom = span.iter().map(|row| row.row.bbox.bottom()).max()?;
    // Wider than any page: the OCR stage clamps the region to the page's edge.
    Some(BBox([left, top, i32::MAX / 4, bottom - top]))
}

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

    fn column(text: &str) -> Option<BBox> {
        let rows = classify(build_rows(&test_lines(text)), Locale::Fr);
        lost_price_column(&rows, Some(0))
    }

    #[test]
    fn a_receipt_whose_amounts_were_all_left_out_has_a_lost_column() {
        // The transcript grid: 12 px a character, 30 px a row, glyphs 22 px tall.
        let found = column(
            "MAXIMARCHE\nYAOURT BIO FRAISE ALPINE 4X125G\nOLIVES VERTES VRAC\n\
             0,186 kg x 12,90 €/kg\nSOUS-TOTAL\nTOTAL TTC\nESPECES\nRENDU\nTVA 5,50% 12,91 0,71 13,62",
        )
        .unwrap();
        // Right of the longest row without an amount (31 characters), plus a glyph's height.
        assert_eq!(found.x(), 31 * 12 + 22);
        assert_eq!(found.y(), 30);
        assert_eq!(found.bottom(), 7 * 30 + 22);
    }

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

    #[test]
    fn amounts_on_their_rows_or_below_their_names_lose_no_column() {
        assert_eq!(column("FRESCO\nPAIN 1,20\nTOTAL TTC 1,20\nCB 1,20"), None);
        assert_eq!(column("FRESCO\nPAIN 1,20\nTOTAL\n1,20\nRENDU\n0,80"), None);
        // A lone heading is no pattern.
        assert_eq!(column("FRESCO\nPAIN 1,20\nTOTAL\nCB 1,20"), None);
    }
}
