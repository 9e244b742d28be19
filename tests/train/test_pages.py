"""Synthetic pages carry what each line says, and their layout knobs narrow what is drawn."""

from __future__ import annotations

import itertools
import random

import pytest

pytest.importorskip("torch")


def _render(root, n: int, **kwargs):
    from ocr_core.charset import Charset
    from ocr_train.corpus import load
    from ocr_train.fonts import load_pack
    from ocr_train.pages import render_page
    from ocr_train.textgen import TextSampler

    sampler = TextSampler(load(root / "corpus.json"), Charset.from_file(root / "charset.json"), 3)
    fonts = load_pack(root / "fonts", "train")
    rng = random.Random(3)
    return [render_page(sampler, fonts, rng, **kwargs) for _ in range(n)]


def test_every_quad_has_its_text(tiny_assets):
    root, charset = tiny_assets
    pages = _render(root, 8)
    assert sum(len(p.texts) for p in pages) > 20
    for page in pages:
        assert len(page.texts) == len(page.quads)
        assert all(t.strip() and set(t) <= set(charset.chars) for t in page.texts)


def test_defaults_draw_the_pages_they_always_drew(tiny_assets):
    # the training and validation pages of earlier runs stay reproducible (before cards were
    # added, the defaults were the first six kinds: ``kinds=KINDS[:6]`` draws those pages)
    from ocr_train.pages import KINDS, LEADING

    root, _ = tiny_assets
    plain, explicit = _render(root, 4), _render(root, 4, kinds=KINDS, leading=LEADING)
    for a, b in zip(plain, explicit, strict=True):
        assert (a.image == b.image).all() and a.texts == b.texts


def test_a_larger_canvas_holds_more_lines_of_the_same_type_sizes(tiny_assets):
    import numpy as np

    root, _ = tiny_assets
    plain = _render(root, 6, kinds=("document",))
    large = _render(root, 6, kinds=("document",), canvas=3.0)

    def share(pages) -> float:  # median line height / page height
        return float(np.median([np.ptp(q[:, 1]) / p.image.shape[0] for p in pages for q in p.quads]))

    assert sum(len(p.texts) for p in large) > 2.5 * sum(len(p.texts) for p in plain)  # 3x the rows
    assert share(large) < 0.8 * share(plain)  # rotated pages blur it: about 2x smaller on held-out pages


def test_tight_leading_sets_document_lines_closer(tiny_assets):
    root, _ = tiny_assets

    def gap_ratio(pages) -> float:  # blank between consecutive lines / line height, median
        import numpy as np

        gaps = []
        for p in pages:
            boxes = sorted((q[:, 1].min(), q[:, 1].max()) for q in p.quads)
            for (t0, b0), (t1, _) in itertools.pairwise(boxes):
                if t1 > b0:
                    gaps.append((t1 - b0) / (b0 - t0))
        return float(np.median(gaps))

    loose = _render(root, 6, kinds=("document",))
    tight = _render(root, 6, kinds=("document",), leading=(0.05, 0.15))
    assert gap_ratio(tight) < 0.5 * gap_ratio(loose)


def test_a_justified_line_is_wider_by_its_stretched_spaces_and_labelled_single_spaced(tiny_assets):
    import numpy as np
    from ocr_train.fonts import load_pack
    from ocr_train.pages import _Canvas, _spread_mask

    root, _ = tiny_assets
    font = next(f for f in load_pack(root / "fonts", "train") if "dejavu" in f.name)
    text = "one two three four"

    def ink_width(mask: np.ndarray) -> int:
        cols = np.flatnonzero((mask > 60).any(axis=0))
        return int(cols[-1] - cols[0] + 1)

    plain, loose = _spread_mask(text, font, 20, 0.0), _spread_mask(text, font, 20, 15.0)
    assert abs(ink_width(loose) - ink_width(plain) - 3 * 15) <= 2  # three spaces, 15 px each
    canvas = _Canvas(80, 600, random.Random(0))
    assert canvas.text(text, font, 20, 10, 10, spread=15.0) is not None
    assert canvas.texts == [text]  # the label keeps single spaces
    width = canvas.quads[0][:, 0].max() - canvas.quads[0][:, 0].min()
    assert abs(width - ink_width(loose)) <= 1  # the quad spans the stretched ink


def test_cards_hold_small_print_beside_larger_lines(tiny_assets):
    import numpy as np

    root, _ = tiny_assets
    pages = _render(root, 8, kinds=("card",))
    heights = [min(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[3] - q[0])) for p in pages for q in p.quads]
    assert len(heights) > 20 and all(len(p.texts) == len(p.quads) for p in pages)
    assert np.mean(np.array(heights) <= 12) > 0.3  # small print and captions: 7-11 px type
    assert max(heights) >= 16  # under a larger line or two


def test_magazines_are_drawn_only_when_asked_for_in_columns_on_one_baseline_grid(tiny_assets):
    import numpy as np
    from ocr_train.pages import KIND_WEIGHTS, KINDS

    assert KIND_WEIGHTS[KINDS.index("magazine")] == 0.0  # never among the training pages
    root, _ = tiny_assets
    pages = _render(root, 4, kinds=("magazine",))
    for page in pages:
        assert len(page.texts) == len(page.quads) >= 6
    # columns: on some page the texts run down one column, then jump back up to the next one's top
    jumps = [
        sum(b < a - 50 for a, b in itertools.pairwise([float(q[:, 1].min()) for q in page.quads]))
        for page in pages
    ]
    assert max(jumps) >= 1
    gaps = [  # one baseline grid: each column's rows start at the same heights as the first's
        np.diff(sorted(float(q[:, 1].min()) for q in page.quads)) for page in pages
    ]
    assert any((g < 3).sum() >= 3 for g in gaps)


def test_clean_pages_are_level_print_on_plain_paper(tiny_assets):
    import numpy as np

    root, _ = tiny_assets
    pages = _render(root, 6, kinds=("document", "magazine"), clean=True)
    assert sum(len(p.texts) for p in pages) > 10
    for page in pages:
        assert len(page.texts) == len(page.quads)
        assert np.median(page.image) == 250  # the paper, untouched by noise, blur or clutter
        for quad in page.quads:  # no tilt, turn or warp: every line's quad is its upright box
            assert set(quad[:, 0].tolist()) == {quad[0, 0], quad[1, 0]}
            assert set(quad[:, 1].tolist()) == {quad[0, 1], quad[2, 1]}


def test_prose_is_justified_word_by_word_and_drawn_only_when_asked_for(tiny_assets):
    import numpy as np
    from ocr_train.pages import KIND_WEIGHTS, KINDS

    assert KIND_WEIGHTS[KINDS.index("prose")] == 0.0  # never among the training pages
    root, _ = tiny_assets
    pages = _render(root, 4, kinds=("prose",), clean=True)
    texts = [t for p in pages for t in p.texts]
    assert len(texts) > 20 and all(len(p.texts) == len(p.quads) for p in pages)
    assert np.mean([" " in t for t in texts]) > 0.8  # running English words
    for page in pages:
        # justified: most lines end flush at their column's right edge (with two others, to 3 px)
        ends = np.array([float(q[:, 0].max()) for q in page.quads])
        flush = [(np.abs(ends - e) <= 3).sum() >= 3 for e in ends]
        assert np.mean(flush) >= 0.6, ends
