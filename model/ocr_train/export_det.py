"""Export the DB detector to ONNX (FP32), verify it against torch, quantize it to INT8.

    python -m ocr_train.export_det --ckpt model/runs/det/best.pt --out model/textdet_int8.onnx
    python -m ocr_train.export_det --requantize model/textdet_int8.onnx --out model/textdet_int8.onnx

``--requantize`` rebuilds FP32 from a shipped INT8 detector (its exact weight values) and quantizes
it again with today's settings, for when the training checkpoint is not at hand.

INT8: static QDQ, per-channel weights, activations calibrated on synthetic pages (training
fonts; never the dev set). The graph returns the probability map; post-processing stays in
ocr_core.textdet, and the training shrink travels in the metadata (key ``ocr_det``).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
import torch
from ocr_core.charset import Charset
from ocr_core.textdet import resize_for_detection, to_input

from ocr_train.db import DbConfig, DbNet
from ocr_train.export import dequantize_qdq, quantize_static_qdq, set_metadata
from ocr_train.paths import CHARSET_FILE, CORPUS_FILE, FONT_PACK


def load_model(ckpt_path: Path) -> tuple[DbNet, dict]:
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    cfg = ckpt["config"]
    model = DbNet(DbConfig(**{**cfg, "channels": tuple(cfg["channels"])}))
    model.load_state_dict(ckpt["model"])
    return model.eval(), ckpt


def export_fp32(model: DbNet, out: Path) -> None:
    torch.onnx.export(
        model,
        (torch.zeros(1, 1, 320, 480),),
        str(out),
        dynamo=False,
        opset_version=17,
        input_names=["x"],
        output_names=["prob"],
        dynamic_axes={"x": {0: "N", 2: "H", 3: "W"}, "prob": {0: "N", 2: "H", 3: "W"}},
    )


def verify(model: DbNet, path: Path) -> float:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for h, w in ((64, 96), (320, 640), (736, 960)):
        x = torch.randn(1, 1, h, w)
        with torch.no_grad():
            ref = model(x).numpy()
        worst = max(worst, float(np.abs(ref - sess.run(None, {"x": x.numpy()})[0]).max()))
    return worst


def calibration_inputs(n: int, seed: int, max_side: int = 640) -> list[np.ndarray]:
    from ocr_train.corpus import load as load_corpus
    from ocr_train.fonts import load_pack
    from ocr_train.pages import render_page
    from ocr_train.textgen import TextSampler

    sampler = TextSampler(load_corpus(CORPUS_FILE), Charset.from_file(CHARSET_FILE), seed)
    fonts = load_pack(FONT_PACK, "train")
    rng = random.Random(seed)
    return [to_input(resize_for_detection(render_page(sampler, fonts, rng).image, max_side)[0])
            for _ in range(n)]  # fmt: skip


def quantize(fp32: Path, out: Path, calib: list[np.ndarray]) -> None:
    quantize_static_qdq(fp32, out, calib, ["Conv", "ConvTranspose"])


def metadata(ckpt: dict, name: str, quant: str) -> dict[str, str]:
    state = ckpt.get("state", {})
    return {
        "model_name": name,
        "architecture": json.dumps(ckpt["config"]),
        "quantization": quant,
        "ocr_det": json.dumps(
            {"shrink": ckpt["shrink"], "input": "gray", "norm": "(x/255-0.5)/0.5", "stride": 32}
        ),
        "train_steps": str(state.get("step", "")),
        "val_f1": f"{state.get('best_f1', 0):.4f}",
    }


def requantize(src: Path, out: Path, calib_pages: int, seed: int) -> None:
    """INT8 -> FP32 (exact weight values) -> INT8 with the current quantizer; metadata kept."""
    import tempfile

    import onnx

    meta = {p.key: p.value for p in onnx.load(str(src)).metadata_props}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        dequantize_qdq(src, fp32)
        quantize(fp32, out, calibration_inputs(calib_pages, seed))
    set_metadata(out, {**meta, "quantization": "static QDQ per-channel conv, 7-bit weights"})
    print(f"int8 {out} {out.stat().st_size / 1e6:.2f} MB (requantized from {src})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--ckpt", type=Path)
    source.add_argument("--requantize", type=Path, help="an INT8 (QDQ) detector to quantize again")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--fp32-out", type=Path)
    p.add_argument("--calib-pages", type=int, default=48)
    p.add_argument("--seed", type=int, default=77)
    args = p.parse_args()
    if args.requantize:
        requantize(args.requantize, args.out, args.calib_pages, args.seed)
        return
    model, ckpt = load_model(args.ckpt)
    fp32 = args.fp32_out or args.out.with_name(args.out.stem + ".fp32.onnx")
    export_fp32(model, fp32)
    print(f"fp32 {fp32} {fp32.stat().st_size / 1e6:.2f} MB, max |torch - ort| = {verify(model, fp32):.2e}")
    set_metadata(fp32, metadata(ckpt, "db-det-fp32", "none"))
    quantize(fp32, args.out, calibration_inputs(args.calib_pages, args.seed))
    set_metadata(args.out, metadata(ckpt, "db-det-int8", "static QDQ per-channel conv"))
    print(f"int8 {args.out} {args.out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
