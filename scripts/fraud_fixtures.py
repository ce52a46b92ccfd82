#!/usr/bin/env python3
"""Doctored copies of receipt scans, for measuring fidelio's fraud signals (scripts/fraud-eval).

- `NNN__screen.jpg`: the receipt shown on an LCD and photographed. Each receipt pixel is lit
  as a 3x3 screen pixel (red, green and blue stripes, a dark row between pixel rows); a camera
  then samples that grid at 0.3-0.6 of its resolution (1-2 camera pixels per screen pixel),
  turned by up to 3 degrees, through a slightly soft lens, with sensor noise, saved as JPEG:
  the pixel grid and its moire are what a real screen photo carries. Written with numpy and
  Pillow, independently of the simulation in fidelio's unit tests.
- `NNN__edited.jpg`: the receipt re-saved by an image editor: the pixels re-encoded and EXIF
  `Software` naming Photoshop, as Photoshop writes it.

Usage: fraud_fixtures.py OUT_DIR COUNT SRC_DIR...   (COUNT receipts, every n-th, per kind)
"""

import io
import random
import struct
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


def screen_photo(image, rng):
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32)
    h, w, _ = rgb.shape
    cell = np.zeros((h, 3, w, 3, 3), dtype=np.float32)
    for stripe in range(3):
        # Sub-pixel column `stripe` lights only its colour channel.
        cell[:, :, :, stripe, stripe] = rgb[:, None, :, stripe]
    cell[:, 2, :, :, :] *= 0.3  # the dark row between pixel rows
    lit = cell.reshape(h * 3, w * 3, 3)
    # The camera exposes for the screen: its white (three lit stripes) comes out light gray.
    lit = Image.fromarray(np.clip(lit * 2.4, 0, 255).astype(np.uint8), "RGB")
    scale = rng.uniform(0.3, 0.6)
    shot = lit.rotate(rng.uniform(-3, 3), resample=Image.BILINEAR, expand=True,
                      fillcolor=(20, 20, 20))
    # Each sensor pixel integrates the light over its own area (a box), no more: phone cameras
    # have no anti-aliasing filter, which is why screens photograph with moire.
    shot = shot.resize((round(shot.width * scale), round(shot.height * scale)), Image.BOX)
    shot = shot.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.5)))
    noisy = np.asarray(shot, dtype=np.float32)
    noisy = noisy + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 3, noisy.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def exif_software(name):
    """An APP1 EXIF segment whose first directory holds `Software`."""
    text = name.encode() + b"\0"
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x0131, 2, len(text), 26) + b"\0" * 4
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd + text
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def edited(image):
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=92)
    data = out.getvalue()
    return data[:2] + exif_software("Adobe Photoshop 25.0 (Windows)") + data[2:]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, count = Path(sys.argv[1]), int(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(p for d in sys.argv[3:] for p in Path(d).glob("*.jpg"))
    chosen = paths[:: max(1, len(paths) // count)][:count]
    rng = random.Random(20261206)
    for path in chosen:
        with Image.open(path) as original:
            original = original.convert("RGB")
            shot = screen_photo(original, rng)
            shot.save(out / f"{path.stem}__screen.jpg", "JPEG", quality=85)
            (out / f"{path.stem}__edited.jpg").write_bytes(edited(original))


if __name__ == "__main__":
    main()
