"""The `ocr` command as a user runs it (a real subprocess)."""

import json
import subprocess
import sys

import cv2

from tests.conftest import EN_FONT, ZH_FONT, render_lines

OCR = [sys.executable, "-m", "ocr_core.cli"]


def test_prints_text_and_json(tmp_path):
    img = tmp_path / "page.png"
    cv2.imwrite(str(img), render_lines(["Hello command line", "第二行中文"], ZH_FONT, size=34))
    out = subprocess.run([*OCR, str(img)], capture_output=True, text=True, check=True).stdout
    assert len(out.strip().splitlines()) == 2
    rec = json.loads(
        subprocess.run([*OCR, "--json", str(img)], capture_output=True, text=True, check=True).stdout
    )
    assert rec["file"] == str(img)
    assert len(rec["lines"]) == 2
    assert {"text", "confidence", "box"} <= set(rec["lines"][0])


def test_single_line_and_errors_keep_going(tmp_path):
    good = tmp_path / "line.png"
    cv2.imwrite(str(good), render_lines(["single line mode"], EN_FONT, size=40))
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    proc = subprocess.run(
        [*OCR, "--json", "--single-line", str(bad), str(good)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    recs = [json.loads(r) for r in proc.stdout.splitlines()]
    assert recs[0]["error"]["code"] == "unsupported_format"
    assert len(recs[1]["lines"]) == 1


def test_eval_scores_a_labeled_set(tmp_path):
    texts = ["评估命令测试", "evaluation works"]
    rows = []
    for i, t in enumerate(texts):
        cv2.imwrite(str(tmp_path / f"l{i}.png"), render_lines([t], ZH_FONT, size=40))
        rows.append(f"l{i}.png\t{t}")
    (tmp_path / "labels.tsv").write_text("\n".join(rows), encoding="utf-8")
    (tmp_path / "meta.tsv").write_text("file\tlang\tkind\nl0.png\tzh\trendered\nl1.png\ten\trendered\n")
    report = tmp_path / "r.json"
    out = subprocess.run(
        [*OCR, "eval", str(tmp_path / "labels.tsv"), "--json", str(report)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "lang=zh" in out and "acc_nfkc" in out
    data = json.loads(report.read_text())
    assert data["n"] == 2
    assert 0.0 <= data["groups"]["all"]["cer_nfkc"] <= 0.3


def test_all_pages_of_a_pdf(tmp_path):
    from PIL import Image

    pages = [Image.fromarray(render_lines([f"page {i} text"], EN_FONT, size=40)) for i in (1, 2)]
    pdf = tmp_path / "two.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=144)
    out = subprocess.run(
        [*OCR, "--all-pages", "--json", str(pdf)], capture_output=True, text=True, check=True
    )
    rec = json.loads(out.stdout)
    assert rec["page_count"] == 2 and [p["page"] for p in rec["pages"]] == [1, 2]
    assert "\f" in rec["text"]


def test_chosen_pages_of_a_pdf_and_a_page_that_is_not_there(tmp_path):
    from PIL import Image

    words = ["first page", "second page", "third page"]
    pages = [Image.fromarray(render_lines([w], EN_FONT, size=40)) for w in words]
    pdf = tmp_path / "three.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=144)
    # when pages 3 and 1 are asked for
    out = subprocess.run(
        [*OCR, "--pages", "3,1", "--json", str(pdf)], capture_output=True, text=True, check=True
    )
    rec = json.loads(out.stdout)
    # then exactly those are read, in that order, under their own numbers
    assert rec["page_count"] == 2 and [p["page"] for p in rec["pages"]] == [3, 1]
    texts = [" ".join(line["text"] for line in page["lines"]) for page in rec["pages"]]
    assert "third" in texts[0] and "first" in texts[1]
    # and a page the document does not have is a clear error, not an empty result
    bad = subprocess.run([*OCR, "--pages", "2-5", "--json", str(pdf)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["error"]["code"] == "page_out_of_range"


def test_retry_below_reaches_the_engine_config():
    import argparse

    from ocr_core.cli import _config, _engine_args
    from ocr_core.config import EngineConfig

    p = argparse.ArgumentParser()
    _engine_args(p)
    assert _config(p.parse_args(["--retry-below", "0.95"])).retry_below == 0.95
    assert _config(p.parse_args([])).retry_below == 0.0  # opt-in: its cost is in the model card
    assert EngineConfig.from_env({"OCR_RETRY_BELOW": "0.9"}).retry_below == 0.9


def test_icons_are_left_out_unless_kept():
    import argparse

    from ocr_core.cli import _config, _engine_args
    from ocr_core.config import EngineConfig

    p = argparse.ArgumentParser()
    _engine_args(p)
    assert _config(p.parse_args([])).drop_icons is True
    assert _config(p.parse_args(["--keep-icons"])).drop_icons is False
    assert EngineConfig.from_env({"OCR_DROP_ICONS": "0"}).drop_icons is False


def test_switches_set_in_the_environment_hold_unless_a_flag_changes_them(monkeypatch):
    import argparse

    from ocr_core.cli import _config, _engine_args

    p = argparse.ArgumentParser()
    _engine_args(p)
    # given OCR_* variables that turn steps off (or on) for every edge
    for name, value in [("OCR_DESKEW", "0"), ("OCR_ISOLATE", "0"), ("OCR_TRIM", "0"), ("OCR_CLAHE", "1")]:
        monkeypatch.setenv(name, value)
    # when the CLI builds its config without flags, then they hold
    cfg = _config(p.parse_args([]))
    assert (cfg.deskew, cfg.isolate, cfg.trim, cfg.clahe) == (False, False, False, True)
    # and a flag still turns a step off when the environment leaves it on
    monkeypatch.delenv("OCR_DESKEW")
    assert _config(p.parse_args(["--no-deskew"])).deskew is False
    assert _config(p.parse_args([])).deskew is True
