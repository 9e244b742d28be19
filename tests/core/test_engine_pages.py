"""Whole pages through the learned detector: lines, turned and tilted pages, vertical Chinese.

Pages are rendered in held-out fonts; the detector never saw these fonts, the texts or the layouts.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from ocr_core.charset import normalize_text
from ocr_core.config import EngineConfig
from ocr_core.metrics import edit_distance
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import EN_FONT, MODEL, ZH_FONT, encode, render_lines

TEXTS = ["北京市海淀区中关村大街", "Invoice No. 4471 due 2024-12-01", "欢迎光临本店"]


def _cer(pred: str, truth: str) -> float:
    p, t = normalize_text(pred, strip_spaces=True), normalize_text(truth, strip_spaces=True)
    return edit_distance(p, t) / max(1, len(t))


@pytest.fixture(scope="module")
def db_engine():
    from ocr_core.engine import OcrEngine

    engine = OcrEngine(EngineConfig(model_path=MODEL, detector="db"))
    assert engine.detector_name == "db"
    return engine


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    """Three lines in two fonts on one page."""
    zh = render_lines([TEXTS[0]], ZH_FONT, size=34, margin=40)
    en = render_lines([TEXTS[1]], EN_FONT, size=34, margin=40)
    zh2 = render_lines([TEXTS[2]], ZH_FONT, size=34, margin=40)
    width = max(p.shape[1] for p in (zh, en, zh2))
    return np.vstack([cv2.copyMakeBorder(p, 0, 0, 0, width - p.shape[1], cv2.BORDER_CONSTANT, value=250)
                      for p in (zh, en, zh2)])  # fmt: skip


def _read(engine, image: np.ndarray) -> list[str]:
    return [line.text for line in engine.read(encode(image)).lines]


@pytest.mark.parametrize("detector", ["db", "classical"])
def test_page_lines_in_reading_order_with_either_detector(detector, page):
    from ocr_core.engine import OcrEngine

    engine = OcrEngine(EngineConfig(model_path=MODEL, detector=detector))
    result = engine.read(encode(page))
    assert len(result.lines) == 3, [line.text for line in result.lines]
    for line, truth in zip(result.lines, TEXTS, strict=True):
        assert _cer(line.text, truth) <= 0.2, line.text
        assert (
            0 <= line.box.x0 < line.box.x1 <= page.shape[1]
            and 0 <= line.box.y0 < line.box.y1 <= page.shape[0]
        )


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_turned_page_reads_as_upright(db_engine, page, turns):
    # given the page turned by 90, 180 or 270 degrees
    turned = np.ascontiguousarray(np.rot90(page, turns))
    # when it is read
    result = db_engine.read(encode(turned))
    # then the lines come out upright, in order, with boxes on the turned image
    assert len(result.lines) == 3, [line.text for line in result.lines]
    for line, truth in zip(result.lines, TEXTS, strict=True):
        assert _cer(line.text, truth) <= 0.2, line.text
        assert line.box.x1 <= turned.shape[1] and line.box.y1 <= turned.shape[0]
    if turns % 2:  # lines run up or down the turned image: their boxes are tall
        assert all(line.box.height > line.box.width for line in result.lines)


def test_a_tilted_page_is_read(db_engine, page):
    h, w = page.shape
    mat = cv2.getRotationMatrix2D((w / 2, h / 2), 12, 1.0)
    tilted = cv2.warpAffine(page, mat, (w, h + 120), borderValue=250)
    texts = _read(db_engine, tilted)
    assert len(texts) == 3, texts
    assert all(_cer(t, truth) <= 0.25 for t, truth in zip(texts, TEXTS, strict=True)), texts


def test_vertical_chinese_is_read_as_a_line(db_engine):
    # given one column of upright characters, as on a sign
    text = "欢迎光临本店"
    font = ImageFont.truetype(str(ZH_FONT), 40)
    img = Image.new("L", (120, 60 + 48 * len(text)), 250)
    draw = ImageDraw.Draw(img)
    for i, ch in enumerate(text):
        draw.text((40, 30 + 48 * i), ch, font=font, fill=20)
    texts = _read(db_engine, np.asarray(img))
    assert len(texts) == 1 and _cer(texts[0], text) <= 0.2, texts


def test_a_large_page_read_in_strips_gives_the_whole_page_boxes(db_engine, page):
    """Strips bound the detector's memory; with their context rows the boxes do not move."""
    from dataclasses import replace

    from ocr_core.textdet import page_quads

    tall = np.vstack([page] * 6)  # 18 lines, tall enough for several strips at detection scale
    detector = db_engine.detector
    params = detector.params
    quads = {}
    for name, strip_pixels in (("whole", 10**9), ("strips", 60_000)):
        detector.params = replace(params, strip_pixels=strip_pixels)
        try:
            prob, sx, sy = detector.probability(tall)
        finally:
            detector.params = params
        quads[name] = page_quads(prob, sx, sy, tall, params)
    assert len(quads["whole"]) == len(quads["strips"]) == 18
    for a, b in zip(quads["whole"], quads["strips"], strict=True):
        assert np.abs(a - b).max() < 1.0


