//! Ink: which pixels are print, and the blobs they form.
//!
//! Receipts are photographed under uneven light, so a single global threshold loses the dim
//! half of the page. Sauvola's local threshold compares each pixel with the mean and spread of
//! its neighbourhood: on flat paper (small spread) only clearly darker pixels count as ink,
//! near text the threshold follows the local contrast. The blobs (8-connected ink components)
//! are what layout, skew and text size are read from.

use image::GrayImage;

/// Sauvola's sensitivity: higher keeps less faint ink; 0.3 ignores paper texture and JPEG
/// noise on photos while keeping thermal print.
const SAUVOLA_K: f64 = 0.3;
/// Sauvola's dynamic range of the standard deviation is 128 for 8-bit images; faded thermal
/// receipts never reach it, so the range is taken from the image itself (the 99th percentile
/// of local deviations, as Wolf and Jolion do), within these bounds.
const MAX_RANGE: f64 = 128.0;
const MIN_RANGE: f64 = 16.0;
/// Local deviations are sampled every few pixels to find the range: enough for a percentile.
const RANGE_SAMPLE_STEP: u32 = 4;

/// A binary image: `true` where there is ink.
pub struct InkMask {
    pub width: u32,
    pub height: u32,
    pub ink: Vec<bool>,
}

/// Ink pixels of `gray` by Sauvola's threshold over a (2·radius+1)² window.
pub fn sauvola(gray: &GrayImage, radius: u32) -> InkMask {
    let (width, height) = gray.dimensions();
    let integral = Integral::of(gray);
    let window = |x: u32, y: u32| {
        let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(width));
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(height));
        integral.mean_and_variance(x0, y0, x1, y1)
    };
    let range = deviation_range(width, height, |x, y| window(x, y).1.sqrt());
    let pixels = gray.as_raw();
    let mut ink = Vec::with_capacity(pixels.len());
    for y in 0..height {
        for x in 0..width {
            // p < m·(1 + k·(s/R − 1))  ⇔  p − m·(1 − k) < (m·k/R)·s, squared to skip the root.
            let (mean, variance) = window(x, y);
            let excess = pixels[(y * width + x) as usize] as f64 - mean * (1.0 - SAUVOLA_K);
            let slope = mean * SAUVOLA_K / range;
            ink.push(excess < 0.0 || excess * excess < slope * slope * variance);
        }
    }
    InkMask { width, height, ink }
}

/// The contrast range of the page: the 99th percentile of sampled local deviations.
fn deviation_range(width: u32, height: u32, deviation: impl Fn(u32, u32) -> f64) -> f64 {
    let mut samples: Vec<f64> = (0..height)
        .step_by(RANGE_SAMPLE_STEP as usize)
        .flat_map(|y| {
            (0..width)
                .step_by(RANGE_SAMPLE_STEP as usize)
                .map(move |x| (x, y))
        })
        .map(|(x, y)| deviation(x, y))
        .collect();
    if samples.is_empty() {
        return MAX_RANGE;
    }
    samples.sort_by(f64::total_cmp);
    let at = ((samples.len() - 1) as f64 * 0.99).round() as usize;
    samples[at].clamp(MIN_RANGE, MAX_RANGE)
}

/// Morphological closing with a 3×3 square: fills one- and two-pixel gaps, so the dots of a
/// dot-matrix or faded thermal print join into whole characters instead of counting as specks.
pub fn close(mask: &InkMask) -> InkMask {
    let dilated = neighbourhood(mask, true);
    neighbourhood(&dilated, false)
}

