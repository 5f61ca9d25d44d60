"""Every optimisation changes nothing: a generated 20,000-job business scanned with the fast
paths and with the plain ones (DRIFTCHECK_FASTPATHS=0) gives identical output.

See driftcheck/_fastpaths.py for the switch and the places it guards.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bench.generate import generate
from driftcheck.scan import run_scan


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    folder = tmp_path_factory.mktemp("biz20k")
    manifest = generate(20_000, folder, seed=7)
    return folder, manifest


def scan(folder) -> dict:
    out = run_scan([folder], as_of=dt.date(2026, 11, 20), history_path=None)
    return json.loads(json.dumps(out.scan, default=str))


def both_ways(folder, monkeypatch) -> tuple[dict, dict]:
    """The scan of ``folder`` with the fast paths, then with the plain ones."""
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = scan(folder)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    return fast, scan(folder)


def test_fast_and_plain_paths_give_identical_scans(business, monkeypatch):
    folder, _ = business
    fast, plain = both_ways(folder, monkeypatch)
    assert fast["summary"] == plain["summary"]
    assert fast["lifecycle"] == plain["lifecycle"]
    assert fast["warnings"] == plain["warnings"]
    assert fast["findings"] == plain["findings"]  # ids, messages, amounts, records, evidence
    assert len(fast["findings"]) > 100, "a business with no drift would prove nothing"


def test_json_report_bytes_are_the_same_from_orjson_and_the_stdlib(business, monkeypatch):
    """The JSON report is written by orjson; the stdlib encoder is its plain twin, byte for byte."""
    from driftcheck.report.jsonout import render_json, render_json_bytes

    folder, _ = business
    scan_dict = run_scan([folder], as_of=dt.date(2026, 11, 20), history_path=None).scan
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast, fast_bytes = render_json(scan_dict), render_json_bytes(scan_dict)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = render_json(scan_dict)
    assert fast == plain
    # what --output and a pipe receive: the same text, as UTF-8
    assert fast_bytes == render_json_bytes(scan_dict) == plain.encode("utf-8")
    assert json.loads(fast)["summary"]["findings"] == len(scan_dict["findings"]) > 100


@pytest.mark.parametrize("folder", ["sample_exports", "tests/fixtures/sample_week2"])
def test_the_demo_business_scans_the_same_both_ways(folder, monkeypatch):
    """The demo weeks hold drift the generator never makes (a status conflict, an unsent invoice,
    a stale source, duplicate customers): every one of those findings must survive the fast paths."""
    from pathlib import Path

    fast, plain = both_ways(Path(__file__).resolve().parents[2] / folder, monkeypatch)
    assert fast["findings"] == plain["findings"]
    assert fast["summary"] == plain["summary"]
    assert fast["summary"]["by_rule"].get("status-conflict", 0) >= 1
