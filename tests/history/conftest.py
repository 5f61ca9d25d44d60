"""Fixtures for history tests; the builders they use live in :mod:`tests.history.factories`."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.history.factories import CHILD, business_week


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the history goes (not created yet)."""
    return tmp_path / ".driftcheck" / "history.sqlite"


@pytest.fixture
def week() -> Callable[[int], tuple[dict[str, Any], pd.DataFrame]]:
    """``week(n)`` -> (scan, records) of the business in week n, fresh each call."""
    return business_week


@pytest.fixture
def start_child(tmp_path: Path) -> Callable[..., subprocess.Popen[str]]:
    """``start_child(db, scan, records, marker=None, pause=0, go=0)``: record a scan in another process.

    ``go`` is a ``time.time()`` the child waits for before recording.
    """
    counter = iter(range(1000))

    def start(
        path: Path, scan_dict: dict[str, Any], records: pd.DataFrame, *,
        marker: Path | None = None, pause: float = 0.0, go: float = 0.0,
    ) -> subprocess.Popen[str]:
        payload = tmp_path / f"payload-{next(counter)}.pickle"
        payload.write_bytes(pickle.dumps((scan_dict, records)))
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(payload), str(marker or "-"), str(pause), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2],
        )

    return start
