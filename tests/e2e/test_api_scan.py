"""A scan whose live source cannot be reached: it goes on, says so everywhere, and reports it."""

from __future__ import annotations

import json
import socket

from typer.testing import CliRunner

from driftcheck.cli import app

runner = CliRunner()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_api_source_is_a_high_finding_not_a_crash(tmp_path, monkeypatch, sample_exports):
    monkeypatch.setenv("DRIFTCHECK_HUBSPOT_TOKEN", "pat-na1-00000000-test")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "driftcheck.toml").write_text(
        f'''
as_of = "2026-11-20"
[[sources]]
name = "crm"
system = "hubspot"
mode = "api"
base_url = "http://127.0.0.1:{closed_port()}"
attempts = 1
[[sources]]
name = "jobs"
path = "{(sample_exports / "Jobs.csv").as_posix()}"
''',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scan", "--no-history", "--format", "json", "--fail-on", "high"])
    assert result.exit_code == 1, result.stderr
    scan = json.loads(result.stdout)
    unreachable = [f for f in scan["findings"] if f["rule"] == "source-unreachable"]
    assert len(unreachable) == 1 and unreachable[0]["severity"] == "high"
    assert "Could not pull crm (HubSpot)" in unreachable[0]["message"]
    crm = next(s for s in scan["sources"] if s["name"] == "crm")
    assert "pull failed" in crm["stale_cache"]
    assert any("live pull failed" in w["message"] for w in scan["warnings"])
    # the export source was still scanned
    jobs = next(s for s in scan["sources"] if s["name"] == "jobs")
    assert jobs["records"] == 159
    assert "pat-na1" not in result.stdout + result.stderr
