//! Crop, straighten and scale in one resampling pass.
//!
//! Every output pixel is mapped back to the source through one affine transform (scale, then
//! rotation) and read with bilinear interpolation, so the source is interpolated once, not once
//! per step. Shrinking by more than half first averages integer blocks of the needed region, so
//! a 12-MP photo does not alias into noise that Tesseract would try to read. Pixels that fall
//! off the source or on the table around the receipt are marked invalid: quality is measured
//! on the rest and they end up white.

use image::GrayImage;

use super::layout::Outside;
use super::overview::box_shrink;

/// Where the output comes from: the source region, straightened by `angle`, scaled by `scale`.
#[derive(Clone, Debug, PartialEq)]
pub struct Warp {
    /// Angle of the text lines in the source (radians); the output turns them horizontal.
    pub angle: f32,
    /// Output pixels per source pixel.
    pub scale: f32,
    /// Top-left corner of the output in the straightened frame, in source pixels.
    pub origin: (f32, f32),
    pub width: u32,
    pub height: u32,
}

/// A rectangle in the straightened frame (source pixels), end-exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Warp {
    pub fn new(frame: Frame, angle: f32, scale: f32) -> Warp {
        let width = ((frame.right - frame.left) * scale).round().max(1.0) as u32;
        let height = ((frame.bottom - frame.top) * scale).round().max(1.0) as u32;
        Warp {
            angle,
            scale,
            origin: (frame.left, frame.top),
            width,
            height,
        }
    }

    /// Source position (continuous, pixel centres at +0.5) of the centre of output pixel (i, j).
    fn source_of(&self, i: f32, j: f32) -> (f32, f32) {
        self.mapping().apply(i, j)
    }

    fn mapping(&self) -> Mapping<'_> {
        let (sin, cos) = self.angle.sin_cos();
        Mapping {
            warp: self,
            sin,
            cos,
        }
    }

    /// Source bounding box of the output's corners, clamped to the source.
    fn source_region(&self, source_width: u32, source_height: u32) -> (u32, u32, u32, u32) {
        let corners = [
            self.source_of(-0.5, -0.5),
            self.source_of(self.width as f32 - 0.5, -0.5),
            self.source_of(-0.5, self.height as f32 - 0.5),
            self.source_of(self.width as f32 - 0.5, self.height as f32 - 0.5),
        ];
        let clamp_x = |v: f32| (v.max(0.0) as u32).min(source_width);
        let clamp_y = |v: f32| (v.max(0.0) as u32).min(source_height);
        let x0 = clamp_x(corners.iter().map(|c| c.0).fold(f32::MAX, f32::min).floor() - 1.0);
        let y0 = clamp_y(corners.iter().map(|c| c.1).fold(f32::MAX, f32::min).floor() - 1.0);
        let x1 = clamp_x(corners.iter().map(|c| c.0).fold(f32::MIN, f32::max).ceil() + 1.0);
        let y1 = clamp_y(corners.iter().map(|c| c.1).fold(f32::MIN, f32::max).ceil() + 1.0);
        (x0, y0, x1, y1)
    }
}

/// A warp with its trigonometry computed once, for the per-pixel loop.
struct Mapping<'a> {
    warp: &'a Warp,
    sin: f32,
    cos: f32,
}

impl Mapping<'_> {
    fn apply(&self, i: f32, j: f32) -> (f32, f32) {
        let u = self.warp.origin.0 + (i + 0.5) / self.warp.scale;
        let v = self.warp.origin.1 + (j + 0.5) / self.warp.scale;
        (u * self.cos - v * self.sin, u * self.sin + v * self.cos)
    }
}

/// Which source pixels are the table around the receipt.
pub struct OutsideMap<'a> {
    pub outside: &'a Outside,
    /// Source pixels per overview pixel.
    pub factor: u32,
}

impl OutsideMap<'_> {
    fn contains(&self, x: f32, y: f32) -> bool {
        let factor = self.factor as f32;
        self.outside
            .contains((x / factor) as u32, (y / factor) as u32)
    }
}

/// The warped image and, per pixel, whether it shows the receipt (not off-source, not table).
pub struct Rendered {
    pub image: GrayImage,
    pub valid: Vec<bool>,
}

