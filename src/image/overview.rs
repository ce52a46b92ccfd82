//! A small copy of the page to analyse.
//!
//! Finding the receipt, its skew and its text size needs far fewer pixels than OCR: a copy whose
//! longest side is about 1600 px keeps capitals 8 px tall or more for any usual photo or scan,
//! while working on a 35-MP A4 scan at full size would cost as much as recognising it.

use image::GrayImage;

/// Longest side of the analysis copy.
pub const OVERVIEW_MAX_SIDE: u32 = 1600;

/// The analysis copy and how it maps back to the source.
pub struct Overview {
    pub image: GrayImage,
    /// Source pixels per overview pixel, on each axis.
    pub factor: u32,
}

impl Overview {
    pub fn of(gray: &GrayImage) -> Overview {
        let longest = gray.width().max(gray.height());
        let factor = longest.div_ceil(OVERVIEW_MAX_SIDE).max(1);
        Overview {
            image: box_shrink(gray, factor),
            factor,
        }
    }
}

/// Average `factor`×`factor` blocks (edge blocks average what they have): the cheapest shrink
/// that does not alias, one pass over the source.
pub fn box_shrink(gray: &GrayImage, factor: u32) -> GrayImage {
    if factor <= 1 || gray.width() == 0 || gray.height() == 0 {
        return gray.clone();
    }
    let (width, height) = gray.dimensions();
    let (out_width, out_height) = (width.div_ceil(factor), height.div_ceil(factor));
    let step = factor as usize;
    let mut out = Vec::with_capacity(out_width as usize * out_height as usize);
    let mut sums = vec![0u32; out_width as usize];
    for block_row in gray.as_raw().chunks(width as usize * step) {
        sums.fill(0);
        for row in block_row.chunks(width as usize) {
            for (sum, block) in sums.iter_mut().zip(row.chunks(step)) {
                *sum += block.iter().map(|&p| p as u32).sum::<u32>();
            }
        }
        let rows = (block_row.len() / width as usize) as u32;
        for (x, &sum) in sums.iter().enumerate() {
            let cols = (width - x as u32 * factor).min(factor);
            let count = rows * cols;
            out.push(((sum + count / 2) / count) as u8);
        }
    }
    GrayImage::from_raw(out_width, out_height, out).expect("buffer has the computed size")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_shrink_averages_blocks_including_partial_edges() {
        let gray = GrayImage::from_fn(5, 3, |x, _| image::Luma([if x < 2 { 0 } else { 200 }]));
        let small = box_shrink(&gray, 2);
        assert_eq!(small.dimensions(), (3, 2));
        assert_eq!(small.get_pixel(0, 0)[0], 0);
        assert_eq!(small.get_pixel(1, 1)[0], 200);
        assert_eq!(
            small.get_pixel(2, 1)[0],
            200,
            "partial block averages its own pixels"
        );
    }

    #[test]
    fn overview_bounds_the_longest_side() {
        let gray = GrayImage::new(4000, 3000);
        let overview = Overview::of(&gray);
        assert_eq!(overview.factor, 3);
        assert!(overview.image.width() <= OVERVIEW_MAX_SIDE);
    }
}
