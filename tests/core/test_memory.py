"""Freed heap memory goes back to the OS before a large page (ocr_core.memory)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from ocr_core.memory import release_free_heap


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")
def test_freed_small_blocks_are_returned_to_the_os():
    release_free_heap()
    blocks = [np.ones(8_000, np.float64) for _ in range(4_000)]  # 64 kB each: heap, not mmap
    keep = blocks[-1]  # the heap's top stays in use, so only a trim can return what lies below
    high = _rss_mb()
    del blocks
    kept = _rss_mb()
    assert release_free_heap()
    low = _rss_mb()
    assert high - kept < 0.5 * (high - low)  # glibc alone kept most of the 250 MB...
    assert high - low > 150  # ...the trim gave it back
    assert keep.sum() == 8_000
