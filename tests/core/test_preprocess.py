import numpy as np
from ocr_core.preprocess import (
    estimate_skew,
    is_bilevel,
    is_light_on_dark,
    normalize_polarity,
    prepare_line,
    rotate,
    smooth_bilevel,
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


def test_only_two_level_pages_count_as_bilevel():
    page = render_lines(["Scanned at 300 dpi"], EN_FONT, size=40)
    one_bit = np.where(page < 128, 0, 255).astype(np.uint8)
    assert is_bilevel(one_bit) and not is_bilevel(page)
    assert is_bilevel(np.full((8, 8), 255, np.uint8))  # blank is bilevel too (one level)


def test_smoothing_softens_crops_that_shrink_to_read_and_leaves_small_ones_sharp():
    crop = np.where(render_lines(["jagged"], EN_FONT, size=40, margin=6) < 128, 0, 255).astype(np.uint8)
    soft = smooth_bilevel(crop)
    assert soft.shape == crop.shape and not is_bilevel(soft)  # edges now carry gray levels
    assert abs(float(soft.mean()) - float(crop.mean())) < 2.0  # the ink stays where it was
    small = crop[:20, :40]
    assert smooth_bilevel(small) is small  # under the recognizer's 32 rows: enlarged, not blurred
