//! Finding the receipt on a larger picture, so OCR reads the receipt and nothing else.
//!
//! The receipt is where the print is, on the paper: a phone photo shows bright paper on a
//! darker table, a flatbed scan white paper on a white lid, sometimes a small receipt in the
//! middle of an A4 page with dust specks around it. Both are found on a small copy (fast, and
//! it averages away JPEG noise), from row and column profiles rather than contours: receipts
//! are upright rectangles give or take a few degrees, and profiles are robust to specks, logos
//! and folds. Cropping only happens when the receipt is a small part of the picture (see
//! [`WORTH_CROPPING`]: measured, cropping pictures that are mostly receipt cost accuracy).

use image::{imageops, GrayImage};

/// Longest side of the copy the receipt is looked for on.
const WORK_SIDE: u32 = 600;
/// A column or row belongs to the paper when at least this share of its pixels is bright,
/// relative to the brightest column or row.
const PAPER_SHARE: f32 = 0.5;
/// A row or column carries print when at least this share of its pixels is ink.
const INK_SHARE: f32 = 0.01;
/// Print separated by less than this share of the page still belongs to the same receipt
/// (a logo, a blank line between header and items, the gap above the footer).
const MAX_GAP_SHARE: f32 = 0.08;
/// Margin kept around what was found, as a share of its size (plus a fixed few pixels).
const MARGIN_SHARE: f32 = 0.03;
/// Crop only when the print takes less than this share of the picture: a small receipt in the
/// middle of an A4 page, or photographed from far. Pictures that are mostly receipt read better
/// whole: trimming SROIE scans' margins changed nothing but noise, and cropping the sample
/// photos to their paper lost 4 of 13 receipts' items to misread prices (69.2 % of item lists
/// right whole, 38.5 % cropped), as Tesseract's global threshold shifts without the table.
const WORTH_CROPPING: f32 = 0.35;
/// The print found must hold at least this share of all the ink on the paper; otherwise the
/// profiles were fooled (shaded paper, a dark border, print in separate blocks) and the safe
/// answer is the whole paper.
const MIN_INK_KEPT: f32 = 0.9;

/// A rectangle in source pixels: x, y, width, height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Where the receipt is on `gray`, or `None` when the picture is already (about) the receipt.
pub fn find_receipt(gray: &GrayImage) -> Option<Region> {
    locate(gray).map(|found| found.region)
}

/// The receipt cut out of `gray`, with the table around a photographed receipt painted the
/// paper's own gray (white would be worse: Tesseract's global threshold would then split white
/// from gray paper and read the whole receipt as one black blob);
/// `gray` itself when it is already (about) the receipt. The table must go, not just most of
/// it: a dark strip left along the paper's edge beside the price column makes Tesseract take
/// the column for part of a picture and drop it (seen on a sample photo: every price lost).
pub fn isolate_receipt(gray: GrayImage) -> GrayImage {
    let Some(found) = locate(&gray) else {
        return gray;
    };
    let Region {
        x,
        y,
        width,
        height,
    } = found.region;
    let mut receipt = imageops::crop_imm(&gray, x, y, width, height).to_image();
    let background = found.background();
    let paper = found.paper_level();
    let (sx, sy) = (
        found.small.width() as f64 / gray.width() as f64,
        found.small.height() as f64 / gray.height() as f64,
    );
    for (px, py, pixel) in receipt.enumerate_pixels_mut() {
        let small_x = (((x + px) as f64 + 0.5) * sx) as u32;
        let small_y = (((y + py) as f64 + 0.5) * sy) as u32;
        let at = (small_y.min(found.small.height() - 1) * found.small.width()
            + small_x.min(found.small.width() - 1)) as usize;
        if background[at] {
            pixel[0] = paper;
        }
    }
    receipt
}

/// What [`locate`] found, with what it was found on.
struct Located {
    region: Region,
    small: GrayImage,
    threshold: u8,
}

impl Located {
    /// The typical paper gray: the median of the small copy's light pixels.
    fn paper_level(&self) -> u8 {
        let mut light: Vec<u8> = self
            .small
            .as_raw()
            .iter()
            .copied()
            .filter(|&p| p > self.threshold)
            .collect();
        if light.is_empty() {
            return 255;
        }
        let middle = light.len() / 2;
        *light.select_nth_unstable(middle).1
    }

