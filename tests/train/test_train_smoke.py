"""Smoke tests of the training pipeline on a tiny config: text, rendering, steps, export, INT8.

Everything is built in a temporary folder from a small charset and two fonts, so the
test needs only the Debian fonts and the train extra, and finishes in about a minute.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ocr_core.config import EngineConfig  # noqa: E402
from ocr_core.engine import OcrEngine  # noqa: E402


def tiny_train_args(root, run, steps: int, batch: int, val_lines: int) -> list[str]:
    """CLI arguments of a tiny CPU training run on the temporary assets."""
    return [
        "--run", str(run), "--tiny", "--steps", str(steps), "--batch", str(batch), "--workers", "0",
        "--threads", "1", "--val-lines", str(val_lines), "--log-every", "2",
        "--charset", str(root / "charset.json"), "--corpus", str(root / "corpus.json"),
        "--fonts", str(root / "fonts"),
    ]  # fmt: skip


def test_sampler_stays_in_charset_and_reaches_rare_chars(tiny_assets):
    from ocr_train.corpus import load
    from ocr_train.textgen import KINDS, TextSampler

    root, charset = tiny_assets
    sampler = TextSampler(load(root / "corpus.json"), charset, seed=1)
    seen = set()
    kinds = set()
    for i in range(600):
        kind, text = sampler.sample(i / 600)
        assert text and charset.covers(text)
        seen |= set(text)
        kinds.add(kind)
    assert kinds == set(KINDS)
    assert len(seen) > 0.8 * len(charset)


def test_sampler_writes_the_shapes_real_lines_take(tiny_assets):
    """Given a charset with the dash and the underscore, the text holds the forms that real
    documents use and the first model misread: uppercase words beside Chinese labels, the
    doubled Chinese dash, identifiers from code."""
    import string

    from ocr_core.charset import Charset
    from ocr_train.corpus import load
    from ocr_train.textgen import TextSampler

    root, small = tiny_assets
    extra = "—…_°℃，。、；：？！“”（）《》【】·" + string.punctuation
    charset = Charset([*small.chars, *dict.fromkeys(c for c in extra if c not in small)])
    sampler = TextSampler(load(root / "corpus.json"), charset, seed=2)
    texts = {kind: [] for kind in ("caps", "zh", "mixed")}
    for _ in range(3000):
        kind, text = sampler.sample(1.0)
        if kind in texts:
            texts[kind].append(text)
    caps_words = [w for t in texts["caps"] for w in t.split() if w.isascii() and w.isalpha()]
    assert caps_words and all(w.isupper() for w in caps_words)
    assert any(not t.isascii() for t in texts["caps"])  # bilingual labels
    assert any("——" in t for t in texts["zh"])
    assert any("_" in t for t in texts["mixed"])


def test_render_matches_inference_preparation(tiny_assets):
    from ocr_train.fonts import load_pack
    from ocr_train.render import pick_font, synth_line

    root, _ = tiny_assets
    fonts = load_pack(root / "fonts", "train")
    rng = random.Random(0)
    font = pick_font("中国 Hello", fonts, rng)
    assert font is not None and font.cjk
    for _ in range(20):
        crop = synth_line("中国 Hello 12", font, rng)
        assert crop.ndim == 2 and crop.dtype == np.uint8 and min(crop.shape) > 0


def test_train_export_quantize_and_read(tiny_assets, tmp_path, monkeypatch):
    from ocr_train import export, train

    root, charset = tiny_assets
    run = tmp_path / "run"
    args = tiny_train_args(root, run, steps=6, batch=8, val_lines=16)
    metrics = train.main(args)
    assert metrics["val_cer"] >= 0.0
    log = [json.loads(r) for r in (run / "log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 6 and np.isfinite(log[0]["loss"])
    # resume continues the counters
    train.main([*args, "--resume", "--steps", "2"])
    assert torch.load(run / "last.pt", weights_only=False)["state"]["step"] == 8

    model, ckpt = export.load_model(run / "last.pt")
    fp32 = tmp_path / "tiny.fp32.onnx"
    export.export_fp32(model, fp32)
    assert export.verify(model, fp32) < 1e-3
    int8 = tmp_path / "tiny_int8.onnx"
    calib = [np.random.default_rng(0).uniform(-1, 1, (4, 1, 32, 96)).astype(np.float32)]
    export.quantize_hybrid(fp32, int8, calib)
    export.set_metadata(int8, export.metadata(charset, ckpt, "tiny-int8", "hybrid"))

    engine = OcrEngine(EngineConfig(model_path=int8))
    assert len(engine.recognizer.charset) == len(charset)
    result = engine.read_image(np.full((32, 200), 255, np.uint8), single_line=True)
    assert result.model == "tiny-int8"


def test_cached_teacher_pool_is_frame_aligned_and_trains(tiny_assets, tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    from ocr_core.tensorize import InputSpec
    from ocr_train import train
    from ocr_train.teacher_cache import build, load_pool

    root, charset = tiny_assets
    pool_dir = tmp_path / "pool"
    build(
        pool_dir,
        6,
        seed=3,
        topk=4,
        charset_file=root / "charset.json",
        corpus_file=root / "corpus.json",
        font_dir=root / "fonts",
    )
    pool = load_pool(pool_dir)
    assert len(pool) == 6
    for crop, text, ids, probs in pool:
        assert crop.shape[0] == InputSpec().height
        assert (
            ids.shape == probs.shape == (crop.shape[1] // InputSpec().stride, 4)
        )  # one teacher frame per student frame
        assert ids.max() < charset.num_classes and ids.min() >= -1 and text
    run = tmp_path / "run"
    train.main(
        [
            *tiny_train_args(root, run, steps=4, batch=4, val_lines=8),
            "--teacher-cache",
            str(pool_dir),
            "--distill-after",
            "1",
            "--cache-every",
            "1",
        ]
    )
    log = [json.loads(r) for r in (run / "log.jsonl").read_text().splitlines() if '"kd"' in r]
    assert log[-1]["kd"] > 0

    # The compression study's own-teacher pool: the same crops, labeled by our checkpoint.
    from ocr_train.teacher_cache import relabel

    own_dir = tmp_path / "own"
    relabel(pool_dir, own_dir, run / "last.pt", lines=4, topk=3, charset_file=root / "charset.json")
    own = load_pool(own_dir)
    assert len(own) == 4
    for (crop, text, ids, probs), (crop0, text0, _, _) in zip(own, pool, strict=False):
        np.testing.assert_array_equal(crop, crop0)
        assert text == text0
        assert ids.shape == probs.shape == (crop.shape[1] // InputSpec().stride, 3)
        p = probs.astype(np.float32)
        assert (np.diff(p, axis=1) <= 1e-3).all() and (p.sum(1) <= 1.01).all()  # top-k, descending


def test_hint_training_of_a_mbv3_student_from_a_vgg_teacher(tiny_assets, tmp_path):
    """FitNets hints: a new backbone learns the teacher's CNN features under its copied LSTM and head."""
    from ocr_train import export, train

    root, _ = tiny_assets
    teacher = tmp_path / "teacher"
    train.main(tiny_train_args(root, teacher, steps=2, batch=4, val_lines=4))
    student = tmp_path / "student"
    train.main(
        [
            *tiny_train_args(root, student, steps=3, batch=4, val_lines=4),
            "--backbone",
            "mbv3",
            "--hint",
            str(teacher / "last.pt"),
            "--hint-copy-head",
        ]
    )
    model, ckpt = export.load_model(student / "last.pt")
    assert ckpt["config"]["backbone"] == "mbv3"
    from ocr_train.crnn import InvertedResidual

    assert any(isinstance(m, InvertedResidual) for m in model.cnn)
    assert model.features(torch.zeros(1, 1, 32, 64)).shape == (1, 16, 16)  # the VGG teacher's feature shape
    fp32 = tmp_path / "mbv3.onnx"
    export.export_fp32(model, fp32)
    assert export.verify(model, fp32) < 1e-3


