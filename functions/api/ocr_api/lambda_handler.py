"""Lambda entry point: the FastAPI app through Mangum, with powertools logs and EMF metrics.

Everything expensive (ONNX session, app) is built at import, once per execution
environment. Tracing is not imported at all: X-Ray costs cold-start time.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from mangum import Mangum
from ocr_core.types import OcrResult

from ocr_api.app import create_app

logger = Logger(service="ocr-api")
metrics = Metrics(namespace="LiteOcr", service="ocr-api")


def _observe(result: OcrResult | None, error_code: str | None) -> None:
    """Per-request metrics and one structured log line (never image bytes or full text)."""
    if result is None:
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        logger.info("ocr refused", extra={"error_code": error_code})
        return
    metrics.add_metric(name="Images", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Lines", unit=MetricUnit.Count, value=len(result.lines))
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=1000 * result.timings["total"])
    logger.info(
        "ocr done",
        extra={
            "lines": len(result.lines),
            "width": result.width,
            "height": result.height,
            "seconds": round(result.timings["total"], 4),
        },
    )


app = create_app(observer=_observe)
_mangum = Mangum(app, lifespan="off")


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _mangum(event, context)
