"""Bulk OCR of a local folder or an S3 prefix with the S3 function's own code, N at a time.

    python -m ocr_s3.bulk s3://BUCKET/uploads/scans/ [--concurrency 4]
    python -m ocr_s3.bulk ./scans --out ./scans-results [--concurrency 2]

S3: every object under the prefix goes through ``process_object`` (the S3 trigger's code path), so
results land as the trigger writes them (``results/...json/.txt`` or ``.error.json``) and objects that
already have a result for the same ETag are skipped. Folders: the same engine, results written beside
each file's relative path under ``--out``; files whose result is newer than themselves are skipped.
A summary (counts, failures, time, pages per minute) is printed and saved (``_summary.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr_core.engine import OcrEngine
from ocr_core.errors import OcrError
from ocr_core.types import document_dict

from ocr_s3.keys import Prefixes

SUFFIXES = {".jpg", ".jpeg", ".png", ".pdf", ".bmp", ".tif", ".tiff", ".webp"}


@dataclass
class Summary:
    source: str
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0  # pages read (a PDF counts each page); 0 where unknown (S3 runs count objects)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def to_dict(self) -> dict[str, Any]:
        per_minute = 60 / self.seconds if self.seconds else 0.0
        out = {"source": self.source, "objects": self.total, "outcomes": dict(self.outcomes),
               "failures": self.failures, "seconds": round(self.seconds, 2),
               "objects_per_minute": round(per_minute * self.outcomes.get("done", 0), 1)}  # fmt: skip
        if self.pages:
            out["pages"] = self.pages
            out["pages_per_minute"] = round(per_minute * self.pages, 1)
        return out


def _progress(done: int, total: int, start: float) -> None:
    if not sys.stderr.isatty() and done not in (total,) and done % 50:
        return
    width = 30
    filled = int(width * done / max(1, total))
    rate = done / max(1e-6, time.monotonic() - start)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:.1f}/s")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(items: list[Any], work: Callable[[Any], str], concurrency: int, summary: Summary) -> Summary:
    """Apply ``work`` to every item with bounded concurrency; a failure is recorded, never lost."""
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {pool.submit(work, item): item for item in items}
        for n, fut in enumerate(as_completed(futures), 1):
            try:
                summary.outcomes[fut.result()] += 1
            except Exception as exc:  # reported in the summary; the rest go on
                summary.outcomes["failed"] += 1
                summary.failures.append({"item": str(futures[fut]), "error": f"{type(exc).__name__}: {exc}"})
            _progress(n, len(items), start)
    summary.seconds = time.monotonic() - start
    return summary


def list_keys(s3: Any, bucket: str, prefix: str) -> Iterable[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith("/"):
                yield obj["Key"]


def bulk_s3(bucket: str, prefix: str, concurrency: int, prefixes: Prefixes | None = None) -> Summary:
    from ocr_s3 import handler

    prefixes = prefixes or handler.PREFIXES
    keys = [k for k in list_keys(handler._s3, bucket, prefix) if prefixes.accepts(k)]
    summary = run(
        keys, lambda key: handler.process_object(bucket, key), concurrency, Summary(f"s3://{bucket}/{prefix}")
    )
    body = json.dumps(summary.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    handler._s3.put_object(Bucket=bucket, Key=f"{prefixes.output}_summary/{stamp}.json", Body=body)
    return summary


def bulk_folder(folder: Path, out: Path, concurrency: int, engine: OcrEngine | None = None) -> Summary:
    engine = engine or OcrEngine()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)

    def work(path: Path) -> str:
        rel = path.relative_to(folder)
        target = out / rel.parent / (rel.name + ".json")
        if target.exists() and target.stat().st_mtime >= path.stat().st_mtime:
            return "duplicate"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            pages = engine.read_pages(path.read_bytes())
        except OcrError as exc:
            error = {"success": False, "source": str(rel), "error": {"code": exc.code, "message": str(exc)}}
            (out / rel.parent / (rel.name + ".error.json")).write_text(json.dumps(error, ensure_ascii=False))
            return "error"
        with summary.lock:
            summary.pages += len(pages)
        document = document_dict(pages)
        (out / rel.parent / (rel.name + ".txt")).write_text(document["text"], encoding="utf-8")
        payload = {"success": True, "source": str(rel), **document}
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)  # the JSON appears whole or not at all
        return "done"

    summary = Summary(str(folder))
    run(files, work, concurrency, summary)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_summary.json").write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="s3://bucket/prefix/ or a local folder")
    p.add_argument("--out", type=Path, help="local folders: where results go (default: SOURCE-results)")
    p.add_argument("--concurrency", type=int, default=2)
    args = p.parse_args(argv)
    # a bulk run prints one summary: per-object logs and EMF metrics are for Lambda
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    if args.source.startswith("s3://"):
        bucket, _, prefix = args.source[5:].partition("/")
        summary = bulk_s3(bucket, prefix, args.concurrency)
    else:
        folder = Path(args.source)
        summary = bulk_folder(
            folder, args.out or folder.with_name(folder.name + "-results"), args.concurrency
        )
    print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1))
    return 1 if summary.outcomes.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
