"""One system measured in the fresh process that runs this module (ocr_bench starts one per system).

    python -m ocr_bench.measure JOB.json RESULT.json

The process pins itself to one CPU core, so a system's helper threads (OpenCV, BLAS)
cannot borrow a second one. In order:
  cold start   launcher's clock just before starting this process (OCR_BENCH_T0) -> the
               first page's lines: interpreter, imports, model loads, first read
  pages        every page read once more, timed one by one (warm)
  peak RSS     ru_maxrss right after the pages (load + pages; the line runs come later)
  line latency one line image scaled to 320x48, read as a single line, p50 of `repeat` runs
               (Tesseract: per-line time amortized over a file list, see systems.py)
  lines        every line image of the set read as a single line (predictions for accuracy)
Line images are decoded once by the core's loader and handed to every system as BGR.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from ocr_bench.systems import System, by_key

LIMITS = {"max_bytes": 50_000_000, "max_pixels": 100_000_000}


def pin_to_one_core(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def peak_rss_bytes(system: System) -> int:
    """Peak RSS of this process (or of its children, for a CLI system).

    Our own peak is the kernel's VmHWM, which starts anew at exec: ru_maxrss of a process started by
    a large parent (the compression study holds GBs of training state) reports the parent's peak."""
    if not system.own_process:
        status = Path("/proc/self/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return 1024 * int(line.split()[1])  # kB
    who = resource.RUSAGE_CHILDREN if system.own_process else resource.RUSAGE_SELF
    return 1024 * resource.getrusage(who).ru_maxrss  # KiB on Linux


def load_bgr(path: str) -> Any:
    """A line image as 8-bit BGR through the core's loader (EXIF, 16-bit, alpha handled there)."""
    import cv2
    from ocr_core.load import load_image
    from ocr_core.preprocess import to_gray

    image = load_image(Path(path).read_bytes(), **LIMITS)
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == "uint8":
        return image
    return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)


def measure(job: dict[str, Any], t_launch: float) -> dict[str, Any]:
    system = by_key(job["system"])
    system.check()
    system.load()
    pages = [(name, Path(path).read_bytes()) for name, path in job["pages"]]
    t0 = time.perf_counter()
    system.read_page(pages[0][1])
    cold = time.perf_counter() - t0 if system.own_process else time.time() - t_launch
    page_start = system.page_start_s()
    page_s, page_lines = {}, {}
    for name, data in pages:
        t0 = time.perf_counter()
        page_lines[name] = system.read_page(data)
        page_s[name] = max(0.0, time.perf_counter() - t0 - page_start)
    rss = peak_rss_bytes(system)

    import cv2

    line320 = cv2.resize(load_bgr(job["line_sample"]), (320, 48), interpolation=cv2.INTER_AREA)
    line_ms = system.line_ms_p50(line320, job["repeat"])
    line_text = {name: system.read_line(load_bgr(path)) for name, path in job["lines"]}
    return {
        "system": system.key,
        "cold_start_s": cold,
        "page_s": page_s,
        "page_lines": page_lines,
        "peak_rss_bytes": rss,
        "line_ms_p50": line_ms,
        "page_start_ms": 1000 * page_start,
        "line_text": line_text,
    }


def main(argv: list[str] | None = None) -> None:
    job_path, out_path = argv or sys.argv[1:3]
    t_launch = float(os.environ.get("OCR_BENCH_T0", time.time()))
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    pin_to_one_core(job.get("cpu"))
    result = measure(job, t_launch)
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
