"""The JSON report written to a file is byte for byte the one rendered whole, however it is written."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from driftcheck.report import jsonout
from driftcheck.scan import run_scan


SAMPLE = Path(__file__).resolve().parents[2] / "sample_exports"


@pytest.fixture(scope="module")
def scan() -> dict:
    return run_scan([SAMPLE], as_of=dt.date(2026, 11, 20), history_path=None).scan


def _written(scan: dict) -> bytes:
    buf = io.BytesIO()
    jsonout.write_json(scan, buf)
    return buf.getvalue()


@pytest.mark.parametrize("slice_size", [1, 7, 10_000])
def test_streamed_findings_give_the_same_bytes(scan, monkeypatch, slice_size):
    monkeypatch.setattr(jsonout, "_SLICE", slice_size)
    assert len(scan["findings"]) > 7
    with_resolved = {**scan, "resolved": [{"id": "abc", "rule": "won-not-invoiced", "job": "J-1"}]}
    for doc in (scan, with_resolved, {**scan, "findings": []}):
        assert _written(doc) == jsonout.render_json_bytes(doc) == jsonout.render_json(doc).encode("utf-8")


def test_a_value_orjson_refuses_midway_rewrites_the_file_the_plain_way(scan, monkeypatch):
    monkeypatch.setattr(jsonout, "_SLICE", 3)
    odd = [dict(f) for f in scan["findings"]]
    odd[-1]["amount"] = 2**70  # beyond 64 bits: orjson refuses, the stdlib writes it
    doc = {**scan, "findings": odd}
    out = _written(doc)
    assert out == jsonout.render_json_bytes(doc)
    assert str(2**70).encode() in out and out.count(b'"schema"') == 1
