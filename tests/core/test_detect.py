import numpy as np
from ocr_core.detect import detect_lines

from tests.conftest import EN_FONT, ZH_FONT, render_lines


def test_finds_each_line_in_reading_order():
    texts = ["第一行文字内容", "Second line here", "第三行 mixed 123"]
    page = render_lines(texts, ZH_FONT, size=32)
    boxes = detect_lines(page)
    assert len(boxes) == 3
    assert [b.y0 for b in boxes] == sorted(b.y0 for b in boxes)


def test_light_on_dark_page():
    page = 255 - render_lines(["White text on black", "another line"], EN_FONT, size=30)
    assert len(detect_lines(page)) == 2


def test_two_columns_read_one_after_another():
    left = render_lines(["Left column one", "Left column two", "Left column three"], EN_FONT, size=26)
    right = render_lines(["Right column one", "Right column two", "Right column three"], EN_FONT, size=26)
    h = max(left.shape[0], right.shape[0])
    gutter = np.full((h, 120), 250, np.uint8)
    page = np.hstack([left[:h], gutter, right[:h]])
    boxes = detect_lines(page)
    assert len(boxes) == 6
    xs = [b.x0 for b in boxes]
    assert max(xs[:3]) < min(xs[3:])  # the whole left column first


def test_blank_page_has_no_lines():
    assert detect_lines(np.full((300, 400), 255, np.uint8)) == []


def test_gap_after_full_width_punctuation_stays_in_one_line():
    # "，" leaves almost a full em of white space before the next character
    page = render_lines(["当然，在媒介越来越多的情形下，", "意味着传播方式的变化。"], ZH_FONT, size=30)
    assert len(detect_lines(page)) == 2


def test_justified_columns_closer_than_the_column_gap_are_read_column_by_column():
    from ocr_core.detect import xy_cut

    # given two justified columns of 20 px lines on one baseline grid, 10 px apart (under the
    # 40 px column gap), and a table whose ragged cells stand as close
    rows = range(0, 100, 25)
    columns = [(0, y, 200, 20, f"a{y}") for y in rows] + [(210, y, 200, 20, f"b{y}") for y in rows]
    table = [(0, y, w, 20, f"a{y}") for y, w in zip(rows, (200, 60, 200, 90), strict=True)]
    table += [(210, y, w, 20, f"b{y}") for y, w in zip(rows, (150, 40, 200, 80), strict=True)]
    by_columns = [f"a{y}" for y in rows] + [f"b{y}" for y in rows]
    by_rows = [f"{c}{y}" for y in rows for c in "ab"]
    assert [b[4] for b in xy_cut(columns, min_x_gap=40, gutter=5)] == by_columns
    assert [b[4] for b in xy_cut(table, min_x_gap=40, gutter=5)] == by_rows
    assert [b[4] for b in xy_cut(columns, min_x_gap=40)] == by_rows  # as before, without ``gutter``


def test_a_picture_piece_across_a_narrow_gutter_leaves_the_columns_apart():
    from ocr_core.detect import xy_cut

    # given the justified columns above, a 60 x 50 piece of a picture lying across their 10 px
    # gutter beside the last rows, and a 50 px heading run across both columns below
    rows = range(0, 100, 25)
    columns = [(0, y, 200, 20, f"a{y}") for y in rows] + [(210, y, 200, 20, f"b{y}") for y in rows]
    picture = (185, 60, 60, 50, "picture")
    heading = (0, 120, 410, 50, "heading")
    by_columns = [f"a{y}" for y in rows] + [f"b{y}" for y in rows]
    # then with ``blob`` the picture does not close the gutter and goes with the column its
    # middle (215) is on, between the rows it lies beside; the heading, long for its height,
    # is a line and comes last
    order = [b[4] for b in xy_cut([*columns, picture, heading], min_x_gap=40, gutter=5, blob=30)]
    assert order == [*by_columns[:7], "picture", by_columns[7], "heading"]
    # without it the picture closes the gutter and the columns are read row by row
    rows_first = [b[4] for b in xy_cut([*columns, picture], min_x_gap=40, gutter=5)]
    assert rows_first[:2] == ["a0", "b0"]
