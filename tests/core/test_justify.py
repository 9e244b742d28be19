"""Joining a justified line's pieces: a gap the rows around run across, as wide as the line's own
word spaces, is joined; gutters, table columns and prices stay apart."""

from __future__ import annotations

import numpy as np
from ocr_core.justify import join_justified

H = 20  # line height
PITCH = 28
GAP, HEIGHTS = 2.0, 3.0  # the shipped DetParams.justify_gap and justify_heights
WHOLE = ((0, 300),)


def _rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def _column(*rows: tuple[tuple[float, float], ...]) -> list[np.ndarray]:
    return [_rect(x0, i * PITCH, x1, i * PITCH + H) for i, pieces in enumerate(rows) for x0, x1 in pieces]


def _page(quads: list[np.ndarray], space: int = 12, word: int = 30) -> np.ndarray:
    """White page with each quad filled by words ``word`` px long (the last one to the quad's end),
    ``space`` px apart: letters are 2-px strokes 3 px apart, so ink is the minority shade."""
    page = np.full((int(max(q[:, 1].max() for q in quads)) + 10, 400), 255, np.uint8)
    for q in quads:
        x0, y0, x1, y1 = (int(v) for v in (*q.min(axis=0), *q.max(axis=0)))
        starts = list(range(x0, x1 - word, word + space)) or [x0]
        for x, end in zip(starts, [*(s - space for s in starts[1:]), x1], strict=True):
            page[y0 + 2 : y1 - 2, x:end:5] = 0
            page[y0 + 2 : y1 - 2, x + 1 : end : 5] = 0
            page[y0 + 2 : y1 - 2, end - 2 : end] = 0
    return page


def _join(quads: list[np.ndarray], **page: int) -> list[tuple[int, int, int, int]]:
    return _spans(join_justified(quads, GAP, HEIGHTS, _page(quads, **page)))


def _spans(quads: list[np.ndarray]) -> list[tuple[int, int, int, int]]:
    return sorted(
        (round(q[:, 1].min()), round(q[:, 0].min()), round(q[:, 0].max()), round(q[:, 1].max()))
        for q in quads
    )


def test_a_line_broken_at_a_wide_word_space_inside_a_paragraph_is_joined():
    # given a paragraph whose third line is broken 0.7 line heights wide, as wide as its other
    # word spaces (0.6), with whole lines around it
    quads = _column(WHOLE, WHOLE, ((0, 120), (134, 300)), WHOLE, WHOLE)
    # when justified pieces are joined, then that line is one quad across the column
    out = _join(quads)
    assert len(out) == 5
    assert (56, 0, 300, 76) in out


def test_neighbours_broken_elsewhere_still_join_a_line():
    # given four lines of one column, the middle two broken at different word spaces
    quads = _column(WHOLE, ((0, 90), (104, 300)), ((0, 150), (165, 300)), WHOLE)
    # when joined, then every line is whole: the rows around each gap run across it
    assert _join(quads) == [(i * PITCH, 0, 300, i * PITCH + H) for i in range(4)]


def test_a_word_of_short_letters_joins_its_line():
    # given a line whose last word ("comes": no ascender, no descender) came out 0.4 as high
    quads = _column(WHOLE, WHOLE, ((0, 230),), WHOLE, WHOLE)
    quads.append(_rect(244, 2 * PITCH + 9, 300, 2 * PITCH + 17))
    # when joined, then it is part of the line
    assert (56, 0, 300, 76) in _join(quads)


def test_an_item_and_its_price_stay_apart_though_the_rows_around_run_across():
    # given receipt rows whose item and price the detector ran together, and one row it broke
    # 1.5 line heights wide, while the item's own words stand 0.3 line heights apart
    quads = _column(WHOLE, WHOLE, ((0, 150), (180, 300)), WHOLE, WHOLE)
    # when joined, then the item and its price stay two lines
    assert _join(quads, space=6) == _spans(quads)


def test_ruled_table_cells_stay_apart_though_rows_around_were_run_across_the_rule():
    # given a ruled table whose cells the detector ran together across the rule in most rows, and
    # one row it split at the rule (the cells' words as far apart as the break)
    quads = _column(WHOLE, WHOLE, ((0, 120), (134, 300)), WHOLE, WHOLE)
    page = _page(quads)
    page[:, 126:128] = 0  # the rule between the two columns of cells
    # when joined, then the split row stays two cells
    assert _spans(join_justified(quads, GAP, HEIGHTS, page)) == _spans(quads)


def test_a_gutter_stays_open_though_a_row_or_two_run_across_it():
    # given two columns 16 px apart (0.8 line heights), the detector having run two rows across
    split, run = ((0, 140), (156, 300)), WHOLE
    quads = _column(split, split, run, split, split, run, split)
    # when joined, then no row that was split at the gutter is joined across it
    assert _join(quads) == _spans(quads)


def test_table_columns_item_prices_and_paragraph_ends_stay_apart():
    table = _column(((0, 100), (114, 300)), ((0, 80), (114, 300)), ((0, 90), (114, 300)))
    # a receipt: a heading across the top, then items with prices aligned to the right
    receipt = _column(WHOLE, ((0, 150), (260, 300)), ((0, 120), (260, 300)), ((0, 140), (260, 300)))
    # the last line of a paragraph has only one row beside it
    last = _column(WHOLE, ((0, 120), (134, 300)))
    # a gap wider than the limit (2 line heights), even with whole lines around it
    wide = _column(WHOLE, WHOLE, ((0, 100), (145, 300)), WHOLE, WHOLE)
    for quads in (table, receipt, last, wide):
        # when joined, nothing changes
        assert _join(quads) == _spans(quads)


def test_tilted_and_vertical_quads_are_left_alone():
    tilted = np.float32([[0, 30], [120, 0], [126, 20], [6, 50]])
    vertical = _rect(0, 0, 20, 200)
    assert _join([tilted, vertical]) == _spans([tilted, vertical])
