//! DB post-processing: the detector's probability map → line boxes on the page.
//!
//! PP-OCR's detector (DB, "differentiable binarization") answers, for every pixel of the
//! downscaled page, the probability that it lies inside a text line's *shrunk* core. Boxes are
//! made as PaddleOCR's `DBPostProcess` makes them: threshold the map, take connected regions
//! (8-connected), fit each a minimum-area rectangle (rotating calipers over its convex hull, so
//! a slightly turned line gets a turned box), score it by the mean probability over the
//! region's pixels (PaddleOCR's "fast" mode scores the box polygon; the region is what was
//! found, and on rectangles the two agree), drop weak or tiny ones, and grow the rest back by
//! the shrink the model was trained with (`unclip`: distance area × ratio / perimeter on every
//! side). Corners are returned clockwise from the top-left, scaled to the page.

use image::GrayImage;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextBox {
    /// Top-left, top-right, bottom-right, bottom-left, in page pixels.
    pub corners: [Point; 4],
    /// Mean probability over the region, 0..1.
    pub score: f32,
}

/// Post-processing settings (the models' own values are set by the caller).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DbParams {
    /// A pixel is text above this probability.
    pub thresh: f32,
    /// A region is a line when its mean probability reaches this.
    pub box_thresh: f32,
    /// How far boxes are grown back (see the module doc).
    pub unclip_ratio: f32,
    /// Regions looked at, at most (in raster order of their first pixel).
    pub max_candidates: usize,
    /// Boxes whose shorter side is below this (map pixels) are specks.
    pub min_size: f32,
}

impl Default for DbParams {
    fn default() -> DbParams {
        DbParams {
            thresh: 0.3,
            box_thresh: 0.6,
            unclip_ratio: 1.5,
            max_candidates: 1000,
            min_size: 3.0,
        }
    }
}

