"""The CRNN in onnxruntime: one session per process, batches sorted by width."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ocr_core.beam import BeamSettings, beam_decode
from ocr_core.charset import Charset
from ocr_core.ctc import Decoded, greedy_decode
from ocr_core.errors import ModelError
from ocr_core.lm import CharLM
from ocr_core.tensorize import InputSpec, resize_line, to_batch


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str  # first 12 hex digits of the file's SHA-256: names the exact weights
    path: Path
    size_bytes: int
    metadata: dict[str, str]


def make_session(path: Path, threads: int) -> ort.InferenceSession:
    """CPU session with the memory arena off (bounded RSS across requests) and explicit threads."""
    opts = ort.SessionOptions()
    opts.enable_cpu_mem_arena = False
    opts.enable_mem_pattern = False
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


class Recognizer:
    """Reads text lines; the model file supplies its own charset and input spec.

    With ``lm_path`` the logits go through the beam decoder and its character LM
    (``ocr_core.beam``), whose file carries the settings tuned for it; without, greedy CTC.
    ``lm_required=False`` skips an LM built for another charset (a test or study model).
    """

    def __init__(
        self,
        model_path: Path,
        threads: int = 1,
        max_batch: int = 4,
        max_batch_pixels: int = 4 << 20,
        expected_sha256: str = "",
        lm_path: Path | None = None,
        lm_required: bool = True,
    ):
        if not Path(model_path).exists():
            raise ModelError(f"model file not found: {model_path}")
        sha256 = hashlib.sha256(Path(model_path).read_bytes()).hexdigest()
        if expected_sha256 and sha256 != expected_sha256.lower():
            raise ModelError(f"{model_path} has SHA-256 {sha256}, not the expected {expected_sha256}")
        self.session = make_session(Path(model_path), threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        if "charset" not in meta or "input_height" not in meta:
            raise ModelError(f"{model_path} has no charset/input metadata")
        self.charset = Charset.from_json(meta["charset"])
        self.spec = InputSpec.from_metadata(meta)
        digest = sha256[:12]
        self.info = ModelInfo(
            meta.get("model_name", Path(model_path).stem),
            digest,
            Path(model_path),
            Path(model_path).stat().st_size,
            dict(meta),
        )
        self.input_name = self.session.get_inputs()[0].name
        self.output_name = self.session.get_outputs()[0].name
        classes = self.session.get_outputs()[0].shape[-1]
        if isinstance(classes, int) and classes != self.charset.num_classes:
            raise ModelError(
                f"{model_path} scores {classes} classes; its charset has {self.charset.num_classes}"
            )
        self.max_batch = max_batch
        self.max_batch_pixels = max_batch_pixels
        self.lm: CharLM | None = None
        if lm_path is not None and (lm_required or CharLM.fits(lm_path, self.charset)):
            self.lm = CharLM(lm_path, self.charset)
        self.beam = BeamSettings.from_lm(self.lm) if self.lm is not None else None

    def _batches(self, widths: list[int]) -> list[list[int]]:
        """Indices grouped by similar width, capped by count and by padded pixels."""
        order = sorted(range(len(widths)), key=lambda i: widths[i])
        batches: list[list[int]] = []
        cur: list[int] = []
        for i in order:
            padded = widths[i] * self.spec.height * (len(cur) + 1)
            if cur and (len(cur) >= self.max_batch or padded > self.max_batch_pixels):
                batches.append(cur)
                cur = []
            cur.append(i)
        if cur:
            batches.append(cur)
        return batches

    def recognize(self, crops: list[np.ndarray]) -> list[Decoded]:
        """Gray dark-on-light line crops -> decoded text and confidence, in input order."""
        if not crops:
            return []  # onnxruntime aborts the process on an empty LSTM batch
        out: list[Decoded | None] = [None] * len(crops)
        for idx, logits, frames in self.read_logits(crops):
            for i, d in zip(idx, self.decode(logits, frames), strict=True):
                out[i] = d
        return [d for d in out if d is not None]

    def read_logits(self, crops: list[np.ndarray]) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """(indices into crops, (N, T, C) logits, (N,) valid frames) per batch; nothing for no crops."""
        if not crops:
            return
        widths = [resize_line(c, self.spec).shape[1] for c in crops]
        for idx in self._batches(widths):
            x, frames = to_batch([crops[i] for i in idx], self.spec)
            yield idx, self._logits(x), frames

    def decode(self, logits: np.ndarray, frames: np.ndarray) -> list[Decoded]:
        """Beam search with the LM when one is loaded (its settings read once, at load), else greedy CTC."""
        if self.lm is None or self.beam is None:
            return greedy_decode(logits, frames, self.charset)
        return beam_decode(logits, frames, self.charset, self.lm, self.beam)

    def _logits(self, x: np.ndarray) -> np.ndarray:
        """(N, T, C) logits written by onnxruntime straight into our array (T = W / stride).

        ``session.run`` would hand back a copy of its own output buffer: on a page of long lines
        that second logits-sized buffer was the largest transient of the whole read."""
        logits = np.empty((x.shape[0], x.shape[3] // self.spec.stride, self.charset.num_classes), np.float32)
        binding = self.session.io_binding()
        binding.bind_cpu_input(self.input_name, x)
        binding.bind_output(self.output_name, "cpu", 0, np.float32, logits.shape, logits.ctypes.data)
        self.session.run_with_iobinding(binding)
        return logits
