"""Net2WiderNet (Chen et al. 2016): grow a trained CRNN to wider layers without changing its function.

The compression study needs the conventional CRNN (VGG 64-128-256-256-512-512, BiLSTM
256) as its baseline. Training that from scratch on this project's budget is out of
reach on a CPU, so the baseline starts from our trained CRNN grown to those widths,
then fine-tunes. A new unit copies a random existing unit's incoming weights (plus a
little noise, so copies can drift apart); every consumer divides the copied unit's
outgoing weights by its number of copies, so the sum it sees is unchanged. Exact
for conv -> BatchNorm -> ReLU -> max-pool chains and for LSTM hidden units (gates and
cell states of copies stay identical).
"""

from __future__ import annotations

import torch
from torch import nn

from ocr_train.crnn import Crnn, CrnnConfig


def _mapping(old: int, new: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """New unit -> old unit (identity first, then random picks); and each old unit's copy count."""
    if new < old:
        raise ValueError(f"cannot widen {old} to {new}")
    extra = torch.randint(0, old, (new - old,), generator=gen)
    idx = torch.cat([torch.arange(old), extra])
    return idx, torch.bincount(idx, minlength=old).float()


def _noisy(t: torch.Tensor, old: int, noise: float, gen: torch.Generator, dim: int = 0) -> torch.Tensor:
    """Noise on the copies only (units >= old along ``dim``): they must drift apart to learn."""
    out = t.clone()
    copies = out.narrow(dim, old, out.shape[dim] - old)
    copies += noise * t.std() * torch.randn(copies.shape, generator=gen)
    return out


def _gate_rows(idx: torch.Tensor, hidden_old: int) -> torch.Tensor:
    """Rows of an LSTM weight (4 gates stacked) for new units ``idx`` of each gate."""
    return torch.cat([g * hidden_old + idx for g in range(4)])


def widen(model: Crnn, target: CrnnConfig, noise: float = 1e-3, seed: int = 0) -> Crnn:
    """A ``target``-shaped VGG CRNN computing (up to ``noise``) what ``model`` computes.

    ``noise`` is relative to each weight tensor's spread: 1e-3 keeps the widened model's synthetic
    validation accuracy (54.8% before and after); 1e-2 cost 2 points that 50 fine-tuning steps did not
    win back.
    """
    cfg = model.cfg
    if cfg.backbone != "vgg" or target.backbone != "vgg" or cfg.head_rank or target.head_rank:
        raise ValueError("widening handles the VGG backbone with a full head")
    gen = torch.Generator().manual_seed(seed)
    src = {k: v.detach().clone() for k, v in model.state_dict().items()}
    wide = Crnn(target)
    dst = wide.state_dict()
    convs = [name for name, m in model.cnn.named_modules() if isinstance(m, nn.Conv2d)]
    bns = [name for name, m in model.cnn.named_modules() if isinstance(m, nn.BatchNorm2d)]
    olds = [*cfg.channels, cfg.feature]
    news = [*target.channels, target.feature]
    in_idx, in_count = torch.arange(1), torch.ones(1)
    for conv, bn, old, new in zip(convs, bns, olds, news, strict=True):
        idx, count = _mapping(old, new, gen)
        w = src[f"cnn.{conv}.weight"][:, in_idx] / in_count[in_idx][None, :, None, None]
        dst[f"cnn.{conv}.weight"] = _noisy(w[idx], old, noise, gen)
        for p in ("weight", "bias", "running_mean", "running_var"):
            dst[f"cnn.{bn}.{p}"] = src[f"cnn.{bn}.{p}"][idx]
        in_idx, in_count = idx, count
    # The LSTM: layer 0 reads the features, layer 1 reads [forward | backward] of layer 0.
    h_old, h_new = cfg.hidden, target.hidden
    maps = {(layer, d): _mapping(h_old, h_new, gen) for layer in range(2) for d in range(2)}
    for layer in range(2):
        if layer == 0:
            col_idx, col_div = in_idx, in_count[in_idx]
        else:
            (f_idx, f_cnt), (b_idx, b_cnt) = maps[(0, 0)], maps[(0, 1)]
            col_idx = torch.cat([f_idx, h_old + b_idx])
            col_div = torch.cat([f_cnt[f_idx], b_cnt[b_idx]])
        for d, sfx in enumerate(("", "_reverse")):
            idx, count = maps[(layer, d)]
            rows = _gate_rows(idx, h_old)
            key = f"l{layer}{sfx}"
            w_ih = src[f"rnn.weight_ih_{key}"][rows][:, col_idx] / col_div[None, :]
            w_hh = src[f"rnn.weight_hh_{key}"][rows][:, idx] / count[idx][None, :]
            dst[f"rnn.weight_ih_{key}"] = _noisy(w_ih.view(4, h_new, -1), h_old, noise, gen, dim=1).view_as(
                w_ih
            )
            dst[f"rnn.weight_hh_{key}"] = _noisy(w_hh.view(4, h_new, -1), h_old, noise, gen, dim=1).view_as(
                w_hh
            )
            dst[f"rnn.bias_ih_{key}"] = src[f"rnn.bias_ih_{key}"][rows]
            dst[f"rnn.bias_hh_{key}"] = src[f"rnn.bias_hh_{key}"][rows]
    (f_idx, f_cnt), (b_idx, b_cnt) = maps[(1, 0)], maps[(1, 1)]
    cols = torch.cat([f_idx, h_old + b_idx])
    div = torch.cat([f_cnt[f_idx], b_cnt[b_idx]])
    dst["head.weight"] = src["head.weight"][:, cols] / div[None, :]
    dst["head.bias"] = src["head.bias"]
    wide.load_state_dict(dst)
    return wide.eval()
