"""Read synthetic validation pages end to end through the engine: line recall and page CER.

    python -m ocr_train.page_eval --pages 60 --kinds document --leading 0.1 0.5 --scale 3
    python -m ocr_train.page_eval --pages 60 --set isolate=false

The pages come from ``ocr_train.pages`` in the held-out fonts (never rendered for training), so
page-level choices (crop isolation, merge gap, detector thresholds) are made here and the real
dev pages only measure them. ``--scale`` enlarges each page as a 300-dpi scan of it would be:
the detector then sees it shrunk while the recognizer crops the full-resolution pixels.
``--set field=value`` overrides an ``EngineConfig`` field and ``--det field=value`` a detector
``DetParams`` field (both repeatable), for comparisons.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
from ocr_core.config import EngineConfig
from ocr_core.engine import OcrEngine
from ocr_core.evaluate import NORMS, Item, line_recall, page_cer
from ocr_core.types import Box

from ocr_train.pages import KINDS, LEADING, SynthPage, held_out_pages
from ocr_train.paths import CHARSET_FILE, CORPUS_FILE, FONT_PACK
from ocr_train.train_det import quad_iou

T = TypeVar("T")
SEED = 24680  # not train_det's validation seed: these pages carry texts and other layouts


def eval_pages(
    n: int,
    kinds: tuple[str, ...] = KINDS,
    leading: tuple[float, float] = LEADING,
    scale: float = 1.0,
    bilevel: bool = False,
    charset: Path = CHARSET_FILE,
    corpus: Path = CORPUS_FILE,
    fonts: Path = FONT_PACK,
    canvas: float = 1.0,
    clean: bool = False,
) -> list[SynthPage]:
    """``n`` fixed pages in the held-out fonts (``canvas`` times the usual page size, type sizes
    kept; ``clean``: plain print on paper, ``pages.render_page``), enlarged ``scale`` times, and
    with ``bilevel`` thresholded to two levels (Otsu, after sensor noise: ragged edges) as a 1-bit
    scanner or fax stores them."""
    pages = held_out_pages(n, SEED, charset, corpus, fonts, kinds, leading, canvas, clean)
    if scale != 1.0:
        pages = [
            SynthPage(
                cv2.resize(p.image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC),
                [q * scale for q in p.quads],
                p.texts,
            )
            for p in pages
        ]
    if bilevel:
        rng = np.random.default_rng(SEED)
        pages = [SynthPage(_one_bit(p.image, rng), p.quads, p.texts) for p in pages]
    return pages


def _one_bit(gray: np.ndarray, rng: np.random.Generator, noise: float = 24.0) -> np.ndarray:
    """A page as a 1-bit scan stores it: sensor noise, then one threshold (Otsu)."""
    noisy = np.clip(gray.astype(np.float32) + rng.normal(0, noise, gray.shape), 0, 255).astype(np.uint8)
    return cv2.threshold(noisy, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def found_boxes(truth: list[np.ndarray], boxes: list[Box]) -> list[int]:
    """For each labelled line found, in label order, the output box that finds it: the box that
    overlaps its bounding box most (IoU >= 0.5), each box finding one line at most. Whether the
    detector drew a line as one box, scored without the recognizer."""
    found: list[int] = []
    for quad in truth:
        (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
        ious = [quad_iou(_rect(x0, y0, x1, y1), _rect(b.x0, b.y0, b.x1, b.y1)) for b in boxes]
        best = int(np.argmax(ious)) if ious else -1
        if best >= 0 and ious[best] >= 0.5 and best not in found:
            found.append(best)
    return found


def order_pairs(truth: list[np.ndarray], boxes: list[Box]) -> tuple[int, int]:
    """(read next, all) over pairs of consecutive labelled lines that were both found
    (``found_boxes``): reading order scored without the recognizer. A pair counts when the second
    line is the next found line in the output (read on from the first, not later and not before),
    so a page read row by row across its columns scores low."""
    return _read_next(found_boxes(truth, boxes))


def _read_next(found: list[int]) -> tuple[int, int]:
    """``order_pairs`` from the boxes ``found_boxes`` matched, in label order."""
    rank = {p: r for r, p in enumerate(sorted(found))}
    pairs = list(itertools.pairwise(found))
    return sum(rank[b] == rank[a] + 1 for a, b in pairs), len(pairs)


def score(engine: OcrEngine, pages: list[SynthPage]) -> dict[str, float]:
    """Line recall and page CER (NFKC), scored by ``ocr_core.evaluate``'s own functions, the share
    of labelled lines drawn as one box (``found_boxes``) and the share of consecutive labelled
    lines read one after the other (``order_pairs``)."""
    items = [Item(str(i), p.texts, "?", "?") for i, p in enumerate(pages)]
    results = [engine.read_image(p.image) for p in pages]
    preds = {str(i): [line.text for line in r.lines] for i, r in enumerate(results)}
    boxes = [[line.box for line in r.lines] for r in results]
    matched = [found_boxes(p.quads, b) for p, b in zip(pages, boxes, strict=True)]
    counts = [_read_next(m) for m in matched]
    found = sum(len(m) for m in matched)
    norm = NORMS["nfkc"]
    return {
        "pages": len(pages),
        "lines": sum(len(p.texts) for p in pages),
        "line_recall": line_recall(items, preds, norm),
        "page_cer": page_cer(items, preds, norm),
        "found": found / max(1, sum(len(p.quads) for p in pages)),
        "order": sum(c[0] for c in counts) / max(1, sum(c[1] for c in counts)),
    }


def _override(config: T, pairs: list[str]) -> T:
    """``field=value`` pairs onto a dataclass, each value parsed as its field's type."""
    types = {f.name: f.type for f in dataclasses.fields(config)}  # type: ignore[arg-type]
    changes: dict[str, object] = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        if name not in types:
            raise SystemExit(f"{type(config).__name__} has no field {name!r}")
        kind = str(types[name])
        if kind == "bool":
            changes[name] = raw.lower() in ("1", "true", "yes", "on")
        elif kind == "int":
            changes[name] = int(raw)
        elif kind == "float":
            changes[name] = float(raw)
        elif kind == "Path":
            changes[name] = Path(raw)
        elif kind.startswith("tuple[float"):
            changes[name] = tuple(float(v) for v in raw.split(","))
        else:
            changes[name] = raw
    return dataclasses.replace(config, **changes)  # type: ignore[type-var]


