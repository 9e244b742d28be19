"""reread_unsure: which lines are read again, and which reading stays."""

from __future__ import annotations

from ocr_core.ctc import Decoded
from ocr_core.retry import reread_unsure


def test_only_unsure_lines_are_read_again_and_the_surest_reading_stays():
    first = [Decoded("sure", 0.97), Decoded("bad", 0.5), Decoded("worse", 0.4)]
    asked: list[tuple[list[int], float]] = []
    better = {
        1.2: {1: Decoded("good", 0.95), 2: Decoded("still bad", 0.3)},
        0.85: {1: Decoded("ok", 0.8), 2: Decoded("fine", 0.6)},
    }

    def read_again(lines: list[int], share: float) -> list[Decoded]:
        asked.append((lines, share))
        return [better[share][i] for i in lines]

    out = reread_unsure(first, read_again, below=0.9, shares=(1.2, 0.85))
    assert asked == [([1, 2], 1.2), ([1, 2], 0.85)]
    assert out == [Decoded("sure", 0.97), Decoded("good", 0.95), Decoded("fine", 0.6)]


def test_nothing_is_read_again_when_every_line_is_sure():
    def read_again(lines: list[int], share: float) -> list[Decoded]:
        raise AssertionError("no line should be read again")

    first = [Decoded("a", 0.95), Decoded("b", 0.99)]
    assert reread_unsure(first, read_again, below=0.9, shares=(1.2,)) == first
