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


def test_the_scan_command_lets_go_of_the_frames_before_writing_the_report(monkeypatch, tmp_path, repo_root):
    """Reports read only the scan dict; the record frame and job table must not be held while one is
    written (at a million jobs they are most of the process's memory)."""
    import gc
    import weakref

    from typer.testing import CliRunner

    import driftcheck.report.jsonout as jsonout
    import driftcheck.scan as scan_mod
    from driftcheck.cli import app

    held: dict[str, weakref.ref] = {}
    real_scan, real_write = scan_mod.run_scan, jsonout.write_json

    def watched_scan(*args, **kwargs):
        outcome = real_scan(*args, **kwargs)
        held["records"] = weakref.ref(outcome.loaded.records)
        held["jobs"] = weakref.ref(outcome.table.jobs)
        return outcome

    alive_at_write: list[str] = []

    def watched_write(scan, fh):
        gc.collect()
        alive_at_write.extend(name for name, ref in held.items() if ref() is not None)
        return real_write(scan, fh)

    monkeypatch.setattr(scan_mod, "run_scan", watched_scan)
    monkeypatch.setattr(jsonout, "write_json", watched_write)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["scan", str(repo_root / "sample_exports"), "--no-history", "--format", "json", "--output", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert set(held) == {"records", "jobs"}, "the scan did not run through run_scan"
    assert alive_at_write == []
    assert out.stat().st_size > 0


def _pool_after_lean(env: dict[str, str]) -> list[str]:
    """In a fresh process (the pool is process-wide): what lean_arrow_pool returns, then the pool in use."""
    import os
    import subprocess

    code = (
        "from driftcheck._memory import lean_arrow_pool; import pyarrow as pa; "
        "print(lean_arrow_pool()); print(pa.default_memory_pool().backend_name)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"} | env
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return out.stdout.split()


def test_a_scan_process_allocates_arrow_memory_from_jemalloc_where_pyarrow_has_it():
    import pyarrow as pa

    chosen, in_use = _pool_after_lean({})
    if "jemalloc" in pa.supported_memory_backends():
        assert (chosen, in_use) == ("jemalloc", "jemalloc")
    else:
        assert chosen == "None" and in_use != "jemalloc"


def test_an_explicit_arrow_pool_setting_is_left_to_win():
    assert _pool_after_lean({"ARROW_DEFAULT_MEMORY_POOL": "system"}) == ["None", "system"]
