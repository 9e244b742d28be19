"""The S3 trigger end to end against moto's standalone S3 server (a real S3 API endpoint).

Events are delivered as S3 delivers them: the bucket notifies an SQS queue (filtered to the
input prefix), and the handler gets the message body, exactly the event Lambda would get.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from ocr_local.invoke import LambdaContext

from tests.conftest import EN_FONT, ZH_FONT, encode, render_lines
from tests.s3.conftest import BUCKET, deliver


def test_upload_is_read_and_results_written(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    key = "uploads/发票 scan 1.png"  # spaces and Chinese: the event carries it URL-encoded
    s3.put_object(
        Bucket=BUCKET, Key=key, Body=encode(render_lines(["发票号码 20241125", "Total 128.50"], ZH_FONT))
    )
    events = deliver(sqs, queue)
    assert len(events) == 1 and events[0]["Records"][0]["s3"]["object"]["key"] != key  # encoded on the wire
    out = handler.handler(events[0], LambdaContext())
    assert out["processed"] == {key: "done"}
    result = json.loads(s3.get_object(Bucket=BUCKET, Key="results/发票 scan 1.png.json")["Body"].read())
    assert result["success"] and result["source"]["key"] == key
    assert [line["text"].replace(" ", "") for line in result["lines"]] == ["发票号码20241125", "Total128.50"]
    assert result["model"].startswith("crnn") and len(result["model_version"]) == 12 and "timings" in result
    text = s3.get_object(Bucket=BUCKET, Key="results/发票 scan 1.png.txt")["Body"].read().decode()
    assert text.splitlines() == [line["text"] for line in result["lines"]]
    # the results were written under the output prefix: no event fires for them
    assert deliver(sqs, queue) == []


def test_corrupt_upload_gets_an_error_record_and_no_retry(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    s3.put_object(Bucket=BUCKET, Key="uploads/broken.jpg", Body=b"\xff\xd8\xff\xe0 truncated jpeg")
    (event,) = deliver(sqs, queue)
    assert handler.handler(event, LambdaContext())["processed"] == {"uploads/broken.jpg": "error"}
    err = json.loads(s3.get_object(Bucket=BUCKET, Key="results/broken.jpg.error.json")["Body"].read())
    assert err["success"] is False and err["error"]["code"] == "unreadable_image"


def test_blank_image_is_a_valid_empty_result(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    s3.put_object(Bucket=BUCKET, Key="uploads/blank.png", Body=encode(np.full((60, 60), 255, np.uint8)))
    (event,) = deliver(sqs, queue)
    handler.handler(event, LambdaContext())
    assert (
        json.loads(s3.get_object(Bucket=BUCKET, Key="results/blank.png.json")["Body"].read())["lines"] == []
    )


def test_missing_object_is_transient_and_raises_for_retry(aws):
    s3, sqs, queue, handler = aws
    deliver(sqs, queue)
    s3.put_object(Bucket=BUCKET, Key="uploads/gone.png", Body=encode(render_lines(["gone"], EN_FONT)))
    (event,) = deliver(sqs, queue)
    s3.delete_object(Bucket=BUCKET, Key="uploads/gone.png")
    with pytest.raises(handler.TransientError):
        handler.handler(event, LambdaContext())


def test_own_output_never_processed(aws):
    _, _, _, handler = aws
    assert handler.PREFIXES.accepts("uploads/a.png")
    assert not handler.PREFIXES.accepts("results/a.png.json")
    assert handler.PREFIXES.result_key("uploads/../../etc/passwd", ".json") == "results/etc/passwd.json"
