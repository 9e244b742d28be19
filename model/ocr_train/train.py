"""Train the CRNN on synthetic lines: resumable, wall-clock budgeted, logged.

    python -m ocr_train.train --run model/runs/main --budget-min 120            # CPU, background
    python -m ocr_train.train --run model/runs/main --resume --budget-min 60     # continue
    python -m ocr_train.train --run /tmp/smoke --tiny --steps 3                  # smoke test

Every ``--ckpt-every`` seconds the model, optimizer and counters go to
``RUN/last.pt`` (and ``RUN/best.pt`` when validation improves); ``RUN/log.jsonl``
gets one JSON record per log interval and per validation. With ``--teacher`` the loss
adds per-frame distillation from PP-OCRv4 (see teacher.py) once ``--distill-after``
steps have passed (CTC first leaves its plateau).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from ocr_core.charset import Charset
from ocr_core.ctc import greedy_decode
from ocr_core.metrics import score
from ocr_core.tensorize import InputSpec
from torch.utils.data import DataLoader

from ocr_train.crnn import MBV3_CHANNELS, Crnn, CrnnConfig
from ocr_train.data import Batch, SyntheticLines, cached_teacher_batch, make_batch, validation_set
from ocr_train.paths import CHARSET_FILE, CORPUS_FILE, FONT_PACK
from ocr_train.teacher import distill_loss, soft_targets


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True, help="run folder (checkpoints, log)")
    p.add_argument("--resume", action="store_true", help="continue from RUN/last.pt")
    p.add_argument("--init", type=Path, help="start from these weights (new optimizer and counters)")
    p.add_argument("--budget-min", type=float, default=60.0, help="wall-clock budget of this run")
    p.add_argument("--steps", type=int, default=0, help="stop after this many steps (0 = budget only)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=300)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (CPU)")
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--curriculum", type=int, default=400_000, help="samples until full difficulty")
    p.add_argument("--val-lines", type=int, default=1000)
    p.add_argument("--val-every", type=float, default=600.0, help="seconds between validations")
    p.add_argument("--ckpt-every", type=float, default=300.0, help="seconds between checkpoints")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--teacher", action="store_true", help="distil from PP-OCRv4's recognizer")
    p.add_argument("--teacher-onnx", type=Path, help="teacher file (default: the rapidocr wheel's)")
    p.add_argument(
        "--teacher-cache", type=Path, help="cached teacher pool (teacher_cache.py): CPU distillation"
    )
    p.add_argument("--cache-every", type=int, default=2, help="one cached-teacher batch every N steps")
    p.add_argument("--distill-after", type=int, default=2000)
    p.add_argument("--alpha", type=float, default=0.5, help="weight of the distillation loss")
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--hint", type=Path, help="FitNets hint: match this checkpoint's CNN features (MSE)")
    p.add_argument("--hint-weight", type=float, default=1.0)
    p.add_argument("--hint-copy-head", action="store_true", help="start the LSTM and head from --hint's")
    p.add_argument(
        "--hint-logits",
        type=float,
        default=0.0,
        help="weight A of per-frame distillation from --hint's own logits on the same batch (full "
        "distribution, online): loss = (1 - A) CTC + A KD",
    )
    p.add_argument("--hint-temperature", type=float, default=2.0)
    p.add_argument(
        "--hint-where-right",
        action="store_true",
        help="distil from --hint's logits only on the lines it reads exactly; its misreadings (text "
        "shapes it never saw) are left to CTC",
    )
    p.add_argument("--backbone", default="vgg", choices=["vgg", "mbv3"], help="a new model's CNN")
    p.add_argument("--head-rank", type=int, default=0, help="a new model's low-rank head (0 = full)")
    p.add_argument("--tiny", action="store_true", help="tiny network (smoke tests)")
    p.add_argument("--amp", action="store_true", help="bf16 autocast (GPU)")
    p.add_argument("--charset", type=Path, default=CHARSET_FILE)
    p.add_argument("--corpus", type=Path, default=CORPUS_FILE)
    p.add_argument("--fonts", type=Path, default=FONT_PACK)
    return p.parse_args(argv)


def model_config(charset: Charset, args: argparse.Namespace) -> CrnnConfig:
    """A new model's shape (a resumed or ``--init`` run takes its checkpoint's instead)."""
    extra = {"backbone": args.backbone, "head_rank": args.head_rank}
    if args.backbone == "mbv3":
        extra["channels"] = MBV3_CHANNELS
    if args.tiny:
        return CrnnConfig(
            num_classes=charset.num_classes,
            **{**extra, "channels": (8, 8, 16, 16, 16, 16)},
            feature=16,
            hidden=16,
        )
    return CrnnConfig(num_classes=charset.num_classes, **extra)


@torch.no_grad()
def read_lines(
    model: Crnn, lines: list, charset: Charset, spec: InputSpec, device: torch.device
) -> list[str]:
    """Greedy reads of (crop, text, kind) lines with the core's decoder, in the lines' order: the
    per-line answers a paired comparison of two models needs."""
    model.eval()
    order = sorted(range(len(lines)), key=lambda i: lines[i][0].shape[1] / lines[i][0].shape[0])
    preds: dict[int, str] = {}
    for i in range(0, len(order), 128):
        idx = order[i : i + 128]
        batch = make_batch([lines[j][0] for j in idx], [lines[j][1] for j in idx], charset, spec)
        logits = model(batch.x.to(device)).float().cpu().numpy()
        for j, d in zip(idx, greedy_decode(logits, batch.frames.numpy(), charset), strict=True):
            preds[j] = d.text
    model.train()
    return [preds[i] for i in range(len(lines))]


@torch.no_grad()
def evaluate(
    model: Crnn, val: list, charset: Charset, spec: InputSpec, device: torch.device
) -> dict[str, float]:
    """Greedy-decode the validation lines with the core's decoder; accuracy and CER per kind."""
    preds = read_lines(model, val, charset, spec, device)
    result = {f"val_{k}": v for k, v in score([(preds[i], val[i][1]) for i in range(len(val))]).items()}
    for kind in sorted({v[2] for v in val}):
        sub = score([(preds[i], val[i][1]) for i in range(len(val)) if val[i][2] == kind])
        result[f"val_{kind}_acc"] = sub["line_acc"]
    return result


