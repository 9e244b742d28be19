"""Specific errors raised by the core; each edge translates them once (API: 4xx)."""


class OcrError(Exception):
    """Base class: the input cannot be read; ``code`` is a stable machine-readable name."""

    code = "ocr_error"
    http_status = 400


class UnsupportedFormat(OcrError):
    """The bytes are not a format the core decodes (sniffed from content, not the name)."""

    code = "unsupported_format"
    http_status = 415


class UnreadableImage(OcrError):
    """The format is known but the content is empty, truncated or corrupt."""

    code = "unreadable_image"
    http_status = 422


class EncryptedDocument(UnreadableImage):
    """A password-protected PDF: nothing can be rendered without the password."""

    code = "encrypted_pdf"


class ImageTooLarge(OcrError):
    """The input exceeds a byte or pixel budget; refused before full decoding."""

    code = "image_too_large"
    http_status = 413


class ModelError(OcrError):
    """The model file is missing or does not describe itself (metadata absent)."""

    code = "model_error"
    http_status = 500


class PageOutOfRange(UnreadableImage):
    """A PDF page was asked for that the document does not have."""

    code = "page_out_of_range"
