"""Greedy CTC decoding in numpy (used by inference and by training's validation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr_core.charset import BLANK, Charset


@dataclass(frozen=True)
class Decoded:
    text: str
    confidence: float


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=axis, keepdims=True)


def greedy_decode(logits: np.ndarray, lengths: np.ndarray, charset: Charset) -> list[Decoded]:
    """Best-path decode a batch.

    Args:
        logits: (N, T, C) raw scores; C = charset.num_classes, class 0 = blank.
        lengths: (N,) valid frames per item (padding frames are ignored).
        charset: the alphabet the model was trained with.

    Returns:
        One Decoded per item; confidence is the mean max-probability of the frames
        that emitted a character (a line of only blanks gets the mean blank probability).
    """
    probs = softmax(logits.astype(np.float32), axis=-1)  # (N, T, C)
    best = probs.argmax(axis=-1)  # (N, T)
    best_p = probs.max(axis=-1)  # (N, T)
    out: list[Decoded] = []
    for n in range(best.shape[0]):
        t_len = int(lengths[n])
        path = best[n, :t_len]
        p = best_p[n, :t_len]
        if t_len == 0:
            out.append(Decoded("", 0.0))
            continue
        keep = path != BLANK
        keep[1:] &= path[1:] != path[:-1]
        ids = path[keep]
        conf = float(p[keep].mean()) if ids.size else float(p.mean())
        out.append(Decoded(charset.decode_ids(ids.tolist()), conf))
    return out
