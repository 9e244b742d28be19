"""`make bench`: our CRNN and the PP-OCR peers, side by side, in one run on this machine.

    python -m ocr_bench ../shared/data/real [--out infra/bench/RESULTS.md]

Per-line latency: every recognizer reads the same line image scaled to 320 x 48
pixels, 1 thread, p50 over repeated runs (model call alone, and the full read with
preprocessing and decoding). Accuracy: every recognizer reads every real line image
of lines/labels.tsv as one line, scored with the evaluation's normalizations.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
from ocr_core.config import EngineConfig
from ocr_core.engine import OcrEngine
from ocr_core.evaluate import NORMS, read_labels
from ocr_core.load import load_image
from ocr_core.metrics import score
from ocr_core.preprocess import prepare_line, to_gray
from ocr_core.tensorize import to_batch

from ocr_bench.peers import PeerRecognizer, ppocr_v4, ppocr_v6_tiny


def p50_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    for _ in range(5):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("real", type=Path, help="shared/data/real")
    p.add_argument("--out", type=Path, default=Path("infra/bench/RESULTS.md"))
    p.add_argument("--repeat", type=int, default=200)
    args = p.parse_args()

    ours = OcrEngine(EngineConfig(threads=1))
    peers = [PeerRecognizer(ppocr_v4()), PeerRecognizer(ppocr_v6_tiny())]
    limits = {"max_bytes": 50_000_000, "max_pixels": 100_000_000}

    sample = load_image((args.real / "lines" / "cnocr_cn1_l01.png").read_bytes(), **limits)
    line320 = cv2.resize(sample, (320, 48), interpolation=cv2.INTER_AREA)
    rows = []
    gray = prepare_line(line320)
    x, _ = to_batch([gray], ours.recognizer.spec)
    rows.append(
        {
            "name": f"ours: {ours.model_name}",
            "size": ours.recognizer.info.size_bytes,
            "run_ms": p50_ms(lambda: ours.recognizer.session.run(None, {"x": x}), args.repeat),
            "read_ms": p50_ms(lambda: ours.read_image(line320, single_line=True), args.repeat),
        }
    )
    for peer in peers:
        xp = peer.tensorize(line320)
        rows.append(
            {
                "name": peer.name,
                "size": peer.size_bytes,
                "run_ms": p50_ms(lambda peer=peer, xp=xp: peer.run(xp), args.repeat),
                "read_ms": p50_ms(lambda peer=peer: peer.read(line320), args.repeat),
            }
        )

    _, items = read_labels(args.real / "lines" / "labels.tsv")
    items = [i for i in items if i.kind != "synthetic"]
    preds: dict[str, list[str]] = defaultdict(list)
    for item in items:
        image = load_image((args.real / "lines" / item.file).read_bytes(), **limits)
        preds[rows[0]["name"]].append(
            " ".join(li.text for li in ours.read_image(image, single_line=True).lines)
        )
        bgr = (
            image
            if image.ndim == 3 and image.shape[2] == 3
            else cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)
        )
        for peer in peers:
            preds[peer.name].append(peer.read(bgr).text)
    for row in rows:
        for norm_name in ("nfkc", "nospace"):
            s = score(
                [
                    (NORMS[norm_name](pr), NORMS[norm_name](it.truth[0]))
                    for pr, it in zip(preds[row["name"]], items, strict=True)
                ]
            )
            row[f"acc_{norm_name}"], row[f"cer_{norm_name}"] = s["line_acc"], s["cer"]
        for lang in ("zh", "en", "mixed"):
            pairs = [
                (NORMS["nfkc"](pr), NORMS["nfkc"](it.truth[0]))
                for pr, it in zip(preds[row["name"]], items, strict=True)
                if it.lang == lang
            ]
            row[f"acc_{lang}"] = score(pairs)["line_acc"]

    base = rows[0]
    out = [
        f"Real dev lines: {len(items)} (synthetic ones excluded); latency: one 320x48 line, 1 thread, "
        f"p50 of {args.repeat} runs; same machine, same run.",
        "",
        "| recognizer | size MB | model call ms | full read ms | ours faster by | line acc (NFKC) "
        "| CER (NFKC) | line acc (no spaces) | CER (no spaces) | acc zh | acc en | acc mixed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "-" if r is base else f"{r['read_ms'] / base['read_ms']:.1f}x"
        out.append(
            f"| {r['name']} | {r['size'] / 1e6:.2f} | {r['run_ms']:.2f} | {r['read_ms']:.2f} | {ratio} | "
            f"{100 * r['acc_nfkc']:.1f}% | {100 * r['cer_nfkc']:.1f}% | {100 * r['acc_nospace']:.1f}% | "
            f"{100 * r['cer_nospace']:.1f}% | {100 * r['acc_zh']:.1f}% | {100 * r['acc_en']:.1f}% | "
            f"{100 * r['acc_mixed']:.1f}% |"
        )
    text = "\n".join(out)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("# Recognizer benchmark (`make bench`)\n\n" + text + "\n", encoding="utf-8")
    assert np  # numpy is used through the peers


if __name__ == "__main__":
    main()
