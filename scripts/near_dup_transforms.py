#!/usr/bin/env python3
"""Transformed copies of receipt scans, for measuring the perceptual hash (scripts/near-dup-eval).

A customer who resubmits a receipt rarely sends the same bytes: the app re-encodes it, the phone
resizes it, a second photo is slightly rotated or framed differently. Each transform below is one
of those, applied with Pillow (an encoder and resampler independent of the Rust `image` crate the
hash uses, as a real phone's would be). Output names are `NNN__TRANSFORM.jpg`.

Usage: near_dup_transforms.py SRC_DIR OUT_DIR
"""

import random
import sys
from pathlib import Path

from PIL import Image

WHITE = (255, 255, 255)


def save(image, path, quality=85):
    image.convert("RGB").save(path, "JPEG", quality=quality)


def resize(image, factor):
    width, height = image.size
    return image.resize((max(1, round(width * factor)), max(1, round(height * factor))), Image.LANCZOS)


def rotate(image, degrees):
    return image.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=WHITE)


def crop(image, left, top, right, bottom):
    """Cut the given fractions off each side."""
    width, height = image.size
    return image.crop((round(width * left), round(height * top),
                       round(width * (1 - right)), round(height * (1 - bottom))))


def transforms(image, rng):
    """(name, image, jpeg quality) for every transform of one scan."""
    yield "jpeg60", image, 60
    yield "resize50", resize(image, 0.5), 85
    yield "resize70", resize(image, 0.7), 85
    yield "rot+2", rotate(image, 2.0), 85
    yield "rot-2", rotate(image, -2.0), 85
    yield "crop3", crop(image, 0.03, 0.03, 0.03, 0.03), 85
    yield "crop5", crop(image, 0.05, 0.05, 0.05, 0.05), 85
    # A second photo: every change at once, random within the ranges the issue names.
    sides = [rng.uniform(0.03, 0.05) for _ in range(4)]
    mixed = crop(rotate(resize(image, rng.uniform(0.5, 0.7)), rng.uniform(-2.0, 2.0)), *sides)
    yield "mixed", mixed, 60


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20240301)
    for path in sorted(source.glob("*.jpg")):
        with Image.open(path) as original:
            original = original.convert("RGB")
            for name, image, quality in transforms(original, rng):
                save(image, out / f"{path.stem}__{name}.jpg", quality)


if __name__ == "__main__":
    main()
