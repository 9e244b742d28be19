"""Frozen result types shared by every edge (CLI, API, S3, evaluation)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in the pixel coordinates of the decoded input image."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def as_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]


@dataclass(frozen=True)
class Line:
    """One recognized text line.

    ``confidence`` is the mean, over the emitted characters, of the CTC posterior of
    the winning class (1.0 for an empty line is never reported: empty lines are dropped).
    """

    text: str
    confidence: float
    box: Box

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(self.confidence, 4), "box": self.box.as_list()}


@dataclass(frozen=True)
class OcrResult:
    """Everything one page read produced, with timings in seconds."""

    lines: tuple[Line, ...]
    width: int
    height: int
    model: str
    model_version: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["lines"] = [line.to_dict() for line in self.lines]
        out["timings"] = {k: round(v, 5) for k, v in self.timings.items()}
        return out


PAGE_BREAK = "\n\f\n"  # between the text of PDF pages


def document_dict(pages: list[OcrResult], numbers: list[int] | None = None) -> dict[str, Any]:
    """The stored form of a read document: the first page's fields at the top (a one-page document
    is just its result), all text, the page count and, for several pages, every page's result
    under its 1-based page number (``numbers``, when only some pages were read)."""
    out = {**pages[0].to_dict(), "text": PAGE_BREAK.join(p.text for p in pages), "page_count": len(pages)}
    if len(pages) > 1 or numbers:
        nums = numbers or list(range(1, len(pages) + 1))
        out["pages"] = [{"page": n, **p.to_dict()} for n, p in zip(nums, pages, strict=True)]
    return out
