"""Icons that lead a detected line: found in the straightened crop and left out before reading.

Posters, screenshots and labels set a small picture before a line: a filled disc or square,
a ring, a badge with a symbol in it. The detector takes it with the line, and the recognizer
reads it as a character (の, O, 口, ●).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr_core.textdet import along_margin, ink_marks, quad_rows

ICON_GAP = 0.4  # white space after a line's first glyph (line heights) that marks it as an icon
ICON_FILL = 0.7  # share of its box that an icon covers with its holes filled (a disc 0.79, a square 1)
ICON_MIRROR = 0.85  # overlap of that shape with its mirror image: discs, squares and badges are
# symmetric, while capitals such as D, C, G and B (spaced small caps) are not
BADGE_GAP = 0.2  # the white space that is enough after a badge (``is_badge``), in line heights
BADGE_CORNER = 1.6  # a box's corners, in sums of |dx| and |dy| over its half sides: a round
# outline (at most 1.41 there) leaves them blank, a square one (口, 回) inks them
BADGE_AROUND = 11  # of 12 directions from its middle, those in which a badge's ring has ink
BADGE_MIRROR = 0.7  # overlap of a badge's inner mark with its mirror image (a dot, a disc)

Glyphs = tuple[np.ndarray, float, list[tuple[int, int]]]  # a crop's ink, line height, glyph clusters


def mirror_overlap(shape: np.ndarray) -> float:
    """Overlap (intersection over union) of a mask with its left-right mirror image."""
    return float((shape & shape[:, ::-1]).sum() / max(1, (shape | shape[:, ::-1]).sum()))


def is_badge(box: np.ndarray) -> bool:
    """Whether a glyph's ink (a mask cropped to it) is a round ring around a separate, symmetric
    mark in its middle: a radio button, a target bullet (◉, ⊙).

    Such a badge may stand closer to the words than other icons (a poster's bullets stand about
    0.3 line heights off, the word space of a letter), because no letter or Chinese character
    has its shape: an O has nothing inside, 回 and 日 are square, © and @ hold marks that are
    not symmetric. The ring may be broken where the print is faint, so it is asked to surround
    the mark, not to close.
    """
    h, w = box.shape
    n, labels, stats, _ = cv2.connectedComponentsWithStats(box.astype(np.uint8), connectivity=8)
    x, y, cw, ch = (stats[1:, i] for i in range(4))
    inner = np.flatnonzero((x > 0) & (y > 0) & (x + cw < w) & (y + ch < h)) + 1
    if inner.size == 0 or n - 1 == inner.size:
        return False
    mark = np.isin(labels, inner)
    ys, xs = np.nonzero(mark)
    if mark.sum() < 0.05 * h * w or abs(xs.mean() - w / 2) > 0.15 * w or abs(ys.mean() - h / 2) > 0.15 * h:
        return False
    ry, rx = np.nonzero(box & ~mark)
    dx, dy = (rx + 0.5 - w / 2) / (w / 2), (ry + 0.5 - h / 2) / (h / 2)
    if (np.abs(dx) + np.abs(dy) > BADGE_CORNER).any():
        return False
    around = np.unique((np.arctan2(dy, dx) / (2 * np.pi) * 12).astype(int) % 12).size
    return (
        around >= BADGE_AROUND
        and mirror_overlap(mark[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]) >= BADGE_MIRROR
    )


def _glyphs(line: np.ndarray) -> Glyphs | None:
    """A horizontal crop's ink (``ink_marks``), its line height and its glyph clusters (column
    spans along the quad's rows, split where white runs over 0.15 line heights); None for a
    vertical, tiny or blank crop (icons lead horizontal lines)."""
    height, width = line.shape
    top, bottom = quad_rows(height)
    short = bottom - top
    if height >= width or height < 8 or width < 4 * short:
        return None
    body = ink_marks(line, short)
    cols = np.flatnonzero(body[int(top) : int(np.ceil(bottom))].any(axis=0))
    if cols.size < 2:
        return None
    breaks = np.flatnonzero(np.diff(cols) > 0.15 * short)
    starts = [int(cols[0]), *(int(cols[b + 1]) for b in breaks)]
    ends = [*(int(cols[b]) + 1 for b in breaks), int(cols[-1]) + 1]
    return body, short, list(zip(starts, ends, strict=True))


def _icon_shape(body: np.ndarray, short: float, x0: int, x1: int) -> np.ndarray | None:
    """The ink of the cluster in columns ``x0:x1`` cropped to its rows, when it has an icon's
    size (about as wide as tall, at least 0.7 line heights tall); else None."""
    rows = np.flatnonzero(body[:, x0:x1].any(axis=1))
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    w, h = x1 - x0, y1 - y0
    if not (0.7 * short <= h and 0.7 <= w / h <= 1.4):
        return None
    return body[y0:y1, x0:x1]


def icon_cut(line: np.ndarray) -> int:
    """The first column to read of a horizontal crop (dark on light) whose line is led by an icon
    (0 when it is not, and for a vertical crop: icons lead horizontal lines).

    An icon is the first blob of ink, about as wide as it is tall and as tall as the line,
    standing ``ICON_GAP`` line heights or more before the rest, that with its holes filled covers
    most of its box and is left-right symmetric; or a badge (``is_badge``) standing ``BADGE_GAP``
    or more before it. Letters that start a line stand a word space (0.25-0.35 line heights) from
    the next word, and the capitals of letter-spaced titles that stand further off are not
    symmetric discs or squares.
    """
    return _lead_cut(_glyphs(line))


def _lead_cut(found: Glyphs | None) -> int:
    """``icon_cut`` from a crop's ``_glyphs``."""
    if found is None or len(found[2]) < 2:
        return 0
    body, short, spans = found
    (x0, x1), (rest, last) = spans[0], (spans[1][0], spans[-1][1])
    gap = (rest - x1) / short
    if gap < BADGE_GAP or last - 1 - rest < 1.5 * short:  # BADGE_GAP < ICON_GAP
        return 0
    ink = _icon_shape(body, short, x0, x1)
    if ink is None:
        return 0
    box = ink.astype(np.uint8)
    outside = np.pad(box, 1)  # flood the background from the border: what stays unflooded is the
    cv2.floodFill(outside, None, (0, 0), 1)  # type: ignore[call-overload]  # shape with holes filled
    shape = (box | (outside[1:-1, 1:-1] == 0)).astype(bool)
    plain = gap >= ICON_GAP and shape.mean() >= ICON_FILL and mirror_overlap(shape) >= ICON_MIRROR
    if not (plain or is_badge(ink)):
        return 0
    return max(x1, rest - int(along_margin(short)))


