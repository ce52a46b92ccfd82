//! Synthetic receipt photos for tests: the geometry is known exactly, so crop, deskew, scaling
//! and the quality measures can be checked against it.

use image::{GrayImage, Luma};

/// A white receipt with lines of glyph-like marks on a dark table.
#[derive(Clone, Debug)]
pub struct Scene {
    pub table: (u32, u32),
    pub paper: (u32, u32),
    /// Capital height of the marks, in pixels.
    pub text_height: u32,
    /// Rotation of the paper on the table, degrees (clockwise, y pointing down).
    pub degrees: f32,
    pub table_level: u8,
    pub paper_level: u8,
    pub ink_level: u8,
}

impl Scene {
    pub fn photo(text_height: u32, degrees: f32) -> Scene {
        Scene {
            table: (1800, 2200),
            paper: (1100, 1400),
            text_height,
            degrees,
            table_level: 60,
            // Phones expose white paper as light gray.
            paper_level: 205,
            ink_level: 30,
        }
    }

    /// A straight scan: the paper is the whole image.
    pub fn scan(width: u32, height: u32, text_height: u32) -> Scene {
        Scene {
            table: (width, height),
            paper: (width, height),
            text_height,
            degrees: 0.0,
            table_level: 255,
            paper_level: 250,
            ink_level: 20,
        }
    }

    /// Margin between the paper's edge and its print.
    pub fn margin(&self) -> u32 {
        2 * self.text_height
    }

    pub fn line_pitch(&self) -> u32 {
        self.text_height * 8 / 5
    }

    pub fn render(&self) -> GrayImage {
        let (sin, cos) = self.degrees.to_radians().sin_cos();
        let centre = (self.table.0 as f32 / 2.0, self.table.1 as f32 / 2.0);
        GrayImage::from_fn(self.table.0, self.table.1, |x, y| {
            // Paper coordinates: undo the rotation about the table's centre.
            let (dx, dy) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
            let u = dx * cos + dy * sin + self.paper.0 as f32 / 2.0;
            let v = -dx * sin + dy * cos + self.paper.1 as f32 / 2.0;
            let on_paper =
                u >= 0.0 && v >= 0.0 && u < self.paper.0 as f32 && v < self.paper.1 as f32;
            let level = if !on_paper {
                // A little texture, as on wood or cloth.
                self.table_level
                    .saturating_add(((x * 7 + y * 13) % 11) as u8)
            } else if self.is_ink(u as u32, v as u32) {
                self.ink_level
            } else {
                self.paper_level
            };
            Luma([level])
        })
    }

    /// Print in paper coordinates: lines of 4-letter words, each letter a frame-like mark
    /// (bars top and bottom, a stem left, a second stem for every other letter).
    fn is_ink(&self, u: u32, v: u32) -> bool {
        let (h, margin) = (self.text_height, self.margin());
        if u < margin || v < margin || u >= self.paper.0 - margin || v >= self.paper.1 - margin {
            return false;
        }
        let (u, v) = (u - margin, v - margin);
        let line = v / self.line_pitch();
        let row = v % self.line_pitch();
        let letter_width = h * 3 / 5;
        let advance = h * 4 / 5;
        let letter = u / advance;
        let column = u % advance;
        let is_space = (letter + line) % 5 == 4;
        if row >= h || column >= letter_width || is_space {
            return false;
        }
        let stroke = (h / 7).max(2);
        let bar = row < stroke || row >= h - stroke;
        let stem = column < stroke;
        let second_stem = letter % 2 == 0 && column >= letter_width - stroke;
        bar || stem || second_stem
    }
}

/// `gray` with `f` applied to every pixel.
pub fn map(gray: &GrayImage, f: impl Fn(u8) -> u8) -> GrayImage {
    let mut out = gray.clone();
    out.iter_mut().for_each(|p| *p = f(*p));
    out
}
