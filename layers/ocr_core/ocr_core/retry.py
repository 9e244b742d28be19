"""Read unsure lines again from crops of other heights and keep the surest reading.

A detected line's crop height is a guess (the detector's region, thinned to ``line_height``): too
tall and the neighbours' ascenders and descenders intrude, too short and accents, underscores and
the tops of capitals are cut. The recognizer's own confidence says which crop read best; only lines
read with less than ``below`` pay for the extra reads (chosen on synthetic pages, model card).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ocr_core.ctc import Decoded

ReadAgain = Callable[[list[int], float], list[Decoded]]  # (line indices, height share) -> readings


def reread_unsure(
    decoded: Sequence[Decoded], read_again: ReadAgain, below: float, shares: Sequence[float]
) -> list[Decoded]:
    """``decoded`` with each line under ``below`` confidence replaced by its surest reading among
    ``read_again(lines, share)`` for each share (its crop's height times that share)."""
    out = list(decoded)
    unsure = [i for i, d in enumerate(out) if d.confidence < below]
    if not unsure:
        return out
    for share in shares:
        for i, d in zip(unsure, read_again(unsure, share), strict=True):
            if d.confidence > out[i].confidence:
                out[i] = d
    return out
