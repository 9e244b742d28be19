"""Pydantic models of the HTTP contract (they generate the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class LineOut(BaseModel):
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    box: list[int] = Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] in input pixels")


class OcrResponse(BaseModel):
    success: bool = True
    text: list[str] = Field(description="recognized lines, in reading order")
    lines: list[LineOut]
    time_cost: float = Field(description="seconds spent on this request's OCR")
    model: str
    model_version: str = Field(description="SHA-256 prefix of the model file")
    width: int
    height: int
    timings: dict[str, float]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    success: bool = False
    error: ErrorDetail


class JobRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=512, description="the name of the file to upload")


class JobCreated(BaseModel):
    job_id: str
    status: str
    upload_url: str = Field(description="PUT the file's bytes here (presigned, expires)")
    upload_method: str
    expires_in: int
    status_url: str


class JobStatus(BaseModel):
    job_id: str
    filename: str
    status: str = Field(description="queued | running | done | failed")
    progress: dict[str, int] | None = None
    result: dict[str, Any] | None = None
    result_url: str | None = None
    error: dict[str, str] | None = None


class Health(BaseModel):
    status: str
    model: str
    model_version: str
    model_bytes: int
    detector: str = "classical"  # "db" (learned) or "classical" (morphology)
    decoder: str = "greedy"  # "beam+lm" (CTC beam search with the character LM) or "greedy"
