//! Print the page reading left out.
//!
//! Tesseract's page layout sometimes drops a whole row or part of one: a pale date printed
//! over an underline (`27/03/2018` above a dotted rule) reads as nothing at
//! all, not as a misread. The ink is still there. Masking every word the page reading found
//! leaves the print it did not; cut into line-high pieces, each can be read on its own.

use image::GrayImage;

use super::page::{BBox, Line};
use crate::image::otsu;

/// A pixel row belongs to a strip of print when at least this share of a line height is ink
/// (a dotted rule alone or a speck does not make a strip).
const ROW_INK: f32 = 1.0 / 3.0;
/// A column is print when it holds at least this many ink pixels of the strip: glyph strokes
/// do, the dots of a rule under the text do not.
const COLUMN_INK: u32 = 3;
/// Pieces of one strip are split at gaps of this many line heights (between words of a row
/// printed apart, like a date on the left and a ticket number on the right).
const PIECE_GAP: f32 = 1.5;
/// Strips between these many line heights tall can be a row of print.
const STRIP_HEIGHT: (f32, f32) = (0.5, 2.5);
/// The narrowest piece, in line heights: two or three characters.
const PIECE_WIDTH: f32 = 2.0;
/// Ink this close (px) to a word the page read belongs to that word.
const WORD_MARGIN: i32 = 2;

/// The pieces of print on `page` that none of the words in `lines` covers, top to bottom and
/// left to right; none when the page has no lines to size them by.
pub fn unread_print(page: &GrayImage, lines: &[Line]) -> Vec<BBox> {
    let Some(line_height) = median_line_height(lines) else {
        return Vec::new();
    };
    let Some(threshold) = otsu(page) else {
        return Vec::new();
    };
    let ink = unread_ink(page, threshold, lines);
    let (width, height) = (page.width() as usize, page.height() as usize);
    let row_ink: Vec<u32> = (0..height)
        .map(|y| {
            ink[y * width..(y + 1) * width]
                .iter()
                .map(|&i| i as u32)
                .sum()
        })
        .collect();
    let min_row_ink = ((line_height as f32 * ROW_INK) as u32).max(3);
    let (shortest, tallest) = (
        line_height as f32 * STRIP_HEIGHT.0,
        line_height as f32 * STRIP_HEIGHT.1,
    );
    runs(
        &row_ink
            .iter()
            .map(|&n| n >= min_row_ink)
            .collect::<Vec<_>>(),
    )
    .into_iter()
    .filter(|&(top, bottom)| {
        let tall = (bottom - top) as f32;
        tall >= shortest && tall <= tallest
    })
    .flat_map(|(top, bottom)| {
        let columns: Vec<bool> = (0..width)
            .map(|x| {
                (top..bottom)
                    .map(|y| ink[y * width + x] as u32)
                    .sum::<u32>()
                    >= COLUMN_INK
            })
            .collect();
        pieces(&columns, line_height)
            .into_iter()
            .map(move |(left, right)| {
                BBox([
                    left as i32,
                    top as i32,
                    (right - left) as i32,
                    (bottom - top) as i32,
                ])
            })
    })
    .collect()
}

/// Unread pieces right-aligned on one edge that make a price column: at least this many.
const COLUMN_PIECES: usize = 3;
/// The widest piece that can be one price, in line heights (`£12.50`, `1 234,56 €`).
const PRICE_WIDTH: f32 = 6.0;

