"""``driftcheck links``, driven through the CLI with the pipeline's loader stubbed, and coverage()."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

import driftcheck
from driftcheck.linking import coverage, link_records, unlinked
from driftcheck.model import SourceInfo
from tests.matching.helpers import chris_lees, records


def three_tools():
    return records(
        (
            "deal",
            {
                "record_id": "900",
                "customer": "John Smith",
                "email": "js@x.com",
                "amount": 5000,
                "title": "Smith - Roof",
                "closed": "2025-03-01",
            },
        ),
        (
            "job",
            {
                "record_id": "101",
                "customer": "John Smith",
                "email": "JS@x.com",
                "amount": 5000,
                "title": "Roof",
                "created": "2025-03-05",
            },
        ),
        ("jinv", {"record_id": "2001", "customer": "John Smith", "job_refs": "101", "amount": 5000}),
        ("qinv", {"record_id": "2001", "customer": "Smith, John", "amount": 5000}),
        ("qinv", {"record_id": "5009", "customer": "Zed Quorum", "amount": 70}),
    )


@pytest.fixture
def stub_pipeline(monkeypatch, tmp_path):
    """Install a fake ``driftcheck.pipeline.load`` returning the given records and config."""

    def install(frame, raw: dict | None = None):
        calls = []

        def load(paths, config_path):
            calls.append((paths, config_path))
            sources = [
                SourceInfo(name=s, system="x", role="x", path=s, records=int(n))
                for s, n in frame.groupby("source").size().items()
            ]
            config = types.SimpleNamespace(raw=raw or {}, base_dir=tmp_path, path=tmp_path / "driftcheck.toml")
            return types.SimpleNamespace(records=frame, sources=sources, warnings=[], config=config)

        mod = types.ModuleType("driftcheck.pipeline")
        mod.load = load
        monkeypatch.setitem(sys.modules, "driftcheck.pipeline", mod)
        monkeypatch.setattr(driftcheck, "pipeline", mod, raising=False)
        return calls

    return install


def run(*args: str):
    from driftcheck.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_table_view(stub_pipeline, tmp_path):
    calls = stub_pipeline(three_tools())
    res = run("links", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert "Coverage" in res.output and "Unlinked records" in res.output
    assert "QBO Invoice List.xlsx" in res.output and "ref:invoice# 1" in res.output
    assert "5009" in res.output  # the unlinked invoice is listed
    assert "decide with [[links]] pins" in res.output
    assert calls == [([tmp_path], None)]


def test_json_view_has_coverage_ambiguous_and_overrides(stub_pipeline, tmp_path):
    (tmp_path / "links.csv").write_text("action,a,b\npin,quickbooks invoice 5001,J-102\n")
    stub_pipeline(chris_lees())
    res = run("links", "--format", "json", str(tmp_path))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["schema"] == "driftcheck.links/1"
    assert {r["source"] for r in doc["coverage"]} >= {"QBO Invoice List.xlsx", "jobber_jobs.csv"}
    assert doc["ambiguous"] == []
    assert doc["overrides"] == ["pinned quickbooks invoice 5001 to job J-102 (links.csv row 2)"]
    assert doc["settings"]["phone_region"] == "US"


def test_json_view_reports_ambiguity_without_overrides(stub_pipeline, tmp_path):
    stub_pipeline(chris_lees())
    doc = json.loads(run("links", "-f", "json", str(tmp_path)).output)
    assert [(a["record_id"], a["candidates"]) for a in doc["ambiguous"]] == [("5001", "J-101,J-102")]


def test_csv_of_one_section(stub_pipeline, tmp_path):
    stub_pipeline(three_tools())
    res = run("links", "--format", "csv", "--show", "unlinked", str(tmp_path))
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("source,record_type,record_id,customer")
    assert any("5009" in line for line in lines[1:])
    assert run("links", "--format", "csv", str(tmp_path)).output.startswith("source,record_type,other_source,records")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--show", "everything"], "not a section"),
        (["--format", "csv", "--show", "coverage", "--show", "unlinked"], "exactly one --show"),
    ],
)
def test_usage_errors(stub_pipeline, tmp_path, args, message):
    stub_pipeline(three_tools())
    res = run("links", *args, str(tmp_path))
    assert res.exit_code == 2
    assert message in res.output


def test_bad_matching_settings_are_a_config_error(stub_pipeline, tmp_path):
    stub_pipeline(three_tools(), raw={"matching": {"fuzzy_threshold": 300}})
    res = run("links", str(tmp_path))
    assert res.exit_code == 2
    assert "matching.fuzzy_threshold" in res.output


def test_cli_module_imports_no_pandas():
    code = "import sys, driftcheck.cli; assert 'pandas' not in sys.modules, 'pandas imported'"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=Path(__file__).parents[2]).returncode == 0
    )


# --------------------------------------------------------------------------- coverage() and unlinked()


def test_coverage_by_pair_method_and_band():
    cov = coverage(link_records(three_tools())).set_index(["source", "record_type", "other_source"])
    qbo_to_jobs = cov.loc[("QBO Invoice List.xlsx", "invoice", "jobber_jobs.csv")]
    assert (qbo_to_jobs["records"], qbo_to_jobs["linked"], qbo_to_jobs["share"]) == (2, 1, 0.5)
    assert qbo_to_jobs["methods"] == "ref:invoice# 1"
    assert (qbo_to_jobs["high"], qbo_to_jobs["medium"], qbo_to_jobs["low"]) == (1, 0, 0)
    # a job's own row shows how the deal joined it
    jobs_to_deals = cov.loc[("jobber_jobs.csv", "job", "hubspot-deals.csv")]
    assert (jobs_to_deals["linked"], jobs_to_deals["methods"]) == (1, "email 1")


def test_unlinked_lists_records_alone_in_their_job_but_not_ambiguous_ones():
    u = unlinked(link_records(three_tools()))
    assert u[["source", "record_id"]].values.tolist() == [["QBO Invoice List.xlsx", "5009"]]
    u2 = unlinked(link_records(chris_lees()))
    assert "5001" not in set(u2["record_id"])  # reported as ambiguous instead
