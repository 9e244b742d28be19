"""The synthetic line texts: running English prose and worksheet sums are drawn, inside the charset."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def sampler():
    import string

    from ocr_core.charset import Charset
    from ocr_train.textgen import TextSampler

    charset = Charset(list(string.printable[:95]) + list("\u2018\u2019\u201c\u201d×÷中国我们大会"))
    words = [
        "the",
        "house",
        "father",
        "daughter",
        "love",
        "time",
        "world",
        "book",
        "child",
        "tricycle",
        "said",
        "never",
        "even",
    ]
    corpus = {
        "zh_words": [("中国", 10.0), ("我们", 5.0), ("大会", 2.0)],
        "en_words": words,
        "faker_zh": ["我们的大会"],
        "faker_en": ["Hello world", "Apt. 12, Main St."],
    }
    return TextSampler(corpus, charset, 5)


def test_english_lines_carry_mid_word_apostrophes_and_quotes(sampler):
    english = [text for kind, text in (sampler.sample(1.0) for _ in range(3000)) if kind == "en"]
    assert len(english) > 300
    inside = [t for t in english if re.search(r"[A-Za-z]['\u2019][A-Za-z]", t)]  # didn't, it's, o'clock
    quoted = [t for t in english if re.search('["\u201c\u2018]', t)]
    assert 0.15 < len(inside) / len(english) < 0.7
    assert 0.03 < len(quoted) / len(english) < 0.3
    assert any("\u2019" in t for t in inside) and any("'" in t for t in inside)  # both apostrophes
    assert all("  " not in t and t == t.strip() for t in english)


def test_worksheet_sums_end_in_an_equals_sign_or_a_result(sampler):
    sums = [sampler._arithmetic() for _ in range(300)]
    pattern = re.compile(r"^[\d.]+ ?[×÷+\-x*/] ?[\d.]+ ?=( ?[\d.]+)?$")
    assert all(pattern.match(s) for s in sums), [s for s in sums if not pattern.match(s)][:5]
    assert sum("×" in s for s in sums) > 40
    assert all(sampler.charset.covers(s) for s in sums)


def test_english_lines_carry_abbreviations_and_broken_words_at_the_end(sampler):
    from ocr_train.textgen import ABBREVIATIONS

    english = [text for kind, text in (sampler.sample(1.0) for _ in range(3000)) if kind == "en"]
    abbreviated = [
        t for t in english if any(a in t.split(" ") or a + "," in t.split(" ") for a in ABBREVIATIONS)
    ]
    broken = [t for t in english if re.search(r"[A-Za-z]{2}-$", t)]
    assert 0.03 < len(abbreviated) / len(english) < 0.5
    assert any(re.search(r"\.,( |$)", t) for t in abbreviated)  # a period then a comma: "Corp.,"
    assert 0.02 < len(broken) / len(english) < 0.2
    stems = {t.rsplit(" ", 1)[-1][:-1].lstrip("\"\u201c\u2018'") for t in broken}
    words = (
        set(sampler.en_words)
        | {w.capitalize() for w in sampler.en_words}
        | {w.upper() for w in sampler.en_words}
    )
    assert all(any(w.startswith(s) for w in words) for s in stems)  # a word's start (or word + '-')
    assert len(stems - words) > 5  # most are cut inside the word
