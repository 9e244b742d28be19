"""The learned detector's post-processing: probability map -> quads -> order -> straightened crops."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest
from ocr_core.textdet import (
    DetParams,
    TextDetector,
    along_margin,
    clear_neighbours,
    crop_quad,
    enlarge_to,
    merge_into_lines,
    missed_ends,
    order_points,
    quad_box,
    quads_from_prob,
    reading_order,
    resize_for_detection,
    stretch_quad,
    thin_quad,
)

PARAMS = DetParams(shrink=0.3)


def _shrunk_map(
    rects: list[tuple[tuple[float, float], tuple[float, float], float]], h: int, w: int
) -> np.ndarray:
    """A probability map as a trained model draws it: each line shrunk by 0.3 of its short side."""
    prob = np.zeros((h, w), np.float32)
    for (cx, cy), (rw, rh), angle in rects:
        d = 0.3 * min(rw, rh)
        pts = cv2.boxPoints(((cx, cy), (rw - 2 * d, rh - 2 * d), angle))
        cv2.fillPoly(prob, [np.round(pts).astype(np.int32)], 0.9)
    return prob


def test_found_regions_grow_back_to_the_line_size():
    # given two lines, one of them tilted by 20 degrees
    rects = [((100.0, 40.0), (160.0, 20.0), 0.0), ((150.0, 130.0), (200.0, 30.0), 20.0)]
    prob = _shrunk_map(rects, 200, 320)
    # when the map is post-processed
    quads = quads_from_prob(prob, PARAMS)
    # then each line comes back at about its own size and angle
    assert len(quads) == 2
    for (cx, cy), (rw, rh), _ in rects:
        quad = min(quads, key=lambda q: np.linalg.norm(q.mean(axis=0) - [cx, cy]))
        (_, _), (qw, qh), _ = cv2.minAreaRect(quad)
        assert abs(max(qw, qh) - max(rw, rh)) <= 6  # a pixel or two of rasterization per side
        assert abs(min(qw, qh) - min(rw, rh)) <= 6


def test_weak_and_tiny_regions_are_dropped():
    prob = np.zeros((100, 200), np.float32)
    cv2.rectangle(prob, (10, 10), (150, 20), 0.4, -1)  # above bin_thresh, below box_thresh
    cv2.rectangle(prob, (10, 60), (11, 61), 0.95, -1)  # a speck
    assert quads_from_prob(prob, PARAMS) == []


def test_reading_order_is_columns_then_rows():
    def quad(x0, y0, x1, y1):
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)

    right_top, left_bottom, left_top = quad(300, 10, 500, 30), quad(10, 60, 200, 80), quad(10, 10, 200, 30)
    ordered = reading_order([right_top, left_bottom, left_top], 520, 100)
    assert [tuple(q[0]) for q in ordered] == [(10, 10), (10, 60), (300, 10)]


def test_a_tilted_line_is_cropped_upright():
    # given a dark bar 200 x 24 drawn at 30 degrees
    page = np.full((300, 300), 255, np.uint8)
    rect = ((150.0, 150.0), (200.0, 24.0), 30.0)
    cv2.fillPoly(page, [np.round(cv2.boxPoints(rect)).astype(np.int32)], 0)
    # when it is cropped from its quad
    crop = crop_quad(page, cv2.boxPoints(rect), pad=False)
    # then the crop is wide, not tall, and dark almost everywhere
    assert crop.shape[1] > 150 and crop.shape[0] < 40
    assert crop.mean() < 60


def test_a_stretch_of_a_crop_maps_back_to_its_part_of_the_quad():
    # given two dark bars along one line at 30 degrees, 0-80 and 120-200 px from the line's start,
    # and the line's quad, cropped with half a line height of page taken before its start
    page = np.full((300, 300), 255, np.uint8)
    centre, along = np.float32([150, 150]), np.float32([np.cos(np.pi / 6), np.sin(np.pi / 6)])
    quad = cv2.boxPoints(((150.0, 150.0), (200.0, 24.0), 30.0))
    start = centre - 100 * along
    for a, b in ((0, 80), (120, 200)):
        bar = ((*(start + (a + b) / 2 * along),), (float(b - a), 24.0), 30.0)
        cv2.fillPoly(page, [np.round(cv2.boxPoints(bar)).astype(np.int32)], 0)
    crop = crop_quad(page, quad, ends=(0.5, 0.0))
    cols = np.flatnonzero((crop < 128).mean(axis=0) > 0.5)
    gap = int(np.flatnonzero(np.diff(cols) > 1)[0])
    # when the crop is split in the white between the bars, each side a margin from its ink
    margin = int(along_margin(24.0))
    spans = [(0, int(cols[gap]) + 1 + margin), (int(cols[gap + 1]) - margin, crop.shape[1])]
    parts = [stretch_quad(quad, (0.5, 0.0), span, crop.shape[1]) for span in spans]
    # then each part's quad covers its own bar: the first starts where the crop's reach starts
    # (12 px before the quad) and the second ends with the quad
    for part, (a, b) in zip(parts, ((-12, 80), (120, 200)), strict=True):
        pts = order_points(part)
        ends = [float(np.dot(p - start, along)) for p in (pts[0], pts[1])]
        assert ends == pytest.approx([a, b], abs=1.5), ends
        assert np.dot(pts[3] - pts[0], along) == pytest.approx(0, abs=0.5)  # still a rectangle
        assert np.linalg.norm(pts[3] - pts[0]) == pytest.approx(24, abs=0.5)


def _tight_lines(rows: tuple[int, ...] = (38, 78, 118)) -> tuple[np.ndarray, np.ndarray]:
    """Lines of text set close together (baselines at ``rows``), and the middle line's quad."""
    page = np.full((140, 420), 255, np.uint8)
    for y in rows:
        cv2.putText(page, "Hyphens and gags", (10, y), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0,), 3)
    # the middle line's ink spans rows ~50-87; a generous quad reaches into both neighbours
    return page, np.float32([[5, 46], [415, 46], [415, 92], [5, 92]])


