"""Synthetic full pages with line quads, for training the text detector.

Same fonts, text sampler and glyph renderer as the recognizer's lines. Layouts:
documents (one or two columns, headings), receipts (item ... price rows), tables
(ruled cells), screenshots (flat UI colours, chat bubbles, dark themes), signs
(few big lines on photo-like backgrounds), vertical Chinese (columns, right to left) and
cards (a label, ticket or leaflet photographed on a darker surround: large lines over rows
of small print and tiny captions). Magazines (justified columns on one baseline grid, narrow
gutters) and prose (English paragraphs justified word by word, as books and magazines set them)
are drawn only when asked for: they measure, they do not train.
Clutter (rules, boxes, blobs, pictures) teaches what is not text. Whole-page rotation
(small tilts, sometimes 90/180/270) and perspective warps move the quads with the pixels.

A "line" is what the pages' labels call a line: words joined by ordinary spaces;
segments on one row separated by a wide gap (table cells, item and price) are
separate lines, so the detector learns to split there.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from ocr_core.charset import Charset
from PIL import ImageFont

from ocr_train.corpus import load as load_corpus
from ocr_train.fonts import PackedFont, load_pack
from ocr_train.render import _background, _font, _text_colour, _text_mask, pick_font, units_mask
from ocr_train.textgen import TextSampler

cv2.setNumThreads(1)

KINDS = ("document", "receipt", "table", "screenshot", "sign", "vertical", "card", "magazine", "prose")
# magazines and prose: drawn only when asked for
KIND_WEIGHTS = (0.30, 0.13, 0.13, 0.24, 0.14, 0.06, 0.12, 0.0, 0.0)
LEADING = (0.45, 1.2)  # documents: blank between lines, in font sizes (books and scans go to ~0.1)


@dataclass
class SynthPage:
    image: np.ndarray  # (H, W) uint8 gray
    quads: list[np.ndarray]  # each (4, 2) float32, clockwise from top-left of the text
    texts: list[str] = field(default_factory=list)  # what each quad says (end-to-end scoring)


def _short_text(sampler: TextSampler, rng: random.Random, max_chars: int) -> str:
    for _ in range(20):
        _, text = sampler.sample(rng.uniform(0.3, 1.0))
        if len(text) > max_chars:
            cut = text[: max(1, max_chars)].strip()
            text = cut or text[:1]
        if text.strip():
            return text.strip()
    return "OCR"


def _spread_mask(text: str, font: PackedFont, size: int, extra: float) -> np.ndarray:
    """Gray mask (255 = ink) of ``text`` with every space widened by ``extra`` pixels.

    Justified columns (magazines, newspapers, books) stretch the spaces of each line to fill the
    measure; a loose line is still one line, and the detector's pieces of it must be joined."""
    f = _font(str(font.file), size)
    return units_mask(f, text.split(" "), f.getlength(" ") + extra, size)


