"""``driftcheck discover`` and ``driftcheck init`` from the command line: outputs, files and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from markdown_it import MarkdownIt
from typer.testing import CliRunner

from driftcheck.cli import app
from tests.discovery.conftest import INTL, copy_exports

runner = CliRunner()
AS_OF = ["--as-of", "2026-11-13"]


def test_discover_json_has_every_section(intl_copy):
    result = runner.invoke(app, ["discover", str(intl_copy), *AS_OF, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "driftcheck.discovery/1" and data["as_of"] == "2026-11-13"
    for key in ("sources", "vocabularies", "coverage", "linking", "truths", "stages", "handoffs", "thresholds", "findings"):
        assert data[key], key
    billing = next(t for t in data["truths"] if t["domain"] == "billing")
    assert billing["two_truths"] is True


def test_discover_text_draws_the_flow_and_marks_what_needs_review(intl_copy):
    result = runner.invoke(app, ["discover", str(intl_copy), *AS_OF, "--format", "text"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "LIFECYCLE FLOW" in out and "▼" in out and "median" in out
    assert "? Won" in out and "looks like 'paid'" in out
    assert "Deal - Stage" in out and "Booked In" in out


def test_discover_output_markdown_renders_as_tables(intl_copy, tmp_path):
    out = tmp_path / "discovery.md"
    result = runner.invoke(app, ["discover", str(intl_copy), *AS_OF, "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "discovery written to" in result.stderr
    tokens = MarkdownIt("commonmark").enable("table").parse(out.read_text(encoding="utf-8"))
    assert sum(1 for t in tokens if t.type == "table_open") >= 10
    assert any(t.type == "fence" and "▼" in t.content for t in tokens)  # the flow, as text


def test_discover_refuses_an_unknown_extension_and_a_bad_date(intl_copy, tmp_path):
    result = runner.invoke(app, ["discover", str(intl_copy), "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "cannot tell the format" in result.stderr
    result = runner.invoke(app, ["discover", str(intl_copy), "--as-of", "13/11/2026"])
    assert result.exit_code == 2 and "expected a date like" in result.stderr


def test_discover_on_a_missing_folder_is_an_error_not_a_traceback(tmp_path):
    result = runner.invoke(app, ["discover", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr and "Traceback" not in result.stderr


def test_init_writes_beside_the_exports_and_refuses_to_overwrite(tmp_path):
    folder = copy_exports(INTL, tmp_path / "client")
    result = runner.invoke(app, ["init", str(folder), *AS_OF])
    assert result.exit_code == 0, result.stderr
    written = folder / "driftcheck.toml"
    assert written.is_file() and "schedule-passed-not-complete 3->" in result.stderr
    before = written.read_text(encoding="utf-8")
    again = runner.invoke(app, ["init", str(folder), *AS_OF])
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert written.read_text(encoding="utf-8") == before
    forced = runner.invoke(app, ["init", str(folder), *AS_OF, "--force"])
    assert forced.exit_code == 0, forced.stderr
    # the scan picks the written file up from the folder
    scan = runner.invoke(app, ["scan", str(folder), *AS_OF, "--format", "json", "--no-history", "--fail-on", "never"])
    assert scan.exit_code == 0, scan.stderr
    assert not [w for w in json.loads(scan.stdout)["warnings"] if "not mapped" in w["message"]]


def test_init_output_option_writes_elsewhere(tmp_path):
    folder = copy_exports(INTL, tmp_path / "client")
    target = tmp_path / "configs" / "thornbury.toml"
    result = runner.invoke(app, ["init", str(folder), *AS_OF, "--output", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.is_file() and not (folder / "driftcheck.toml").exists()
    assert 'path = "../client/SalesInvoices.csv"' in target.read_text(encoding="utf-8")


def test_help_lists_the_commands_with_examples():
    result = runner.invoke(app, ["--help"])
    assert "discover" in result.stdout and "init" in result.stdout
    for cmd in ("discover", "init"):
        sub = runner.invoke(app, [cmd, "--help"])
        assert sub.exit_code == 0 and "Example" in sub.stdout


def test_intl_generator_is_in_sync(repo_root):
    """The committed intl sample is exactly what its generator writes, and its self-check passes."""
    proc = subprocess.run([sys.executable, "tools/make_sample_intl.py", "--check"], cwd=repo_root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
