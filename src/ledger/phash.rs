//! The perceptual hash: 64 bits that stay close when the same receipt is re-encoded, resized,
//! slightly rotated or reframed, so a resubmitted photo is found even though its bytes differ.
//!
//! This is the classic DCT pHash: the whole image squashed to 32×32 gray, its 2-D DCT, the 8×8
//! lowest frequencies, one bit per coefficient above their median. It was chosen by measurement
//! (`scripts/near-dup-eval`, numbers in `docs/ledger.md`) over dHash, block means and variants
//! that first trim to the ink or deskew: on scanned receipts those normalisations moved the frame
//! more than they steadied it. Low frequencies describe the page's layout (where the text blocks
//! are), which survives re-encoding and resizing exactly and small rotations and crops mostly;
//! they also look alike for two receipts of the same shop, which is why the ledger only trusts a
//! loose match when the extracted total and date agree too (see `claims.rs`).
//!
//! The hash is computed over whatever gray image the caller has (the decoded photo); it never
//! panics, whatever the size.

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage};

/// Side of the square the image is reduced to before the DCT.
const SIDE: usize = 32;
/// Side of the block of low frequencies kept (8×8 = 64 bits).
const KEEP: usize = 8;
/// An intermediate size, so the final reduction averages over a similar area whatever the
/// original resolution (a 4000 px photo and a 600 px scan of one receipt hash alike).
const INTERMEDIATE: u32 = 512;

/// The 64-bit perceptual hash of `image`. An empty image hashes to 0.
pub fn phash(image: &GrayImage) -> u64 {
    if image.width() == 0 || image.height() == 0 {
        return 0;
    }
    let small = reduce(image);
    let coefficients = low_frequencies(&small);
    bits_above_median(&coefficients)
}

/// How many of the 64 bits differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Hex form for JSON and CSV (SQLite stores the integer).
pub fn to_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

pub fn from_hex(text: &str) -> Option<u64> {
    (text.len() == 16)
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

/// `SIDE`×`SIDE` gray pixels as f64, row-major. Goes through `DynamicImage` so the resampling
/// runs in the optimised `image` crate rather than a generic instantiated here.
fn reduce(image: &GrayImage) -> Vec<f64> {
    let dynamic = DynamicImage::ImageLuma8(image.clone());
    let longest = image.width().max(image.height());
    let intermediate = if longest > INTERMEDIATE {
        let scale = INTERMEDIATE as f64 / longest as f64;
        let width = ((image.width() as f64 * scale).round() as u32).max(1);
        let height = ((image.height() as f64 * scale).round() as u32).max(1);
        dynamic.resize_exact(width, height, FilterType::Triangle)
    } else {
        dynamic
    };
    let square = intermediate
        .resize_exact(SIDE as u32, SIDE as u32, FilterType::Triangle)
        .to_luma8();
    square.as_raw().iter().map(|&p| f64::from(p)).collect()
}

/// The `KEEP`×`KEEP` lowest DCT-II coefficients of a `SIDE`×`SIDE` block, row-major (the first
/// is the mean). Separable: rows first, then the kept columns.
fn low_frequencies(pixels: &[f64]) -> Vec<f64> {
    let basis = dct_basis();
    let mut rows = vec![0.0; SIDE * KEEP];
    for y in 0..SIDE {
        let line = &pixels[y * SIDE..(y + 1) * SIDE];
        for k in 0..KEEP {
            rows[y * KEEP + k] = dot(line, &basis[k]);
        }
    }
    let mut out = vec![0.0; KEEP * KEEP];
    let mut column = [0.0; SIDE];
    for x in 0..KEEP {
        for (y, value) in column.iter_mut().enumerate() {
            *value = rows[y * KEEP + x];
        }
        for k in 0..KEEP {
            out[k * KEEP + x] = dot(&column, &basis[k]);
        }
    }
    out
}

/// `basis[k][i] = cos(π k (i + ½) / SIDE)`.
fn dct_basis() -> Vec<[f64; SIDE]> {
    (0..KEEP)
        .map(|k| {
            let mut row = [0.0; SIDE];
            for (i, value) in row.iter_mut().enumerate() {
                *value = (std::f64::consts::PI * k as f64 * (i as f64 + 0.5) / SIDE as f64).cos();
            }
            row
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Bit `i` is set when AC coefficient `i` is above their median; the mean (DC) term, bit 0, is
/// left out because it only says how bright the photo is (it would always be set). Differences below a
/// tiny tolerance are rounding noise, not picture: a flat page hashes to 0.
fn bits_above_median(coefficients: &[f64]) -> u64 {
    let mut sorted: Vec<f64> = coefficients[1..].to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let noise = 1e-9 * (1.0 + coefficients[0].abs());
    coefficients
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, &c)| c - median > noise)
        .fold(0u64, |hash, (i, _)| hash | (1 << i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A synthetic receipt: white paper, dark "text lines" whose lengths follow `seed`.
    fn receipt(width: u32, height: u32, seed: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(width, height, Luma([250]));
        let line_height = (height / 40).max(2);
        for line in 0..30u32 {
            let length = (seed.wrapping_mul(2654435761).rotate_left(line) % 70 + 20) * width / 100;
            let top = line_height * (line + 3);
            for y in top..(top + line_height / 2).min(height) {
                for x in width / 20..(width / 20 + length).min(width) {
                    img.put_pixel(x, y, Luma([30]));
                }
            }
        }
        img
    }

    fn resize(img: &GrayImage, width: u32, height: u32) -> GrayImage {
        DynamicImage::ImageLuma8(img.clone())
            .resize_exact(width, height, FilterType::Triangle)
            .to_luma8()
    }

    #[test]
    fn a_resized_copy_hashes_almost_alike() {
        let original = receipt(600, 1400, 7);
        let smaller = resize(&original, 330, 770);
        assert!(hamming(phash(&original), phash(&smaller)) <= 4);
    }

    #[test]
    fn different_layouts_hash_far_apart() {
        let a = phash(&receipt(600, 1400, 7));
        let b = phash(&receipt(600, 1400, 12345));
        assert!(hamming(a, b) > 12, "distance {}", hamming(a, b));
    }

    #[test]
    fn degenerate_images_do_not_panic() {
        assert_eq!(phash(&GrayImage::new(0, 0)), 0);
        phash(&GrayImage::new(1, 1));
        phash(&GrayImage::new(1, 5000));
        // A blank page has every AC coefficient equal: no bit is above the median.
        assert_eq!(phash(&GrayImage::from_pixel(64, 64, Luma([255]))), 0);
    }

    #[test]
    fn hex_round_trips() {
        for hash in [0, 1, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(from_hex(&to_hex(hash)), Some(hash));
        }
        assert_eq!(from_hex("xyz"), None);
        assert_eq!(from_hex("0123"), None);
    }
}
