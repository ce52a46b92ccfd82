#!/usr/bin/env python3
"""Transformed copies of receipt scans, for measuring duplicate detection (scripts/near-dup-eval).

A customer who resubmits a receipt rarely sends the same bytes: the app re-encodes it, the phone
resizes it, a second photo is rotated, framed differently, taken at an angle or in other light.
Each transform below is one of those, within the ranges issue 23 names (JPEG quality 50-90,
resize 50-120 %, rotation up to 5 degrees, 5 % crop, a photograph-like perspective, brightness),
applied with Pillow: an encoder and resampler independent of the ones fidelio uses, as a real
phone's would be. Output names are `NNN__TRANSFORM.jpg`.

Usage: near_dup_transforms.py OUT_DIR SRC_DIR...
"""

import sys
from pathlib import Path

from PIL import Image, ImageEnhance

WHITE = (255, 255, 255)


def save(image, path, quality=85):
    image.convert("RGB").save(path, "JPEG", quality=quality)


def resize(image, factor):
    width, height = image.size
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return image.resize(size, Image.LANCZOS)


def rotate(image, degrees):
    return image.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=WHITE)


def crop(image, fraction):
    """Cut `fraction` of the width and height off each side."""
    width, height = image.size
    dx, dy = round(width * fraction), round(height * fraction)
    return image.crop((dx, dy, width - dx, height - dy))


def perspective(image, tilt=0.06):
    """The page photographed from below its centre: the top edge `tilt` narrower than the bottom,
    the page a little off the frame's centre, on a gray table."""
    width, height = image.size
    pad = round(width * tilt)
    canvas = Image.new("RGB", (width + 2 * pad, height + 2 * pad), (120, 120, 120))
    canvas.paste(image, (pad, pad))
    w, h = canvas.size
    inset = round(w * tilt)
    # Destination corners of the page (top narrower), mapped back to the source square.
    destination = [(inset, 0), (w - inset, 0), (w, h), (0, h)]
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    coefficients = _perspective_coefficients(destination, source)
    return canvas.transform((w, h), Image.PERSPECTIVE, coefficients, Image.BICUBIC,
                            fillcolor=(120, 120, 120))


def _perspective_coefficients(destination, source):
    """The 8 coefficients Pillow's PERSPECTIVE transform takes (output -> input mapping)."""
    rows, values = [], []
    for (x, y), (u, v) in zip(destination, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.extend([u, v])
    return _solve(rows, values)


def _solve(matrix, values):
    """Gaussian elimination with partial pivoting, for the 8x8 system above."""
    n = len(values)
    a = [row[:] + [values[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col])]
    return [a[i][n] / a[i][i] for i in range(n)]


def brightness(image, factor):
    return ImageEnhance.Brightness(image).enhance(factor)


def transforms(image):
    """(name, image, jpeg quality) for every transform of one scan."""
    yield "jpeg50", image, 50
    yield "jpeg90", image, 90
    yield "resize50", resize(image, 0.5), 85
    yield "resize120", resize(image, 1.2), 85
    yield "rot+5", rotate(image, 5.0), 85
    yield "rot-5", rotate(image, -5.0), 85
    yield "crop5", crop(image, 0.05), 85
    yield "perspective", perspective(image), 80
    yield "bright", brightness(image, 1.25), 85
    yield "dark", brightness(image, 0.7), 85


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for source in map(Path, sys.argv[2:]):
        for path in sorted(source.glob("*.jpg")):
            with Image.open(path) as original:
                original = original.convert("RGB")
                for name, image, quality in transforms(original):
                    save(image, out / f"{path.stem}__{name}.jpg", quality)


if __name__ == "__main__":
    main()
