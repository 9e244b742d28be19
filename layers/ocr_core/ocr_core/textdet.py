"""The learned text detector (a small DB network in ONNX) and its box post-processing.

Page (gray) -> resized so the long side is at most ``max_side`` (multiples of 32) ->
probability map -> regions above ``bin_thresh`` -> one minimum-area rectangle per region,
kept if its mean probability is at least ``box_thresh`` -> expanded back ("unclipped") by the
inverse of the training shrink -> pieces of one line merged -> quads in page pixels, in reading order.

Rotated and slightly curved lines come out as rotated rectangles; ``crop_quad`` straightens
each with a perspective transform before recognition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from ocr_core.detect import PAD_ACROSS, PAD_ALONG, xy_cut
from ocr_core.errors import ModelError
from ocr_core.justify import join_justified
from ocr_core.pieces import group_quad, levels, same_row, span
from ocr_core.recognizer import make_session
from ocr_core.types import Box

DEFAULT_SHRINK = 0.3  # of a line's short side, off each edge of the training target (db.py)


@dataclass(frozen=True)
class DetParams:
    """Post-processing knobs (tuned on synthetic validation pages, never on the dev set)."""

    max_side: int = 960
    min_side: int = 32
    upscale_to: int = 0  # a page whose long side is shorter is enlarged to this (0: never; measured
    # in the model card, not shipped)
    min_text: float = 20.0  # lines found shorter than this (median, map pixels) -> the page is
    # enlarged so they reach it, up to enlarge_max, and detected again (0: never; model card)
    enlarge_max: int = 1760  # the long side that second pass may reach (0: max_side): a full page of
    # small print (a 300-dpi letter scan) reaches the map at 960 with lines ~11 pixels high, where
    # the map breaks them at wide word spaces (model card: +5.4 points on such synthetic pages)
    bin_thresh: float = 0.4  # bin/box thresholds and merge_gap: `python -m ocr_train.tune_det` (model card)
    box_thresh: float = 0.6
    min_size: float = 3.0  # smallest short side (map pixels) of a kept region
    shrink: float = DEFAULT_SHRINK  # the model's training shrink (read from its metadata)
    unclip_extra: float = 0.0  # extra growth, in short sides, on top of undoing the shrink
    line_height: float = 0.8  # share of each line's height (about its middle) that detect() returns:
    # the net's regions come out thicker than its training kernels, so fully undone quads are ~1.2x
    # the ink; chosen for reading (line recall) on synthetic pages by `ocr_train.page_eval`
    merge_gap: float = 0.5  # join line pieces closer than this many line heights (0: never): a gap
    # narrower than half a character cannot separate columns (model card: cost on synthetic pages)
    merge_heights: float = 2.0  # ... and only when the taller piece is at most this many times the
    # shorter (a word of x-height letters beside one with ascenders and descenders is ~2x)
    merge_overlap: float = 1.0  # ... or overlapping by up to this many line heights of the shorter (was
    # 0.5: model card, step 15)
    justify_gap: float = 2.0  # join pieces up to this many line heights apart when the rows around run
    # across the gap and it is as wide as the line's other word spaces: a justified line's widened
    # space (``justify.py``; 0: never)
    justify_heights: float = 3.0  # ... and the taller piece at most this many times the shorter (a
    # word of x-height letters, such as "comes", beside a whole line's region is ~2.6x)
    blob: float = 1.5  # line heights: a box wider and taller (not 3x longer) closes no column gap (0: off)
    strip_pixels: int = 360_000  # larger inputs run in horizontal strips: peak RSS, not speed (strips)
    strip_context: int = 128  # rows of context above and below each strip (a multiple of 32): with
    # 128, every dev page gives the same boxes as one whole-page run (64 moved some by pixels)


def resize_for_detection(
    gray: np.ndarray, max_side: int, min_side: int = 32, upscale_to: int = 0
) -> tuple[np.ndarray, float, float]:
    """Scale so the long side is <= max_side (and >= ``upscale_to`` when set), both sides
    multiples of 32 (>= min_side)."""
    h, w = gray.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if upscale_to and max(h, w) < upscale_to:
        scale = min(upscale_to, max_side) / max(h, w)
    nh = max(min_side, int(round(h * scale / 32)) * 32)
    nw = max(min_side, int(round(w * scale / 32)) * 32)
    resized = cv2.resize(gray, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return resized, nw / w, nh / h


def strips(height: int, width: int, max_pixels: int, context: int) -> list[tuple[int, int, int, int]]:
    """Row ranges (run_from, run_to, keep_from, keep_to) that cover a ``height`` x ``width`` input.

    Each strip keeps at most about ``max_pixels`` of output and is run with ``context`` rows above
    and below, so its kept rows see what they would in one whole-page run (the network is
    convolutional); all bounds are multiples of 32 when height and context are. One strip when
    the input is small enough."""
    n = max(1, -(-height * width // max_pixels))
    keep = -(-height // n // 32) * 32
    out = []
    for top in range(0, height, keep):
        bottom = min(height, top + keep)
        out.append((max(0, top - context), min(height, bottom + context), top, bottom))
    return out


def to_input(gray: np.ndarray) -> np.ndarray:
    """(H, W) uint8 -> (1, 1, H, W) float32 normalized as in training."""
    return ((gray.astype(np.float32) / 255.0 - 0.5) / 0.5)[None, None]


def quads_from_prob(prob: np.ndarray, params: DetParams) -> list[np.ndarray]:
    """Rotated line rectangles (4 x 2 float32, map pixels) from a probability map (H, W)."""
    mask = (prob > params.bin_thresh).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    grow = params.shrink / max(1e-6, 1.0 - 2.0 * params.shrink) + params.unclip_extra
    quads = []
    for contour in contours:
        if len(contour) < 3:
            continue
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        if min(rw, rh) < params.min_size * (1 - 2 * params.shrink):
            continue
        x, y, bw, bh = cv2.boundingRect(contour)
        region = np.zeros((bh, bw), np.uint8)
        cv2.drawContours(region, [contour - np.array([x, y], np.int32)], -1, (1,), -1)
        if float(prob[y : y + bh, x : x + bw][region > 0].mean()) < params.box_thresh:
            continue
        d = grow * min(rw, rh)
        quads.append(cv2.boxPoints(((cx, cy), (rw + 2 * d, rh + 2 * d), angle)).astype(np.float32))
    return quads


def merge_into_lines(
    quads: list[np.ndarray], max_gap: float = 0.8, max_heights: float = 1.5, max_overlap: float = 0.5
) -> list[np.ndarray]:
    """Join near-horizontal pieces of one line (split at a wide word space) into one quad.

    Two pieces join when they overlap vertically by most of the smaller height, the taller is at
    most ``max_heights`` times the shorter, and the gap between them is under ``max_gap`` line
    heights (a word space is about 0.3-0.5; table cells and item/price columns are further apart
    and stay separate), or they overlap by at most ``max_overlap`` of the shorter's height (a
    break in the map narrower than the growth that undoes the shrink leaves overlapping pieces).
    Tilted and vertical quads are left as they are.
    """
    keep: list[np.ndarray] = []
    pieces: list[tuple[list[float], list[np.ndarray]]] = []  # (x0, y0, x1, y1), the quads joined
    for q, level in zip(quads, levels(quads), strict=True):
        if level:
            pieces.append((list(span(q)), [q]))
        else:
            keep.append(q)
    pieces.sort(key=lambda piece: piece[0][0])
    merged = True
    while merged:
        merged = False
        for i, (a, qa) in enumerate(pieces):
            for j in range(i + 1, len(pieces)):
                b, qb = pieces[j]  # b starts right of a's start (sorted)
                ha, hb = a[3] - a[1], b[3] - b[1]
                gap = b[0] - a[2]
                if same_row(
                    (a[0], a[1], a[2], a[3]), (b[0], b[1], b[2], b[3]), max_heights
                ) and -max_overlap * min(ha, hb) <= gap <= max_gap * max(ha, hb):
                    pieces[i] = ([a[0], min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])], qa + qb)
                    del pieces[j]
                    merged = True
                    break
            if merged:
                break
    keep.extend(group_quad(group) for _, group in pieces)
    return keep


def order_points(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left along the line's long side."""
    s = quad.sum(axis=1)
    start = int(np.argmin(s))
    pts = np.roll(quad, -start, axis=0)
    a, b = pts[1] - pts[0], pts[3] - pts[0]
    if a[0] * b[1] - a[1] * b[0] < 0:  # make it clockwise (image y points down)
        pts = pts[[0, 3, 2, 1]]
    return pts.astype(np.float32)


