"""ocr_core: the one inference core (numpy + OpenCV + onnxruntime only).

Every edge of the product (CLI, API, S3 trigger, benchmarks, evaluation) calls
:class:`ocr_core.engine.OcrEngine` (imported from its module so that
training can import the charset without loading onnxruntime); training imports the charset, CTC decoding and
tensorization from here so there is exactly one definition of each.
"""

from ocr_core.errors import (
    ImageTooLarge,
    ModelError,
    OcrError,
    UnreadableImage,
    UnsupportedFormat,
)
from ocr_core.types import Box, Line, OcrResult

__all__ = [
    "Box",
    "ImageTooLarge",
    "Line",
    "ModelError",
    "OcrError",
    "OcrResult",
    "UnreadableImage",
    "UnsupportedFormat",
]
