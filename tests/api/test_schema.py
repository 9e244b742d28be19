"""Schemathesis against the running app's OpenAPI schema: no 5xx, every response matches the schema."""

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
    cli = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    with uvicorn_app() as server:
        proc = subprocess.run(
            [cli, "run", f"{server.url}/openapi.json", "--checks", CHECKS, "--max-examples", "60",
             "--phases", "examples,coverage,fuzzing", "--seed", str(seed), "--no-color"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "No issues found" in proc.stdout
