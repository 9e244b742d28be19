"""CTC prefix beam search with a character n-gram LM (shallow fusion), in numpy + Python.

Why: greedy best-path decoding takes the network's top class frame by frame, so a shape it
finds ambiguous (O/0, 一/—) is settled by pixels alone. The beam keeps the few readings the
network itself finds plausible and lets the LM (``ocr_core.lm``) weigh them:
score = log P_ctc(prefix) + weight * sum(max(log P_lm(c | before) - prior * log P_lm(c), -floor))
+ bonus * len(prefix). The ``prior`` term divides out the character frequencies that the network's
posteriors already carry from its training text (the density-ratio form of shallow fusion), so the
LM rewards a character for fitting its context rather than for being common. The ``floor`` bounds
the LM's veto: its text holds almost no "Corp.,", and unbounded it deleted the period (and the
apostrophe of "Guarendi's") where the network read them as its top class.

Only classes with at least ``min_prob`` probability in a frame are expanded, and a line whose
every frame is that sure of one class is returned from the greedy path unchanged, so clean
lines cost nothing extra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ocr_core.charset import BLANK, Charset
from ocr_core.ctc import Decoded, best_path, decode_path
from ocr_core.lm import BOS, CharLM

NEG_INF = -math.inf


@dataclass(frozen=True)
class BeamSettings:
    """Decoder settings; the LM file carries the values ``ocr_train.tune_lm`` chose on real prose."""

    weight: float = 0.5  # LM weight
    bonus: float = 1.0  # per-character bonus: offsets the LM's cost of every character
    prior: float = 0.0  # share of the LM's unigram log-probability taken back out (0: plain fusion)
    beam: int = 8  # prefixes kept per frame
    min_prob: float = 0.01  # a class is a candidate in a frame from this probability on
    floor: float = math.inf  # the LM may lower a character by at most this many nats (before weight)

    @classmethod
    def from_lm(cls, lm: CharLM) -> BeamSettings:
        base = cls()
        meta = lm.meta
        return cls(
            float(meta.get("weight", base.weight)),
            float(meta.get("bonus", base.bonus)),
            float(meta.get("prior", base.prior)),
            int(meta.get("beam", base.beam)),
            float(meta.get("min_prob", base.min_prob)),
            float(meta.get("floor", base.floor)),
        )


def _lse(a: float, b: float) -> float:
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    hi = max(a, b)
    return hi + math.log1p(math.exp(-abs(a - b)))


def frame_candidates(
    logits: np.ndarray, best: np.ndarray, best_p: np.ndarray, min_prob: float
) -> list[list[tuple[int, float, float]]]:
    """Per frame of one line: (class, log p, p) for every class with p >= min_prob.

    Frames whose best class already holds more than 1 - min_prob need no softmax: nothing
    else can reach min_prob there.
    """
    out: list[list[tuple[int, float, float]]] = [
        [(int(c), math.log(max(float(p), 1e-30)), float(p))] for c, p in zip(best, best_p, strict=True)
    ]
    unsure = np.flatnonzero(best_p <= 1.0 - min_prob)
    if unsure.size:
        block = logits[unsure].astype(np.float32, copy=False)  # (U, C)
        e = np.exp(block - block.max(axis=-1, keepdims=True))
        probs = e / e.sum(axis=-1, keepdims=True)
        rows_all = np.arange(unsure.size)
        probs[rows_all, best[unsure]] = np.maximum(probs[rows_all, best[unsure]], min_prob)
        rows, cols = np.nonzero(probs >= min_prob)  # the best class always, even in a flat frame
        for r in range(unsure.size):
            out[int(unsure[r])] = []
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            p = float(probs[r, c])
            out[int(unsure[r])].append((c, math.log(p), p))
    return out


def merge_sure_runs(cands: list[list[tuple[int, float, float]]]) -> list[list[tuple[int, float, float]]]:
    """Fold each run of frames that share one sole candidate into its first frame.

    Exact: after the first frame of such a run every prefix ends in that class with all its
    mass in one state (blank, or the class held over frames), so the later frames only add
    their log-probability. The first frame's probability stays the one confidence reads.
    """
    out: list[list[tuple[int, float, float]]] = []
    for frame in cands:
        if len(frame) == 1 and out and len(out[-1]) == 1 and out[-1][0][0] == frame[0][0]:
            c, lp, p = out[-1][0]
            out[-1] = [(c, lp + frame[0][1], p)]
        else:
            out.append(frame)
    return out


def beam_line(
    cands: list[list[tuple[int, float, float]]], lm: CharLM, settings: BeamSettings
) -> tuple[tuple[int, ...], float]:
    """Best prefix (class ids) of one line and the mean probability of its emitting frames."""
    cands = merge_sure_runs(cands)
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, NEG_INF)}
    lm_score: dict[tuple[int, ...], float] = {(): 0.0}
    conf: dict[tuple[int, ...], float] = {(): 0.0}
    by_context: dict[tuple[int, ...], dict[int, float]] = {}  # fused LM term per context and char
    ctx_len = lm.order - 1

    def fused(prefix: tuple[int, ...], chars: list[int]) -> dict[int, float]:
        """weight * (log P(c | prefix) - prior * log P(c)) + bonus for each of ``chars``."""
        ctx = (BOS, *prefix)[-ctx_len:]
        known = by_context.setdefault(ctx, {})
        missing = [c for c in chars if c not in known]
        if missing:
            ids = np.array(missing)
            terms = np.maximum(lm.score_many(ctx, ids) - settings.prior * lm.uni_logp[ids], -settings.floor)
            known.update(zip(missing, (settings.weight * terms + settings.bonus).tolist(), strict=True))
        return known

    def extend(prefix: tuple[int, ...], c: int, p: float, term: float) -> tuple[int, ...]:
        new = (*prefix, c)
        if new not in lm_score:
            lm_score[new] = lm_score[prefix] + term
            conf[new] = conf[prefix] + p
        else:
            conf[new] = max(conf[new], conf[prefix] + p)
        return new

    for frame in cands:
        nxt: dict[tuple[int, ...], list[float]] = {}
        chars = [c for c, _, _ in frame if c != BLANK]
        for prefix, (pb, pnb) in beams.items():
            total = _lse(pb, pnb)
            last = prefix[-1] if prefix else -1
            terms = fused(prefix, chars) if chars else {}
            for c, lp, p in frame:
                if c == BLANK:
                    slot = nxt.setdefault(prefix, [NEG_INF, NEG_INF])
                    slot[0] = _lse(slot[0], total + lp)
                elif c == last:
                    slot = nxt.setdefault(prefix, [NEG_INF, NEG_INF])
                    slot[1] = _lse(slot[1], pnb + lp)  # the same character held over frames
                    if pb != NEG_INF:  # a blank between: the character again
                        slot = nxt.setdefault(extend(prefix, c, p, terms[c]), [NEG_INF, NEG_INF])
                        slot[1] = _lse(slot[1], pb + lp)
                else:
                    slot = nxt.setdefault(extend(prefix, c, p, terms[c]), [NEG_INF, NEG_INF])
                    slot[1] = _lse(slot[1], total + lp)
        ranked = sorted(nxt.items(), key=lambda kv: _lse(kv[1][0], kv[1][1]) + lm_score[kv[0]], reverse=True)
        beams = {k: (v[0], v[1]) for k, v in ranked[: settings.beam]}
    best = max(beams, key=lambda k: _lse(*beams[k]) + lm_score[k])
    return best, (conf[best] / len(best) if best else 0.0)


def beam_decode(
    logits: np.ndarray, lengths: np.ndarray, charset: Charset, lm: CharLM, settings: BeamSettings
) -> list[Decoded]:
    """Decode a batch of (N, T, C) logits; lines the network reads without doubt stay greedy."""
    best, best_p = best_path(logits)  # (N, T) each
    out: list[Decoded] = []
    for n in range(best.shape[0]):
        t_len = int(lengths[n])
        path, p = best[n, :t_len], best_p[n, :t_len]
        if t_len == 0 or bool((p > 1.0 - settings.min_prob).all()):
            out.append(decode_path(path, p, charset))
            continue
        cands = frame_candidates(logits[n, :t_len], path, p, settings.min_prob)
        ids_beam, conf = beam_line(cands, lm, settings)
        if not ids_beam:
            conf = float(p.mean())
        out.append(Decoded(charset.decode_ids(ids_beam), conf))
    return out
