//! Is this a photo of a screen? A receipt shown on a monitor or phone and photographed is a
//! classic way to claim a receipt one does not hold (someone else's, found online, or edited
//! and displayed).
//!
//! A screen is a grid of pixels, and a camera photographing it samples that grid again: the
//! picture carries a strong periodic pattern (the pixel grid itself, or the moiré it beats
//! into), strongest where the screen shows white, which on a receipt is the paper. Paper has
//! no such period: its texture, the sensor's noise and a scanner's are broadband.
//!
//! So the measure is spectral: the blank tiles of the full-resolution picture (paper, no print:
//! print is periodic too, lines and monospaced characters), each windowed and
//! Fourier-transformed, their power spectra averaged (a grid adds up at one frequency across
//! tiles, noise averages out), and the sharpest peak found: a frequency's power over the median
//! of its neighbours'. Frequencies of JPEG's 8-pixel blocks, and the lowest ones (page
//! shading), are left out. A genuine scan or photo scores a few units; a screen tens to
//! hundreds. Never panics; a picture too small for one tile scores 0.

use image::GrayImage;

/// Tile side (a power of two for the FFT).
const TILE: usize = 64;
/// At most this many tiles are sampled, spread over the picture.
const SAMPLES: usize = 96;
/// Share of the sampled tiles kept: the brightest of the blank ones.
const BRIGHTEST: f64 = 0.5;
/// A tile is blank when its 8×8-pixel block means (which average a screen's fine grid away,
/// but not print) stay within this share of their mean.
const BLANK_SPREAD: f64 = 0.2;
/// A pixel this light is clipped white: a tile with a quarter of them is not measured.
const CLIPPED: u8 = 250;
/// Frequencies within this radius (in bins of 64) are page shading, not pattern.
const MIN_RADIUS: f64 = 4.0;

/// The screen-pattern score of a full-resolution gray picture: how sharply the spectrum of its
/// blank paper peaks ([`peak_ratio`]).
pub fn screen_pattern(image: &GrayImage) -> f32 {
    let (width, height) = (image.width() as usize, image.height() as usize);
    if width < TILE || height < TILE {
        return 0.0;
    }
    let tiles = sample_tiles(image);
    if tiles.is_empty() {
        return 0.0;
    }
    let window: Vec<f64> = (0..TILE)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / TILE as f64).cos())
        .collect();
    let mut power = vec![0.0f64; TILE * TILE];
    for (x0, y0) in &tiles {
        let mut re = vec![0.0f64; TILE * TILE];
        let mut im = vec![0.0f64; TILE * TILE];
        let mut mean = 0.0;
        for y in 0..TILE {
            for x in 0..TILE {
                mean += f64::from(image.get_pixel((x0 + x) as u32, (y0 + y) as u32).0[0]);
            }
        }
        mean /= (TILE * TILE) as f64;
        for y in 0..TILE {
            for x in 0..TILE {
                let value = f64::from(image.get_pixel((x0 + x) as u32, (y0 + y) as u32).0[0]);
                re[y * TILE + x] = (value - mean) * window[x] * window[y];
            }
        }
        fft_2d(&mut re, &mut im);
        for (p, (r, i)) in power.iter_mut().zip(re.iter().zip(&im)) {
            *p += r * r + i * i;
        }
    }
    peak_ratio(&power) as f32
}

/// The top-left corners of the brightest [`BRIGHTEST`] share of the blank tiles among up to
/// [`SAMPLES`] laid on a regular grid over the picture.
fn sample_tiles(image: &GrayImage) -> Vec<(usize, usize)> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let across = (width / TILE).max(1);
    let down = (height / TILE).max(1);
    let step = ((across * down) as f64 / SAMPLES as f64).sqrt().max(1.0);
    let mut tiles = Vec::new();
    let mut row = 0.0;
    while (row as usize) < down {
        let mut column = 0.0;
        while (column as usize) < across {
            let (x0, y0) = (column as usize * TILE, row as usize * TILE);
            if let Some(mean) = blank_mean(image, x0, y0) {
                tiles.push((mean, x0, y0));
            }
            column += step;
        }
        row += step;
    }
    tiles.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let keep = (tiles.len() as f64 * BRIGHTEST).ceil() as usize;
    tiles.truncate(keep);
    tiles.into_iter().map(|(_, x, y)| (x, y)).collect()
}

