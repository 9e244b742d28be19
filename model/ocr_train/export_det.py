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
from torch import nn

from ocr_train.db import DbConfig, DbNet
from ocr_train.export import dequantize_qdq, quantize_static_qdq, read_metadata, set_metadata
from ocr_train.paths import CHARSET_FILE, CORPUS_FILE, FONT_PACK


def load_model(ckpt_path: Path) -> tuple[DbNet, dict]:
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    cfg = ckpt["config"]
    model = DbNet(DbConfig(**{**cfg, "channels": tuple(cfg["channels"])}))
    model.load_state_dict(ckpt["model"])
    return model.eval(), ckpt


def from_onnx(src: Path) -> DbNet:
    """A ``DbNet`` holding the weights of an exported detector (FP32, or INT8 QDQ dequantized):
    fine-tuning a shipped detector whose training checkpoint is not at hand.

    The export folded each batch norm into its convolution, so every convolution takes the folded
    weights and its batch norm becomes the identity plus the folded bias; fine-tune with the batch
    norms frozen (``freeze_norms``). The threshold head is not in the export and starts untrained.
    Convolutions are matched by the module path in the node's name (``/s2/s2.0/s2.0.3/Conv``)."""
    import tempfile

    import onnx
    from onnx import numpy_helper

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        dequantize_qdq(src, fp32)
        graph = onnx.load(str(fp32)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    convs = {n.name.split("/")[-2]: n for n in graph.node if n.op_type in ("Conv", "ConvTranspose")}
    model = DbNet(DbConfig()).eval()
    modules = dict(model.named_modules())
    wanted = {n for n, m in modules.items() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))}
    wanted = {n for n in wanted if not n.startswith("thresh.")}
    if set(convs) != wanted:
        raise ValueError(f"{src}: convolutions {sorted(set(convs) ^ wanted)} do not match the network")
    with torch.no_grad():
        for name, node in convs.items():
            conv = modules[name]
            weight = torch.from_numpy(inits[node.input[1]].copy())
            if weight.shape != conv.weight.shape:
                raise ValueError(f"{src}: {node.name} has weights {tuple(weight.shape)}, {name} wants "
                                 f"{tuple(conv.weight.shape)}")  # fmt: skip
            conv.weight.copy_(weight)
            bias = torch.from_numpy(inits[node.input[2]].copy()) if len(node.input) > 2 else None
            parent, _, index = name.rpartition(".")
            norm = modules.get(f"{parent}.{int(index) + 1}") if index.isdigit() else None
            if isinstance(norm, nn.BatchNorm2d):  # folded: the identity, carrying the bias
                norm.weight.fill_(1.0)
                norm.running_mean.zero_()
                norm.running_var.fill_(1.0 - norm.eps)
                norm.bias.copy_(bias if bias is not None else torch.zeros_like(norm.bias))
            elif bias is not None and conv.bias is not None:
                conv.bias.copy_(bias)
            elif bias is not None and bool(bias.abs().max() > 0):
                raise ValueError(f"{src}: {node.name} has a bias that {name} cannot hold")
    return model


def freeze_norms(model: nn.Module) -> None:
    """Batch norms in eval mode (running statistics fixed) while the rest trains."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


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
        "train_steps": str(state.get("init_steps", 0) + state.get("step", 0)),  # with a fine-tune's start
        "val_f1": f"{state.get('best_f1', 0):.4f}",
    }


def requantize(src: Path, out: Path, calib_pages: int, seed: int) -> None:
    """INT8 -> FP32 (exact weight values) -> INT8 with the current quantizer; metadata kept."""
    import tempfile

    meta = read_metadata(src)
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
    set_metadata(args.out, metadata(ckpt, "db-det-int8", "static QDQ per-channel conv, 7-bit weights"))
    print(f"int8 {args.out} {args.out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
