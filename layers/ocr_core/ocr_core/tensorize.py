"""Line crops -> normalized, right-padded batches. The ONLY definition: training imports it.

A crop is a 2-D uint8 grayscale array with dark text on a light background. It is
resized to the model height keeping its aspect ratio, scaled to [-1, 1] and padded on
the right to a multiple of the model's width stride.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class InputSpec:
    """How the model wants its input; read from (and written to) ONNX metadata."""

    height: int = 32
    stride: int = 4
    mean: float = 0.5
    std: float = 0.5
    min_width: int = 16
    max_width: int = 2400

    def to_metadata(self) -> dict[str, str]:
        return {
            "input_height": str(self.height),
            "width_stride": str(self.stride),
            "norm_mean": str(self.mean),
            "norm_std": str(self.std),
            "color": "gray",
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> InputSpec:
        return cls(
            height=int(meta["input_height"]),
            stride=int(meta["width_stride"]),
            mean=float(meta["norm_mean"]),
            std=float(meta["norm_std"]),
        )


def resize_line(crop: np.ndarray, spec: InputSpec) -> np.ndarray:
    """Aspect-preserving resize of one gray crop to (spec.height, w'); w' a multiple of stride."""
    if crop.ndim != 2 or crop.size == 0:
        raise ValueError(f"expected a non-empty 2-D gray crop, got shape {crop.shape}")
    h, w = crop.shape
    new_w = int(round(w * spec.height / h))
    new_w = min(max(new_w, spec.min_width), spec.max_width)
    new_w = -(-new_w // spec.stride) * spec.stride
    interp = cv2.INTER_AREA if h > spec.height else cv2.INTER_LINEAR
    return cv2.resize(crop, (new_w, spec.height), interpolation=interp)


def to_batch(crops: list[np.ndarray], spec: InputSpec) -> tuple[np.ndarray, np.ndarray]:
    """Stack crops into one float32 batch.

    Returns:
        x: (N, 1, H, Wmax) normalized, right-padded with the normalized value of white.
        frames: (N,) number of output frames that belong to each crop (W_i / stride).
    """
    resized = [resize_line(c, spec) for c in crops]
    w_max = max(r.shape[1] for r in resized)
    pad_value = (1.0 - spec.mean) / spec.std
    x = np.full((len(resized), 1, spec.height, w_max), pad_value, dtype=np.float32)
    for i, r in enumerate(resized):
        x[i, 0, :, : r.shape[1]] = (r.astype(np.float32) / 255.0 - spec.mean) / spec.std
    frames = np.array([r.shape[1] // spec.stride for r in resized], dtype=np.int64)
    return x, frames
