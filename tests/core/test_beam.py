"""CTC prefix beam search with the character LM."""

import itertools
import math

import numpy as np
import pytest
from ocr_core.beam import BeamSettings, beam_decode, beam_line, frame_candidates, merge_sure_runs
from ocr_core.charset import Charset
from ocr_core.ctc import best_path, greedy_decode
from ocr_core.lm import CharLM
from ocr_core.recognizer import Recognizer

from tests.conftest import LM, MODEL


class FlatLM:
    """An LM with no opinion: every character equally likely (isolates the CTC part)."""

    order = 2
    uni_logp = np.zeros(16, np.float32)

    def score_many(self, context: tuple[int, ...], chars: np.ndarray) -> np.ndarray:
        return np.zeros(len(chars), np.float32)


class PairLM(FlatLM):
    """Prefers one character after another; everything else neutral."""

    def __init__(self, after: int, char: int) -> None:
        self.after, self.char = after, char

    def score_many(self, context: tuple[int, ...], chars: np.ndarray) -> np.ndarray:
        return np.array([0.0 if (context[-1], c) == (self.after, self.char) else -3.0 for c in chars])


def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(c for i, c in enumerate(path) if c != 0 and (i == 0 or path[i - 1] != c))


def test_without_lm_weight_the_beam_finds_the_most_probable_labelling():
    # given random per-frame distributions over blank + 2 characters
    rng = np.random.default_rng(0)
    for _ in range(20):
        logits = rng.normal(0, 1.5, (5, 3)).astype(np.float32)
        probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        # when every path is summed by brute force
        totals: dict[tuple[int, ...], float] = {}
        for path in itertools.product(range(3), repeat=5):
            label = _collapse(path)
            totals[label] = totals.get(label, 0.0) + math.prod(probs[t, c] for t, c in enumerate(path))
        best, best_p = best_path(logits[None])
        cands = frame_candidates(logits, best[0], best_p[0], min_prob=0.0)
        ids, _ = beam_line(cands, FlatLM(), BeamSettings(weight=0.0, bonus=0.0, beam=64, min_prob=0.0))
        # then the beam's labelling is the one with the largest total probability
        assert math.isclose(totals[ids], max(totals.values()), rel_tol=1e-6)


def _confusable(cs: Charset) -> np.ndarray:
    """N, then a frame the network reads as 0 (55%) or O (45%), then '.'."""
    n, zero, oh, dot = cs.encode("N0O.")
    logits = np.full((1, 5, cs.num_classes), -8.0, np.float32)
    logits[0, 0, n] = logits[0, 1, 0] = logits[0, 3, 0] = logits[0, 4, dot] = 8.0
    logits[0, 2, zero], logits[0, 2, oh] = math.log(0.55), math.log(0.45)
    return logits


def test_the_lm_settles_a_confusion_the_network_leaves_open():
    cs = Charset(list("N0O."))
    logits = _confusable(cs)
    assert greedy_decode(logits, np.array([5]), cs)[0].text == "N0."
    n, oh = cs.encode("NO")
    settings = BeamSettings(weight=1.0, bonus=0.0, beam=4)
    (d,) = beam_decode(logits, np.array([5]), cs, PairLM(n, oh), settings)  # type: ignore[arg-type]
    assert d.text == "NO."
    assert 0.4 < d.confidence < 1.0  # the network's own probabilities of the chosen characters


class VetoLM(FlatLM):
    """Finds one character after another all but impossible (the shipped LM on "Corp.,")."""

    def __init__(self, after: int, char: int) -> None:
        self.after, self.char = after, char

    def score_many(self, context: tuple[int, ...], chars: np.ndarray) -> np.ndarray:
        return np.array([-18.0 if (context[-1], c) == (self.after, self.char) else 0.0 for c in chars])


def test_the_floor_keeps_the_lm_from_deleting_a_mark_the_network_sees():
    # given "p" then a frame that is '.' at 85% (blank 15%), then ','
    cs = Charset(list("p.,"))
    p, dot, comma = cs.encode("p.,")
    logits = np.full((1, 5, cs.num_classes), -9.0, np.float32)
    logits[0, 0, p] = logits[0, 1, 0] = logits[0, 3, 0] = logits[0, 4, comma] = 9.0
    logits[0, 2, dot], logits[0, 2, 0] = math.log(0.85), math.log(0.15)
    lm = VetoLM(dot, comma)
    # when the LM's veto is unbounded, the beam drops the period
    free = BeamSettings(weight=0.5, bonus=0.0, beam=4)
    assert beam_decode(logits, np.array([5]), cs, lm, free)[0].text == "p,"  # type: ignore[arg-type]
    # then a floor of 2 nats leaves the network's reading standing
    floored = BeamSettings(weight=0.5, bonus=0.0, beam=4, floor=2.0)
    assert beam_decode(logits, np.array([5]), cs, lm, floored)[0].text == "p.,"  # type: ignore[arg-type]


