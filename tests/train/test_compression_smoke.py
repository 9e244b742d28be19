"""The compression study end to end on tiny models: every variant is built, exported and measured
through the benchmark's worker, and the report's rows and targets come from those measurements."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_pruning")
pytest.importorskip("onnxslim")
pytest.importorskip("rapidocr_onnxruntime")
onnx = pytest.importorskip("onnx")

from tests.conftest import EN_FONT, encode, render_lines  # noqa: E402
from tests.train.test_train_smoke import tiny_train_args  # noqa: E402


def _real_folder(root):
    """A one-page, two-line set in the layout of shared/data/real."""
    for part in ("pages", "lines"):
        (root / part).mkdir(parents=True)
        (root / part / "meta.tsv").write_text(
            "file\tlang\tkind\nx.png\ten\tdocument\ny.png\tzh\tscreenshot\n", encoding="utf-8"
        )
    page = ["Hello world 12", "Main St. 42"]
    (root / "pages" / "x.png").write_bytes(encode(render_lines(page, EN_FONT, size=36)))
    (root / "pages" / "labels.jsonl").write_text(json.dumps({"file": "x.png", "lines": page}) + "\n")
    (root / "lines" / "x.png").write_bytes(encode(render_lines(["Hello 12"], EN_FONT, size=40)))
    (root / "lines" / "y.png").write_bytes(encode(render_lines(["world"], EN_FONT, size=40)))
    (root / "lines" / "labels.tsv").write_text("x.png\tHello 12\ny.png\tworld\n", encoding="utf-8")
    return root


def test_study_builds_measures_and_reports_every_variant(tiny_assets, tmp_path):
    from ocr_train import compression, train
    from ocr_train.compress_report import chart, markdown
    from ocr_train.teacher_cache import build as build_pool

    root, _ = tiny_assets
    assets = {"charset": root / "charset.json", "corpus": root / "corpus.json", "fonts": root / "fonts"}
    start = tmp_path / "start"
    train.main(tiny_train_args(root, start, steps=2, batch=4, val_lines=4))
    pool = tmp_path / "pool"
    build_pool(
        pool,
        6,
        seed=3,
        topk=4,
        charset_file=assets["charset"],
        corpus_file=assets["corpus"],
        font_dir=assets["fonts"],
    )
    recipe = compression.Recipe(
        steps=2,
        long_steps=2,
        baseline_steps=1,
        batch=4,
        rank=4,
        sweep=((0.5, 2.0), (0.8, 4.0)),
        own_lines=4,
        val_lines=4,
        prose_lines=4,
        pool=pool,
        work=tmp_path / "work",
        start=start / "last.pt",
        baseline_channels=(16, 16, 32, 32, 32, 32),
        baseline_feature=32,
        baseline_hidden=32,
        calib_lines=8,
        **assets,
    )

    variants = compression.build(recipe)

    keys = [v.key for v in variants]
    assert keys[:3] == ["baseline", "start", "magnitude"]
    assert {
        "pruned25", "pruned50", "kd-a0.5-t2", "kd-a0.8-t4", "kd-own", "kd-parent", "mbv3",
        "lowrank-ctc", "kd-lowrank", "lowrank-ctc-slow", "kd-parent-lowrank", "kd-right-lowrank",
    } <= set(keys)  # fmt: skip
    best = keys[-1].removesuffix("-final")
    assert keys[-5:] == [f"{best}-{q}" for q in ("dynamic", "static", "hybrid", "ortfused", "final")]
    by = {v.key: v for v in variants}
    assert by["baseline"].params > by["start"].params > by["pruned50"].params
    assert by["magnitude"].nonzero < 0.6 * by["magnitude"].params
    assert all(v.onnx.exists() for v in variants)
    assert by[f"{best}-hybrid"].onnx.stat().st_size < by[best].onnx.stat().st_size
    # equal steps for every fine-tune; a second build reuses everything
    assert all(
        by[k].steps == 2
        for k in (
            "pruned25", "kd-a0.5-t2", "kd-own", "kd-parent", "mbv3", "lowrank-ctc", "kd-lowrank",
            "lowrank-ctc-slow", "kd-parent-lowrank", "kd-right-lowrank",
        )
    )  # fmt: skip
    # each distilled variant names its CTC-only twin, of the same size
    assert by["kd-lowrank"].control == "lowrank-ctc" and by["kd-parent"].control == "pruned25"
    assert by["kd-parent-lowrank"].control == by["kd-right-lowrank"].control == "lowrank-ctc-slow"
    assert by["kd-lowrank"].params == by["lowrank-ctc"].params == by["kd-parent-lowrank"].params
    # every FP32 variant's reads of the held-out lines; a fine-tune's agree with its training's validation
    fp32 = [v for v in variants if not v.source]  # the INT8 and rewritten ones name their source
    assert len(fp32) >= 15 and all(len(v.held["synthetic"]) == len(v.held["prose"]) == 4 for v in fp32)
    assert not any(v.held for v in variants if v.source)
    for v in (by["pruned25"], by["kd-parent"], by["kd-parent-lowrank"]):
        assert sum(v.held["synthetic"]) / 4 == pytest.approx(v.val["val_line_acc"])
    mtimes = {v.key: v.onnx.stat().st_mtime for v in variants}
    assert {v.key: v.onnx.stat().st_mtime for v in compression.build(recipe)} == mtimes

    rows = compression.measure(variants, _real_folder(tmp_path / "real"), repeat=2)
    assert [r["key"] for r in rows] == keys
    assert all(r["line_ms"] > 0 and r["rss_bytes"] > 0 and r["lines"]["all"]["n"] == 2 for r in rows)
    text = markdown(rows, recipe, repeat=2)
    assert text.count("\n| ") >= len(rows) + 5 + 4  # variant rows, targets, the original's table
    for target in ("≤ 1/8 of the baseline", "≤ 1/4 of the baseline", "< 200 MB", "≤ 1 point", "distillation"):
        assert any(
            target in line and ("**PASS**" in line or "**FAIL**" in line) for line in text.splitlines()
        )
    # one distillation target per student size: its control against the arm synthetic validation picks
    kd_lines = [line for line in text.splitlines() if line.startswith("| distillation gains")]
    controls = {v.control for v in variants if v.key.startswith("kd-")}
    assert len(kd_lines) == len(controls) == 3  # pruned25, lowrank-ctc, lowrank-ctc-slow
    for control in controls:
        arm = max((v for v in variants if v.control == control), key=lambda v: v.val["val_line_acc"])
        assert any(f"{arm.label} vs CTC alone ({by[control].label})" in line for line in kd_lines)
    # the paired section: one row per distilled arm with a twin, cells from the rows' per-line reads
    section = text.split("## Distillation at equal size")[1].split("## Targets")[0]
    arms = [v for v in variants if v.control]
    assert sum(line.startswith("| ") for line in section.splitlines()) == len(arms) + 1
    assert all(f"| {v.label} | {by[v.control].label} |" in section for v in arms)
    assert all(set(r["line_right"]) == {"x.png", "y.png"} for r in rows)
    chart(rows, tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"

    # shipping writes the final INT8 file under the product's name and its FP32 weights without
    # the optimizer's moments
    shipped = tmp_path / "shipped"
    (shipped / "ckpt").mkdir(parents=True)
    compression.ship_final(by[keys[-1]].onnx, Path(by[keys[-1]].ckpt), shipped)
    weights = torch.load(shipped / "ckpt" / "crnn_student_fp32.pt", weights_only=False)
    trained = torch.load(by[best].ckpt, weights_only=False)
    assert "optimizer" not in weights and weights["model"].keys() == trained["model"].keys()
    meta = {p.key: p.value for p in onnx.load(str(shipped / "crnn_int8.onnx")).metadata_props}
    assert meta["model_name"] == "crnn-zh-en-int8"

    # --variants: a run that fine-tunes the control and one candidate only, and says so
    narrow = replace(recipe, trained=("kd-parent",))
    some = [v.key for v in compression.build(narrow)]
    assert {"pruned25", "kd-parent"} <= set(some) and not {"pruned50", "kd-own", "mbv3"} & set(some)
    text = markdown([r for r in rows if r["key"] in some], narrow, repeat=2)
    assert "fine-tuned only kd-parent" in text and "distillation gains" in text
