//! Parsing Tesseract's TSV output into lines of words with boxes and confidences.
//!
//! TSV is the one output that carries per-word boxes and confidences in a stable, documented
//! layout: `level page block par line word left top width height conf text`, words at level 5.

use super::page::{round2, BBox, Line, Word};

pub fn lines_from_tsv(tsv: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut current_key = None;
    let mut words: Vec<Word> = Vec::new();
    for row in tsv.lines() {
        let Some((key, word)) = parse_word_row(row) else {
            continue;
        };
        if current_key != Some(key) && !words.is_empty() {
            lines.push(Line::from_words(std::mem::take(&mut words)));
        }
        current_key = Some(key);
        words.push(word);
    }
    if !words.is_empty() {
        lines.push(Line::from_words(words));
    }
    lines
}

/// A level-5 (word) row with its (block, paragraph, line) key; other rows and blank words are
/// skipped.
fn parse_word_row(row: &str) -> Option<((u32, u32, u32), Word)> {
    let cols: Vec<&str> = row.splitn(12, '\t').collect();
    if cols.len() < 12 || cols[0] != "5" {
        return None;
    }
    let text = cols[11].trim();
    if text.is_empty() {
        return None;
    }
    let num = |i: usize| cols[i].trim().parse::<i32>().ok();
    let key = (num(2)? as u32, num(3)? as u32, num(4)? as u32);
    let bbox = BBox([num(6)?, num(7)?, num(8)?, num(9)?]);
    let conf = cols[10].trim().parse::<f32>().ok()?.max(0.0);
    Some((
        key,
        Word {
            text: text.to_string(),
            conf: round2(conf),
            bbox,
            reread: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_words_into_lines() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t5\t40\t12\t91.5\tTOTAL\n\
                   5\t1\t1\t1\t1\t2\t60\t5\t30\t12\t88.25\t12,50\n\
                   5\t1\t1\t1\t2\t1\t10\t25\t40\t12\t70\tMERCI\n\
                   5\t1\t1\t1\t2\t2\t60\t25\t30\t12\t-1\t \n";
        let lines = lines_from_tsv(tsv);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "TOTAL 12,50");
        assert_eq!(lines[0].bbox, BBox([10, 5, 80, 12]));
        assert!((lines[0].conf - 89.88).abs() < 0.01, "{}", lines[0].conf);
        assert_eq!(lines[1].text, "MERCI");
    }

    #[test]
    fn garbage_rows_are_skipped() {
        assert!(lines_from_tsv("5\tx\n\t\t\n5\t1\t1\t1\t1\t1\ta\tb\tc\td\te\tf\n").is_empty());
    }
}