    /// Whether most of the ink in `region` (still on the small copy) is background: what the
    /// profiles took for print is a dark patch reaching the picture's edge (a torn corner, the
    /// scanner lid showing past a faint scan whose print is lighter than that patch), and
    /// cropping to it would throw the receipt away.
    fn mostly_background(&self) -> bool {
        let background = self.background();
        let width = self.small.width();
        let (mut ink, mut outside) = (0u32, 0u32);
        for y in self.region.y..self.region.y + self.region.height {
            for x in self.region.x..self.region.x + self.region.width {
                if self.small.get_pixel(x, y)[0] <= self.threshold {
                    ink += 1;
                    outside += u32::from(background[(y * width + x) as usize]);
                }
            }
        }
        outside * 2 > ink
    }

    /// Pixels of the small copy that are background: dark and connected to the picture's edge
    /// (a table, a scanner lid), grown by one pixel so the paper's blurred edge goes too. Print
    /// on the paper is never connected to the edge through dark pixels: the paper's margin
    /// separates them.
    fn background(&self) -> Vec<bool> {
        let (w, h) = (self.small.width() as usize, self.small.height() as usize);
        let dark: Vec<bool> = self
            .small
            .as_raw()
            .iter()
            .map(|&p| p <= self.threshold)
            .collect();
        let mut seen = vec![false; w * h];
        let mut stack: Vec<usize> = (0..w)
            .flat_map(|x| [x, (h - 1) * w + x])
            .chain((0..h).flat_map(|y| [y * w, y * w + w - 1]))
            .filter(|&at| dark[at])
            .collect();
        while let Some(at) = stack.pop() {
            if seen[at] {
                continue;
            }
            seen[at] = true;
            let (x, y) = (at % w, at / w);
            let around = [
                (x > 0).then(|| at - 1),
                (x + 1 < w).then(|| at + 1),
                (y > 0).then(|| at - w),
                (y + 1 < h).then(|| at + w),
            ];
            stack.extend(
                around
                    .into_iter()
                    .flatten()
                    .filter(|&n| dark[n] && !seen[n]),
            );
        }
        grow(&seen, w, h)
    }
}

/// `mask` with every pixel next to a set one set too.
fn grow(mask: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut grown = mask.to_vec();
    for y in 0..h {
        for x in 0..w {
            if mask[y * w + x] {
                for (nx, ny) in [
                    (x.wrapping_sub(1), y),
                    (x + 1, y),
                    (x, y.wrapping_sub(1)),
                    (x, y + 1),
                ] {
                    if nx < w && ny < h {
                        grown[ny * w + nx] = true;
                    }
                }
            }
        }
    }
    grown
}

fn locate(gray: &GrayImage) -> Option<Located> {
    let (width, height) = gray.dimensions();
    if width < 32 || height < 32 {
        return None;
    }
    let scale = (WORK_SIDE as f32 / width.max(height) as f32).min(1.0);
    let small_w = ((width as f32 * scale).round() as u32).max(1);
    let small_h = ((height as f32 * scale).round() as u32).max(1);
    let small = imageops::thumbnail(gray, small_w, small_h);
    let threshold = otsu(&small)?;
    let share = |region: Region| (region.width * region.height) as f32 / (small_w * small_h) as f32;
    let paper = paper_region(&small, threshold);
    let ink_on_paper = ink_in(&small, threshold, paper);
    let found = print_region(&small, threshold, paper)
        .filter(|&print| ink_in(&small, threshold, print) >= MIN_INK_KEPT * ink_on_paper)
        .map(|print| with_margin(print, small_w, small_h))
        .filter(|&print| share(print) < WORTH_CROPPING)?;
    let located = Located {
        region: found,
        small,
        threshold,
    };
    if located.mostly_background() {
        return None;
    }
    Some(Located {
        region: to_source(found, width, height, small_w, small_h),
        ..located
    })
}

