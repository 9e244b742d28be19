"""The ``ocr`` command.

ocr FILE...                  print the text of each image / PDF page
ocr --json FILE...           one JSON object per file (lines, confidence, boxes, time)
ocr --single-line FILE...    each image is one text line (no detection)
ocr --all-pages DOC.pdf      every page of a PDF (pages separated by a form feed)
ocr --pages 1-3,7 DOC.pdf    those pages of a PDF
ocr --detector classical F   the morphological line detector instead of the learned one
ocr eval LABELS [--json]     score a labeled set (lines/labels.tsv or pages/labels.jsonl)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ocr_core.config import EngineConfig
from ocr_core.errors import OcrError
from ocr_core.types import document_dict


def _progress(i: int, n: int, name: str) -> None:
    if n > 1 and sys.stderr.isatty():
        width = 30
        done = int(width * i / n)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {name[:40]:<40}")
        sys.stderr.flush()
        if i == n:
            sys.stderr.write("\n")


def _engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, help="INT8 ONNX model (default: the shipped one)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--clahe", action="store_true", help="CLAHE on each line before recognition")
    p.add_argument("--binarize", action="store_true", help="adaptive binarization of each line")
    p.add_argument("--no-deskew", action="store_true", help="skip page deskew")
    p.add_argument(
        "--no-isolate", action="store_true", help="learned detector: keep neighbouring lines' ink in crops"
    )
    p.add_argument(
        "--keep-icons",
        action="store_true",
        help="learned detector: read a line's leading icon as text (and badge-led items in a row as one)",
    )
    p.add_argument("--no-trim", action="store_true", help="single-line mode: keep blank borders")
    p.add_argument("--page", type=int, default=1, help="PDF page to read (1-based)")
    p.add_argument("--dpi", type=int, help="PDF rendering resolution (default 200, at most 400)")
    p.add_argument(
        "--detector",
        choices=["db", "classical", "auto"],
        help="line detector (default: db when its model is there)",
    )
    p.add_argument("--det-model", type=Path, help="text detector ONNX model (default: the shipped one)")
    p.add_argument("--merge-gap", type=float, help="join line pieces closer than this many line heights")
    p.add_argument(
        "--retry-below", type=float, help="read lines less sure than this again at other heights (0: never)"
    )
    p.add_argument(
        "--decoder",
        choices=["beam", "greedy", "auto"],
        help="CTC decoding (default: beam search with the character LM when its file is there)",
    )
    p.add_argument("--lm", type=Path, help="character LM for the beam decoder (default: the shipped one)")


def parse_pages(spec: str) -> list[int]:
    """'1-3,7' -> [0, 1, 2, 6] (0-based, in the order given, duplicates dropped)."""
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise argparse.ArgumentTypeError(f"bad page range {part!r}: use e.g. 1-3,7")
        for n in range(int(lo), int(hi or lo) + 1):
            if n < 1:
                raise argparse.ArgumentTypeError("pages are numbered from 1")
            if n - 1 not in out:
                out.append(n - 1)
    return out


def _config(args: argparse.Namespace) -> EngineConfig:
    cfg = EngineConfig.from_env()
    return replace(
        cfg,
        model_path=args.model or cfg.model_path,
        threads=args.threads,
        clahe=cfg.clahe or args.clahe,  # flags switch away from what OCR_* set, never back
        binarize=cfg.binarize or args.binarize,
        deskew=cfg.deskew and not args.no_deskew,
        isolate=cfg.isolate and not args.no_isolate,
        drop_icons=cfg.drop_icons and not args.keep_icons,
        trim=cfg.trim and not args.no_trim,
        pdf_page=args.page - 1,
        pdf_dpi=args.dpi or cfg.pdf_dpi,
        detector=args.detector or cfg.detector,
        det_model_path=args.det_model or cfg.det_model_path,
        det_merge_gap=cfg.det_merge_gap if args.merge_gap is None else args.merge_gap,
        retry_below=cfg.retry_below if args.retry_below is None else args.retry_below,
        decoder=args.decoder or cfg.decoder,
        lm_path=args.lm or cfg.lm_path,
    )


def main_eval(argv: list[str]) -> int:
    from ocr_core.engine import OcrEngine
    from ocr_core.evaluate import evaluate, format_report

    p = argparse.ArgumentParser(prog="ocr eval", description="score a labeled set")
    p.add_argument("labels", type=Path, help="lines/labels.tsv or pages/labels.jsonl")
    p.add_argument("--json", type=Path, help="also write the full report (with predictions) here")
    p.add_argument(
        "--rotate",
        type=int,
        choices=[0, 90, 180, 270],
        default=0,
        help="turn every image first (degrees, CCW)",
    )
    _engine_args(p)
    args = p.parse_args(argv)
    report = evaluate(OcrEngine(_config(args)), args.labels, rotate=args.rotate)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        return main_eval(argv[1:])
    from ocr_core.engine import OcrEngine

    p = argparse.ArgumentParser(
        prog="ocr", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--single-line", action="store_true", help="treat each image as one text line")
    p.add_argument(
        "--all-pages", action="store_true", help="every page of a PDF (pages separated by a form feed)"
    )
    p.add_argument("--pages", type=parse_pages, help="PDF pages to read, e.g. 1-3,7 (1-based)")
    _engine_args(p)
    args = p.parse_args(argv)
    engine = OcrEngine(_config(args))
    failed = 0
    for i, path in enumerate(args.files, 1):
        try:
            data = path.read_bytes()
            if args.pages:
                document = document_dict(
                    engine.read_pages(data, pages=args.pages), [n + 1 for n in args.pages]
                )
            elif args.all_pages:
                document = document_dict(engine.read_pages(data))
            else:
                document = engine.read(data, single_line=args.single_line).to_dict()
        except (OcrError, OSError) as exc:
            failed += 1
            code = getattr(exc, "code", "io_error")
            if args.json:
                print(
                    json.dumps(
                        {"file": str(path), "error": {"code": code, "message": str(exc)}}, ensure_ascii=False
                    )
                )
            else:
                print(f"{path}: error: {exc}", file=sys.stderr)
            continue
        finally:
            _progress(i, len(args.files), path.name)
        if args.json:
            print(json.dumps({"file": str(path), **document}, ensure_ascii=False))
        else:
            if len(args.files) > 1:
                print(f"==> {path} <==")
            print(document.get("text") or "\n".join(line["text"] for line in document["lines"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
