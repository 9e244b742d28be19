"""Logs carry metadata only: never image bytes, never recognized text."""

from __future__ import annotations

import base64
import json

from ocr_local.invoke import invoke

from tests.conftest import REPO


def test_api_logs_hold_no_image_and_no_text(capfd):
    event = json.loads((REPO / "infra/events/api_http_v2_post_ocr.json").read_text(encoding="utf-8"))
    resp = invoke("api", event)
    texts = json.loads(resp["body"])["text"]
    out, err = capfd.readouterr()
    logs = out + err
    assert '"ocr done"' in logs and '"lines": 4' in logs.replace('"lines":4', '"lines": 4')
    for line in texts:
        assert line not in logs
    image = base64.b64decode(event["body"])
    assert event["body"][:40] not in logs and base64.b64encode(image[100:160]).decode() not in logs
