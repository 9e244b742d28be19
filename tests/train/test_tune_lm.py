"""The decoder tuning's shortcut: narrowing cached candidates equals extracting them narrower."""

import numpy as np
from ocr_core.beam import frame_candidates
from ocr_core.ctc import best_path
from ocr_train.tune_lm import restrict


def test_restrict_matches_frame_candidates_at_the_higher_bar():
    rng = np.random.default_rng(4)
    logits = rng.normal(0, 2.5, (40, 12)).astype(np.float32)
    logits[::3, 0] += 9.0  # some sure frames
    best, best_p = best_path(logits[None])
    wide = frame_candidates(logits, best[0], best_p[0], 0.01)
    for bar in (0.02, 0.05, 0.2):
        narrow = frame_candidates(logits, best[0], best_p[0], bar)
        got = restrict(("", wide), bar)[1]
        assert [[c for c, _, _ in f] for f in got] == [[c for c, _, _ in f] for f in narrow]
