"""Level line pieces: which quads count as level, and how tall a piece is for the row tests."""

from __future__ import annotations

import cv2
import numpy as np
from ocr_core.pieces import is_level, levels, same_row, span
from ocr_core.textdet import merge_into_lines


def _rect(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    return cv2.boxPoints(((cx, cy), (w, h), angle)).astype(np.float32)


def test_a_short_word_leaning_with_its_ascenders_takes_the_orientation_of_the_page():
    # given "ting" (88 x 42, its rectangle leaning 8.5 degrees) among long level lines
    word = _rect(460, 468, 88, 42, 8.5)
    body = [_rect(700, 420, 630, 48, 0.4), _rect(700, 515, 630, 48, 0.0)]
    # then alone it is tilted, but on the page of level lines it is level
    assert not is_level(word)
    assert levels([word, *body]) == [True, True, True]


def test_short_pieces_keep_their_own_angle_on_a_turned_page():
    # given a page whose long lines run at 25 degrees and a short leaning word among them
    word = _rect(100, 100, 80, 40, 12.0)
    tilted = [_rect(300, 200, 400, 40, 25.0), _rect(300, 300, 400, 40, 25.0)]
    assert levels([word, *tilted]) == [False, False, False]
    # and a tall column piece stays out on any page
    column = np.array([[10, 10], [40, 10], [40, 80], [10, 80]], np.float32)
    assert levels([column, _rect(300, 200, 400, 40, 0.0)]) == [False, True]


def test_a_long_line_tilted_a_degree_is_as_tall_as_its_text_not_its_bounding_box():
    # given a 500 px line, 50 px high, tilted 1.2 degrees: its bounding box is about 60 px high
    line = _rect(300, 100, 500, 50, 1.2)
    x0, y0, x1, y1 = span(line)
    assert abs((y1 - y0) - 50) < 1 and x1 - x0 > 500
    # so a 28 px x-height piece at its end is on its row with heights within a factor of two
    end = np.array([[545, 88], [690, 88], [690, 116], [545, 116]], np.float32)
    assert same_row(span(line), span(end), 2.0)


def test_a_tilted_line_and_an_x_height_word_after_it_merge_into_one_line():
    # given "from real-life experience, is" (tilted 1.2 degrees) and "is what" (x-height, 30 px)
    # overlapping it by 13 px, and the leaning "ting" before "into nut B. He was about to"
    line = _rect(1994, 735, 496, 50, 1.2)
    tail = np.array([[2229, 723], [2375, 723], [2375, 753], [2229, 753]], np.float32)
    ting = _rect(2467, 468, 88, 42, 8.5)
    rest = _rect(2772, 467, 565, 44, 0.5)
    # then each pair comes out as one line
    assert len(merge_into_lines([line, tail], 0.5, 2.0, 1.0)) == 1
    assert len(merge_into_lines([ting, rest], 0.5, 2.0, 1.0)) == 1


def test_a_steep_short_piece_and_an_icon_beside_small_text_stay_apart():
    body = [_rect(900, 1230, 640, 50, 0.3), _rect(1180, 1370, 590, 47, 0.3)]
    # given a picture caption's piece leaning 30 degrees on a page of level lines
    caption = _rect(827, 1310, 124, 63, 30.5)
    assert levels([caption, *body]) == [False, True, True]
    # and a care label's round icon (its rectangle at an arbitrary angle) before a 15 px line
    icon = _rect(99.5, 210.5, 27.3, 37.8, 79.7)
    text = np.array([[108, 205], [167, 205], [167, 220], [108, 220]], np.float32)
    label = [_rect(172, 190, 185, 25, 0.0), _rect(160, 240, 180, 14, 0.0)]
    # then the icon, twice the text's height, is not taken into the line
    assert len(merge_into_lines([icon, text, *label], 0.5, 2.0, 1.0)) == 4
