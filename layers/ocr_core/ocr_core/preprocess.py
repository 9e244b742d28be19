"""Page and line preprocessing (OpenCV): grayscale, polarity, CLAHE, binarization, deskew.

Every step is a pure function so that the engine can switch each one on or off
(``EngineConfig``) and training can apply exactly the same line normalization.
"""

from __future__ import annotations

import cv2
import numpy as np


def to_gray(image: np.ndarray) -> np.ndarray:
    """BGR, BGRA (composited on white), 16-bit or gray input -> 8-bit gray."""
    img = image
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        rgb = img[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        img = rgb.astype(np.uint8)
    if img.shape[2] == 1:
        return img[:, :, 0]
    return cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2GRAY)


def is_light_on_dark(gray: np.ndarray) -> bool:
    """True when the text is lighter than its background.

    Otsu splits the pixels into two classes; text covers fewer pixels than the
    background, so the minority class is the ink. Border pixels break ties: they are
    almost always background.
    """
    if gray.size == 0:
        return False
    thresh, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright_fraction = float(np.count_nonzero(binary)) / binary.size
    border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
    border_dark = float(np.mean(border > thresh)) < 0.5
    if abs(bright_fraction - 0.5) < 0.1:
        return border_dark
    return bright_fraction < 0.5


def normalize_polarity(gray: np.ndarray) -> np.ndarray:
    """Return the crop as dark text on a light background (the model's convention)."""
    return 255 - gray if is_light_on_dark(gray) else gray


def clahe(gray: np.ndarray, clip_limit: float = 2.0, tile: int = 8) -> np.ndarray:
    """Contrast-limited adaptive histogram equalization (helps low-contrast, uneven light)."""
    return cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tile, tile)).apply(gray)


def binarize(gray: np.ndarray, block: int = 31, c: int = 10) -> np.ndarray:
    """Adaptive Gaussian threshold: ink -> 0, background -> 255 (dark-on-light input)."""
    block = max(3, block | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, c)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary mask (255 = ink) for dark-on-light gray input, robust to uneven light."""
    h, w = gray.shape
    block = max(15, (min(h, w) // 20) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def estimate_skew(gray: np.ndarray, max_angle: float = 15.0) -> float:
    """Skew angle in degrees (positive = text rises to the right), from text-row projections.

    Tries angles on a coarse then fine grid and keeps the one whose horizontal
    projection profile of the ink is sharpest (highest variance); 0 when unsure.
    """
    h, w = gray.shape
    if min(h, w) < 32:
        return 0.0  # a strip or a speck: nothing to straighten
    mask = ink_mask(gray)
    scale = min(1.0, 1000.0 / max(h, w))
    if scale < 1.0:
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
    if np.count_nonzero(mask) < 50:
        return 0.0
    center = (mask.shape[1] / 2, mask.shape[0] / 2)

    def score(angle: float) -> float:
        rot = cv2.getRotationMatrix2D(center, angle, 1.0)
        warped = cv2.warpAffine(mask, rot, (mask.shape[1], mask.shape[0]), flags=cv2.INTER_NEAREST)
        return float(np.var(warped.sum(axis=1, dtype=np.float64)))

    coarse = np.arange(-max_angle, max_angle + 0.01, 1.0)
    best = max(coarse, key=score)
    fine = np.arange(best - 1.0, best + 1.01, 0.2)
    best = max(fine, key=score)
    if score(best) <= score(0.0) * 1.05:
        return 0.0
    return float(-best)


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre, expanding the canvas and filling with the border colour."""
    h, w = image.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
    rot[0, 2] += new_w / 2 - w / 2
    rot[1, 2] += new_h / 2 - h / 2
    return cv2.warpAffine(image, rot, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def deskew(gray: np.ndarray, max_angle: float = 15.0) -> tuple[np.ndarray, float]:
    """Straighten a page; returns the image and the angle removed (degrees)."""
    angle = estimate_skew(gray, max_angle)
    if abs(angle) < 0.3:
        return gray, 0.0
    return rotate(gray, -angle), angle


def is_bilevel(gray: np.ndarray) -> bool:
    """Whether a page holds two gray levels at most: a 1-bit scan or a fax (a histogram: about
    3 ms on a 300-dpi page, where numpy's bincount took 36)."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256])
    return int(np.count_nonzero(hist)) <= 2


def smooth_bilevel(line: np.ndarray, min_side: int = 32) -> np.ndarray:
    """A line crop of a 1-bit page with its staircase edges softened (3x3 Gaussian), when the
    crop is at least ``min_side`` across (the recognizer's input height), i.e. shrunk to read.

    The recognizer learned from anti-aliased renders; the hard jaggies of a 300-dpi bilevel scan,
    shrunk to 32 rows, turn into broken and bridged strokes. A smaller crop is enlarged instead,
    and blurring it loses detail (measured on synthetic 1-bit pages: model card)."""
    if min(line.shape[:2]) < min_side:
        return line
    return cv2.GaussianBlur(line, (3, 3), 0)


def trim_to_ink(gray: np.ndarray, margin: float = 0.15) -> np.ndarray:
    """Crop a dark-on-light line to its ink plus a margin of ``margin`` x ink height.

    A whole image sent as "one line" often has wide blank borders; the recognizer was
    trained on crops whose text fills most of the height.
    """
    h, w = gray.shape
    if h < 8 or w < 8:
        return gray
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows = np.flatnonzero(ink.sum(axis=1) > max(1, 0.01 * w))
    cols = np.flatnonzero(ink.sum(axis=0) > 0)
    if rows.size == 0 or cols.size == 0:
        return gray
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    pad = int(round((y1 - y0) * margin)) + 1
    y0, y1 = max(0, y0 - pad), min(h, y1 + pad)
    x0, x1 = max(0, x0 - 2 * pad), min(w, x1 + 2 * pad)
    return gray[y0:y1, x0:x1]


def prepare_line(image: np.ndarray, *, use_clahe: bool = False, use_binarize: bool = False) -> np.ndarray:
    """One line crop -> gray, dark text on light; the same call in training and inference."""
    gray = normalize_polarity(to_gray(image))
    if use_clahe:
        gray = clahe(gray)
    if use_binarize:
        gray = binarize(gray)
    return gray
