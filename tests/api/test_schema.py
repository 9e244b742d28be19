"""Schemathesis against the running app's OpenAPI schema (with a local S3 endpoint behind /jobs):
no 5xx, every response matches the schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ocr_local.servers import uvicorn_app

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.mark.parametrize("seed", [1, 2])
def test_schemathesis_finds_no_issue(seed):
    from ocr_local.s3local import local_s3

    cli = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    with local_s3() as s3env, uvicorn_app({"OCR_BUCKET": s3env.bucket}) as server:  # /jobs needs S3
        proc = subprocess.run(
            [cli, "run", f"{server.url}/openapi.json", "--checks", CHECKS, "--max-examples", "60",
             "--phases", "examples,coverage,fuzzing", "--seed", str(seed), "--no-color"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "No issues found" in proc.stdout
