"""A real S3 API endpoint (moto's standalone server) with an SQS queue notified of uploads."""

from __future__ import annotations

import pytest
from ocr_local.s3local import BUCKET, deliver, local_s3

__all__ = ["BUCKET", "deliver"]


@pytest.fixture(scope="package")
def aws():
    with local_s3() as env:
        yield env.s3, env.sqs, env.queue, env.handler
