"""Orientation from the recognizer's own confidence: upside-down pages, quarter turns, vertical lines.

No extra model: a crop is read in each candidate orientation and the reading with the
highest confidence wins. Pages are decided once from a few of their lines (so every line
turns the same way); a tall line in an upright page is either a column of vertical Chinese
(its characters are restacked into a row) or a word turned by 90 degrees.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from ocr_core.ctc import Decoded

Recognize = Callable[[list[np.ndarray]], list[Decoded]]

TALL = 1.5  # height / width above which a crop is a vertical line
SAMPLE = 6  # lines read in each candidate orientation to decide a page
MARGIN = 0.05  # a rotation must beat upright by this much mean confidence
CONFIDENT = 0.9  # pages read this confidently upright are not checked for 180 degrees


def is_tall(crop: np.ndarray) -> bool:
    return crop.shape[0] >= TALL * crop.shape[1]


def restack_vertical(crop: np.ndarray) -> np.ndarray:
    """A column of upright characters (dark on light) -> the same characters in one row.

    Cuts the column into roughly square cells at the emptiest rows near each multiple of
    its width, then lays the cells side by side.
    """
    h, w = crop.shape[:2]
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    profile = ink.sum(axis=1).astype(np.float32)
    cuts, y = [0], 0
    while y + 1.3 * w < h:
        lo, hi = int(y + 0.7 * w), min(h - 1, int(y + 1.3 * w))
        y = lo + int(np.argmin(profile[lo : hi + 1]))
        cuts.append(y)
    cuts.append(h)
    cells = [crop[a:b] for a, b in itertools.pairwise(cuts) if b - a > 1]
    side = max(c.shape[0] for c in cells)
    fill = int(np.median(crop))
    padded = [
        cv2.copyMakeBorder(c, 0, side - c.shape[0], 0, 0, cv2.BORDER_CONSTANT, value=(fill,)) for c in cells
    ]
    return np.hstack(padded)


def _mean_conf(decoded: Sequence[Decoded]) -> float:
    return float(np.mean([d.confidence if d.text.strip() else 0.0 for d in decoded])) if decoded else 0.0


def _longest(crops: list[np.ndarray], among: list[int], n: int) -> list[int]:
    return sorted(among, key=lambda i: -max(crops[i].shape[:2]))[:n]


def page_rotation(crops: list[np.ndarray], read: list[Decoded], recognize: Recognize) -> int:
    """Counter-clockwise quarter turns (0-3) that make the page upright.

    ``read`` is what ``read_lines`` made of ``crops`` as they are (reused: an upright page, the
    common case, costs only the longest few lines read upside down, and only when unsure).
    """
    if not crops:
        return 0
    tall = [i for i, c in enumerate(crops) if is_tall(c)]
    if len(tall) >= 0.6 * len(crops):  # mostly vertical lines: vertical Chinese or a turned page
        sample = [crops[i] for i in _longest(crops, tall, SAMPLE)]
        scores = {
            0: _mean_conf(recognize([restack_vertical(c) for c in sample])),
            1: _mean_conf(recognize([np.ascontiguousarray(np.rot90(c, 1)) for c in sample])),
            3: _mean_conf(recognize([np.ascontiguousarray(np.rot90(c, 3)) for c in sample])),
        }
        best = max(scores, key=lambda k: scores[k])
        return best if best == 0 or scores[best] >= scores[0] + MARGIN else 0
    wide = _longest(crops, [i for i in range(len(crops)) if i not in set(tall)], SAMPLE)
    upright = _mean_conf([read[i] for i in wide])
    if upright >= CONFIDENT:
        return 0
    flipped = _mean_conf(recognize([np.ascontiguousarray(np.rot90(crops[i], 2)) for i in wide]))
    return 2 if flipped >= upright + MARGIN else 0


def read_lines(crops: list[np.ndarray], recognize: Recognize) -> list[Decoded]:
    """Read upright crops; each tall one as the best of restacked, turned left, turned right."""
    out = recognize([c for c in crops if not is_tall(c)])
    tall_idx = [i for i, c in enumerate(crops) if is_tall(c)]
    if not tall_idx:
        return out
    options = [
        recognize([f(crops[i]) for i in tall_idx])
        for f in (
            restack_vertical,
            lambda c: np.ascontiguousarray(np.rot90(c, 1)),
            lambda c: np.ascontiguousarray(np.rot90(c, 3)),
        )
    ]
    best = [max((o[j] for o in options), key=lambda d: d.confidence if d.text.strip() else 0.0)
            for j in range(len(tall_idx))]  # fmt: skip
    result: list[Decoded] = []
    wide, tall_it = iter(out), iter(best)
    for c in crops:
        result.append(next(tall_it) if is_tall(c) else next(wide))
    return result


def rotate_page(gray: np.ndarray, quarter_turns: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(gray, quarter_turns)) if quarter_turns % 4 else gray


def unrotate_points(points: np.ndarray, quarter_turns: int, shape: tuple[int, int]) -> np.ndarray:
    """Points found on ``rotate_page(page, k)`` -> the page's own coordinates (shape = page's (h, w))."""
    h, w = shape
    p = points.astype(np.float32).copy()
    for i in range(quarter_turns % 4):
        # one counter-clockwise turn maps (x, y) -> (y, W - x); undo the last turn first
        turned_w = w if (quarter_turns - 1 - i) % 2 == 0 else h
        p = np.stack([turned_w - p[:, 1], p[:, 0]], axis=1)
    return p
