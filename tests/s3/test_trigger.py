"""The S3 trigger end to end against moto's standalone S3 server (a real S3 API endpoint).

Events are delivered as S3 delivers them: the bucket notifies an SQS queue (filtered to the
input prefix), and the handler gets the message body, exactly the event Lambda would get.
"""

from __future__ import annotations

import importlib
import json
import os

import boto3
import numpy as np
import pytest
from ocr_local.invoke import LambdaContext
from ocr_local.servers import moto_s3

from tests.conftest import EN_FONT, ZH_FONT, encode, render_lines

BUCKET = "ocr-test-bucket"


@pytest.fixture(scope="module")
def aws():
    with moto_s3() as server:
        endpoint = server.url
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "OCR_INPUT_PREFIX": "uploads/",
            "OCR_OUTPUT_PREFIX": "results/",
        }
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        s3, sqs = boto3.client("s3"), boto3.client("sqs")
        s3.create_bucket(Bucket=BUCKET)
        queue = sqs.create_queue(QueueName="ocr-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": arn,
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
                    }
                ]
            },
        )
        handler = importlib.import_module("ocr_s3.handler")
        yield s3, sqs, queue, handler
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def deliver(sqs, queue: str) -> list[dict]:
    """Drain the queue: every S3 event as Lambda would receive it (the s3:TestEvent skipped)."""
    events = []
    while True:
        msgs = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not msgs:
            return events
        for m in msgs:
            body = json.loads(m["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
            if body.get("Event") != "s3:TestEvent":
                events.append(body)


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
