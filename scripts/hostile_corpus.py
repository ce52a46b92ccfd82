#!/usr/bin/env python3
"""Write tests/data/hostile/: broken and crafted files a member's upload or a shared folder can
hold, each with the results line fidelio must give it (expected.toml).

Made once and committed (small files; the pictures are the project's own sample receipt
scaled down); run again only to add a case. What cannot live in git (a 3 GB file, a named
pipe, links, names that are not UTF-8) is made where it is used: tests/integration/hostile.rs
and scripts/hostile.

Needs Pillow (`pip install pillow`); the e-receipt PDF is printed by Chromium (Debian's
`chromium`, headless) and the HEIC photo encoded by `heif-enc` (Debian's `libheif-examples`).
"""

import html
import io
import json
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "hostile"
INBOX = ROOT / "samples" / "inbox"
# Four different receipts, all accepted under campaigns/demo.toml: the same picture twice
# would be a repeat (DUPLICATE_IMAGE), not what is tested here.
SAMPLES = [
    INBOX / "M1001" / "fresco-lyon-20240314",
    INBOX / "M1002" / "maximarche-nantes-20240405",
    INBOX / "M1003" / "fresco-bordeaux-20240522",
    INBOX / "M1004" / "maximarche-lille-20240330",
]
# A receipt scanned in two parts (review: its total is high under the demo campaign).
TWO_PARTS = INBOX / "M1006" / "maximarche-nantes-20240427"

# The inputs people have besides pictures: an e-receipt PDF, scans saved as PDF, a phone's
# HEIC photo. Receipts of shops the demo campaign does not run at (or without its product):
# rejected for that, which takes reading the merchant, date and total right.
E_RECEIPT = INBOX / "M1007" / "maximarche-lille-20240412"
SCAN_PDF = INBOX / "M1004" / "pharmacie-arcades-20240411"
FAX_PDF = INBOX / "M1008" / "greenway-oxford-20240412"
HEIC = INBOX / "M1008" / "frischmarkt-freiburg-20240418"

EXPECTED = []


def expect(name, status, code=None, why="", fields=None):
    """`fields`: the sample whose merchant, date and total the results line must carry."""
    EXPECTED.append((name, status, code, why, fields))