/// A column of prices the page reading left out: at least three unread pieces, each no wider
/// than a price, whose right edges line up within a line height (tills right-align amounts)
/// and that lie right of the middle of the print the page did read, with half a line of margin
/// (it may reach past the page). With a wide gap between
/// names and prices, Tesseract's layout can take the whole price column for a block of its
/// own and drop it, with the rows (`TOTAL £3.88`) it swallowed. The largest such group, with
/// the other unread pieces on its rows (the `TOTAL` of a row left out whole), as the box
/// around them; `None` when there is none.
pub fn unread_price_column(page: &GrayImage, lines: &[Line]) -> Option<BBox> {
    let line_height = median_line_height(lines)? as f32;
    let read_middle = {
        let left = lines.iter().map(|l| l.bbox.x()).min()?;
        let right = lines.iter().map(|l| l.bbox.right()).max()?;
        (left + right) / 2
    };
    let unread_pieces = unread_print(page, lines);
    let candidates: Vec<BBox> = unread_pieces
        .iter()
        .filter(|p| p.width() as f32 <= line_height * PRICE_WIDTH && p.x() >= read_middle)
        .copied()
        .collect();
    let aligned_with = |edge: i32| -> Vec<&BBox> {
        candidates
            .iter()
            .filter(|p| ((p.right() - edge) as f32).abs() <= line_height)
            .collect()
    };
    let group = candidates
        .iter()
        .map(|p| aligned_with(p.right()))
        .max_by_key(|group| group.len())?;
    if group.len() < COLUMN_PIECES {
        return None;
    }
    // Rows left out whole (`TOTAL 11,65 €`) are read with the column: the other pieces on
    // the rows of its prices (not a rule or a line of their own between them).
    let rows_pieces: Vec<&BBox> = unread_pieces
        .iter()
        .filter(|p| {
            let middle = p.y() + p.height() / 2;
            group.iter().any(|g| (g.y()..g.bottom()).contains(&middle))
        })
        .collect();
    let group: Vec<&BBox> = group.into_iter().chain(rows_pieces).collect();
    // Half a line of white all round, as a word cut out to be read alone gets.
    let margin = (line_height / 2.0) as i32;
    let left = group.iter().map(|p| p.x()).min()? - margin;
    let top = group.iter().map(|p| p.y()).min()? - margin;
    let right = group.iter().map(|p| p.right()).max()? + margin;
    let bottom = group.iter().map(|p| p.bottom()).max()? + margin;
    Some(BBox([left, top, right - left, bottom - top]))
}

/// At most this far (line heights) past a line's end, unread print is the rest of that line,
/// not a column of its own: closer than the gap between a name and its price column.
const CUT_GAP: f32 = 0.7;

/// Lines the page reading cut short, with the box their print really spans: unread print
/// starts right after the line's end (a word cut in two, or the next word a space away) and
/// runs on. Tesseract ends rows early where a photographed receipt's edge comes near them
/// (table photos: `£5.25` read `£5;`, `a 21:14` read `a 21:`). Lines taller than two line
/// heights (blocks, logos) are not cut rows.
pub fn cut_short_lines(page: &GrayImage, lines: &[Line]) -> Vec<(usize, BBox)> {
    let Some(line_height) = median_line_height(lines) else {
        return Vec::new();
    };
    let Some(threshold) = otsu(page) else {
        return Vec::new();
    };
    let ink = unread_ink(page, threshold, lines);
    let (width, height) = (page.width() as i32, page.height() as i32);
    let line_height = line_height as i32;
    let gap_allowed = (line_height as f32 * PIECE_GAP) as i32;
    let mut cut = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let b = line.bbox;
        if b.height() <= 0 || b.height() > 2 * line_height || b.right() >= width {
            continue;
        }
        // The middle half of the row: not the ascenders and descenders of its neighbours.
        let (top, bottom) = (
            (b.y() + b.height() / 4).clamp(0, height),
            (b.bottom() - b.height() / 4).clamp(0, height),
        );
        let inked = |x: i32| {
            (top..bottom)
                .filter(|&y| ink[(y * width + x) as usize])
                .count() as u32
                >= COLUMN_INK.min(1 + (bottom - top) as u32 / 4)
        };
        let reach = (b.right() + (line_height as f32 * CUT_GAP) as i32).min(width);
        let Some(start) = (b.right()..reach).find(|&x| inked(x)) else {
            continue;
        };
        let (mut end, mut gap) = (start, 0);
        for x in start..width {
            if inked(x) {
                end = x;
                gap = 0;
            } else {
                gap += 1;
                if gap > gap_allowed {
                    break;
                }
            }
        }
        // A speck or a stray mark is no print.
        if end - start + 1 < line_height / 2 {
            continue;
        }
        cut.push((i, BBox([b.x(), b.y(), end + 1 - b.x(), b.height()])));
    }
    cut
}

/// The median height of the page's lines: the size print is measured in.
fn median_line_height(lines: &[Line]) -> Option<u32> {
    let mut heights: Vec<i32> = lines
        .iter()
        .map(|l| l.bbox.height())
        .filter(|&h| h > 0)
        .collect();
    heights.sort_unstable();
    heights.get(heights.len() / 2).map(|&h| h as u32)
}

/// Ink this close (px) to the page's edge, and all ink joined to it, is the table or a border
/// around the paper, not print: preparation pads the page with 16 px of white, and the paper's
/// own margin keeps print apart from what lies beyond it.
const EDGE: usize = 18;

