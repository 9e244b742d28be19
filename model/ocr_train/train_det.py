"""Train the DB text detector on synthetic pages: resumable, wall-clock budgeted, logged.

    python -m ocr_train.train_det --run model/runs/det --budget-min 70         # CPU, background
    python -m ocr_train.train_det --run model/runs/det --resume --budget-min 30
    python -m ocr_train.train_det --run /tmp/smoke --steps 2 --crop 64 --batch 2 --val-pages 2
    python -m ocr_train.train_det --run model/runs/det-ft --init-onnx model/textdet_int8.onnx \
        --head-steps 300 --lr 5e-4 --budget-min 50                                 # fine-tune

Pages come from ocr_train.pages (training fonts only); validation pages use the held-out
fonts and a fixed seed, and are scored with the core's own post-processing
(ocr_core.textdet), so the figure logged is the one inference will get.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from ocr_core.charset import Charset
from ocr_core.textdet import DetParams, page_quads, resize_for_detection, to_input
from torch.utils.data import DataLoader, IterableDataset

from ocr_train.corpus import load as load_corpus
from ocr_train.db import SHRINK, DbConfig, DbNet, db_loss, targets
from ocr_train.export import read_metadata
from ocr_train.export_det import freeze_norms, from_onnx
from ocr_train.fonts import load_pack
from ocr_train.pages import SynthPage, held_out_pages, render_page
from ocr_train.paths import CHARSET_FILE, CORPUS_FILE, FONT_PACK
from ocr_train.textgen import TextSampler
from ocr_train.train import atomic_save

cv2.setNumThreads(1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init-onnx", type=Path, help="fine-tune a shipped detector (batch norms frozen)")
    p.add_argument("--head-steps", type=int, default=0, help="with --init-onnx: train only the "
                   "threshold head (not in the export) for this many steps first")  # fmt: skip
    p.add_argument("--budget-min", type=float, default=60.0)
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--crop", type=int, default=320)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--val-pages", type=int, default=60)
    p.add_argument("--val-every", type=float, default=600.0)
    p.add_argument("--ckpt-every", type=float, default=180.0)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--charset", type=Path, default=CHARSET_FILE)
    p.add_argument("--corpus", type=Path, default=CORPUS_FILE)
    p.add_argument("--fonts", type=Path, default=FONT_PACK)
    return p.parse_args(argv)


def random_crop(page: SynthPage, size: int, rng: random.Random) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rescale the page by 0.5-1.5 (text heights vary), then a size x size crop, padded."""
    s = rng.uniform(0.5, 1.5)
    h, w = page.image.shape
    nh, nw = max(8, int(h * s)), max(8, int(w * s))
    img = cv2.resize(page.image, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    quads = [q * np.float32([nw / w, nh / h]) for q in page.quads]
    fill = int(np.median(img))
    canvas = np.full((max(size, nh), max(size, nw)), fill, np.uint8)
    oy, ox = rng.randint(0, canvas.shape[0] - nh), rng.randint(0, canvas.shape[1] - nw)
    canvas[oy : oy + nh, ox : ox + nw] = img
    cy, cx = rng.randint(0, canvas.shape[0] - size), rng.randint(0, canvas.shape[1] - size)
    shift = np.float32([ox - cx, oy - cy])
    return canvas[cy : cy + size, cx : cx + size], [q + shift for q in quads]


class SyntheticPages(IterableDataset):
    """Endless batches of (image, prob, thresh, tmask) crops rendered in the worker."""

    def __init__(self, args: argparse.Namespace, seed: int) -> None:
        self.charset_path, self.corpus_path, self.fonts_path = args.charset, args.corpus, args.fonts
        self.batch, self.crop, self.seed = args.batch, args.crop, seed

    def __iter__(self) -> Iterator[dict[str, torch.Tensor]]:
        info = torch.utils.data.get_worker_info()
        seed = self.seed * 1000 + (info.id if info else 0)
        rng = random.Random(seed)
        sampler = TextSampler(load_corpus(self.corpus_path), Charset.from_file(self.charset_path), seed)
        fonts = load_pack(self.fonts_path, role="train")
        while True:
            images, maps = [], []
            while len(images) < self.batch:
                page = render_page(sampler, fonts, rng)
                for _ in range(2):  # two crops per rendered page
                    img, quads = random_crop(page, self.crop, rng)
                    images.append(to_input(img)[0])
                    maps.append(targets(quads, self.crop, self.crop))
            yield {
                "image": torch.from_numpy(np.stack(images[: self.batch])),
                **{k: torch.from_numpy(np.stack([m[k] for m in maps[: self.batch]])) for k in maps[0]},
            }


def validation_pages(args: argparse.Namespace, n: int) -> list[SynthPage]:
    """Fixed pages in the held-out fonts (never rendered for training)."""
    return held_out_pages(n, 12345, args.charset, args.corpus, args.fonts)


def quad_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two convex quads (rasterization-free, via OpenCV's convex intersection)."""
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    union = cv2.contourArea(a.astype(np.float32)) + cv2.contourArea(b.astype(np.float32)) - inter
    return float(inter / union) if union > 0 else 0.0


def match(pred: list[np.ndarray], truth: list[np.ndarray], iou: float = 0.5) -> tuple[int, int, int]:
    """(true positives, predictions, truths), greedy one-to-one at IoU >= iou."""
    used: set[int] = set()
    tp = 0
    for t in truth:
        best, at = 0.0, -1
        for i, p in enumerate(pred):
            if i not in used:
                v = quad_iou(t, p)
                if v > best:
                    best, at = v, i
        if best >= iou:
            used.add(at)
            tp += 1
    return tp, len(pred), len(truth)


def score_pages(
    pages: list[SynthPage], maps: list[tuple[np.ndarray, float, float]], params: DetParams
) -> dict[str, float]:
    """Line precision/recall/F (IoU >= 0.5) of probability maps (with their scales) through
    the inference post-processing (ocr_core.textdet.page_quads)."""
    tp = n_pred = n_true = 0
    for page, (prob, sx, sy) in zip(pages, maps, strict=True):
        a, b, c = match(page_quads(prob, sx, sy, page.image, params), page.quads)
        tp, n_pred, n_true = tp + a, n_pred + b, n_true + c
    p, r = tp / max(1, n_pred), tp / max(1, n_true)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(1e-9, p + r)}


@torch.no_grad()
def evaluate(model: DbNet, pages: list[SynthPage], params: DetParams) -> dict[str, float]:
    """The torch model's validation figure, scored by inference's post-processing on its first pass
    (the enlarged second pass for small text, ``DetParams.min_text``, is left out: this figure
    chooses checkpoints, and page_eval measures the whole engine)."""
    model.eval()
    maps = []
    for page in pages:
        resized, sx, sy = resize_for_detection(
            page.image, params.max_side, params.min_side, params.upscale_to
        )
        maps.append((model(torch.from_numpy(to_input(resized)))[0, 0].numpy(), sx, sy))
    model.train()
    return score_pages(pages, maps, params)


def save(path: Path, model: DbNet, opt: torch.optim.Optimizer, state: dict) -> None:
    payload = {"model": model.state_dict(), "optimizer": opt.state_dict(), "config": model.cfg.to_dict()}
    atomic_save(path, {**payload, "shrink": SHRINK, "state": state})


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    args.run.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    model = from_onnx(args.init_onnx).train() if args.init_onnx else DbNet(DbConfig())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    state: dict = {"step": 0, "train_seconds": 0.0, "best_f1": -1.0, "frozen_norms": bool(args.init_onnx)}
    last = args.run / "last.pt"
    if args.resume and last.exists():
        ckpt = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        state.update(ckpt["state"])
    if args.init_onnx and not state["step"]:  # the steps the shipped file was trained for
        state["init_steps"] = int(read_metadata(args.init_onnx).get("train_steps") or 0)
    if state.get("frozen_norms"):
        freeze_norms(model)
    val = validation_pages(args, args.val_pages)
    params = DetParams(shrink=SHRINK)
    loader = DataLoader(
        SyntheticPages(args, args.seed + state["step"]),
        batch_size=None,
        num_workers=args.workers,
        multiprocessing_context=mp.get_context("spawn") if args.workers > 0 else None,
        persistent_workers=args.workers > 0,
        prefetch_factor=4 if args.workers > 0 else None,
    )
    log = (args.run / "log.jsonl").open("a", encoding="utf-8")
    start = time.time()
    budget = args.budget_min * 60
    last_ckpt = last_val = time.time()
    total_steps = max(args.steps, 1)
    metrics: dict[str, float] = {}
    for batch in loader:
        elapsed = time.time() - start
        # cosine decay over this run's budget (or steps), after a short warm-up
        frac = (args.steps and state["step"] / total_steps) or elapsed / budget
        lr = (
            args.lr
            * min(1.0, (state["step"] + 1) / 200)
            * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * min(frac, 1.0))))
        )
        for g in opt.param_groups:
            g["lr"] = lr
        head_only = state["step"] < args.head_steps
        for name, param in model.named_parameters():
            param.requires_grad_(not head_only or name.startswith("thresh."))
        out = model(batch["image"])
        loss, parts = db_loss(out, batch)  # type: ignore[arg-type]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        state["step"] += 1
        if state["step"] % args.log_every == 0:
            rec = {
                "step": state["step"],
                "loss": float(loss),
                **parts,
                "lr": lr,
                "elapsed": round(elapsed, 1),
            }
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
        done = (args.steps and state["step"] >= args.steps) or elapsed >= budget
        if done or time.time() - last_val >= args.val_every:
            metrics = evaluate(model, val, params)
            if state.get("frozen_norms"):
                freeze_norms(model)
            rec = {"step": state["step"], "val": metrics, "elapsed": round(elapsed, 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            if metrics["f1"] > state["best_f1"]:
                state["best_f1"] = metrics["f1"]
                save(args.run / "best.pt", model, opt, state)
            last_val = time.time()
        if done or time.time() - last_ckpt >= args.ckpt_every:
            save(last, model, opt, state)
            last_ckpt = time.time()
        if done:
            break
    log.close()
    return metrics


if __name__ == "__main__":
    main()
