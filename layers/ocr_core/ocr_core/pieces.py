"""Level pieces of text lines: what the detector's merge and the justified-line join both ask of
two quads (level? on one row?) and how they make one quad of a group."""

from __future__ import annotations

import cv2
import numpy as np

Span = tuple[float, float, float, float]  # x0, y0, x1, y1 of a level piece
MAX_TILT = 8.0  # degrees: a steeper quad is a tilted or vertical line, left as it is
ROW_SHARE = 0.6  # share of the shorter piece's height two pieces of one row have in common


def is_level(quad: np.ndarray) -> bool:
    """Near-horizontal (under ``MAX_TILT``) and at least as wide as it is tall."""
    angle = abs(cv2.minAreaRect(quad)[2]) % 90
    x0, y0, x1, y1 = span(quad)
    return bool(min(angle, 90 - angle) < MAX_TILT and x1 - x0 >= y1 - y0)


def span(quad: np.ndarray) -> Span:
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


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
