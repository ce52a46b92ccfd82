//! CTC greedy decoding of the recognition network's output, with word boxes.
//!
//! The recogniser looks at a line crop resized to 48 px high and answers, for each of `T`
//! frames (vertical slices 8 px wide at that height), a probability for every character of its
//! list plus a *blank* (index 0). Greedy decoding takes the likeliest class of each frame,
//! merges repeats and drops blanks. What fidelio adds is *where* each character was read: the
//! frame it came from gives its position along the line, so a line cut at its spaces gives
//! words with their own boxes, and `extract` keeps its columns (descriptions left, prices
//! right) although the detector answered whole lines.
//!
//! Confidence: a character's confidence is the probability of its winning class on the frames
//! it was read on (the best of them); a word's is the lowest of its characters' (one doubtful
//! glyph makes a doubtful price), a line's the mean of its characters' (as PaddleOCR scores a
//! line). Both are reported ×100 like Tesseract's, so the extractor's thresholds read the same.

/// The character list of a recognition model: index 0 is the CTC blank, then the model's
/// dictionary file line by line, then a space (PaddleOCR's `use_space_char`).
#[derive(Clone, Debug)]
pub struct Charset {
    symbols: Vec<String>,
}

impl Charset {
    /// From the dictionary file's text (one symbol per line).
    pub fn from_dict(text: &str) -> Charset {
        let mut symbols = vec![String::new()];
        symbols.extend(
            text.lines()
                .map(|line| half_width(line.strip_suffix('\r').unwrap_or(line))),
        );
        symbols.push(" ".to_string());
        Charset { symbols }
    }

    /// Classes the network must answer per frame.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    fn symbol(&self, class: usize) -> &str {
        self.symbols.get(class).map(String::as_str).unwrap_or("")
    }
}

/// The models' character lists come from a Chinese-and-Latin training set, and read a receipt's
/// `(` `:` `,` as often as their full-width forms `（` `：` `，` (U+FF01–U+FF5E), which no
/// extraction rule or CSV reader expects: they are answered as their ASCII forms, and the
/// ideographic space as a space.
fn half_width(symbol: &str) -> String {
    symbol
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// One character read, with the frames it spans.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    pub text: String,
    pub prob: f32,
    /// First and last frame (inclusive) the character was the winning class on.
    pub first: usize,
    pub last: usize,
}

/// One decoded line.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Decoded {
    pub glyphs: Vec<Glyph>,
    /// Frames the network answered for the (padded) input.
    pub frames: usize,
}

impl Decoded {
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    /// Mean of the characters' probabilities, 0..1 (0 for an empty line).
    pub fn confidence(&self) -> f32 {
        let chars: Vec<f32> = self
            .glyphs
            .iter()
            .filter(|g| g.text != " ")
            .map(|g| g.prob)
            .collect();
        if chars.is_empty() {
            0.0
        } else {
            chars.iter().sum::<f32>() / chars.len() as f32
        }
    }

    /// The lowest probability of any character (1 for an empty line).
    pub fn weakest(&self) -> f32 {
        self.glyphs
            .iter()
            .filter(|g| g.text != " ")
            .map(|g| g.prob)
            .fold(1.0, f32::min)
    }

    /// The line cut at its spaces: each word's text, lowest character probability, and span
    /// as fractions `[start, end]` of the *unpadded* crop's width, where `used_frames` is how
    /// many of the frames cover the crop itself (the rest covered padding).
    pub fn words(&self, used_frames: f32) -> Vec<(String, f32, f32, f32)> {
        let mut words = Vec::new();
        let mut current: Vec<&Glyph> = Vec::new();
        let flush = |current: &mut Vec<&Glyph>, words: &mut Vec<(String, f32, f32, f32)>| {
            if let (Some(first), Some(last)) = (current.first(), current.last()) {
                let text: String = current.iter().map(|g| g.text.as_str()).collect();
                let prob = current.iter().map(|g| g.prob).fold(1.0_f32, f32::min);
                let used = used_frames.max(1.0);
                // A character read on frames a..=b covers about half a frame either side.
                let start = ((first.first as f32 - 0.5) / used).clamp(0.0, 1.0);
                let end = ((last.last as f32 + 1.5) / used).clamp(0.0, 1.0);
                words.push((text, prob, start, end.max(start)));
            }
            current.clear();
        };
        for glyph in &self.glyphs {
            if glyph.text.trim().is_empty() {
                flush(&mut current, &mut words);
            } else {
                current.push(glyph);
            }
        }
        flush(&mut current, &mut words);
        words
    }
}

