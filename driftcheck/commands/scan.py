"""``driftcheck scan``: read exports (or pull APIs), find drift, report it."""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..cli import cli_errors, err_console, state
from ..errors import ExitCode, UsageError

ORDER = 10

_SEV_RANK = {"high": 0, "medium": 1, "low": 2}


class Fmt(str, Enum):
    table = "table"
    text = "text"
    json = "json"
    html = "html"
    md = "md"
    csv = "csv"


class FailOn(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"
    never = "never"


class EmailWhen(str, Enum):
    always = "always"
    findings = "findings"
    high = "high"


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of: found {value!r}, expected a date like 2026-11-20") from None


def exit_code_for(findings: list[dict], fail_on: str) -> int:
    """1 when a finding at or above ``fail_on`` exists, else 0."""
    if fail_on == "never":
        return int(ExitCode.OK)
    limit = _SEV_RANK[fail_on]
    return int(ExitCode.FINDINGS) if any(_SEV_RANK.get(f["severity"], 9) <= limit for f in findings) else int(ExitCode.OK)


def _render(scan: dict, fmt: str, *, history: list | None = None, web: dict | None = None) -> str:
    if fmt == "json":
        from ..report.jsonout import render_json

        return render_json(scan)
    if fmt == "text":
        from ..report.text import render_text

        return render_text(scan)
    if fmt == "table":
        from rich.console import Console

        from ..report.table import ScanTable

        console = Console(record=True, width=120, force_terminal=False, color_system=None)
        with console.capture():
            console.print(ScanTable(scan))
        return console.export_text()
    from ..report.registry import render

    return render(scan, fmt, history=history, web=web)


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Scan")
    @cli_errors
    def scan(
        ctx: typer.Context,
        paths: Annotated[list[Path] | None, typer.Argument(help="Folders or files of exports. Default: the sources listed in driftcheck.toml.", show_default=False)] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Audit as of this date (YYYY-MM-DD); every age is computed from it. Default: the config's as_of, else today.", show_default=False)] = None,
        fmt: Annotated[Fmt | None, typer.Option("--format", "-f", help="table (terminal), text (plain), json, html, md or csv. Default: from --output's extension, else table on a terminal and text otherwise.", show_default=False)] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of the screen.", show_default=False)] = None,
        fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity exists. Default: low (the config's fail_on if set).", show_default=False)] = None,
        rules: Annotated[list[Path] | None, typer.Option("--rules", help="An extra rule pack (TOML); repeatable.", show_default=False)] = None,
        history: Annotated[Path | None, typer.Option("--history", help="History database (default: .driftcheck/history.sqlite beside driftcheck.toml, else in the current folder).", show_default=False)] = None,
        no_history: Annotated[bool, typer.Option("--no-history", help="Do not read or write the history: every finding is reported without new/open status.")] = False,
        show_acknowledged: Annotated[bool, typer.Option("--show-acknowledged", help="Include acknowledged findings in the report.")] = False,
        offline: Annotated[bool, typer.Option("--offline", help="API sources: scan from the local cache, no network.")] = False,
        refresh: Annotated[bool, typer.Option("--refresh", help="API sources: ignore incremental cursors and pull everything.")] = False,
        email: Annotated[list[str] | None, typer.Option("--email", help="Email the report to this address (repeatable); SMTP settings in driftcheck.toml [email].", show_default=False)] = None,
        email_when: Annotated[EmailWhen, typer.Option("--email-when", help="Send when: always, findings (any finding), or high (a high finding).")] = EmailWhen.findings,
    ) -> None:
        """Find where your tools disagree, who should fix it and since when.

        Example: driftcheck scan ~/Downloads/exports --as-of 2026-11-20
        """
        from ..scan import run_scan

        app_state = state(ctx)
        paths = list(paths or [])
        audit = _parse_date(as_of)
        out_fmt = fmt.value if fmt else None
        if out_fmt is None and output is not None:
            from ..report.registry import format_for_path

            out_fmt = format_for_path(output)
            if out_fmt is None:
                raise UsageError(f"--output {output}: cannot tell the format from the extension; add --format")
        if out_fmt is None:
            out_fmt = "table" if sys.stdout.isatty() else "text"

        from ..config import find_config, load_config
        from ..pipeline import config_search_dirs

        # found once: the email settings, the history's folder and the scan all use this file
        cfg_path = find_config(app_state.config, config_search_dirs(paths))
        email_settings = None
        if email:
            from ..report.email import EmailSettings, check_recipients

            email = check_recipients(list(email))
            email_cfg = load_config(cfg_path)
            # checked before scanning, so bad SMTP settings fail at once (exit 2)
            email_settings = EmailSettings.from_config(email_cfg.section("email"), file=str(cfg_path) if cfg_path else None)

        history_path = None
        if not no_history:
            from ..history import default_history_path

            history_path = history or default_history_path(cfg_path)

        from .._memory import lean_arrow_pool, release_freed

        lean_arrow_pool()  # this process reads a whole business: the leaner pool (see _memory)
        outcome = run_scan(
            paths,
            config_path=cfg_path,
            as_of=audit,
            rules_files=list(rules or []),
            offline=offline,
            refresh=refresh,
            progress=sys.stderr.isatty(),
            history_path=history_path,
            show_acknowledged=show_acknowledged,
        )
        scan_dict = outcome.scan
        cfg = outcome.loaded.config
        if app_state.verbose:
            con = err_console()
            for info in outcome.loaded.sources:
                reason = f" ({info.reason})" if info.reason else ""
                con.print(f"{Path(info.path).name}: {info.format or info.system}{reason}", markup=False, highlight=False)
        # Every report below reads only the scan dict: the record frame, the job table and the
        # link result go now, not after the report is written (1M jobs: ~2.5 GB held for nothing).
        rows = len(outcome.loaded.records)
        del outcome
        release_freed(rows)

        history_rows = None
        if history_path is not None and out_fmt == "html":
            from ..history import history_rows as _rows

            history_rows = _rows(history_path)
        from ..report.vendorlinks import web_settings

        web = web_settings(cfg.section("web"), str(cfg.path) if cfg.path else None)

        if output is not None:
            from ..report.registry import RENDERED_HERE, write_report

            output.parent.mkdir(parents=True, exist_ok=True)
            if out_fmt in RENDERED_HERE:
                write_report(scan_dict, output, fmt=out_fmt, history=history_rows, web=web)
            elif out_fmt == "json":
                from ..report.jsonout import write_json

                with output.open("wb") as f:  # bytes, findings a slice at a time: no copy of a large report
                    write_json(scan_dict, f)
            else:
                output.write_text(_render(scan_dict, out_fmt), encoding="utf-8")
            err_console().print(f"report written to {output}", markup=False, highlight=False)
        elif out_fmt == "table":
            from rich.console import Console

            from ..report.table import ScanTable

            Console(no_color=app_state.no_color, highlight=False).print(ScanTable(scan_dict))
        elif out_fmt == "json" and hasattr(sys.stdout, "buffer"):
            from ..report.jsonout import render_json_bytes

            sys.stdout.flush()
            sys.stdout.buffer.write(render_json_bytes(scan_dict))
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(_render(scan_dict, out_fmt, history=history_rows, web=web))

        code = exit_code_for(scan_dict["findings"], (fail_on.value if fail_on else None) or cfg.fail_on or "low")
        if email and email_settings is not None:
            from ..report.email import send_report

            sent = send_report(scan_dict, email_settings, list(email), when=email_when.value, web=web)
            if sent:
                err_console().print(f"report emailed to {', '.join(email)}", markup=False, highlight=False)
        raise typer.Exit(code=code)