def quad_box(quad: np.ndarray, width: int, height: int) -> Box:
    """The axis-aligned box around a quad, clipped to the image."""
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    return Box(max(0, int(x0)), max(0, int(y0)), min(width, int(x1)), min(height, int(y1)))


def reading_order(quads: list[np.ndarray], width: int, height: int, blob: float = 0.0) -> list[np.ndarray]:
    """Quads ordered as the classical detector orders boxes (recursive XY-cut on their boxes),
    justified columns closer than two line heights included (gutters of a quarter line height
    and more: chosen on synthetic magazine pages, model card); boxes over ``blob`` line heights
    both ways (pieces of pictures; 0: none) do not close a gutter."""
    if not quads:
        return []
    boxes = [quad_box(q, width, height) for q in quads]
    heights = [min(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[3] - q[0])) for q in quads]
    char_h = float(np.median(heights))
    keyed = [(b.x0, b.y0, b.width, b.height, i) for i, b in enumerate(boxes)]  # i rides along
    ordered = xy_cut(keyed, min_x_gap=2.0 * char_h, gutter=0.25 * char_h, blob=blob * char_h)
    return [quads[k[4]] for k in ordered]


def thin_quad(quad: np.ndarray, share: float) -> np.ndarray:
    """The quad with its short side scaled by ``share`` about its middle line (long side kept)."""
    pts = order_points(quad)
    w = np.linalg.norm(pts[1] - pts[0]) + np.linalg.norm(pts[2] - pts[3])
    h = np.linalg.norm(pts[3] - pts[0]) + np.linalg.norm(pts[2] - pts[1])
    pairs = ((0, 3), (1, 2)) if w >= h else ((0, 1), (3, 2))  # corners facing across the line
    out = pts.copy()
    for a, b in pairs:
        mid = (pts[a] + pts[b]) / 2
        out[a], out[b] = mid + (pts[a] - mid) * share, mid + (pts[b] - mid) * share
    return out.astype(np.float32)