/// Greedy CTC decoding of one line's `frames × classes` probabilities (row-major).
pub fn decode(probs: &[f32], frames: usize, classes: usize, charset: &Charset) -> Decoded {
    let mut decoded = Decoded {
        glyphs: Vec::new(),
        frames,
    };
    if classes == 0 || probs.len() < frames * classes {
        return decoded;
    }
    let mut previous = 0usize;
    for frame in 0..frames {
        let row = &probs[frame * classes..(frame + 1) * classes];
        let (class, prob) =
            row.iter()
                .enumerate()
                .fold((0usize, f32::NEG_INFINITY), |best, (i, &p)| {
                    if p > best.1 {
                        (i, p)
                    } else {
                        best
                    }
                });
        if class != 0 && class == previous {
            if let Some(glyph) = decoded.glyphs.last_mut() {
                glyph.last = frame;
                glyph.prob = glyph.prob.max(prob);
            }
        } else if class != 0 {
            let text = charset.symbol(class);
            if !text.is_empty() {
                decoded.glyphs.push(Glyph {
                    text: text.to_string(),
                    prob,
                    first: frame,
                    last: frame,
                });
            }
        }
        previous = class;
    }
    // Spaces at either end carry no word and no box.
    while decoded.glyphs.last().is_some_and(|g| g.text == " ") {
        decoded.glyphs.pop();
    }
    let leading = decoded.glyphs.iter().take_while(|g| g.text == " ").count();
    decoded.glyphs.drain(..leading);
    restore_spaces(&mut decoded.glyphs);
    decoded
}

/// A gap between two characters at least this many times the line's character pitch is a space.
const SPACE_PITCHES: f32 = 1.6;
/// ... and at least this many frames wider than the pitch (on short pitches a frame is noise).
const SPACE_EXTRA_FRAMES: f32 = 2.0;
/// Steps between characters a line needs before its pitch is trusted.
const PITCH_STEPS: usize = 4;

