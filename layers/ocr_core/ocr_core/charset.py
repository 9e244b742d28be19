"""The recognizer's alphabet: index 0 is the CTC blank, 1..N are characters.

The same class encodes training labels and decodes model output, and the charset
travels inside the ONNX file's metadata (key ``charset``, a JSON list) so a model
file always carries the alphabet it was trained with.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

BLANK = 0


class Charset:
    """Bidirectional map between characters and class ids (blank = 0)."""

    def __init__(self, chars: Sequence[str]) -> None:
        if len(set(chars)) != len(chars):
            raise ValueError("charset has duplicate entries")
        if any(len(c) != 1 for c in chars):
            raise ValueError("every charset entry must be one code point")
        self.chars: tuple[str, ...] = tuple(chars)
        self._index = {c: i + 1 for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: object) -> bool:
        return char in self._index

    @property
    def num_classes(self) -> int:
        """Output width of the model: characters plus the blank."""
        return len(self.chars) + 1

    def encode(self, text: str) -> list[int]:
        """Map text to class ids; raises KeyError on a character outside the charset."""
        return [self._index[c] for c in text]

    def covers(self, text: str) -> bool:
        return all(c in self._index for c in text)

    def decode_ids(self, ids: Iterable[int]) -> str:
        """Map already-collapsed class ids (no blanks) to text."""
        return "".join(self.chars[i - 1] for i in ids)

    def to_json(self) -> str:
        return json.dumps(list(self.chars), ensure_ascii=False)

    @classmethod
    def from_json(cls, payload: str) -> Charset:
        return cls(json.loads(payload))

    @classmethod
    def from_file(cls, path: Path) -> Charset:
        return cls.from_json(path.read_text(encoding="utf-8"))


# Typographic quotes and apostrophes -> ASCII. Some ground truth (the UNLV scans) types ASCII
# quotes where the print has curly ones, so a faithful reading and a label disagree on them.
QUOTE_FOLD = str.maketrans("\u201c\u201d\u201e\u201f\u2033\u2018\u2019\u201a\u201b\u2032", "\"\"\"\"\"'''''")


def normalize_text(
    text: str, *, nfkc: bool = True, strip_spaces: bool = False, fold_quotes: bool = False
) -> str:
    """Comparison form used by evaluation (the dev set README: NFKC, optional no-space; optional
    ASCII quotes)."""
    out = unicodedata.normalize("NFKC", text) if nfkc else text
    if fold_quotes:
        out = out.translate(QUOTE_FOLD)
    out = " ".join(out.split())
    if strip_spaces:
        out = "".join(out.split())
    return out
