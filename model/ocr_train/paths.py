"""Where training inputs and outputs live, relative to the repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODEL_DIR = REPO / "model"
CHARSET_FILE = MODEL_DIR / "charset.json"
CACHE = Path(os.environ.get("OCR_CACHE", REPO / ".cache"))
FONT_PACK = CACHE / "fonts"
CORPUS_FILE = CACHE / "corpus.json"
RUNS = MODEL_DIR / "runs"
