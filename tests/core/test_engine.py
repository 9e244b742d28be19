"""The engine with the real shipped model, on text it never saw rendered in held-out fonts."""

import io

import numpy as np
import pytest
from ocr_core.charset import normalize_text
from ocr_core.errors import UnsupportedFormat
from ocr_core.metrics import edit_distance

from tests.conftest import EN_FONT, ZH_FONT, encode, render_lines


def _cer(pred: str, truth: str) -> float:
    return edit_distance(
        normalize_text(pred, strip_spaces=True), normalize_text(truth, strip_spaces=True)
    ) / len(normalize_text(truth, strip_spaces=True))


@pytest.mark.parametrize(
    ("text", "font"),
    [
        ("今天天气很好，我们去公园散步", ZH_FONT),
        ("发票号码：20241125 金额￥128.50", ZH_FONT),
        ("The quick brown fox jumps over the lazy dog", EN_FONT),
        ("Invoice No. 4471 due 2024-12-01", EN_FONT),
    ],
)
def test_single_line_reads_held_out_font(engine, text, font):
    result = engine.read(encode(render_lines([text], font, size=40)), single_line=True)
    assert len(result.lines) == 1
    line = result.lines[0]
    assert _cer(line.text, text) <= 0.15, line.text
    assert 0.0 < line.confidence <= 1.0


def test_page_lines_in_order_with_boxes(engine):
    texts = ["北京市海淀区中关村大街", "联系电话 010-62345678", "欢迎光临本店"]
    page = render_lines(texts, ZH_FONT, size=34)
    result = engine.read(encode(page))
    assert len(result.lines) == 3
    for line, truth in zip(result.lines, texts, strict=True):
        assert _cer(line.text, truth) <= 0.2, line.text
        assert 0 <= line.box.x0 < line.box.x1 <= page.shape[1]
    assert result.timings["total"] > 0
    assert result.model.startswith("crnn")


def test_light_on_dark_line(engine):
    line = 255 - render_lines(["深色背景上的白色文字"], ZH_FONT, size=40)
    result = engine.read(encode(line), single_line=True)
    assert _cer(result.lines[0].text, "深色背景上的白色文字") <= 0.2


def test_pdf_page_input(engine):
    import io

    from PIL import Image

    page = render_lines(["PDF page text reads fine"], EN_FONT, size=40)
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, format="PDF", resolution=144)
    result = engine.read(buf.getvalue())
    assert result.lines, "a PDF page with text must not read as empty"
    assert _cer(" ".join(line.text for line in result.lines), "PDF page text reads fine") <= 0.2


def test_blank_image_is_valid_and_empty(engine):
    result = engine.read(encode(np.full((200, 300), 255, np.uint8)))
    assert result.lines == ()


def test_garbage_is_an_error_not_an_empty_result(engine):
    with pytest.raises(UnsupportedFormat):
        engine.read(b"definitely not an image")


def test_real_lines_from_the_dev_set(engine, shared_real):
    """A few real images (never used for training): the milestone is CER, not perfection."""
    labels = dict(
        r.split("\t", 1) for r in (shared_real / "lines" / "labels.tsv").read_text("utf-8").splitlines()
    )
    names = ["rapidocr_test_without_det.jpg", "rapidocr_en_rec.jpg", "cnocr_cn1_l01.png", "cnocr_cn1_l02.png"]
    edits = chars = 0
    for name in names:
        result = engine.read((shared_real / "lines" / name).read_bytes(), single_line=True)
        pred = normalize_text(" ".join(line.text for line in result.lines), strip_spaces=True)
        truth = normalize_text(labels[name], strip_spaces=True)
        edits += edit_distance(pred, truth)
        chars += len(truth)
    assert edits / chars <= 0.10


def test_read_pages_reads_the_chosen_pages_with_progress(engine):
    from PIL import Image

    pages = [Image.fromarray(render_lines([f"page {w}"], EN_FONT, size=40)) for w in ("one", "two", "three")]
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=144)
    seen: list[tuple[int, int]] = []
    results = engine.read_pages(buf.getvalue(), on_page=lambda d, t: seen.append((d, t)), pages=[1, 2])
    assert [r.text for r in results] == ["page two", "page three"]
    assert seen == [(1, 2), (2, 2)]