/// The mean of the tile at (`x0`, `y0`) when it is blank paper (see [`BLANK_SPREAD`]), and
/// not black.
fn blank_mean(image: &GrayImage, x0: usize, y0: usize) -> Option<u64> {
    const BLOCK: usize = 8;
    let mut means = Vec::with_capacity((TILE / BLOCK) * (TILE / BLOCK));
    let mut clipped = 0;
    for by in (y0..y0 + TILE).step_by(BLOCK) {
        for bx in (x0..x0 + TILE).step_by(BLOCK) {
            let mut sum = 0u64;
            for y in by..by + BLOCK {
                for x in bx..bx + BLOCK {
                    let value = image.get_pixel(x as u32, y as u32).0[0];
                    sum += u64::from(value);
                    clipped += usize::from(value >= CLIPPED);
                }
            }
            means.push(sum / (BLOCK * BLOCK) as u64);
        }
    }
    // Paper blown out to white carries no texture to measure, only specks.
    if clipped * 4 > TILE * TILE {
        return None;
    }
    let mean = means.iter().sum::<u64>() / means.len() as u64;
    let low = *means.iter().min()?;
    let high = *means.iter().max()?;
    let blank = mean >= 48 && (high - low) as f64 <= BLANK_SPREAD * mean as f64;
    blank.then_some(mean)
}

/// The sharpest peak of the spectrum: the highest ratio of a frequency's power to the median
/// power of its neighbourhood (7×7 frequencies around it, the 3×3 of its own main lobe left
/// out), over the frequencies that can carry a pattern (see the module docs). Noise, specks on
/// clipped paper and the soft edges of print spread their power smoothly over neighbouring
/// frequencies; a grid puts it in one.
fn peak_ratio(power: &[f64]) -> f64 {
    let n = TILE as i64;
    let half = n / 2;
    let block = n / 8;
    let signed = |k: i64| if k >= half { k - n } else { k };
    let at = |u: i64, v: i64| power[(v.rem_euclid(n) * n + u.rem_euclid(n)) as usize];
    let mut best = 0.0f64;
    let mut around = Vec::with_capacity(40);
    for v in 0..n {
        for u in 0..n {
            let (fu, fv) = (signed(u), signed(v));
            // One half-plane: the spectrum of a real picture is symmetric.
            if fv < 0 || (fv == 0 && fu < 0) {
                continue;
            }
            let radius = ((fu * fu + fv * fv) as f64).sqrt();
            // JPEG's 8×8 blocks put power on every multiple of TILE/8, along both axes.
            if radius < MIN_RADIUS || fu % block == 0 || fv % block == 0 {
                continue;
            }
            around.clear();
            for dv in -3..=3i64 {
                for du in -3..=3i64 {
                    if du.abs() > 1 || dv.abs() > 1 {
                        around.push(at(u + du, v + dv));
                    }
                }
            }
            around.sort_by(f64::total_cmp);
            let median = around[around.len() / 2];
            if median > 0.0 {
                best = best.max(at(u, v) / median);
            }
        }
    }
    best
}

/// In-place 2-D FFT of a TILE×TILE complex array (rows, then columns).
fn fft_2d(re: &mut [f64], im: &mut [f64]) {
    let mut row_re = vec![0.0; TILE];
    let mut row_im = vec![0.0; TILE];
    for y in 0..TILE {
        row_re.copy_from_slice(&re[y * TILE..(y + 1) * TILE]);
        row_im.copy_from_slice(&im[y * TILE..(y + 1) * TILE]);
        fft(&mut row_re, &mut row_im);
        re[y * TILE..(y + 1) * TILE].copy_from_slice(&row_re);
        im[y * TILE..(y + 1) * TILE].copy_from_slice(&row_im);
    }
    for x in 0..TILE {
        for y in 0..TILE {
            row_re[y] = re[y * TILE + x];
            row_im[y] = im[y * TILE + x];
        }
        fft(&mut row_re, &mut row_im);
        for y in 0..TILE {
            re[y * TILE + x] = row_re[y];
            im[y * TILE + x] = row_im[y];
        }
    }
}

/// Iterative radix-2 Cooley–Tukey FFT; `re.len()` is a power of two.
fn fft(re: &mut [f64], im: &mut [f64]) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let angle = -2.0 * std::f64::consts::PI / len as f64;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (s, c) = (angle * k as f64).sin_cos();
                let (a, b) = (start + k, start + k + len / 2);
                let tr = re[b] * c - im[b] * s;
                let ti = re[b] * s + im[b] * c;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len <<= 1;
    }
}

