"""Structured compression of a trained CRNN: channels removed, a low-rank head; and magnitude
pruning for comparison.

- ``prune_channels``: torch-pruning's dependency graph removes whole CNN channels (each
  conv's filters, its BatchNorm entries and the next conv's input slices), ranked by
  BatchNorm scale |gamma| (network slimming's criterion). The feature convolution keeps its
  outputs, so the LSTM and head are untouched. The result is a smaller dense model that
  exports and runs like any other.
- ``lowrank_head``: the 7,912-way classifier dominates a small CRNN's size; a truncated
  SVD factors it into (2H -> r -> C) with the best rank-r approximation.
- ``magnitude_prune``: zeroes the smallest weights; the file and the time stay the same
  (dense kernels), which is why the study reports it only for comparison.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from ocr_train.crnn import Crnn


def _rebuild(model: Crnn, **changes: object) -> Crnn:
    """A fresh Crnn of the changed config, loaded with ``model``'s (already reshaped) weights."""
    new = Crnn(replace(model.cfg, **changes))  # type: ignore[arg-type]
    new.load_state_dict(model.state_dict())
    return new.eval()


def prune_channels(model: Crnn, ratio: float, round_to: int = 8) -> Crnn:
    """Remove ``ratio`` of every VGG convolution's channels (not the feature conv's outputs)."""
    import copy

    import torch_pruning as tp

    if model.cfg.backbone != "vgg":
        raise ValueError("channel pruning handles the VGG backbone")
    work = copy.deepcopy(model).eval()
    convs = [m for m in work.cnn.modules() if isinstance(m, nn.Conv2d)]
    pruner = tp.pruner.MetaPruner(
        work,
        torch.randn(1, 1, model.cfg.height, 64),
        importance=tp.importance.BNScaleImportance(),
        pruning_ratio=ratio,
        ignored_layers=[work.rnn, work.head, convs[-1]],
        round_to=round_to,
    )
    pruner.step()
    return _rebuild(work, channels=tuple(c.out_channels for c in convs[:-1]))


def lowrank_head(model: Crnn, rank: int) -> Crnn:
    """Replace the (2H x C) classifier by its best rank-``rank`` factorization (truncated SVD)."""
    if model.cfg.head_rank:
        raise ValueError("the head is already low-rank")
    w, b = model.head.weight.detach(), model.head.bias.detach()
    u, s, vh = torch.linalg.svd(w, full_matrices=False)
    root = s[:rank].sqrt()
    state = {k: v for k, v in model.state_dict().items() if not k.startswith("head.")}
    new = Crnn(replace(model.cfg, head_rank=rank))
    state.update(
        {"head.0.weight": root[:, None] * vh[:rank], "head.1.weight": u[:, :rank] * root, "head.1.bias": b}
    )
    new.load_state_dict(state)
    return new.eval()


def magnitude_prune(model: Crnn, sparsity: float) -> Crnn:
    """Zero the smallest-|w| ``sparsity`` of each weight matrix / kernel (unstructured)."""
    import copy

    work = copy.deepcopy(model).eval()
    with torch.no_grad():
        for name, p in work.named_parameters():
            if p.dim() >= 2 and "weight" in name:
                k = int(sparsity * p.numel())
                if k:
                    cut = p.abs().flatten().kthvalue(k).values
                    p.mul_((p.abs() > cut).to(p.dtype))
    return work


def count_params(model: nn.Module, nonzero: bool = False) -> int:
    return sum(int((p != 0).sum()) if nonzero else p.numel() for p in model.parameters())