def test_a_sure_line_is_read_exactly_as_greedy():
    cs = Charset(list("ab"))
    logits = np.full((1, 6, cs.num_classes), -9.0, np.float32)
    for t, c in enumerate([1, 0, 2, 2, 0, 1]):
        logits[0, t, c] = 9.0
    expected = greedy_decode(logits, np.array([6]), cs)
    got = beam_decode(logits, np.array([6]), cs, PairLM(1, 1), BeamSettings(weight=5.0))  # type: ignore[arg-type]
    assert got == expected


def test_shipped_lm_matches_the_shipped_recognizer_and_carries_tuned_settings():
    rec = Recognizer(MODEL, lm_path=LM)
    assert rec.lm is not None and rec.beam is not None
    assert rec.lm.size_bytes < 4 * 1024 * 1024
    assert "tuned_on" in rec.lm.meta  # chosen by ocr_train.tune_lm, not defaults
    assert rec.beam.weight == rec.lm.meta["weight"]
    assert rec.beam.floor == rec.lm.meta["floor"]
    # the LM knows Chinese words and English casing
    cs = rec.charset

    def after(prev: str, char: str) -> float:
        return rec.lm.score((0, *cs.encode(prev)), cs.encode(char)[0])  # type: ignore[union-attr]

    assert after("空", "间") > after("空", "闸")
    assert after("N", "O") > after("N", "0")


def test_an_lm_for_another_charset_is_refused_unless_optional(tmp_path):
    import json

    from ocr_core.errors import ModelError

    path = tmp_path / "lm.npz"
    np.savez(path, meta=np.array(json.dumps({"order": 2, "charset_sha1": "0" * 12})),
             uni_logp=np.zeros(3, np.float32), uni_bow=np.zeros(3, np.float32),
             keys2=np.zeros(0, np.int64), logp2=np.zeros(0, np.float16))  # fmt: skip
    with pytest.raises(ModelError, match="another charset"):
        CharLM(path, Charset(list("ab")))
    assert not CharLM.fits(path, Charset(list("ab")))
    assert CharLM.fits(LM, Recognizer(MODEL).charset)


def test_engine_decodes_with_the_lm_by_default_and_greedy_on_request(tmp_path):
    from ocr_core.config import EngineConfig
    from ocr_core.engine import OcrEngine
    from ocr_core.errors import ModelError

    assert OcrEngine(EngineConfig(model_path=MODEL, lm_path=LM)).decoder_name == "beam+lm"
    assert OcrEngine(EngineConfig(model_path=MODEL, decoder="greedy")).decoder_name == "greedy"
    env = EngineConfig.from_env({"OCR_DECODER": "greedy", "OCR_LM_PATH": str(tmp_path / "lm.npz")})
    assert (env.decoder, env.lm_path, env.lm_request) == ("greedy", tmp_path / "lm.npz", (None, False))
    with pytest.raises(ModelError, match="language model file not found"):
        OcrEngine(EngineConfig(model_path=MODEL, decoder="beam", lm_path=tmp_path / "missing.npz"))
    with pytest.raises(ModelError, match="unknown decoder"):
        OcrEngine(EngineConfig(model_path=MODEL, decoder="viterbi"))


def test_folding_sure_runs_changes_no_reading():
    # given frames where runs of one sure class alternate with unsure frames
    rng = np.random.default_rng(1)
    folded = 0
    for _ in range(20):
        logits = np.full((12, 3), -9.0, np.float32)
        t = 0
        while t < 12:
            if rng.random() < 0.6:
                run = int(rng.integers(1, 4))
                logits[t : t + run, rng.integers(3)] = 9.0  # a run of sure frames
                t += run
            else:
                logits[t] = rng.normal(0, 1.0, 3)
                t += 1
        best, best_p = best_path(logits[None])
        cands = frame_candidates(logits, best[0], best_p[0], min_prob=1e-6)
        folded += len(cands) - len(merge_sure_runs(cands))
        settings = BeamSettings(weight=0.0, bonus=0.0, beam=64, min_prob=1e-6)
        # then the beam reads what an unfolded exhaustive search reads
        totals: dict[tuple[int, ...], float] = {}
        probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        choices = [[c for c in range(3) if probs[t, c] > 1e-6] for t in range(12)]
        for path in itertools.product(*choices):
            label = _collapse(path)
            totals[label] = totals.get(label, 0.0) + math.prod(probs[t, c] for t, c in enumerate(path))
        ids, _ = beam_line(cands, FlatLM(), settings)  # type: ignore[arg-type]
        assert math.isclose(totals[ids], max(totals.values()), rel_tol=1e-4)
    assert folded > 20  # the runs were folded