def badge_stretches(line: np.ndarray) -> list[tuple[int, int]]:
    """The column spans of a horizontal crop to read as lines of their own: split at each badge
    (``is_badge``) that stands inside the line, ``BADGE_GAP`` line heights or more from the words
    on either side; ``[(0, width)]`` when there is none.

    A poster sets two items in one row, each led by a badge (``◉ 极速发货 ◉ 冰点标准``), and the
    detector takes the row as one line: read whole, the inner badge comes out as a character and
    the two items as one line. Each stretch keeps the crop's usual margin at its ends.
    """
    return _badge_splits(_glyphs(line), line.shape[1])


def _badge_splits(found: Glyphs | None, width: int) -> list[tuple[int, int]]:
    """``badge_stretches`` from a crop's ``_glyphs``."""
    if found is None or len(found[2]) < 3:
        return [(0, width)]
    body, short, spans = found
    margin = int(along_margin(short))
    first, last = spans[0][0], spans[-1][1]
    out, start = [], 0
    for (_, before), (x0, x1), (after, _) in zip(spans, spans[1:], spans[2:], strict=False):
        gaps = min(x0 - before, after - x1) / short
        if gaps < BADGE_GAP or before - first < 1.5 * short or last - after < 1.5 * short:
            continue
        ink = _icon_shape(body, short, x0, x1)
        if ink is None or not is_badge(ink):
            continue
        out.append((start, min(x0, before + margin)))
        start, first = max(x1, after - margin), after
    return [*out, (start, width)]


def read_spans(line: np.ndarray) -> list[tuple[int, int, int]]:
    """What to read of a crop: per stretch (``badge_stretches``) its columns ``(start, end)`` and
    the first column to read (after the icon that leads it, ``icon_cut``). The crop's ink is
    measured once for a line that no badge splits, the common case."""
    found = _glyphs(line)
    spans = _badge_splits(found, line.shape[1])
    if len(spans) == 1:
        return [(0, line.shape[1], _lead_cut(found))]
    return [(a, b, a + icon_cut(line[:, a:b])) for a, b in spans]
