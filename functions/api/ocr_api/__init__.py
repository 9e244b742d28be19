"""HTTP edge: a FastAPI app (POST /ocr, web page, health, OpenAPI) over the one OCR engine."""
