"""Hostile input against the real server: each corpus case gets its 4xx JSON (or a 200), the server
stays up with bounded memory, and overload is answered with 503 + Retry-After."""

from __future__ import annotations

import concurrent.futures

import httpx
import psutil
import pytest
from ocr_local.corpus import cases
from ocr_local.servers import uvicorn_app

from tests.conftest import ZH_FONT, encode, render_lines

CASES = cases(render_lines(["语料测试 corpus 123"], ZH_FONT, size=32))


@pytest.fixture(scope="module")
def server():
    with uvicorn_app() as running:
        yield running


def test_every_case_answers_and_the_server_stays_up(server):
    proc = psutil.Process(server.pid)
    with httpx.Client(timeout=60) as client:
        for rounds in range(3):
            for case in CASES:
                r = client.post(f"{server.url}/ocr", files={"image": (case.filename, case.data, "image/png")})
                assert r.status_code == case.status, (case.name, r.text)
                body = r.json()
                if case.status == 200:
                    assert body["success"] is True
                else:
                    assert body["success"] is False and body["error"]["code"] == case.api_expect, case.name
            if rounds == 0:
                rss_after_first = proc.memory_info().rss
        assert client.get(f"{server.url}/health").json()["status"] == "ok"
    growth = proc.memory_info().rss - rss_after_first
    assert growth < 40 * 1024 * 1024, f"RSS grew {growth / 1e6:.1f} MB over two more rounds of the corpus"


def test_overload_gets_503_with_retry_after():
    page = encode(render_lines(["排队测试"] * 12, ZH_FONT, size=40))
    with uvicorn_app({"OCR_MAX_CONCURRENCY": "1", "OCR_MAX_QUEUE": "0"}) as running:

        def post(_: int) -> httpx.Response:
            return httpx.post(f"{running.url}/ocr", files={"image": ("p.png", page, "image/png")}, timeout=60)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(post, range(16)))
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 503} and 200 in codes and 503 in codes, codes
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "2" and busy.json()["error"]["code"] == "busy"
