"""A training checkpoint without its optimizer state: what is committed and what a lent GPU
machine brings back (the AdamW moments would triple the file).

    python -m ocr_train.weights runs/ft/best.pt ft_best.pt [SRC DST ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from ocr_train.train import atomic_save


def strip_optimizer(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with the optimizer state left out (model, config and counters kept)."""
    weights = torch.load(src, map_location="cpu", weights_only=False)
    weights.pop("optimizer", None)
    atomic_save(dst, weights)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) % 2:
        raise SystemExit(__doc__)
    for src, dst in zip(args[::2], args[1::2], strict=True):
        if Path(src).exists():
            strip_optimizer(Path(src), Path(dst))
            print(f"{src} -> {dst}")


if __name__ == "__main__":
    main()
