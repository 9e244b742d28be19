"""Line rendering: Chinese/Latin junctions drawn widened (autospacing) while the label keeps none."""

from __future__ import annotations

import random

import numpy as np
from ocr_train import render
from ocr_train.render import script_runs


def test_script_runs_cut_only_where_chinese_meets_latin_or_digits_unspaced():
    assert script_runs("rapid_layout项目是在RapidStructure仓库下的") == [
        "rapid_layout",
        "项目是在",
        "RapidStructure",
        "仓库下的",
    ]
    assert script_runs("2013年07月07日13:39开") == ["2013", "年", "07", "月", "07", "日", "13:39", "开"]
    assert script_runs("100%桑蚕丝") == ["100%桑蚕丝"]  # a sign is no letter or digit
    assert script_runs("iPhone 手机") == ["iPhone 手机"]  # already spaced: nothing to widen
    assert script_runs("中文") == ["中文"] and script_runs("plain English") == ["plain English"]


def _ink_width(mask: np.ndarray) -> int:
    cols = np.flatnonzero((mask > 40).any(axis=0))
    return int(cols[-1] - cols[0] + 1)


def test_autospaced_lines_are_wider_by_the_junction_gaps(tiny_assets, monkeypatch):
    from ocr_train.fonts import load_pack

    root, _ = tiny_assets
    font = next(f for f in load_pack(root / "fonts") if f.name == "wqy-microhei")
    text = "中国ABC大会123"  # three junctions
    widths = {}
    for name, share in (("tight", 0.0), ("autospaced", 1.0)):
        monkeypatch.setattr(render, "AUTOSPACE", share)
        found = set()
        for seed in range(40):  # lines that draw letter-spaced or faux bold are set aside
            rng = random.Random(seed)
            if rng.random() < 0.75:  # _text_mask's own first draw: no letter-spacing
                found.add(_ink_width(render._text_mask(text, font, 40, random.Random(seed))))
        widths[name] = found
    gap_lo, gap_hi = (3 * g * 40 for g in render.AUTOSPACE_EM)
    assert min(widths["autospaced"]) >= min(widths["tight"]) + gap_lo - 3
    assert max(widths["autospaced"]) <= max(widths["tight"]) + gap_hi + 3
