"""Smoke tests of the detector's training pipeline: synthetic pages, targets, steps, export, INT8.

The targets and the core's post-processing must agree (what training shrinks, inference
grows back), so one test runs a target map through ocr_core.textdet and finds the lines again.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ocr_core.textdet import DetParams, TextDetector, quads_from_prob  # noqa: E402


def _pages(root, n: int, seed: int = 0):
    from ocr_core.charset import Charset
    from ocr_train.corpus import load
    from ocr_train.fonts import load_pack
    from ocr_train.pages import render_page
    from ocr_train.textgen import TextSampler

    sampler = TextSampler(load(root / "corpus.json"), Charset.from_file(root / "charset.json"), seed)
    fonts = load_pack(root / "fonts", "train")
    rng = random.Random(seed)
    return [render_page(sampler, fonts, rng) for _ in range(n)]


def test_synthetic_pages_have_lines_inside_the_page(tiny_assets):
    root, _ = tiny_assets
    pages = _pages(root, 12)
    assert sum(len(p.quads) for p in pages) > 30
    for page in pages:
        h, w = page.image.shape
        assert page.image.dtype == np.uint8
        for q in page.quads:
            assert q.shape == (4, 2)
            assert q[:, 0].min() >= -1 and q[:, 0].max() <= w + 1 and q[:, 1].max() <= h + 1


def test_targets_and_inference_post_processing_agree(tiny_assets):
    from ocr_train.db import SHRINK, targets
    from ocr_train.train_det import match

    root, _ = tiny_assets
    page = max(_pages(root, 6, seed=4), key=lambda p: len(p.quads))
    h, w = page.image.shape
    maps = targets(page.quads, h, w)
    assert maps["prob"].max() == 1.0 and maps["thresh"].min() >= 0.3 and maps["thresh"].max() <= 0.7 + 1e-6
    # a perfect probability map (the target itself) gives back the lines it was made from,
    # except lines that touch each other in the map (a detector must split those by itself)
    found = quads_from_prob(maps["prob"], DetParams(shrink=SHRINK))
    tp, _, n_true = match(found, page.quads, iou=0.5)
    assert tp >= 0.8 * n_true


def test_train_resume_export_quantize_and_detect(tiny_assets, tmp_path):
    from ocr_train import export_det, train_det

    root, _ = tiny_assets
    run = tmp_path / "det"
    args = [
        "--run", str(run), "--steps", "3", "--batch", "2", "--crop", "64", "--workers", "0", "--threads", "1",
        "--val-pages", "2", "--log-every", "1", "--charset", str(root / "charset.json"),
        "--corpus", str(root / "corpus.json"), "--fonts", str(root / "fonts"),
    ]  # fmt: skip
    metrics = train_det.main(args)
    assert 0.0 <= metrics["f1"] <= 1.0
    log = [json.loads(r) for r in (run / "log.jsonl").read_text().splitlines()]
    assert np.isfinite([r["loss"] for r in log if "loss" in r]).all()
    train_det.main([*args, "--resume", "--steps", "4"])
    assert torch.load(run / "last.pt", weights_only=False)["state"]["step"] == 4

    model, ckpt = export_det.load_model(run / "last.pt")
    fp32 = tmp_path / "det.fp32.onnx"
    export_det.export_fp32(model, fp32)
    assert export_det.verify(model, fp32) < 1e-3
    int8 = tmp_path / "det_int8.onnx"
    calib = [np.random.default_rng(0).uniform(-1, 1, (1, 1, 64, 96)).astype(np.float32)]
    export_det.quantize(fp32, int8, calib)
    export_det.set_metadata(int8, export_det.metadata(ckpt, "tiny-det", "static"))
    detector = TextDetector(int8)
    assert detector.params.shrink == ckpt["shrink"]
    assert isinstance(detector.detect(np.full((100, 200), 255, np.uint8)), list)


def test_an_int8_detector_dequantizes_to_the_fp32_graph_it_ran(tmp_path):
    """dequantize_qdq: the shipped QDQ detector back to FP32 (its exact weight values), no Q/DQ left;
    it draws the same map up to activation rounding, so it can be quantized again."""
    import onnx
    import onnxruntime as ort
    from ocr_train.export import dequantize_qdq

    from tests.conftest import DET_MODEL

    fp32 = tmp_path / "det_fp32.onnx"
    dequantize_qdq(DET_MODEL, fp32)
    ops = {n.op_type for n in onnx.load(str(fp32)).graph.node}
    assert not ops & {"QuantizeLinear", "DequantizeLinear"} and "Conv" in ops
    x = np.random.default_rng(0).uniform(-1, 1, (1, 1, 128, 160)).astype(np.float32)
    a, b = (ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
            for p in (DET_MODEL, fp32))  # fmt: skip
    assert a.shape == b.shape and float(np.abs(a - b).mean()) < 0.05


def test_a_shipped_detector_loads_back_into_torch_for_fine_tuning():
    """from_onnx: the INT8 detector's weights (dequantized, batch norms folded) in a DbNet that
    draws the same map as the FP32 graph; freeze_norms keeps the folded norms fixed in training."""
    import onnxruntime as ort
    from ocr_train.export import dequantize_qdq
    from ocr_train.export_det import freeze_norms, from_onnx

    from tests.conftest import DET_MODEL

    model = from_onnx(DET_MODEL)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 1, 96, 128)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        dequantize_qdq(DET_MODEL, fp32)
        ref = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    with torch.no_grad():
        got = model.eval()(torch.from_numpy(x)).numpy()
    assert float(np.abs(got - ref).max()) < 1e-4
    model.train()
    freeze_norms(model)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms and not any(m.training for m in norms) and model.prob[0].training


def test_fine_tuning_trains_the_threshold_head_first_with_norms_frozen(tiny_assets, tmp_path):
    from ocr_train import train_det
    from ocr_train.export import read_metadata
    from ocr_train.export_det import from_onnx

    from tests.conftest import DET_MODEL

    root, _ = tiny_assets
    args = [
        "--run", str(tmp_path / "ft"), "--init-onnx", str(DET_MODEL), "--head-steps", "2", "--batch", "2",
        "--crop", "64", "--workers", "0", "--threads", "1", "--val-pages", "1", "--charset",
        str(root / "charset.json"), "--corpus", str(root / "corpus.json"), "--fonts", str(root / "fonts"),
    ]  # fmt: skip
    start = from_onnx(DET_MODEL).state_dict()
    train_det.main([*args, "--steps", "2"])
    head = torch.load(tmp_path / "ft" / "last.pt", weights_only=False)
    assert head["state"]["frozen_norms"] and head["state"]["step"] == 2
    assert head["state"]["init_steps"] == int(read_metadata(DET_MODEL)["train_steps"]) > 0
    changed = {k for k, v in head["model"].items() if not torch.equal(v, start[k])}
    assert changed and all(k.startswith("thresh.") for k in changed)  # only the threshold head so far
    train_det.main([*args, "--resume", "--steps", "3"])
    after = torch.load(tmp_path / "ft" / "last.pt", weights_only=False)["model"]
    assert not torch.equal(after["stem.0.weight"], start["stem.0.weight"])  # then the whole network
    for key in ("stem.1.running_mean", "stem.1.running_var"):  # with its folded norms held fixed
        assert torch.equal(after[key], start[key])
