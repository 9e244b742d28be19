"""ocr_core: the one inference core (numpy + OpenCV + onnxruntime only).

Every edge of the product (CLI, API, S3 trigger, benchmarks, evaluation) calls
:class:`ocr_core.engine.OcrEngine` (imported from its module so that
training can import the charset without loading onnxruntime); training imports the charset, CTC decoding and
tensorization from here so there is exactly one definition of each.
"""

import os

# OpenCV's own decoder guard for formats whose header the core does not parse (TIFF); OpenCV reads
# it at the first decode, so it is set when the package loads.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", os.environ.get("OCR_MAX_PIXELS", str(40_000_000)))

from ocr_core.errors import (
    EncryptedDocument,
    ImageTooLarge,
    ModelError,
    OcrError,
    UnreadableImage,
    UnsupportedFormat,
)
from ocr_core.types import Box, Line, OcrResult

__all__ = [
    "Box",
    "EncryptedDocument",
    "ImageTooLarge",
    "Line",
    "ModelError",
    "OcrError",
    "OcrResult",
    "UnreadableImage",
    "UnsupportedFormat",
]
