"""End-to-end page scoring on synthetic pages runs the engine and its own scorers."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")


def test_pages_are_read_and_scored_through_the_engine(tiny_assets, capsys):
    from ocr_train import page_eval

    root, _ = tiny_assets
    args = ["--pages", "3", "--kinds", "document", "--scale", "2", "--set", "isolate=false"]
    args += ["--det", "line_height=0.9"]
    args += ["--charset", str(root / "charset.json"), "--corpus", str(root / "corpus.json")]
    result = page_eval.main([*args, "--fonts", str(root / "fonts")])
    assert result["pages"] == 3 and result["lines"] > 3
    assert 0.0 <= result["line_recall"] <= 1.0 and result["page_cer"] > 0.0
    out = capsys.readouterr().out
    assert '"set": ["isolate=false"]' in out and '"det": ["line_height=0.9"]' in out


def test_pages_scale_with_their_quads(tiny_assets):
    from ocr_train.page_eval import eval_pages

    root, _ = tiny_assets
    paths = dict(charset=root / "charset.json", corpus=root / "corpus.json", fonts=root / "fonts")
    one, two = eval_pages(2, scale=1.0, **paths), eval_pages(2, scale=2.0, **paths)
    for a, b in zip(one, two, strict=True):
        assert b.image.shape == (2 * a.image.shape[0], 2 * a.image.shape[1]) and b.texts == a.texts
        assert all((qb == 2 * qa).all() for qa, qb in zip(a.quads, b.quads, strict=True))


def test_bilevel_pages_hold_two_levels_and_keep_their_quads(tiny_assets):
    import numpy as np
    from ocr_train.page_eval import eval_pages

    root, _ = tiny_assets
    paths = dict(charset=root / "charset.json", corpus=root / "corpus.json", fonts=root / "fonts")
    gray, one_bit = eval_pages(2, **paths), eval_pages(2, bilevel=True, **paths)
    for a, b in zip(gray, one_bit, strict=True):
        assert set(np.unique(b.image)) <= {0, 255} and b.image.shape == a.image.shape
        assert b.texts == a.texts and all((qa == qb).all() for qa, qb in zip(a.quads, b.quads, strict=True))


def test_unknown_config_fields_are_refused():
    from ocr_core.config import EngineConfig
    from ocr_core.textdet import DetParams
    from ocr_train.page_eval import _override

    config = _override(EngineConfig(), ["isolate=0", "det_merge_gap=0.8", "model_path=/tmp/m.onnx"])
    assert config.det_merge_gap == 0.8 and config.isolate is False
    assert config.model_path == Path("/tmp/m.onnx")
    assert _override(DetParams(), ["line_height=0.7", "max_side=640"]).max_side == 640
    with pytest.raises(SystemExit, match="EngineConfig has no field"):
        _override(EngineConfig(), ["colour=blue"])
