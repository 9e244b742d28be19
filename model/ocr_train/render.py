"""Render one synthetic text line with a real font and degrade it as real images are.

Output is what the recognizer sees at inference: the core's ``prepare_line`` (gray,
dark text on light) applied to a colour crop. Augmentations: blur, noise, JPEG
artefacts, perspective and small rotation, low contrast and uneven light, textured
and coloured backgrounds, light text on dark, underlines and table rules, tight and
loose crops, low resolution.
"""

from __future__ import annotations

import random
from functools import lru_cache

import cv2
import numpy as np
from ocr_core.preprocess import prepare_line
from PIL import Image, ImageDraw, ImageFont

from ocr_train.fonts import PackedFont

cv2.setNumThreads(1)


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def pick_font(text: str, fonts: list[PackedFont], rng: random.Random) -> PackedFont | None:
    """A random face whose cmap covers every character (never render tofu)."""
    needed = set(text) - {" "}
    ok = [f for f in fonts if needed <= f.coverage]
    if not ok:
        return None
    if text.isascii():
        latin = [f for f in ok if not f.cjk]
        if latin and rng.random() < 0.65:
            ok = latin
    return rng.choice(ok)


AUTOSPACE = 0.3  # share of lines whose Chinese/Latin junctions are drawn widened (labels unchanged)
AUTOSPACE_EM = (0.08, 0.25)  # the widening, in font sizes (word processors add about a quarter em)


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def script_runs(text: str) -> list[str]:
    """``text`` cut wherever a Chinese character and a Latin letter or digit meet with no space:
    the junctions that word processors and browsers widen by themselves ("autospacing"), so
    that print shows a gap the text never typed ("rapid_layout项目", "2013年07月")."""
    runs, start = [], 0
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        latin_a, latin_b = a.isascii() and a.isalnum(), b.isascii() and b.isalnum()
        if (_is_han(a) and latin_b) or (latin_a and _is_han(b)):
            runs.append(text[start:i])
            start = i
    runs.append(text[start:])
    return runs


