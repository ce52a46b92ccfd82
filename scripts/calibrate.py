"""Fit the total's confidence (a logistic function of its score) on the tune half and report
calibration on both halves. Input: DIR/{tune,check}.tsv from examples/total_features and the
labels DIR/{tune,check}/NAME.json. Pure Python: no numpy on the machines this runs on."""

import json
import math
import re
import sys

FEATURES = ["bias", "support", "lead", "keyword row", "second keyword row", "repaired", "ocr"]


def features(r):
    flag = lambda b: 1.0 if b else 0.0
    return [
        1.0,
        min(r["support"], 20.0) / 10.0,
        min(max(r["support"] - r["runner_up"], 0.0), 10.0) / 10.0,
        flag(r["keyword_rows"] >= 1),
        flag(r["keyword_rows"] >= 2),
        flag(r["repaired"]),
        r["ocr"] / 100.0,
    ]


def load(work, half):
    rows = []
    for line in open(f"{work}/{half}.tsv"):
        f = line.rstrip("\n").split("\t")
        name = f[0].rsplit("/", 1)[-1].rsplit(".", 1)[0]
        label = json.load(open(f"{work}/{half}/{name}.json")).get("total", "")
        try:
            expected = float(re.sub(r"[^0-9.]", "", label))
        except ValueError:
            continue
        rows.append(
            dict(
                support=float(f[2]),
                runner_up=float(f[3]),
                keyword_rows=int(f[4]),
                repaired=f[5] == "1",
                ocr=float(f[6]),
                confidence=float(f[7]),
                right=abs(expected - float(f[1])) < 0.005,
            )
        )
    return rows


def fit(rows, l2=0.1, steps=4000, rate=0.5):
    """Logistic regression by gradient descent, L2 on every weight but the bias."""
    w = [0.0] * len(features(rows[0]))
    for _ in range(steps):
        grad = [0.0] * len(w)
        for r in rows:
            x = features(r)
            p = predict(w, x)
            for i, xi in enumerate(x):
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
        cells.append(f">={t}: {len(kept)}/{len(rows)} kept, {share:.1f} % right")
    print(f"  {name:6} log loss {loss:.3f}; " + "; ".join(cells))


def main():
    work = sys.argv[1]
    tune, check = load(work, "tune"), load(work, "check")
    w = fit(tune)
    print("TOTAL_WEIGHTS (fitted on the tune half): [" + ", ".join(f"{x:.2f}" for x in w) + "]")
    print("  " + ", ".join(f"{n} {x:.2f}" for n, x in zip(FEATURES, w)))
    for half, rows in (("tune", tune), ("check", check)):
        print(f"{half} half ({len(rows)} totals read, {sum(r['right'] for r in rows)} right)")
        report("built", rows, lambda r: r["confidence"])
        report("fitted", rows, lambda r: predict(w, features(r)))


main()