def encode(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def write(name, data, transcript=None):
    """`transcript`: the sample whose printed text goes beside the file (the text engine)."""
    (OUT / name).write_bytes(data)
    if transcript is not None:
        (OUT / (name.rsplit(".", 1)[0] + ".txt")).write_text(
            transcript.with_suffix(".txt").read_text()
        )


def picture(sample):
    return Image.open(sample.with_suffix(".jpg")).convert("RGB")


def cut(data, tail=b""):
    return data[: len(data) // 2] + tail


def png_chunk(kind, payload):
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_header_only(width, height, bit_depth, colour_type):
    """A PNG whose header declares `width`x`height` and whose data holds a few rows: a
    decoder that trusts the header allocates the whole picture first."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    rows = zlib.compress(b"\0" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


def jpeg_with_size(data, width, height):
    """`data` (a baseline JPEG) with its frame header claiming `width`x`height`."""
    at = data.index(b"\xff\xc0")
    return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]


def chromium_pdf(sample):
    """The sample's printed lines as an e-receipt: HTML printed to PDF by Chromium (fonts
    embedded as subsets, composite fonts with a Unicode map, as shops' PDFs are)."""
    text = sample.with_suffix(".txt").read_text()
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><style>'
        "@page{size:80mm 200mm;margin:4mm} body{margin:0}"
        'pre{font-family:"DejaVu Sans Mono",monospace;font-size:8.5pt;line-height:1.25}'
        "</style></head><body><pre>" + html.escape(text) + "</pre></body></html>"
    )
    with tempfile.TemporaryDirectory() as work:
        source, target = Path(work) / "receipt.html", Path(work) / "receipt.pdf"
        source.write_text(page)
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", f"--user-data-dir={work}/profile",
                "--no-pdf-header-footer", f"--print-to-pdf={target}", source.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        return target.read_bytes()


def heic(image):
    with tempfile.TemporaryDirectory() as work:
        source, target = Path(work) / "photo.png", Path(work) / "photo.heic"
        image.save(source)
        subprocess.run(["heif-enc", "-q", "50", "-o", str(target), str(source)], check=True,
                       capture_output=True)
        return target.read_bytes()


def other_inputs():
    e_receipt = chromium_pdf(E_RECEIPT)
    write("e-receipt.pdf", e_receipt)
    expect("e-receipt.pdf", "rejected", "NO_ELIGIBLE_PRODUCT",
           "an e-receipt PDF, read from its text layer", fields=E_RECEIPT)
    write("e-receipt-cut.pdf", cut(e_receipt))
    expect("e-receipt-cut.pdf", "unreadable", "CORRUPT_IMAGE", "an e-receipt PDF cut at half")
    scan = picture(SCAN_PDF)
    out = io.BytesIO()
    scan.save(out, "PDF", resolution=200, quality=60)
    write("scan.pdf", out.getvalue(), transcript=SCAN_PDF)
    expect("scan.pdf", "rejected", "MERCHANT_NOT_ELIGIBLE", "a scan saved as PDF (JPEG)",
           fields=SCAN_PDF)
    fax = picture(FAX_PDF).convert("L").point(lambda v: 255 if v > 140 else 0).convert("1")
    out = io.BytesIO()
    fax.save(out, "PDF", resolution=200)
    write("fax.pdf", out.getvalue(), transcript=FAX_PDF)
    expect("fax.pdf", "rejected", "MERCHANT_NOT_ELIGIBLE",
           "an office scanner's black-and-white PDF (CCITT fax)", fields=FAX_PDF)
    photo = heic(picture(HEIC))
    write("photo.heic", photo, transcript=HEIC)
    expect("photo.heic", "rejected", "MERCHANT_NOT_ELIGIBLE", "a phone's HEIC photo",
           fields=HEIC)
    write("photo-cut.heic", cut(photo))
    expect("photo-cut.heic", "unreadable", "CORRUPT_IMAGE", "a HEIC photo cut at half")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    page = picture(SAMPLES[0])
    baseline = encode(page, "JPEG", quality=60)
    write("baseline.jpg", baseline, transcript=SAMPLES[0])
    expect("baseline.jpg", "accepted", None, "a whole JPEG, read")
    write("baseline-cut.jpg", cut(baseline, b"\xff\xd9"))
    expect("baseline-cut.jpg", "unreadable", "CORRUPT_IMAGE", "cut at half, FF D9 appended")
    filled = cut(baseline)
    write("baseline-zeros.jpg", filled + b"\0" * (len(baseline) - 2 - len(filled)) + b"\xff\xd9")
    expect(
        "baseline-zeros.jpg", "unreadable", "CORRUPT_IMAGE",
        "cut at half, filled with zero bytes to its length, FF D9 appended",
    )

    progressive = encode(picture(SAMPLES[1]), "JPEG", quality=60, progressive=True)
    write("progressive.jpg", progressive, transcript=SAMPLES[1])
    expect("progressive.jpg", "accepted", None, "a whole progressive JPEG (web export)")
    write("progressive-cut.jpg", cut(progressive, b"\xff\xd9"))
    expect(
        "progressive-cut.jpg", "unreadable", "CORRUPT_IMAGE", "progressive, cut, FF D9 appended"
    )

    cmyk = encode(picture(SAMPLES[2]).convert("CMYK"), "JPEG", quality=60)
    write("cmyk.jpg", cmyk, transcript=SAMPLES[2])
    expect("cmyk.jpg", "accepted", None, "a CMYK JPEG (print workflow)")
    write("cmyk-cut.jpg", cut(encode(page.resize((415, 551)).convert("CMYK"), "JPEG"), b"\xff\xd9"))
    expect("cmyk-cut.jpg", "unreadable", "CORRUPT_IMAGE", "CMYK, cut, FF D9 appended")

    # Refused files need not be big: a quarter of the page.
    small = page.resize((415, 551), Image.LANCZOS)
    png = encode(small.convert("L"), "PNG")
    iend = png_chunk(b"IEND", b"")
    write("png-cut.png", cut(png, iend))
    expect("png-cut.png", "unreadable", "CORRUPT_IMAGE", "cut at half, IEND appended")
    write("tiff-cut.tif", cut(encode(small.convert("L"), "TIFF")))
    expect("tiff-cut.tif", "unreadable", "CORRUPT_IMAGE", "strips run past the end")
    write("webp-cut.webp", cut(encode(small, "WEBP", quality=60)))
    expect("webp-cut.webp", "unreadable", "CORRUPT_IMAGE", "cut at half")
    write("bmp-cut.bmp", cut(encode(page.convert("L").resize((208, 276)), "BMP")))
    expect("bmp-cut.bmp", "unreadable", "CORRUPT_IMAGE", "cut at half")

    last = picture(SAMPLES[3]).convert("L")
    transparent = Image.new("RGBA", last.size, (0, 0, 0, 0))
    # Print opaque, paper transparent (a cut-out, a screenshot's background).
    transparent.putalpha(last.point(lambda v: 255 if v < 128 else 0))
    write("transparent.png", encode(transparent, "PNG"), transcript=SAMPLES[3])
    expect(
        "transparent.png", "accepted", None, "black print on a transparent background (was TOO_DARK)"
    )

    whole = picture(TWO_PARTS).convert("L").point(lambda v: 255 if v > 140 else 0).convert("1")
    half = whole.height // 2
    top, bottom = whole.crop((0, 0, whole.width, half)), whole.crop((0, half, whole.width, whole.height))
    pages = io.BytesIO()
    top.save(pages, "TIFF", save_all=True, append_images=[bottom], compression="group4")
    write("two-pages.tif", pages.getvalue(), transcript=TWO_PARTS)
    expect("two-pages.tif", "review", "HIGH_TOTAL", "a receipt scanned in two pages, read as one")

    write("bomb-15000.png", png_header_only(15000, 15000, 8, 0))
    expect("bomb-15000.png", "unreadable", "IMAGE_TOO_LARGE", "225 MP declared (took 906 MB)")
    write("bomb-19999-rgba16.png", png_header_only(19999, 19999, 16, 6))
    expect(
        "bomb-19999-rgba16.png", "unreadable", "IMAGE_TOO_LARGE", "400 MP at 8 bytes (took 3.5 GB)"
    )
    write("alloc-7000-rgba16.png", png_header_only(7000, 7000, 16, 6))
    expect(
        "alloc-7000-rgba16.png",
        "unreadable",
        "IMAGE_TOO_LARGE",
        "49 MP, under the pixel limit, but 392 MB to decode",
    )
    write("bomb-60000.jpg", jpeg_with_size(encode(small, "JPEG", quality=50), 60000, 60000))
    expect("bomb-60000.jpg", "unreadable", "IMAGE_TOO_LARGE", "a JPEG header claiming 3.6 GP")

    other_inputs()

    write("empty.jpg", b"")
    expect("empty.jpg", "unreadable", "EMPTY_FILE", "zero bytes")
    write("text-as.jpg", b"this is not a picture\n" * 20)
    expect("text-as.jpg", "unreadable", "NOT_AN_IMAGE", "text named .jpg")
    write("gif.gif", encode(page.convert("P").resize((104, 138)), "GIF"))
    expect("gif.gif", "unreadable", "NOT_AN_IMAGE", "a format fidelio does not read")
    write("jpeg-header-only.jpg", baseline[:600])
    expect("jpeg-header-only.jpg", "unreadable", "CORRUPT_IMAGE", "headers, no scan")

    lines = [
        "# Written by scripts/hostile_corpus.py: every file of this folder and the results",
        "# line `fidelio run` gives it (status, and the first reason's code when unreadable).",
        "# tests/integration/hostile.rs checks them; scripts/hostile measures the peak memory.",
        "",
    ]
    for name, status, code, why, fields in EXPECTED:
        lines.append("[[file]]")
        lines.append(f'name = "{name}"')
        lines.append(f'status = "{status}"')
        if code:
            lines.append(f'code = "{code}"')
        lines.append(f'why = "{why}"')
        if fields is not None:
            label = json.loads(fields.with_suffix(".json").read_text())
            for key in ("merchant", "date", "total"):
                lines.append(f'{key} = "{label[key]}"')
        lines.append("")
    (OUT / "expected.toml").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