def test_online_distillation_from_an_unpruned_parent(tiny_assets, tmp_path):
    """--hint-logits: a pruned student learns from its parent's logits and features on the same batch."""
    from ocr_train import export, train
    from ocr_train.compression import save_init
    from ocr_train.prune import prune_channels

    root, _ = tiny_assets
    parent = tmp_path / "parent"
    train.main(tiny_train_args(root, parent, steps=2, batch=4, val_lines=4))
    pruned = save_init(prune_channels(export.load_model(parent / "last.pt")[0], 0.5), tmp_path / "pruned.pt")
    student = tmp_path / "student"
    distill = ["--init", str(pruned), "--hint", str(parent / "last.pt"), "--hint-logits", "0.5"]
    train.main([*tiny_train_args(root, student, steps=4, batch=4, val_lines=4), *distill])
    log = [json.loads(r) for r in (student / "log.jsonl").read_text().splitlines() if '"kd"' in r]
    assert log and all(r["kd"] > 0 for r in log)  # the distillation term ran every logged window

    # only where the parent reads the line exactly: the term may vanish, the run still trains
    right = tmp_path / "right"
    train.main([*tiny_train_args(root, right, steps=2, batch=4, val_lines=4), *distill, "--hint-where-right"])
    assert (right / "last.pt").exists()


def test_read_right_marks_the_lines_a_teacher_spells_exactly():
    """--hint-where-right keeps the distillation term only on lines whose greedy reading is the label."""
    from ocr_core.charset import Charset
    from ocr_train.train import read_right

    charset = Charset(list("ab中"))
    logits = torch.full((3, 5, charset.num_classes), -10.0)
    for t, c in enumerate([*charset.encode("ab"), 0, *charset.encode("中")]):
        logits[:, t, c] = 10.0  # best path: a b _ 中 _  ->  "ab中"
    frames = torch.tensor([5, 5, 2])  # the third line ends after "ab"
    right = read_right(logits, frames, ["ab中", "ba中", "ab"], charset)
    assert right.tolist() == [1, 0, 1] and right.dtype == frames.dtype
