//! The perceptual hash: what stays close when the same receipt is re-encoded, resized,
//! slightly rotated or reframed, so a resubmitted photo is found even though its bytes differ.
//!
//! Each frame is a classic DCT pHash: the gray image squashed to 32×32, its 2-D DCT, the 8×8
//! lowest frequencies, one bit per AC coefficient above their median (64 bits, bit 0 unused).
//! Low frequencies describe the page's layout (where the text blocks are), which survives
//! re-encoding and resizing exactly. Two things were added because measurement on real receipts
//! (the print alone against transformed copies, numbers in `docs/ledger.md`) showed a single
//! whole-image hash
//! misses most rotated or cropped copies:
//! - the image is first turned upright (`upright.rs`), so a photo taken 2° off hashes like one
//!   taken straight;
//! - three frames are hashed: the whole page and the page without 3 % and 6 % of every margin.
//!   A copy cropped by a few percent then matches one of the original's inner frames (or the
//!   other way round), which a whole-page hash cannot do: the frame *is* the layout.
//!
//! Two prints are compared by the smallest distance between one's whole frame and any frame of
//! the other ([`distance`]). The layouts of two receipts of the same shop look alike too, which
//! is why the ledger only trusts a loose match when the extracted total and date agree (see
//! `claims.rs`). Computed over whatever gray image the caller has; never panics.

use std::fmt;
use std::str::FromStr;

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage};
use serde::{Deserialize, Serialize};

use super::upright::{crop_margins, upright};

/// How many frames a print has, and the margin each one leaves out.
pub const FRAMES: usize = 3;
const MARGINS: [f64; FRAMES] = [0.0, 0.03, 0.06];

/// The perceptual print of one image: 64-bit hashes of its whole upright page and of two inner
/// frames. Serialised as 3 × 16 hex digits joined by `-`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Phash {
    pub frames: [u64; FRAMES],
}

/// The perceptual print of `image`. An empty image prints as zeros.
pub fn phash(image: &GrayImage) -> Phash {
    if image.width() == 0 || image.height() == 0 {
        return Phash::default();
    }
    let page = upright(&shrink(image, INTERMEDIATE));
    Phash {
        frames: MARGINS.map(|margin| hash64(&crop_margins(&page, margin))),
    }
}

/// The smallest number of differing bits between `a`'s whole page and any frame of `b`, or
/// `b`'s whole page and any frame of `a`: a cropped copy matches the original's inner frame,
/// and an original matches its cropped copy's whole page seen from the other side.
pub fn distance(a: &Phash, b: &Phash) -> u32 {
    (0..FRAMES)
        .map(|i| hamming(a.frames[0], b.frames[i]).min(hamming(a.frames[i], b.frames[0])))
        .min()
        .unwrap_or(64)
}

/// How many of the 64 bits differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

impl fmt::Display for Phash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.frames;
        write!(f, "{a:016x}-{b:016x}-{c:016x}")
    }
}

impl FromStr for Phash {
    type Err = String;

    fn from_str(text: &str) -> Result<Phash, String> {
        let invalid = || format!("not a perceptual hash: {text:?}");
        let parts: Vec<u64> = text
            .split('-')
            .map(|part| {
                (part.len() == 16)
                    .then(|| u64::from_str_radix(part, 16).ok())
                    .flatten()
            })
            .collect::<Option<_>>()
            .ok_or_else(invalid)?;
        let frames: [u64; FRAMES] = parts.try_into().map_err(|_| invalid())?;
        Ok(Phash { frames })
    }
}

impl From<Phash> for String {
    fn from(hash: Phash) -> String {
        hash.to_string()
    }
}

impl TryFrom<String> for Phash {
    type Error = String;

    fn try_from(text: String) -> Result<Phash, String> {
        text.parse()
    }
}

/// Side of the square the image is reduced to before the DCT.
const SIDE: usize = 32;
/// Side of the block of low frequencies kept (8×8 = 64 bits).
const KEEP: usize = 8;
/// The working size, so the final reduction averages over a similar area whatever the original
/// resolution (a 4000 px photo and a 600 px scan of one receipt hash alike), and turning the
/// page upright stays cheap.
const INTERMEDIATE: u32 = 512;

/// One frame's 64-bit DCT hash.
fn hash64(image: &GrayImage) -> u64 {
    if image.width() == 0 || image.height() == 0 {
        return 0;
    }
    bits_above_median(&low_frequencies(&reduce(image)))
}

/// At most `longest` pixels on the longest side. Goes through `DynamicImage` so resampling runs
/// in the optimised `image` crate rather than in a generic instantiated here.
fn shrink(image: &GrayImage, longest: u32) -> GrayImage {
    let current = image.width().max(image.height());
    if current <= longest {
        return image.clone();
    }
    let scale = longest as f64 / current as f64;
    let width = ((image.width() as f64 * scale).round() as u32).max(1);
    let height = ((image.height() as f64 * scale).round() as u32).max(1);
    DynamicImage::ImageLuma8(image.clone())
        .resize_exact(width, height, FilterType::Triangle)
        .to_luma8()
}

/// `SIDE`×`SIDE` gray pixels as f64, row-major.
fn reduce(image: &GrayImage) -> Vec<f64> {
    let square = DynamicImage::ImageLuma8(image.clone())
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
        assert!(distance(&phash(&original), &phash(&smaller)) <= 4);
    }

    #[test]
    fn a_copy_cropped_by_a_few_percent_matches_an_inner_frame() {
        let original = receipt(600, 1400, 7);
        let cropped = DynamicImage::ImageLuma8(original.clone())
            .crop_imm(36, 84, 600 - 72, 1400 - 168)
            .to_luma8();
        let (a, b) = (phash(&original), phash(&cropped));
        assert!(distance(&a, &b) <= 4, "distance {}", distance(&a, &b));
        assert!(distance(&a, &b) < hamming(a.frames[0], b.frames[0]));
        assert_eq!(distance(&a, &b), distance(&b, &a));
    }

    #[test]
    fn different_layouts_hash_far_apart() {
        let a = phash(&receipt(600, 1400, 7));
        let b = phash(&receipt(600, 1400, 12345));
        assert!(distance(&a, &b) > 12, "distance {}", distance(&a, &b));
    }

    #[test]
    fn degenerate_images_do_not_panic() {
        assert_eq!(phash(&GrayImage::new(0, 0)), Phash::default());
        phash(&GrayImage::new(1, 1));
        phash(&GrayImage::new(1, 5000));
        phash(&GrayImage::new(5000, 3));
        // A blank page has every AC coefficient equal: no bit is above the median.
        let blank = phash(&GrayImage::from_pixel(64, 64, Luma([255])));
        assert_eq!(blank, Phash::default());
    }

    #[test]
    fn text_form_round_trips() {
        let hash = Phash {
            frames: [0, u64::MAX, 0x0123_4567_89ab_cdef],
        };
        let text = hash.to_string();
        assert_eq!(text, "0000000000000000-ffffffffffffffff-0123456789abcdef");
        assert_eq!(text.parse::<Phash>(), Ok(hash));
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(serde_json::from_str::<Phash>(&json).unwrap(), hash);
        for bad in ["", "xyz", "00-00-00", &text[..33]] {
            assert!(bad.parse::<Phash>().is_err(), "{bad}");
        }
    }
}
