"""A small DB (differentiable binarization) text detector: network, targets and loss.

Input (N, 1, H, W) gray, normalized like the recognizer ((x/255 - 0.5) / 0.5), H and W
multiples of 32. Output: the text probability map (N, 1, H, W); in training also the
threshold map and the approximate binary map B = sigmoid(k (P - T)) (Liao et al., 2020).

The probability target is each line's rectangle shrunk by ``SHRINK`` of its short side on
every edge; inference (ocr_core.textdet) expands found regions by the inverse amount, so
the two stay in step through the constant exported in the model's metadata.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from ocr_core.textdet import DEFAULT_SHRINK as SHRINK  # the contract with inference's unclip
from torch import nn

THRESH_LO, THRESH_HI = 0.3, 0.7
DB_K = 50.0


@dataclass(frozen=True)
class DbConfig:
    channels: tuple[int, ...] = (16, 24, 48, 96, 160)
    fpn: int = 32

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _cbr(cin: int, cout: int, k: int = 3, s: int = 1, groups: int = 1) -> list[nn.Module]:
    return [
        nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    ]


def _dw(cin: int, cout: int, s: int) -> nn.Sequential:
    """Depthwise 3x3 then pointwise 1x1 (MobileNet-style): cheap on a CPU."""
    return nn.Sequential(*_cbr(cin, cin, 3, s, groups=cin), *_cbr(cin, cout, 1))


def _head(cin: int) -> nn.Sequential:
    """1/4 resolution features -> one full-resolution map (two 2x transposed convolutions)."""
    mid = cin // 2
    return nn.Sequential(
        *_cbr(cin, mid),
        nn.ConvTranspose2d(mid, mid, 2, 2, bias=False),
        nn.BatchNorm2d(mid),
        nn.ReLU(inplace=True),
        nn.ConvTranspose2d(mid, 1, 2, 2),
        nn.Sigmoid(),
    )


class DbNet(nn.Module):
    def __init__(self, cfg: DbConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or DbConfig()
        c = cfg.channels
        self.stem = nn.Sequential(*_cbr(1, c[0], 3, 2))  # 1/2
        self.s2 = nn.Sequential(_dw(c[0], c[1], 2), _dw(c[1], c[1], 1))  # 1/4
        self.s3 = nn.Sequential(_dw(c[1], c[2], 2), _dw(c[2], c[2], 1))  # 1/8
        self.s4 = nn.Sequential(_dw(c[2], c[3], 2), _dw(c[3], c[3], 1), _dw(c[3], c[3], 1))  # 1/16
        self.s5 = nn.Sequential(_dw(c[3], c[4], 2), _dw(c[4], c[4], 1))  # 1/32
        self.lateral = nn.ModuleList(nn.Conv2d(ci, cfg.fpn, 1, bias=False) for ci in c[1:])
        self.smooth = nn.ModuleList(nn.Sequential(*_cbr(cfg.fpn, cfg.fpn // 4)) for _ in c[1:])
        self.prob = _head(cfg.fpn)
        self.thresh = _head(cfg.fpn)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        c2 = self.s2(self.stem(x))
        c3 = self.s3(c2)
        c4 = self.s4(c3)
        c5 = self.s5(c4)
        lat = [m(f) for m, f in zip(self.lateral, (c2, c3, c4, c5), strict=True)]
        for i in range(3, 0, -1):  # top-down
            lat[i - 1] = lat[i - 1] + F.interpolate(lat[i], size=lat[i - 1].shape[2:], mode="nearest")
        size = lat[0].shape[2:]
        outs = [F.interpolate(s(f), size=size, mode="nearest") if i else s(f) for i, (s, f) in
                enumerate(zip(self.smooth, lat, strict=True))]  # fmt: skip
        return torch.cat(outs, dim=1)  # (N, fpn, H/4, W/4)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        f = self.features(x)
        prob = self.prob(f)  # (N, 1, H, W)
        if not self.training:
            return prob
        thresh = self.thresh(f)
        binary = torch.sigmoid(DB_K * (prob - thresh))
        return prob, thresh, binary


def _rect(quad: np.ndarray) -> tuple[tuple[float, float], tuple[float, float], float]:
    return cv2.minAreaRect(quad.astype(np.float32))


def targets(quads: list[np.ndarray], h: int, w: int) -> dict[str, np.ndarray]:
    """Probability, threshold and threshold-mask targets (each (h, w) float32) for line quads."""
    prob = np.zeros((h, w), np.float32)
    thresh = np.zeros((h, w), np.float32)
    tmask = np.zeros((h, w), np.float32)
    for quad in quads:
        (cx, cy), (rw, rh), angle = _rect(quad)
        short = min(rw, rh)
        if short < 2:
            continue
        d = SHRINK * short
        inner = cv2.boxPoints(((cx, cy), (max(1.0, rw - 2 * d), max(1.0, rh - 2 * d)), angle))
        cv2.fillPoly(prob, [np.round(inner).astype(np.int32)], 1.0)
        outer = cv2.boxPoints(((cx, cy), (rw + 2 * d, rh + 2 * d), angle))
        x0, y0 = np.floor(outer.min(axis=0)).astype(int)
        x1, y1 = np.ceil(outer.max(axis=0)).astype(int) + 1
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        # distance of every pixel of the outer band to the line's edge, as 0 at the edge, 1 at d away
        edge = np.ones((y1 - y0, x1 - x0), np.uint8)
        box = cv2.boxPoints(((cx, cy), (rw, rh), angle)) - np.float32([x0, y0])
        cv2.polylines(edge, [np.round(box).astype(np.int32)], True, 0, 1)
        dist = cv2.distanceTransform(edge, cv2.DIST_L2, 3)
        region = np.zeros_like(edge)
        cv2.fillPoly(region, [np.round(outer - np.float32([x0, y0])).astype(np.int32)], 1)
        value = np.clip(1.0 - dist / max(d, 1.0), 0, 1) * region
        thresh[y0:y1, x0:x1] = np.maximum(thresh[y0:y1, x0:x1], value)
        tmask[y0:y1, x0:x1] = np.maximum(tmask[y0:y1, x0:x1], region)
    thresh = THRESH_LO + (THRESH_HI - THRESH_LO) * thresh
    return {"prob": prob, "thresh": thresh.astype(np.float32), "tmask": tmask}


def _balanced_bce(pred: torch.Tensor, gt: torch.Tensor, ratio: float = 3.0) -> torch.Tensor:
    """BCE over all positives and the hardest negatives (3 per positive): text is a small area."""
    loss = F.binary_cross_entropy(pred.clamp(1e-6, 1 - 1e-6), gt, reduction="none")
    pos = gt > 0.5
    n_pos = int(pos.sum())
    neg_loss = loss[~pos]
    n_neg = min(int(neg_loss.numel()), max(int(n_pos * ratio), 256))
    hard = torch.topk(neg_loss.flatten(), n_neg).values if n_neg else neg_loss.new_zeros(0)
    return (loss[pos].sum() + hard.sum()) / max(1, n_pos + n_neg)


def _dice(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    inter = (pred * gt).sum()
    return 1 - 2 * inter / (pred.sum() + gt.sum() + 1e-6)


def db_loss(
    out: tuple[torch.Tensor, torch.Tensor, torch.Tensor], batch: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, dict[str, float]]:
    """DB's loss: L_prob + L_binary + 10 L_thresh."""
    prob, thresh, binary = (t[:, 0] for t in out)
    l_prob = _balanced_bce(prob, batch["prob"])
    l_bin = _dice(binary, batch["prob"])
    m = batch["tmask"]
    l_thr = (torch.abs(thresh - batch["thresh"]) * m).sum() / (m.sum() + 1e-6)
    total = l_prob + l_bin + 10 * l_thr
    return total, {"prob": l_prob.item(), "binary": l_bin.item(), "thresh": l_thr.item()}
