"""Classical text-line detection: edges -> characters -> lines -> boxes in reading order.

The morphological gradient finds stroke edges whatever the polarity (dark-on-light and
light-on-dark alike); a horizontal closing sized from the median character height
joins characters into lines without bridging column gutters; tall blobs are split at
empty rows; recursive XY-cut orders the boxes (columns one after another).
"""

from __future__ import annotations

from typing import TypeVar

import cv2
import numpy as np

from ocr_core.types import Box

B = TypeVar("B", bound=tuple[int, ...])  # (x, y, w, h, ...): extra fields ride along

MAX_SIDE = 2000
JOIN = 1.3  # closing width in median character heights: joins words, not columns
# margin around a line's ink, in line heights, along and across the line: what the recognizer was
# trained with (shared with the learned detector's crops)
PAD_ALONG, PAD_ACROSS = 0.25, 0.12


def _edge_mask(gray: np.ndarray) -> np.ndarray:
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    _, mask = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask


def _median_char_height(mask: np.ndarray) -> float:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (hs >= 5) & (hs < mask.shape[0] * 0.5) & (ws < hs * 5)
    return float(np.median(hs[keep])) if n > 1 and keep.any() else 12.0


def _split_tall(
    mask: np.ndarray, box: tuple[int, int, int, int], line_h: float
) -> list[tuple[int, int, int, int]]:
    """Split a blob taller than ~2 lines at rows with (almost) no ink."""
    x, y, w, h = box
    if h < 2.2 * line_h:
        return [box]
    profile = (mask[y : y + h, x : x + w] > 0).sum(axis=1)
    empty = profile <= max(1, int(0.02 * w))
    parts: list[tuple[int, int, int, int]] = []
    start = None
    for r in range(h + 1):
        inked = r < h and not empty[r]
        if inked and start is None:
            start = r
        elif not inked and start is not None:
            if r - start >= 3:
                parts.append((x, y + start, w, r - start))
            start = None
    return parts if len(parts) > 1 else [box]


BLOB_ASPECT = 3.0  # a box this many times as long as wide or more is a line, whatever its size
FLUSH_SHARE = 0.7  # of the lines on each side of a narrow gutter that must meet it (justified)