/// Ink pixels (row-major, `true` for ink) outside every word of `lines` and outside the table
/// around a photographed receipt (which would make every row a row of ink).
fn unread_ink(page: &GrayImage, threshold: u8, lines: &[Line]) -> Vec<bool> {
    let (width, height) = (page.width() as i32, page.height() as i32);
    let mut ink: Vec<bool> = page.pixels().map(|p| p[0] <= threshold).collect();
    clear_background(&mut ink, width as usize, height as usize);
    for word in lines.iter().flat_map(|l| &l.words) {
        let b = word.bbox;
        let (left, right) = (
            (b.x() - WORD_MARGIN).clamp(0, width),
            (b.right() + WORD_MARGIN).clamp(0, width),
        );
        let (top, bottom) = (
            (b.y() - WORD_MARGIN).clamp(0, height),
            (b.bottom() + WORD_MARGIN).clamp(0, height),
        );
        if right <= left {
            continue;
        }
        for y in top..bottom {
            let row = (y * width) as usize;
            ink[row + left as usize..row + right as usize].fill(false);
        }
    }
    ink
}

/// Clears the ink within `EDGE` px of the page's edge and every ink pixel joined to it.
fn clear_background(ink: &mut [bool], width: usize, height: usize) {
    let near_edge = |at: usize| {
        let (x, y) = (at % width, at / width);
        x < EDGE || y < EDGE || x + EDGE >= width || y + EDGE >= height
    };
    let mut stack: Vec<usize> = (0..ink.len())
        .filter(|&at| ink[at] && near_edge(at))
        .collect();
    while let Some(at) = stack.pop() {
        if !ink[at] {
            continue;
        }
        ink[at] = false;
        let (x, y) = (at % width, at / width);
        if x > 0 && ink[at - 1] {
            stack.push(at - 1);
        }
        if x + 1 < width && ink[at + 1] {
            stack.push(at + 1);
        }
        if y > 0 && ink[at - width] {
            stack.push(at - width);
        }
        if y + 1 < height && ink[at + width] {
            stack.push(at + width);
        }
    }
}

