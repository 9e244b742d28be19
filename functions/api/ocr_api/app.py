"""FastAPI app factory. Routes only translate HTTP to one engine call and back.

POST /ocr takes a multipart upload (field ``image``, as ``curl -F "image=@test.jpg"``) or a raw
image / PDF body; errors are ``{"success": false, "error": {"code", "message"}}`` with 4xx codes.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from ocr_core.engine import OcrEngine
from ocr_core.errors import OcrError
from ocr_core.types import OcrResult
from starlette.exceptions import HTTPException as StarletteHTTPException

from ocr_api.schemas import ErrorResponse, Health, JobCreated, JobRequest, JobStatus, LineOut, OcrResponse
from ocr_api.settings import ApiSettings

STATIC = Path(__file__).parent / "static"
Observer = Callable[[OcrResult | None, str | None], None]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"success": False, "error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


class Gate:
    """At most ``workers`` OCR calls at once and ``queue`` waiting; the rest get 503 + Retry-After."""

    def __init__(self, workers: int, queue: int) -> None:
        self.workers, self.queue = workers, queue
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
        self.running = self.waiting = 0
        self._sem: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.workers)
        if self.running >= self.workers and self.waiting >= self.queue:
            raise ApiError(503, "busy", "the server is at capacity; retry shortly", {"Retry-After": "2"})
        self.waiting += 1
        try:
            await self._sem.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._sem.release()


async def _read_upload(request: Request, settings: ApiSettings) -> bytes:
    """The uploaded bytes from a multipart field ``image`` or a raw body, within the size limit."""
    too_large = ApiError(
        413,
        "payload_too_large",
        f"uploads are limited to {settings.max_upload_bytes:,} bytes here; "
        f"put larger files in {settings.bucket_hint} and read the result from the results/ prefix",
    )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes + 64 * 1024:
        raise too_large
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=4, max_part_size=settings.max_upload_bytes + 1)
        upload = form.get("image")
        if upload is None or isinstance(upload, str):
            raise ApiError(400, "missing_image", 'send the file in a multipart field named "image"')
        data = await upload.read()
    elif ctype.startswith("image/") or ctype in ("application/pdf", "application/octet-stream"):
        chunks, size = [], 0
        async for chunk in request.stream():  # bounded even without a Content-Length
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise too_large
            chunks.append(chunk)
        data = b"".join(chunks)
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send multipart/form-data with an 'image' field, or a raw body with an image/* or "
            "application/pdf content type",
        )
    if len(data) > settings.max_upload_bytes:
        raise too_large
    if not data:
        raise ApiError(400, "empty_upload", "the uploaded file is empty")
    return data


def create_app(
    engine: OcrEngine | None = None, settings: ApiSettings | None = None, observer: Observer | None = None
) -> FastAPI:
    """Build the app; the engine (ONNX session) is created once here, not per request."""
    engine = engine or OcrEngine()
    settings = settings or ApiSettings.from_env()
    gate = Gate(settings.max_concurrency, settings.max_queue)
    app = FastAPI(
        title="lite-ocr",
        version="0.1.0",
        description="Chinese + English OCR with a compressed CRNN on CPUs.",
    )

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        if observer:
            observer(None, exc.code)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(OcrError)
    async def _ocr_error(_: Request, exc: OcrError) -> JSONResponse:
        if observer:
            observer(None, exc.code)
        return error_response(exc.http_status if exc.http_status < 500 else 422, exc.code, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # malformed multipart bodies, unknown routes and methods: the same JSON error shape
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        return error_response(
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            str(exc.detail),
            dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", "; ".join(str(e.get("msg")) for e in exc.errors()))

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/health", response_model=Health)
    def health() -> Health:
        info = engine.recognizer.info
        return Health(
            status="ok",
            model=info.name,
            model_version=info.version,
            model_bytes=info.size_bytes,
            detector=engine.detector_name,
            decoder=engine.decoder_name,
        )

    @app.post(
        "/ocr",
        response_model=OcrResponse,
        responses={
            400: {"model": ErrorResponse},
            413: {"model": ErrorResponse},
            415: {"model": ErrorResponse},
            422: {"model": ErrorResponse},
            503: {"model": ErrorResponse},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["image"],
                            "properties": {"image": {"type": "string", "format": "binary"}},
                        }
                    },
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
    )
    async def ocr(
        request: Request,
        single_line: bool = Query(False, description="treat the image as one text line (no detection)"),
        page: int = Query(1, ge=1, le=10_000, description="PDF page to read (1-based)"),
    ) -> OcrResponse:
        data = await _read_upload(request, settings)  # before the gate: a slow upload holds no OCR slot
        async with gate.slot():
            t0 = time.perf_counter()
            # CPU-bound: off the event loop, on the gate's own few threads (not anyio's 40: every
            # extra thread is another malloc arena, and RSS grows with them)
            call = functools.partial(engine.read, data, single_line=single_line, pdf_page=page - 1)
            result = await asyncio.get_running_loop().run_in_executor(gate.executor, call)
        if observer:
            observer(result, None)
        return OcrResponse(
            text=[line.text for line in result.lines],
            lines=[LineOut(**line.to_dict()) for line in result.lines],
            time_cost=round(time.perf_counter() - t0, 4),
            model=result.model,
            model_version=result.model_version,
            width=result.width,
            height=result.height,
            timings={k: round(v, 5) for k, v in result.timings.items()},
        )

    def job_store() -> Any:
        """The JobStore, built on first use (boto3 is not needed for /ocr)."""
        if not settings.bucket:
            raise ApiError(503, "jobs_unavailable", "asynchronous jobs need an S3 bucket (OCR_BUCKET)")
        return _job_store()

    @functools.cache
    def _job_store() -> Any:
        import boto3

        from ocr_api.jobs import JobStore

        return JobStore(boto3.client("s3"), settings.bucket, settings.input_prefix, settings.output_prefix)

    @app.post(
        "/jobs",
        status_code=201,
        response_model=JobCreated,
        responses={400: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    )
    def create_job(body: JobRequest) -> JobCreated:
        """Start an asynchronous job: PUT the file to ``upload_url``, then poll ``status_url``."""
        return JobCreated(**job_store().create(body.filename))

    @app.get(
        "/jobs/{job_id}",
        response_model=JobStatus,
        responses={404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    )
    def job_status(job_id: str) -> JobStatus:
        from ocr_api.jobs import JobNotFound

        try:
            return JobStatus(**job_store().status(job_id))
        except JobNotFound as exc:
            raise ApiError(404, "job_not_found", f"no job {job_id}") from exc

    return app
