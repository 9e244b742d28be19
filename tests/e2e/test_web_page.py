"""The web page in real headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import pytest
from ocr_local.servers import uvicorn_app

from tests.conftest import ZH_FONT, render_lines

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make test installs it)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def test_upload_shows_text_and_boxes(browser, tmp_path):
    img = tmp_path / "page.png"
    cv2.imwrite(str(img), render_lines(["网页上传测试", "Browser upload works"], ZH_FONT, size=36))
    with uvicorn_app() as server:
        base = server.url
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(base + "/")
        page.set_input_files("#file", str(img))
        page.wait_for_function("document.getElementById('lines').children.length > 0", timeout=30_000)
        text = page.input_value("#text")
        assert text.splitlines()[0] == "网页上传测试"
        assert "Browser upload works" in text.replace("  ", " ")
        assert "lines found" in page.inner_text("#status")
        # boxes are drawn: the overlay canvas has non-transparent pixels
        painted = page.evaluate(
            "() => { const c = document.getElementById('boxes'); const d = c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data; let n = 0;"
            " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"
        )
        assert painted > 100
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_page.png"), full_page=True)


def test_bad_file_shows_a_clear_error(browser, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("just text")
    with uvicorn_app() as server:
        base = server.url
        page = browser.new_page()
        page.goto(base + "/")
        page.set_input_files("#file", str(bad))
        page.wait_for_selector("#status.error", timeout=30_000)
        assert "unsupported" in page.inner_text("#status").lower()
