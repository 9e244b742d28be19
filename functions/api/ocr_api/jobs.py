"""Asynchronous jobs for files too large for a synchronous request (S3 does the heavy lifting).

POST /jobs -> a job id and a presigned S3 PUT URL under ``<InputPrefix>jobs/<id>/``; the S3 trigger
reads the upload (every page of a PDF); GET /jobs/{id} derives the state from the objects themselves:
no upload yet -> queued; upload, no result -> running (with page progress for PDFs); result -> done
(inline when small, else a presigned URL); error record -> failed. No table, no scheduler.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

INLINE_LIMIT = 256 * 1024
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


class JobNotFound(Exception):
    pass


def safe_filename(name: str) -> str:
    """The last path component, printable, not hidden, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch if ch.isprintable() else "_" for ch in base).strip().lstrip("._") or "upload"
    return base[:120]


@dataclass
class JobStore:
    s3: Any
    bucket: str
    input_prefix: str
    output_prefix: str
    url_seconds: int = 900

    def _meta_key(self, job_id: str) -> str:
        return f"{self.output_prefix}jobs/{job_id}/_job.json"

    def create(self, filename: str) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        key = f"{self.input_prefix}jobs/{job_id}/{safe_filename(filename)}"
        meta = {"job_id": job_id, "key": key, "filename": filename, "created": time.time()}
        self.s3.put_object(Bucket=self.bucket, Key=self._meta_key(job_id), Body=json.dumps(meta).encode())
        url = self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_seconds
        )
        return {"job_id": job_id, "status": "queued", "upload_url": url, "upload_method": "PUT",
                "expires_in": self.url_seconds, "status_url": f"/jobs/{job_id}"}  # fmt: skip

    def _get_json(self, key: str) -> dict[str, Any] | None:
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            return None
        if obj["ContentLength"] > INLINE_LIMIT:
            return {"_large": True}
        return json.loads(obj["Body"].read())

    def _exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
            return True
        except Exception as exc:  # 404 from HEAD arrives as a ClientError without a body
            if "404" in str(exc) or "Not Found" in str(exc):
                return False
            raise

    def status(self, job_id: str) -> dict[str, Any]:
        if not JOB_ID.match(job_id):
            raise JobNotFound(job_id)
        meta = self._get_json(self._meta_key(job_id))
        if meta is None:
            raise JobNotFound(job_id)
        key = meta["key"]
        relative = key[len(self.input_prefix) :]
        result_key = f"{self.output_prefix}{relative}.json"
        out: dict[str, Any] = {"job_id": job_id, "filename": meta["filename"]}
        result = self._get_json(result_key)
        if result is not None:
            out["status"] = "done"
            if result.get("_large"):
                out["result_url"] = self.s3.generate_presigned_url(
                    "get_object",
                    Params={"Bucket": self.bucket, "Key": result_key},
                    ExpiresIn=self.url_seconds,
                )
            else:
                out["result"] = result
            return out
        error = self._get_json(f"{self.output_prefix}{relative}.error.json")
        if error is not None:
            return {**out, "status": "failed", "error": error.get("error")}
        if not self._exists(key):
            return {**out, "status": "queued"}
        progress = self._get_json(f"{self.output_prefix}{relative}.progress.json")
        running = {**out, "status": "running"}
        if progress:
            running["progress"] = {"pages_done": progress["pages_done"], "pages": progress["pages"]}
        return running
