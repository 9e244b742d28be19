"""Cached teacher outputs for a fixed pool of synthetic lines (distillation on a CPU).

Online distillation triples the cost of a CPU training step (the teacher's forward pass
costs more than the student's step). So the teacher reads a fixed pool once, here, and
training reuses its per-frame top-k probabilities::

    python -m ocr_train.teacher_cache --out .cache/teacher_pool --lines 20000
    python -m ocr_train.train --run RUN --teacher-cache .cache/teacher_pool --distill-after 2000 ...

Alignment as in teacher.py: the crop is resized to the student's input (32 x W, W a
multiple of 4), and the teacher reads that crop resized to 48 x 2W, so teacher frame t
is student frame t (T = W/4).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import cv2
import numpy as np
from ocr_core.charset import Charset
from ocr_core.tensorize import InputSpec, resize_line

from ocr_train.paths import CACHE, CHARSET_FILE, CORPUS_FILE, FONT_PACK
from ocr_train.teacher import teacher_dictionary, teacher_onnx_path

SHARD = 2000


def class_map(charset: Charset, teacher_path: Path) -> np.ndarray:
    """Teacher class -> student class id (-1 where the student has no such character)."""
    chars = ["<blank>", *teacher_dictionary(teacher_path), " "]
    return np.array([0] + [charset.encode(c)[0] if c in charset else -1 for c in chars[1:]], np.int64)


def teacher_input(student_gray: np.ndarray) -> np.ndarray:
    """(32, W) uint8 student crop -> (1, 3, 48, 2W) float32 teacher input, same normalization."""
    w = student_gray.shape[1]
    big = cv2.resize(student_gray, (2 * w, 48), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    x = (big / 255.0 - 0.5) / 0.5
    return np.repeat(x[None, None], 3, axis=1)


def build(
    out: Path,
    lines: int,
    seed: int,
    topk: int,
    teacher_path: Path | None = None,
    charset_file: Path = CHARSET_FILE,
    corpus_file: Path = CORPUS_FILE,
    font_dir: Path = FONT_PACK,
) -> None:
    import onnxruntime as ort

    from ocr_train.corpus import load as load_corpus
    from ocr_train.fonts import load_pack
    from ocr_train.render import pick_font, synth_line
    from ocr_train.textgen import TextSampler

    teacher_path = teacher_path or teacher_onnx_path()
    charset = Charset.from_file(charset_file)
    cmap = class_map(charset, teacher_path)
    sess = ort.InferenceSession(str(teacher_path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    sampler = TextSampler(load_corpus(corpus_file), charset, seed)
    fonts = load_pack(font_dir, "train")
    rng = random.Random(seed)
    spec = InputSpec()
    out.mkdir(parents=True, exist_ok=True)
    for shard in range(0, lines, SHARD):
        crops: list[np.ndarray] = []
        texts: list[str] = []
        ids: list[np.ndarray] = []
        probs: list[np.ndarray] = []
        while len(crops) < min(SHARD, lines - shard):
            _, text = sampler.sample(1.0)
            font = pick_font(text, fonts, rng)
            if font is None:
                continue
            crop = resize_line(synth_line(text, font, rng), spec)  # (32, W)
            p = sess.run(None, {name: teacher_input(crop)})[0][0]  # (W/4, 6625), softmax
            top = np.argsort(-p, axis=1)[:, :topk]
            crops.append(crop)
            texts.append(text)
            ids.append(cmap[top].astype(np.int16))
            probs.append(np.take_along_axis(p, top, axis=1).astype(np.float16))
        save_shard(out / f"shard{shard // SHARD:04d}.npz", crops, texts, ids, probs)
        print(f"shard {shard // SHARD}: {len(crops)} lines", flush=True)


def save_shard(
    path: Path, crops: list[np.ndarray], texts: list[str], ids: list[np.ndarray], probs: list[np.ndarray]
) -> None:
    """One shard: crops (32, W), texts, per-frame top-k student ids (int16) and probabilities (fp16)."""
    tmp = path.with_name("." + path.name)  # not matched by load_pool's "shard*.npz"
    np.savez_compressed(
        tmp,
        pixels=np.concatenate([c.ravel() for c in crops]),
        widths=np.array([c.shape[1] for c in crops], np.int32),
        texts=np.array(texts, dtype=object),
        ids=np.concatenate(ids),
        probs=np.concatenate(probs),
        frames=np.array([i.shape[0] for i in ids], np.int32),
    )
    tmp.replace(path)  # a build stopped mid-write leaves no broken shard


def relabel(
    src: Path, out: Path, ckpt: Path, lines: int, topk: int = 8, charset_file: Path = CHARSET_FILE
) -> None:
    """The first ``lines`` cached lines of ``src``, labeled by one of our own CRNN checkpoints instead
    (the compression study's own-baseline teacher). Same crops, so the same frames."""
    import torch

    from ocr_train.data import make_batch
    from ocr_train.export import load_model

    model = load_model(ckpt)[0]
    charset = Charset.from_file(charset_file)
    spec = InputSpec()
    pool = load_pool(src)[:lines]
    out.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(pool), SHARD):
        items = pool[start : start + SHARD]
        ids: list[np.ndarray] = []
        probs: list[np.ndarray] = []
        for i in range(0, len(items), 32):
            chunk = items[i : i + 32]
            batch = make_batch([it[0] for it in chunk], [it[1] for it in chunk], charset, spec)
            with torch.no_grad():
                p = torch.softmax(model(batch.x), dim=-1)
            top_p, top_i = p.topk(topk, dim=-1)
            for j, t in enumerate(batch.frames.tolist()):
                ids.append(top_i[j, :t].numpy().astype(np.int16))
                probs.append(top_p[j, :t].numpy().astype(np.float16))
        save_shard(
            out / f"shard{start // SHARD:04d}.npz",
            [it[0] for it in items],
            [it[1] for it in items],
            ids,
            probs,
        )
        print(f"relabel shard {start // SHARD}: {len(items)} lines", flush=True)


def load_pool(folder: Path) -> list[tuple[np.ndarray, str, np.ndarray, np.ndarray]]:
    """All cached lines: (crop (32, W) uint8, text, top-k ids (T, k), top-k probs (T, k))."""
    pool = []
    for path in sorted(folder.glob("shard*.npz")):
        with np.load(path, allow_pickle=True) as z:  # each z[key] decompresses anew: read each once
            pixels, ids, probs = z["pixels"], z["ids"], z["probs"]
            meta = list(zip(z["widths"], z["texts"], z["frames"], strict=True))
        px_off = fr_off = 0
        for w, text, t in meta:
            crop = pixels[px_off : px_off + 32 * w].reshape(32, w)
            pool.append((crop, str(text), ids[fr_off : fr_off + t], probs[fr_off : fr_off + t]))
            px_off += 32 * w
            fr_off += t
    return pool


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=CACHE / "teacher_pool")
    p.add_argument("--lines", type=int, default=20000)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--topk", type=int, default=8)
    p.add_argument("--teacher-onnx", type=Path)
    args = p.parse_args()
    build(args.out, args.lines, args.seed, args.topk, args.teacher_onnx)


if __name__ == "__main__":
    main()
