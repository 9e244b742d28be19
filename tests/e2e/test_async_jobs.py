"""Asynchronous jobs end to end: the local API, presigned upload to a local S3 endpoint (moto), the S3
trigger on the event S3 sends, and the job's status and result through the API."""

from __future__ import annotations

import io

import httpx
import pytest
from ocr_local.invoke import LambdaContext
from ocr_local.servers import uvicorn_app
from PIL import Image

from tests.conftest import ZH_FONT, render_lines


@pytest.fixture(scope="module")
def flow():
    from ocr_local.s3local import local_s3

    with local_s3() as env:
        server_env = {
            "OCR_BUCKET": env.bucket,
            "OCR_INPUT_PREFIX": "uploads/",
            "OCR_OUTPUT_PREFIX": "results/",
        }
        with uvicorn_app(server_env) as api:  # the API process inherits the local endpoint and credentials
            yield env, api.url


def _pdf(pages: int) -> bytes:
    imgs = [
        Image.fromarray(render_lines([f"第{i + 1}页 page {i + 1}"], ZH_FONT, size=40)) for i in range(pages)
    ]
    buf = io.BytesIO()
    imgs[0].save(buf, format="PDF", save_all=True, append_images=imgs[1:], resolution=144)
    return buf.getvalue()


def test_multi_page_pdf_job(flow):
    env, api = flow
    env.deliver()
    created = httpx.post(f"{api}/jobs", json={"filename": "report 2024.pdf"})
    assert created.status_code == 201
    job = created.json()
    assert httpx.get(f"{api}{job['status_url']}").json()["status"] == "queued"
    put = httpx.put(job["upload_url"], content=_pdf(3))
    assert put.status_code == 200
    (event,) = env.deliver()
    assert httpx.get(f"{api}{job['status_url']}").json()["status"] == "running"
    env.handler.handler(event, LambdaContext())
    status = httpx.get(f"{api}{job['status_url']}").json()
    assert status["status"] == "done"
    result = status["result"]
    assert result["page_count"] == 3 and len(result["pages"]) == 3
    assert [p["page"] for p in result["pages"]] == [1, 2, 3]
    assert "page 3" in result["pages"][2]["lines"][0]["text"]


def test_failed_job_and_unknown_job(flow):
    env, api = flow
    env.deliver()
    job = httpx.post(f"{api}/jobs", json={"filename": "../../etc/notes.txt"}).json()
    assert (
        "/jobs/" in job["upload_url"] and "etc" not in job["upload_url"].split("?")[0].split("/jobs/")[1][33:]
    )
    httpx.put(job["upload_url"], content=b"plain text, not an image")
    (event,) = env.deliver()
    env.handler.handler(event, LambdaContext())
    status = httpx.get(f"{api}{job['status_url']}").json()
    assert status["status"] == "failed" and status["error"]["code"] == "unsupported_format"
    missing = httpx.get(f"{api}/jobs/{'0' * 32}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "job_not_found"
    assert httpx.get(f"{api}/jobs/not-an-id").status_code == 404
