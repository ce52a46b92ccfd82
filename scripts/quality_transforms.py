#!/usr/bin/env python3
"""Degraded copies of receipt scans, for calibrating the capture-quality gate (scripts/quality-eval).

Every copy is something a member really sends and fidelio must reject with a reason that tells
them what to do; the original must pass. Output names are `NNN__KIND.jpg`:

  original  the scan as it is (re-encoded like the others, so JPEG is not what tells them apart)
  blurred   Gaussian blur of 3 px at the 1000 px width fidelio measures at (so 3 px at
            source for receipts up to 1000 px wide, more on big page scans)          -> BLURRY
  blur-src  Gaussian blur of 3 px at source size, whatever the resolution: on a 600 dpi page
            scan that is 0.13 mm and the print stays sharp, so not every one is blurry
  exposed   gain 1.6 and +60: paper clipped to white, print lifted to gray            -> GLARE
  glare     photographed (paper ~200 gray), then a blown-out ellipse over ~40 % of it -> GLARE
  dark      gain 0.2: paper ~50 gray, a photo taken in a dim room                     -> TOO_DARK

Usage: quality_transforms.py SRC_DIR OUT_DIR
"""

import sys
from pathlib import Path

try:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter
except ImportError as missing:
    sys.exit(
        f"quality_transforms: {missing.name} is not installed.\n"
        "It needs Pillow and numpy, e.g.: python3 -m pip install pillow numpy"
    )

# fidelio measures sharpness on a copy shrunk to this width (src/image/quality.rs).
REFERENCE_WIDTH = 1000
# Share of the receipt the blown-out core of the glare spot covers.
GLARE_AREA = 0.40
# Paper level once photographed under room light instead of a scanner lamp.
PHOTO_PAPER = 200


def save(image, path, quality=90):
    image.convert("RGB").save(path, "JPEG", quality=quality)


def from_array(pixels):
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), "RGB")


def blurred(image):
    """3 px at the width fidelio measures at: a blur that hides small print on any scan."""
    scale = max(1.0, image.size[0] / REFERENCE_WIDTH)
    return image.filter(ImageFilter.GaussianBlur(radius=3 * scale))


def blurred_at_source(image):
    return image.filter(ImageFilter.GaussianBlur(radius=3))


def exposed(image):
    """Over-exposure: reflected light lifts everything, paper clips, print turns light gray."""
    return from_array(np.asarray(image, dtype=np.float32) * 1.6 + 60)


def print_box(image, block=16):
    """The box around the print, so a receipt on a big scanned page gets the spot: blocks dense
    with dark pixels (dust specks on the page are not), outer 2 % trimmed."""
    ink = np.asarray(image.convert("L")) < 128
    rows, cols = ink.shape[0] // block, ink.shape[1] // block
    if rows == 0 or cols == 0:
        return 0.0, 0.0, float(image.size[0]), float(image.size[1])
    density = ink[: rows * block, : cols * block].reshape(rows, block, cols, block).mean(axis=(1, 3))
    ys, xs = np.nonzero(density >= 0.03)
    if len(xs) < 10:
        return 0.0, 0.0, float(image.size[0]), float(image.size[1])
    left, right = np.percentile(xs, [2, 98])
    top, bottom = np.percentile(ys, [2, 98])
    return (float(left * block), float(top * block),
            float((right + 1) * block), float((bottom + 1) * block))


def glare_spot(image):
    """A photo (gray paper) with a flash reflection: a soft-edged ellipse burnt to pure white."""
    pixels = np.asarray(image, dtype=np.float32) * (PHOTO_PAPER / 255)
    left, top, right, bottom = print_box(image)
    width, height = right - left, bottom - top
    # An ellipse with the print's aspect ratio covering GLARE_AREA of it: area = pi/4 * a * b.
    scale = (GLARE_AREA * 4 / np.pi) ** 0.5
    a, b = width * scale, height * scale
    cx, cy = left + width * 0.45, top + height * 0.4
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((cx - a / 2, cy - b / 2, cx + a / 2, cy + b / 2), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(radius=max(2, min(a, b) / 40)))
    spot = np.asarray(mask, dtype=np.float32)[:, :, None] / 255
    # Twice full scale at the centre: the core clips whatever was printed there.
    return from_array(pixels + spot * 2 * 255)


def dark(image):
    return from_array(np.asarray(image, dtype=np.float32) * 0.2)


KINDS = {
    "original": lambda image: image,
    "blurred": blurred,
    "blur-src": blurred_at_source,
    "exposed": exposed,
    "glare": glare_spot,
    "dark": dark,
}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: quality_transforms.py SRC_DIR OUT_DIR")
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    scans = sorted(src.glob("*.jpg"))
    if not scans:
        sys.exit(f"quality_transforms: no .jpg in {src}")
    for path in scans:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
        for kind, make in KINDS.items():
            save(make(image), out / f"{path.stem}__{kind}.jpg")
    print(f"{len(scans)} receipts x {len(KINDS)} kinds in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