/// Line boxes of a `map_w × map_h` probability map, scaled to a `dest_w × dest_h` page.
pub fn boxes_from_map(
    prob: &[f32],
    map_w: usize,
    map_h: usize,
    dest_w: u32,
    dest_h: u32,
    params: &DbParams,
) -> Vec<TextBox> {
    if map_w == 0 || map_h == 0 || prob.len() != map_w * map_h {
        return Vec::new();
    }
    let sx = dest_w as f32 / map_w as f32;
    let sy = dest_h as f32 / map_h as f32;
    let mut seen = vec![false; prob.len()];
    let mut boxes = Vec::new();
    let mut candidates = 0;
    let mut stack = Vec::new();
    let mut region: Vec<usize> = Vec::new();
    for start in 0..prob.len() {
        if seen[start] || prob[start] <= params.thresh {
            continue;
        }
        if candidates >= params.max_candidates {
            break;
        }
        candidates += 1;
        // Flood fill, iterative.
        region.clear();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            region.push(i);
            let (x, y) = ((i % map_w) as i64, (i / map_w) as i64);
            for dy in -1..=1i64 {
                for dx in -1..=1i64 {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= map_w as i64 || ny >= map_h as i64 {
                        continue;
                    }
                    let j = ny as usize * map_w + nx as usize;
                    if !seen[j] && prob[j] > params.thresh {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let score = region.iter().map(|&i| prob[i]).sum::<f32>() / region.len() as f32;
        if score < params.box_thresh {
            continue;
        }
        let hull = convex_hull(region_corners(&region, map_w));
        let Some(rect) = min_area_rect(&hull) else {
            continue;
        };
        if rect.short_side() < params.min_size {
            continue;
        }
        let grown = rect.unclipped(params.unclip_ratio);
        if grown.short_side() < params.min_size + 2.0 {
            continue;
        }
        let corners = order_clockwise(grown.corners()).map(|p| Point {
            x: (p.x * sx).clamp(0.0, dest_w as f32),
            y: (p.y * sy).clamp(0.0, dest_h as f32),
        });
        boxes.push(TextBox { corners, score });
    }
    boxes
}

/// The corner points of a region's pixel squares that can lie on its hull: per row, the left
/// corners of its leftmost pixel and the right corners of its rightmost.
fn region_corners(region: &[usize], map_w: usize) -> Vec<Point> {
    let mut extent: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
    for &i in region {
        let (x, y) = (i % map_w, i / map_w);
        let e = extent.entry(y).or_insert((x, x));
        e.0 = e.0.min(x);
        e.1 = e.1.max(x);
    }
    let mut points = Vec::with_capacity(extent.len() * 4);
    for (y, (left, right)) in extent {
        let (y0, y1) = (y as f32, y as f32 + 1.0);
        let (x0, x1) = (left as f32, right as f32 + 1.0);
        points.extend([
            Point { x: x0, y: y0 },
            Point { x: x0, y: y1 },
            Point { x: x1, y: y0 },
            Point { x: x1, y: y1 },
        ]);
    }
    points
}

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

/// Andrew's monotone chain.
fn convex_hull(mut points: Vec<Point>) -> Vec<Point> {
    points.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(points.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &Point>> = if pass == 0 {
            Box::new(points.iter())
        } else {
            Box::new(points.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// A rotated rectangle: centre, unit axis `u` (along its first side), half sides.
#[derive(Clone, Copy, Debug)]
struct Rect {
    cx: f32,
    cy: f32,
    ux: f32,
    uy: f32,
    half_u: f32,
    half_v: f32,
}

impl Rect {
    fn short_side(&self) -> f32 {
        2.0 * self.half_u.min(self.half_v)
    }

    fn unclipped(&self, ratio: f32) -> Rect {
        let (w, h) = (2.0 * self.half_u, 2.0 * self.half_v);
        let d = w * h * ratio / (2.0 * (w + h)).max(f32::EPSILON);
        Rect {
            half_u: self.half_u + d,
            half_v: self.half_v + d,
            ..*self
        }
    }

    fn corners(&self) -> [Point; 4] {
        let (vx, vy) = (-self.uy, self.ux);
        let at = |a: f32, b: f32| Point {
            x: self.cx + a * self.half_u * self.ux + b * self.half_v * vx,
            y: self.cy + a * self.half_u * self.uy + b * self.half_v * vy,
        };
        [at(-1.0, -1.0), at(1.0, -1.0), at(1.0, 1.0), at(-1.0, 1.0)]
    }
}

/// The minimum-area rectangle around a convex hull (one side lies on a hull edge).
fn min_area_rect(hull: &[Point]) -> Option<Rect> {
    if hull.len() < 3 {
        return None;
    }
    let mut best: Option<(f32, Rect)> = None;
    for i in 0..hull.len() {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
        if len < 1e-6 {
            continue;
        }
        let (ux, uy) = ((b.x - a.x) / len, (b.y - a.y) / len);
        let (vx, vy) = (-uy, ux);
        let (mut min_u, mut max_u, mut min_v, mut max_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in hull {
            let pu = p.x * ux + p.y * uy;
            let pv = p.x * vx + p.y * vy;
            min_u = min_u.min(pu);
            max_u = max_u.max(pu);
            min_v = min_v.min(pv);
            max_v = max_v.max(pv);
        }
        let area = (max_u - min_u) * (max_v - min_v);
        // Ties (an axis-aligned box has four equal answers) keep the first, hull order fixed.
        if best.as_ref().is_none_or(|(a, _)| area < *a - 1e-3) {
            let (mu, mv) = ((min_u + max_u) / 2.0, (min_v + max_v) / 2.0);
            best = Some((
                area,
                Rect {
                    cx: mu * ux + mv * vx,
                    cy: mu * uy + mv * vy,
                    ux,
                    uy,
                    half_u: (max_u - min_u) / 2.0,
                    half_v: (max_v - min_v) / 2.0,
                },
            ));
        }
    }
    best.map(|(_, r)| r)
}

/// Corners as top-left, top-right, bottom-right, bottom-left (PaddleOCR's
/// `order_points_clockwise`: the two leftmost are the left side, the upper of them first).
fn order_clockwise(points: [Point; 4]) -> [Point; 4] {
    let mut by_x = points;
    by_x.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let (mut left, mut right) = ([by_x[0], by_x[1]], [by_x[2], by_x[3]]);
    left.sort_by(|a, b| a.y.total_cmp(&b.y));
    right.sort_by(|a, b| a.y.total_cmp(&b.y));
    [left[0], right[0], right[1], left[1]]
}

fn centre_y(b: &TextBox) -> f32 {
    b.corners.iter().map(|p| p.y).sum::<f32>() / 4.0
}

fn height(b: &TextBox) -> f32 {
    let ys = b.corners.iter().map(|p| p.y);
    ys.clone().fold(f32::MIN, f32::max) - ys.fold(f32::MAX, f32::min)
}

fn left_x(b: &TextBox) -> f32 {
    b.corners.iter().map(|p| p.x).fold(f32::MAX, f32::min)
}

/// Boxes top to bottom, and left to right among boxes of one line (vertical centres within
/// half the smaller height). Deterministic for any input order.
pub fn reading_order(boxes: &mut [TextBox]) {
    reading_order_of(boxes, |b| b);
}

/// `items` in the reading order of their boxes (`reading_order`).
pub fn reading_order_of<T: Clone>(items: &mut [T], text_box: impl Fn(&T) -> &TextBox) {
    items.sort_by(|a, b| {
        let (a, b) = (text_box(a), text_box(b));
        centre_y(a)
            .total_cmp(&centre_y(b))
            .then(left_x(a).total_cmp(&left_x(b)))
    });
    // Rows: an item joins the row whose first item it is level with.
    let mut rows: Vec<Vec<T>> = Vec::new();
    for item in items.iter() {
        let b = text_box(item);
        match rows.last_mut() {
            Some(row)
                if (centre_y(text_box(&row[0])) - centre_y(b)).abs()
                    <= 0.5 * height(text_box(&row[0])).min(height(b)) =>
            {
                row.push(item.clone())
            }
            _ => rows.push(vec![item.clone()]),
        }
    }
    let mut ordered = Vec::with_capacity(items.len());
    for mut row in rows {
        row.sort_by(|a, b| left_x(text_box(a)).total_cmp(&left_x(text_box(b))));
        ordered.extend(row);
    }
    for (slot, item) in items.iter_mut().zip(ordered) {
        *slot = item;
    }
}

/// The quadrilateral cut out of `image` and warped upright (bilinear sampling along its
/// edges; outside the image is white). A crop at least 1.5 times taller than wide is turned
/// a quarter counter-clockwise, as PaddleOCR does for vertical lines.
pub fn crop_upright(image: &GrayImage, corners: &[Point; 4]) -> GrayImage {
    let dist = |a: Point, b: Point| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    let [tl, tr, br, bl] = *corners;
    let w = dist(tl, tr).max(dist(bl, br)).round().max(1.0) as u32;
    let h = dist(tl, bl).max(dist(tr, br)).round().max(1.0) as u32;
    let (iw, ih) = image.dimensions();
    let sample = |x: f32, y: f32| -> u8 {
        if iw == 0 || ih == 0 || x < -0.5 || y < -0.5 || x > iw as f32 - 0.5 || y > ih as f32 - 0.5
        {
            return 255;
        }
        let x = x.clamp(0.0, iw as f32 - 1.0);
        let y = y.clamp(0.0, ih as f32 - 1.0);
        // Both are at least 0 here: truncation is the floor, without a libm call per pixel.
        let (x0, y0) = (x as u32, y as u32);
        let (x1, y1) = ((x0 + 1).min(iw - 1), (y0 + 1).min(ih - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x: u32, y: u32| image.get_pixel(x, y).0[0] as f32;
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        (top * (1.0 - fy) + bottom * fy + 0.5).clamp(0.0, 255.0) as u8
    };
    let mut out = GrayImage::new(w, h);
    for oy in 0..h {
        let v = (oy as f32 + 0.5) / h as f32;
        let left = Point {
            x: tl.x + (bl.x - tl.x) * v,
            y: tl.y + (bl.y - tl.y) * v,
        };
        let right = Point {
            x: tr.x + (br.x - tr.x) * v,
            y: tr.y + (br.y - tr.y) * v,
        };
        for ox in 0..w {
            let u = (ox as f32 + 0.5) / w as f32;
            let x = left.x + (right.x - left.x) * u - 0.5;
            let y = left.y + (right.y - left.y) * u - 0.5;
            out.put_pixel(ox, oy, image::Luma([sample(x, y)]));
        }
    }
    if h as f32 >= 1.5 * w as f32 {
        image::imageops::rotate270(&out)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(w: usize, h: usize, rects: &[(usize, usize, usize, usize, f32)]) -> Vec<f32> {
        let mut map = vec![0.0; w * h];
        for &(x, y, rw, rh, p) in rects {
            for yy in y..y + rh {
                for xx in x..x + rw {
                    map[yy * w + xx] = p;
                }
            }
        }
        map
    }

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn two_lines_give_two_boxes_grown_by_the_unclip_distance() {
        // 40×10 and 30×10 regions; d = 400 × 1.5 / 100 = 6 and 300 × 1.5 / 80 = 5.625.
        let map = map_with(100, 60, &[(10, 10, 40, 10, 0.9), (20, 40, 30, 10, 0.9)]);
        let mut boxes = boxes_from_map(&map, 100, 60, 100, 60, &DbParams::default());
        reading_order(&mut boxes);
        assert_eq!(boxes.len(), 2);
        let [tl, tr, br, bl] = boxes[0].corners;
        assert!(close(tl.x, 4.0, 0.01) && close(tl.y, 4.0, 0.01), "{tl:?}");
        assert!(
            close(tr.x, 56.0, 0.01) && close(br.y, 26.0, 0.01),
            "{tr:?} {br:?}"
        );
        assert!(close(bl.x, 4.0, 0.01));
        assert!(close(boxes[1].corners[0].y, 40.0 - 5.625, 0.01));
        assert!(close(boxes[0].score, 0.9, 1e-5));
    }

    #[test]
    fn a_turned_line_gets_a_turned_box() {
        let (w, h) = (200usize, 120usize);
        let angle = 20f32.to_radians();
        let (c, s) = (angle.cos(), angle.sin());
        let mut map = vec![0.0; w * h];
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f32 + 0.5 - 100.0, y as f32 + 0.5 - 60.0);
                let u = dx * c + dy * s;
                let v = -dx * s + dy * c;
                if u.abs() <= 50.0 && v.abs() <= 8.0 {
                    map[y * w + x] = 0.9;
                }
            }
        }
        let boxes = boxes_from_map(&map, w, h, w as u32, h as u32, &DbParams::default());
        assert_eq!(boxes.len(), 1);
        let [tl, tr, ..] = boxes[0].corners;
        let found = (tr.y - tl.y).atan2(tr.x - tl.x).to_degrees();
        assert!(close(found, 20.0, 2.0), "angle {found}");
        let top = ((tr.x - tl.x).powi(2) + (tr.y - tl.y).powi(2)).sqrt();
        // 100 long, grown by d = 1600 × 1.5 / 232 ≈ 10.3 on each end.
        assert!(close(top, 120.7, 4.0), "length {top}");
    }

    #[test]
    fn boxes_are_scaled_to_the_page() {
        let map = map_with(100, 50, &[(10, 10, 40, 10, 0.9)]);
        let boxes = boxes_from_map(&map, 100, 50, 400, 200, &DbParams::default());
        assert_eq!(boxes.len(), 1);
        assert!(close(boxes[0].corners[0].x, 16.0, 0.05));
        assert!(close(boxes[0].corners[2].x, 224.0, 0.05));
        assert!(close(boxes[0].corners[2].y, 104.0, 0.05));
    }

    #[test]
    fn weak_regions_and_specks_give_no_box() {
        let weak = map_with(60, 40, &[(5, 5, 30, 10, 0.35)]);
        assert!(boxes_from_map(&weak, 60, 40, 60, 40, &DbParams::default()).is_empty());
        let speck = map_with(60, 40, &[(5, 5, 2, 2, 0.9)]);
        assert!(boxes_from_map(&speck, 60, 40, 60, 40, &DbParams::default()).is_empty());
        assert!(boxes_from_map(&[], 0, 0, 10, 10, &DbParams::default()).is_empty());
        assert!(boxes_from_map(&[0.9; 5], 3, 3, 10, 10, &DbParams::default()).is_empty());
    }

    #[test]
    fn a_map_set_everywhere_is_one_clamped_box_without_overflow() {
        let map = vec![0.95; 800 * 800];
        let boxes = boxes_from_map(&map, 800, 800, 800, 800, &DbParams::default());
        assert_eq!(boxes.len(), 1);
        assert!(boxes[0]
            .corners
            .iter()
            .all(|p| p.x >= 0.0 && p.x <= 800.0 && p.y <= 800.0));
    }

    #[test]
    fn no_more_regions_than_the_candidate_limit() {
        let rects: Vec<_> = (0..10).map(|i| (2 + i * 9, 5, 6, 6, 0.9)).collect();
        let map = map_with(100, 20, &rects);
        let params = DbParams {
            max_candidates: 4,
            ..DbParams::default()
        };
        assert_eq!(boxes_from_map(&map, 100, 20, 100, 20, &params).len(), 4);
    }

    fn boxed(x: f32, y: f32, w: f32, h: f32) -> TextBox {
        TextBox {
            corners: [
                Point { x, y },
                Point { x: x + w, y },
                Point { x: x + w, y: y + h },
                Point { x, y: y + h },
            ],
            score: 1.0,
        }
    }

    #[test]
    fn reading_order_is_rows_then_left_to_right() {
        // The price is a little higher than its label, on the same row.
        let mut boxes = vec![
            boxed(10.0, 60.0, 50.0, 20.0),
            boxed(200.0, 8.0, 40.0, 20.0),
            boxed(10.0, 12.0, 80.0, 20.0),
        ];
        reading_order(&mut boxes);
        let xs: Vec<(f32, f32)> = boxes
            .iter()
            .map(|b| (b.corners[0].x, b.corners[0].y))
            .collect();
        assert_eq!(xs, [(10.0, 12.0), (200.0, 8.0), (10.0, 60.0)]);
    }

    #[test]
    fn an_upright_quad_is_cut_out_as_it_is() {
        let image = GrayImage::from_fn(50, 40, |x, y| image::Luma([(x * 5 + y) as u8]));
        let corners = boxed(10.0, 5.0, 20.0, 10.0).corners;
        let crop = crop_upright(&image, &corners);
        assert_eq!(crop.dimensions(), (20, 10));
        assert_eq!(crop.get_pixel(0, 0).0[0], (10 * 5 + 5) as u8);
        assert_eq!(crop.get_pixel(19, 9).0[0], (29 * 5 + 14) as u8);
    }

    #[test]
    fn a_tall_quad_is_turned_to_read_across_and_outside_is_white() {
        let image = GrayImage::from_pixel(50, 100, image::Luma([0]));
        let crop = crop_upright(&image, &boxed(5.0, 5.0, 10.0, 40.0).corners);
        assert_eq!(crop.dimensions(), (40, 10));
        let outside = crop_upright(&image, &boxed(60.0, 10.0, 20.0, 10.0).corners);
        assert!(outside.pixels().all(|p| p.0[0] == 255));
    }

    proptest::proptest! {
        #[test]
        fn boxes_stay_on_the_page(rects in proptest::collection::vec((0usize..60, 0usize..30, 1usize..40, 1usize..15), 0..6), dest_w in 1u32..500, dest_h in 1u32..500) {
            let rects: Vec<_> = rects.into_iter().map(|(x, y, w, h)| (x, y, w.min(64 - x), h.min(32 - y), 0.9)).collect();
            let map = map_with(64, 32, &rects);
            for b in boxes_from_map(&map, 64, 32, dest_w, dest_h, &DbParams::default()) {
                for p in b.corners {
                    proptest::prop_assert!(p.x >= 0.0 && p.x <= dest_w as f32 && p.y >= 0.0 && p.y <= dest_h as f32);
                }
            }
        }
    }
}