/// Otsu's threshold: the gray level that best splits the histogram in two classes.
/// `None` on a flat picture (nothing to split).
pub fn otsu(gray: &GrayImage) -> Option<u8> {
    let mut histogram = [0u64; 256];
    for &p in gray.as_raw() {
        histogram[p as usize] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(level, &n)| level as f64 * n as f64)
        .sum();
    let (mut weight_dark, mut sum_dark) = (0u64, 0f64);
    let mut best: Option<(f64, u8)> = None;
    for (level, &n) in histogram.iter().enumerate() {
        weight_dark += n;
        sum_dark += level as f64 * n as f64;
        let weight_light = total - weight_dark;
        if weight_dark == 0 || weight_light == 0 {
            continue;
        }
        let mean_dark = sum_dark / weight_dark as f64;
        let mean_light = (sum_all - sum_dark) / weight_light as f64;
        let between = weight_dark as f64 * weight_light as f64 * (mean_dark - mean_light).powi(2);
        if best.is_none_or(|(score, _)| between > score) {
            best = Some((between, level as u8));
        }
    }
    best.map(|(_, level)| level)
}

/// The bright paper's bounding box on a photo; the whole picture on a scan (paper everywhere).
fn paper_region(small: &GrayImage, threshold: u8) -> Region {
    let (width, height) = small.dimensions();
    let bright = |x: u32, y: u32| small.get_pixel(x, y)[0] > threshold;
    let columns: Vec<u32> = (0..width)
        .map(|x| (0..height).filter(|&y| bright(x, y)).count() as u32)
        .collect();
    let rows: Vec<u32> = (0..height)
        .map(|y| (0..width).filter(|&x| bright(x, y)).count() as u32)
        .collect();
    let (x0, x1) = span_above(&columns, PAPER_SHARE).unwrap_or((0, width));
    let (y0, y1) = span_above(&rows, PAPER_SHARE).unwrap_or((0, height));
    Region {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    }
}

/// How many ink pixels `region` holds.
fn ink_in(small: &GrayImage, threshold: u8, region: Region) -> f32 {
    let mut count = 0u32;
    for y in region.y..region.y + region.height {
        for x in region.x..region.x + region.width {
            count += u32::from(small.get_pixel(x, y)[0] <= threshold);
        }
    }
    count as f32
}

/// First and last index (end exclusive) whose value reaches `share` of the largest value.
fn span_above(profile: &[u32], share: f32) -> Option<(u32, u32)> {
    let max = *profile.iter().max()?;
    if max == 0 {
        return None;
    }
    let floor = (max as f32 * share).ceil() as u32;
    let first = profile.iter().position(|&v| v >= floor)?;
    let last = profile.iter().rposition(|&v| v >= floor)?;
    Some((first as u32, last as u32 + 1))
}

/// The densest block of print inside `paper`: rows first, then the columns of those rows.
fn print_region(small: &GrayImage, threshold: u8, paper: Region) -> Option<Region> {
    let ink = |x: u32, y: u32| small.get_pixel(x, y)[0] <= threshold;
    let inside_x = paper.x..paper.x + paper.width;
    let rows: Vec<u32> = (paper.y..paper.y + paper.height)
        .map(|y| inside_x.clone().filter(|&x| ink(x, y)).count() as u32)
        .collect();
    let (y0, y1) = densest_span(&rows, paper.width, paper.height)?;
    let (y0, y1) = (paper.y + y0, paper.y + y1);
    let columns: Vec<u32> = inside_x
        .clone()
        .map(|x| (y0..y1).filter(|&y| ink(x, y)).count() as u32)
        .collect();
    let (x0, x1) = densest_span(&columns, y1 - y0, paper.width)?;
    Some(Region {
        x: paper.x + x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    })
}

/// Indices whose ink count marks them as print, grouped into runs separated by gaps shorter
/// than [`MAX_GAP_SHARE`] of `extent`; the run with the most ink wins, so a speck or a stray
/// pen mark far from the receipt is left out.
fn densest_span(profile: &[u32], across: u32, extent: u32) -> Option<(u32, u32)> {
    let floor = ((across as f32 * INK_SHARE).ceil() as u32).max(2);
    let max_gap = ((extent as f32 * MAX_GAP_SHARE).round() as usize).max(2);
    let mut best: Option<(u64, usize, usize)> = None;
    let mut current: Option<(u64, usize, usize)> = None;
    for (i, &count) in profile.iter().enumerate() {
        if count < floor {
            continue;
        }
        current = match current {
            Some((ink, start, end)) if i - end <= max_gap => Some((ink + count as u64, start, i)),
            other => {
                best = denser(best, other);
                Some((count as u64, i, i))
            }
        };
    }
    best = denser(best, current);
    best.map(|(_, start, end)| (start as u32, end as u32 + 1))
}

