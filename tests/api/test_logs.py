"""Logs carry metadata only: never image bytes, never recognized text."""

from __future__ import annotations

import base64
import io
import json
import logging

from ocr_api import lambda_handler
from ocr_local.invoke import invoke

from tests.conftest import REPO


def test_api_logs_hold_no_image_and_no_text():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(lambda_handler.logger.registered_formatter)
    logging.getLogger(lambda_handler.logger.service).addHandler(handler)
    try:
        event = json.loads((REPO / "infra/events/api_http_v2_post_ocr.json").read_text(encoding="utf-8"))
        resp = invoke("api", event)
    finally:
        logging.getLogger(lambda_handler.logger.service).removeHandler(handler)
    texts = json.loads(resp["body"])["text"]
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    done = [r for r in records if r["message"] == "ocr done"]
    assert done and done[0]["lines"] == len(texts) == 4
    logs = stream.getvalue()
    for line in texts:
        assert line not in logs and json.dumps(line)[1:-1] not in logs
    image = base64.b64decode(event["body"])
    assert event["body"][:40] not in logs and base64.b64encode(image[100:160]).decode() not in logs