/// Class of slip: the recogniser reads a wide printed gap as blanks rather than a space, most
/// often between a postcode and its town (`33000BORDEAUX`) or in short capital codes
/// (`OXFORD OX1 4AH` read `OXFORDOX14AH`). The frames still show the gap: characters of one
/// line step along it at a steady pitch (monospaced receipt fonts make it steadier still), so
/// where the step between two characters' centres is well over the line's median step, a
/// space is put back. Lines with too few characters to measure a pitch are left as read.
fn restore_spaces(glyphs: &mut Vec<Glyph>) {
    let centre = |g: &Glyph| (g.first + g.last) as f32 / 2.0;
    // Steps between consecutive characters with no space read between them.
    let mut steps: Vec<f32> = glyphs
        .windows(2)
        .filter(|w| w[0].text != " " && w[1].text != " ")
        .map(|w| centre(&w[1]) - centre(&w[0]))
        .collect();
    if steps.len() < PITCH_STEPS {
        return;
    }
    steps.sort_by(f32::total_cmp);
    let pitch = steps[steps.len() / 2];
    let mut i = 1;
    while i < glyphs.len() {
        let (a, b) = (&glyphs[i - 1], &glyphs[i]);
        let step = centre(b) - centre(a);
        if a.text != " "
            && b.text != " "
            && step >= SPACE_PITCHES * pitch
            && step - pitch >= SPACE_EXTRA_FRAMES
        {
            let frame = (a.last + b.first) / 2;
            let space = Glyph {
                text: " ".to_string(),
                prob: a.prob.min(b.prob),
                first: frame,
                last: frame,
            };
            glyphs.insert(i, space);
            i += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Charset: blank, "A", "B", "1", space.
    fn charset() -> Charset {
        Charset::from_dict("A\nB\n1\n")
    }

    /// Frames of one-hot-ish probabilities for the given classes (0 = blank).
    fn frames(classes: &[usize], winning: f32) -> Vec<f32> {
        let n = charset().len();
        let mut probs = Vec::new();
        for &c in classes {
            let mut row = vec![(1.0 - winning) / (n as f32 - 1.0); n];
            row[c] = winning;
            probs.extend(row);
        }
        probs
    }

    #[test]
    fn the_charset_has_blank_first_and_space_last() {
        let set = charset();
        assert_eq!(set.len(), 5);
        assert_eq!(set.symbol(0), "");
        assert_eq!(set.symbol(1), "A");
        assert_eq!(set.symbol(4), " ");
        assert_eq!(Charset::from_dict("A\r\nB\r\n").symbol(2), "B");
        // Full-width forms are answered as ASCII.
        let wide = Charset::from_dict("\u{FF08}\n\u{FF1A}\nÉ\n");
        assert_eq!(
            (wide.symbol(1), wide.symbol(2), wide.symbol(3)),
            ("(", ":", "É")
        );
    }

    #[test]
    fn repeats_merge_blanks_separate_and_drop() {
        // A A blank A B B blank 1 → "AAB1"
        let probs = frames(&[1, 1, 0, 1, 2, 2, 0, 3], 0.9);
        let decoded = decode(&probs, 8, 5, &charset());
        assert_eq!(decoded.text(), "AAB1");
        assert_eq!(decoded.glyphs[0].first, 0);
        assert_eq!(decoded.glyphs[0].last, 1);
        assert_eq!(decoded.glyphs[2].first, 4);
        assert_eq!(decoded.glyphs[2].last, 5);
        assert!((decoded.confidence() - 0.9).abs() < 1e-5);
    }

    #[test]
    fn words_split_at_spaces_with_their_span_along_the_line() {
        // "AB" on frames 0-3, space on 4-5, "11" on 6-9 (blank between the ones), of 10 used.
        let probs = frames(&[1, 1, 2, 2, 4, 4, 3, 0, 3, 0], 0.8);
        let decoded = decode(&probs, 10, 5, &charset());
        assert_eq!(decoded.text(), "AB 11");
        let words = decoded.words(10.0);
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].0, "AB");
        assert_eq!(words[1].0, "11");
        assert!(words[0].2 == 0.0 && words[0].3 < words[1].2, "{words:?}");
        assert!((words[1].2 - 0.55).abs() < 1e-5, "{words:?}");
        assert!((words[1].3 - 0.95).abs() < 1e-5, "{words:?}");
    }

    #[test]
    fn a_word_is_as_sure_as_its_least_sure_character() {
        let mut probs = frames(&[1, 0, 2, 0, 3], 0.95);
        // The "B" frame is a doubtful read.
        let n = charset().len();
        probs[2 * n..3 * n].copy_from_slice(&[0.3, 0.05, 0.4, 0.2, 0.05]);
        let decoded = decode(&probs, 5, n, &charset());
        assert_eq!(decoded.text(), "AB1");
        let words = decoded.words(5.0);
        assert!((words[0].1 - 0.4).abs() < 1e-6);
        assert!((decoded.confidence() - (0.95 + 0.4 + 0.95) / 3.0).abs() < 1e-5);
    }

    #[test]
    fn a_wide_gap_read_as_blanks_is_a_space() {
        // "1111" at a pitch of 2 frames, a gap of 6 frames, then "AB": "1111 AB".
        let probs = frames(&[3, 0, 3, 0, 3, 0, 3, 0, 0, 0, 0, 0, 1, 0, 2, 0], 0.9);
        let decoded = decode(&probs, 16, 5, &charset());
        assert_eq!(decoded.text(), "1111 AB");
        assert_eq!(decoded.words(16.0).len(), 2);
        // The same characters evenly spaced stay one word.
        let probs = frames(&[3, 0, 3, 0, 3, 0, 3, 0, 1, 0, 2, 0], 0.9);
        assert_eq!(decode(&probs, 12, 5, &charset()).text(), "1111AB");
        // Too few characters to know the pitch: left as read.
        let probs = frames(&[3, 0, 0, 0, 0, 0, 0, 1], 0.9);
        assert_eq!(decode(&probs, 8, 5, &charset()).text(), "1A");
    }

    #[test]
    fn spaces_at_the_ends_and_empty_or_short_outputs_give_no_words() {
        let probs = frames(&[4, 1, 4, 4], 0.9);
        let decoded = decode(&probs, 4, 5, &charset());
        assert_eq!(decoded.text(), "A");
        assert_eq!(decoded.words(4.0).len(), 1);
        let blank = decode(&frames(&[0, 0, 0], 0.9), 3, 5, &charset());
        assert!(blank.glyphs.is_empty());
        assert_eq!(blank.confidence(), 0.0);
        assert!(blank.words(3.0).is_empty());
        // Fewer numbers than frames × classes: nothing, no panic.
        assert!(decode(&[0.5; 7], 3, 5, &charset()).glyphs.is_empty());
        assert!(decode(&[], 0, 0, &charset()).glyphs.is_empty());
    }

    #[test]
    fn a_class_beyond_the_list_is_dropped_not_a_panic() {
        let probs = vec![0.1, 0.1, 0.8];
        let decoded = decode(&probs, 1, 3, &Charset::from_dict(""));
        assert!(decoded.glyphs.is_empty());
    }
}
