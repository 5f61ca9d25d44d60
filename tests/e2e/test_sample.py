"""End to end: the CLI on the bundled demo business tells exactly the story it was built to tell.

sample_exports/story.toml lists every drift planted in the demo data (written by
tools/make_sample.py, which also re-derives it from the files it writes). The scan
must find exactly those (rule, job) pairs: nothing missed, nothing invented.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest
from typer.testing import CliRunner

from driftcheck.cli import app

runner = CliRunner()


def story(folder):
    with open(folder / "story.toml", "rb") as fh:
        return tomllib.load(fh)


def scan_json(*args):
    result = runner.invoke(app, ["scan", *map(str, args), "--format", "json", "--no-history"])
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("{") else None)


def test_sample_generator_is_in_sync(repo_root):
    """The committed sample files are exactly what the generator writes."""
    proc = subprocess.run(
        [sys.executable, "tools/make_sample.py", "--check", "--week2", "tests/fixtures/sample_week2"],
        cwd=repo_root, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_scan_finds_exactly_the_planted_story(sample_exports):
    result, scan = scan_json(sample_exports)
    assert result.exit_code == 0, result.stderr  # the sample's driftcheck.toml says fail_on = "never"
    expected = {(f["rule"], f["job"]) for f in story(sample_exports)["finding"]}
    found = {(f["rule"], f["job"]) for f in scan["findings"]}
    assert found - expected == set(), "findings the story does not plant"
    assert expected - found == set(), "planted drift the scan missed"


def test_every_default_rule_fires_on_the_sample(sample_exports):
    _, scan = scan_json(sample_exports)
    from driftcheck.engine import load_rules

    checklist = {r.id for r in load_rules() if r.pack.endswith("checklist.toml")}
    assert checklist <= set(scan["summary"]["by_rule"])


def test_since_dates_match_the_story(sample_exports):
    _, scan = scan_json(sample_exports)
    by_key = {(f["rule"], f["job"]): f for f in scan["findings"]}
    for planted in story(sample_exports)["finding"]:
        f = by_key.get((planted["rule"], planted["job"]))
        if f is not None and "since" in planted:
            assert f["since"] == str(planted["since"]), (planted, f["message"])


def test_json_schema(sample_exports):
    _, scan = scan_json(sample_exports)
    assert scan["schema"] == "driftcheck.scan/1"
    assert scan["tool"]["name"] == "driftcheck" and scan["tool"]["version"]
    assert scan["as_of"] == "2026-11-20"
    assert {s["system"] for s in scan["sources"]} == {"hubspot", "quickbooks", "jobber"}
    for s in scan["sources"]:
        assert set(s) >= {"name", "system", "role", "path", "records", "newest"}
        assert s["role"] in {"crm", "accounting", "operations"}
    summary = scan["summary"]
    assert summary["findings"] == len(scan["findings"])
    assert sum(summary["by_severity"].values()) == len(scan["findings"])
    assert sum(summary["by_rule"].values()) == len(scan["findings"])
    keys = {"id", "rule", "severity", "owner", "job", "customer", "message", "since", "age_days", "amount", "records", "evidence"}
    sev_rank = {"high": 0, "medium": 1, "low": 2}
    order = [(sev_rank[f["severity"]], -(f["amount"] or 0)) for f in scan["findings"]]
    assert order == sorted(order)
    source_names = {s["name"] for s in scan["sources"]}
    for f in scan["findings"]:
        assert set(f) >= keys
        assert f["severity"] in sev_rank
        assert set(f["records"]) <= source_names
        for ev in f["evidence"]:
            assert set(ev) == {"source", "record", "field", "value"}


def test_finding_ids_are_stable_across_scans(sample_exports):
    _, a = scan_json(sample_exports)
    _, b = scan_json(sample_exports)
    assert [f["id"] for f in a["findings"]] == [f["id"] for f in b["findings"]]
    assert len({f["id"] for f in a["findings"]}) == len(a["findings"])


@pytest.mark.parametrize("fail_on,code", [("never", 0), ("low", 1), ("high", 1)])
def test_exit_codes(sample_exports, fail_on, code):
    result = runner.invoke(app, ["scan", str(sample_exports), "--no-history", "--fail-on", fail_on, "--format", "json"])
    assert result.exit_code == code


def test_plain_text_when_not_a_terminal(sample_exports):
    """Cron mails stdout: plain text, no escape codes, every finding's sentence whole."""
    result = runner.invoke(app, ["scan", str(sample_exports), "--no-history"])
    out = result.stdout
    assert result.exit_code == 0
    assert "\x1b[" not in out
    assert "Harbor & Pine Renovations LLC" in out and "audit date 2026-11-20" in out
    _, scan = scan_json(sample_exports)
    for f in scan["findings"]:
        assert " ".join(f["message"].split()) in " ".join(out.split())
    for owner in scan["summary"]["by_owner"]:
        assert owner.upper() in out
