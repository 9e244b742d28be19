"""Streams of synthetic training batches, and a fixed validation set on held-out fonts.

Each DataLoader worker renders whole batches: it draws 4 batches' worth of lines,
sorts them by width and cuts them into batches (less padding), then tensorizes with
the core's ``to_batch`` so training sees exactly what inference feeds the model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
import torch
from ocr_core.charset import Charset
from ocr_core.tensorize import InputSpec, resize_line, to_batch
from torch.utils.data import IterableDataset, get_worker_info

from ocr_train.corpus import load as load_corpus
from ocr_train.fonts import load_pack
from ocr_train.render import pick_font, synth_line
from ocr_train.textgen import TextSampler

cv2.setNumThreads(1)


@dataclass
class Batch:
    x: torch.Tensor  # (N, 1, H, W) float32
    frames: torch.Tensor  # (N,) int64 valid output frames
    targets: torch.Tensor  # (sum L,) int64 concatenated labels
    target_lengths: torch.Tensor  # (N,)
    texts: list[str]

    def pin_memory(self) -> Batch:
        """Called by the DataLoader's pinning thread when training on a GPU."""
        self.x = self.x.pin_memory()
        return self


def make_batch(crops: list[np.ndarray], texts: list[str], charset: Charset, spec: InputSpec) -> Batch:
    x, frames = to_batch(crops, spec)
    labels = [charset.encode(t) for t in texts]
    return Batch(
        torch.from_numpy(x),
        torch.from_numpy(frames),
        torch.tensor([i for lab in labels for i in lab], dtype=torch.long),
        torch.tensor([len(lab) for lab in labels], dtype=torch.long),
        texts,
    )


def fits(crop: np.ndarray, text: str, spec: InputSpec) -> bool:
    """CTC needs at least one frame per label plus one between repeated labels."""
    frames = resize_line(crop, spec).shape[1] // spec.stride
    repeats = sum(1 for a, b in pairwise(text) if a == b)
    return frames >= len(text) + repeats + 1


class SyntheticLines(IterableDataset):
    """Endless width-bucketed batches; ``curriculum_samples`` lines until full difficulty."""

    def __init__(
        self,
        charset_file: Path,
        corpus_file: Path,
        font_dir: Path,
        batch_size: int,
        seed: int,
        start_samples: int = 0,
        curriculum_samples: int = 400_000,
        spec: InputSpec | None = None,
    ) -> None:
        self.charset_file, self.corpus_file, self.font_dir = charset_file, corpus_file, font_dir
        self.batch_size, self.seed = batch_size, seed
        self.start_samples, self.curriculum_samples = start_samples, curriculum_samples
        self.spec = spec or InputSpec()

    def __iter__(self):  # type: ignore[no-untyped-def]
        info = get_worker_info()
        wid, nworkers = (info.id, info.num_workers) if info else (0, 1)
        charset = Charset.from_file(self.charset_file)
        sampler = TextSampler(load_corpus(self.corpus_file), charset, self.seed * 1000 + wid)
        fonts = load_pack(self.font_dir, "train")
        rng = random.Random(self.seed * 7919 + wid)
        made = self.start_samples // nworkers
        while True:
            pool: list[tuple[np.ndarray, str]] = []
            while len(pool) < 4 * self.batch_size:
                progress = made * nworkers / max(1, self.curriculum_samples)
                _, text = sampler.sample(progress)
                font = pick_font(text, fonts, rng)
                if font is None:
                    continue
                try:
                    crop = synth_line(text, font, rng)
                except ValueError:
                    continue
                if fits(crop, text, self.spec):
                    pool.append((crop, text))
                    made += 1
            pool.sort(key=lambda p: p[0].shape[1] / p[0].shape[0])
            chunks = [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
            rng.shuffle(chunks)
            for chunk in chunks:
                yield make_batch([c for c, _ in chunk], [t for _, t in chunk], charset, self.spec)


def validation_set(
    charset: Charset, corpus_file: Path, font_dir: Path, n: int, seed: int = 12345
) -> list[tuple[np.ndarray, str, str]]:
    """Fixed (crop, text, kind) lines rendered only with held-out fonts."""
    sampler = TextSampler(load_corpus(corpus_file), charset, seed)
    fonts = load_pack(font_dir, "val")
    rng = random.Random(seed)
    out: list[tuple[np.ndarray, str, str]] = []
    while len(out) < n:
        kind, text = sampler.sample(1.0)
        font = pick_font(text, fonts, rng)
        if font is None:
            continue
        crop = synth_line(text, font, rng)
        out.append((crop, text, kind))
    return out


def cached_teacher_batch(
    items: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]], charset: Charset, spec: InputSpec
) -> tuple[Batch, torch.Tensor, torch.Tensor]:
    """A batch of cached lines plus their padded top-k teacher ids and probabilities (N, T, k)."""
    items = sorted(items, key=lambda it: it[0].shape[1])
    batch = make_batch([it[0] for it in items], [it[1] for it in items], charset, spec)
    t_max = int(batch.frames.max())
    k = items[0][2].shape[1]
    ids = torch.full((len(items), t_max, k), -1, dtype=torch.long)
    probs = torch.zeros((len(items), t_max, k), dtype=torch.float32)
    for i, (_, _, top_ids, top_p) in enumerate(items):
        t = min(t_max, top_ids.shape[0])
        ids[i, :t] = torch.from_numpy(top_ids[:t].astype(np.int64))
        probs[i, :t] = torch.from_numpy(top_p[:t].astype(np.float32))
    return batch, ids, probs