def _text_mask(text: str, font: PackedFont, size: int, rng: random.Random) -> np.ndarray:
    """Gray mask (255 = ink) of the text with a small margin, optionally letter-spaced, or
    with its Chinese/Latin junctions widened as autospacing prints them."""
    f = _font(str(font.file), size)
    spacing = 0.0 if rng.random() < 0.75 else rng.uniform(-0.05, 0.35) * size
    ascent, descent = f.getmetrics()
    height = ascent + descent
    runs = script_runs(text) if spacing == 0.0 else [text]
    if len(runs) > 1 and rng.random() < AUTOSPACE:
        mask = units_mask(f, runs, rng.uniform(*AUTOSPACE_EM) * size, size)
    elif spacing == 0.0:
        width = int(f.getlength(text)) + 1
        canvas = Image.new("L", (width + size, height + size // 2), 0)
        ImageDraw.Draw(canvas).text((size // 2, size // 4), text, font=f, fill=255)
        mask = np.asarray(canvas)
    else:
        mask = units_mask(f, list(text), spacing, size)
    if rng.random() < 0.1:  # faux bold
        mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
    return mask


def units_mask(f: ImageFont.FreeTypeFont, units: list[str], gap: float, size: int) -> np.ndarray:
    """Gray mask of ``units`` (characters or words) drawn one after another, ``gap`` pixels apart
    beyond their own advances, on ``_text_mask``'s canvas (margin size/2 across, size/4 above)."""
    ascent, descent = f.getmetrics()
    advances = [f.getlength(u) for u in units]
    width = int(sum(advances) + gap * (len(units) - 1)) + 1
    canvas = Image.new("L", (max(width, 1) + size, ascent + descent + size // 2), 0)
    draw = ImageDraw.Draw(canvas)
    x = float(size // 2)
    for unit, adv in zip(units, advances, strict=True):
        draw.text((x, size // 4), unit, font=f, fill=255)
        x += adv + gap
    return np.asarray(canvas)


def _background(h: int, w: int, rng: random.Random) -> np.ndarray:
    """Colour background (h, w, 3) float32 in 0..255: flat, gradient, paper or noisy texture."""
    base = np.array([rng.uniform(0, 255) for _ in range(3)], np.float32)
    if rng.random() < 0.5:  # mostly light, near-gray paper
        lum = rng.uniform(170, 255)
        base = np.clip(lum + np.array([rng.uniform(-20, 20) for _ in range(3)]), 0, 255).astype(np.float32)
    bg = np.empty((h, w, 3), np.float32)
    bg[:] = base
    r = rng.random()
    if r < 0.25:  # linear gradient
        other = np.array([rng.uniform(0, 255) for _ in range(3)], np.float32)
        t = np.linspace(0, 1, w if rng.random() < 0.7 else h, dtype=np.float32)
        t = t[None, :, None] if t.size == w else t[:, None, None]
        bg = bg * (1 - t * 0.6) + other * (t * 0.6)
    elif r < 0.45:  # paper / texture: smoothed noise
        small = np.random.default_rng(rng.getrandbits(32)).normal(
            0, rng.uniform(5, 30), (max(2, h // 4), max(2, w // 4), 1)
        )
        bg = bg + cv2.resize(small.astype(np.float32), (w, h))[:, :, None]
    elif r < 0.55:  # photo-like blobs
        blobs = np.random.default_rng(rng.getrandbits(32)).uniform(-60, 60, (3, 6, 3)).astype(np.float32)
        bg = bg + cv2.resize(blobs, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(bg, 0, 255)


def _text_colour(bg_mean: np.ndarray, rng: random.Random) -> np.ndarray:
    """A colour with enough luminance contrast to the background (sometimes little)."""
    bg_lum = float(bg_mean.mean())
    min_contrast = rng.uniform(35, 60) if rng.random() < 0.15 else rng.uniform(80, 200)
    for _ in range(20):
        col = np.array([rng.uniform(0, 255) for _ in range(3)], np.float32)
        if rng.random() < 0.6:
            col[:] = rng.uniform(0, 80) if bg_lum > 127 else rng.uniform(180, 255)
        if abs(float(col.mean()) - bg_lum) >= min_contrast:
            return col
    return np.full(3, 0.0 if bg_lum > 127 else 255.0, np.float32)


def _rules(
    img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: np.ndarray, rng: random.Random
) -> None:
    """Underlines and table rules drawn in place around the text box."""
    h, w = img.shape[:2]
    col = tuple(float(c) for c in colour)
    thick = rng.choice([1, 1, 2])
    r = rng.random()
    if r < 0.5:
        y = min(h - 1, y1 + rng.randint(0, 4))
        cv2.line(img, (x0, y), (x1, y), col, thick)
    elif r < 0.8:
        cv2.rectangle(
            img,
            (rng.randint(0, max(0, x0 - 2)), rng.randint(0, max(0, y0 - 2))),
            (rng.randint(min(w - 1, x1 + 1), w - 1), rng.randint(min(h - 1, y1 + 1), h - 1)),
            col,
            thick,
        )
    else:
        for x in (rng.randint(0, max(0, x0 - 1)), rng.randint(min(w - 1, x1), w - 1)):
            cv2.line(img, (x, 0), (x, h - 1), col, thick)


def _geometry(img: np.ndarray, rng: random.Random, border: tuple[float, ...]) -> np.ndarray:
    """Small rotation, shear or perspective, filling with the background colour."""
    h, w = img.shape[:2]
    r = rng.random()
    if r < 0.55:
        return img
    if r < 0.8:
        angle = rng.uniform(-2.5, 2.5)
        mat = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        return cv2.warpAffine(img, mat, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    if r < 0.9:
        shear = rng.uniform(-0.3, 0.3)
        mat = np.array([[1, shear, -shear * h / 2], [0, 1, 0]], np.float32)
        return cv2.warpAffine(img, mat, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    d = min(h, w) * 0.12
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + np.float32([[rng.uniform(-d, d), rng.uniform(-d, d)] for _ in range(4)])
    mat = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, mat, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _degrade(img: np.ndarray, rng: random.Random) -> np.ndarray:
    """Uneven light, low resolution, blur, noise and JPEG artefacts (uint8 in/out)."""
    h, w = img.shape[:2]
    out = img.astype(np.float32)
    if rng.random() < 0.2:  # uneven illumination
        gx = np.linspace(rng.uniform(0.5, 1.0), rng.uniform(0.8, 1.2), w, dtype=np.float32)
        out *= gx[None, :, None]
    if rng.random() < 0.15:  # low contrast
        k = rng.uniform(0.35, 0.7)
        out = out * k + out.mean() * (1 - k)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:  # low resolution: text only ~8-20 px high
        target_h = rng.randint(10, 24)
        if h > target_h:
            small_w = max(4, int(w * target_h / h))
            out = cv2.resize(out, (small_w, target_h), interpolation=cv2.INTER_AREA)
    r = rng.random()
    if r < 0.2:
        k = rng.choice([3, 5])
        out = cv2.GaussianBlur(out, (k, k), rng.uniform(0.3, 1.4))
    elif r < 0.27:
        k = rng.randint(3, 6)
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        out = cv2.filter2D(out, -1, kernel)
    if rng.random() < 0.25:
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(3, 18), out.shape)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(15, 80)])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return out


def render_line(text: str, font: PackedFont, rng: random.Random, *, clean: bool = False) -> np.ndarray:
    """Render ``text`` and return a colour crop (h, w, 3) uint8; ``clean`` skips degradation."""
    size = rng.randrange(18, 64, 2)
    mask = _text_mask(text, font, size, rng)
    ys, xs = np.nonzero(mask > 40)
    if ys.size == 0:
        raise ValueError(f"font {font.name} drew nothing for {text!r}")
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    ink_h = max(y1 - y0, size // 3)
    # margins: tight (0-2 px) through loose (half a line height); vertical room for ascenders
    if rng.random() < 0.3:
        mt, mb, ml, mr = (rng.randint(0, 2) for _ in range(4))
    else:
        mt, mb = (rng.randint(1, max(2, int(ink_h * 0.45))) for _ in range(2))
        ml, mr = (rng.randint(1, max(2, int(ink_h * 0.9))) for _ in range(2))
    pad = max(mt, mb, ml, mr) + 2
    mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    y0, y1, x0, x1 = y0 + pad, y1 + pad, x0 + pad, x1 + pad
    mask = mask[y0 - mt : y1 + mb, x0 - ml : x1 + mr]
    h, w = mask.shape
    bg = _background(h, w, rng)
    colour = _text_colour(bg.reshape(-1, 3).mean(axis=0), rng)
    alpha = mask.astype(np.float32)[:, :, None] / 255.0
    img = (bg * (1 - alpha) + colour[None, None, :] * alpha).astype(np.uint8)
    if clean:
        return img
    if rng.random() < 0.12:
        _rules(img, ml, mt, w - mr, h - mb, colour, rng)
    border = tuple(float(c) for c in bg[0, 0])
    img = _geometry(img, rng, border)
    return _degrade(img, rng)


def synth_line(text: str, font: PackedFont, rng: random.Random, *, clean: bool = False) -> np.ndarray:
    """Rendered, degraded, and prepared exactly as inference prepares a crop (gray, dark on light)."""
    return prepare_line(render_line(text, font, rng, clean=clean))
