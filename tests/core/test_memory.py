"""Between the stages of a large scan, memory the last stage freed goes back to the OS."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from driftcheck._memory import release_freed

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux-only")


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def _freed_heap() -> list[np.ndarray]:
    """128 MiB of 64 KiB arrays (under malloc's mmap threshold, so on the heap), all but one freed:
    the heap cannot shrink by itself past the survivor at its top."""
    chunks = [np.ones(8192) for _ in range(2048)]
    del chunks[:-1]
    return chunks


def test_a_large_scan_gives_freed_memory_back():
    keep = _freed_heap()
    before = _rss_mib()
    release_freed(1_000_000)
    assert before - _rss_mib() > 64, "freed heap pages should have been returned"
    assert keep[0][0] == 1.0


def test_a_small_scan_leaves_the_allocator_alone():
    keep = _freed_heap()
    before = _rss_mib()
    release_freed(10_000)
    assert before - _rss_mib() < 16
    assert keep[0][0] == 1.0