def xy_cut(boxes: list[B], min_x_gap: float, gutter: float = 0.0, blob: float = 0.0) -> list[B]:
    """Recursive XY-cut: cut at the widest empty gap; columns left to right, blocks top down.

    ``gutter`` (> 0): a column gap narrower than ``min_x_gap`` still splits a block that has no
    wider row gap, when it is at least ``gutter`` wide and most lines on both sides (3 or more
    each) run to within twice ``gutter`` of it: justified columns. Magazine columns stand that
    close and share a baseline grid, so the leading between their rows runs across the page;
    without this they are read row by row, across the columns. Table cells and receipt items
    stop short of their gaps at ragged places and keep their rows.

    ``blob`` (> 0, with ``gutter``): when looking for such a gutter, boxes wider and taller than
    this and under ``BLOB_ASPECT`` times as long as wide (pieces of a picture, a drop cap) are
    left out, and go with the column their middle is in: one across a narrow gutter would
    otherwise have two columns read as one. Other cuts count every box, so a sign's big short
    words still make their own gaps."""
    if len(boxes) <= 1:
        return boxes

    def gaps(lo: list[int], hi: list[int]) -> tuple[int, int]:
        order = sorted(range(len(lo)), key=lambda i: lo[i])
        best, at, reach = 0, -1, hi[order[0]]
        for i in order[1:]:
            if lo[i] - reach > best:
                best, at = lo[i] - reach, lo[i]
            reach = max(reach, hi[i])
        return best, at

    def cut(parts: tuple[list[B], list[B]]) -> list[B]:
        return xy_cut(parts[0], min_x_gap, gutter, blob) + xy_cut(parts[1], min_x_gap, gutter, blob)

    ygap, yat = gaps([b[1] for b in boxes], [b[1] + b[3] for b in boxes])
    xgap, xat = gaps([b[0] for b in boxes], [b[0] + b[2] for b in boxes])
    columns = ([b for b in boxes if b[0] < xat], [b for b in boxes if b[0] >= xat])
    if xgap >= min_x_gap and xgap > ygap:
        return cut(columns)
    if gutter and ygap < min_x_gap:  # a justified gutter: among all boxes, then among lines only
        lines = [b for b in boxes if not _blob(b, blob)]
        for counted in (boxes, lines) if 2 <= len(lines) < len(boxes) else (boxes,):
            gap, at = gaps([b[0] for b in counted], [b[0] + b[2] for b in counted])
            sides = ([b for b in counted if b[0] < at], [b for b in counted if b[0] >= at])
            if gutter <= gap and _justified(*sides, at - gap, at, 2 * gutter):
                blobs = [] if counted is boxes else [b for b in boxes if _blob(b, blob)]  # by their middle
                return cut(
                    (
                        sides[0] + [b for b in blobs if b[0] + b[2] / 2 < at],
                        sides[1] + [b for b in blobs if b[0] + b[2] / 2 >= at],
                    )
                )
    if ygap > 0:
        return cut(([b for b in boxes if b[1] < yat], [b for b in boxes if b[1] >= yat]))
    if xgap > 0:
        return cut(columns)
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def _blob(b: B, size: float) -> bool:
    """Wider and taller than ``size`` (> 0) and under ``BLOB_ASPECT`` times as long as wide."""
    return bool(size) and min(b[2], b[3]) > size and max(b[2], b[3]) < BLOB_ASPECT * min(b[2], b[3])


def _justified(left: list[B], right: list[B], start: int, end: int, reach: float) -> bool:
    """Whether most lines left of a gap (``start``-``end``) end near it and most right of it
    start near it, with at least 3 on each side."""
    if len(left) < 3 or len(right) < 3:
        return False
    ends = sum(b[0] + b[2] >= start - reach for b in left) / len(left)
    starts = sum(b[0] <= end + reach for b in right) / len(right)
    return ends >= FLUSH_SHARE and starts >= FLUSH_SHARE


def detect_lines(gray: np.ndarray) -> list[Box]:
    """Line boxes of a gray page, in reading order, in the page's pixel coordinates."""
    h0, w0 = gray.shape
    scale = min(1.0, MAX_SIDE / max(h0, w0))
    img = (
        cv2.resize(gray, (max(1, int(w0 * scale)), max(1, int(h0 * scale))), interpolation=cv2.INTER_AREA)
        if scale < 1
        else gray
    )
    mask = _edge_mask(img)
    char_h = _median_char_height(mask)
    kw = max(3, int(round(char_h * JOIN)))
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    raw: list[tuple[int, int, int, int]] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if h < 6 or w < 4 or (h > 0.9 * img.shape[0] and w > 0.9 * img.shape[1]):
            continue
        if area < 0.08 * w * h:  # frames, table rules, long thin lines
            continue
        if h < 10 and w > 20 * h:  # horizontal rules
            continue
        raw.extend(_split_tall(joined, (x, y, w, h), max(char_h * 1.3, 10)))
    ordered = xy_cut(raw, min_x_gap=2.0 * char_h)
    boxes = []
    for x, y, w, h in ordered:
        pad_y, pad_x = int(round(h * PAD_ACROSS)) + 1, int(round(h * PAD_ALONG)) + 1
        boxes.append(
            Box(
                max(0, int((x - pad_x) / scale)),
                max(0, int((y - pad_y) / scale)),
                min(w0, int((x + w + pad_x) / scale)),
                min(h0, int((y + h + pad_y) / scale)),
            )
        )
    return boxes


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    return image[box.y0 : box.y1, box.x0 : box.x1]
