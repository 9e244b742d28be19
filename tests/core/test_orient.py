"""Orientation from the recognizer's confidence, with a stand-in recognizer that can tell up from down."""

from __future__ import annotations

import numpy as np
import pytest
from ocr_core.ctc import Decoded
from ocr_core.orient import is_tall, page_rotation, read_lines, restack_vertical, rotate_page, unrotate_points


def _line(h: int = 20, w: int = 120) -> np.ndarray:
    """A 'line' with a mark in its top-left corner: tells left from right and up from down."""
    crop = np.full((h, w), 255, np.uint8)
    crop[: h // 2, : w // 5] = 0
    return crop


def _reads_left_marked(crops: list[np.ndarray]) -> list[Decoded]:
    """Confident only when the mark is top-left, as a recognizer is only on upright text."""
    out = []
    for c in crops:
        h, third = c.shape[0], max(1, c.shape[1] // 3)
        left = c[:, :third].astype(np.float32)
        upright = c.shape[1] > c.shape[0] and left[: h // 2].mean() < left[h // 2 :].mean() - 50
        out.append(Decoded("text", 0.95 if upright else 0.2))
    return out


def test_an_upright_page_is_left_alone():
    assert (
        page_rotation(
            [_line() for _ in range(4)], _reads_left_marked([_line() for _ in range(4)]), _reads_left_marked
        )
        == 0
    )


def test_an_upside_down_page_turns_half_way():
    crops = [np.rot90(_line(), 2) for _ in range(4)]
    assert page_rotation(crops, read_lines(crops, _reads_left_marked), _reads_left_marked) == 2


@pytest.mark.parametrize("k", [1, 3])
def test_a_quarter_turned_page_is_found(k):
    # given lines turned by -k quarter turns (as on a page turned that way)
    crops = [np.ascontiguousarray(np.rot90(_line(), -k)) for _ in range(4)]
    assert all(is_tall(c) for c in crops)
    # then k counter-clockwise quarter turns make them upright
    assert page_rotation(crops, read_lines(crops, _reads_left_marked), _reads_left_marked) == k


def test_tall_lines_are_read_in_their_best_orientation():
    crops = [_line(), np.ascontiguousarray(np.rot90(_line(), -1))]
    decoded = read_lines(crops, _reads_left_marked)
    assert [d.confidence for d in decoded] == [0.95, 0.95]


def test_restack_turns_a_column_of_characters_into_a_row():
    # given a column of 5 square 'characters' 30 px wide with gaps
    column = np.full((5 * 36, 30), 255, np.uint8)
    for i in range(5):
        column[i * 36 + 3 : i * 36 + 33, 3:27] = 0
    row = restack_vertical(column)
    assert row.shape[1] >= 3.5 * row.shape[0]
    assert row.shape[0] <= 45


@pytest.mark.parametrize("k", [1, 2, 3])
def test_points_on_a_turned_page_map_back(k):
    page = np.zeros((40, 100), np.uint8)
    page[7, 81] = 255
    turned = rotate_page(page, k)
    y, x = np.argwhere(turned == 255)[0]
    back = unrotate_points(np.array([[x + 0.5, y + 0.5]], np.float32), k, page.shape)[0]
    assert np.allclose(back, [81.5, 7.5], atol=1.0)
