"""PP-OCRv4's recognizer as a distillation teacher (train-time only).

The ONNX file inside the rapidocr-onnxruntime wheel stores its weights as Constant
nodes; they are moved into initializers, then onnx2torch turns the graph into a torch
module that runs on the training device next to the student.

Frame alignment: the student reads a 32-pixel-high line of width W with stride 4
(T = W/4). The teacher gets the same normalized crop resized to 48 x 2W (its stride is
8, so T = 2W/8 = W/4): one teacher frame per student frame, exactly.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from ocr_core.charset import Charset


def teacher_onnx_path() -> Path:
    import rapidocr_onnxruntime

    return Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"


def _constants_to_initializers(model):  # type: ignore[no-untyped-def]
    from onnx import numpy_helper

    graph = model.graph
    height = graph.input[0].type.tensor_type.shape.dim[2]
    height.Clear()
    height.dim_value = 48  # a fixed height lets shape inference reach every BatchNorm
    keep = []
    for node in graph.node:
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            arr = numpy_helper.to_array(node.attribute[0].t)
            graph.initializer.append(numpy_helper.from_array(arr, node.output[0]))
        else:
            keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)
    from onnx import TensorProto, helper, shape_inference

    model = shape_inference.infer_shapes(model)
    # Three neck convolutions follow dynamic reshapes that inference cannot follow; they
    # are 2-D convolutions, so their BatchNorm inputs are rank 4 (all onnx2torch needs).
    known = {v.name for v in model.graph.value_info if v.type.tensor_type.shape.dim}
    for node in model.graph.node:
        if node.op_type == "BatchNormalization" and node.input[0] not in known:
            info = helper.make_tensor_value_info(node.input[0], TensorProto.FLOAT, ["n", "c", "h", "w"])
            model.graph.value_info.append(info)
    return model


def teacher_dictionary(path: Path) -> list[str]:
    import onnx

    meta = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    return meta["character"].splitlines()


def _import_onnx2torch_convert():  # type: ignore[no-untyped-def]
    """onnx2torch imports torchvision for NMS/RoiAlign only; the teacher uses neither.

    PyPI's torchvision does not load beside the CPU torch wheel used here, so when it
    is missing an empty stand-in module satisfies those two imports.
    """
    import importlib.util
    import sys
    import types

    if importlib.util.find_spec("torchvision") is None:
        stub = types.ModuleType("torchvision")
        ops = types.ModuleType("torchvision.ops")
        ops.roi_align = None  # type: ignore[attr-defined]
        stub.ops = ops  # type: ignore[attr-defined]
        sys.modules.setdefault("torchvision", stub)
        sys.modules.setdefault("torchvision.ops", ops)
    from onnx2torch import convert

    return convert


class Teacher(torch.nn.Module):
    """Frozen teacher; ``soft_targets`` returns per-frame probabilities mapped to student ids."""

    def __init__(self, charset: Charset, path: Path | None = None) -> None:
        super().__init__()
        import onnx

        convert = _import_onnx2torch_convert()

        path = path or teacher_onnx_path()
        self.net = convert(_constants_to_initializers(onnx.load(str(path)))).eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        chars = ["<blank>", *teacher_dictionary(path), " "]
        ids = [0] + [charset.encode(c)[0] if c in charset else -1 for c in chars[1:]]
        self.register_buffer("teacher_ids", torch.tensor([i for i, s in enumerate(ids) if s >= 0]))
        self.register_buffer("student_ids", torch.tensor([s for s in ids if s >= 0]))

    @torch.no_grad()
    def soft_targets(self, x: torch.Tensor, temperature: float) -> torch.Tensor:
        """x: (N, 1, 32, W) student input -> (N, W/4, K) teacher probs over mapped classes."""
        n, _, _, w = x.shape
        xt = F.interpolate(x, size=(48, 2 * w), mode="bilinear", align_corners=False).expand(n, 3, 48, 2 * w)
        probs = self.net(xt.contiguous()).float()  # (N, W/4, 6625), already softmax
        probs = probs.index_select(-1, self.teacher_ids)
        if temperature != 1.0:
            probs = probs.clamp_min(1e-8) ** (1.0 / temperature)
        return probs / probs.sum(-1, keepdim=True).clamp_min(1e-8)


def soft_targets(teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """A teacher's own logits (same classes as the student) -> soft targets at temperature T."""
    return F.softmax(teacher_logits.float() / temperature, dim=-1)


def distill_loss(
    student_logits: torch.Tensor,
    targets: torch.Tensor,
    frames: torch.Tensor,
    student_ids: torch.Tensor | None,
    temperature: float,
) -> torch.Tensor:
    """Per-frame cross-entropy of the student (at temperature T) against teacher soft targets, x T^2.

    ``student_ids`` picks the student classes the targets cover (PP-OCRv4's mapped dictionary);
    None: the targets cover every student class (a teacher with the student's charset)."""
    t = min(student_logits.shape[1], targets.shape[1])
    logq = F.log_softmax(student_logits[:, :t].float() / temperature, dim=-1)
    if student_ids is not None:
        logq = logq.index_select(-1, student_ids)
    ce = -(targets[:, :t] * logq).sum(-1)  # (N, T)
    mask = torch.arange(t, device=ce.device)[None, :] < frames[:, None]
    return (ce * mask).sum() / mask.sum().clamp_min(1) * temperature**2


def sparse_distill_loss(
    student_logits: torch.Tensor,
    ids: torch.Tensor,
    probs: torch.Tensor,
    frames: torch.Tensor,
    temperature: float,
) -> torch.Tensor:
    """Distillation against cached top-k teacher probabilities.

    ids, probs: (N, T, k) student class ids (-1 = unmapped or padding) and teacher probabilities.
    """
    t = min(student_logits.shape[1], ids.shape[1])
    ids, probs = ids[:, :t], probs[:, :t].float()
    valid = ids >= 0
    p = torch.where(valid, probs.clamp_min(1e-8) ** (1.0 / temperature), torch.zeros_like(probs))
    p = p / p.sum(-1, keepdim=True).clamp_min(1e-8)
    logq = F.log_softmax(student_logits[:, :t].float() / temperature, dim=-1)
    logq = logq.gather(-1, ids.clamp_min(0))  # (N, T, k)
    ce = -(p * logq).sum(-1)  # (N, T)
    mask = (torch.arange(t, device=ce.device)[None, :] < frames[:, None]) & valid.any(-1)
    return (ce * mask).sum() / mask.sum().clamp_min(1) * temperature**2
