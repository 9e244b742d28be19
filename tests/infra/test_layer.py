"""The built Lambda packages (`make layer ARCH=x86_64`, which `make test` runs first): what Lambda imports.

A fresh Python 3.12 (the Lambda runtime's version) with only the built layer and function
folders on sys.path imports the handlers and reads a fixture image.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

BUILD = REPO / "build" / "x86_64"
PY312 = next(iter(sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))), None)


def _run(code: str, *paths: Path) -> str:
    if PY312 is None or not (BUILD / "OcrRuntimeLayer" / "python").exists():
        pytest.skip("needs Python 3.12 and `make layer ARCH=x86_64`")
    prelude = f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}\n"
    env = {
        "PATH": os.environ["PATH"],
        "OCR_MODEL_PATH": str(BUILD / "ModelLayer" / "model" / "crnn_int8.onnx"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "LiteOcr",
    }
    proc = subprocess.run(
        [PY312, "-I", "-S", "-c", prelude + code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_core_layer_alone_reads_an_image():
    out = _run(
        "from ocr_core.engine import OcrEngine\n"
        f"r = OcrEngine().read(open({str(REPO / 'infra/samples/demo_zh_en.png')!r}, 'rb').read())\n"
        "print(r.text)\nimport numpy, cv2, onnxruntime\nprint(cv2.__version__, onnxruntime.__version__)",
        BUILD / "OcrRuntimeLayer" / "python",
    )
    assert "20241125" in out and "4.10.0" in out


def test_api_handler_imports_from_its_package_and_answers_an_event():
    event = REPO / "infra" / "events" / "api_http_v2_post_ocr.json"
    out = _run(
        "import json, types\nfrom ocr_api.lambda_handler import handler\n"
        "ctx = types.SimpleNamespace(function_name='api', memory_limit_in_mb=2048, aws_request_id='1',"
        " invoked_function_arn='arn:aws:lambda:us-east-1:1:function:api')\n"
        f"resp = handler(json.load(open({str(event)!r})), ctx)\n"
        "print(json.dumps({'status': resp['statusCode'], 'body': json.loads(resp['body'])}))",
        BUILD / "ApiFunction",
        BUILD / "OcrRuntimeLayer" / "python",
    )
    resp = json.loads(out.strip().splitlines()[-1])
    assert resp["status"] == 200 and len(resp["body"]["text"]) == 4


def test_s3_function_package_has_no_fastapi():
    assert (BUILD / "S3OcrFunction" / "ocr_s3" / "handler.py").exists()
    assert not (BUILD / "S3OcrFunction" / "fastapi").exists()
    assert not list((BUILD / "S3OcrFunction").glob("ocr_api*"))


def test_pyc_are_precompiled_for_312():
    pycs = list((BUILD / "OcrRuntimeLayer" / "python" / "ocr_core" / "__pycache__").glob("*.cpython-312.pyc"))
    assert len(pycs) >= 10
