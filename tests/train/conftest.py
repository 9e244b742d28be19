"""Tiny training assets shared by the recognizer's and the detector's smoke tests."""

from __future__ import annotations

import json
import string

import pytest
from ocr_core.charset import Charset


@pytest.fixture(scope="session")
def tiny_assets(tmp_path_factory):
    from ocr_train import corpus as corpus_mod
    from ocr_train.fonts import build_pack

    root = tmp_path_factory.mktemp("tiny")
    chars = list(string.ascii_letters + string.digits + " .,:-") + list(
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可"
    )
    charset = Charset(chars)
    (root / "charset.json").write_text(charset.to_json(), encoding="utf-8")
    corpus = {
        "zh_words": [(w, 10.0) for w in ["中国", "我们", "大会", "生成", "出来", "时代", "地上"]],
        "en_words": corpus_mod.english_words(charset)[:200],
        "faker_zh": ["我们的大会", "中国人"],
        "faker_en": ["Hello world", "Apt. 12, Main St."],
    }
    (root / "corpus.json").write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
    build_pack(charset, root / "fonts", only={"wqy-microhei", "dejavu-sans", "wqy-zenhei", "free-serif"})
    return root, charset
