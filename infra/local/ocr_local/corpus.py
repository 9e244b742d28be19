"""A bad-input corpus, generated (never stored): what an OCR endpoint on the internet receives.

Each case names the bytes, a filename a client might claim, and the answer the service must give:
an error code (a 4xx JSON from the API, an ``.error.json`` from the S3 trigger) or ``ok`` (a valid
input: 200, possibly with no lines).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    data: bytes
    expect: str  # "ok" or the core's error code (the S3 trigger's error record)
    status: int  # the API's HTTP status
    api_code: str = ""  # the API's error code where it answers before the core (default: expect)

    @property
    def api_expect(self) -> str:
        return self.api_code or self.expect


def _png(img: np.ndarray) -> bytes:
    return cv2.imencode(".png", img)[1].tobytes()


def _jpg(img: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", img)[1].tobytes()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes that claim width x height pixels (deflate of zero rows)."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    idat = b"IDAT" + raw
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
        + struct.pack(">I", len(raw)) + idat + struct.pack(">I", zlib.crc32(idat))
        + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    )  # fmt: skip


def bmp_bomb() -> bytes:
    header = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 60_000, 60_000, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return header + info


def tiff_bomb() -> bytes:
    """A tiny TIFF whose header claims 60,000 x 60,000 pixels."""
    tif = bytearray(cv2.imencode(".tiff", np.zeros((10, 10), np.uint8))[1].tobytes())
    ifd = struct.unpack("<I", tif[4:8])[0]
    for i in range(struct.unpack("<H", tif[ifd : ifd + 2])[0]):
        entry = ifd + 2 + 12 * i
        tag, kind = struct.unpack("<HH", tif[entry : entry + 4])
        if tag in (256, 257):  # ImageWidth, ImageLength
            value = struct.pack("<H", 60_000) if kind == 3 else struct.pack("<I", 60_000)
            tif[entry + 8 : entry + 8 + len(value)] = value
    return bytes(tif)


def _pdf(pages: int, encrypt: bool = False, text_image: np.ndarray | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    if text_image is not None:
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(text_image).save(buf, format="PDF", resolution=144)
        writer.append(io.BytesIO(buf.getvalue()))
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if encrypt:
        # a throwaway password: the test only needs a PDF that cannot be opened without one
        writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")  # noqa: S106
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _cmyk_jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("CMYK", (64, 32), (0, 0, 0, 0)).save(buf, format="JPEG")
    return buf.getvalue()


def cases(text_page: np.ndarray) -> list[Case]:
    """The corpus; ``text_page`` is a gray image with some text (for the valid cases)."""
    rng = random.Random(7)
    good_png = _png(text_page)
    good_jpg = _jpg(text_page)
    white = np.full((120, 160), 255, np.uint8)
    return [
        Case("empty file", "empty.png", b"", "unreadable_image", 400, api_code="empty_upload"),
        Case("one byte", "one.png", b"\x89", "unsupported_format", 415),
        Case("truncated JPEG", "cut.jpg", good_jpg[: len(good_jpg) // 3], "unreadable_image", 422),
        Case("truncated PNG", "cut.png", good_png[: len(good_png) // 3], "unreadable_image", 422),
        Case("PNG named .jpg", "really_png.jpg", good_png, "ok", 200),
        Case("text named .png", "notes.png", b"Meeting notes: buy milk.\n" * 20, "unsupported_format", 415),
        Case("50,000 x 50,000 PNG bomb", "bomb.png", png_bomb(), "image_too_large", 413),
        Case("60,000 x 60,000 BMP header", "bomb.bmp", bmp_bomb(), "image_too_large", 413),
        Case("60,000 x 60,000 TIFF header", "bomb.tiff", tiff_bomb(), "image_too_large", 413),
        Case("1x1 image", "dot.png", _png(np.zeros((1, 1), np.uint8)), "ok", 200),
        Case("20000x10 image", "strip.png", _png(np.full((10, 20_000), 255, np.uint8)), "ok", 200),
        Case("no text (blank)", "blank.png", _png(white), "ok", 200),
        Case("CMYK JPEG", "cmyk.jpg", _cmyk_jpeg(), "ok", 200),
        Case("16-bit PNG", "deep.png", _png(text_page.astype(np.uint16) * 257), "ok", 200),
        Case("RGBA PNG", "alpha.png", _png(cv2.cvtColor(text_page, cv2.COLOR_GRAY2BGRA)), "ok", 200),
        Case("TIFF", "scan.tiff", cv2.imencode(".tiff", text_page)[1].tobytes(), "ok", 200),
        Case("WebP", "photo.webp", cv2.imencode(".webp", text_page)[1].tobytes(), "ok", 200),
        Case("BMP", "old.bmp", cv2.imencode(".bmp", text_page)[1].tobytes(), "ok", 200),
        Case("PDF with text", "doc.pdf", _pdf(0, text_image=text_page), "ok", 200),
        Case("encrypted PDF", "locked.pdf", _pdf(1, encrypt=True), "encrypted_pdf", 422),
        Case("zero-page PDF", "nopages.pdf", _pdf(0), "unreadable_image", 422),
        Case("500-page PDF", "huge.pdf", _pdf(500), "image_too_large", 413),
        Case(
            "malformed PDF",
            "bad.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF",
            "unreadable_image",
            422,
        ),
        Case(
            "random bytes",
            "noise.bin",
            bytes(rng.getrandbits(8) for _ in range(4096)),
            "unsupported_format",
            415,
        ),
        Case("GIF", "anim.gif", b"GIF89a" + b"\x00" * 64, "unsupported_format", 415),
    ]