def test_tightly_set_lines_are_read_without_their_neighbours():
    """Solid-set text (no blank between lines): each crop reaches into the lines above and below;
    clearing those fragments (``isolate``) lets the lines read cleanly even from the detector's
    full-height quads, and the shipped settings (thinner quads, cleared) read them too."""
    from dataclasses import replace

    from ocr_core.engine import OcrEngine

    lines = [
        "questioned her until she would answer, gently",
        "and trying to see the world through her eyes.",
        "Fathers bring a unique presence, a special",
        "strength to raising children, says the book;",
        "the long-term experience of happy families.",
        "He was simply showing love for his daughter.",
    ]
    page = encode(render_lines(lines, EN_FONT, size=56, gap=0.0))

    def exact(engine: OcrEngine) -> int:
        read = [line.text for line in engine.read(page).lines]
        assert len(read) == len(lines), read
        return sum(r == t for r, t in zip(read, lines, strict=True))

    full = {}
    for isolate in (False, True):
        config = EngineConfig(model_path=MODEL, detector="db", isolate=isolate, retry_below=0.0)
        engine = OcrEngine(config)  # one reading per line: the crops' own effect
        assert engine.detector is not None
        engine.detector.params = replace(engine.detector.params, line_height=1.0)
        full[isolate] = exact(engine)
    # full-height quads keep a speck or two of a neighbour's descenders even when cleared (4-5 of 6
    # exact, by network); uncleared they read fewer (2-4)
    assert full[True] >= 4 and full[True] > full[False], full
    assert exact(OcrEngine(EngineConfig(model_path=MODEL, detector="db"))) >= 5
    assert EngineConfig.from_env({"OCR_ISOLATE": "0"}).isolate is False


def test_a_one_bit_page_is_read_from_softened_crops():
    from ocr_core.engine import OcrEngine
    from ocr_core.preprocess import smooth_bilevel

    gray = render_lines(["Scanned at three hundred dpi", "on a one-bit fax"], EN_FONT, size=44)
    page = encode(np.where(gray < 128, 0, 255).astype(np.uint8))
    seen: dict[bool, list] = {}
    for soften in (False, True):
        engine = OcrEngine(EngineConfig(model_path=MODEL, detector="db", smooth_bilevel=soften))
        recognize = engine.recognizer.recognize

        def spy(crops, soften=soften, recognize=recognize):
            seen.setdefault(soften, []).extend(crops)
            return recognize(crops)

        engine.recognizer.recognize = spy  # type: ignore[method-assign]
        assert [line.text for line in engine.read(page).lines] == [
            "Scanned at three hundred dpi",
            "on a one-bit fax",
        ]
    assert len(seen[True]) == len(seen[False]) >= 2
    for sharp, soft in zip(seen[False], seen[True], strict=True):
        assert np.array_equal(soft, smooth_bilevel(sharp))
    assert EngineConfig.from_env({"OCR_SMOOTH_BILEVEL": "0"}).smooth_bilevel is False


def test_a_page_enlarged_for_detection_gives_boxes_on_the_page(db_engine):
    """Small text is detected again on an enlarged page; its boxes still land on the input's lines."""
    from dataclasses import replace

    parts = [
        render_lines([t], f, size=12, margin=8)
        for t, f in zip(TEXTS, (ZH_FONT, EN_FONT, ZH_FONT), strict=True)
    ]
    width = max(p.shape[1] for p in parts)
    small = np.vstack([cv2.copyMakeBorder(p, 0, 0, 0, width - p.shape[1], cv2.BORDER_CONSTANT, value=250)
                       for p in parts])  # fmt: skip
    detector = db_engine.detector
    params = detector.params
    found = {}
    for name, min_text in (("once", 0.0), ("enlarged", 40.0)):
        detector.params = replace(params, min_text=min_text)
        try:
            found[name] = detector.detect(small)
        finally:
            detector.params = params
    from ocr_core.textdet import enlarge_to, page_quads

    prob, sx, sy = detector.probability(small)
    quads = page_quads(prob, sx, sy, small, params)
    assert enlarge_to(quads, sx, max(prob.shape), replace(params, min_text=40.0)) > 1.5 * max(prob.shape)
    assert len(found["once"]) == len(found["enlarged"]) == 3
    for a, b in zip(found["once"], found["enlarged"], strict=True):
        assert np.abs(a.mean(axis=0) - b.mean(axis=0)).max() < 4  # same line, in input pixels


