"""A character n-gram language model over the recognizer's charset (numpy only).

Why: the network confuses shapes that the text around them tells apart (O and 0 in
"NO.", the hanzi 一 and the dash —, 间 and 闸). The beam decoder (``ocr_core.beam``)
lets this model choose among the characters the network itself proposes; it never
adds a character the network did not score.

File (``.npz``, built by ``python -m ocr_train.charlm``): a backoff model in ARPA form,
stored as sorted integer keys so a lookup is one ``searchsorted`` per order.
- ``uni_logp`` (V,), ``uni_bow`` (V,): unigram log-probabilities and the backoff weight of
  each one-character context; id 0 (the CTC blank) stands for the start of a line.
- for n = 2..order: ``keys{n}`` (int64 gaps between the sorted keys, ids in base V),
  ``logp{n}`` and ``bow{n}`` (uint8 counts of -LOG_STEP nats).
- ``meta``: JSON with ``order``, ``charset_sha1`` (must match the recognizer's charset),
  and the decoder settings ``ocr_train.tune_lm`` chose on rendered real prose (``weight``,
  ``bonus``, ``prior``, ``beam``, ``min_prob``, and ``tuned_on`` with the figures that chose them).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from ocr_core.charset import Charset
from ocr_core.errors import ModelError

BOS = 0  # the blank's id marks the start of a line in a context
LOG_STEP = 0.1  # stored log-probabilities and backoff weights: uint8 counts of -0.1 nat


def charset_sha1(charset: Charset) -> str:
    """Names the alphabet a model or LM was built for (the ONNX metadata key of the same name)."""
    return hashlib.sha1(charset.to_json().encode()).hexdigest()[:12]  # noqa: S324 - an id, not security


class CharLM:
    """Katz-style backoff lookups: log P(c | the last order-1 characters)."""

    def __init__(self, path: Path, charset: Charset) -> None:
        if not Path(path).exists():
            raise ModelError(f"language model file not found: {path}")
        with np.load(path, allow_pickle=False) as z:
            self.meta: dict[str, Any] = json.loads(str(z["meta"]))
            self.order = int(self.meta["order"])
            self.uni_logp = z["uni_logp"].astype(np.float32)
            self.uni_bow = z["uni_bow"].astype(np.float32)
            self.keys = {n: np.cumsum(z[f"keys{n}"]) for n in range(2, self.order + 1)}  # stored as gaps
            self.logp = {n: z[f"logp{n}"] * np.float32(-LOG_STEP) for n in range(2, self.order + 1)}
            self.bow = {n: z[f"bow{n}"] * np.float32(-LOG_STEP) for n in range(2, self.order)}
        if self.meta.get("charset_sha1") != charset_sha1(charset):
            raise ModelError(f"{path} was built for another charset than the recognizer's")
        if self.uni_logp.shape[0] != charset.num_classes:
            raise ModelError(f"{path} scores {self.uni_logp.shape[0]} classes, not {charset.num_classes}")
        self.v = charset.num_classes
        self.path = Path(path)
        self.size_bytes = Path(path).stat().st_size

    @staticmethod
    def fits(path: Path, charset: Charset) -> bool:
        """Whether the file at ``path`` was built for ``charset`` (reads its metadata only)."""
        with np.load(path, allow_pickle=False) as z:
            return bool(json.loads(str(z["meta"])).get("charset_sha1") == charset_sha1(charset))

    def _find(self, n: int, ids: tuple[int, ...]) -> int:
        """Row of the n-gram ``ids`` in order n's table, or -1."""
        key = 0
        for i in ids:
            key = key * self.v + i
        keys = self.keys[n]
        row = int(keys.searchsorted(key))
        return row if row < keys.shape[0] and int(keys[row]) == key else -1

    def _context_bow(self, context: tuple[int, ...]) -> float:
        if len(context) == 1:
            return float(self.uni_bow[context[0]])
        row = self._find(len(context), context)
        return float(self.bow[len(context)][row]) if row >= 0 else 0.0

    def score(self, context: tuple[int, ...], char: int) -> float:
        """Natural-log P(char | context); ``context`` holds the preceding ids, oldest first,
        starting with BOS at the start of a line (only its last order-1 ids are read)."""
        return float(self.score_many(context, np.array([char]))[0])

    def score_many(self, context: tuple[int, ...], chars: np.ndarray) -> np.ndarray:
        """``score`` for several next characters after one context, a few array operations in all
        (the beam asks for every candidate of a frame at once)."""
        chars = np.asarray(chars, np.int64)
        context = context[len(context) - (self.order - 1) :] if len(context) >= self.order else context
        out = np.empty(chars.shape[0], np.float32)
        todo = np.arange(chars.shape[0])
        backoff = 0.0
        while context:
            n = len(context) + 1
            base = 0
            for i in context:
                base = base * self.v + i
            keys = base * self.v + chars[todo]
            table = self.keys[n]
            rows = np.minimum(table.searchsorted(keys), table.shape[0] - 1)
            hit = table[rows] == keys
            out[todo[hit]] = backoff + self.logp[n][rows[hit]]
            todo = todo[~hit]
            if todo.size == 0:
                return out
            backoff += self._context_bow(context)
            context = context[1:]
        out[todo] = backoff + self.uni_logp[chars[todo]]
        return out
