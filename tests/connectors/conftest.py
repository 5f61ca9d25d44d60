"""Fixtures for the export reader tests: the hand-written vendor exports and file factories.

The files in ``tests/fixtures/exports/`` follow the real headers and quirks collected in
``shared/reference/vendor-formats.md`` (QBO preambles and CRLF, the Jobber BOM and
``Nov 20, 2025`` dates, Xero line rows, ...). XLSX variants are built per test with openpyxl.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors import ReadOptions, ReadResult, read_file

EXPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "exports"


@pytest.fixture
def exports() -> Path:
    """The folder of hand-written vendor exports."""
    return EXPORTS


@pytest.fixture
def read_export() -> Callable[..., ReadResult]:
    """``read_export("Invoices.csv", dayfirst=True)``: read a fixture export with options."""

    def read(file: str | Path, /, **options: Any) -> ReadResult:
        path = file if isinstance(file, Path) else EXPORTS / file
        return read_file(path, ReadOptions(**options))

    return read


def _plain(value: Any) -> Any:
    """A frame cell as a plain Python value: NA/NaN/NaT -> None, Timestamp -> 'YYYY-MM-DD'."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


@pytest.fixture
def records() -> Callable[[ReadResult], dict[str, dict[str, Any]]]:
    """``records(result)["2001"]["amount"]``: the records of a result by id, as plain values."""

    def by_id(result: ReadResult) -> dict[str, dict[str, Any]]:
        frame = result.frame
        out: dict[str, dict[str, Any]] = {}
        for row in frame.to_dict(orient="records"):
            out[row["record_id"]] = {k: _plain(v) for k, v in row.items()}
        assert len(out) == len(frame), "record ids are not unique"
        return out

    return by_id


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[[str, list[list[Any]]], Path]:
    """``make_xlsx("deals.xlsx", rows)``: a one-sheet workbook with these rows."""

    def make(name: str, rows: list[list[Any]]) -> Path:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        for row in rows:
            ws.append(row)
        path = tmp_path / name
        wb.save(path)
        return path

    return make


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    """``make_csv("x.csv", text, encoding="utf-8", newline="\\n", bom=False)``: write a CSV export."""

    def make(name: str, text: str, *, encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> Path:
        lines = text.strip("\n").split("\n")
        data = (newline.join(lines) + newline).encode(encoding)
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return make
