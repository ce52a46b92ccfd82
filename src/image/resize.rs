//! Resampling gray pixels, fast.
//!
//! Every page is shrunk for text detection and every line crop is scaled to the recogniser's
//! 48 px: with the `image` crate's generic filters that was an eighth of the neural reader's
//! CPU time (perf, 80 SROIE receipts). `fast_image_resize` runs the same triangle (bilinear)
//! filter, widened when shrinking, with SIMD and fixed-point sums; its answers do not depend
//! on the thread count.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::GrayImage;

/// `image` resampled to `width` × `height` by a triangle filter (bilinear; each output pixel
/// averages the source pixels it covers when shrinking). An empty size gives an empty image.
pub fn resize_gray(image: &GrayImage, width: u32, height: u32) -> GrayImage {
    if width == 0 || height == 0 {
        return GrayImage::new(width, height);
    }
    if image.width() == 0 || image.height() == 0 {
        return GrayImage::from_pixel(width, height, image::Luma([255]));
    }
    if image.dimensions() == (width, height) {
        return image.clone();
    }
    let resized = ImageRef::new(image.width(), image.height(), image.as_raw(), PixelType::U8)
        .ok()
        .and_then(|source| {
            let mut target = Image::new(width, height, PixelType::U8);
            let options =
                ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
            Resizer::new().resize(&source, &mut target, &options).ok()?;
            GrayImage::from_raw(width, height, target.into_vec())
        });
    // The buffer always matches its dimensions and U8 needs no alignment, so the library
    // cannot refuse; should it ever, the slower generic filter gives the same picture.
    resized.unwrap_or_else(|| {
        image::imageops::resize(image, width, height, image::imageops::FilterType::Triangle)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_averages_and_keeps_flat_areas_flat() {
        let gray = GrayImage::from_pixel(100, 40, image::Luma([200]));
        let small = resize_gray(&gray, 25, 10);
        assert_eq!(small.dimensions(), (25, 10));
        assert!(small.pixels().all(|p| p.0[0] == 200));
        // Half black, half white: the middle of the shrunk picture is between the two.
        let mut halves = GrayImage::from_pixel(100, 10, image::Luma([255]));
        for y in 0..10 {
            for x in 0..50 {
                halves.put_pixel(x, y, image::Luma([0]));
            }
        }
        let small = resize_gray(&halves, 10, 10);
        assert_eq!(small.get_pixel(0, 5).0[0], 0);
        assert_eq!(small.get_pixel(9, 5).0[0], 255);
    }

    #[test]
    fn it_agrees_with_the_generic_filter_within_rounding() {
        let mut gray = GrayImage::new(300, 90);
        for (x, y, p) in gray.enumerate_pixels_mut() {
            p.0[0] = ((x * 7 + y * 13) % 256) as u8;
        }
        for (w, h) in [(100, 30), (600, 180), (144, 48)] {
            let fast = resize_gray(&gray, w, h);
            let generic =
                image::imageops::resize(&gray, w, h, image::imageops::FilterType::Triangle);
            let worst = fast
                .as_raw()
                .iter()
                .zip(generic.as_raw())
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap();
            assert!(worst <= 3, "{w}x{h}: off by {worst}");
        }
    }

    #[test]
    fn empty_sizes_do_not_panic() {
        let gray = GrayImage::from_pixel(10, 10, image::Luma([0]));
        assert_eq!(resize_gray(&gray, 0, 5).dimensions(), (0, 5));
        let empty = GrayImage::new(0, 0);
        assert_eq!(resize_gray(&empty, 4, 4).get_pixel(0, 0).0[0], 255);
    }
}
