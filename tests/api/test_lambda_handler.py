"""The Mangum handler on API Gateway events (HTTP API v2 with base64 multipart, REST v1 raw body)."""

from __future__ import annotations

import base64
import json

from ocr_local.invoke import invoke

from tests.conftest import REPO

EVENTS = REPO / "infra" / "events"
DEMO_TEXT = [
    "发票号码：20241125",
    "北京市海淀区中关村大街27号",
    "Total amount: ¥128.50",
    "欢迎使用轻量级 OCR 服务",
]


def _event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def _similar(got: list[str], want: list[str]) -> int:
    return sum(g.replace(" ", "") == w.replace(" ", "") for g, w in zip(got, want, strict=False))


def test_http_api_v2_multipart_bytes_arrive_intact():
    resp = invoke("api", _event("api_http_v2_post_ocr.json"))
    assert resp["statusCode"] == 200
    body = json.loads(resp["body"])
    assert len(body["text"]) == 4 and _similar(body["text"], DEMO_TEXT) >= 3


def test_rest_v1_raw_body():
    resp = invoke("api", _event("api_rest_v1_post_ocr.json"))
    assert resp["statusCode"] == 200
    assert _similar(json.loads(resp["body"])["text"], DEMO_TEXT) >= 3


def test_health_and_error_shape():
    assert json.loads(invoke("api", _event("api_http_v2_health.json"))["body"])["status"] == "ok"
    bad = _event("api_http_v2_post_ocr.json")
    bad["body"] = base64.b64encode(b"not an image at all").decode()
    bad["headers"]["content-type"] = "image/png"
    bad["headers"]["content-length"] = "19"
    resp = invoke("api", bad)
    assert resp["statusCode"] == 415
    assert json.loads(resp["body"])["error"]["code"] == "unsupported_format"
