"""API settings: one typed object, built once from the environment (template Parameters -> env)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ApiSettings:
    # Lambda's synchronous payload is 6 MB and binary bodies arrive base64-encoded (x 4/3)
    max_upload_bytes: int = 4 * 1024 * 1024
    bucket_hint: str = "s3://<your OCR bucket>/uploads/"

    @classmethod
    def from_env(cls) -> ApiSettings:
        bucket = os.environ.get("OCR_BUCKET")
        prefix = os.environ.get("OCR_INPUT_PREFIX", "uploads/")
        return cls(
            max_upload_bytes=int(os.environ.get("OCR_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            bucket_hint=f"s3://{bucket}/{prefix}" if bucket else cls.bucket_hint,
        )
