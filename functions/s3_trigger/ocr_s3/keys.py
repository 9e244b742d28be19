"""Mapping between uploaded keys and result keys; the trigger can never match its own output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prefixes:
    input: str = "uploads/"
    output: str = "results/"

    def __post_init__(self) -> None:
        if self.output.startswith(self.input) or self.input.startswith(self.output):
            raise ValueError(
                "the output prefix must lie outside the input prefix (or the trigger fires itself)"
            )

    def accepts(self, key: str) -> bool:
        """True for an uploaded object the trigger should read."""
        return key.startswith(self.input) and not key.startswith(self.output) and not key.endswith("/")

    def result_key(self, key: str, suffix: str) -> str:
        """results/<key relative to the input prefix><suffix>; path tricks cannot escape the prefix."""
        relative = key[len(self.input) :] if key.startswith(self.input) else key
        parts = [p for p in relative.split("/") if p not in ("", ".", "..")]
        safe = "/".join("".join(ch if ch.isprintable() else "_" for ch in p) for p in parts) or "_"
        return f"{self.output}{safe}{suffix}"
