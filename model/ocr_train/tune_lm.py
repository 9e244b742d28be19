"""Choose the beam decoder's LM weight, character bonus and floor on rendered lines of real prose.

The choosing set is ``realtext.real_text_set``: sentences of People's Daily and of book
reviews (Chinese) and of the Python documentation (English), rendered in the held-out fonts
(WenQuanYi Zen Hei, FreeSerif); the real dev lines never choose. The recognizer's synthetic
validation (its own text sampler, without the uniformly drawn ``rare`` kind) is printed beside
it: its words are strung together at random, so it says how much the LM may cost on text
that is not prose, not which weight fits prose. The chosen settings are written into the LM
file's metadata, which the core reads (``BeamSettings.from_lm``), with the figures that chose them.

    cd model && ../.venv/bin/python -m ocr_train.tune_lm --lm charlm.npz
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path

import numpy as np
from ocr_core.beam import BeamSettings, beam_line, frame_candidates
from ocr_core.charset import Charset
from ocr_core.ctc import best_path, decode_path
from ocr_core.lm import CharLM
from ocr_core.metrics import score
from ocr_core.recognizer import Recognizer

from ocr_train.data import validation_set
from ocr_train.paths import CORPUS_FILE, FONT_PACK, MODEL_DIR
from ocr_train.realtext import real_text_set

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
BONUSES = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
PRIORS = (0.0, 0.5, 1.0)
BEAMS = (4, 8)
MIN_PROBS = (0.01, 0.02, 0.05)
FLOORS = (math.inf, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)
SPEED_SLACK = 0.005  # half a point of real-text line accuracy buys the faster search
EXCLUDED_KIND = "rare"


def line_candidates(rec: Recognizer, crops: list[np.ndarray], min_prob: float) -> list[tuple[str, list]]:
    """Per line: its greedy reading and its per-frame candidates (the beam's only input)."""
    out: list[tuple[str, list]] = [("", [])] * len(crops)
    for idx, logits, frames in rec.read_logits(crops):
        best, best_p = best_path(logits)
        for row, i in enumerate(idx):
            t = int(frames[row])
            greedy = decode_path(best[row, :t], best_p[row, :t], rec.charset).text
            out[i] = (greedy, frame_candidates(logits[row, :t], best[row, :t], best_p[row, :t], min_prob))
    return out


def restrict(line: tuple[str, list], min_prob: float) -> tuple[str, list]:
    """A line's candidates as ``frame_candidates`` gives them at a higher ``min_prob`` (exact: a frame
    sure at the higher bar has nothing else above it either)."""
    greedy, cands = line
    out = []
    for frame in cands:
        top = max(frame, key=lambda e: e[2])
        out.append([e for e in frame if e[2] >= min_prob or e is top])
    return greedy, out


def read_all(
    lines: list[tuple[str, list]], lm: CharLM, charset: Charset, settings: BeamSettings
) -> list[str]:
    """What the beam decoder reads for each line (a sure line has one path: its greedy one)."""
    return [" ".join(charset.decode_ids(beam_line(cands, lm, settings)[0]).split()) for _, cands in lines]


def accuracy(preds: list[str], val: list[tuple[np.ndarray, str, str]]) -> dict[str, float]:
    """Line accuracy and CER, leaving out the ``rare`` kind."""
    pairs = [(p, v[1]) for p, v in zip(preds, val, strict=True) if v[2] != EXCLUDED_KIND]
    result = score(pairs)
    return {"acc": result["line_acc"], "cer": result["cer"]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lm", type=Path, default=MODEL_DIR / "charlm.npz")
    p.add_argument("--model", type=Path, default=MODEL_DIR / "crnn_int8.onnx")
    p.add_argument("--lines", type=int, default=1000, help="lines in each set")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--beam", type=int, default=BeamSettings.beam)
    p.add_argument("--min-prob", type=float, default=BeamSettings.min_prob)
    p.add_argument("--dry-run", action="store_true", help="print the table, leave the LM file as it is")
    p.add_argument("--weights", type=float, nargs="+", default=list(WEIGHTS))
    p.add_argument("--bonuses", type=float, nargs="+", default=list(BONUSES))
    p.add_argument("--priors", type=float, nargs="+", default=list(PRIORS))
    p.add_argument("--floors", type=float, nargs="+", default=list(FLOORS))
    args = p.parse_args(argv)
    rec = Recognizer(args.model)
    lm = CharLM(args.lm, rec.charset)
    sets = {
        "real_text": real_text_set(rec.charset, FONT_PACK, args.lines, args.seed),
        "synthetic": validation_set(rec.charset, CORPUS_FILE, FONT_PACK, args.lines, seed=args.seed),
    }
    cands = {k: line_candidates(rec, [v[0] for v in val], args.min_prob) for k, val in sets.items()}
    greedy = {k: accuracy([" ".join(g.split()) for g, _ in cands[k]], sets[k]) for k in sets}
    print(f"greedy: {json.dumps(greedy)}", flush=True)
    rows: list[dict] = []
    for prior, weight, bonus in itertools.product(args.priors, args.weights, args.bonuses):
        if weight == 0.0 and prior > 0.0:
            continue  # no LM: the prior has nothing to act on
        settings = BeamSettings(weight, bonus, prior, beam=args.beam, min_prob=args.min_prob)
        t0 = time.perf_counter()
        row: dict = {"weight": weight, "bonus": bonus, "prior": prior}
        for k, val in sets.items():
            row[k] = accuracy(read_all(cands[k], lm, rec.charset, settings), val)
        row["ms_per_line"] = (time.perf_counter() - t0) * 1000 / (2 * args.lines)
        rows.append(row)
        print(json.dumps(row), flush=True)
    # ties go to the weaker LM, then the smaller bonus and prior
    best = max(rows, key=lambda r: (round(r["real_text"]["acc"], 6), -r["weight"], -r["bonus"], -r["prior"]))
    print(f"chosen: {json.dumps(best)}")
    # then how far the LM may lower a character the network reads (no floor wins ties)
    floors = []
    for floor in args.floors:
        settings = BeamSettings(best["weight"], best["bonus"], best["prior"], args.beam, args.min_prob, floor)
        row = {"floor": floor}
        for k, val in sets.items():
            row[k] = accuracy(read_all(cands[k], lm, rec.charset, settings), val)
        floors.append(row)
        print(json.dumps(row), flush=True)
    floor = max(floors, key=lambda r: (round(r["real_text"]["acc"], 6), r["floor"]))
    print(f"floor: {json.dumps(floor)}")
    # then the search's breadth: the fastest within SPEED_SLACK of the widest search's accuracy
    fast = []
    for beam, min_prob in itertools.product(BEAMS, MIN_PROBS):
        w, b, pr, fl = best["weight"], best["bonus"], best["prior"], floor["floor"]
        settings = BeamSettings(w, b, pr, beam=beam, min_prob=min_prob, floor=fl)
        row = {"beam": beam, "min_prob": min_prob}
        t0 = time.perf_counter()
        for k, val in sets.items():
            narrow = [restrict(c, min_prob) for c in cands[k]]
            row[k] = accuracy(read_all(narrow, lm, rec.charset, settings), val)
        row["ms_per_line"] = (time.perf_counter() - t0) * 1000 / (2 * args.lines)
        fast.append(row)
        print(json.dumps(row), flush=True)
    top = max(r["real_text"]["acc"] for r in fast)
    good = [r for r in fast if r["real_text"]["acc"] >= top - SPEED_SLACK]
    breadth = min(good, key=lambda r: r["ms_per_line"])
    print(f"breadth: {json.dumps(breadth)}")
    if args.dry_run:
        return
    tuned = {
        "weight": best["weight"],
        "bonus": best["bonus"],
        "prior": best["prior"],
        "floor": floor["floor"],
        "beam": breadth["beam"],
        "min_prob": breadth["min_prob"],
        "tuned_on": {
            "lines": args.lines,
            "seed": args.seed,
            "chosen_by": "real_text acc",
            "fonts": "held-out (val)",
            "model": args.model.name,
            "greedy": greedy,
            "chosen": best,
            "floor": floor,
            "breadth": breadth,
        },
    }
    write_settings(args.lm, tuned)


def write_settings(path: Path, settings: dict) -> None:
    """Rewrite the LM file with ``settings`` merged into its metadata (arrays unchanged)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != "meta"}
        meta = json.loads(str(z["meta"]))
    meta.update(settings)
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)


if __name__ == "__main__":
    main()