fn denser(
    a: Option<(u64, usize, usize)>,
    b: Option<(u64, usize, usize)>,
) -> Option<(u64, usize, usize)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 > x.0 { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

fn with_margin(region: Region, width: u32, height: u32) -> Region {
    let mx = (region.width as f32 * MARGIN_SHARE).round() as u32 + 3;
    let my = (region.height as f32 * MARGIN_SHARE).round() as u32 + 3;
    let x0 = region.x.saturating_sub(mx);
    let y0 = region.y.saturating_sub(my);
    let x1 = (region.x + region.width + mx).min(width);
    let y1 = (region.y + region.height + my).min(height);
    Region {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    }
}

/// Map a region on the small copy back to source pixels, rounding outwards.
fn to_source(region: Region, width: u32, height: u32, small_w: u32, small_h: u32) -> Region {
    let sx = width as f64 / small_w as f64;
    let sy = height as f64 / small_h as f64;
    let x0 = (region.x as f64 * sx).floor() as u32;
    let y0 = (region.y as f64 * sy).floor() as u32;
    let x1 = (((region.x + region.width) as f64 * sx).ceil() as u32).min(width);
    let y1 = (((region.y + region.height) as f64 * sy).ceil() as u32).min(height);
    Region {
        x: x0,
        y: y0,
        width: (x1 - x0).max(1),
        height: (y1 - y0).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn fill(image: &mut GrayImage, x0: u32, y0: u32, x1: u32, y1: u32, level: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                image.put_pixel(x, y, Luma([level]));
            }
        }
    }

    /// Lines of "print" (dark bars) between `y0` and `y1`, `x0`..`x1` wide.
    fn print_lines(image: &mut GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) {
        let mut y = y0;
        while y + 6 < y1 {
            fill(image, x0, y, x1, y + 6, 20);
            y += 14;
        }
    }

    #[test]
    fn receipt_far_away_on_a_table_is_cropped_to_its_print() {
        let mut photo = GrayImage::from_pixel(1200, 1600, Luma([70]));
        fill(&mut photo, 400, 200, 800, 1400, 225);
        print_lines(&mut photo, 430, 260, 770, 1340);
        let region = find_receipt(&photo).expect("a receipt on a table");
        assert!(region.x >= 350 && region.x <= 430, "{region:?}");
        assert!(region.y >= 150 && region.y <= 260, "{region:?}");
        assert!(
            region.x + region.width >= 770 && region.x + region.width <= 850,
            "{region:?}"
        );
        assert!(
            region.y + region.height >= 1340 && region.y + region.height <= 1450,
            "{region:?}"
        );
    }

    #[test]
    fn small_receipt_on_an_a4_scan_is_cropped_to_its_print_not_to_specks() {
        let mut scan = GrayImage::from_pixel(2480, 3508, Luma([250]));
        print_lines(&mut scan, 900, 500, 1500, 1700);
        for (x, y) in [(100, 100), (2300, 3300), (200, 3000), (2000, 400)] {
            fill(&mut scan, x, y, x + 8, y + 8, 30);
        }
        let region = find_receipt(&scan).expect("a receipt on a scan");
        assert!(region.x >= 800 && region.x <= 900, "{region:?}");
        assert!(
            region.x + region.width >= 1500 && region.x + region.width <= 1600,
            "{region:?}"
        );
        assert!(region.y >= 400 && region.y <= 500, "{region:?}");
        assert!(
            region.y + region.height >= 1700 && region.y + region.height <= 1800,
            "{region:?}"
        );
    }

    /// Regression: a dark strip of table left beside the price column made Tesseract drop
    /// every price of a sample photo (maximarche-nantes-20240405, when photos were still
    /// cropped to their paper); a far-away receipt's crop has the same margin of table.
    #[test]
    fn the_table_around_a_photographed_receipt_is_painted_like_the_paper() {
        let mut photo = GrayImage::from_pixel(1200, 1600, Luma([70]));
        fill(&mut photo, 400, 200, 800, 1400, 225);
        print_lines(&mut photo, 430, 260, 770, 1340);
        let receipt = isolate_receipt(photo);
        assert!(
            receipt.width() < 500 && receipt.height() < 1300,
            "{:?}",
            receipt.dimensions()
        );
        let table_left = receipt.as_raw().iter().filter(|&&p| p == 70).count();
        assert_eq!(table_left, 0, "no pixel of the table is left");
        assert_eq!(receipt.get_pixel(0, 0)[0], 225, "the table became paper");
        let darkest = receipt.as_raw().iter().min().copied();
        assert_eq!(darkest, Some(20), "the print is kept");
    }

    /// Regression: a faint flatbed scan whose print is lighter than a torn corner showing the
    /// dark lid was cropped to that corner, and the receipt was refused as no receipt at all.
    #[test]
    fn a_dark_corner_of_a_faint_scan_is_not_taken_for_the_receipt() {
        let mut scan = GrayImage::from_pixel(900, 2600, Luma([245]));
        for y in (100..2500).step_by(14) {
            fill(&mut scan, 100, y, 800, y + 2, 200);
        }
        fill(&mut scan, 840, 0, 900, 300, 5);
        assert_eq!(find_receipt(&scan), None);
    }

    #[test]
    fn a_picture_that_is_the_receipt_is_returned_as_it_is() {
        let mut scan = GrayImage::from_pixel(600, 1500, Luma([245]));
        print_lines(&mut scan, 20, 20, 580, 1480);
        assert_eq!(isolate_receipt(scan.clone()), scan);
    }

    #[test]
    fn a_tight_scan_is_left_alone() {
        let mut scan = GrayImage::from_pixel(600, 1500, Luma([245]));
        print_lines(&mut scan, 20, 20, 580, 1480);
        assert_eq!(find_receipt(&scan), None);
    }

    #[test]
    fn header_separated_by_a_blank_band_stays_with_the_body() {
        let mut scan = GrayImage::from_pixel(2000, 3000, Luma([250]));
        print_lines(&mut scan, 800, 300, 1200, 360);
        print_lines(&mut scan, 800, 500, 1200, 1500);
        let region = find_receipt(&scan).expect("cropped");
        assert!(region.y <= 300, "the header must be kept: {region:?}");
    }

    #[test]
    fn flat_tiny_and_empty_pictures_are_not_cropped() {
        assert_eq!(
            find_receipt(&GrayImage::from_pixel(800, 800, Luma([255]))),
            None
        );
        assert_eq!(
            find_receipt(&GrayImage::from_pixel(800, 800, Luma([0]))),
            None
        );
        assert_eq!(find_receipt(&GrayImage::new(3, 3)), None);
        assert_eq!(find_receipt(&GrayImage::new(0, 0)), None);
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut image = GrayImage::from_pixel(10, 10, Luma([240]));
        fill(&mut image, 0, 0, 10, 3, 30);
        let t = otsu(&image).unwrap();
        assert!((30..240).contains(&t), "{t}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Whatever the picture, a found region lies inside it and is not empty.
        #[test]
        fn any_picture_gives_a_region_inside_it_or_none(
            width in 0u32..300,
            height in 0u32..300,
            seed in proptest::prelude::any::<u64>(),
            blocks in proptest::collection::vec((0u32..300, 0u32..300, 1u32..120, 1u32..120, 0u8..=255), 0..6),
        ) {
            let mut image = GrayImage::from_pixel(width, height, Luma([(seed % 256) as u8]));
            for (x, y, w, h, level) in blocks {
                fill(&mut image, x.min(width), y.min(height), (x + w).min(width), (y + h).min(height), level);
            }
            if let Some(region) = find_receipt(&image) {
                proptest::prop_assert!(region.width > 0 && region.height > 0);
                proptest::prop_assert!(region.x + region.width <= width);
                proptest::prop_assert!(region.y + region.height <= height);
            }
        }
    }
}
