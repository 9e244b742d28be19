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
    assert 0.0 <= result["line_recall"] <= 1.0 and result["page_cer"] > 0.0 and 0.0 <= result["order"] <= 1.0
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


def test_reading_order_is_scored_over_consecutive_lines_found():
    import numpy as np
    from ocr_core.types import Box
    from ocr_train.page_eval import order_pairs

    def quad(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])

    # two columns of two lines, labelled column by column
    truth = [quad(0, 0, 90, 10), quad(0, 20, 90, 30), quad(110, 0, 200, 10), quad(110, 20, 200, 30)]
    by_columns = [Box(0, 0, 90, 10), Box(0, 20, 90, 30), Box(110, 0, 200, 10), Box(110, 20, 200, 30)]
    by_rows = [by_columns[i] for i in (0, 2, 1, 3)]
    assert order_pairs(truth, by_columns) == (3, 3)
    assert order_pairs(truth, by_rows) == (0, 3)  # across the columns: no line follows its own
    assert order_pairs(truth, by_columns[:1]) == (0, 0)  # lines not found count for nothing
    assert order_pairs(truth, [by_columns[0], Box(300, 0, 320, 10), by_columns[1]]) == (1, 1)  # junk between


def test_a_line_is_found_by_one_box_over_most_of_it():
    import numpy as np
    from ocr_core.types import Box
    from ocr_train.page_eval import found_boxes

    truth = [
        np.float32([[0, 0], [200, 0], [200, 10], [0, 10]]),
        np.float32([[0, 20], [90, 20], [90, 30], [0, 30]]),
    ]
    whole = [Box(0, 0, 200, 10), Box(0, 20, 90, 30)]
    assert found_boxes(truth, whole) == [0, 1]
    halves = [Box(0, 0, 95, 10), Box(105, 0, 200, 10), Box(0, 20, 90, 30)]
    assert found_boxes(truth, halves) == [2]  # a line broken in two pieces is not found
    assert found_boxes(truth, [Box(0, 0, 200, 30)]) == []  # nor two lines in one box
    assert found_boxes(truth, []) == []