def main(argv: list[str] | None = None) -> dict[str, float]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, default=60)
    p.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    p.add_argument("--leading", nargs=2, type=float, default=list(LEADING), metavar=("MIN", "MAX"))
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--canvas", type=float, default=1.0, help="page size x this, type sizes kept")
    p.add_argument("--bilevel", action="store_true", help="pages thresholded to 1 bit (scans, faxes)")
    p.add_argument("--clean", action="store_true", help="plain print on paper: no clutter, warp or wear")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="EngineConfig")
    p.add_argument("--det", action="append", default=[], metavar="FIELD=VALUE", help="DetParams")
    p.add_argument("--charset", type=Path, default=CHARSET_FILE)
    p.add_argument("--corpus", type=Path, default=CORPUS_FILE)
    p.add_argument("--fonts", type=Path, default=FONT_PACK)
    args = p.parse_args(argv)
    config = _override(EngineConfig(detector="db"), args.set)
    pages = eval_pages(
        args.pages,
        tuple(args.kinds),
        tuple(args.leading),
        args.scale,
        args.bilevel,
        args.charset,
        args.corpus,
        args.fonts,
        args.canvas,
        args.clean,
    )
    engine = OcrEngine(config)
    if engine.detector is not None:
        engine.detector.params = _override(engine.detector.params, args.det)
    result = score(engine, pages)
    setup = {
        "kinds": args.kinds,
        "leading": args.leading,
        "scale": args.scale,
        "canvas": args.canvas,
        "bilevel": args.bilevel,
        "clean": args.clean,
        "set": args.set,
        "det": args.det,
    }
    print(json.dumps(setup | result))
    return result


if __name__ == "__main__":
    main()
