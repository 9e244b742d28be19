"""Icons that lead a line are left out of its crop; letters and characters that lead one stay."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from ocr_core.icons import badge_stretches, icon_cut, is_badge
from ocr_core.textdet import crop_quad


def _draw_lead(page: np.ndarray, lead: str, x: int, top: int) -> None:
    """Draw a 36-px lead glyph or icon at (x, top)."""
    centre = (x + 18, top + 18)
    if lead == "disc":
        cv2.circle(page, centre, 18, 0, -1)
    elif lead == "ring":  # an outlined square, as an "O" or a 口 would be too
        cv2.rectangle(page, (x, top), (x + 35, top + 35), 0, 3)
    elif lead in ("target", "broken target"):  # a radio button: a ring around a dot
        cv2.circle(page, centre, 17, 0, 3)
        cv2.circle(page, centre, 7, 0, -1)
        if lead == "broken target":  # faint print: the ring breaks at the top and on the right
            page[top - 1 : top + 5, x + 16 : x + 19] = 255
            page[top + 12 : top + 15, x + 31 :] = 255
    elif lead == "circle":  # a round O
        cv2.circle(page, centre, 17, 0, 3)
    elif lead == "boxed dot":  # a square around a mark, as 回 is
        cv2.rectangle(page, (x, top), (x + 35, top + 35), 0, 3)
        cv2.rectangle(page, (x + 11, top + 11), (x + 24, top + 24), 0, -1)
    elif lead == "copyright":  # a ring around a letter that is not symmetric
        cv2.circle(page, centre, 17, 0, 3)
        cv2.ellipse(page, centre, (9, 9), 0, 40, 320, 0, 3)
    elif lead == "bar":  # a tall narrow glyph ("I", "l", "1")
        cv2.rectangle(page, (x + 14, top), (x + 21, top + 35), 0, -1)


def _led_line(lead: str, gap: float) -> tuple[np.ndarray, int, int]:
    """A 36-px text line led by ``lead`` (see ``_draw_lead``; "" for none) ``gap`` line
    heights before the words: the crop, the lead's right edge and the words' left edge."""
    page = np.full((80, 520), 255, np.uint8)
    top, size, x = 22, 36, 20
    _draw_lead(page, lead, x, top)
    words = x + 36 + int(gap * size) if lead else x
    cv2.putText(page, "reading text", (words, top + 30), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    quad = np.float32([[x, top], [words + 300, top], [words + 300, top + size], [x, top + size]])
    crop = crop_quad(page, quad)
    shift = crop.shape[1] - (words + 300 - x)  # the crop's margin before the quad's start
    return crop, x + 36 - x + shift // 2, words - x + shift // 2


@pytest.mark.parametrize(
    ("lead", "gap"), [("disc", 0.6), ("ring", 0.6), ("target", 0.6), ("target", 0.25), ("broken target", 0.3)]
)
def test_an_icon_before_a_line_is_left_out(lead, gap):
    # given a line led by an icon standing 0.6 line heights before its words, or by a radio
    # button (whole or with its ring broken) a word space before them
    crop, icon_end, words = _led_line(lead, gap)
    # when the crop's first column to read is found
    cut = icon_cut(crop)
    # then it falls between the icon and the words: the icon is gone and every word kept
    assert icon_end <= cut < words
    assert (crop[:, cut:words] < 128).sum() == 0


@pytest.mark.parametrize(
    ("lead", "gap"),
    [("", 0.0), ("ring", 0.25), ("circle", 0.3), ("boxed dot", 0.3), ("copyright", 0.3), ("bar", 0.6)],
)
def test_letters_that_start_a_line_stay(lead, gap):
    # given a plain line; lines led a word space away by an O-like ring, a round O, a 回-like
    # square around a mark and a © (a ring around an asymmetric letter); and one led by a narrow
    # glyph far from the next word
    crop, _, _ = _led_line(lead, gap)
    # then nothing is cut from any of them
    assert icon_cut(crop) == 0


def test_a_badge_is_a_round_ring_around_a_symmetric_mark():
    def ink(lead: str) -> np.ndarray:
        page = np.full((50, 50), 255, np.uint8)
        _draw_lead(page, lead, 7, 7)
        rows, cols = np.nonzero(page < 128)
        return (page < 128)[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]

    assert is_badge(ink("target")) and is_badge(ink("broken target"))
    assert not any(is_badge(ink(lead)) for lead in ("disc", "ring", "circle", "boxed dot", "copyright"))


def _two_items(between: float) -> tuple[np.ndarray, list[int]]:
    """A crop of one row holding two items, each led by a radio button that stands 0.3 line heights
    before its words, the second ``between`` line heights after the first item's words: the crop
    and the columns [first words' start, first words' end, inner badge's start, inner badge's end,
    second words' start]."""
    page = np.full((80, 900), 255, np.uint8)
    top, size, x = 22, 36, 20
    marks = []
    for _ in range(2):
        _draw_lead(page, "target", x, top)
        words = x + 36 + int(0.3 * size)
        cv2.putText(page, "items", (words, top + 30), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
        end = words + cv2.getTextSize("items", cv2.FONT_HERSHEY_SIMPLEX, 1.2, 3)[0][0]
        marks += [x, x + 36, words, end]
        x = end + int(between * size)
    quad = np.float32([[20, top], [marks[-1], top], [marks[-1], top + size], [20, top + size]])
    crop = crop_quad(page, quad)
    shift = (crop.shape[1] - (marks[-1] - 20)) // 2  # the crop's margin before the quad's start
    return crop, [m - 20 + shift for m in (marks[2], marks[3], marks[4], marks[5], marks[6])]


def test_a_row_of_two_items_is_split_at_the_badge_between_them():
    # given one crop of a row with two badge-led items
    crop, (start, end, badge, badge_end, second) = _two_items(1.0)
    # when its stretches are found
    spans = badge_stretches(crop)
    # then there are two: the first holds the first item's words and stops before the inner badge,
    # the second starts after that badge and holds the second item's words
    assert len(spans) == 2, spans
    (a0, a1), (b0, b1) = spans
    assert a0 <= start and end <= a1 <= badge
    assert badge_end <= b0 < second and b1 == crop.shape[1]
    assert (crop[:, b0:second] < 128).sum() == 0


@pytest.mark.parametrize("lead", ["circle", "disc", "boxed dot"])
def test_a_row_is_not_split_at_letters_or_plain_icons(lead):
    # given a line with an O, a filled disc or a 回-like glyph standing a word space from words on
    # both sides, and a row whose inner badge stands too close to the words before it
    page = np.full((80, 700), 255, np.uint8)
    cv2.putText(page, "reading", (20, 52), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    _draw_lead(page, lead, 190, 22)
    cv2.putText(page, "text here", (240, 52), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    crop = crop_quad(page, np.float32([[20, 22], [420, 22], [420, 58], [20, 58]]))
    close, *_ = _two_items(0.1)
    # then neither is split
    assert badge_stretches(crop) == [(0, crop.shape[1])]
    assert badge_stretches(close) == [(0, close.shape[1])]
