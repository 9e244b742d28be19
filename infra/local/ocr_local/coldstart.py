"""Cold start of each function, as Lambda starts it: a fresh Python 3.12 process whose sys.path holds
only the built function and layers; times the handler module's import (which builds the engine and
loads the model) and the first request. Median of several fresh processes.

    python infra/local/ocr_local/coldstart.py build/x86_64 [--runs 5]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PROBE = r"""
import json, sys, time, types
t0 = time.perf_counter()
import importlib
mod = importlib.import_module(sys.argv[1])
t1 = time.perf_counter()
first = None
if sys.argv[2]:
    ctx = types.SimpleNamespace(function_name="f", memory_limit_in_mb=2048, aws_request_id="1",
                                invoked_function_arn="arn:aws:lambda:us-east-1:1:function:f")
    event = json.load(open(sys.argv[2]))
    t2 = time.perf_counter()
    mod.handler(event, ctx)
    first = time.perf_counter() - t2
print(json.dumps({"import_s": t1 - t0, "first_request_s": first}))
"""


def measure(build: Path, function: str, module: str, event: str, runs: int, py: str) -> dict[str, float]:
    # the function, its layers, then what the Lambda runtime provides (boto3)
    paths = [str(build / function), str(build / "OcrRuntimeLayer" / "python"), str(build / "_runtime")]
    env = {
        "PATH": os.environ["PATH"],
        "OCR_MODEL_PATH": str(build / "ModelLayer" / "model" / "crnn_int8.onnx"),
        "OCR_DET_MODEL_PATH": str(build / "ModelLayer" / "model" / "textdet_int8.onnx"),
        "OCR_LM_PATH": str(build / "ModelLayer" / "model" / "charlm.npz"),
        "OCR_DECODER": "beam",
        "OCR_DETECTOR": "db",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": os.pathsep.join(paths),
        "POWERTOOLS_METRICS_NAMESPACE": "LiteOcr",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    rows = []
    for _ in range(runs):
        out = subprocess.run(
            [py, "-I", "-c", f"import sys; sys.path[:0]={paths!r}\n" + PROBE, module, event],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    result = {"import_and_model_load_ms": 1000 * statistics.median(r["import_s"] for r in rows)}
    if event:
        result["first_request_ms"] = 1000 * statistics.median(r["first_request_s"] for r in rows)
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build", type=Path)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    py = next(
        iter(sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))), "python3.12"
    )
    api_event = str(REPO / "infra" / "events" / "api_http_v2_post_ocr.json")
    for function, module, event in (
        ("ApiFunction", "ocr_api.lambda_handler", api_event),
        ("S3OcrFunction", "ocr_s3.handler", ""),
    ):
        print(
            function,
            json.dumps(
                {
                    k: round(v, 1)
                    for k, v in measure(args.build, function, module, event, args.runs, py).items()
                }
            ),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
