"""Shipping a fine-tuned checkpoint: hybrid INT8 + onnxslim under the product's name, with its recipe."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxslim")
onnx = pytest.importorskip("onnx")

from tests.train.test_train_smoke import tiny_train_args  # noqa: E402


def test_a_checkpoint_ships_as_hybrid_int8_with_its_recipe(tiny_assets, tmp_path):
    from ocr_core.config import EngineConfig
    from ocr_core.engine import OcrEngine
    from ocr_train import train
    from ocr_train.compression import Recipe
    from ocr_train.ship import ship_checkpoint

    from tests.conftest import EN_FONT, encode, render_lines

    root, _ = tiny_assets
    run = tmp_path / "run"
    train.main(tiny_train_args(root, run, steps=2, batch=4, val_lines=4))
    assets = Recipe(charset=root / "charset.json", corpus=root / "corpus.json", fonts=root / "fonts")
    (tmp_path / "model" / "ckpt").mkdir(parents=True)
    shipped = ship_checkpoint(run / "last.pt", "make train ... (test)", tmp_path / "model", assets)
    meta = {p.key: p.value for p in onnx.load(str(shipped)).metadata_props}
    assert meta["model_name"] == "crnn-zh-en-int8" and meta["recipe"] == "make train ... (test)"
    assert meta["quantization"] == "hybrid"
    ops = {n.op_type for n in onnx.load(str(shipped)).graph.node}
    assert "DynamicQuantizeLSTM" in ops and "QuantizeLinear" in ops  # both halves of the hybrid
    weights = torch.load(tmp_path / "model" / "ckpt" / "crnn_student_fp32.pt", weights_only=False)
    assert "optimizer" not in weights
    # the engine loads and runs it
    engine = OcrEngine(EngineConfig(model_path=shipped, decoder="greedy", detector="classical"))
    result = engine.read(encode(render_lines(["Hello"], EN_FONT, size=40)), single_line=True)
    assert result.model == "crnn-zh-en-int8"
