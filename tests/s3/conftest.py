"""A real S3 API endpoint (moto's standalone server) with an SQS queue notified of uploads."""

from __future__ import annotations

import importlib
import json
import os

import boto3
import pytest
from ocr_local.servers import moto_s3

BUCKET = "ocr-test-bucket"


@pytest.fixture(scope="package")
def aws():
    with moto_s3() as server:
        env = {
            "AWS_ENDPOINT_URL": server.url,
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
        rule = {"Name": "prefix", "Value": "uploads/"}
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": arn,
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [rule]}},
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
        msgs = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not msgs.get("Messages"):
            return events
        for m in msgs["Messages"]:
            body = json.loads(m["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
            if body.get("Event") != "s3:TestEvent":
                events.append(body)
