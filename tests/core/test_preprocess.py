import numpy as np
from ocr_core.preprocess import (
    estimate_skew,
    is_light_on_dark,
    normalize_polarity,
    prepare_line,
    rotate,
    to_gray,
)

from tests.conftest import EN_FONT, render_lines


def test_polarity_detected_both_ways():
    page = render_lines(["Polarity check 123"], EN_FONT)
    assert not is_light_on_dark(page)
    assert is_light_on_dark(255 - page)
    assert np.array_equal(normalize_polarity(255 - page), page)


def test_to_gray_composites_alpha_on_white_and_reduces_16_bit():
    rgba = np.zeros((4, 4, 4), np.uint8)  # fully transparent black
    assert to_gray(rgba).min() == 255
    assert to_gray(np.full((3, 3), 65535, np.uint16)).max() == 255


def test_deskew_finds_the_rotation():
    page = render_lines([f"Line number {i} of a skewed page" for i in range(8)], EN_FONT, size=28)
    skewed = rotate(page, 4.0)
    angle = estimate_skew(skewed)
    assert abs(abs(angle) - 4.0) < 1.0
    assert abs(estimate_skew(page)) < 0.5


def test_prepare_line_options():
    line = render_lines(["abc"], EN_FONT)
    assert prepare_line(line, use_binarize=True).dtype == np.uint8
    assert set(np.unique(prepare_line(line, use_binarize=True))) <= {0, 255}
