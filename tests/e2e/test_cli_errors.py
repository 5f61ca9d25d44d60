"""Bad input through the CLI: a clear message naming file, row and column; exit 2; never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from driftcheck.cli import app

runner = CliRunner()

JOBBER_INVOICES = "Invoice #,Client name,Client email,Client phone,Service street,Service city,Service province,Service ZIP,Issued date,Due date,Job #s,Status,Total ($),Balance ($)\n"


def run_scan(*args):
    result = runner.invoke(app, ["scan", *map(str, args), "--no-history", "--format", "json"])
    assert "Traceback" not in result.output and "Traceback" not in (result.stderr or "")
    return result


def test_missing_path(tmp_path):
    r = run_scan(tmp_path / "nope")
    assert r.exit_code == 2
    assert "nope" in r.stderr and "no such file or folder" in r.stderr


def test_empty_file(tmp_path):
    f = tmp_path / "Invoices.csv"
    f.write_text("")
    r = run_scan(f)
    assert r.exit_code == 2
    assert "Invoices.csv" in r.stderr and "empty" in r.stderr.lower()


def test_unknown_format_names_the_closest(tmp_path):
    f = tmp_path / "mystery.csv"
    f.write_text("Invoice #,Client name,Colour,Flavour\n1,Ann,red,mint\n")
    r = run_scan(f)
    assert r.exit_code == 2
    assert "mystery.csv" in r.stderr
    err = " ".join(r.stderr.split())
    assert "not a known export format" in err
    assert "Closest: Jobber" in err  # the closest known formats are named, with what they would need
    assert "[[sources]]" in err  # and how to read any other tool


def test_missing_required_column(tmp_path):
    f = tmp_path / "Invoices.csv"
    header = JOBBER_INVOICES.replace("Invoice #,", "")
    f.write_text(header + "Ann Lee,ann@example.com,555,1 Main St,Portland,ME,04101,\"Nov 20, 2025\",\"Dec 05, 2025\",101,Paid,100.0,0.0\n")
    r = run_scan(f)
    assert r.exit_code == 2
    assert "Invoices.csv" in r.stderr and "Invoice #" in r.stderr


@pytest.mark.parametrize(
    "issued,total,column,found",
    [
        ('"Nov 31st, whenever"', "100.0", "Issued date", "Nov 31st, whenever"),
        ('"Nov 20, 2025"', "one hundred", "Total ($)", "one hundred"),
    ],
)
def test_unparseable_value_names_row_and_column(tmp_path, issued, total, column, found):
    f = tmp_path / "Invoices.csv"
    good = '5001,Ann Lee,ann@example.com,555,1 Main St,Portland,ME,04101,"Nov 20, 2025","Dec 05, 2025",101,Paid,100.0,0.0\n'
    bad = f'5002,Bo Chu,bo@example.com,555,2 Main St,Portland,ME,04101,{issued},"Dec 05, 2025",102,Paid,{total},0.0\n'
    f.write_text(JOBBER_INVOICES + good + bad)
    r = run_scan(f)
    assert r.exit_code == 2
    err = " ".join(r.stderr.split())
    assert "Invoices.csv" in err and "row 3" in err and column in err and found in err


def test_bad_config_is_exit_2_naming_the_key(tmp_path, sample_exports):
    cfg = tmp_path / "driftcheck.toml"
    cfg.write_text('[rules.invoice-overdue]\nwithin_days = "two weeks"\n')
    r = runner.invoke(app, ["--config", str(cfg), "scan", str(sample_exports), "--no-history"])
    assert r.exit_code == 2
    assert "rules.invoice-overdue.within_days" in r.stderr


def test_bad_as_of(sample_exports):
    r = run_scan(sample_exports, "--as-of", "last friday")
    assert r.exit_code == 2 and "--as-of" in r.stderr


def test_verbose_says_how_each_file_was_detected(sample_exports):
    r = runner.invoke(app, ["-v", "scan", str(sample_exports), "--no-history", "--format", "json"])
    assert r.exit_code == 0
    line = next(x for x in r.stderr.splitlines() if x.startswith("hubspot-crm-exports-all-deals-2026-11-20.csv"))
    assert "HubSpot deals export" in line and "matched" in line and "'Record ID'" in line


def test_rules_command_shows_examples():
    r = runner.invoke(app, ["rules", "paid-not-scheduled"])
    assert r.exit_code == 0
    assert "Example (FLAGS)" in r.stdout and "Example (ACCEPTS)" in r.stdout
    assert "does not behave as documented" not in r.stdout
    assert runner.invoke(app, ["rules", "no-such-rule"]).exit_code == 2
