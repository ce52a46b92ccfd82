"""Fit each field's confidence (a logistic function of its score's features) on the tune half
and report calibration on both halves. Input: DIR/{tune,check}.FIELD.tsv from
examples/score_features (file, value, features in the weights' order, built confidence) and
the labels DIR/{tune,check}/NAME.json. SROIE labels have no time: the time's label is the one
time the receipt's transcribed lines print (SROIE_LINES, default ../shared/data/sroie-lines),
receipts printing none or several left out. Pure Python: no numpy where this runs."""

import datetime
import json
import math
import os
import re
import sys
import unicodedata

FIELDS = {
    "total": ["bias", "support", "lead", "keyword row", "second keyword row", "repaired", "ocr"],
    "date": ["bias", "lead", "repeated", "ocr"],
    "merchant": ["bias", "legal", "wrapped", "lower case", "ocr", "clean", "short"],
    "address": ["bias", "postcode", "rows", "ocr", "clean", "mended"],
    "time": ["bias", "keyword", "alone", "ocr"],
}
WEIGHTS = {
    "total": "TOTAL_WEIGHTS",
    "date": "DATE_WEIGHTS",
    "merchant": "MERCHANT_WEIGHTS",
    "address": "ADDRESS_WEIGHTS",
    "time": "TIME_WEIGHTS",
}
LABEL_KEY = {"total": "total", "date": "date", "merchant": "company", "address": "address"}
LINES = os.environ.get("SROIE_LINES", "../shared/data/sroie-lines")
CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]) ?: ?([0-5]\d)(?: ?: ?[0-5]\d)? *([AP])?\.?M?\b", re.I)


def printed_time(name):
    """The one clock reading (HH:MM, 24 h) of a receipt's transcribed lines, else None."""
    try:
        lines = open(f"{LINES}/{name}.csv", encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return None
    found = set()
    for line in lines:
        for m in CLOCK.finditer(line.split(",", 8)[-1]):
            hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").upper()
            hour += 12 if half == "P" and hour < 12 else 0
            hour -= 12 if half == "A" and hour == 12 else 0
            found.add(f"{hour:02d}:{minute:02d}")
    return found.pop() if len(found) == 1 else None


def fold(text):
    """As `fidelio eval` compares names: accents, case, spaces and punctuation folded away."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.upper() if c.isalnum())


def merchant_right(read, label):
    """Names and addresses: the same letters and digits, as `fidelio eval` compares them."""
    return fold(read) == fold(label) if label else None


def total_right(read, label):
    try:
        return abs(float(re.sub(r"[^0-9.]", "", label)) - float(read)) < 0.005
    except ValueError:
        return None


def date_right(read, label):
    """SROIE labels print dates as on the receipt (`15/12/2016`, `02/JAN/2017`, `15-03-18`):
    right when the day, month and year read all appear in it."""
    if not label:
        return None
    d = datetime.date.fromisoformat(read)
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    numbers = [int(n) for n in re.findall(r"\d+", label)]
    upper = label.upper()
    month_named = any(m in upper for m in months)
    month = months.index(next(m for m in months if m in upper)) + 1 if month_named else None
    year_ok = d.year in numbers or d.year % 100 in numbers
    month_ok = month == d.month if month_named else d.month in numbers
    return year_ok and month_ok and d.day in numbers


def load(work, half, field):
    rows = []
    right = {
        "total": total_right,
        "date": date_right,
        "merchant": merchant_right,
        "address": merchant_right,
        "time": lambda read, label: read[:5] == label if label else None,
    }[field]
    for line in open(f"{work}/{half}.{field}.tsv"):
        f = line.rstrip("\n").split("\t")
        name = f[0].rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if field == "time":
            label = printed_time(name)
        else:
            label = json.load(open(f"{work}/{half}/{name}.json")).get(LABEL_KEY[field], "")
        ok = right(f[1], label)
        if ok is None:
            continue
        rows.append(dict(x=[float(v) for v in f[2:-1]], confidence=float(f[-1]), right=ok))
    return rows


def fit(rows, l2=0.1, steps=4000, rate=0.5):
    """Logistic regression by gradient descent, L2 on every weight but the bias."""
    w = [0.0] * len(rows[0]["x"])
    for _ in range(steps):
        grad = [0.0] * len(w)
        for r in rows:
            p = predict(w, r["x"])
            for i, xi in enumerate(r["x"]):
                grad[i] += (p - r["right"]) * xi
        for i in range(len(w)):
            w[i] -= rate * (grad[i] + (l2 * w[i] if i else 0.0)) / len(rows)
    return w


def predict(w, x):
    return 1.0 / (1.0 + math.exp(-sum(a * b for a, b in zip(w, x))))


def report(name, rows, confidence):
    loss = -sum(
        math.log(max(1e-6, confidence(r) if r["right"] else 1.0 - confidence(r))) for r in rows
    ) / len(rows)
    cells = []
    for t in (0.7, 0.8, 0.85, 0.9, 0.95):
        kept = [r["right"] for r in rows if confidence(r) >= t]
        share = 100.0 * sum(kept) / max(1, len(kept))
        cells.append(f">={t}: {len(kept)} kept, {share:.1f} % right")
    print(f"  {name:6} log loss {loss:.3f}; " + "; ".join(cells))


def main():
    work = sys.argv[1]
    for field, names in FIELDS.items():
        tune, check = load(work, "tune", field), load(work, "check", field)
        w = fit(tune)
        const = WEIGHTS[field]
        print(f"{const} (fitted on the tune half): [" + ", ".join(f"{x:.2f}" for x in w) + "]")
        print("  " + ", ".join(f"{n} {x:.2f}" for n, x in zip(names, w)))
        for half, rows in (("tune", tune), ("check", check)):
            print(f"{field}, {half} half ({len(rows)} read, {sum(r['right'] for r in rows)} right)")
            report("built", rows, lambda r: r["confidence"])
            report("fitted", rows, lambda r: predict(w, r["x"]))


main()
