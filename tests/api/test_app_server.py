"""The API end to end: a real uvicorn server, the real model, real HTTP requests."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from ocr_local.servers import uvicorn_app

from tests.conftest import EN_FONT, ZH_FONT, encode, render_lines

PAGE = ["欢迎光临本店", "Open daily 9:00-21:00"]


@pytest.fixture(scope="module")
def base():
    with uvicorn_app({"OCR_MAX_UPLOAD_BYTES": "300000"}) as server:
        yield server.url


def test_multipart_upload_as_curl_sends_it(base):
    png = encode(render_lines(PAGE, ZH_FONT, size=34))
    r = httpx.post(f"{base}/ocr", files={"image": ("test.png", png, "image/png")}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True
    assert len(body["text"]) == 2 and body["text"][0] == "欢迎光临本店"
    assert body["lines"][0]["box"][2] > body["lines"][0]["box"][0]
    assert body["model"].startswith("crnn") and body["time_cost"] > 0
    assert body["model_version"] == httpx.get(f"{base}/health").json()["model_version"]


def test_raw_body_and_single_line(base):
    jpg = encode(render_lines(["Raw body upload works"], EN_FONT, size=40), ".jpg")
    r = httpx.post(
        f"{base}/ocr?single_line=true", content=jpg, headers={"content-type": "image/jpeg"}, timeout=30
    )
    assert r.status_code == 200
    assert r.json()["text"] == ["Raw body upload works"]


def test_blank_image_is_200_with_no_lines(base):
    r = httpx.post(
        f"{base}/ocr", files={"image": ("b.png", encode(np.full((80, 80), 255, np.uint8)), "image/png")}
    )
    assert r.status_code == 200 and r.json()["lines"] == []


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"files": {"image": ("x.png", b"this is text, not a png", "image/png")}}, 415, "unsupported_format"),
        (
            {"files": {"image": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png")}},
            422,
            "unreadable_image",
        ),
        ({"files": {"photo": ("x.png", b"abc", "image/png")}}, 400, "missing_image"),
        ({"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type"),
        ({"files": {"image": ("e.png", b"", "image/png")}}, 400, "empty_upload"),
        (
            {"content": b"\xff\xd8\xff" + b"0" * 400_000, "headers": {"content-type": "image/jpeg"}},
            413,
            "payload_too_large",
        ),
    ],
)
def test_bad_input_gets_json_4xx(base, kwargs, status, code):
    r = httpx.post(f"{base}/ocr", timeout=30, **kwargs)
    assert r.status_code == status
    body = r.json()
    assert body["success"] is False and body["error"]["code"] == code and body["error"]["message"]
    if status == 413:
        assert "s3://" in body["error"]["message"]


def test_health_docs_and_page(base):
    health = httpx.get(f"{base}/health").json()
    assert health["status"] == "ok"
    assert health["decoder"] == "beam+lm"  # the shipped LM is loaded by default
    schema = httpx.get(f"{base}/openapi.json").json()
    assert "/ocr" in schema["paths"]
    assert httpx.get(f"{base}/docs").status_code == 200
    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and "Drop an image" in page.text
