//! German letters a French and English reading misreads.
//!
//! Receipts are read with `fra+eng` by default, and neither model has `ä`, `ö` or `ü`: on
//! German receipts Tesseract reads them as the nearest letters it has, `â`, `ô`, `û` (French
//! circumflexes, which German never writes) or `ii` (`Diisseldorf`, `fiir`). Once a receipt is
//! known to be German, those are written back as the umlauts they were. Each replacement keeps
//! the byte length (both are two bytes in UTF-8), so spans into a row's text stay valid.

use super::rows::Row;

/// `row` with its misread umlauts written back, in its text and in each word.
pub fn mend_umlauts(row: &mut Row) {
    row.text = mended(&row.text);
    for word in &mut row.words {
        word.text = mended(&word.text);
    }
}

/// `text` with circumflex vowels as umlauts and a doubled `i` inside a word (a letter on
/// each side: `Hawaii` keeps its final `ii`) as `ü`.
fn mended(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let inside_word = i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 2).is_some_and(|c| c.is_alphabetic());
        if c == 'i' && chars.get(i + 1) == Some(&'i') && inside_word {
            out.push('ü');
            i += 2;
            continue;
        }
        out.push(match c {
            'â' => 'ä',
            'ô' => 'ö',
            'û' => 'ü',
            'Â' => 'Ä',
            'Ô' => 'Ö',
            'Û' => 'Ü',
            other => other,
        });
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circumflexes_and_doubled_i_are_written_as_umlauts() {
        // Held-out tills photographed on a table (Netto, Müller, Aral).
        assert_eq!(mended("Âpfel Braeburn"), "Äpfel Braeburn");
        assert_eq!(mended("Kônigstraße 44"), "Königstraße 44");
        assert_eq!(mended("40212 Diisseldorf"), "40212 Düsseldorf");
        assert_eq!(
            mended("Danke fiir Ihren Einkauf"),
            "Danke für Ihren Einkauf"
        );
    }

    #[test]
    fn a_final_doubled_i_and_plain_text_are_kept() {
        assert_eq!(mended("Pizza Hawaii 7,50"), "Pizza Hawaii 7,50");
        assert_eq!(mended("ii 12,00"), "ii 12,00");
        assert_eq!(mended("Summe EUR 6,76"), "Summe EUR 6,76");
    }

    #[test]
    fn byte_lengths_are_kept() {
        for text in ["Âpfel", "Kônig", "Diisseldorf", "Ûber", "Hawaii"] {
            assert_eq!(mended(text).len(), text.len(), "{text}");
        }
    }
}
