"""Shared fixtures: images rendered by the tests with fonts held out of training."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
FONTS = Path("/usr/share/fonts/truetype")
# Held out of training (model/ocr_train/fonts.py role "val"): the model never saw them.
ZH_FONT = FONTS / "wqy" / "wqy-zenhei.ttc"
EN_FONT = FONTS / "freefont" / "FreeSerif.ttf"
MODEL = REPO / "model" / "crnn_int8.onnx"
DET_MODEL = REPO / "model" / "textdet_int8.onnx"
LM = REPO / "model" / "charlm.npz"


def render_lines(
    lines: list[str],
    font: Path,
    size: int = 36,
    fg: int = 20,
    bg: int = 250,
    margin: int = 30,
    gap: float = 0.8,
) -> np.ndarray:
    """A gray page with one text line per entry, top to bottom."""
    f = ImageFont.truetype(str(font), size)
    width = int(max(f.getlength(t) for t in lines)) + 2 * margin
    line_h = int(size * (1 + gap))
    img = Image.new("L", (width, line_h * len(lines) + 2 * margin), bg)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((margin, margin + i * line_h), text, font=f, fill=fg)
    return np.asarray(img)


def encode(image: np.ndarray, ext: str = ".png") -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok
    return buf.tobytes()


@pytest.fixture(scope="session")
def engine():
    from ocr_core.config import EngineConfig
    from ocr_core.engine import OcrEngine

    return OcrEngine(EngineConfig(model_path=MODEL))


@pytest.fixture(scope="session")
def shared_real() -> Path:
    if not (SHARED_REAL / "lines" / "labels.tsv").exists():
        pytest.skip("shared/data/real is not beside this checkout")
    return SHARED_REAL
