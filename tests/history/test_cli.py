"""The history, timeline, ack and unack commands, driven as a user types them."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from driftcheck.cli import app
from driftcheck.history import record_scan
from tests.history.factories import WEEKS, finding_id

OVERDUE = finding_id("invoice-overdue", "J-1002")


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


@pytest.fixture
def scanned(db, week):
    """Three weekly scans of the business, run at 06:00 UTC on their audit dates."""
    for n in (1, 2, 3):
        ran = datetime.fromisoformat(WEEKS[n - 1]).replace(hour=6, tzinfo=timezone.utc)
        record_scan(db, *week(n), ran_at=ran)
    return db


def run(runner, *args):
    return runner.invoke(app, list(args))


def test_history_prints_the_scan_log_and_the_trend(runner, scanned):
    result = run(runner, "history", "--history", str(scanned))

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Scan history: 3 scans\n"
        "\n"
        "Scan  Ran (UTC)         Audit date  Findings  High  Medium  Low  New  Resolved  Ack'd  At stake\n"
        "----  ----------------  ----------  --------  ----  ------  ---  ---  --------  -----  --------\n"
        "   1  2026-03-09 06:00  2026-03-09         5     2       2    1    5         0      0  9,350.00\n"
        "   2  2026-03-16 06:00  2026-03-16         5     1       3    1    2         2      0  8,500.00\n"
        "   3  2026-03-23 06:00  2026-03-23         5     1       3    1    0         0      0  8,500.00\n"
        "\n"
        "Trend, all findings: ▄▄▄  5 → 5\n"
        "Trend, high findings: █▁▁  2 → 1\n"
    )


def test_history_as_json(runner, scanned):
    result = run(runner, "history", "--history", str(scanned), "--format", "json", "--last", "2")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "driftcheck.history/1"
    assert [(s["as_of"], s["new"], s["resolved"]) for s in data["scans"]] == [(WEEKS[1], 2, 2), (WEEKS[2], 0, 0)]


def test_timeline_prints_the_job_trail(runner, scanned):
    result = run(runner, "timeline", "inv-1005", "--history", str(scanned))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Timeline of job J-1005 (Ed Fox)"
    assert lines[-5].split() == "2026-03-16 quickbooks quickbooks invoice INV-1005: sent no → yes".split()
    assert lines[-4].split() == "2026-03-16 finding finding resolved: invoice-not-sent".split()
    assert lines[-2] == "Records: hubspot deal D-1005, jobber job 1005, quickbooks invoice INV-1005"


def test_timeline_with_several_matches_lists_them(runner, scanned):
    result = run(runner, "timeline", "an", "--history", str(scanned))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "'an' matches 2 jobs; run `driftcheck timeline JOB` with one of them"
    assert [line.split()[0] for line in result.stdout.splitlines()[4:]] == ["J-1001", "J-1004"]


def test_timeline_as_json(runner, scanned):
    result = run(runner, "timeline", "J-1003", "--history", str(scanned), "-f", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["customer"] == "Cy Diaz"


def test_ack_list_and_unack(runner, scanned):
    history = ["--history", str(scanned)]
    result = run(runner, "ack", OVERDUE[:8], "--reason", "payment plan agreed", "--until", "2026-04-30", *history)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Acknowledged {OVERDUE} (invoice-overdue, job J-1002): hidden from scans audited up to 2026-04-30, "
        "or until its evidence changes.\n"
    )

    listed = run(runner, "ack", "--list", *history)
    assert listed.exit_code == 0, listed.output
    row = listed.stdout.splitlines()[4].split()
    assert row[:4] == [OVERDUE, "invoice-overdue", "J-1002", "Bo"]
    assert row[-3:] == ["2026-04-30", datetime.now(timezone.utc).date().isoformat(), "open"]

    result = run(runner, "unack", OVERDUE, *history)
    assert (result.exit_code, result.stdout) == (0, f"Withdrew the acknowledgement of {OVERDUE}: it shows again from the next scan.\n")
    assert run(runner, "ack", "--list", *history).stdout.startswith("0 acknowledgements\n")
    assert json.loads(run(runner, "ack", "--list", "--all", "-f", "json", *history).stdout)["acks"][0]["ended_why"] == "unacknowledged"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ack", OVERDUE], "Give a finding id and --reason TEXT"),
        (["ack", OVERDUE, "--reason", "x", "--until", "30/04/2026"], "--until '30/04/2026' is not a date; expected YYYY-MM-DD"),
        (["ack", "deadbeef", "--reason", "x"], "No finding 'deadbeef' in the scan history"),
        (["timeline", "Nobody"], "Nothing in the scan history matches 'Nobody'"),
    ],
    ids=["no-reason", "bad-date", "unknown-id", "no-match"],
)
def test_mistakes_exit_2_with_a_message(runner, scanned, args, message):
    result = run(runner, *args, "--history", str(scanned))

    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_without_history_option_the_file_beside_driftcheck_toml_is_used(runner, tmp_path, week, monkeypatch):
    (tmp_path / "driftcheck.toml").write_text('business = "Lee Renovations"\n')
    record_scan(tmp_path / ".driftcheck" / "history.sqlite", *week(1))
    monkeypatch.chdir(tmp_path)

    result = run(runner, "history", "-f", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["scans"]) == 1


def test_no_history_yet_says_to_scan_first(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(runner, "history")

    assert result.exit_code == 2
    expected = f"No scan history at {tmp_path / '.driftcheck' / 'history.sqlite'} yet: run `driftcheck scan` first"
    assert expected in " ".join(result.stderr.split())
    assert not (tmp_path / ".driftcheck").exists()
