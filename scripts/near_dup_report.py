#!/usr/bin/env python3
"""Duplicate-detection figures from two nights of `fidelio run` (see scripts/near-dup-eval).

Night 1 decided the original receipts, night 2 their transformed copies `NNN__TRANSFORM.jpg`.
- recall: of the copies whose original is a claim (accepted or in review; only claims hold a
  purchase), the share found to repeat *their own* original;
- decided: the same recall among the copies fidelio did not refuse for their own reasons
  (capture quality, a missing date, unreadable): a refused copy is never paid, but a repeat
  found on it is still reported after its own reasons;
- paid: copies that were neither found nor refused, so a campaign would pay them again;
- wrong original: copies found to repeat another receipt (a false positive, and a miss);
- edit: copies found as `CHANGED_REGION` (a retouched copy); none of these transformations
  retouches anything, so each is a false alarm of that signal (the copy is still found);
- distinct pairs: originals found to repeat another original. The labels say whether the two
  are in fact one purchase (same shop, date and total): those are listed, not counted as errors.
Halves follow scripts/eval: tune = even ids, check = odd ids.

Usage: near_dup_report.py ORIGINALS_RESULTS COPIES_RESULTS RECEIPTS_DIR...
"""

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

DUPLICATE_CODES = ("DUPLICATE_FILE", "DUPLICATE_PURCHASE", "DUPLICATE_IMAGE", "CHANGED_REGION")


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def stem(file):
    return Path(file).stem.split("__")[0]


def half(name):
    digits = "".join(c for c in name if c.isdigit())
    return "tune" if int(digits or 0) % 2 == 0 else "check"


ORIGINAL = re.compile(r"(?: as|^the picture of) (.+?) \(batch ")


def original_of(record):
    """The file a duplicate repeats: `duplicate_of` for the same bytes in one batch, else the
    path the ledger's reason names."""
    if record.get("duplicate_of"):
        return record["duplicate_of"]
    for reason in record["reasons"]:
        found = ORIGINAL.search(reason["message"])
        if reason["code"] in DUPLICATE_CODES and found:
            return found.group(1)
    return None


def kind(record):
    codes = [r["code"] for r in record["reasons"] if r["code"] in DUPLICATE_CODES]
    return codes[0] if codes else None


def labels(dirs):
    found = {}
    for d in map(Path, dirs):
        for path in d.glob("*.json"):
            with open(path, encoding="utf-8") as f:
                found[path.stem] = json.load(f)
    return found


def same_purchase(a, b):
    keys = ("company", "date", "total")
    return all(str(a.get(k, "")).strip().lower() == str(b.get(k, "")).strip().lower()
               for k in keys)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    originals, copies = read(sys.argv[1]), read(sys.argv[2])
    truth = labels(sys.argv[3:])
    claims = {stem(r["file"]) for r in originals if r["status"] in ("accepted", "review")}
    print(f"originals: {len(originals)}, of which claims {len(claims)} "
          f"({Counter(r['status'] for r in originals if stem(r['file']) not in claims)} not)")

    # Distinct pairs among the originals.
    wrong_pairs, true_pairs = [], []
    for r in originals:
        if original_of(r) and kind(r):
            a, b = stem(r["file"]), stem(original_of(r))
            pair = (a, b, kind(r))
            same = a in truth and b in truth and same_purchase(truth[a], truth[b])
            (true_pairs if same else wrong_pairs).append(pair)
    n = len(originals)
    print(f"distinct pairs: {n * (n - 1) // 2}; matched although distinct: {len(wrong_pairs)}; "
          f"matched and in fact one purchase by the labels: {len(true_pairs)}")
    for a, b, code in wrong_pairs:
        print(f"  FALSE  {a} ~ {b} ({code})")
    for a, b, code in true_pairs:
        print(f"  same   {a} ~ {b} ({code})")

    # Copies.
    table = defaultdict(Counter)
    for r in copies:
        name = Path(r["file"]).stem
        if "__" not in name:
            continue
        original, transform = name.split("__", 1)
        if original not in claims:
            continue
        for key in (transform, "all", f"all/{half(original)}"):
            row = table[key]
            row["copies"] += 1
            refused = r["status"] in ("rejected", "unreadable")
            row["decided"] += not refused
            found = kind(r)
            row["paid"] += r["status"] in ("accepted", "review") and not found
            if not found:
                continue
            repeats = stem(original_of(r) or "")
            if repeats == original or same_purchase(truth.get(original, {}),
                                                    truth.get(repeats, {"_": 1})):
                row["found"] += 1
                row["found decided"] += not refused
                row[found] += 1
                row["edit"] += found == "CHANGED_REGION"
            else:
                row["wrong"] += 1
    print()
    print(f"{'transform':<12} {'copies':>6} {'recall':>7} {'decided':>8} {'paid':>5} "
          f"{'wrong':>5}  {'purchase':>8} {'image':>6} {'file':>5} {'edit':>5}")
    for key in sorted(table, key=lambda k: (k.startswith("all"), k)):
        row = table[key]
        recall = 100 * row["found"] / max(1, row["copies"])
        decided = 100 * row["found decided"] / max(1, row["decided"])
        print(f"{key:<12} {row['copies']:>6} {recall:>6.1f}% {decided:>7.1f}% {row['paid']:>5} "
              f"{row['wrong']:>5}  "
              f"{row['DUPLICATE_PURCHASE']:>8} {row['DUPLICATE_IMAGE']:>6} "
              f"{row['DUPLICATE_FILE']:>5} {row['edit']:>5}")
    misses = Counter(Path(r["file"]).stem.split("__")[0] for r in copies
                     if stem(r["file"]) in claims and not kind(r))
    if misses:
        worst = ", ".join(f"{k} ({v})" for k, v in misses.most_common(12))
        print(f"\nmost missed originals (copies missed): {worst}")


if __name__ == "__main__":
    main()
