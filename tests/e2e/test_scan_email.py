"""`driftcheck scan --email` end to end: a real SMTP exchange with a local server, and exit 3 on failure."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from driftcheck.cli import app
from tests.report.test_email import free_port, smtp_server

runner = CliRunner()


def demo_with_email(tmp_path, sample_exports, port):
    folder = tmp_path / "exports"
    shutil.copytree(sample_exports, folder)
    cfg = folder / "driftcheck.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8")
        + f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "driftcheck <reports@harborpine.example>"\ntimeout = 5\n',
        encoding="utf-8",
    )
    return folder


def test_scan_emails_the_report(tmp_path, sample_exports):
    with smtp_server() as (sink, port):
        folder = demo_with_email(tmp_path, sample_exports, port)
        result = runner.invoke(app, ["scan", str(folder), "--no-history", "--email", "owner@harborpine.example"])
    assert result.exit_code == 0, result.stderr
    assert len(sink.messages) == 1
    msg = sink.messages[0]
    assert msg["To"] == "owner@harborpine.example"
    assert "Harbor & Pine Renovations LLC" in msg["Subject"] and "2026-11-20" in msg["Subject"]
    assert "9 high" in msg["Subject"]
    attachments = [p for p in msg.iter_attachments() if p.get_filename() and p.get_filename().endswith(".csv")]
    assert len(attachments) == 1


def test_unreachable_server_is_exit_3_and_the_file_is_still_written(tmp_path, sample_exports):
    port = free_port()
    folder = demo_with_email(tmp_path, sample_exports, port)
    out = tmp_path / "weekly.html"
    result = runner.invoke(app, ["scan", str(folder), "--no-history", "--output", str(out), "--email", "owner@harborpine.example"])
    assert result.exit_code == 3
    assert f"127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.is_file() and "<html" in out.read_text(encoding="utf-8").lower()


def test_no_email_when_nothing_to_report(tmp_path, sample_exports):
    with smtp_server() as (sink, port):
        folder = demo_with_email(tmp_path, sample_exports, port)
        result = runner.invoke(app, ["scan", str(folder), "--no-history", "--email", "owner@harborpine.example",
                                     "--email-when", "high", "--as-of", "2026-05-01"])
    assert result.exit_code == 0, result.stderr
    assert sink.messages == []
