"""Joining a justified line's pieces: rows that run across a gap join it, open gaps stay."""

from __future__ import annotations

import numpy as np
from ocr_core.justify import join_justified

H = 20  # line height


def _rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def _row(y: float, *pieces: tuple[float, float]) -> list[np.ndarray]:
    return [_rect(x0, y, x1, y + H) for x0, x1 in pieces]


def _spans(quads: list[np.ndarray]) -> list[tuple[int, int, int, int]]:
    return sorted(
        (round(q[:, 1].min()), round(q[:, 0].min()), round(q[:, 0].max()), round(q[:, 1].max()))
        for q in quads
    )


def test_a_line_broken_at_a_wide_word_space_inside_a_paragraph_is_joined():
    # given a paragraph whose middle line is broken 0.7 line heights wide, with whole lines around it
    quads = _row(0, (0, 300)) + _row(28, (0, 120), (134, 300)) + _row(56, (0, 300))
    # when justified pieces are joined
    out = join_justified(quads, 1.5, 2.0)
    # then the middle line is one quad from the column's start to its end
    assert len(out) == 3
    assert (28, 0, 300, 48) in _spans(out)


def test_neighbours_broken_elsewhere_still_join_a_line():
    # given four lines of one column, the middle two broken at different word spaces
    quads = (
        _row(0, (0, 300))
        + _row(28, (0, 90), (104, 300))
        + _row(56, (0, 150), (165, 300))
        + _row(84, (0, 300))
    )
    # when joined, then every line is whole: the rows around each gap run across it
    assert _spans(join_justified(quads, 1.5, 2.0)) == [
        (0, 0, 300, 20),
        (28, 0, 300, 48),
        (56, 0, 300, 76),
        (84, 0, 300, 104),
    ]


def test_table_columns_item_prices_and_paragraph_ends_stay_apart():
    table = _row(0, (0, 100), (114, 300)) + _row(28, (0, 80), (114, 300)) + _row(56, (0, 90), (114, 300))
    # a receipt: a heading across the top, then items with prices aligned to the right
    receipt = _row(0, (0, 300)) + _row(28, (0, 150), (260, 300)) + _row(56, (0, 120), (260, 300))
    # the last line of a paragraph has nothing below it
    last = _row(0, (0, 300)) + _row(28, (0, 120), (134, 300))
    # a gap wider than the limit, even with whole lines around it
    wide = _row(0, (0, 300)) + _row(28, (0, 100), (140, 300)) + _row(56, (0, 300))
    for quads in (table, receipt, last, wide):
        # when joined (at most 1.5 line heights: the last gap is 2), nothing changes
        assert _spans(join_justified(quads, 1.5, 2.0)) == _spans(quads)


def test_tilted_and_vertical_quads_are_left_alone():
    tilted = np.float32([[0, 30], [120, 0], [126, 20], [6, 50]])
    vertical = _rect(0, 0, 20, 200)
    assert _spans(join_justified([tilted, vertical], 1.5, 2.0)) == _spans([tilted, vertical])
