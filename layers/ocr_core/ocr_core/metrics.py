"""Edit distance, CER and line accuracy: one definition for evaluation and training."""

from __future__ import annotations

from collections.abc import Sequence


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two sequences (O(len(a) * len(b)), small lines)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def score(pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    """pairs of (prediction, truth) -> line accuracy and CER (edits / truth characters)."""
    if not pairs:
        return {"n": 0, "line_acc": 0.0, "cer": 0.0}
    exact = sum(p == t for p, t in pairs)
    edits = sum(edit_distance(p, t) for p, t in pairs)
    chars = sum(len(t) for _, t in pairs)
    return {"n": len(pairs), "line_acc": exact / len(pairs), "cer": edits / max(1, chars)}
