"""The fixed split of the labelled SROIE receipts into a tune half and a check half, one place
for the scripts that measure fields on them (scripts/eval, calibrate, partner-eval,
time-eval). scripts/fraud-eval decides copies as duplicates, so they count once there too;
scripts/ocr-cer measures the reader per id (a copy reads as its original).

Even ids are the tune half (looked at, rules written on them), odd ids the check half (never
tuned on). SROIE holds the same scan under several ids: byte-identical files, 6 of them across
the halves. A check receipt that repeats a tune receipt is no receipt the rules were never
tuned on, and a copy counted twice weighs twice, so each image counts once, in the tune half
when it is there: 184 tune and 177 check receipts of the 378 labelled.

Usage: python3 scripts/sroie_halves.py [DIR...]   (default ../shared/data/sroie-dev and
sroie-train, or SROIE_DIRS). Prints `half<TAB>image path`, tune first, by id; as a module,
halves(dirs) returns the same pairs.
"""

import glob
import hashlib
import os
import re
import sys


def receipt_id(path):
    return int(re.sub(r"\D", "", os.path.basename(path)) or 0)


def halves(dirs):
    """(half, image path) of every labelled receipt kept, tune first, each half by id."""
    labelled = [
        path
        for d in dirs
        for path in glob.glob(os.path.join(d, "*.jpg"))
        if os.path.exists(path[:-4] + ".json")
    ]
    split = [("tune" if receipt_id(p) % 2 == 0 else "check", p) for p in labelled]
    split.sort(key=lambda hp: (hp[0] != "tune", receipt_id(hp[1]), hp[1]))
    seen = set()
    kept = []
    for half, path in split:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            kept.append((half, path))
    return kept


def default_dirs():
    env = os.environ.get("SROIE_DIRS")
    if env:
        return env.split()
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.join(here, "..", "..", "shared", "data")
    return [os.path.join(shared, "sroie-dev"), os.path.join(shared, "sroie-train")]


if __name__ == "__main__":
    for half, path in halves(sys.argv[1:] or default_dirs()):
        print(f"{half}\t{path}")
