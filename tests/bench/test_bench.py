"""The benchmark's scoring, report and chart on tiny synthetic inputs; one real run of ours only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ocr_bench import report
from ocr_bench.__main__ import main
from ocr_bench.systems import Ours, Unavailable, p50_ms
from ocr_core.evaluate import Item

from tests.conftest import EN_FONT, LM, MODEL, encode, render_lines

PAGES = [
    Item("zh1.png", ["今天 天气", "很好"], "zh", "screenshot"),
    Item("mx1.png", ["发票 No. 42"], "mixed", "document"),
    Item("en1.png", ["Hello world", "Bye"], "en", "document"),
]
LINES = [Item("l1.png", ["你好"], "zh", "scene"), Item("l2.png", ["abc"], "en", "synthetic")]


class FakeSystem:
    def __init__(self, key: str, label: str, det: int, rec: int) -> None:
        self.key, self.label, self._sizes = key, label, {"det": det, "rec": rec, "cls": 1}

    def sizes(self) -> dict[str, int]:
        return self._sizes


def result(page_ms: float, pages: dict[str, list[str]], lines: dict[str, str]) -> dict:
    return {
        "page_s": {f: page_ms / 1000 for f in pages},
        "page_lines": pages,
        "line_text": lines,
        "line_ms_p50": page_ms / 10,
        "peak_rss_bytes": 100_000_000,
        "cold_start_s": 0.5,
        "page_start_ms": 0.0,
    }


PERFECT = {"zh1.png": ["今天 天气", "很好"], "mx1.png": ["发票 No. 42"], "en1.png": ["Hello world", "Bye"]}


def rows() -> list[dict]:
    """Given ours (perfect, fast, small) and three peers with known faults."""
    spaced = {**PERFECT, "zh1.png": ["今 天 天 气", "很好"]}  # Tesseract-style CJK spacing
    return [
        report.summarize(
            FakeSystem("ours-classical", "ours", 0, 3_850_000),
            result(100, PERFECT, {"l1.png": "你好", "l2.png": "abd"}),
            PAGES,
            LINES,
        ),
        report.summarize(
            FakeSystem("ppocr-v4", "v4", 4_750_000, 10_850_000),
            result(200, PERFECT, {"l1.png": "你好", "l2.png": "abc"}),
            PAGES,
            LINES,
        ),
        report.summarize(
            FakeSystem("ppocr-v6-tiny", "v6", 1_780_000, 4_460_000),
            result(90, PERFECT, {"l1.png": "你", "l2.png": "abc"}),
            PAGES,
            LINES,
        ),
        report.summarize(
            FakeSystem("tesseract", "tess", 0, 6_580_000),
            result(300, spaced, {"l1.png": "", "l2.png": "abc"}),
            PAGES,
            LINES,
        ),
    ]


def test_scores_use_the_evaluation_normalizations():
    ours, _, _, tess = rows()
    assert ours["pages"]["all"]["recall_nfkc"] == 1.0
    # when spaces are inserted between CJK characters, only the no-space recall forgives them
    assert tess["pages"]["zh"]["recall_nfkc"] == pytest.approx(0.5)
    assert tess["pages"]["zh"]["recall_nospace"] == 1.0
    assert ours["pages"]["all"]["recall_quotes"] == 1.0  # reported beside NFKC
    assert ours["lines"]["all"]["acc_nfkc"] == 0.5 and ours["lines"]["real"]["acc_nfkc"] == 1.0
    assert ours["lines"]["en"]["cer_nfkc"] == pytest.approx(1 / 3)
    assert ours["size_bytes"] == 3_850_000 and rows()[1]["size_bytes"] == 15_600_000  # cls not counted
    assert set(ours["pages"]) == {"all", "zh", "en", "mixed", "document", "screenshot"}


def test_report_prints_ratios_and_computed_targets():
    text = report.markdown(rows(), {"ours: DB": "textdet_int8.onnx not found"}, ["how"], "# header")
    assert "| ours | v4 | 2.0x | 2.0x | 2.0x | 4.1x | 1.0x | 1.0x | +0.0 | +0.0 | -50.0 |" in text
    assert "**PASS** full-page latency <= 1/2 of PP-OCRv4's: p50 100 ms vs 200 ms" in text
    assert "**FAIL** full-page latency <= PP-OCRv6-tiny's: p50 100 ms vs 90 ms" in text
    assert "**PASS** page line recall (NFKC) within 5 points of PP-OCRv4's: 100.0% vs 100.0%" in text
    assert "**PASS** det+rec size <= 6 MB: 3.85 MB (PP-OCRv4 det+rec 15.6 MB)" in text
    # equal no-space recall on zh pages is not "ahead"
    assert "**FAIL** ahead of Tesseract on zh pages" in text
    assert "**FAIL** ahead of Tesseract on mixed pages" in text  # equal accuracy there too
    assert "- ours: DB: textdet_int8.onnx not found" in text


def test_targets_without_peers_say_not_measured():
    ours = rows()[0]
    lines = report.targets(ours, {})
    assert sum(line.startswith("- n/a") for line in lines) == 4
    assert any("PASS** det+rec size" in line for line in lines)


def test_p50_is_the_median_of_the_measured_calls():
    calls = []
    assert p50_ms(lambda: calls.append(1), 4, warmup=2) < 50
    assert len(calls) == 6


def test_chart_is_a_png(tmp_path):
    pytest.importorskip("matplotlib")  # installed by `make bench` only
    from ocr_bench.chart import draw

    draw(rows(), tmp_path / "bench.png", "test")
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_run_measures_ours_in_a_fresh_process(tmp_path):
    """Given a one-page, one-line set, when `python -m ocr_bench` runs ours alone, the report has its row."""
    for part in ("pages", "lines"):
        (tmp_path / part).mkdir()
        (tmp_path / part / "meta.tsv").write_text("file\tlang\tkind\nx.png\ten\tdocument\n", encoding="utf-8")
    page = ["Invoice number 4471", "Total due 128 dollars"]
    (tmp_path / "pages" / "x.png").write_bytes(encode(render_lines(page, EN_FONT, size=36)))
    (tmp_path / "pages" / "labels.jsonl").write_text(json.dumps({"file": "x.png", "lines": page}) + "\n")
    (tmp_path / "lines" / "x.png").write_bytes(encode(render_lines(["Invoice 4471"], EN_FONT, size=40)))
    (tmp_path / "lines" / "labels.tsv").write_text("x.png\tInvoice 4471\n", encoding="utf-8")
    out = tmp_path / "RESULTS.md"

    code = main(
        [
            str(tmp_path),
            "--systems",
            "ours-classical",
            "--limit",
            "1",
            "--repeat",
            "2",
            "--out",
            str(out),
            "--no-chart",
        ]
    )

    text = out.read_text(encoding="utf-8")
    assert code == 0
    rec_mb = (MODEL.stat().st_size + LM.stat().st_size) / 1e6  # the beam decoder's LM counts as recognizer
    assert f"| ours: classical detector + CRNN INT8 + char LM | {rec_mb:.2f} |" in text
    assert "Smoke run: --limit 1" in text
    assert "Not measured" not in text
    assert "**PASS** det+rec size <= 6 MB" in text
    assert Path(out).stat().st_size > 0


def test_ours_with_the_db_detector_is_listed_as_not_measured_without_its_model(tmp_path, monkeypatch):
    monkeypatch.setenv("OCR_DET_MODEL_PATH", str(tmp_path / "textdet_int8.onnx"))
    with pytest.raises(Unavailable, match="no DB detector model"):
        Ours("db").check()
    monkeypatch.setenv("OCR_DET_MODEL_PATH", str(MODEL))  # any existing file stands in for the detector
    system = Ours("db")
    system.check()
    rec = MODEL.stat().st_size + LM.stat().st_size
    assert system.sizes() == {"rec": rec, "det": MODEL.stat().st_size}
