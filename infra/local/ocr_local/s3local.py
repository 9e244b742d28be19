"""A local S3 flow: moto's S3 server, a bucket whose uploads notify an SQS queue (as S3 notifies
Lambda), and the S3 function's handler module loaded against that endpoint."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from ocr_local.servers import moto_s3

BUCKET = "ocr-test-bucket"


def deliver(sqs: Any, queue: str) -> list[dict]:
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


@dataclass(frozen=True)
class LocalS3:
    s3: Any
    sqs: Any
    queue: str
    handler: Any  # the ocr_s3.handler module
    bucket: str = BUCKET

    def deliver(self) -> list[dict]:
        return deliver(self.sqs, self.queue)


@contextmanager
def local_s3(input_prefix: str = "uploads/", output_prefix: str = "results/") -> Iterator[LocalS3]:
    with moto_s3() as server:
        env = {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "OCR_INPUT_PREFIX": input_prefix,
            "OCR_OUTPUT_PREFIX": output_prefix,
        }
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            s3, sqs = boto3.client("s3"), boto3.client("sqs")
            s3.create_bucket(Bucket=BUCKET)
            queue = sqs.create_queue(QueueName="ocr-events")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            rule = {"Name": "prefix", "Value": input_prefix}
            config = {
                "QueueArn": arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [rule]}},
            }
            s3.put_bucket_notification_configuration(
                Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [config]}
            )
            handler = importlib.import_module("ocr_s3.handler")
            # Lambda builds the module's client once per process; a second local endpoint in the same
            # process (another test package, another run) needs the module pointed at it again
            handler._s3 = s3
            yield LocalS3(s3, sqs, queue, handler)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
