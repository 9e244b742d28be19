"""Level pieces of text lines: what the detector's merge and the justified-line join both ask of
two quads (level? on one row?) and how they make one quad of a group."""

from __future__ import annotations

import math

import cv2
import numpy as np

Span = tuple[float, float, float, float]  # x0, y0, x1, y1 of a level piece
MAX_TILT = 8.0  # degrees: a steeper quad is a tilted or vertical line, left as it is
ROW_SHARE = 0.6  # share of the shorter piece's height two pieces of one row have in common
SHORT = 3.0  # pieces shorter than this many heights may lean more (``levels``); longer ones set the page's
LEAN = 0.5  # ascender or descender height (of the line height) that tilts a short word's rectangle


def is_level(quad: np.ndarray) -> bool:
    """Near-horizontal (under ``MAX_TILT``) and at least as wide as it is tall."""
    return bool(_lean(cv2.minAreaRect(quad)) < MAX_TILT and _wide(quad))


def levels(quads: list[np.ndarray]) -> list[bool]:
    """``is_level`` for each quad, except that on a page whose long pieces are mostly level a
    short piece wider than tall may lean a little more: its rectangle leans with its ascenders
    and descenders ("ting" 8 degrees: t up at the left, g down at the right), by up to about
    atan(``LEAN`` / its length in heights), which a steeper word (a caption set at an angle) exceeds."""
    rects = [cv2.minAreaRect(q) for q in quads]
    wide = [_wide(q) for q in quads]
    leans = [_lean(r) for r in rects]
    aspects = [max(w, h) / max(1e-6, min(w, h)) for _, (w, h), _ in rects]
    own = [lean < MAX_TILT and w for lean, w in zip(leans, wide, strict=True)]
    long_level = [lv for lv, a in zip(own, aspects, strict=True) if a >= SHORT]
    if not long_level or 2 * sum(long_level) <= len(long_level):
        return own
    return [
        lv or (a < SHORT and w and lean < MAX_TILT + math.degrees(math.atan(LEAN / a)))
        for lv, w, lean, a in zip(own, wide, leans, aspects, strict=True)
    ]


def _lean(rect: tuple) -> float:
    """Degrees a minimum-area rectangle leans off the nearest axis."""
    angle = abs(rect[2]) % 90
    return float(min(angle, 90 - angle))


def _wide(quad: np.ndarray) -> bool:
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return bool(x1 - x0 >= y1 - y0)


def span(quad: np.ndarray) -> Span:
    """A level piece's extent: across the page as drawn; down the page, for a long piece its
    rectangle's height about its middle, for a short one (under ``SHORT`` heights, whose
    rectangle's angle says little, ``levels``) its bounding box. A long line tilted by a degree
    has a bounding box taller than its text by its length times the tilt, and would look unlike
    a short piece of the same line beside it."""
    (_, cy), (rw, rh), _ = cv2.minAreaRect(quad)
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    if max(rw, rh) < SHORT * min(rw, rh):
        return float(x0), float(y0), float(x1), float(y1)
    half = min(rw, rh) / 2
    return float(x0), float(cy - half), float(x1), float(cy + half)


def similar(ha: float, hb: float, max_heights: float) -> bool:
    """The taller at most ``max_heights`` times the shorter."""
    return max(ha, hb) <= max_heights * min(ha, hb)


def same_row(a: Span, b: Span, max_heights: float) -> bool:
    """Most of the shorter's height shared, and heights ``similar``."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= ROW_SHARE * min(ha, hb) and similar(ha, hb, max_heights)


def group_quad(group: list[np.ndarray]) -> np.ndarray:
    """One quad for joined pieces (their minimum-area rectangle); a lone piece keeps its own,
    possibly slightly tilted, quad."""
    if len(group) == 1:
        return group[0]
    return cv2.boxPoints(cv2.minAreaRect(np.concatenate(group).astype(np.float32))).astype(np.float32)