def across_margin(short: float) -> float:
    """What ``crop_quad`` adds on each side across a line ``short`` pixels high."""
    return PAD_ACROSS * short + 1


def quad_rows(height: int) -> tuple[float, float]:
    """The rows a line's quad spans in a ``crop_quad`` crop ``height`` rows high (``across_margin``
    undone: height = short + 2 x margin)."""
    short = (height - 2) / (1 + 2 * PAD_ACROSS)
    top = (height - short) / 2
    return top, top + short


def along_margin(short: float) -> float:
    """What ``crop_quad`` adds at each end of a line ``short`` pixels high (before ``ends``)."""
    return PAD_ALONG * short + 1


def quad_frame(quad: np.ndarray) -> tuple[np.ndarray, float, float, np.ndarray, np.ndarray]:
    """A quad's ordered corners, its length along the top and down the side (the longer of each
    pair of edges) and the unit vectors of those two directions."""
    pts = order_points(quad)
    w = float(max(np.linalg.norm(pts[1] - pts[0]), np.linalg.norm(pts[2] - pts[3])))
    h = float(max(np.linalg.norm(pts[3] - pts[0]), np.linalg.norm(pts[2] - pts[1])))
    return pts, w, h, (pts[1] - pts[0]) / max(w, 1e-6), (pts[3] - pts[0]) / max(h, 1e-6)