/// A receipt-like page shown on a screen and photographed, for tests: each page pixel lit as a
/// 3×3 screen pixel with its dark gap (the pixel grid), seen by a camera at `scale` of the
/// grid's resolution and turned by `degrees` (the moiré), with sensor noise.
pub fn photograph_screen(page: &GrayImage, scale: f64, degrees: f64) -> GrayImage {
    const CELL: u32 = 3;
    let lit = GrayImage::from_fn(page.width() * CELL, page.height() * CELL, |x, y| {
        let value = f64::from(page.get_pixel(x / CELL, y / CELL).0[0]);
        let gap = x % CELL == CELL - 1 || y % CELL == CELL - 1;
        image::Luma([(if gap { value * 0.35 } else { value }) as u8])
    });
    let (width, height) = (
        (f64::from(lit.width()) * scale) as u32,
        (f64::from(lit.height()) * scale) as u32,
    );
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
    let mut noise = 0x9E37_79B9_7F4A_7C15u64;
    GrayImage::from_fn(width, height, |x, y| {
        // Inverse map: rotate about the centre, then scale to the lit grid (bilinear).
        let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
        let sx = (cos * dx + sin * dy + cx) / scale;
        let sy = (-sin * dx + cos * dy + cy) / scale;
        let value = bilinear(&lit, sx, sy);
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        let jitter = (noise % 9) as f64 - 4.0;
        image::Luma([(value + jitter).clamp(0.0, 255.0) as u8])
    })
}

fn bilinear(image: &GrayImage, x: f64, y: f64) -> f64 {
    let (w, h) = (f64::from(image.width()), f64::from(image.height()));
    let x = x.clamp(0.0, w - 1.001);
    let y = y.clamp(0.0, h - 1.001);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |x: f64, y: f64| f64::from(image.get_pixel(x as u32, y as u32).0[0]);
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
    let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receipt-like page: paper with grain, wide margins, and blocks of monospaced "print"
    /// (periodic lines and characters, as a thermal printer's) with blank paper between them.
    fn page(width: u32, height: u32) -> GrayImage {
        let mut seed = 12345u64;
        GrayImage::from_fn(width, height, |x, y| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let grain = ((seed >> 33) % 13) as i32 - 6;
            let in_block = (y % 300) < 180 && x > 90 && x < width - 90;
            let print = in_block && (y % 30) > 18 && (x / 4) % 3 != 0;
            let base = if print { 40 } else { 225 };
            image::Luma([(base + grain).clamp(0, 255) as u8])
        })
    }

    #[test]
    fn paper_scores_low_and_a_photographed_screen_high() {
        let paper = page(420, 900);
        let genuine = screen_pattern(&paper);
        for (scale, degrees) in [(0.77, 1.5), (0.55, -3.0), (1.3, 0.5)] {
            let screen = screen_pattern(&photograph_screen(&paper, scale, degrees));
            assert!(
                screen > 4.0 * genuine.max(1.0) && screen > crate::defaults::SCREEN_PATTERN,
                "scale {scale}, {degrees}°: screen {screen} vs paper {genuine}"
            );
        }
        assert!(genuine < crate::defaults::SCREEN_PATTERN, "paper {genuine}");
    }

    #[test]
    fn small_or_blank_pictures_score_zero_and_do_not_panic() {
        assert_eq!(screen_pattern(&GrayImage::new(10, 10)), 0.0);
        assert_eq!(screen_pattern(&GrayImage::new(64, 64)), 0.0);
        assert_eq!(
            screen_pattern(&GrayImage::from_pixel(300, 300, image::Luma([255]))),
            0.0
        );
    }

    #[test]
    fn the_fft_finds_a_pure_tone() {
        let mut re: Vec<f64> = (0..64)
            .map(|i| (2.0 * std::f64::consts::PI * 5.0 * i as f64 / 64.0).cos())
            .collect();
        let mut im = vec![0.0; 64];
        fft(&mut re, &mut im);
        let power: Vec<f64> = re.iter().zip(&im).map(|(r, i)| r * r + i * i).collect();
        let peak = (0..64)
            .max_by(|&a, &b| power[a].total_cmp(&power[b]))
            .unwrap();
        assert!(peak == 5 || peak == 59, "{peak}");
    }
}
