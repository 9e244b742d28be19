"""`make reliability`: the reliability table, measured in one run, written to docs/RELIABILITY.md.

1. Every case of the generated bad-input corpus through the real API server and through the S3
   trigger on a local S3 endpoint: the answer each got, and whether it is the specified one.
2. The fault-injection and overload tests (pytest), each survived or not.
3. A bounded load (1,000 requests) and an overload burst, with the server's RSS.
4. Objects lost: uploads without a result or an error record.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr_local.corpus import cases
from ocr_local.invoke import LambdaContext
from ocr_local.loadtest import run_load
from ocr_local.s3local import local_s3
from ocr_local.servers import uvicorn_app

REPO = Path(__file__).resolve().parents[3]
FAULT_TESTS = ["tests/s3/test_faults.py", "tests/api/test_hostile_inputs.py", "tests/s3/test_trigger.py"]


def text_page() -> np.ndarray:
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 32)
    img = Image.new("L", (520, 90), 250)
    ImageDraw.Draw(img).text((20, 25), "可靠性测试 reliability 123", font=font, fill=20)
    return np.asarray(img)


def corpus_rows() -> tuple[list[str], int, int, int]:
    corpus = cases(text_page())
    rows = ["| input | API answer | S3 answer | as specified |", "|---|---|---|---|"]
    good = 0
    with uvicorn_app() as server, httpx.Client(timeout=120) as client:
        api = []
        for case in corpus:
            r = client.post(f"{server.url}/ocr", files={"image": (case.filename, case.data, "image/png")})
            body = r.json()
            api.append((r.status_code, "ok" if r.status_code == 200 else body["error"]["code"], body))
        alive = client.get(f"{server.url}/health").status_code == 200
    with local_s3() as env:
        for i, case in enumerate(corpus):
            env.s3.put_object(Bucket=env.bucket, Key=f"uploads/r/{i:02d}-{case.filename}", Body=case.data)
        for event in env.deliver():
            env.handler.handler(event, LambdaContext())
        keys = {o["Key"] for o in env.s3.list_objects_v2(Bucket=env.bucket).get("Contents", [])}
        uploads = [k for k in keys if k.startswith("uploads/")]
        lost = 0
        for i, (case, (status, code, _)) in enumerate(zip(corpus, api, strict=True)):
            base = f"results/r/{i:02d}-{case.filename}"
            if base + ".json" in keys:
                s3_answer = "result (.json + .txt)"
                s3_code = "ok"
            elif base + ".error.json" in keys:
                err = json.loads(
                    env.s3.get_object(Bucket=env.bucket, Key=base + ".error.json")["Body"].read()
                )
                s3_code = err["error"]["code"]
                s3_answer = f"`.error.json`: {s3_code}"
            else:
                s3_answer, s3_code = "NOTHING (lost)", "lost"
                lost += 1
            ok = status == case.status and code == case.api_expect and s3_code == case.expect
            good += ok
            rows.append(f"| {case.name} | {status} {code} | {s3_answer} | {'yes' if ok else 'NO'} |")
    rows.append("")
    rows.append(f"API server alive after the corpus: {'yes' if alive else 'NO'}. "
                f"S3: {len(uploads)} uploads, {len(uploads) - lost} answered, **{lost} lost**.")  # fmt: skip
    return rows, good, lost, len(corpus)


def fault_rows() -> list[str]:
    with TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
        args += FAULT_TESTS
        subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
        tree = ET.parse(report)  # noqa: S314 - our own pytest report
    rows = ["| fault or hostile condition (test) | survived |", "|---|---|"]
    for case in tree.iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        name = case.get("name", "").replace("test_", "", 1).replace("_", " ")
        rows.append(
            f"| {name} ({case.get('classname', '').rsplit('.', 1)[-1]}) | {'NO' if failed else 'yes'} |"
        )
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=REPO / "docs" / "RELIABILITY.md")
    p.add_argument("--requests", type=int, default=1000)
    args = p.parse_args()
    corpus, good, lost, n_cases = corpus_rows()
    faults = fault_rows()
    load = run_load(clients=8, total=args.requests, seconds=600)
    burst = run_load(clients=48, total=300, seconds=300)
    text = "\n".join([
        "# Reliability (measured by `make reliability`)",
        "",
        f"Generated corpus: {good} of {n_cases} inputs answered as specified; objects lost: {lost}.",
        "",
        "## Inputs tried and how each was answered",
        "", *corpus, "",
        "## Faults and hostile conditions",
        "", *faults, "",
        f"## Load (loopback, {load.requests} requests, 8 clients, real fixture images)",
        "", *[f"- {line}" for line in load.lines()], "",
        "## Overload burst (48 clients; 2 OCR workers, 16 queued; the rest must get 503 + Retry-After)",
        "", *[f"- {line}" for line in burst.lines()], "",
    ])  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