def test_unsure_lines_read_again_come_out_no_less_sure(page):
    """``retry_below``: with the real model, a retried page keeps its lines and boxes, and no line
    comes out less sure than its first reading (the surest reading stays)."""
    from ocr_core.engine import OcrEngine

    noisy = np.clip(page.astype(np.int16) + np.random.default_rng(3).normal(0, 60, page.shape), 0, 255)
    data = encode(cv2.GaussianBlur(noisy.astype(np.uint8), (5, 5), 0))
    once = (
        OcrEngine(EngineConfig(model_path=MODEL, detector="db", min_confidence=0.0, retry_below=0.0))
        .read(data)
        .lines
    )
    retried = (
        OcrEngine(EngineConfig(model_path=MODEL, detector="db", min_confidence=0.0, retry_below=1.01))
        .read(data)
        .lines
    )
    assert [line.box for line in retried] == [line.box for line in once]
    assert all(r.confidence >= o.confidence for r, o in zip(retried, once, strict=True))
    assert any(r.confidence > o.confidence for r, o in zip(retried, once, strict=True))


def test_icons_before_lines_are_not_read_as_text():
    from ocr_core.engine import OcrEngine

    # given the three lines, each led by a filled disc half a line height before its first word
    rows = []
    for text, font in zip(TEXTS, [ZH_FONT, EN_FONT, ZH_FONT], strict=True):
        line = render_lines([text], font, size=34, margin=40)
        icon = np.full((line.shape[0], 74), 250, np.uint8)
        cv2.circle(icon, (57, line.shape[0] // 2), 17, 40, -1)
        rows.append(np.hstack([icon, line[:, 23:]]))  # the words start 17 px after the disc
    width = max(r.shape[1] for r in rows)
    page = np.vstack([cv2.copyMakeBorder(r, 0, 0, 0, width - r.shape[1], cv2.BORDER_CONSTANT, value=250)
                      for r in rows])  # fmt: skip
    # when the page is read with the icons kept and with them left out (the default)
    kept = _read(OcrEngine(EngineConfig(model_path=MODEL, detector="db", drop_icons=False)), page)
    dropped = _read(OcrEngine(EngineConfig(model_path=MODEL, detector="db")), page)
    # then kept, some disc is read as a character; left out, every line starts with its first word
    assert any(not k.startswith(t[0]) for k, t in zip(kept, TEXTS, strict=True)), kept
    assert len(dropped) == 3, dropped
    for text, truth in zip(dropped, TEXTS, strict=True):
        assert text.startswith(truth[0]) and _cer(text, truth) <= 0.2, text


def _badge(height: int) -> np.ndarray:
    """A radio button (a ring around a dot, as posters lead items with) on a strip ``height`` high,
    standing 0.3 type sizes before the words that follow it."""
    strip = np.full((height, 36), 250, np.uint8)
    cv2.circle(strip, (17, height // 2), 16, 40, 3)
    cv2.circle(strip, (17, height // 2), 7, 40, -1)
    return strip


def test_two_items_in_one_row_are_read_as_two_lines_without_their_badges():
    from ocr_core.engine import OcrEngine

    # given a row of two Chinese items, each led by a radio button a word space before its words
    items = [render_lines([t], ZH_FONT, size=34, margin=40)[:, 30:-30] for t in ("极速发货", "冰点标准")]
    height = max(i.shape[0] for i in items)
    gap = np.full((height, 14), 250, np.uint8)
    row = np.hstack([_badge(height), items[0], gap, _badge(height), items[1]])
    page = cv2.copyMakeBorder(row, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=250)
    # when the page is read with icons kept and with them left out (the default)
    kept = _read(OcrEngine(EngineConfig(model_path=MODEL, detector="db", drop_icons=False)), page)
    result = OcrEngine(EngineConfig(model_path=MODEL, detector="db")).read(encode(page))
    # then kept, the row is one line; left out, each item is a line of its own, left to right
    assert len(kept) == 1, kept
    assert [line.text for line in result.lines] == ["极速发货", "冰点标准"]
    first, second = (line.box for line in result.lines)
    assert first.x1 <= second.x0 and first.y0 < second.y1 and second.y0 < first.y1
