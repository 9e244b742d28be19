"""Bytes -> image. The format is sniffed from the content (never the name or content type),
and the pixel budget is checked from the header before anything is decoded."""

from __future__ import annotations

import struct

import cv2
import numpy as np

from ocr_core.errors import (
    EncryptedDocument,
    ImageTooLarge,
    PageOutOfRange,
    UnreadableImage,
    UnsupportedFormat,
)

MAX_DPI = 400
PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


def sniff(data: bytes) -> str:
    """Name of the format of ``data``; raises UnsupportedFormat for anything else."""
    if not data:
        raise UnreadableImage("the input is empty")
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for magic, name in SIGNATURES:
        if head.startswith(magic):
            return name
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    raise UnsupportedFormat("unsupported file type: send a JPG, PNG, PDF, BMP, TIFF or WebP file")


def header_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) from the PNG, JPEG, BMP or WebP header, without decoding pixels."""
    if fmt == "png" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if fmt == "bmp" and len(data) >= 26:
        w, h = struct.unpack("<ii", data[18:26])
        return abs(int(w)), abs(int(h))
    if fmt == "webp" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            w = 1 + int.from_bytes(data[24:27], "little")
            h = 1 + int.from_bytes(data[27:30], "little")
            return w, h
        if chunk == b"VP8 ":
            w, h = struct.unpack("<HH", data[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if chunk == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if fmt == "jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + length
    return None


def decode_image(data: bytes, fmt: str, max_pixels: int) -> np.ndarray:
    """Decode a raster image; JPEG honours EXIF orientation, PNG keeps alpha and 16 bits."""
    size = header_size(data, fmt)
    if size and size[0] * size[1] > max_pixels:
        raise ImageTooLarge(f"image is {size[0]}x{size[1]} pixels; the limit is {max_pixels:,} pixels")
    if fmt == "jpeg" and data.rfind(b"\xff\xd9") == -1:
        # libjpeg "decodes" a cut-off file as a grey-filled image: refuse it instead of reading half a page
        raise UnreadableImage("the JPEG data is truncated (no end-of-image marker)")
    buf = np.frombuffer(data, dtype=np.uint8)
    flags = cv2.IMREAD_COLOR if fmt == "jpeg" else cv2.IMREAD_UNCHANGED
    try:
        image = cv2.imdecode(buf, flags)
    except cv2.error as exc:  # OpenCV's own guards (pixel budget of formats we do not parse, e.g. TIFF)
        if "MAX_IMAGE_PIXELS" in str(exc):
            raise ImageTooLarge(f"the {fmt.upper()} image is larger than {max_pixels:,} pixels") from exc
        raise UnreadableImage(f"the {fmt.upper()} data cannot be decoded") from exc
    if image is None or image.size == 0:
        raise UnreadableImage(f"the {fmt.upper()} data is truncated or corrupt")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise ImageTooLarge(f"image is {image.shape[1]}x{image.shape[0]} pixels; the limit is {max_pixels:,}")
    return image


def _open_pdf(data: bytes, max_pages: int):  # type: ignore[no-untyped-def]
    """Open a PDF with pdfium, refusing encrypted, empty and over-long documents; caller closes it."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # pdfium's last-error code is process-global and can be stale: the trailer must say /Encrypt too
        if getattr(exc, "err_code", None) == PDFIUM_PASSWORD_ERROR and b"/Encrypt" in data:
            raise EncryptedDocument("the PDF is password-protected; send an unencrypted copy") from exc
        raise UnreadableImage(f"the PDF cannot be opened: {exc}") from exc
    n = len(pdf)
    if n == 0 or n > max_pages:
        pdf.close()
        if n == 0:
            raise UnreadableImage("the PDF has no pages")
        raise ImageTooLarge(f"the PDF has {n} pages; the limit is {max_pages} (split it, or use S3)")
    return pdf


def pdf_page_count(data: bytes, max_pages: int = 100) -> int:
    """Pages of a PDF (refusing encrypted, empty and over-long ones as render_pdf_page does)."""
    pdf = _open_pdf(data, max_pages)
    try:
        return len(pdf)
    finally:
        pdf.close()


def render_pdf_page(data: bytes, page: int, dpi: int, max_pixels: int, max_pages: int = 100) -> np.ndarray:
    """Render one PDF page to BGR with pdfium (the PDF's own text layer is never used)."""
    pdf = _open_pdf(data, max_pages)
    try:
        if not 0 <= page < len(pdf):
            raise PageOutOfRange(f"page {page + 1} requested but the PDF has {len(pdf)} pages")
        pg = pdf[page]
        w_pt, h_pt = pg.get_size()
        scale = min(dpi, MAX_DPI) / 72.0
        if w_pt * h_pt * scale * scale > max_pixels:
            scale = (max_pixels / max(1.0, w_pt * h_pt)) ** 0.5
        bitmap = pg.render(scale=scale)
        rgb = bitmap.to_numpy().copy()
    finally:
        pdf.close()
    if rgb.ndim == 3 and rgb.shape[2] == 4:
        return cv2.cvtColor(rgb, cv2.COLOR_BGRA2BGR)  # pdfium renders BGRA by default
    return rgb


def load_image(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    pdf_page: int = 0,
    pdf_dpi: int = 200,
    max_pdf_pages: int = 100,
) -> np.ndarray:
    """Bytes of a JPG/PNG/BMP/TIFF/WebP image or a PDF page -> an image array (BGR, BGRA or gray)."""
    if len(data) > max_bytes:
        raise ImageTooLarge(f"input is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    fmt = sniff(data)
    if fmt == "pdf":
        return render_pdf_page(data, pdf_page, pdf_dpi, max_pixels, max_pdf_pages)
    return decode_image(data, fmt, max_pixels)
