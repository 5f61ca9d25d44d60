"""Progress: pages, records and rate-limit waits on a terminal; nothing for cron."""

from __future__ import annotations

import io

from rich.console import Console


def test_rich_progress_shows_pages_records_and_waits():
    from connectors.api._progress import RichPullProgress

    buf = io.StringIO()
    p = RichPullProgress("crm (HubSpot)", console=Console(file=buf, force_terminal=True, width=140, color_system=None))
    p.page("deals", 100)
    p.page("deals", 100)
    p.waiting(7.0, "rate limited by the server")
    p._progress.refresh()
    shown = buf.getvalue()
    p.close()
    assert "crm (HubSpot)" in shown and "2 pages, 200 records" in shown
    assert "waiting 7.0 s: rate limited by the server" in shown


def test_no_progress_output_without_a_terminal(pull, fake, capsys):
    fake.inject("status", r"^/crm/v3/objects/deals$", status=429, headers={"Retry-After": "3"})
    res = pull("hubspot", progress=True)  # asked for, but stderr is not a terminal (cron)
    assert res.failure is None
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_make_progress_is_silent_when_not_asked_or_not_a_tty(monkeypatch):
    import sys

    from connectors.api._progress import PullProgress, RichPullProgress, make_progress

    assert type(make_progress("x", False)) is PullProgress
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert type(make_progress("x", True)) is PullProgress
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    p = make_progress("x", True)
    assert isinstance(p, RichPullProgress)
    p.close()