def load_matching(model: torch.nn.Module, state: dict, prefixes: tuple[str, ...]) -> int:
    """Copy tensors whose name starts with one of ``prefixes`` and whose shape matches; returns the count."""
    own = model.state_dict()
    picked = {
        k: v for k, v in state.items() if k.startswith(prefixes) and k in own and own[k].shape == v.shape
    }
    model.load_state_dict(picked, strict=False)
    return len(picked)


def ctc_loss(logits: torch.Tensor, batch: Batch, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean CTC loss of (N, T, C) logits against the batch's labels; also the valid frames per item."""
    logp = F.log_softmax(logits.float(), dim=-1).permute(1, 0, 2)  # (T, N, C)
    frames = batch.frames.clamp(max=logp.shape[0])
    loss = F.ctc_loss(
        logp,
        batch.targets.to(device),
        frames.to(device),
        batch.target_lengths.to(device),
        blank=0,
        reduction="mean",
        zero_infinity=True,
    )
    return loss, frames


def read_right(
    logits: torch.Tensor, frames: torch.Tensor, texts: list[str], charset: Charset
) -> torch.Tensor:
    """(N,) 1 for each line whose greedy reading of ``logits`` is exactly its label, else 0."""
    decoded = greedy_decode(logits.detach().float().cpu().numpy(), frames.cpu().numpy(), charset)
    return torch.tensor([d.text == t for d, t in zip(decoded, texts, strict=True)], dtype=frames.dtype)


def lr_at(step: int, frac: float, args: argparse.Namespace) -> float:
    warm = min(1.0, (step + 1) / max(1, args.warmup))
    return args.lr * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def atomic_save(path: Path, payload: dict) -> None:
    """torch.save to a temporary file, then rename: a run killed mid-write leaves the old checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def save(path: Path, model: Crnn, opt: torch.optim.Optimizer, state: dict, args: argparse.Namespace) -> None:
    atomic_save(
        path,
        {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "config": model.cfg.to_dict(),
            "state": state,
            "args": {k: str(v) for k, v in vars(args).items()},
        },
    )


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    args.run.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = True
    device = torch.device(
        "cuda"
        if args.device == "auto" and torch.cuda.is_available()
        else ("cpu" if args.device == "auto" else args.device)
    )
    charset = Charset.from_file(args.charset)
    spec = InputSpec()
    ckpt = torch.load(args.run / "last.pt", map_location="cpu", weights_only=False) if args.resume else None
    init = torch.load(args.init, map_location="cpu", weights_only=False) if args.init else None
    source = ckpt or init
    cfg = CrnnConfig.from_dict(source["config"]) if source else model_config(charset, args)
    model = Crnn(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    state = {"step": 0, "samples": 0, "train_seconds": 0.0, "best_acc": -1.0}
    if ckpt:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        state.update(ckpt["state"])
    elif init:
        model.load_state_dict(init["model"])
    hint = None
    if args.hint:
        from ocr_train.export import load_model

        hint = load_model(args.hint)[0].to(device)
        for p in hint.parameters():
            p.requires_grad_(False)
        if args.hint_copy_head and not ckpt:
            copied = load_matching(model, hint.state_dict(), prefixes=("rnn.", "head."))
            print(f"copied {copied} recurrent/head tensors from the hint model", flush=True)
    teacher = None
    if args.teacher:
        from ocr_train.teacher import Teacher

        teacher = Teacher(charset, args.teacher_onnx).to(device)
    pool = None
    if args.teacher_cache:
        from ocr_train.teacher import sparse_distill_loss
        from ocr_train.teacher_cache import load_pool

        pool = load_pool(args.teacher_cache)
        pool_rng = np.random.default_rng(args.seed)
        print(f"teacher pool: {len(pool)} cached lines", flush=True)
    val = validation_set(charset, args.corpus, args.fonts, args.val_lines)
    dataset = SyntheticLines(
        args.charset,
        args.corpus,
        args.fonts,
        args.batch,
        args.seed + state["step"],
        start_samples=state["samples"],
        curriculum_samples=args.curriculum,
        spec=spec,
    )
    loader = DataLoader(
        dataset,
        batch_size=None,
        num_workers=args.workers,
        multiprocessing_context=mp.get_context("spawn") if args.workers > 0 else None,
        persistent_workers=args.workers > 0,
        prefetch_factor=4 if args.workers > 0 else None,
        pin_memory=device.type == "cuda",
    )
    log = (args.run / "log.jsonl").open("a", encoding="utf-8")
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"device={device} params={n_params:,} classes={cfg.num_classes} start_step={state['step']}",
        flush=True,
    )
    start = time.monotonic()
    budget = args.budget_min * 60
    last_ckpt = last_val = time.monotonic()
    run_steps, window_loss, window_kd, window_t = 0, 0.0, 0.0, time.monotonic()
    metrics: dict[str, float] = {}
    for batch in loader:
        elapsed = time.monotonic() - start
        if elapsed > budget or (args.steps and run_steps >= args.steps):
            break
        step = state["step"]
        for g in opt.param_groups:
            g["lr"] = lr_at(
                run_steps, max(elapsed / budget, run_steps / args.steps if args.steps else 0.0), args
            )
        x = batch.x.to(device, non_blocking=True)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=args.amp):
            features = model.features(x)  # once: the hint loss reads them too
            logits = model.classify(features)  # (N, T, C)
        loss, frames = ctc_loss(logits, batch, device)
        kd = torch.zeros((), device=device)
        if hint is not None:
            with torch.no_grad():
                target = hint.features(x)
            if args.hint_logits:
                with torch.no_grad():
                    hint_logits = hint.classify(target)
                    soft = soft_targets(hint_logits, args.hint_temperature)
                kd_frames = frames
                if args.hint_where_right:
                    kd_frames = frames * read_right(hint_logits, frames, batch.texts, charset)
                kd = distill_loss(logits, soft, kd_frames.to(device), None, args.hint_temperature)
                loss = (1 - args.hint_logits) * loss + args.hint_logits * kd
            if args.hint_weight:
                loss = loss + args.hint_weight * F.mse_loss(features.float(), target)
        if teacher is not None and step >= args.distill_after:
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=args.amp):
                soft = teacher.soft_targets(x, args.temperature)
            kd = distill_loss(logits, soft, frames.to(device), teacher.student_ids, args.temperature)
            loss = (1 - args.alpha) * loss + args.alpha * kd
        if pool is not None and step >= args.distill_after and step % args.cache_every == 0:
            picks = pool_rng.choice(len(pool), size=min(args.batch, len(pool)), replace=False)
            cb, ids, probs = cached_teacher_batch([pool[i] for i in picks], charset, spec)
            c_logits = model(cb.x.to(device))
            c_ctc, c_frames = ctc_loss(c_logits, cb, device)
            kd = sparse_distill_loss(
                c_logits, ids.to(device), probs.to(device), c_frames.to(device), args.temperature
            )
            loss = loss + (1 - args.alpha) * c_ctc + args.alpha * kd
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        state["step"] += 1
        state["samples"] += int(x.shape[0])
        run_steps += 1  # noqa: SIM113 - counts optimizer steps of this run only
        window_loss += loss.detach()
        window_kd += kd.detach()
        if run_steps % args.log_every == 0:
            now = time.monotonic()
            rec = {
                "step": state["step"],
                "samples": state["samples"],
                "loss": float(window_loss) / args.log_every,
                "kd": float(window_kd) / args.log_every,
                "lr": opt.param_groups[0]["lr"],
                "lines_per_s": args.log_every * args.batch / (now - window_t),
                "width": int(x.shape[-1]),
                "elapsed_min": (now - start) / 60,
            }
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            window_loss, window_kd, window_t = 0.0, 0.0, now
        if time.monotonic() - last_val > args.val_every:
            metrics = evaluate(model, val, charset, spec, device)
            rec = {"step": state["step"], "samples": state["samples"], **metrics}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            last_val = time.monotonic()
            if metrics["val_line_acc"] > state["best_acc"]:
                state["best_acc"] = metrics["val_line_acc"]
                save(args.run / "best.pt", model, opt, state, args)
        if time.monotonic() - last_ckpt > args.ckpt_every:
            save(args.run / "last.pt", model, opt, state, args)
            last_ckpt = time.monotonic()
    state["train_seconds"] += time.monotonic() - start
    metrics = evaluate(model, val, charset, spec, device)
    rec = {"step": state["step"], "samples": state["samples"], "final": True, **metrics}
    print(json.dumps(rec), flush=True)
    log.write(json.dumps(rec) + "\n")
    log.close()
    if metrics["val_line_acc"] > state["best_acc"]:
        state["best_acc"] = metrics["val_line_acc"]
        save(args.run / "best.pt", model, opt, state, args)
    save(args.run / "last.pt", model, opt, state, args)
    return metrics


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
