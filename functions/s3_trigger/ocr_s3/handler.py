"""S3 ObjectCreated handler: read the object, OCR it, write <key>.json and <key>.txt under the output prefix.

- Unreadable input gets ``<key>.error.json`` and is not retried (retrying cannot fix it).
- S3 calls are retried here on throttling and 5xx (with backoff); what still fails raises after the
  other records are done, so Lambda retries the event and then sends it to the on-failure queue.
- The text file is written first and the JSON result last: a JSON result is always complete and its
  presence means the text is too; if the JSON write fails, the text file is removed again.
- The same event delivered twice is cheap: a result whose recorded source ETag matches is kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event
from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError
from ocr_core.engine import OcrEngine
from ocr_core.errors import ImageTooLarge, OcrError
from ocr_core.types import document_dict

from ocr_s3.keys import Prefixes

logger = Logger(service="ocr-s3")
metrics = Metrics(namespace="LiteOcr", service="ocr-s3")
PREFIXES = Prefixes(
    os.environ.get("OCR_INPUT_PREFIX", "uploads/"), os.environ.get("OCR_OUTPUT_PREFIX", "results/")
)
MAX_BYTES = int(os.environ.get("OCR_MAX_OBJECT_BYTES", 50 * 1024 * 1024))
ATTEMPTS = 3
_s3 = boto3.client("s3")
_engine = OcrEngine()
T = TypeVar("T")


class TransientError(Exception):
    """At least one record failed for a reason a retry may fix."""


def _retriable(exc: Exception) -> bool:
    if isinstance(exc, ConnectionError | ReadTimeoutError):
        return True
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        return status >= 500 or err.get("Code") in (
            "SlowDown",
            "Throttling",
            "RequestTimeout",
            "InternalError",
        )
    return False


def with_retries(call: Callable[[], T], what: str, attempts: int = ATTEMPTS, delay: float = 0.2) -> T:
    """Run an S3 call, retrying throttling / 5xx / connection errors with exponential backoff."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == attempts or not _retriable(exc):
                raise
            logger.warning(
                "retrying S3 call", extra={"call": what, "attempt": attempt, "error": type(exc).__name__}
            )
            time.sleep(delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _put(s3: Any, bucket: str, key: str, body: bytes, ctype: str) -> None:
    with_retries(lambda: s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=ctype), "put")


def _put_json(s3: Any, bucket: str, key: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    _put(s3, bucket, key, body, "application/json; charset=utf-8")


def _already_done(s3: Any, bucket: str, result_key: str, etag: str) -> bool:
    """True when a complete result for this very version of the object exists."""
    try:
        body = with_retries(lambda: s3.get_object(Bucket=bucket, Key=result_key)["Body"].read(), "get-result")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "AccessDenied"):
            return False
        raise
    try:
        return json.loads(body).get("source", {}).get("etag") == etag
    except ValueError:
        return False


def process_object(bucket: str, key: str, s3: Any = None, engine: OcrEngine | None = None) -> str:
    """OCR one object; returns "done", "error" (error record written), "duplicate" or "skipped"."""
    s3 = s3 or _s3
    engine = engine or _engine
    if not PREFIXES.accepts(key):
        return "skipped"
    head = with_retries(lambda: s3.head_object(Bucket=bucket, Key=key), "head")
    etag = head.get("ETag", "").strip('"')
    source = {"bucket": bucket, "key": key, "etag": etag, "size": head["ContentLength"]}
    json_key, text_key = PREFIXES.result_key(key, ".json"), PREFIXES.result_key(key, ".txt")
    if _already_done(s3, bucket, json_key, etag):
        logger.info("duplicate delivery: result exists", extra={"key": key})
        return "duplicate"
    t0 = time.perf_counter()
    try:
        if head["ContentLength"] > MAX_BYTES:
            raise ImageTooLarge(
                f"object is {head['ContentLength']:,} bytes; the limit is {MAX_BYTES:,} bytes"
            )
        data = with_retries(lambda: s3.get_object(Bucket=bucket, Key=key)["Body"].read(), "get")
        progress_key = PREFIXES.result_key(key, ".progress.json")

        def on_page(done: int, total: int) -> None:  # multi-page PDFs: progress for GET /jobs/{id}
            if total > 1:
                _put_json(s3, bucket, progress_key, {"pages_done": done, "pages": total, "source": source})

        pages = engine.read_pages(data, on_page)
    except OcrError as exc:
        payload = {"success": False, "source": source, "error": {"code": exc.code, "message": str(exc)}}
        _put_json(s3, bucket, PREFIXES.result_key(key, ".error.json"), payload)
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        logger.info("unreadable input", extra={"key": key, "error_code": exc.code})
        return "error"
    document = document_dict(pages)
    _put(s3, bucket, text_key, document["text"].encode("utf-8"), "text/plain; charset=utf-8")
    seconds = round(time.perf_counter() - t0, 4)
    payload = {"success": True, "source": source, "seconds": seconds, **document}
    try:
        _put_json(s3, bucket, json_key, payload)
    except Exception:
        # leave nothing half-done behind (the retry writes both again); the JSON failure is what is raised
        with contextlib.suppress(Exception):
            s3.delete_object(Bucket=bucket, Key=text_key)
        raise
    metrics.add_metric(name="Images", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Lines", unit=MetricUnit.Count, value=sum(len(p.lines) for p in pages))
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=1000 * seconds)
    logger.info("ocr done", extra={"key": key, "pages": len(pages), "seconds": seconds})
    return "done"


def records(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(bucket, key) of every S3 record; keys arrive URL-encoded ('+' for spaces)."""
    if not event.get("Records"):
        return []  # e.g. the s3:TestEvent sent when a notification is configured
    return [(rec.s3.bucket.name, unquote_plus(rec.s3.get_object.key)) for rec in S3Event(event).records]


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "bucket" in event and "key" in event:
        # one item of the bulk state machine (template.yaml): a listed key, not URL-encoded; a
        # transient failure raises so that Step Functions retries it, then reports it as failed
        return {"key": event["key"], "outcome": process_object(event["bucket"], event["key"])}
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