def crop_quad(
    gray: np.ndarray, quad: np.ndarray, pad: bool = True, ends: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """Straighten a (possibly rotated) line quad into an upright crop with a small margin.

    ``ends``: extra line heights of page taken before the line's start and after its end."""
    pts, w, h, ux, uy = quad_frame(quad)
    short = min(w, h)
    m0 = m1 = across = 0.0
    if pad:  # the margin the recognizer was trained with around the ink
        m0 = m1 = along_margin(short)
        across = across_margin(short)
    m0, m1 = m0 + ends[0] * short, m1 + ends[1] * short
    if w >= h:  # along the line is x: the start is the left side
        pts = pts + np.array(
            [-m0 * ux - across * uy, m1 * ux - across * uy, m1 * ux + across * uy, -m0 * ux + across * uy],
            np.float32,
        )
        w, h = w + m0 + m1, h + 2 * across
    else:  # a vertical line reads top to bottom
        pts = pts + np.array(
            [-across * ux - m0 * uy, across * ux - m0 * uy, across * ux + m1 * uy, -across * ux + m1 * uy],
            np.float32,
        )
        w, h = w + 2 * across, h + m0 + m1
    cw, ch = max(1, int(round(w))), max(1, int(round(h)))
    dst = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    mat = cv2.getPerspectiveTransform(pts.astype(np.float32), dst)
    return cv2.warpPerspective(gray, mat, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def stretch_quad(
    quad: np.ndarray, ends: tuple[float, float], span: tuple[int, int], width: int
) -> np.ndarray:
    """The part of a horizontal line's quad that columns ``span`` of its ``crop_quad(quad,
    ends=ends)`` crop, ``width`` columns wide, show: a crop's inner cut marks the ink's edge one
    ``along_margin`` off; its ends keep the quad's own (and what ``ends`` added)."""
    pts, w, h, ux, _ = quad_frame(quad)
    short = min(w, h)
    margin = along_margin(short)
    start = margin + ends[0] * short  # the crop column where the quad starts
    a, b = span
    d0 = a - start + margin if a > 0 else -ends[0] * short
    d1 = b - start - margin if b < width else w + ends[1] * short
    return np.array([pts[0] + d0 * ux, pts[0] + d1 * ux, pts[3] + d1 * ux, pts[3] + d0 * ux], np.float32)


def clear_neighbours(line: np.ndarray, core: tuple[float, float] = (0.3, 0.7)) -> np.ndarray:
    """Erase other lines' ink from a ``crop_quad`` crop (dark on light) before recognition.

    In tightly set text a crop's margin (and a generous quad) reaches into the lines above and
    below; the recognizer never saw such fragments in training and reads them as stray dots,
    commas and letters. An ink blob is another line's when it touches the crop's top or bottom
    edge, or lies wholly in the margin outside the quad, and stays clear of the quad's ``core``
    (the middle share of its height, where every glyph of the line itself passes). Works across
    the short side, so vertical lines are handled alike.
    """
    if line.shape[0] > line.shape[1]:
        return np.ascontiguousarray(clear_neighbours(np.ascontiguousarray(line.T), core).T)
    height = line.shape[0]
    if height < 8:
        return line
    top, bottom = quad_rows(height)
    short = bottom - top
    lo, hi = top + core[0] * short, top + core[1] * short
    _, ink = cv2.threshold(line, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    y0, y1 = stats[1:, cv2.CC_STAT_TOP], stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT]
    edge = (y0 == 0) | (y1 == height)
    margin = (y1 <= top) | (y0 >= bottom)
    away = (y1 <= lo) | (y0 >= hi)
    erase = np.flatnonzero((edge | margin) & away) + 1
    if erase.size == 0:
        return line
    chosen = np.zeros(n, np.uint8)
    chosen[erase] = 1
    mask = cv2.dilate(chosen[labels], np.ones((3, 3), np.uint8))
    background = cv2.mean(line, mask=1 - ink)[0] if ink.min() == 0 else 255.0
    out = line.copy()
    out[mask > 0] = np.uint8(round(background))
    return out


MIN_MARK = 0.006  # smallest ink blob ``missed_ends`` takes, in squared line heights
MIN_EXTEND = 0.1  # smallest lengthening (line heights) worth a new crop


def ink_marks(line: np.ndarray, short: float) -> np.ndarray:
    """Where a crop (dark on light) has ink, leaving out specks of scanner noise: blobs under
    ``MIN_MARK`` squared line heights (a period is about 0.1 x 0.1)."""
    _, ink = cv2.threshold(line, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = np.zeros(n, bool)
    marks[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_MARK * short * short
    return marks[labels]


def missed_ends(line: np.ndarray, reach: float, max_gap: float) -> tuple[float, float]:
    """Line heights of ink the quad missed before its start and after its end, in a
    ``crop_quad(..., ends=(reach, reach))`` crop (dark on light); (0, 0) when it missed none.

    The detector's map fades on small marks at a line's ends (a hyphen, a closing period or
    quote, a one-letter word), so its quad can stop short of them and the recognizer never sees
    them. Ink in the quad's rows that starts within ``max_gap`` line heights of the last ink
    taken belongs to the line, unless it runs on to the edge of the reach: a rule, a box or
    a picture, not a mark. Works along the long side, so vertical lines are handled alike.
    """
    if line.shape[0] > line.shape[1]:
        return missed_ends(np.ascontiguousarray(line.T), reach, max_gap)
    height, width = line.shape
    top, bottom = quad_rows(height)
    short = bottom - top
    extra = int(round(reach * short))
    if extra == 0 or width <= 2 * extra or height < 8:
        return 0.0, 0.0
    cols = np.flatnonzero(ink_marks(line, short)[int(top) : int(np.ceil(bottom))].any(axis=0))
    left, right = extra, width - extra
    inside = cols[(cols >= left) & (cols < right)]
    if inside.size == 0:
        return 0.0, 0.0
    gap, margin = max_gap * short, along_margin(short)

    def run(start: int, outward: np.ndarray) -> int:
        last = start
        for c in outward:
            if abs(int(c) - last) > gap:
                break
            last = int(c)
        return last

    last = run(int(inside[-1]), cols[cols > inside[-1]])
    first = run(int(inside[0]), cols[cols < inside[0]][::-1])
    after = 0.0 if last >= width - 1 else (last + 1 + margin - right) / short
    before = 0.0 if first <= 0 else (left - first + margin) / short
    # a margin a little short of the usual is no loss; re-cropping for it would only resample
    return tuple(e if e >= MIN_EXTEND else 0.0 for e in (before, after))  # type: ignore[return-value]


def page_quads(
    prob: np.ndarray, sx: float, sy: float, gray: np.ndarray, params: DetParams
) -> list[np.ndarray]:
    """The whole post-processing: map -> line quads in the page's (``gray``'s) pixels, merged, in
    reading order."""
    h, w = gray.shape[:2]
    quads = [q / np.array([sx, sy], np.float32) for q in quads_from_prob(prob, params)]
    quads = [np.clip(q, 0, [w - 1, h - 1]).astype(np.float32) for q in quads]
    if params.merge_gap > 0:
        quads = merge_into_lines(quads, params.merge_gap, params.merge_heights, params.merge_overlap)
    if params.justify_gap > 0:
        quads = join_justified(quads, params.justify_gap, params.justify_heights, gray)
    return reading_order(quads, w, h, params.blob)


def enlarge_to(quads: list[np.ndarray], scale: float, long_side: int, params: DetParams) -> int:
    """The long side to detect a page at again so that its median line is ``min_text`` map pixels
    high (capped by ``enlarge_max``, else ``max_side``), or 0 when its lines are tall enough or it
    cannot grow by 20%."""
    cap = params.enlarge_max or params.max_side
    if not params.min_text or not quads or long_side >= cap:
        return 0
    median = float(np.median([min(cv2.minAreaRect(q)[1]) for q in quads])) * scale
    target = min(cap, int(long_side * params.min_text / max(median, 1.0)))
    return target if target >= 1.2 * long_side else 0


class TextDetector:
    """ONNX session built once; ``detect`` returns line quads in page pixels, in reading order."""

    def __init__(self, model_path: Path, threads: int = 1, params: DetParams | None = None) -> None:
        if not Path(model_path).exists():
            raise ModelError(f"text detector model not found: {model_path}")
        self.session = make_session(Path(model_path), threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        config = json.loads(meta.get("ocr_det", "{}"))
        base = params or DetParams()
        self.params = replace(base, shrink=float(config.get("shrink", base.shrink)))
        self.input_name = self.session.get_inputs()[0].name

    def probability(self, gray: np.ndarray, long_side: int = 0) -> tuple[np.ndarray, float, float]:
        """The probability map of a page at detection scale (``long_side``: exactly that long,
        larger or smaller than the page), with the x and y scale factors."""
        p = self.params
        resized, sx, sy = resize_for_detection(
            gray, long_side or p.max_side, p.min_side, long_side or p.upscale_to
        )
        h, w = resized.shape
        parts = strips(h, w, self.params.strip_pixels, self.params.strip_context)
        if len(parts) == 1:
            return self.session.run(None, {self.input_name: to_input(resized)})[0][0, 0], sx, sy
        # A large page in strips: the network's activations (tens of MB at 960 px) scale with
        # the rows run at once, so the strips bound the read's peak memory.
        prob = np.empty((h, w), np.float32)
        for run0, run1, keep0, keep1 in parts:
            out = self.session.run(None, {self.input_name: to_input(resized[run0:run1])})[0][0, 0]
            prob[keep0:keep1] = out[keep0 - run0 : keep1 - run0]
        return prob, sx, sy

    def detect(self, gray: np.ndarray) -> list[np.ndarray]:
        """Line quads in reading order, each ``line_height`` of the detected line's height."""
        prob, sx, sy = self.probability(gray)
        quads = page_quads(prob, sx, sy, gray, self.params)
        target = enlarge_to(quads, sx, max(prob.shape), self.params)
        if target:  # small text: the network finds it better drawn larger
            prob, sx, sy = self.probability(gray, long_side=target)
            quads = page_quads(prob, sx, sy, gray, self.params)
        share = self.params.line_height
        return quads if share == 1.0 else [thin_quad(q, share) for q in quads]