class _Canvas:
    """A colour page being drawn on, with the tight ink quad of every line drawn."""

    def __init__(
        self,
        h: int,
        w: int,
        rng: random.Random,
        dark: bool = False,
        leading: tuple[float, float] = LEADING,
        paper: bool = False,
    ) -> None:
        self.rng = rng
        self.leading = leading
        if paper:  # plain white paper, as a flatbed scan of print shows it
            self.img = np.full((h, w, 3), 250.0, np.float32)
        elif dark:
            lum = rng.uniform(15, 60)
            self.img = np.full((h, w, 3), lum, np.float32) + np.float32(
                [rng.uniform(-10, 10) for _ in range(3)]
            )
        else:
            self.img = _background(h, w, rng)
        self.quads: list[np.ndarray] = []
        self.texts: list[str] = []

    @property
    def h(self) -> int:
        return self.img.shape[0]

    @property
    def w(self) -> int:
        return self.img.shape[1]

    def text(
        self,
        text: str,
        font: PackedFont,
        size: int,
        x: int,
        y: int,
        colour: np.ndarray | None = None,
        max_w: int | None = None,
        spread: float = 0.0,
    ) -> tuple[int, int] | None:
        """Draw ``text`` with its ink top-left near (x, y), its spaces ``spread`` pixels wider;
        return the ink (width, height) or None."""
        if spread > 0 and " " in text:
            mask = _spread_mask(text, font, size, spread)
        else:
            mask = _text_mask(text, font, size, self.rng)
        ys, xs = np.nonzero(mask > 60)
        if ys.size == 0:
            return None
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        ink = mask[y0:y1, x0:x1]
        ih, iw = ink.shape
        limit = min(self.w - x, max_w if max_w is not None else self.w)
        if iw > limit or y + ih > self.h or x < 0 or y < 0 or iw < 2:
            return None
        region = self.img[y : y + ih, x : x + iw]
        if colour is None:
            colour = _text_colour(region.reshape(-1, 3).mean(axis=0), self.rng)
        alpha = ink.astype(np.float32)[:, :, None] / 255.0
        self.img[y : y + ih, x : x + iw] = region * (1 - alpha) + colour[None, None, :] * alpha
        self.quads.append(np.float32([[x, y], [x + iw, y], [x + iw, y + ih], [x, y + ih]]))
        self.texts.append(text)
        return iw, ih

    def column(self, text: str, font: PackedFont, size: int, x: int, y: int) -> bool:
        """Vertical writing: the characters upright, one below the other, as one (tall) line."""
        cells = []
        for ch in text:
            mask = _text_mask(ch, font, size, self.rng)
            ys, xs = np.nonzero(mask > 60)
            if ys.size:
                cells.append(mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
        if not cells:
            return False
        step = int(size * self.rng.uniform(1.0, 1.3))
        col_w = max(c.shape[1] for c in cells)
        col_h = step * (len(cells) - 1) + cells[-1].shape[0]
        if x + col_w > self.w or y + col_h > self.h:
            return False
        region = self.img[y : y + col_h, x : x + col_w]
        colour = _text_colour(region.reshape(-1, 3).mean(axis=0), self.rng)
        for i, cell in enumerate(cells):
            ch_h, ch_w = cell.shape
            top, left = y + i * step, x + (col_w - ch_w) // 2
            alpha = cell.astype(np.float32)[:, :, None] / 255.0
            area = self.img[top : top + ch_h, left : left + ch_w]
            self.img[top : top + ch_h, left : left + ch_w] = (
                area * (1 - alpha) + colour[None, None, :] * alpha
            )
        self.quads.append(np.float32([[x, y], [x + col_w, y], [x + col_w, y + col_h], [x, y + col_h]]))
        self.texts.append("".join(ch for ch in text if ch.strip()))
        return True


def _vertical(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    """Columns of vertical Chinese, right to left (signs, couplets, book spines)."""
    rng = c.rng
    size = rng.randint(14, 48)
    x = c.w - size - rng.randint(4, 30)
    while x > 4:
        for _ in range(5):
            text = "".join(
                ch for ch in _short_text(sampler, rng, max(2, (c.h - 20) // size)) if ord(ch) > 0x2E80
            )
            if len(text) >= 2:
                break
        font = pick_font(text, fonts, rng) if len(text) >= 2 else None
        if font is not None:
            c.column(text, font, size, x, rng.randint(2, max(3, c.h // 6)))
        x -= int(size * rng.uniform(1.5, 2.5))


def _font_for(
    text: str, fonts: list[PackedFont], rng: random.Random, mono: bool = False
) -> PackedFont | None:
    if mono:
        monos = [f for f in fonts if "mono" in f.name and set(text) - {" "} <= f.coverage]
        if monos and rng.random() < 0.7:
            return rng.choice(monos)
    return pick_font(text, fonts, rng)


def _row_texts(
    c: _Canvas,
    sampler: TextSampler,
    fonts: list[PackedFont],
    x0: int,
    x1: int,
    y: int,
    size: int,
    align: str,
    spread: float = 0.0,
) -> int:
    """One document line between x0 and x1, its spaces ``spread`` pixels wider; returns the ink
    height drawn (0 when nothing fit)."""
    rng = c.rng
    width = x1 - x0
    max_chars = max(1, int(width / (size * rng.uniform(0.55, 1.0))))
    text = _short_text(sampler, rng, max_chars)
    font = _font_for(text, fonts, rng)
    if font is None:
        return 0
    for _ in range(3):
        mask_w = int(len(text) * size * (0.55 if text.isascii() else 1.0))
        x = x0 if align == "left" else x0 + max(0, (width - mask_w) // 2)
        got = c.text(text, font, size, x, y, max_w=x1 - x, spread=spread)
        if got:
            return got[1]
        text = text[: max(1, len(text) * 2 // 3)].strip() or text[:1]
    return 0


def _document(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    rng = c.rng
    margin = rng.randint(4, max(5, c.w // 10))
    cols = 2 if c.w > 500 and rng.random() < 0.3 else 1
    gutter = rng.randint(24, 60)
    col_w = (c.w - 2 * margin - (cols - 1) * gutter) // cols
    body = rng.randint(11, 30)
    justified = rng.random() < 0.3  # word spaces stretched, up to about a character wide
    for col in range(cols):
        x0 = margin + col * (col_w + gutter)
        y = rng.randint(2, max(3, c.h // 12))
        while y < c.h - body:
            heading = rng.random() < 0.12
            size = int(body * rng.uniform(1.3, 2.0)) if heading else body
            align = "center" if heading and rng.random() < 0.5 else "left"
            indent = int(size * 2) if rng.random() < 0.15 else 0
            right = x0 + col_w - (rng.randint(0, col_w // 2) if rng.random() < 0.3 else 0)
            spread = size * rng.uniform(0.1, 0.9) if justified and not heading else 0.0
            ih = _row_texts(c, sampler, fonts, x0 + indent, right, y, size, align, spread)
            y += int(max(ih, size * 0.7) + size * rng.uniform(*c.leading))
            if rng.random() < 0.1:
                y += size  # paragraph break


def _magazine(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    """A magazine or newspaper page: 2-4 justified columns on one baseline grid, gutters only
    0.6-1.5 type sizes wide, often under a headline across them. The texts run headline first,
    then column by column: the order a reader takes. Not a training layout (weight 0): it
    measures reading order, which a shared baseline grid and narrow gutters make hard."""
    rng = c.rng
    body = rng.randint(11, 20)
    margin = rng.randint(8, 30)
    gutter = max(4, int(body * rng.uniform(0.6, 1.5)))
    cols = max(1, min(rng.randint(2, 4), (c.w - 2 * margin + gutter) // (body * 10 + gutter)))
    col_w = (c.w - 2 * margin - (cols - 1) * gutter) // cols
    top = rng.randint(4, 20)
    if rng.random() < 0.6:
        size = int(body * rng.uniform(1.8, 3.0))
        ih = _row_texts(c, sampler, fonts, margin, c.w - margin, top, size, "left")
        top += int(max(ih, size) + body * rng.uniform(0.8, 1.6))
    pitch = int(body * rng.uniform(1.3, 1.7))
    for col in range(cols):
        x0 = margin + col * (col_w + gutter)
        for y in range(top, c.h - body, pitch):
            _full_row(c, sampler, fonts, x0, col_w, y, body)


def _full_row(
    c: _Canvas, sampler: TextSampler, fonts: list[PackedFont], x: int, width: int, y: int, size: int
) -> None:
    """One justified line: text drawn, then shortened until it fits, its spaces stretched to
    nearly fill ``width``."""
    rng = c.rng
    text = ""
    while len(text) < width / size * 1.6:
        text = f"{text} {_short_text(sampler, rng, 40)}".strip()
    font = _font_for(text, fonts, rng)
    if font is None:
        return
    f = _font(str(font.file), size)
    while len(text) > 1 and f.getlength(text) > width:
        text = text[: max(1, int(len(text) * min(0.97, width / max(1.0, f.getlength(text)))))].strip()
    gaps = text.count(" ")
    spread = min(size * 0.8, (width - f.getlength(text)) / gaps) * rng.uniform(0.7, 1.0) if gaps else 0.0
    c.text(text, font, size, x, y, max_w=width, spread=max(0.0, spread))


@functools.cache
def _english_prose(font: PackedFont) -> tuple[str, ...]:
    """Real English sentences (``realtext.english_sentences``) that ``font`` draws in full."""
    from ocr_train.realtext import english_sentences

    return tuple(s for s in english_sentences() if set(s) - {" "} <= font.coverage)


def _hyphenate(word: str, room: float, f: ImageFont.FreeTypeFont) -> tuple[str, str] | None:
    """The longest head of ``word`` that fits ``room`` with a hyphen, leaving 3+ letters on each
    side (a typesetter's break, without a dictionary), or None."""
    for k in range(len(word) - 3, 2, -1):
        if word[:k].isalpha() and f.getlength(word[:k] + "-") <= room:
            return word[:k] + "-", word[k:]
    return None


def _prose(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    """English prose set as a book or magazine sets it: paragraphs justified word by word into 1-3
    columns of one face, long words hyphenated at some line ends, and each line's leftover width
    spread over its word spaces (up to two ems more). Loose lines get spaces an em wide, and the
    detector breaks lines there, as on the dev scans. Paragraphs start indented and end ragged."""
    rng = c.rng
    size = rng.randint(12, 22)
    font = rng.choice([f for f in fonts if not f.cjk] or fonts)
    sentences = _english_prose(font)
    if not sentences:
        return
    f = _font(str(font.file), size)
    margin = rng.randint(8, 30)
    gutter = max(4, int(size * rng.uniform(0.9, 2.0)))
    cols = max(1, min(rng.randint(1, 3), (c.w - 2 * margin + gutter) // (size * 12 + gutter)))
    col_w = (c.w - 2 * margin - (cols - 1) * gutter) // cols
    pitch = int(size * rng.uniform(1.15, 1.5))
    indent = int(size * rng.uniform(1.0, 2.0))
    top = rng.randint(4, 20)
    hyphens = rng.uniform(0.0, 0.6)  # share of line ends a long word is broken at
    words: list[str] = []
    for col in range(cols):
        x0 = margin + col * (col_w + gutter)
        for y in range(top, c.h - pitch, pitch):
            start = not words
            if start:  # a new paragraph of 1-4 consecutive sentences
                first = rng.randrange(len(sentences))
                words = " ".join(sentences[first : first + rng.randint(1, 4)]).split()
            x = x0 + (indent if start else 0)
            width = x0 + col_w - x - 1
            line: list[str] = []
            while words and f.getlength(" ".join([*line, words[0]])) <= width:
                line.append(words.pop(0))
            if words and line and rng.random() < hyphens:
                cut = _hyphenate(words[0], width - f.getlength(" ".join(line) + " "), f)
                if cut:
                    line.append(cut[0])
                    words[0] = cut[1]
            if not line:  # a word wider than the column
                words.pop(0)
                continue
            text = " ".join(line)
            gaps = len(line) - 1
            spread = min(size * 2.0, (width - f.getlength(text)) / gaps) if words and gaps else 0.0
            c.text(text, font, size, x, y, max_w=width + 1, spread=max(0.0, spread))


def _receipt(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    rng = c.rng
    size = rng.randint(11, 26)
    margin = rng.randint(4, max(5, c.w // 12))
    y = rng.randint(2, 30)
    while y < c.h - size:
        left = _short_text(sampler, rng, max(1, int(c.w * 0.5 / size)))
        font = _font_for(left, fonts, rng, mono=True)
        got = c.text(left, font, size, margin, y, max_w=int(c.w * 0.6)) if font else None
        if rng.random() < 0.8:
            price = rng.choice(["{:.2f}", "¥{:.2f}", "${:.2f}", "{:.0f}", "x{:.0f}"]).format(
                rng.uniform(0, 999)
            )
            pfont = _font_for(price, fonts, rng, mono=True)
            if pfont:
                pw = int(len(price) * size * 0.62)
                c.text(price, pfont, size, max(margin, c.w - margin - pw), y, max_w=pw + size)
        y += int((got[1] if got else size) + size * rng.uniform(0.4, 1.0))
        if rng.random() < 0.08:  # dashed separator
            yy = y + size // 3
            for xx in range(margin, c.w - margin, 8):
                cv2.line(c.img, (xx, yy), (xx + 4, yy), (60, 60, 60), 1)
            y += size


def _table(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    rng = c.rng
    size = rng.randint(11, 24)
    ncols = rng.randint(2, 5)
    row_h = int(size * rng.uniform(1.6, 2.4))
    margin = rng.randint(2, 30)
    xs = sorted(rng.sample(range(margin + 20, c.w - margin - 20), ncols - 1)) if c.w > 120 else []
    edges = [margin, *xs, c.w - margin]
    colour = tuple(float(v) for v in np.float32([rng.uniform(0, 120)] * 3))
    ruled = rng.random() < 0.75
    y = rng.randint(2, 30)
    while y + row_h < c.h:
        if ruled:
            cv2.line(c.img, (edges[0], y), (edges[-1], y), colour, 1)
        for a, b in itertools.pairwise(edges):
            if b - a < size * 2 or rng.random() < 0.15:
                continue
            text = _short_text(sampler, rng, max(1, int((b - a - 8) / size)))
            font = _font_for(text, fonts, rng)
            if font:
                c.text(text, font, size, a + rng.randint(3, 8), y + (row_h - size) // 2, max_w=b - a - 6)
        y += row_h
    if ruled:
        cv2.line(c.img, (edges[0], y), (edges[-1], y), colour, 1)
        for x in edges:
            cv2.line(c.img, (x, 0 if rng.random() < 0.2 else edges[0]), (x, y), colour, 1)


def _screenshot(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    rng = c.rng
    y = rng.randint(2, 20)
    while y < c.h - 20:
        size = rng.randint(11, 28)
        r = rng.random()
        if r < 0.35:  # chat bubble / button
            text = _short_text(sampler, rng, max(1, int(c.w * 0.6 / size)))
            font = _font_for(text, fonts, rng)
            if font is None:
                y += size
                continue
            tw = int(len(text) * size * (0.6 if text.isascii() else 1.0)) + 2 * size
            x = rng.randint(2, max(3, c.w - tw - 2)) if rng.random() < 0.5 else max(2, c.w - tw - 8)
            fill = np.float32([rng.uniform(0, 255) for _ in range(3)])
            pad = size // 2
            cv2.rectangle(
                c.img, (x, y), (min(c.w - 1, x + tw), y + size + 2 * pad), tuple(map(float, fill)), -1
            )
            got = c.text(text, font, size, x + pad, y + pad, max_w=tw)
            y += size + 2 * pad + rng.randint(4, 20) if got else size
        elif r < 0.45:  # icon-like clutter
            s = rng.randint(8, 40)
            x = rng.randint(0, max(1, c.w - s))
            col = tuple(rng.uniform(0, 255) for _ in range(3))
            if rng.random() < 0.5:
                cv2.circle(c.img, (x + s // 2, y + s // 2), s // 2, col, -1)
            else:
                cv2.rectangle(c.img, (x, y), (x + s, y + s), col, rng.choice([-1, 2]))
            y += s + 4
        else:
            ih = _row_texts(c, sampler, fonts, rng.randint(2, c.w // 6), c.w - 4, y, size, "left")
            y += int(max(ih, size) + size * rng.uniform(0.5, 1.5))


def _sign(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    rng = c.rng
    for _ in range(rng.randint(1, 5)):
        size = rng.randint(20, max(21, min(90, c.h // 4)))
        text = _short_text(sampler, rng, max(1, int(c.w * 0.9 / size)))
        font = _font_for(text, fonts, rng)
        if font is None:
            continue
        x, y = rng.randint(0, max(1, c.w // 3)), rng.randint(0, max(1, c.h - size))
        if rng.random() < 0.4:  # a painted band behind the words
            band = tuple(rng.uniform(0, 255) for _ in range(3))
            cv2.rectangle(
                c.img, (x - 6, y - 6), (min(c.w, x + int(len(text) * size)), y + size + 8), band, -1
            )
        c.text(text, font, size, x, y)


def _card(c: _Canvas, sampler: TextSampler, fonts: list[PackedFont]) -> None:
    """A label, ticket or leaflet photographed: a light card on a darker surround, one or two
    large lines over rows of small print (7-11 px), item rows led by an icon, and tiny captions
    beside larger figures. Photos of such things hold most of their text at sizes the other
    layouts rarely draw."""
    rng = c.rng
    c.img *= np.float32(rng.uniform(0.25, 0.7))  # the surround: a table, fabric, a hand
    cw, ch = int(c.w * rng.uniform(0.45, 0.92)), int(c.h * rng.uniform(0.5, 0.95))
    x0, y0 = rng.randint(0, c.w - cw), rng.randint(0, c.h - ch)
    tint = np.float32([rng.uniform(185, 250)] * 3) + np.float32([rng.uniform(-8, 8) for _ in range(3)])
    grain = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(0, 6), (ch, cw, 1))
    c.img[y0 : y0 + ch, x0 : x0 + cw] = tint + grain.astype(np.float32)
    margin = rng.randint(3, max(4, cw // 10))
    left, right = x0 + margin, x0 + cw - margin
    y = y0 + rng.randint(3, 16)
    while y < y0 + ch - 8:
        r = rng.random()
        if r < 0.2:
            size = rng.randint(16, 36)
        elif r < 0.5:
            size = rng.randint(10, 16)
        else:
            size = rng.randint(7, 11)
        x = left
        if 0.2 <= r < 0.5 and rng.random() < 0.5:  # an icon before the item
            col = tuple(float(v) for v in [rng.uniform(0, 110)] * 3)
            if rng.random() < 0.5:
                cv2.circle(c.img, (x + size // 2, y + size // 2), size // 2, col, rng.choice([-1, 1]))
            else:
                cv2.rectangle(c.img, (x, y), (x + size, y + size), col, rng.choice([-1, 1]))
            x += int(size * rng.uniform(1.4, 2.2))
        width = right - x
        caption = r < 0.5 and rng.random() < 0.3 and width > 12 * size
        if caption:  # a tiny caption (a price, a unit) to the right of this line
            width = int(width * 0.55)
        text = _short_text(sampler, rng, max(1, int(width / (size * rng.uniform(0.6, 1.0)))))
        font = _font_for(text, fonts, rng)
        got = c.text(text, font, size, x, y, max_w=width) if font else None
        if caption and got:
            tiny = rng.randint(7, 10)
            note = _short_text(sampler, rng, max(1, int((right - x - got[0] - 2 * size) / tiny)))
            nfont = _font_for(note, fonts, rng)
            cx = x + got[0] + int(size * rng.uniform(1.5, 3.0))
            if nfont and cx < right - 2 * tiny:
                c.text(note, nfont, tiny, cx, y + max(0, got[1] - tiny), max_w=right - cx)
        y += int((got[1] if got else size) + size * rng.uniform(0.3, 0.9))


def _clutter(c: _Canvas) -> None:
    """Non-text marks: rules, frames, blobs, a photo-like patch."""
    rng = c.rng
    for _ in range(rng.randint(0, 4)):
        col = tuple(rng.uniform(0, 255) for _ in range(3))
        r = rng.random()
        x, y = rng.randint(0, c.w - 1), rng.randint(0, c.h - 1)
        if r < 0.35:
            cv2.line(c.img, (x, y), (rng.randint(0, c.w - 1), y + rng.randint(-3, 3)), col, rng.randint(1, 3))
        elif r < 0.6:
            cv2.rectangle(
                c.img, (x, y), (x + rng.randint(10, 200), y + rng.randint(10, 200)), col, rng.randint(1, 3)
            )
        elif r < 0.8:
            cv2.ellipse(
                c.img, (x, y), (rng.randint(3, 60), rng.randint(3, 60)), rng.uniform(0, 180), 0, 360, col, -1
            )
        else:
            ph, pw = rng.randint(20, max(21, c.h // 3)), rng.randint(20, max(21, c.w // 3))
            y0, x0 = min(y, c.h - ph), min(x, c.w - pw)
            if y0 >= 0 and x0 >= 0:
                patch = (
                    np.random.default_rng(rng.getrandbits(32)).uniform(0, 255, (4, 4, 3)).astype(np.float32)
                )
                c.img[y0 : y0 + ph, x0 : x0 + pw] = cv2.resize(patch, (pw, ph), interpolation=cv2.INTER_CUBIC)


def _warp(
    image: np.ndarray, quads: list[np.ndarray], rng: random.Random
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rotate (small tilt; sometimes a quarter or half turn) and/or perspective-warp the page."""
    h, w = image.shape[:2]
    border = tuple(float(v) for v in image[0, 0]) if image.ndim == 3 else float(image[0, 0])
    r = rng.random()
    if r < 0.12:  # quarter / half turns, exactly
        k = rng.choice([1, 2, 3])
        out = np.ascontiguousarray(np.rot90(image, k))  # counter-clockwise
        moved = []
        for q in quads:
            p = q.copy()
            for i in range(k):  # (x, y) -> (y, width - x), the width alternating w, h, w
                p = np.stack([p[:, 1], (w if i % 2 == 0 else h) - p[:, 0]], axis=1)
            moved.append(p.astype(np.float32))
        return out, moved
    mat: np.ndarray | None = None
    if r < 0.55:
        angle = rng.uniform(-4, 4) if rng.random() < 0.75 else rng.uniform(-35, 35)
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
        nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
        rot[0, 2] += nw / 2 - w / 2
        rot[1, 2] += nh / 2 - h / 2
        mat = np.vstack([rot, [0, 0, 1]])
        size = (nw, nh)
    elif r < 0.75:
        d = min(h, w) * rng.uniform(0.03, 0.15)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = src + np.float32([[rng.uniform(0, d), rng.uniform(0, d)] for _ in range(4)]) * np.float32(
            [[1, 1], [-1, 1], [-1, -1], [1, -1]]
        )
        mat = cv2.getPerspectiveTransform(src, dst)
        size = (w, h)
    if mat is None:
        return image, quads
    out = cv2.warpPerspective(image, mat, size, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    moved = [cv2.perspectiveTransform(q[None], mat)[0].astype(np.float32) for q in quads]
    return out, moved


def _degrade_page(gray: np.ndarray, rng: random.Random) -> np.ndarray:
    out = gray
    h, w = out.shape
    if rng.random() < 0.2:  # scanned at a lower resolution
        f = rng.uniform(0.5, 0.85)
        out = cv2.resize(
            cv2.resize(out, (max(8, int(w * f)), max(8, int(h * f))), interpolation=cv2.INTER_AREA), (w, h)
        )
    if rng.random() < 0.2:
        out = cv2.GaussianBlur(out, (3, 3), rng.uniform(0.3, 1.2))
    if rng.random() < 0.25:
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(3, 15), out.shape)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.25:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(25, 85)])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if rng.random() < 0.08:  # 1-bit scans
        out = cv2.adaptiveThreshold(out, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, 10)
    return out


def render_page(
    sampler: TextSampler,
    fonts: list[PackedFont],
    rng: random.Random,
    kinds: tuple[str, ...] = KINDS,
    leading: tuple[float, float] = LEADING,
    canvas: float = 1.0,
    clean: bool = False,
) -> SynthPage:
    """One synthetic page (gray) and the quads of its lines, after the page's geometry.

    ``kinds`` narrows the layouts (their weights kept); ``leading`` sets the documents' line gaps;
    ``canvas`` multiplies the page's size and not its type sizes: at 3, a document holds the small
    print of a full letter page (lines about 1% of the page's height), as a 300-dpi scan does.
    ``clean``: print on plain paper, level, with no clutter and no degradation: what a flatbed
    scan of a magazine shows before its own scale and thresholding (``page_eval --clean``)."""
    weights = [KIND_WEIGHTS[KINDS.index(k)] for k in kinds]
    kind = rng.choices(kinds, weights if sum(weights) else None)[0]
    w = rng.randint(280, 900) if kind != "receipt" else rng.randint(200, 420)
    h = rng.randint(200, 900) if kind != "receipt" else rng.randint(400, 900)
    w, h = int(w * canvas), int(h * canvas)
    dark = kind == "screenshot" and rng.random() < 0.3 and not clean
    c = _Canvas(h, w, rng, dark=dark, leading=leading, paper=clean)
    if not clean:
        _clutter(c)
    layouts = {"document": _document, "receipt": _receipt, "table": _table, "screenshot": _screenshot}
    layouts |= {"sign": _sign, "vertical": _vertical, "card": _card, "magazine": _magazine, "prose": _prose}
    layouts[kind](c, sampler, fonts)
    if rng.random() < 0.3 and not clean:
        _clutter(c)
    gray = cv2.cvtColor(np.clip(c.img, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY)
    if clean:
        return SynthPage(gray, c.quads, c.texts)
    gray, quads = _warp(gray, c.quads, rng)
    return SynthPage(_degrade_page(gray, rng), quads, c.texts)


def held_out_pages(
    n: int,
    seed: int,
    charset: Path,
    corpus: Path,
    fonts: Path,
    kinds: tuple[str, ...] = KINDS,
    leading: tuple[float, float] = LEADING,
    canvas: float = 1.0,
    clean: bool = False,
) -> list[SynthPage]:
    """``n`` fixed pages (``seed``) in the held-out fonts, never rendered for training."""
    rng = random.Random(seed)
    sampler = TextSampler(load_corpus(corpus), Charset.from_file(charset), seed)
    pack = load_pack(fonts, role="val") or load_pack(fonts)
    return [render_page(sampler, pack, rng, kinds, leading, canvas, clean) for _ in range(n)]