/// 3×3 dilation (`any`: a pixel is ink if any neighbour is) or erosion (if all are); pixels off
/// the image count as not ink for dilation and as ink for erosion, so borders do not erode.
fn neighbourhood(mask: &InkMask, any: bool) -> InkMask {
    let (width, height) = (mask.width as usize, mask.height as usize);
    let at = |x: usize, y: usize| mask.ink[y * width + x];
    // Separable: first along rows, then along columns.
    let mut rows = vec![false; mask.ink.len()];
    for y in 0..height {
        for x in 0..width {
            let left = if x > 0 { at(x - 1, y) } else { !any };
            let right = if x + 1 < width { at(x + 1, y) } else { !any };
            let values = [left, at(x, y), right];
            rows[y * width + x] = if any {
                values.iter().any(|&v| v)
            } else {
                values.iter().all(|&v| v)
            };
        }
    }
    let mut ink = vec![false; mask.ink.len()];
    for y in 0..height {
        for x in 0..width {
            let up = if y > 0 {
                rows[(y - 1) * width + x]
            } else {
                !any
            };
            let down = if y + 1 < height {
                rows[(y + 1) * width + x]
            } else {
                !any
            };
            let values = [up, rows[y * width + x], down];
            ink[y * width + x] = if any {
                values.iter().any(|&v| v)
            } else {
                values.iter().all(|&v| v)
            };
        }
    }
    InkMask {
        width: mask.width,
        height: mask.height,
        ink,
    }
}

/// Summed-area tables of values and squares: any window's mean and spread in O(1).
struct Integral {
    stride: usize,
    sum: Vec<u64>,
    squares: Vec<u64>,
}

impl Integral {
    fn of(gray: &GrayImage) -> Integral {
        let (width, height) = (gray.width() as usize, gray.height() as usize);
        let stride = width + 1;
        let mut sum = vec![0u64; stride * (height + 1)];
        let mut squares = vec![0u64; stride * (height + 1)];
        for (y, row) in gray.as_raw().chunks(width.max(1)).take(height).enumerate() {
            let (mut row_sum, mut row_squares) = (0u64, 0u64);
            for (x, &p) in row.iter().enumerate() {
                row_sum += p as u64;
                row_squares += (p as u64) * (p as u64);
                let at = (y + 1) * stride + x + 1;
                sum[at] = sum[at - stride] + row_sum;
                squares[at] = squares[at - stride] + row_squares;
            }
        }
        Integral {
            stride,
            sum,
            squares,
        }
    }

    fn window(table: &[u64], stride: usize, x0: u32, y0: u32, x1: u32, y1: u32) -> f64 {
        let at = |x: u32, y: u32| table[y as usize * stride + x as usize];
        (at(x1, y1) + at(x0, y0) - at(x0, y1) - at(x1, y0)) as f64
    }

    fn mean_and_variance(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> (f64, f64) {
        let count = ((x1 - x0) * (y1 - y0)) as f64;
        let mean = Self::window(&self.sum, self.stride, x0, y0, x1, y1) / count;
        let mean_square = Self::window(&self.squares, self.stride, x0, y0, x1, y1) / count;
        (mean, (mean_square - mean * mean).max(0.0))
    }
}

/// One 8-connected component of ink: its bounding box (end-exclusive) and pixel count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blob {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    pub area: u32,
}

impl Blob {
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }

    pub fn center(&self) -> (f32, f32) {
        (
            (self.x0 + self.x1) as f32 / 2.0,
            (self.y0 + self.y1) as f32 / 2.0,
        )
    }
}

/// The 8-connected components of `mask`, in order of their first pixel (raster order).
pub fn blobs(mask: &InkMask) -> Vec<Blob> {
    let labels = label(mask);
    let mut blob_of_root: Vec<u32> = vec![u32::MAX; labels.parent.len()];
    let mut found: Vec<Blob> = Vec::new();
    let width = mask.width as usize;
    for (index, &provisional) in labels.pixels.iter().enumerate() {
        if provisional == 0 {
            continue;
        }
        let root = labels.root(provisional) as usize;
        let (x, y) = ((index % width) as u32, (index / width) as u32);
        if blob_of_root[root] == u32::MAX {
            blob_of_root[root] = found.len() as u32;
            found.push(Blob {
                x0: x,
                y0: y,
                x1: x + 1,
                y1: y + 1,
                area: 0,
            });
        }
        let blob = &mut found[blob_of_root[root] as usize];
        blob.x0 = blob.x0.min(x);
        blob.x1 = blob.x1.max(x + 1);
        blob.y1 = blob.y1.max(y + 1);
        blob.area += 1;
    }
    found
}