impl Rendered {
    /// Paint invalid pixels white, as paper, so Tesseract sees no table edge or black corner.
    pub fn whiten_invalid(&mut self) {
        for (pixel, &valid) in self.image.iter_mut().zip(&self.valid) {
            if !valid {
                *pixel = 255;
            }
        }
    }
}

/// The needed source region, pre-shrunk by an integer factor when the warp shrinks a lot.
struct Source {
    image: GrayImage,
    x0: f32,
    y0: f32,
    inverse_factor: f32,
    /// Size of the original source: positions outside it are off the image.
    full_width: f32,
    full_height: f32,
}

impl Source {
    fn prepare(gray: &GrayImage, warp: &Warp) -> Source {
        let (x0, y0, x1, y1) = warp.source_region(gray.width(), gray.height());
        let region = image::imageops::crop_imm(gray, x0, y0, x1 - x0, y1 - y0).to_image();
        // Bilinear reads 2×2 pixels; shrinking by more than 2 would skip pixels and alias.
        let factor = (1.0 / warp.scale).floor().max(1.0) as u32;
        let factor = if warp.scale < 0.5 { factor } else { 1 };
        Source {
            image: box_shrink(&region, factor),
            x0: x0 as f32,
            y0: y0 as f32,
            inverse_factor: 1.0 / factor as f32,
            full_width: gray.width() as f32,
            full_height: gray.height() as f32,
        }
    }

    /// Bilinear read at source position (x, y); `None` off the source.
    fn sample(&self, x: f32, y: f32) -> Option<u8> {
        if x < 0.0 || y < 0.0 || x >= self.full_width || y >= self.full_height {
            return None;
        }
        let (width, height) = (self.image.width() as i64, self.image.height() as i64);
        if width == 0 || height == 0 {
            return None;
        }
        // Positions are at least -0.5 here, so shifting by one makes truncation a floor.
        let fx = (x - self.x0) * self.inverse_factor + 0.5;
        let fy = (y - self.y0) * self.inverse_factor + 0.5;
        let (whole_x, whole_y) = (fx as i64, fy as i64);
        let (tx, ty) = (fx - whole_x as f32, fy - whole_y as f32);
        let (ix, iy) = (whole_x - 1, whole_y - 1);
        let raw = self.image.as_raw();
        let [a, b, c, d] = if ix >= 0 && iy >= 0 && ix + 1 < width && iy + 1 < height {
            let at = (iy * width + ix) as usize;
            let below = at + width as usize;
            [raw[at], raw[at + 1], raw[below], raw[below + 1]]
        } else {
            // At the region's edge the nearest pixels stand in for the missing ones.
            let at = |px: i64, py: i64| -> u8 {
                raw[(py.clamp(0, height - 1) * width + px.clamp(0, width - 1)) as usize]
            };
            [
                at(ix, iy),
                at(ix + 1, iy),
                at(ix, iy + 1),
                at(ix + 1, iy + 1),
            ]
        };
        let top = a as f32 + (b as f32 - a as f32) * tx;
        let bottom = c as f32 + (d as f32 - c as f32) * tx;
        Some((top + (bottom - top) * ty + 0.5).min(255.0) as u8)
    }
}

/// Render `warp` from `gray`; pixels off the source or on `outside` are invalid.
pub fn render(gray: &GrayImage, warp: &Warp, outside: Option<&OutsideMap<'_>>) -> Rendered {
    if let Some(rendered) = render_plain_crop(gray, warp, outside) {
        return rendered;
    }
    let source = Source::prepare(gray, warp);
    let mut pixels = Vec::with_capacity(warp.width as usize * warp.height as usize);
    let mut valid = Vec::with_capacity(pixels.capacity());
    let mapping = warp.mapping();
    // One step right in the output is a fixed step in the source: add it instead of mapping
    // every pixel (the map is affine).
    let (step_x, step_y) = (mapping.cos / warp.scale, mapping.sin / warp.scale);
    for j in 0..warp.height {
        let (mut x, mut y) = mapping.apply(0.0, j as f32);
        for _ in 0..warp.width {
            let on_table = outside.is_some_and(|o| o.contains(x, y));
            let value = source.sample(x, y);
            pixels.push(value.unwrap_or(255));
            valid.push(value.is_some() && !on_table);
            x += step_x;
            y += step_y;
        }
    }
    Rendered {
        image: GrayImage::from_raw(warp.width, warp.height, pixels)
            .expect("buffer has the warp's size"),
        valid,
    }
}

