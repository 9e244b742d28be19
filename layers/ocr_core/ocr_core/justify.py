"""Join the pieces of a justified line that the detector broke at its widened word spaces.

Justified columns stretch their word spaces. On a magazine scan they reach 0.6-0.8 line heights,
as wide as the gutter between its columns (0.7-1.0), so no width tells a word space from a
gutter, a table's column gap or the gap between an item and its price. The rows around tell
them apart: in a paragraph the lines just above and below run on across a word space and span
the same column from edge to edge, while a gutter, a table column or a price column leaves its
gap open in the neighbouring rows as well.
"""

from __future__ import annotations

import cv2
import numpy as np

Span = tuple[float, float, float, float]  # x0, y0, x1, y1 of a level piece
FLUSH = 0.5  # line heights a neighbouring row's ends may stand inside the pair's ends
COVER = 0.9  # share of the gap that a neighbouring row's ink must run across


def join_justified(quads: list[np.ndarray], max_gap: float, max_heights: float) -> list[np.ndarray]:
    """``quads`` with each pair of level pieces on one row, at most ``max_gap`` line heights
    apart, joined when the nearest rows above and below both span the pair and run across the gap.

    Pieces whose heights differ by more than ``max_heights`` times stay apart (a heading beside
    body text). Tilted and vertical quads are left as they are."""
    level = [i for i, q in enumerate(quads) if _is_level(q)]
    spans = {i: _span(quads[i]) for i in level}
    parent = {i: i for i in level}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in level:
        b = _right_neighbour(a, spans, max_gap, max_heights)
        if b is not None and _spanned(spans[a], spans[b], spans, (a, b), max_heights):
            parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in level:
        groups.setdefault(root(i), []).append(i)
    joined = [i for i in level if len(groups[root(i)]) > 1]
    if not joined:
        return quads
    out = [q for i, q in enumerate(quads) if i not in joined]
    for members in groups.values():
        if len(members) > 1:
            pts = np.concatenate([quads[i] for i in members]).astype(np.float32)
            out.append(cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32))
    return out


def _is_level(quad: np.ndarray) -> bool:
    angle = abs(cv2.minAreaRect(quad)[2]) % 90
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return bool(min(angle, 90 - angle) < 8 and x1 - x0 >= y1 - y0)


def _span(quad: np.ndarray) -> Span:
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _same_row(a: Span, b: Span, max_heights: float) -> bool:
    ha, hb = a[3] - a[1], b[3] - b[1]
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.6 * min(ha, hb) and max(ha, hb) <= max_heights * min(ha, hb)


def _right_neighbour(a: int, spans: dict[int, Span], max_gap: float, max_heights: float) -> int | None:
    """The nearest piece to the right of ``a`` on its row, if it starts within ``max_gap`` line heights."""
    sa = spans[a]
    best, best_gap = None, 0.0
    for b, sb in spans.items():
        gap = sb[0] - sa[2]
        if b != a and gap > 0 and _same_row(sa, sb, max_heights) and (best is None or gap < best_gap):
            best, best_gap = b, gap
    if best is None or best_gap > max_gap * max(sa[3] - sa[1], spans[best][3] - spans[best][1]):
        return None
    return best


def _spanned(a: Span, b: Span, spans: dict[int, Span], pair: tuple[int, int], max_heights: float) -> bool:
    """Whether the nearest rows above and below the pair ``a``-``b`` both reach from ``a``'s start to
    ``b``'s end (within ``FLUSH`` line heights) and run across the gap between them."""
    h = max(a[3] - a[1], b[3] - b[1])
    mid = (a[1] + a[3] + b[1] + b[3]) / 4
    for side in (-1, 1):
        near = [
            s
            for i, s in spans.items()
            if i not in pair
            and 0.5 * h <= side * ((s[1] + s[3]) / 2 - mid) <= 2.2 * h
            and max(h, s[3] - s[1]) <= max_heights * min(h, s[3] - s[1])
            and s[2] > a[0]
            and s[0] < b[2]
        ]
        if not near:
            return False
        centre = min((s[1] + s[3]) / 2 for s in near) if side > 0 else max((s[1] + s[3]) / 2 for s in near)
        row = [s for s in near if abs((s[1] + s[3]) / 2 - centre) <= 0.3 * h]
        if min(s[0] for s in row) > a[0] + FLUSH * h or max(s[2] for s in row) < b[2] - FLUSH * h:
            return False
        if _covered(row, a[2], b[0]) < COVER:
            return False
    return True


def _covered(row: list[Span], start: float, end: float) -> float:
    """Share of ``start``-``end`` that the pieces of ``row`` lie over."""
    cuts = sorted((max(s[0], start), min(s[2], end)) for s in row if s[2] > start and s[0] < end)
    total, reach = 0.0, start
    for lo, hi in cuts:
        if hi > reach:
            total += hi - max(lo, reach)
            reach = hi
    return total / max(end - start, 1e-6)
