"""The CRNN: CNN -> 2-layer BiLSTM -> linear -> per-frame logits (CTC).

Input (N, 1, 32, W) gray; output (N, W/4, C) logits. Height is reduced to 1 by
pooling (or strides) and a final 2x1 convolution; width is reduced by 4 so that a
32-pixel-high Latin letter still gets 2-4 frames.

Two backbones: "vgg" (plain 3x3 convolutions, the shipped model and the conventional
baseline at wider channels) and "mbv3" (MobileNetV3-style inverted residual blocks
with depthwise 3x3 convolutions and hard-swish, the compression study's smaller
candidate). mbv3 has no squeeze-and-excitation: its global pooling would make a
line's reading depend on how much padding its batch adds. ``head_rank`` > 0 factors
the classifier into (2H -> rank -> C), the low-rank head that shrinks the 7,912-way
layer which dominates a small model's size.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class CrnnConfig:
    num_classes: int
    channels: tuple[int, ...] = (32, 64, 128, 128, 192, 192)
    feature: int = 256
    hidden: int = 128
    height: int = 32
    head_rank: int = 0  # 0: one (2H x C) linear layer; r: (2H x r) then (r x C)
    backbone: str = "vgg"  # "vgg" | "mbv3"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> CrnnConfig:
        """Checkpoints store the config as a dict (older ones without head_rank / backbone)."""
        return cls(**{**d, "channels": tuple(d["channels"])})


def _conv(
    cin: int, cout: int, kernel: tuple[int, int] = (3, 3), padding: tuple[int, int] = (1, 1)
) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


def vgg_backbone(c: tuple[int, ...], feature: int) -> nn.Sequential:
    return nn.Sequential(
        _conv(1, c[0]),
        nn.MaxPool2d(2, 2),  # 16 x W/2
        _conv(c[0], c[1]),
        nn.MaxPool2d(2, 2),  # 8 x W/4
        _conv(c[1], c[2]),
        _conv(c[2], c[3]),
        nn.MaxPool2d((2, 1), (2, 1)),  # 4 x W/4
        _conv(c[3], c[4]),
        _conv(c[4], c[5]),
        nn.MaxPool2d((2, 1), (2, 1)),  # 2 x W/4
        _conv(c[5], feature, kernel=(2, 1), padding=(0, 0)),  # 1 x W/4
    )


class InvertedResidual(nn.Module):
    """1x1 expand -> depthwise 3x3 (stride) -> 1x1 project; residual when shapes match."""

    def __init__(self, cin: int, expand: int, cout: int, stride: tuple[int, int]) -> None:
        super().__init__()
        self.residual = cin == cout and stride == (1, 1)
        self.block = nn.Sequential(
            nn.Conv2d(cin, expand, 1, bias=False),
            nn.BatchNorm2d(expand),
            nn.Hardswish(inplace=True),
            nn.Conv2d(expand, expand, 3, stride=stride, padding=1, groups=expand, bias=False),
            nn.BatchNorm2d(expand),
            nn.Hardswish(inplace=True),
            nn.Conv2d(expand, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.block(x)
        return x + y if self.residual else y


# (expand, out, stride) per block after a 3x3 stride-2 stem of channels[0]
MBV3_BLOCKS: tuple[tuple[int, int, tuple[int, int]], ...] = (
    (64, 24, (2, 2)),  # 8 x W/4
    (72, 24, (1, 1)),
    (96, 40, (2, 1)),  # 4 x W/4
    (120, 40, (1, 1)),
    (240, 80, (2, 1)),  # 2 x W/4
    (200, 80, (1, 1)),
    (240, 96, (1, 1)),
)


MBV3_CHANNELS = (16, 0, 0, 0, 0, 0)  # CrnnConfig.channels of an mbv3 model: only the stem's width is used


def mbv3_backbone(stem: int, feature: int) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(1, stem, 3, stride=2, padding=1, bias=False),  # 16 x W/2
        nn.BatchNorm2d(stem),
        nn.Hardswish(inplace=True),
    ]
    cin = stem
    for expand, cout, stride in MBV3_BLOCKS:
        layers.append(InvertedResidual(cin, expand, cout, stride))
        cin = cout
    layers.append(_conv(cin, feature, kernel=(2, 1), padding=(0, 0)))  # 1 x W/4
    return nn.Sequential(*layers)


class Crnn(nn.Module):
    def __init__(self, cfg: CrnnConfig) -> None:
        super().__init__()
        self.cfg = cfg
        if cfg.backbone == "vgg":
            self.cnn = vgg_backbone(cfg.channels, cfg.feature)
        elif cfg.backbone == "mbv3":
            self.cnn = mbv3_backbone(cfg.channels[0], cfg.feature)
        else:
            raise ValueError(f"unknown backbone {cfg.backbone!r}")
        self.rnn = nn.LSTM(cfg.feature, cfg.hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.head: nn.Module = (
            nn.Sequential(
                nn.Linear(2 * cfg.hidden, cfg.head_rank, bias=False),
                nn.Linear(cfg.head_rank, cfg.num_classes),
            )
            if cfg.head_rank
            else nn.Linear(2 * cfg.hidden, cfg.num_classes)
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 32, W) -> (N, T, F): the CNN's per-frame features (the hint target of distillation)."""
        return self.cnn(x).squeeze(2).permute(0, 2, 1)

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """(N, T, F) CNN features -> (N, T, C) logits: the LSTM and the head."""
        f, _ = self.rnn(features)  # (N, T, 2H)
        return self.head(f)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))
