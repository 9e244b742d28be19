"""Unzipped size of each Lambda function with its layers, against Lambda's 262,144,000-byte limit.

python infra/local/ocr_local/sizes.py build/arm64      (or .aws-sam/build)
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 262_144_000
TARGET = 200_000_000
LAYERS = ("OcrRuntimeLayer", "ModelLayer")
FUNCTIONS = ("ApiFunction", "S3OcrFunction")


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main(root: Path) -> int:
    layers = {name: size(root / name) for name in LAYERS}
    for name, n in layers.items():
        print(f"{name:16s} {n:>13,} bytes")
    worst = 0
    for fn in FUNCTIONS:
        own = size(root / fn)
        total = own + sum(layers.values())
        worst = max(worst, total)
        verdict = (
            "OK" if total < TARGET else ("over the 200 MB target" if total < LIMIT else "OVER LAMBDA'S LIMIT")
        )
        print(f"{fn:16s} {own:>13,} bytes; with layers {total:>13,} bytes ({total / 1e6:.1f} MB): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
