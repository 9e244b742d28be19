"""API settings: one typed object, built once from the environment (template Parameters -> env)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ApiSettings:
    # Lambda's synchronous payload is 6 MB and binary bodies arrive base64-encoded (x 4/3)
    max_upload_bytes: int = 4 * 1024 * 1024
    bucket_hint: str = "s3://<your OCR bucket>/uploads/"
    # OCR calls running at once (each uses OCR_THREADS cores) and requests allowed to wait for one;
    # beyond that the server answers 503 with Retry-After instead of piling up memory
    max_concurrency: int = 2
    max_queue: int = 16
    bucket: str = ""  # asynchronous jobs need the OCR bucket
    input_prefix: str = "uploads/"
    output_prefix: str = "results/"

    @classmethod
    def from_env(cls) -> ApiSettings:
        bucket = os.environ.get("OCR_BUCKET")
        prefix = os.environ.get("OCR_INPUT_PREFIX", "uploads/")
        return cls(
            max_upload_bytes=int(os.environ.get("OCR_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            bucket_hint=f"s3://{bucket}/{prefix}" if bucket else cls.bucket_hint,
            max_concurrency=int(os.environ.get("OCR_MAX_CONCURRENCY", cls.max_concurrency)),
            max_queue=int(os.environ.get("OCR_MAX_QUEUE", cls.max_queue)),
            bucket=bucket or "",
            input_prefix=prefix,
            output_prefix=os.environ.get("OCR_OUTPUT_PREFIX", "results/"),
        )
