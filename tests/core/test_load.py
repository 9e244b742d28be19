import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from ocr_core.errors import ImageTooLarge, UnreadableImage, UnsupportedFormat
from ocr_core.load import header_size, load_image, sniff
from PIL import Image

from tests.conftest import encode

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 20_000_000}


def _pdf(pages: int) -> bytes:
    imgs = [Image.new("RGB", (300, 200), (255, 255, 255)) for _ in range(pages)]
    buf = io.BytesIO()
    imgs[0].save(buf, format="PDF", save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def test_sniffs_from_content_not_name():
    img = np.full((10, 20, 3), 255, np.uint8)
    assert sniff(encode(img, ".png")) == "png"
    assert sniff(encode(img, ".jpg")) == "jpeg"
    assert sniff(encode(img, ".bmp")) == "bmp"
    assert sniff(_pdf(1)) == "pdf"
    with pytest.raises(UnsupportedFormat):
        sniff(b"hello, this is text named photo.png")
    with pytest.raises(UnreadableImage):
        sniff(b"")


def test_decodes_png_with_alpha_and_jpeg():
    rgba = np.zeros((8, 9, 4), np.uint8)
    assert load_image(encode(rgba, ".png"), **LIMITS).shape == (8, 9, 4)
    assert load_image(encode(np.zeros((8, 9, 3), np.uint8), ".jpg"), **LIMITS).shape == (8, 9, 3)


def test_truncated_png_is_unreadable():
    data = encode(np.random.default_rng(0).integers(0, 255, (50, 50, 3), dtype=np.uint8), ".png")
    with pytest.raises(UnreadableImage):
        load_image(data[: len(data) // 3], **LIMITS)


def test_pixel_bomb_refused_from_header():
    # a 50,000 x 50,000 PNG header; no pixel data is ever decoded
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    assert header_size(data, "png") == (50_000, 50_000)
    with pytest.raises(ImageTooLarge):
        load_image(data, **LIMITS)


def test_jpeg_header_size():
    data = encode(np.zeros((37, 53, 3), np.uint8), ".jpg")
    assert header_size(data, "jpeg") == (53, 37)


def test_byte_limit():
    with pytest.raises(ImageTooLarge):
        load_image(b"\x89PNG" + b"0" * 100, max_bytes=50, max_pixels=10)


def test_pdf_pages_render_and_bad_page_is_an_error():
    data = _pdf(3)
    page = load_image(data, pdf_page=2, pdf_dpi=72, **LIMITS)
    assert page.shape[:2] == (200, 300)
    with pytest.raises(UnreadableImage):
        load_image(data, pdf_page=5, **LIMITS)
    with pytest.raises(UnreadableImage):
        load_image(b"%PDF-1.4 garbage", **LIMITS)


def test_exif_orientation_is_applied_to_jpeg():
    img = Image.new("RGB", (40, 20), (255, 255, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    decoded = load_image(buf.getvalue(), **LIMITS)
    assert decoded.shape[:2] == (40, 20)
    assert cv2.__version__
