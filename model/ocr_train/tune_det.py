"""Choose the detector's post-processing thresholds on synthetic validation pages (never the dev set).

    python -m ocr_train.tune_det --model model/textdet_int8.onnx --pages 120

Runs the exported ONNX model once per page, then scores every combination of bin_thresh,
box_thresh, unclip_extra and merge_gap through ocr_core.textdet's own post-processing (line F1 at IoU 0.5),
and prints the table with the best row last.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from ocr_core.textdet import DetParams, TextDetector

from ocr_train.paths import CHARSET_FILE, CORPUS_FILE, FONT_PACK
from ocr_train.train_det import score_pages, validation_pages


def main(argv: list[str] | None = None) -> DetParams:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--pages", type=int, default=120)
    p.add_argument("--charset", type=Path, default=CHARSET_FILE)
    p.add_argument("--corpus", type=Path, default=CORPUS_FILE)
    p.add_argument("--fonts", type=Path, default=FONT_PACK)
    args = p.parse_args(argv)
    detector = TextDetector(args.model)
    pages = validation_pages(args, args.pages)
    maps = [detector.probability(page.image) for page in pages]
    rows = []
    grid = itertools.product((0.2, 0.3, 0.4), (0.5, 0.6, 0.7), (-0.1, 0.0, 0.1), (0.0, 0.5, 0.8))
    for bin_t, box_t, extra, gap in grid:
        params = replace(
            detector.params, bin_thresh=bin_t, box_thresh=box_t, unclip_extra=extra, merge_gap=gap
        )
        m = score_pages(pages, maps, params)
        rows.append((m["f1"], m["precision"], m["recall"], params))
    rows.sort(key=lambda r: r[0])
    print("| bin_thresh | box_thresh | unclip_extra | merge_gap | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|")
    for f1, prec, rec, prm in rows[-10:]:
        cells = (
            prm.bin_thresh,
            prm.box_thresh,
            prm.unclip_extra,
            prm.merge_gap,
            f"{prec:.3f}",
            f"{rec:.3f}",
            f"{f1:.3f}",
        )
        print("| " + " | ".join(str(v) for v in cells) + " |")
    return rows[-1][3]


if __name__ == "__main__":
    main()
