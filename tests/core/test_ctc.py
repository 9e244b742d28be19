import numpy as np
from ocr_core.charset import Charset
from ocr_core.ctc import emitted, greedy_decode


def _logits(paths: list[list[int]], classes: int, t: int) -> np.ndarray:
    out = np.full((len(paths), t, classes), -5.0, np.float32)
    for n, path in enumerate(paths):
        for i, c in enumerate(path):
            out[n, i, c] = 5.0
        for i in range(len(path), t):
            out[n, i, 0] = 5.0
    return out


def test_collapses_repeats_and_blanks():
    cs = Charset(list("ab"))
    logits = _logits([[1, 1, 0, 1, 2, 2, 0, 0]], cs.num_classes, 8)
    (d,) = greedy_decode(logits, np.array([8]), cs)
    assert d.text == "aab"
    assert 0.9 < d.confidence <= 1.0


def test_respects_lengths_and_batch():
    cs = Charset(list("ab"))
    logits = _logits([[1, 0, 2], [2, 2, 2]], cs.num_classes, 6)
    logits[0, 4, 1] = 50.0  # beyond item 0's length: must be ignored
    out = greedy_decode(logits, np.array([3, 6]), cs)
    assert [d.text for d in out] == ["ab", "b"]


def test_empty_line_has_low_confidence_only_when_unsure():
    cs = Charset(list("ab"))
    logits = np.zeros((1, 4, cs.num_classes), np.float32)
    (d,) = greedy_decode(logits, np.array([4]), cs)
    assert d.text == ""
    assert abs(d.confidence - 1 / 3) < 1e-5


def test_best_path_matches_a_full_softmax_across_frame_blocks():
    from ocr_core.ctc import FRAME_CHUNK, best_path

    rng = np.random.default_rng(0)
    logits = (rng.standard_normal((3, 2 * FRAME_CHUNK + 5, 50)) * 4).astype(np.float32)
    shifted = np.exp(logits - logits.max(-1, keepdims=True))
    probs = shifted / shifted.sum(-1, keepdims=True)
    best, best_p = best_path(logits)
    np.testing.assert_array_equal(best, probs.argmax(-1))
    np.testing.assert_allclose(best_p, probs.max(-1), rtol=1e-5)


def test_emitted_is_the_ctc_best_path_rule():
    """The rule the teacher check applies to PP-OCRv4's cached paths, shared with the decoder."""
    path = np.array([0, 3, 3, 0, 3, 5, 5, 0])
    assert path[emitted(path)].tolist() == [3, 3, 5]