/// The common case of a straight receipt at a good size: a plain copy of a rectangle, exact
/// and several times faster than interpolating. `None` when the warp rotates or scales.
fn render_plain_crop(
    gray: &GrayImage,
    warp: &Warp,
    outside: Option<&OutsideMap<'_>>,
) -> Option<Rendered> {
    let (left, top) = warp.origin;
    let plain = warp.angle == 0.0 && warp.scale == 1.0 && left.fract() == 0.0 && top.fract() == 0.0;
    if !plain {
        return None;
    }
    let (left, top) = (left as i64, top as i64);
    let (source_width, source_height) = (gray.width() as i64, gray.height() as i64);
    let mut pixels = vec![255u8; warp.width as usize * warp.height as usize];
    let mut valid = vec![false; pixels.len()];
    let raw = gray.as_raw();
    for j in 0..warp.height as i64 {
        let y = top + j;
        if y < 0 || y >= source_height {
            continue;
        }
        let first = (-left).clamp(0, warp.width as i64);
        let last = (source_width - left).clamp(0, warp.width as i64);
        let row = j as usize * warp.width as usize;
        let source_row = y * source_width + left;
        for i in first as usize..last as usize {
            pixels[row + i] = raw[(source_row + i as i64) as usize];
            let on_table =
                outside.is_some_and(|o| o.contains((left + i as i64) as f32 + 0.5, y as f32 + 0.5));
            valid[row + i] = !on_table;
        }
    }
    Some(Rendered {
        image: GrayImage::from_raw(warp.width, warp.height, pixels)
            .expect("buffer has the warp's size"),
        valid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn ramp() -> GrayImage {
        GrayImage::from_fn(40, 30, |x, y| Luma([(x * 5 + y) as u8]))
    }

    #[test]
    fn identity_crop_copies_pixels_exactly() {
        let gray = ramp();
        let frame = Frame {
            left: 5.0,
            top: 4.0,
            right: 25.0,
            bottom: 20.0,
        };
        let out = render(&gray, &Warp::new(frame, 0.0, 1.0), None);
        assert_eq!(out.image.dimensions(), (20, 16));
        assert!(out.valid.iter().all(|&v| v));
        for (x, y, p) in out.image.enumerate_pixels() {
            assert_eq!(p[0], gray.get_pixel(x + 5, y + 4)[0]);
        }
    }

    #[test]
    fn off_source_pixels_are_white_and_invalid() {
        let gray = GrayImage::from_pixel(20, 20, Luma([0]));
        let frame = Frame {
            left: -10.0,
            top: 0.0,
            right: 20.0,
            bottom: 20.0,
        };
        let out = render(&gray, &Warp::new(frame, 0.0, 1.0), None);
        assert_eq!(out.image.get_pixel(0, 5)[0], 255);
        assert!(!out.valid[5 * 30]);
        assert_eq!(out.image.get_pixel(15, 5)[0], 0);
    }

    #[test]
    fn strong_shrink_averages_instead_of_skipping() {
        // Alternating black and white columns average to mid-gray, never to one of them.
        let gray = GrayImage::from_fn(400, 400, |x, _| Luma([if x % 2 == 0 { 0 } else { 255 }]));
        let frame = Frame {
            left: 0.0,
            top: 0.0,
            right: 400.0,
            bottom: 400.0,
        };
        let out = render(&gray, &Warp::new(frame, 0.0, 0.1), None);
        assert_eq!(out.image.dimensions(), (40, 40));
        assert!(out.image.iter().all(|&p| (100..=155).contains(&p)));
    }

    #[test]
    fn rotation_maps_the_straightened_frame_back_to_the_source() {
        // A point at (u, v) in the straightened frame is at R(angle)·(u, v) in the source.
        let warp = Warp::new(
            Frame {
                left: 0.0,
                top: 0.0,
                right: 10.0,
                bottom: 10.0,
            },
            90f32.to_radians(),
            1.0,
        );
        let (x, y) = warp.source_of(2.5, -0.5);
        assert!((x - 0.0).abs() < 1e-4 && (y - 3.0).abs() < 1e-4, "{x} {y}");
    }
}
