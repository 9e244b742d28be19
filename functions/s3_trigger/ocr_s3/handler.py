"""S3 ObjectCreated handler: read the object, OCR it, write <key>.json and <key>.txt under the output prefix.

Unreadable input gets ``<key>.error.json`` and is not retried (retrying cannot fix it).
Transient failures (S3 errors, throttling) raise after the other records are done, so
Lambda retries the event and, after its retries, sends it to the on-failure destination.
The JSON result is written last: its presence means the text file is complete too.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event
from ocr_core.engine import OcrEngine
from ocr_core.errors import OcrError

from ocr_s3.keys import Prefixes

logger = Logger(service="ocr-s3")
metrics = Metrics(namespace="LiteOcr", service="ocr-s3")
PREFIXES = Prefixes(
    os.environ.get("OCR_INPUT_PREFIX", "uploads/"), os.environ.get("OCR_OUTPUT_PREFIX", "results/")
)
MAX_BYTES = int(os.environ.get("OCR_MAX_OBJECT_BYTES", 50 * 1024 * 1024))
_s3 = boto3.client("s3")
_engine = OcrEngine()


class TransientError(Exception):
    """At least one record failed for a reason a retry may fix."""


def _put_json(bucket: str, key: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    _s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json; charset=utf-8")


def process_object(bucket: str, key: str, s3: Any = None, engine: OcrEngine | None = None) -> str:
    """OCR one object; returns "done", "error" (an error record was written) or "skipped"."""
    s3 = s3 or _s3
    engine = engine or _engine
    if not PREFIXES.accepts(key):
        return "skipped"
    head = s3.head_object(Bucket=bucket, Key=key)
    source = {
        "bucket": bucket,
        "key": key,
        "etag": head.get("ETag", "").strip('"'),
        "size": head["ContentLength"],
    }
    t0 = time.perf_counter()
    try:
        if head["ContentLength"] > MAX_BYTES:
            raise_too_large(head["ContentLength"])
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        result = engine.read(data)
    except OcrError as exc:
        _put_json(
            bucket,
            PREFIXES.result_key(key, ".error.json"),
            {"success": False, "source": source, "error": {"code": exc.code, "message": str(exc)}},
        )
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        logger.info("unreadable input", extra={"key": key, "error_code": exc.code})
        return "error"
    text_key = PREFIXES.result_key(key, ".txt")
    s3.put_object(
        Bucket=bucket, Key=text_key, Body=result.text.encode("utf-8"), ContentType="text/plain; charset=utf-8"
    )
    payload = {
        "success": True,
        "source": source,
        "seconds": round(time.perf_counter() - t0, 4),
        **result.to_dict(),
    }
    _put_json(bucket, PREFIXES.result_key(key, ".json"), payload)
    metrics.add_metric(name="Images", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Lines", unit=MetricUnit.Count, value=len(result.lines))
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=1000 * result.timings["total"])
    logger.info("ocr done", extra={"key": key, "lines": len(result.lines), "seconds": payload["seconds"]})
    return "done"


def raise_too_large(size: int) -> None:
    from ocr_core.errors import ImageTooLarge

    raise ImageTooLarge(f"object is {size:,} bytes; the limit is {MAX_BYTES:,} bytes")


def records(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(bucket, key) of every S3 record; keys arrive URL-encoded ('+' for spaces)."""
    if not event.get("Records"):
        return []  # e.g. the s3:TestEvent sent when a notification is configured
    return [(rec.s3.bucket.name, unquote_plus(rec.s3.get_object.key)) for rec in S3Event(event).records]


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcome: dict[str, str] = {}
    failed: list[str] = []
    for bucket, key in records(event):
        try:
            outcome[key] = process_object(bucket, key)
        except Exception:  # transient: S3, throttling, anything not the input's fault
            logger.exception("transient failure", extra={"key": key})
            failed.append(key)
    if failed:
        raise TransientError(f"{len(failed)} object(s) failed and will be retried: {failed}")
    return {"processed": outcome}
