"""Greedy CTC decoding in numpy (used by inference and by training's validation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr_core.charset import BLANK, Charset


@dataclass(frozen=True)
class Decoded:
    text: str
    confidence: float


FRAME_CHUNK = 64  # frames per exp() pass: a (64, 7912) float32 block is 2 MB


def best_path(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame argmax class and its softmax probability, without a full (N, T, C) softmax.

    The probability of the best class is 1 / sum(exp(l - max)); the sum runs over blocks
    of frames, so a long batch's peak extra memory is one block, not two more copies of
    the logits (which on a page of long lines cost over 100 MB of RSS).
    """
    n, t, _ = logits.shape
    best = logits.argmax(axis=-1)
    best_p = np.empty((n, t), np.float32)
    for i in range(n):
        for j in range(0, t, FRAME_CHUNK):
            block = logits[i, j : j + FRAME_CHUNK].astype(np.float32, copy=False)
            top = block.max(axis=-1, keepdims=True)
            best_p[i, j : j + FRAME_CHUNK] = 1.0 / np.exp(block - top).sum(axis=-1)
    return best, best_p


def emitted(path: np.ndarray) -> np.ndarray:
    """Mask of the frames of a best path that emit a character: not blank, not a repeat of the last."""
    keep = path != BLANK
    keep[1:] &= path[1:] != path[:-1]
    return keep


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
    best, best_p = best_path(logits)  # (N, T) each
    return [decode_path(best[n, : int(t)], best_p[n, : int(t)], charset) for n, t in enumerate(lengths)]


def decode_path(path: np.ndarray, p: np.ndarray, charset: Charset) -> Decoded:
    """Collapse one line's best path; confidence as in ``greedy_decode``."""
    if path.size == 0:
        return Decoded("", 0.0)
    keep = emitted(path)
    ids = path[keep]
    conf = float(p[keep].mean()) if ids.size else float(p.mean())
    return Decoded(charset.decode_ids(ids.tolist()), conf)
