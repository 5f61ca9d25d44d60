"""The history commands: ``history`` (the scan log and trend), ``timeline`` (a job's audit trail),
``ack`` and ``unack`` (hide a known finding, or show it again).

Each is glue over :mod:`driftcheck.history`: resolve the history file, call one
library function, render. The shared ``--history`` option (:data:`HistoryPath`)
is also what ``scan`` uses.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..cli import cli_errors, state
from ..errors import UsageError

if TYPE_CHECKING:
    from ..history.render import View

__all__ = ["HistoryPath", "OutputFormat", "register", "resolve_history_path"]

ORDER = 40

#: ``--history PATH``, spelled the same in every command that reads or writes the history.
HistoryPath = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="History file. Default: .driftcheck/history.sqlite beside driftcheck.toml, or in the current folder.",
        dir_okay=False,
    ),
]


class OutputFormat(str, enum.Enum):
    """How a history command prints."""

    table = "table"
    json = "json"


Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="table (plain text when not a terminal) or json.")]


def resolve_history_path(ctx: typer.Context, history: Path | None) -> Path:
    """``--history`` if given, else the default beside the config (``--config``, or ``driftcheck.toml`` here)."""
    from ..history import default_history_path

    if history is not None:
        return history
    config = state(ctx).config
    if config is None and Path("driftcheck.toml").is_file():
        config = Path("driftcheck.toml")
    return default_history_path(config)


def _show(ctx: typer.Context, view: View, data: Any, fmt: OutputFormat) -> None:
    """Print ``data`` as JSON, or ``view`` as a rich table on a terminal and plain text elsewhere."""
    if fmt is OutputFormat.json:
        import json

        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    console = Console(no_color=state(ctx).no_color, highlight=False)
    if console.is_terminal:
        console.print(view)
    else:
        typer.echo(view.text(), nl=False)


@cli_errors
def history_cmd(
    ctx: typer.Context,
    history: HistoryPath = None,
    last: Annotated[int | None, typer.Option("--last", "-n", min=1, help="Only the latest N scans.")] = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Show past scans: findings by severity, new, resolved, acknowledged, and the trend.

    Example: driftcheck history --last 12
    """
    from ..history import history_rows
    from ..history.render import history_view

    rows = history_rows(resolve_history_path(ctx, history), last=last)
    _show(ctx, history_view(rows), {"schema": "driftcheck.history/1", "scans": rows}, fmt)


@cli_errors
def timeline_cmd(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A job key (J-1042), a record number from an export, or part of a customer name.")],
    history: HistoryPath = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Show a job's audit trail: every status change in every tool, and its findings.

    Example: driftcheck timeline J-1042
    """
    from ..history import timeline
    from ..history.render import timeline_view

    t = timeline(resolve_history_path(ctx, history), query)
    _show(ctx, timeline_view(t), t.as_dict(), fmt)


@cli_errors
def ack_cmd(
    ctx: typer.Context,
    finding_id: Annotated[str | None, typer.Argument(help="The finding's id (or its first 4+ characters).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="Why it is known and left as is.")] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="YYYY-MM-DD", help="Show it again on scans audited after this date."),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List acknowledgements instead.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="With --list: also those that lapsed or were withdrawn.")] = False,
    history: HistoryPath = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Acknowledge a known finding: hide it until --until passes or its evidence changes.

    Example: driftcheck ack 3f9a1c2e --reason "customer pays after phase 2" --until 2026-12-31
    """
    from datetime import date

    from ..history import ack, list_acks
    from ..history.render import acks_view

    path = resolve_history_path(ctx, history)
    if list_:
        acks = list_acks(path, include_ended=all_)
        _show(ctx, acks_view(acks), {"schema": "driftcheck.acks/1", "acks": acks}, fmt)
        return
    if finding_id is None or reason is None:
        raise UsageError("Give a finding id and --reason TEXT (or --list to see acknowledgements).")
    try:
        until_date = date.fromisoformat(until) if until else None
    except ValueError:
        raise UsageError(f"--until {until!r} is not a date; expected YYYY-MM-DD, like 2026-12-31.") from None
    done = ack(path, finding_id, reason, until_date)
    typer.echo(
        f"Acknowledged {done['id']} ({done['rule']}, job {done['job']}): hidden from scans "
        + (f"audited up to {done['until']}" if done["until"] else "until its evidence changes")
        + (", or until its evidence changes." if done["until"] else ".")
    )


@cli_errors
def unack_cmd(
    ctx: typer.Context,
    finding_id: Annotated[str, typer.Argument(help="The finding's id (or its first 4+ characters).")],
    history: HistoryPath = None,
) -> None:
    """Withdraw an acknowledgement: the finding shows again from the next scan.

    Example: driftcheck unack 3f9a1c2e
    """
    from ..history import unack

    if unack(resolve_history_path(ctx, history), finding_id):
        typer.echo(f"Withdrew the acknowledgement of {finding_id}: it shows again from the next scan.")
    else:
        typer.echo(f"{finding_id} had no acknowledgement; nothing changed.")


def register(app: typer.Typer) -> None:
    """Add ``history``, ``timeline``, ``ack`` and ``unack`` to the root app."""
    panel = "History"
    app.command("history", rich_help_panel=panel)(history_cmd)
    app.command("timeline", rich_help_panel=panel)(timeline_cmd)
    app.command("ack", rich_help_panel=panel)(ack_cmd)
    app.command("unack", rich_help_panel=panel)(unack_cmd)
