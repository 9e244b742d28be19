"""Bulk OCR of a folder and of an S3 prefix (local endpoint), with bounded concurrency and no losses."""

from __future__ import annotations

import json

import cv2
from ocr_s3.bulk import bulk_folder, bulk_s3

from tests.conftest import EN_FONT, ZH_FONT, encode, render_lines
from tests.s3.conftest import BUCKET


def test_folder_bulk_writes_every_result_and_reruns_cheaply(tmp_path, engine):
    src = tmp_path / "scans"
    (src / "sub").mkdir(parents=True)
    cv2.imwrite(str(src / "a.png"), render_lines(["批量处理 bulk"], ZH_FONT, size=32))
    cv2.imwrite(str(src / "sub" / "b.jpg"), render_lines(["second file"], EN_FONT, size=32))
    (src / "broken.png").write_bytes(b"not really a png")
    (src / "notes.txt").write_text("ignored: not an image suffix")
    out = tmp_path / "out"
    summary = bulk_folder(src, out, concurrency=2, engine=engine)
    assert summary.outcomes == {"done": 2, "error": 1} and summary.failures == []
    assert json.loads((out / "sub" / "b.jpg.json").read_text())["lines"]
    assert json.loads((out / "broken.png.error.json").read_text())["error"]["code"] == "unsupported_format"
    assert json.loads((out / "_summary.json").read_text())["objects"] == 3
    again = bulk_folder(src, out, concurrency=2, engine=engine)
    assert again.outcomes["duplicate"] == 2


def test_s3_prefix_bulk_uses_the_trigger_code_path(aws):
    s3, _, _, _ = aws
    for i in range(5):
        s3.put_object(
            Bucket=BUCKET, Key=f"uploads/bulk/{i}.png", Body=encode(render_lines([f"page {i}"], EN_FONT))
        )
    s3.put_object(Bucket=BUCKET, Key="uploads/bulk/bad.png", Body=b"\x00" * 10)
    summary = bulk_s3(BUCKET, "uploads/bulk/", concurrency=3)
    assert summary.outcomes == {"done": 5, "error": 1}
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="results/").get("Contents", [])}
    assert {
        f"results/bulk/{i}.png.json" for i in range(5)
    } <= keys and "results/bulk/bad.png.error.json" in keys
    assert any(k.startswith("results/_summary/") for k in keys)
    assert bulk_s3(BUCKET, "uploads/bulk/", concurrency=3).outcomes["duplicate"] == 5


def test_state_machine_item_form(aws):
    """The Distributed Map invokes the function with {"bucket", "key"} (a listed, raw key)."""
    from ocr_local.invoke import LambdaContext

    s3, _, _, handler = aws
    key = "uploads/bulk/a+b 100%.png"  # raw key: '+' and '%' must not be URL-decoded
    s3.put_object(Bucket=BUCKET, Key=key, Body=encode(render_lines(["raw key"], EN_FONT)))
    out = handler.handler({"bucket": BUCKET, "key": key}, LambdaContext())
    assert out == {"key": key, "outcome": "done"}
    assert s3.head_object(Bucket=BUCKET, Key="results/bulk/a+b 100%.png.json")["ContentLength"] > 0


def test_template_state_machine_is_bounded_and_reports_failures():
    from tests.infra.test_template import RES

    sm = RES["BulkOcrStateMachine"]["Properties"]
    state = sm["Definition"]["States"]["OcrEachObject"]
    assert state["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert state["MaxConcurrencyPath"] == "$.concurrency" and state["ToleratedFailurePercentage"] == 100
    assert state["ResultWriter"]["Parameters"]["Prefix"] == "${ResultPrefix}"
    for st in sm["Policies"][1]["Statement"]:
        assert st["Resource"] != "*"
