"""The terminal table: every finding readable at an ordinary terminal width."""

from __future__ import annotations

import json

from rich.console import Console
from typer.testing import CliRunner

from driftcheck.cli import app
from driftcheck.report.table import ScanTable


def test_table_fits_and_shows_every_finding(sample_exports):
    result = CliRunner().invoke(app, ["scan", str(sample_exports), "--no-history", "--format", "json"])
    scan = json.loads(result.stdout)
    console = Console(width=100, color_system=None, record=True)
    with console.capture() as cap:
        console.print(ScanTable(scan))
    out = cap.get()
    assert max(len(line) for line in out.splitlines()) <= 100
    flat = " ".join(out.replace("│", " ").split())
    for f in scan["findings"]:
        assert f["id"] in flat
        # the first words of every message survive wrapping
        assert " ".join(f["message"].split()[:3]) in flat, f["message"]
    assert "ACCOUNTING (10)" in out and "OPERATIONS (7)" in out and "SALES (8)" in out