def test_neighbours_cut_into_a_crop_are_erased_and_the_line_is_kept():
    # given a crop of the middle one of three tightly set lines
    page, quad = _tight_lines()
    crop = crop_quad(page, quad)
    own = crop_quad(_tight_lines(rows=(78,))[0], quad)  # the middle line alone
    edge_ink = lambda c: int((c[:3] < 128).sum() + (c[-3:] < 128).sum())  # noqa: E731
    assert edge_ink(crop) > 20  # the neighbours' descenders and caps reach the crop's edges
    # when the crop is cleared
    cleared = clear_neighbours(crop)
    # then no ink is left on its top and bottom edges, and the middle rows are untouched
    assert edge_ink(cleared) == 0
    mid = slice(crop.shape[0] // 3, 2 * crop.shape[0] // 3)
    assert np.array_equal(cleared[mid], own[mid])
    assert (cleared < 128).sum() > 0.8 * (crop[mid] < 128).sum()


def test_a_clean_crop_and_a_vertical_crop_are_handled_alike():
    # given a lone line (nothing to erase) and the same tight crop turned to a vertical line
    page, quad = _tight_lines()
    lone = crop_quad(_tight_lines(rows=(78,))[0], quad)
    crop = crop_quad(page, quad)
    # when each is cleared
    # then the lone line comes back unchanged, and the turned crop as the turned cleared crop
    assert np.array_equal(clear_neighbours(lone), lone)
    assert np.array_equal(clear_neighbours(np.rot90(crop).copy()), np.rot90(clear_neighbours(crop)))


def _line_with_hyphen(noise: bool = False, rule: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A word ending in a hyphen (ink x 10-212, hyphen from x ~198) and a quad that stops short
    of the hyphen, as the detector's fading map does on real scans. ``noise``: scanner specks
    past the word; ``rule``: a box's edge running on past the end."""
    page = np.full((80, 400), 255, np.uint8)
    cv2.putText(page, "tempo", (10, 52), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (0,), 3)
    cv2.line(page, (198, 40), (212, 40), (0,), 4)
    if noise:
        rng = np.random.default_rng(0)
        ys, xs = rng.integers(25, 55, 60), rng.integers(200, 400, 60)
        page[ys, xs] = 0
    if rule:
        cv2.rectangle(page, (196, 28), (399, 56), (0,), -1)
    return page, np.float32([[10, 20], [190, 20], [190, 56], [10, 56]])


def test_a_hyphen_past_the_quad_end_is_taken_into_the_crop():
    # given a quad that stops before the line's closing hyphen
    page, quad = _line_with_hyphen()
    short = 36
    # when the ends are looked for in a crop reaching 0.75 line heights further
    wide = crop_quad(page, quad, ends=(0.75, 0.75))
    before, after = missed_ends(wide, 0.75, 0.3)
    # then nothing is added before the line, and the crop taken with the found ends holds the hyphen
    assert before == 0.0 and after > 0
    plain, fitted = crop_quad(page, quad), crop_quad(page, quad, ends=(before, after))
    assert fitted.shape[1] == pytest.approx(plain.shape[1] + after * short, abs=1)
    assert (plain[:, -4:] < 128).sum() > 0  # the plain crop cuts through the hyphen
    assert (fitted[:, -4:] < 128).sum() == 0  # the fitted one ends in a blank margin past it


def test_specks_rules_and_clean_ends_add_nothing():
    # given a quad that covers its whole line, and short quads beside noise or a box's edge
    page, _ = _line_with_hyphen()
    whole = np.float32([[10, 20], [214, 20], [214, 56], [10, 56]])
    cases = [(page, whole), (_line_with_hyphen(noise=True)[0], whole), _line_with_hyphen(rule=True)]
    # when the ends are looked for
    found = [missed_ends(crop_quad(p, q, ends=(0.75, 0.75)), 0.75, 0.3) for p, q in cases]
    # then none is lengthened: the specks are too small to be marks, the rule runs to the reach's edge
    assert found == [(0.0, 0.0)] * 3


def test_a_vertical_line_is_fitted_along_its_length():
    page, quad = _line_with_hyphen()
    wide = crop_quad(page, quad, ends=(0.75, 0.75))
    assert missed_ends(np.rot90(wide, -1).copy(), 0.75, 0.3) == missed_ends(wide, 0.75, 0.3)


def test_a_thinned_quad_keeps_its_middle_line_and_length():
    # given a line quad 200 x 30 tilted by 20 degrees, and the same line standing vertical
    for rect in (((150.0, 150.0), (200.0, 30.0), 20.0), ((150.0, 150.0), (30.0, 200.0), 0.0)):
        quad = cv2.boxPoints(rect).astype(np.float32)
        # when it is thinned to 0.8 of its height
        (cx, cy), (w, h), angle = cv2.minAreaRect(thin_quad(quad, 0.8))
        # then only the short side shrank, about the same centre and at the same angle
        assert abs(cx - 150) < 0.5 and abs(cy - 150) < 0.5
        assert abs(max(w, h) - 200) < 0.5 and abs(min(w, h) - 24) < 0.5
        assert cv2.minAreaRect(quad)[2] == pytest.approx(angle, abs=0.5)


def test_order_points_starts_top_left_clockwise():
    quad = np.array([[110, 50], [10, 50], [10, 10], [110, 10]], np.float32)
    pts = order_points(quad)
    assert tuple(pts[0]) == (10, 10) and tuple(pts[1]) == (110, 10) and tuple(pts[2]) == (110, 50)


def test_resize_keeps_multiples_of_32_and_quad_box_clips():
    gray = np.zeros((1000, 3000), np.uint8)
    resized, sx, sy = resize_for_detection(gray, 960)
    assert resized.shape[0] % 32 == 0 and resized.shape[1] % 32 == 0 and max(resized.shape) <= 960
    assert abs(sx - resized.shape[1] / 3000) < 1e-9 and abs(sy - resized.shape[0] / 1000) < 1e-9
    box = quad_box(np.array([[-5, -5], [50, -5], [50, 20], [-5, 20]], np.float32), 40, 40)
    assert box.as_list() == [0, 0, 40, 20]


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_pieces_of_a_line_merge_but_columns_and_rows_stay_apart():
    # given two words of one 20 px line split at a word space, a price column 100 px away,
    # and the next line below
    quads = [_box(10, 10, 100, 30), _box(108, 11, 200, 30), _box(300, 10, 360, 30), _box(10, 50, 200, 70)]
    merged = merge_into_lines(quads)
    boxes = sorted(tuple(int(v) for v in (*q.min(axis=0), *q.max(axis=0))) for q in merged)
    assert boxes == [(10, 10, 200, 30), (10, 50, 200, 70), (300, 10, 360, 30)]


def test_an_x_height_word_joins_its_line_but_a_much_larger_heading_does_not():
    # given "giving her" (ascenders and descenders, 22 px) and "see" (x-height only, 12 px) after
    # a stretched space of a justified line, and a 40 px heading run in beside 12 px text
    line = merge_into_lines([_box(10, 10, 100, 32), _box(108, 16, 150, 28)], max_gap=0.5, max_heights=2.0)
    heading = merge_into_lines([_box(10, 10, 200, 50), _box(205, 30, 260, 42)], max_gap=0.5, max_heights=2.0)
    assert len(line) == 1 and len(heading) == 2
    assert len(merge_into_lines([_box(10, 10, 100, 32), _box(108, 16, 150, 28)], 0.5, 1.5)) == 2


def test_pieces_that_overlap_by_most_of_a_line_height_merge_with_the_shipped_setting():
    # given two pieces of one 50 px line that the growth after a narrow break in the map made
    # overlap by 24 px (0.48 line heights) and by 40 px (0.8)
    def merged(overlap: int, max_overlap: float) -> int:
        pieces = [_box(10, 10, 400, 60), _box(400 - overlap, 12, 640, 60)]
        return len(merge_into_lines(pieces, 0.5, 2.0, max_overlap))

    # then the old limit (0.5) merged only the first; the shipped one (1.0) merges both
    assert merged(24, 0.5) == 1 and merged(40, 0.5) == 2
    assert merged(40, DetParams().merge_overlap) == 1


def test_tilted_and_vertical_quads_are_not_merged():
    tilted = cv2.boxPoints(((100.0, 100.0), (120.0, 20.0), 25.0))
    vertical = _box(300, 10, 320, 200)
    assert len(merge_into_lines([tilted, vertical, _box(322, 10, 340, 200)])) == 3


def test_strips_cover_every_row_once_with_context():
    from ocr_core.textdet import strips

    assert strips(256, 256, 10**6, 128) == [(0, 256, 0, 256)]  # small: one whole-page run
    for h, w in ((960, 736), (736, 960), (960, 128), (1024, 1024)):
        parts = strips(h, w, 360_000, 128)
        kept = [r for _, _, k0, k1 in parts for r in range(k0, k1)]
        assert kept == list(range(h))  # every row kept exactly once, in order
        for r0, r1, k0, k1 in parts:
            assert r0 <= k0 < k1 <= r1 and all(v % 32 == 0 for v in (r0, r1, k0, k1))
            assert k0 - r0 == min(128, k0) and r1 - k1 == min(128, h - k1)  # context where there is page
            assert (k1 - k0) * w <= 360_000 + 32 * w


def test_a_small_page_is_enlarged_for_detection_only_when_asked():
    gray = np.full((200, 300), 255, np.uint8)
    same, sx, _ = resize_for_detection(gray, 960)
    assert same.shape == (192, 288) and sx == pytest.approx(288 / 300)  # multiples of 32, not enlarged
    big, sx, sy = resize_for_detection(gray, 960, upscale_to=640)
    assert big.shape == (416, 640) and sx == pytest.approx(640 / 300) and sy == pytest.approx(416 / 200)
    capped, _, _ = resize_for_detection(gray, 480, upscale_to=640)
    assert max(capped.shape) == 480  # never past max_side


def test_the_map_can_be_drawn_at_any_long_side():
    """``probability(long_side=N)`` draws the page N long whether that enlarges or shrinks it."""
    from ocr_core.config import default_det_model_path

    detector = TextDetector(default_det_model_path())
    gray = np.full((1200, 1600), 255, np.uint8)
    for long_side in (960, 1760, 640):
        prob, sx, sy = detector.probability(gray, long_side=long_side)
        assert prob.shape[1] == long_side and abs(prob.shape[0] - 0.75 * long_side) <= 16
        assert sx == pytest.approx(prob.shape[1] / 1600) and sy == pytest.approx(prob.shape[0] / 1200)


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def test_a_page_of_small_lines_is_detected_again_larger():
    params = replace(PARAMS, min_text=20.0, max_side=960, enlarge_max=0)
    small = [_quad(10, y, 200, y + 8) for y in (10, 30, 50)]  # 8 map pixels high, median 8
    # 8-pixel lines on a 300-pixel map: enlarged 2.5x so that they reach 20 pixels
    assert enlarge_to(small, 1.0, 300, params) == 750
    assert enlarge_to(small, 1.0, 600, params) == 960  # never past max_side
    assert enlarge_to(small, 0.5, 300, params) == 960  # the quads are in page pixels: 4 map pixels
    tall = [_quad(10, y, 200, y + 22) for y in (10, 40)]
    assert enlarge_to(tall, 1.0, 300, params) == 0  # tall enough
    assert enlarge_to([_quad(0, 0, 100, 18)], 1.0, 300, params) == 0  # would grow under 20%
    assert enlarge_to(small, 1.0, 960, params) == 0  # already at max_side
    # ... unless the second pass may go past it: a 300-dpi scan drawn at a third of its size
    assert enlarge_to(small, 1.0, 960, replace(params, enlarge_max=2048)) == 2048
    assert enlarge_to(small, 1.0, 600, replace(params, enlarge_max=2048)) == 1500
    assert enlarge_to([], 1.0, 300, params) == 0
    assert enlarge_to(small, 1.0, 300, replace(params, min_text=0.0)) == 0  # off
