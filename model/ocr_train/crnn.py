"""The CRNN: VGG-style CNN -> 2-layer BiLSTM -> linear -> per-frame logits (CTC).

Input (N, 1, 32, W) gray; output (N, W/4, C) logits. Height is reduced to 1 by
pooling and a final 2x1 convolution; width is reduced by 4 so that a 32-pixel-high
Latin letter still gets 2-4 frames.
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

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _conv(
    cin: int, cout: int, kernel: tuple[int, int] = (3, 3), padding: tuple[int, int] = (1, 1)
) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Crnn(nn.Module):
    def __init__(self, cfg: CrnnConfig) -> None:
        super().__init__()
        self.cfg = cfg
        c = cfg.channels
        self.cnn = nn.Sequential(
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
            _conv(c[5], cfg.feature, kernel=(2, 1), padding=(0, 0)),  # 1 x W/4
        )
        self.rnn = nn.LSTM(cfg.feature, cfg.hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * cfg.hidden, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.cnn(x)  # (N, F, 1, T)
        f = f.squeeze(2).permute(0, 2, 1)  # (N, T, F)
        f, _ = self.rnn(f)  # (N, T, 2H)
        return self.head(f)  # (N, T, C)
