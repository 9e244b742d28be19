"""The character LM builder: a backoff model whose conditional distributions sum to one."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from ocr_core.charset import Charset
from ocr_core.lm import CharLM, charset_sha1
from ocr_train.charlm import build, count, encode_lines


def _save(tmp_path: Path, charset: Charset, arrays: dict, order: int) -> Path:
    path = tmp_path / "lm.npz"
    meta = {"order": order, "charset_sha1": charset_sha1(charset)}
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
    return path


def test_counts_never_span_a_line_start():
    cs = Charset(list("ab"))
    stream = encode_lines(["ab", "ba"], cs)  # BOS a b BOS b a
    keys, counts = count(stream, 2, cs.num_classes)
    grams = {(int(k) // 3, int(k) % 3): int(c) for k, c in zip(keys, counts, strict=True)}
    assert grams == {(0, 1): 1, (1, 2): 1, (0, 2): 1, (2, 1): 1}  # no (b, BOS)


@pytest.mark.parametrize("order", [3, 4])
def test_every_context_is_a_distribution(tmp_path, order):
    # given an unpruned model of a small text
    cs = Charset(list("abcN0O. "))
    lines = ["NO. abc", "abca NO.", "cab N0 ab", "aab NO", "b.a"] * 3
    arrays = build(encode_lines(lines, cs), cs.num_classes, order, (1,) * (order - 1))
    lm = CharLM(_save(tmp_path, cs, arrays, order), cs)
    ids = range(1, cs.num_classes)
    # then P(. | context) sums to 1 for seen, unseen and line-start contexts alike
    contexts = [(0,), (0, cs.encode("N")[0]), tuple(cs.encode("ab")), tuple(cs.encode("c.")), (0, 8)]
    contexts += [tuple(cs.encode("abc")), (0, *cs.encode("NO")), tuple(cs.encode("b.a"))]
    for ctx in contexts:
        total = sum(math.exp(lm.score(ctx, c)) for c in ids)
        assert abs(total - 1.0) < 0.06, (ctx, total)  # log-probabilities stored in 0.1-nat steps
    # and the text decides between look-alikes
    n = cs.encode("N")[0]
    assert lm.score((0, n), cs.encode("O")[0]) > lm.score((0, n), cs.encode("0")[0])


def test_pruning_keeps_the_contexts_of_kept_ngrams(tmp_path):
    cs = Charset(list("abc"))
    arrays = build(encode_lines(["abc"] * 5 + ["cab"], cs), cs.num_classes, 3, (6, 2))
    v = cs.num_classes
    abc = (1 * v + 2) * v + 3
    assert abc in set(np.cumsum(arrays["keys3"]).tolist())  # stored as gaps
    # (a, b) is below the bigram count, and kept as the context of (a, b, c)
    assert 1 * v + 2 in set(np.cumsum(arrays["keys2"]).tolist())


def test_english_lines_carry_quotes_and_typeset_apostrophes():
    import string

    pytest.importorskip("wordfreq")
    from ocr_train.charlm import LineSource

    charset = Charset(list(string.printable[:95]) + list("\u2018\u2019\u201c\u201d中国人"))
    source = LineSource(charset, 50, 3000, 1)
    lines = [source.en_line() for _ in range(1500)]
    assert sum('"' in t for t in lines) > 30 and sum("\u201c" in t and "\u201d" in t for t in lines) > 30
    assert sum("\u2019" in t for t in lines) > 30 and sum("'" in t for t in lines) > 30
