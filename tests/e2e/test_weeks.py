"""Week to week through the CLI: the demo business scanned on Nov 20, then one week later.

tests/fixtures/sample_week2/story.toml says which findings are still open, which are new, and
which were resolved; the history must say the same, and the timeline and acknowledgements must
work on the real data.
"""

from __future__ import annotations

import json
import tomllib

from typer.testing import CliRunner

from driftcheck.cli import app

runner = CliRunner()


def scan(folder, db, *extra):
    result = runner.invoke(app, ["scan", str(folder), "--history", str(db), "--format", "json", *extra])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def story(folder):
    with open(folder / "story.toml", "rb") as fh:
        return tomllib.load(fh)


def test_new_open_and_resolved_across_two_weeks(sample_exports, repo_root, tmp_path):
    db = tmp_path / "history.sqlite"
    week2 = repo_root / "tests" / "fixtures" / "sample_week2"
    first = scan(sample_exports, db)
    assert {f["status"] for f in first["findings"]} == {"new"}
    assert all(f["first_seen"] == "2026-11-20" for f in first["findings"])

    second = scan(week2, db)
    planted = story(week2)
    expected = {(f["rule"], f["job"]): f["status"] for f in planted["finding"]}
    got = {(f["rule"], f["job"]): f["status"] for f in second["findings"]}
    assert got == expected
    for f in second["findings"]:
        assert f["first_seen"] == ("2026-11-20" if f["status"] == "open" else "2026-11-27"), f
    resolved = {(r["rule"], r["job"]) for r in second["resolved"]}
    assert resolved == {(r["rule"], r["job"]) for r in planted["resolved"]}
    assert second["summary"]["new"] == sum(1 for s in expected.values() if s == "new")


def test_rescanning_the_same_exports_changes_nothing(sample_exports, tmp_path):
    db = tmp_path / "history.sqlite"
    scan(sample_exports, db)
    again = scan(sample_exports, db)
    assert {f["status"] for f in again["findings"]} == {"open"}
    assert again.get("resolved", []) == []


def test_history_and_timeline_commands(sample_exports, repo_root, tmp_path):
    db = tmp_path / "history.sqlite"
    scan(sample_exports, db)
    scan(repo_root / "tests" / "fixtures" / "sample_week2", db)
    hist = runner.invoke(app, ["history", "--history", str(db), "--format", "json"])
    assert hist.exit_code == 0
    rows = json.loads(hist.stdout)
    rows = rows["scans"] if isinstance(rows, dict) else rows
    assert [r["as_of"] for r in rows][-2:] == ["2026-11-20", "2026-11-27"]

    # J-1131 was paid but unscheduled on Nov 20 and scheduled by Nov 27: the timeline shows it
    tl = runner.invoke(app, ["timeline", "J-1131", "--history", str(db)])
    assert tl.exit_code == 0, tl.stderr
    assert "paid-not-scheduled" in tl.stdout
    assert "2026-11-27" in tl.stdout


def test_ack_hides_a_finding_until_its_date(sample_exports, tmp_path):
    db = tmp_path / "history.sqlite"
    first = scan(sample_exports, db)
    target = next(f for f in first["findings"] if f["rule"] == "invoice-overdue")
    ack = runner.invoke(app, ["ack", target["id"], "--reason", "customer on a payment plan", "--until", "2026-11-25", "--history", str(db)])
    assert ack.exit_code == 0, ack.stderr
    hidden = scan(sample_exports, db)
    assert target["id"] not in {f["id"] for f in hidden["findings"]}
    assert hidden["summary"]["acknowledged"] == 1
    later = scan(sample_exports, db, "--as-of", "2026-11-26")
    assert target["id"] in {f["id"] for f in later["findings"]}
