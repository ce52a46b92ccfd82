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
- `NNN__retyped.jpg`: the receipt with one digit of its total changed the crude way: the
  amount painted over in the paper's gray and typed again (DejaVu Sans Mono, or Pillow's own
  font), saved as JPEG q90 without metadata. The total's place comes from the transcribed
  lines (`sroie-lines/NNN.csv` beside the receipts' folder) and its value from the label.
- `NNN__cloned.jpg`: the careful way: one digit of the total replaced by a digit cut from
  elsewhere on the same line, so ink, font and paper match.

Usage: fraud_fixtures.py OUT_DIR COUNT SRC_DIR...   (COUNT receipts, every n-th, per kind)
"""

import csv
import io
import json
import random
import struct
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


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


def total_box(lines_csv, total):
    """The last transcribed line holding `total`: (x0, y0, x1, y1, text), or None."""
    found = None
    if not total or not lines_csv.exists():
        return None
    with open(lines_csv, encoding="utf-8", errors="replace") as f:
        for row in csv.reader(f):
            if len(row) < 9:
                continue
            text = ",".join(row[8:])
            if total in text:
                xs, ys = [int(v) for v in row[0:8:2]], [int(v) for v in row[1:8:2]]
                found = (min(xs), min(ys), max(xs), max(ys), text)
    return found


def digit_places(box, total):
    """Left and right x of each character of `total` within its line, evenly spaced."""
    x0, _, x1, _, text = box
    width = (x1 - x0) / max(1, len(text))
    start = text.rfind(total)
    return [(int(x0 + width * (start + i)), int(x0 + width * (start + i + 1)))
            for i in range(len(total))], width


def retyped(image, box, total, rng):
    gray = image.convert("L")
    pixels = np.asarray(gray)
    _, y0, _, y1, _ = box
    places, _ = digit_places(box, total)
    a, b = places[0][0], places[-1][1]
    paper = int(np.median(pixels[max(0, y0 - 6):y1 + 6, max(0, a - 20):b + 20]))
    ink = int(np.percentile(pixels[y0:y1 + 1, a:b + 1], 2))
    digits = [i for i, c in enumerate(total) if c.isdigit()]
    new = list(total)
    k = rng.choice(digits)
    new[k] = str((int(new[k]) + rng.randrange(1, 10)) % 10)
    draw = ImageDraw.Draw(gray)
    draw.rectangle([a, y0, b, y1], fill=paper)
    size = max(8, int((y1 - y0) * 0.9))
    try:
        font = ImageFont.truetype(FONT, size)
    except OSError:
        font = ImageFont.load_default(size)
    draw.text((a, y0), "".join(new), fill=ink, font=font)
    return gray


def cloned(image, box, total, rng):
    gray = image.convert("L")
    _, y0, _, y1, text = box
    places, width = digit_places(box, total)
    digits = [i for i, c in enumerate(total) if c.isdigit()]
    k = rng.choice(digits)
    start = text.rfind(total)
    sources = [m for m, c in enumerate(text) if c.isdigit() and c != total[k]
               and m != start + k]
    if not sources:
        return None
    m = rng.choice(sources)
    x0 = box[0] + width * m
    patch = gray.crop((int(x0), y0, int(x0 + width), y1))
    gray.paste(patch, (places[k][0], y0))
    return gray


def jpeg(image, quality=90):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


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
            label = path.with_suffix(".json")
            total = json.loads(label.read_text(encoding="utf-8")).get("total", "").strip() \
                if label.exists() else ""
            box = total_box(path.parent.parent / "sroie-lines" / f"{path.stem}.csv", total)
            if box is None or not any(c.isdigit() for c in total):
                continue
            (out / f"{path.stem}__retyped.jpg").write_bytes(
                jpeg(retyped(original, box, total, rng)))
            clone = cloned(original, box, total, rng)
            if clone is not None:
                (out / f"{path.stem}__cloned.jpg").write_bytes(jpeg(clone))


if __name__ == "__main__":
    main()
