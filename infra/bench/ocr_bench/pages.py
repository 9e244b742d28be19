"""Full pages, side by side: our pipeline and RapidOCR's PP-OCRv4 det + cls + rec, one thread each.

    python -m ocr_bench.pages ../shared/data/real [--out infra/bench/PAGES.md]

Same pages, same machine, same run; page CER and line recall with the evaluation's normalizations.
(PP-OCRv6-tiny's pipeline and Tesseract join this table with the detector issue.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
from ocr_core.config import EngineConfig
from ocr_core.engine import OcrEngine
from ocr_core.evaluate import NORMS, Item, line_recall, page_cer, read_labels
from ocr_core.load import load_image


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("real", type=Path)
    p.add_argument("--out", type=Path, default=Path("infra/bench/PAGES.md"))
    args = p.parse_args()
    from rapidocr_onnxruntime import RapidOCR

    ours = OcrEngine(EngineConfig(threads=1))
    rapid = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    _, items = read_labels(args.real / "pages" / "labels.jsonl")
    preds: dict[str, dict[str, list[str]]] = {"ours": {}, "rapid": {}}
    times: dict[str, list[float]] = {"ours": [], "rapid": []}
    for item in items:
        data = (args.real / "pages" / item.file).read_bytes()
        t0 = time.perf_counter()
        preds["ours"][item.file] = [line.text for line in ours.read(data).lines]
        times["ours"].append(time.perf_counter() - t0)
        image = load_image(data, max_bytes=50_000_000, max_pixels=100_000_000)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        t0 = time.perf_counter()
        result, _ = rapid(np.ascontiguousarray(image))
        times["rapid"].append(time.perf_counter() - t0)
        preds["rapid"][item.file] = [r[1] for r in (result or [])]
    rows = ["| pipeline | page CER (NFKC) | line recall (NFKC) | line recall (no spaces) | page p50 ms | "
            "page mean ms | ours faster by |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    groups: dict[str, list[Item]] = {"all": items}
    for name, label in (
        ("ours", "ours: classical detector + CRNN INT8"),
        ("rapid", "RapidOCR PP-OCRv4 det+cls+rec"),
    ):
        cer = page_cer(groups["all"], preds[name], NORMS["nfkc"])
        rec = line_recall(groups["all"], preds[name], NORMS["nfkc"])
        rec_ns = line_recall(groups["all"], preds[name], NORMS["nospace"])
        p50, mean = 1000 * statistics.median(times[name]), 1000 * statistics.fmean(times[name])
        ratio = (
            "-"
            if name == "ours"
            else f"{statistics.fmean(times['rapid']) / statistics.fmean(times['ours']):.1f}x"
        )
        cells = [
            label,
            f"{100 * cer:.1f}%",
            f"{100 * rec:.1f}%",
            f"{100 * rec_ns:.1f}%",
            f"{p50:.0f}",
            f"{mean:.0f}",
        ]
        rows.append("| " + " | ".join([*cells, ratio]) + " |")
    text = f"Dev pages: {len(items)}; 1 thread each; same machine, same run.\n\n" + "\n".join(rows)
    print(text)
    args.out.write_text("# Full-page benchmark (`make bench-pages`)\n\n" + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
