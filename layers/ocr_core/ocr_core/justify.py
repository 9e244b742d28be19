"""Join the pieces of a justified line that the detector broke at its widened word spaces.

Justified columns stretch their word spaces. On a magazine scan they reach 0.6-0.8 line heights,
as wide as the gutter between its columns (0.7-1.0), so no width tells a word space from a
gutter, a table's column gap or the gap between an item and its price. Two things tell them
apart. The rows around: a word space falls at a different place in every line, so the lines above
and below run on across it, while a gutter, a table column or a price column leaves the same gap
open in the neighbouring rows as well. And the line itself: justification widens all of a line's
word spaces alike, so the break is about as wide as the spaces left inside its pieces, while an
item stands far further from its price than its own words stand apart.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr_core.pieces import Span, group_quad, levels, same_row, similar, span

ROWS = 3  # neighbouring rows looked at on each side
REACH = 1.8  # ... whose centres lie within this many line heights per row of the pair's
CROSS = 0.9  # share of the gap a row's ink must lie over to run across it
OPEN = 0.1  # ... and at most this share to leave it open (with ink on both sides)
SPACE = 0.2  # narrowest white run across a line (line heights) that counts as a word space
EVEN = 1.6  # widest break, in the line's widest other word space, that is one of them


def join_justified(
    quads: list[np.ndarray], max_gap: float, max_heights: float, gray: np.ndarray
) -> list[np.ndarray]:
    """``quads`` (in ``gray``'s pixels) with each pair of level pieces on one row, at most
    ``max_gap`` line heights apart, joined when most neighbouring rows run across the gap between
    them, hardly any leaves it open, and the pieces hold other word spaces about as wide.

    Pieces whose heights differ by more than ``max_heights`` times stay apart (a heading beside
    body text). Tilted and vertical quads are left as they are."""
    level = [i for i, lv in enumerate(levels(quads)) if lv]
    spans = {i: span(quads[i]) for i in level}
    parent = {i: i for i in level}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    right = {a: _right_neighbour(a, spans, max_gap, max_heights) for a in level}
    left = {b: a for a, b in right.items() if b is not None}
    for a, b in right.items():
        if b is None or not _word_space(spans[a], spans[b], spans, (a, b), max_heights):
            continue
        first, last = a, b  # the row's run of pieces that lie within max_gap of each other
        while first in left and left[first] not in (a, b):
            first = left[first]
        while (after := right.get(last)) is not None and after not in (a, b):
            last = after
        if _even(gray, spans[a], spans[b], (spans[first][0], spans[last][2])):
            parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in level:
        groups.setdefault(root(i), []).append(i)
    joined = [i for i in level if len(groups[root(i)]) > 1]
    if not joined:
        return quads
    out = [q for i, q in enumerate(quads) if i not in joined]
    out.extend(group_quad([quads[i] for i in members]) for members in groups.values() if len(members) > 1)
    return out


def _right_neighbour(a: int, spans: dict[int, Span], max_gap: float, max_heights: float) -> int | None:
    """The nearest piece to the right of ``a`` on its row, if it starts within ``max_gap`` line heights."""
    sa = spans[a]
    best, best_gap = None, 0.0
    for b, sb in spans.items():
        gap = sb[0] - sa[2]
        if b != a and gap > 0 and same_row(sa, sb, max_heights) and (best is None or gap < best_gap):
            best, best_gap = b, gap
    if best is None or best_gap > max_gap * max(sa[3] - sa[1], spans[best][3] - spans[best][1]):
        return None
    return best


def _word_space(a: Span, b: Span, spans: dict[int, Span], pair: tuple[int, int], max_heights: float) -> bool:
    """Whether the gap between ``a`` and ``b`` is a word space: of the ``ROWS`` nearest rows above
    and below that reach over it, at least two run across it and under a third as many leave it
    open with ink on both sides (a gutter or a table column is open in nearly every row)."""
    h = max(a[3] - a[1], b[3] - b[1])
    mid = (a[1] + a[3] + b[1] + b[3]) / 4
    near = [
        s
        for i, s in spans.items()
        if i not in pair
        and 0.5 * h <= abs((s[1] + s[3]) / 2 - mid) <= ROWS * REACH * h
        and similar(h, s[3] - s[1], max_heights)
        and s[2] > a[0]
        and s[0] < b[2]
    ]
    crossed = opened = 0
    for side in (-1, 1):
        rows = _rows([s for s in near if side * ((s[1] + s[3]) / 2 - mid) > 0], h)
        rows.sort(key=lambda row: abs((row[0][1] + row[0][3]) / 2 - mid))
        for row in rows[:ROWS]:
            cover = _covered(row, a[2], b[0])
            if cover >= CROSS:
                crossed += 1
            elif cover <= OPEN and min(s[0] for s in row) < a[2] and max(s[2] for s in row) > b[0]:
                opened += 1
    return crossed >= 2 and opened <= crossed // 3


def _even(gray: np.ndarray, a: Span, b: Span, run: tuple[float, float]) -> bool:
    """Whether the break between ``a`` and ``b`` is no wider than ``EVEN`` times the widest other
    word space along the ``run`` of pieces on their row (white across the line's middle, ink the
    page's minority shade): the widest, because letters of a scan can stand a space apart too."""
    h = max(a[3] - a[1], b[3] - b[1])
    y0, y1 = int(max(0, min(a[1], b[1]) + 0.2 * h)), int(max(a[3], b[3]) - 0.2 * h)
    x0, x1 = int(max(0, run[0])), int(run[1]) + 1
    band = gray[y0:y1, x0:x1]
    if band.size == 0:
        return False
    _, dark = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = dark if dark.mean() <= 0.5 else 1 - dark
    cols = np.flatnonzero(ink.any(axis=0))
    between = ink[:, max(0, int(a[2]) - x0) : max(0, int(b[0]) - x0)]
    if cols.size < 2 or (between.size and between.mean(axis=0).max() >= 0.8):
        return False  # a rule stands in the break: table cells
    starts = cols[:-1][np.diff(cols) > SPACE * h]  # last ink column before each word space
    widths = np.diff(cols)[np.diff(cols) > SPACE * h] - 1.0
    brk = (a[2] + b[0]) / 2 - x0
    at = [i for i, (s, w) in enumerate(zip(starts, widths, strict=True)) if s <= brk <= s + w + 1]
    others = [w for i, w in enumerate(widths) if i not in at]
    if not at or not others:
        return False
    return bool(max(widths[i] for i in at) <= EVEN * max(others))


def _rows(spans: list[Span], h: float) -> list[list[Span]]:
    """``spans`` grouped into rows: centres within 0.3 line heights of the row's first piece."""
    rows: list[list[Span]] = []
    for s in sorted(spans, key=lambda s: s[1] + s[3]):
        centre = (s[1] + s[3]) / 2
        if rows and abs(centre - (rows[-1][0][1] + rows[-1][0][3]) / 2) <= 0.3 * h:
            rows[-1].append(s)
        else:
            rows.append([s])
    return rows


def _covered(row: list[Span], start: float, end: float) -> float:
    """Share of ``start``-``end`` that the pieces of ``row`` lie over."""
    cuts = sorted((max(s[0], start), min(s[2], end)) for s in row if s[2] > start and s[0] < end)
    total, reach = 0.0, start
    for lo, hi in cuts:
        if hi > reach:
            total += hi - max(lo, reach)
            reach = hi
    return total / max(end - start, 1e-6)