/// Spans `[start, end)` of consecutive `true`.
fn runs(flags: &[bool]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, &on) in flags.iter().chain(std::iter::once(&false)).enumerate() {
        match (on, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    spans
}

/// Spans `[left, right)` of print columns, joined across gaps narrower than `PIECE_GAP` line
/// heights, at least `PIECE_WIDTH` line heights wide.
fn pieces(columns: &[bool], line_height: u32) -> Vec<(usize, usize)> {
    let gap = (line_height as f32 * PIECE_GAP) as usize;
    let narrowest = (line_height as f32 * PIECE_WIDTH) as usize;
    let mut joined: Vec<(usize, usize)> = Vec::new();
    for (left, right) in runs(columns) {
        match joined.last_mut() {
            Some(last) if left - last.1 < gap => last.1 = right,
            _ => joined.push((left, right)),
        }
    }
    joined.retain(|&(left, right)| right - left >= narrowest);
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::Word;
    use image::Luma;

    /// A white page with black blocks standing for printed words.
    fn page_with(blocks: &[[u32; 4]]) -> GrayImage {
        let mut page = GrayImage::from_pixel(400, 200, Luma([255]));
        for &[x, y, w, h] in blocks {
            for yy in y..y + h {
                for xx in x..x + w {
                    page.put_pixel(xx, yy, Luma([0]));
                }
            }
        }
        page
    }

    fn line_over(bbox: [i32; 4]) -> Line {
        Line::from_words(vec![Word {
            text: "word".into(),
            conf: 90.0,
            bbox: BBox(bbox),
            reread: None,
        }])
    }

    #[test]
    fn print_no_word_covers_is_found_in_pieces_split_at_wide_gaps() {
        // Two words read on row 20; on row 80 a date on the left and a number on the right
        // that the page reading left out.
        let page = page_with(&[
            [20, 20, 60, 12],
            [100, 20, 60, 12],
            [20, 80, 80, 12],
            [300, 80, 60, 12],
        ]);
        let lines = [line_over([20, 20, 60, 12]), line_over([100, 20, 60, 12])];
        assert_eq!(
            unread_print(&page, &lines),
            [BBox([20, 80, 80, 12]), BBox([300, 80, 60, 12])]
        );
    }

    /// Names read on the left, their prices right-aligned at x = 360 left unread, as on a
    /// photo where Tesseract took the price column for a block of its own.
    #[test]
    fn unread_prices_right_aligned_beside_the_read_rows_are_a_column() {
        let names = [[20, 20, 80, 12], [20, 50, 100, 12], [20, 80, 60, 12]];
        let prices = [[320, 20, 40, 12], [310, 50, 50, 12], [322, 80, 38, 12]];
        let page = page_with(&[names, prices].concat());
        let lines: Vec<Line> = names
            .iter()
            .map(|b| line_over(b.map(|v| v as i32)))
            .collect();
        assert_eq!(
            unread_price_column(&page, &lines),
            // Half the 12 px line height of margin all round.
            Some(BBox([304, 14, 62, 84]))
        );
        // Two pieces are no column, nor are pieces whose right edges do not line up.
        let two = page_with(&[names, [prices[0], prices[1], [0; 4]]].concat());
        assert_eq!(unread_price_column(&two, &lines), None);
        let ragged = [[320, 20, 40, 12], [200, 50, 50, 12], [260, 80, 38, 12]];
        let page = page_with(&[names, ragged].concat());
        assert_eq!(unread_price_column(&page, &lines), None);
    }

    /// Table photos (Pret): `£5.25` read `£5;`, the page reading's box ending inside the word.
    #[test]
    fn regression_a_line_cut_short_inside_its_print_spans_the_rest() {
        // Read: a name and the first half of a price; unread: the price's second half, right
        // after it, and further on (a gap of one line height) one more word of the row.
        let page = page_with(&[
            [20, 40, 100, 12],
            [130, 40, 30, 12],
            [160, 40, 20, 12],
            [192, 40, 30, 12],
        ]);
        let lines = [line_over([20, 40, 140, 12])];
        assert_eq!(
            cut_short_lines(&page, &lines),
            [(0, BBox([20, 40, 202, 12]))]
        );
    }

    #[test]
    fn lines_ending_before_white_or_a_column_apart_are_not_cut() {
        // Nothing after the line; a price column 5 line heights away (a column of its own,
        // `unread_price_column`'s); a speck right after the line.
        let page = page_with(&[
            [20, 40, 100, 12],
            [20, 80, 100, 12],
            [180, 80, 40, 12],
            [20, 120, 100, 12],
            [122, 124, 2, 2],
        ]);
        let lines = [
            line_over([20, 40, 100, 12]),
            line_over([20, 80, 100, 12]),
            line_over([20, 120, 100, 12]),
        ];
        assert_eq!(cut_short_lines(&page, &lines), []);
    }

    /// The table around a photographed receipt reaches the page's edge, and slants into the
    /// rows when the photo is turned: it is no print, and it must not hide the print that is.
    #[test]
    fn the_table_around_the_paper_is_no_print() {
        let page = page_with(&[
            [0, 0, 15, 200],
            [385, 0, 15, 200],
            [15, 0, 30, 12],
            [15, 60, 12, 40],
            [200, 80, 60, 12],
        ]);
        let lines = [line_over([20, 20, 60, 12])];
        assert_eq!(unread_print(&page, &lines), [BBox([200, 80, 60, 12])]);
    }

    #[test]
    fn a_thin_rule_or_a_speck_is_no_print() {
        let page = page_with(&[[20, 20, 60, 12], [10, 60, 380, 2], [200, 100, 3, 3]]);
        let lines = [line_over([20, 20, 60, 12])];
        assert!(unread_print(&page, &lines).is_empty());
    }

    #[test]
    fn a_page_without_lines_or_ink_has_nothing_unread() {
        assert!(unread_print(&page_with(&[[20, 80, 80, 12]]), &[]).is_empty());
        let blank = page_with(&[]);
        assert!(unread_print(&blank, &[line_over([20, 20, 60, 12])]).is_empty());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::ocr::Word;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any page and any word boxes (past the page, empty, inverted) give pieces on the
        /// page, and a column or none, without panicking.
        #[test]
        fn any_page_and_boxes_give_pieces_on_the_page(
            width in 1u32..160,
            height in 1u32..160,
            seed in any::<u64>(),
            boxes in proptest::collection::vec(any::<[i16; 4]>(), 0..6),
        ) {
            let page = GrayImage::from_fn(width, height, |x, y| {
                let h = seed ^ (x as u64).wrapping_mul(0x9e37_79b9) ^ (y as u64).wrapping_mul(0x85eb_ca6b);
                image::Luma([(h % 256) as u8])
            });
            let lines: Vec<Line> = boxes
                .iter()
                .map(|b| {
                    Line::from_words(vec![Word {
                        text: "w".into(),
                        conf: 50.0,
                        bbox: BBox(b.map(i32::from)),
                        reread: None,
                    }])
                })
                .collect();
            for piece in unread_print(&page, &lines) {
                prop_assert!(piece.x() >= 0 && piece.y() >= 0);
                prop_assert!(piece.right() <= width as i32 && piece.bottom() <= height as i32);
            }
            // The column, margin included, may reach past the page but is never inverted.
            if let Some(column) = unread_price_column(&page, &lines) {
                prop_assert!(column.width() > 0 && column.height() > 0);
            }
        }
    }
}
