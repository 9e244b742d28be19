"""OcrEngine.read(): load -> preprocess -> detect -> recognize -> decode + cleanup.

The one call behind every edge (CLI, API, S3 trigger, benchmarks, evaluation).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ocr_core.cleanup import clean_text
from ocr_core.config import EngineConfig
from ocr_core.ctc import Decoded
from ocr_core.detect import crop, detect_lines
from ocr_core.errors import ImageTooLarge, ModelError, PageOutOfRange
from ocr_core.icons import icon_cut, read_spans
from ocr_core.load import load_image, pdf_page_count, sniff
from ocr_core.memory import release_free_heap
from ocr_core.orient import page_rotation, read_lines, rotate_page, unrotate_points
from ocr_core.preprocess import deskew, is_bilevel, prepare_line, smooth_bilevel, to_gray, trim_to_ink
from ocr_core.recognizer import Recognizer
from ocr_core.retry import reread_unsure
from ocr_core.textdet import (
    DetParams,
    TextDetector,
    clear_neighbours,
    crop_quad,
    missed_ends,
    quad_box,
    stretch_quad,
    thin_quad,
)
from ocr_core.types import Box, Line, OcrResult


class OcrEngine:
    """Build once per process (the ONNX session is the expensive part), call many times."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig.from_env()
        cfg = self.config
        if cfg.decoder not in ("beam", "greedy", "auto"):
            raise ModelError(f"unknown decoder {cfg.decoder!r}: 'beam', 'greedy' or 'auto'")
        lm_path, lm_required = cfg.lm_request
        self.recognizer = Recognizer(
            cfg.model_path,
            cfg.threads,
            cfg.max_batch,
            cfg.max_batch_pixels,
            expected_sha256=cfg.model_sha256,
            lm_path=lm_path,
            lm_required=lm_required,
        )
        if cfg.detector not in ("db", "classical", "auto"):
            raise ModelError(f"unknown detector {cfg.detector!r}: 'db', 'classical' or 'auto'")
        use_db = cfg.detector == "db" or (cfg.detector == "auto" and cfg.det_model_path.exists())
        params = DetParams(merge_gap=cfg.det_merge_gap)
        self.detector = TextDetector(cfg.det_model_path, cfg.threads, params) if use_db else None

    @property
    def detector_name(self) -> str:
        return "db" if self.detector is not None else "classical"

    @property
    def decoder_name(self) -> str:
        return "greedy" if self.recognizer.lm is None else "beam+lm"

    @property
    def model_name(self) -> str:
        return self.recognizer.info.name

    def read(self, data: bytes, *, single_line: bool = False, pdf_page: int | None = None) -> OcrResult:
        """Read an encoded image or PDF page (format sniffed from the bytes)."""
        t0 = time.perf_counter()
        cfg = self.config if pdf_page is None else replace(self.config, pdf_page=pdf_page)
        image = load_image(
            data,
            max_bytes=cfg.max_bytes,
            max_pixels=cfg.max_pixels,
            pdf_page=cfg.pdf_page,
            pdf_dpi=cfg.pdf_dpi,
            max_pdf_pages=cfg.max_pdf_pages,
        )
        result = self.read_image(image, single_line=single_line)
        result.timings["load"] = time.perf_counter() - t0 - result.timings["total"]
        result.timings["total"] = time.perf_counter() - t0
        return result

    def read_pages(
        self,
        data: bytes,
        on_page: Callable[[int, int], None] | None = None,
        pages: Sequence[int] | None = None,
    ) -> list[OcrResult]:
        """Every page of a PDF, or the 0-based ``pages`` chosen (one result each), or the single
        image; ``on_page(done, total)`` reports progress."""
        if len(data) > self.config.max_bytes:  # before pdfium parses anything
            raise ImageTooLarge(f"input is {len(data):,} bytes; the limit is {self.config.max_bytes:,} bytes")
        total = pdf_page_count(data, self.config.max_pdf_pages) if sniff(data) == "pdf" else 1
        chosen = list(range(total)) if pages is None else list(pages)
        bad = [p + 1 for p in chosen if not 0 <= p < total]
        if bad:
            raise PageOutOfRange(f"page(s) {bad} out of range: the document has {total} page(s)")
        results = []
        for done, page in enumerate(chosen, 1):
            results.append(self.read(data, pdf_page=page))
            if on_page:
                on_page(done, len(chosen))
        return results

    def read_image(self, image: np.ndarray, *, single_line: bool = False) -> OcrResult:
        """Read a decoded image (BGR, BGRA or gray; 8 or 16 bit)."""
        t0 = time.perf_counter()
        height, width = image.shape[:2]
        if height * width >= self.config.trim_pixels:
            release_free_heap()
        gray = to_gray(image)
        soften = self.config.smooth_bilevel and is_bilevel(gray)
        if self.detector is not None and not single_line:
            return self._read_with_detector(gray, t0, soften)
        angle = 0.0
        if single_line:
            boxes = [Box(0, 0, width, height)]
        else:
            if self.config.deskew:
                gray, angle = deskew(gray)
            boxes = detect_lines(gray)
        t1 = time.perf_counter()
        crops = [self._prepare(crop(gray, b), soften) for b in boxes]
        if single_line and self.config.trim:
            crops = [trim_to_ink(c) for c in crops]
        decoded = self.recognizer.recognize(crops)
        t2 = time.perf_counter()
        if angle:
            boxes = [self._unrotate(b, angle, gray.shape, (height, width)) for b in boxes]
        return self._result(boxes, decoded, (width, height), (t0, t1, t2), keep_unsure=single_line)

    def _read_with_detector(self, gray: np.ndarray, t0: float, soften: bool) -> OcrResult:
        """Learned detector -> straightened crops -> page orientation -> lines (tall ones turned)."""
        assert self.detector is not None
        height, width = gray.shape
        quads = self.detector.detect(gray)
        t1 = time.perf_counter()
        quads, crops = self._lines(gray, quads, soften)
        decoded = read_lines(crops, self.recognizer.recognize)
        turns = page_rotation(crops, decoded, self.recognizer.recognize)
        page = gray
        if turns:  # detect and read again on the upright page; boxes map back to the input below
            page = rotate_page(gray, turns)
            quads, crops = self._lines(page, self.detector.detect(page), soften)
            decoded = read_lines(crops, self.recognizer.recognize)
        if self.config.retry_below:

            def read_again(lines: list[int], share: float) -> list[Decoded]:
                again = [self._line(page, thin_quad(quads[i], share), soften) for i in lines]
                return read_lines(again, self.recognizer.recognize)

            cfg = self.config
            decoded = reread_unsure(decoded, read_again, cfg.retry_below, cfg.retry_heights)
        t2 = time.perf_counter()
        boxes = [
            quad_box(unrotate_points(q, turns, (height, width)) if turns else q, width, height) for q in quads
        ]
        return self._result(boxes, decoded, (width, height), (t0, t1, t2), keep_unsure=False)

    def _result(
        self,
        boxes: list[Box],
        decoded: list[Decoded],
        size: tuple[int, int],
        marks: tuple[float, float, float],
        keep_unsure: bool,
    ) -> OcrResult:
        """Lines with text (and, unless ``keep_unsure``, enough confidence), timings from the marks."""
        lines = []
        for box, d in zip(boxes, decoded, strict=True):
            text = clean_text(d.text)
            if text and (keep_unsure or d.confidence >= self.config.min_confidence):
                lines.append(Line(text, d.confidence, box))
        t0, t1, t2 = marks
        timings = {"detect": t1 - t0, "recognize": t2 - t1, "total": time.perf_counter() - t0}
        width, height = size
        return OcrResult(tuple(lines), width, height, self.model_name, self.recognizer.info.version, timings)

    def _lines(
        self, gray: np.ndarray, quads: list[np.ndarray], soften: bool
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The quads and crops to read: one per detected quad, or with ``drop_icons`` one per
        stretch of a line that badges split, each without its leading icon (``icons.read_spans``)."""
        out_quads, out_crops = [], []
        for quad in quads:
            line, ends = self._straight(gray, quad, soften)
            spans = read_spans(line) if self.config.drop_icons else [(0, line.shape[1], 0)]
            if len(spans) == 1:
                out_quads.append(quad)
                out_crops.append(line[:, spans[0][2] :])
                continue
            for a, b, first in spans:
                out_quads.append(stretch_quad(quad, ends, (a, b), line.shape[1]))
                out_crops.append(line[:, first:b])
        return out_quads, out_crops

    def _line(self, gray: np.ndarray, quad: np.ndarray, soften: bool) -> np.ndarray:
        """One detected line to read: ``_straight``'s crop without the icon that leads it."""
        line = self._straight(gray, quad, soften)[0]
        return line[:, icon_cut(line) :] if self.config.drop_icons else line

    def _straight(
        self, gray: np.ndarray, quad: np.ndarray, soften: bool
    ) -> tuple[np.ndarray, tuple[float, float]]:
        """One detected line, straightened, lengthened to ink its quad missed (``end_reach``), prepared
        and (``isolate``) cleared of its neighbours; and the line heights it was lengthened by."""
        isolate = clear_neighbours if self.config.isolate else (lambda crop: crop)
        reach, ends = self.config.end_reach, (0.0, 0.0)
        if reach:  # look past the quad's ends; (0, 0) gives exactly the plain crop
            wide = isolate(self._prepare(crop_quad(gray, quad, ends=(reach, reach)), soften))
            ends = missed_ends(wide, reach, self.config.end_gap)
        return isolate(self._prepare(crop_quad(gray, quad, ends=ends), soften)), ends

    def _prepare(self, line: np.ndarray, soften: bool) -> np.ndarray:
        """``soften``: the page is 1-bit (``smooth_bilevel``)."""
        line = prepare_line(line, use_clahe=self.config.clahe, use_binarize=self.config.binarize)
        return smooth_bilevel(line) if soften else line

    @staticmethod
    def _unrotate(box: Box, angle: float, rotated_shape: tuple[int, ...], shape: tuple[int, int]) -> Box:
        """Map a box found on the deskewed page back to the original image (its bounding box)."""
        import cv2

        rh, rw = rotated_shape[:2]
        h, w = shape
        mat = cv2.getRotationMatrix2D((rw / 2, rh / 2), angle, 1.0)
        mat[0, 2] += w / 2 - rw / 2
        mat[1, 2] += h / 2 - rh / 2
        pts = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]], np.float32)
        mapped = cv2.transform(pts[None], mat)[0]
        x0, y0 = np.clip(mapped.min(axis=0), 0, [w, h])
        x1, y1 = np.clip(mapped.max(axis=0), 0, [w, h])
        return Box(int(x0), int(y0), int(x1), int(y1))