/// Provisional labels per pixel (0: no ink) and the union-find forest joining them.
struct Labels {
    pixels: Vec<u32>,
    parent: Vec<u32>,
}

impl Labels {
    fn root(&self, mut label: u32) -> u32 {
        while self.parent[label as usize] != label {
            label = self.parent[label as usize];
        }
        label
    }

    fn find_compress(&mut self, label: u32) -> u32 {
        let root = self.root(label);
        let mut current = label;
        while self.parent[current as usize] != root {
            let next = self.parent[current as usize];
            self.parent[current as usize] = root;
            current = next;
        }
        root
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find_compress(a), self.find_compress(b));
        let (low, high) = (ra.min(rb), ra.max(rb));
        self.parent[high as usize] = low;
        low
    }
}

/// First pass of two-pass labelling: look at the four already-visited neighbours.
fn label(mask: &InkMask) -> Labels {
    let (width, height) = (mask.width as usize, mask.height as usize);
    let mut labels = Labels {
        pixels: vec![0; width * height],
        parent: vec![0],
    };
    for y in 0..height {
        for x in 0..width {
            if !mask.ink[y * width + x] {
                continue;
            }
            let mut current = 0u32;
            for (dx, dy) in [(-1i64, 0i64), (-1, -1), (0, -1), (1, -1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= width as i64 {
                    continue;
                }
                let neighbour = labels.pixels[ny as usize * width + nx as usize];
                if neighbour == 0 {
                    continue;
                }
                current = if current == 0 {
                    neighbour
                } else {
                    labels.union(current, neighbour)
                };
            }
            if current == 0 {
                current = labels.parent.len() as u32;
                labels.parent.push(current);
            }
            labels.pixels[y * width + x] = current;
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn mask_from(rows: &[&str]) -> InkMask {
        let height = rows.len() as u32;
        let width = rows[0].len() as u32;
        let ink = rows
            .iter()
            .flat_map(|r| r.chars().map(|c| c == '#'))
            .collect();
        InkMask { width, height, ink }
    }

    #[test]
    fn blobs_join_diagonals_and_u_shapes() {
        let mask = mask_from(&[
            "#.#..#", //
            "#.#.#.", //
            "###.#.", //
            "......", //
        ]);
        let found = blobs(&mask);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0],
            Blob {
                x0: 0,
                y0: 0,
                x1: 3,
                y1: 3,
                area: 7
            }
        );
        assert_eq!(
            (found[1].x0, found[1].y0, found[1].x1, found[1].y1),
            (4, 0, 6, 3)
        );
        assert_eq!(found[1].area, 3);
    }

    #[test]
    fn sauvola_finds_dark_print_under_uneven_light() {
        // Paper lit from the left (230 → 110) with a dark square on each side.
        let gray = GrayImage::from_fn(200, 60, |x, y| {
            let paper = 230 - (x * 120 / 200) as u8;
            let ink = (20..30).contains(&y) && ((20..30).contains(&x) || (170..180).contains(&x));
            Luma([if ink { paper / 4 } else { paper }])
        });
        let mask = sauvola(&gray, 15);
        let found = blobs(&mask);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|b| b.width() == 10 && b.height() == 10));
    }

    #[test]
    fn closing_joins_dotted_print_but_not_separate_lines() {
        let mask = mask_from(&[
            "#.#.#.#", //
            ".......", //
            "#.#.#.#", //
            ".......", //
            ".......", //
            ".......", //
            "#.#.#.#", //
        ]);
        let found = blobs(&close(&mask));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].width(), found[0].height()), (7, 3));
    }

    #[test]
    fn flat_paper_has_no_ink() {
        let gray = GrayImage::from_fn(50, 50, |x, y| Luma([200 + ((x * 7 + y * 13) % 9) as u8]));
        assert!(!sauvola(&gray, 10).ink.iter().any(|&i| i));
    }
}
