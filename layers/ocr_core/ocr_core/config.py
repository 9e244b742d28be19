"""One typed engine configuration, built once (from the environment on Lambda), never mutated."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _model_file(name: str, env_var: str) -> Path:
    """$env_var, else the Lambda model layer (/opt/model), else the repository's model/."""
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    for candidate in (Path("/opt/model") / name, _PACKAGE_DIR.parents[2] / "model" / name):
        if candidate.exists():
            return candidate
    return _PACKAGE_DIR.parents[2] / "model" / name


def default_model_path() -> Path:
    """The recognizer: OCR_MODEL_PATH, else /opt/model, else the repository's model/."""
    return _model_file("crnn_int8.onnx", "OCR_MODEL_PATH")


def default_det_model_path() -> Path:
    """The learned text detector: OCR_DET_MODEL_PATH, else /opt/model, else model/."""
    return _model_file("textdet_int8.onnx", "OCR_DET_MODEL_PATH")


def default_lm_path() -> Path:
    """The beam decoder's character LM: OCR_LM_PATH, else /opt/model, else model/."""
    return _model_file("charlm.npz", "OCR_LM_PATH")


@dataclass(frozen=True)
class EngineConfig:
    """Everything the engine needs to know; each field is switchable for evaluation."""

    model_path: Path = field(default_factory=default_model_path)
    model_sha256: str = ""  # when set, the model file must hash to it (checked once, at load)
    threads: int = 1
    max_batch: int = 4  # small batches: (N, T, 7912) logits stay in cache; measured in the model card
    max_batch_pixels: int = 32 * 512  # padded pixels per recognizer batch: its logits stay <= 4 MB
    trim_pixels: int = 2_000_000  # pages at least this large first hand freed heap back (memory.py)
    clahe: bool = False  # line-level CLAHE (measured: see model card)
    binarize: bool = False  # line-level adaptive binarization (measured: see model card)
    deskew: bool = True  # page-level deskew before detection
    smooth_bilevel: bool = True  # soften a 1-bit page's jaggies before reading (model card)
    detector: str = "auto"  # "db" (learned, ONNX), "classical" (morphology), "auto": db if its model exists
    det_model_path: Path = field(default_factory=default_det_model_path)
    det_merge_gap: float = 0.5  # learned detector: join line pieces closer than this (line heights)
    isolate: bool = True  # learned detector: erase neighbouring lines' ink cut into each crop
    end_reach: float = 0.75  # learned detector: look this many line heights past each end for ink
    # the quad missed (0: off; ``textdet.missed_ends``; chosen on synthetic pages, model card)
    end_gap: float = 0.3  # ... and take ink that starts within this many line heights of the last
    drop_icons: bool = True  # learned detector: leave out an icon that leads a line (``icons.icon_cut``;
    # chosen on synthetic cards, model card) and split a row at the badges inside it
    # (``icons.badge_stretches``)
    trim: bool = True  # single-line mode: crop blank borders around the ink
    # "beam" (CTC beam + character LM), "greedy", "auto" (beam if the LM file fits); default OCR_DECODER
    decoder: str = field(default_factory=lambda: os.environ.get("OCR_DECODER", "auto"))
    lm_path: Path = field(default_factory=default_lm_path)
    min_confidence: float = 0.3
    retry_below: float = 0.0  # learned detector: lines read with less confidence are read again from
    # taller and shorter crops and the surest reading kept (0: never; ``retry.py``). Opt-in: 0.95 gains
    # 3.6 points of line recall on synthetic pages but about doubled the page p50 (model card)
    retry_heights: tuple[float, ...] = (1.2, 0.85, 1.4)  # those crops' heights, in the first crop's
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    pdf_dpi: int = 200
    pdf_page: int = 0
    max_pdf_pages: int = 100

    @property
    def lm_request(self) -> tuple[Path | None, bool]:
        """(LM file to load, whether it must fit the recognizer): ``beam`` demands the file; ``auto``
        takes it when it exists and was built for the recognizer's charset; ``greedy`` none."""
        if self.decoder == "beam":
            return self.lm_path, True
        if self.decoder == "auto" and self.lm_path.exists():
            return self.lm_path, False
        return None, False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> EngineConfig:
        """Read OCR_* variables (template Parameters -> Globals environment -> here)."""
        e = os.environ if env is None else env

        def flag(name: str, default: bool) -> bool:
            return e.get(name, str(default)).lower() in ("1", "true", "yes", "on")

        base = cls()
        return cls(
            model_path=Path(e["OCR_MODEL_PATH"]) if "OCR_MODEL_PATH" in e else base.model_path,
            model_sha256=e.get("OCR_MODEL_SHA256", ""),
            threads=int(e.get("OCR_THREADS", base.threads)),
            max_batch=int(e.get("OCR_MAX_BATCH", base.max_batch)),
            clahe=flag("OCR_CLAHE", base.clahe),
            binarize=flag("OCR_BINARIZE", base.binarize),
            deskew=flag("OCR_DESKEW", base.deskew),
            smooth_bilevel=flag("OCR_SMOOTH_BILEVEL", base.smooth_bilevel),
            isolate=flag("OCR_ISOLATE", base.isolate),
            drop_icons=flag("OCR_DROP_ICONS", base.drop_icons),
            detector=e.get("OCR_DETECTOR", base.detector),
            det_model_path=Path(e["OCR_DET_MODEL_PATH"])
            if "OCR_DET_MODEL_PATH" in e
            else base.det_model_path,
            trim=flag("OCR_TRIM", base.trim),
            decoder=e.get("OCR_DECODER", base.decoder),
            lm_path=Path(e["OCR_LM_PATH"]) if "OCR_LM_PATH" in e else base.lm_path,
            min_confidence=float(e.get("OCR_MIN_CONFIDENCE", base.min_confidence)),
            retry_below=float(e.get("OCR_RETRY_BELOW", base.retry_below)),
            max_bytes=int(e.get("OCR_MAX_BYTES", base.max_bytes)),
            max_pixels=int(e.get("OCR_MAX_PIXELS", base.max_pixels)),
            trim_pixels=int(e.get("OCR_TRIM_PIXELS", base.trim_pixels)),
            pdf_dpi=int(e.get("OCR_PDF_DPI", base.pdf_dpi)),
            max_pdf_pages=int(e.get("OCR_MAX_PDF_PAGES", base.max_pdf_pages)),
        )
