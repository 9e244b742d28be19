"""Faults in the S3 path, injected around a real S3 endpoint (moto): nothing is lost or half-written."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from ocr_local.corpus import cases
from ocr_local.invoke import LambdaContext

from tests.conftest import EN_FONT, ZH_FONT, encode, render_lines
from tests.s3.conftest import BUCKET, deliver


class Flaky:
    """The real client, except that the first ``fail`` calls of ``method`` raise ``error``."""

    def __init__(self, client, method: str, fail: int, code: str = "SlowDown", status: int = 503) -> None:
        self.client, self.method, self.left, self.code, self.status = client, method, fail, code, status
        self.calls = 0

    def __getattr__(self, name):
        real = getattr(self.client, name)
        if name != self.method:
            return real

        def wrapped(**kwargs):
            self.calls += 1
            if self.left > 0 and (self.method != "put_object" or kwargs["Key"].endswith(".json")):
                self.left -= 1
                raise ClientError(
                    {
                        "Error": {"Code": self.code, "Message": "injected"},
                        "ResponseMetadata": {"HTTPStatusCode": self.status},
                    },
                    name,
                )
            return real(**kwargs)

        return wrapped


def _keys(s3, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def _upload(s3, key: str, text: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=encode(render_lines([text], EN_FONT, size=36)))


def test_get_fails_transiently_then_succeeds(aws):
    s3, sqs, queue, handler = aws
    _upload(s3, "uploads/flaky-get.png", "retry me")
    deliver(sqs, queue)
    flaky = Flaky(s3, "get_object", fail=2)  # the result lookup and the first read both fail once
    assert handler.process_object(BUCKET, "uploads/flaky-get.png", s3=flaky) == "done"
    assert flaky.calls >= 3
    assert "results/flaky-get.png.json" in _keys(s3, "results/flaky-get")


def test_put_failure_leaves_nothing_half_written_and_the_retry_completes(aws):
    s3, sqs, queue, handler = aws
    _upload(s3, "uploads/flaky-put.png", "write me once")
    deliver(sqs, queue)
    with pytest.raises(ClientError):
        handler.process_object(BUCKET, "uploads/flaky-put.png", s3=Flaky(s3, "put_object", fail=10))
    assert _keys(s3, "results/flaky-put") == []  # no text without its JSON, no partial JSON
    assert handler.process_object(BUCKET, "uploads/flaky-put.png", s3=s3) == "done"  # Lambda's retry
    result = json.loads(s3.get_object(Bucket=BUCKET, Key="results/flaky-put.png.json")["Body"].read())
    assert result["success"] and result["text"]
    assert _keys(s3, "results/flaky-put") == ["results/flaky-put.png.json", "results/flaky-put.png.txt"]


def test_duplicate_delivery_is_cheap_and_changes_nothing(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    _upload(s3, "uploads/twice.png", "delivered twice")
    (event,) = deliver(sqs, queue)
    assert handler.handler(event, LambdaContext())["processed"] == {"uploads/twice.png": "done"}
    first = s3.get_object(Bucket=BUCKET, Key="results/twice.png.json")["Body"].read()
    assert handler.handler(event, LambdaContext())["processed"] == {"uploads/twice.png": "duplicate"}
    assert s3.get_object(Bucket=BUCKET, Key="results/twice.png.json")["Body"].read() == first
    assert _keys(s3, "results/twice") == ["results/twice.png.json", "results/twice.png.txt"]
    # a new version of the object (new ETag) is read again
    _upload(s3, "uploads/twice.png", "second version")
    (event2,) = deliver(sqs, queue)
    assert handler.handler(event2, LambdaContext())["processed"] == {"uploads/twice.png": "done"}


def test_batch_with_one_bad_record(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    _upload(s3, "uploads/batch-a.png", "first good")
    s3.put_object(Bucket=BUCKET, Key="uploads/batch-bad.png", Body=b"not an image")
    _upload(s3, "uploads/batch-b.png", "second good")
    events = deliver(sqs, queue)
    batch = {"Records": [rec for ev in events for rec in ev["Records"]]}
    assert len(batch["Records"]) == 3
    out = handler.handler(batch, LambdaContext())["processed"]
    assert out == {
        "uploads/batch-a.png": "done",
        "uploads/batch-bad.png": "error",
        "uploads/batch-b.png": "done",
    }
    err = json.loads(s3.get_object(Bucket=BUCKET, Key="results/batch-bad.png.error.json")["Body"].read())
    assert err["error"]["code"] == "unsupported_format"


def test_hostile_keys_cannot_write_outside_the_output_prefix(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    for key in ("uploads/../../escape.png", "uploads/a/./../b\x01\x7f.png"):
        _upload(s3, key, "path tricks")
    for event in deliver(sqs, queue):
        handler.handler(event, LambdaContext())
    everything = _keys(s3, "")
    written = [k for k in everything if not k.startswith("uploads/")]
    assert written and all(k.startswith("results/") for k in written), written
    assert all(".." not in k.split("/") and "\x01" not in k for k in written)


def test_the_corpus_through_s3(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    corpus = cases(render_lines(["语料测试 corpus 123"], ZH_FONT, size=32))
    for i, case in enumerate(corpus):
        s3.put_object(Bucket=BUCKET, Key=f"uploads/corpus/{i:02d}-{case.filename}", Body=case.data)
    for event in deliver(sqs, queue):
        handler.handler(event, LambdaContext())
    for i, case in enumerate(corpus):
        base = f"results/corpus/{i:02d}-{case.filename}"
        if case.expect == "ok":
            assert json.loads(s3.get_object(Bucket=BUCKET, Key=base + ".json")["Body"].read())["success"]
        else:
            err = json.loads(s3.get_object(Bucket=BUCKET, Key=base + ".error.json")["Body"].read())
            assert err["error"]["code"] == case.expect, case.name
