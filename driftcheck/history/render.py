"""What the ``history``, ``timeline`` and ``ack --list`` commands show, as rich tables or plain text.

Each view is built once as a :class:`View` (a title, columns, rows of strings
and notes); a terminal gets it as a rich table (``View`` is a rich renderable),
cron and pipes get :meth:`View.text`, plain aligned columns rendered from the
same data, not stripped colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._trend import sparkline

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ._timeline import Timeline

__all__ = ["View", "acks_view", "history_view", "timeline_view"]


@dataclass
class View:
    """A titled table plus lines of notes, renderable by rich or as plain text."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    #: Lines printed after the table (trend, hints).
    notes: list[str] = field(default_factory=list)
    #: Columns (by name) aligned right: counts and amounts.
    numeric: tuple[str, ...] = ()

    def __rich__(self) -> RenderableType:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title=self.title, title_justify="left", header_style="bold")
        for name in self.columns:
            table.add_column(name, justify="right" if name in self.numeric else "left", overflow="fold")
        for row in self.rows:
            table.add_row(*row)
        return Group(table, *(Text(n) for n in self.notes)) if self.rows else Group(Text(self.title), *(Text(n) for n in self.notes))

    def text(self) -> str:
        """Plain text: title, aligned columns under a dashed rule, then the notes."""
        lines = [self.title]
        if self.rows:
            widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]

            def line(cells: list[str]) -> str:
                return "  ".join(
                    cell.rjust(w) if name in self.numeric else cell.ljust(w)
                    for name, cell, w in zip(self.columns, cells, widths, strict=True)
                ).rstrip()

            lines += ["", line(self.columns), line(["-" * w for w in widths]), *(line(r) for r in self.rows)]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines) + "\n"


def _n(value: Any) -> str:
    return "" if value is None else str(value)


def history_view(rows: list[dict[str, Any]]) -> View:
    """The scan log with counts by severity, new, resolved, acknowledged, and a findings trend."""
    numeric = ("Findings", "High", "Medium", "Low", "New", "Resolved", "Ack'd", "At stake")
    view = View(
        title=f"Scan history: {len(rows)} scan{'s' if len(rows) != 1 else ''}",
        columns=["Scan", "Ran (UTC)", "Audit date", *numeric],
        numeric=("Scan", *numeric),
        rows=[
            [
                str(r["scan_id"]), r["ran_at"][:16].replace("T", " "), r["as_of"],
                *(_n(r[k]) for k in ("findings", "high", "medium", "low", "new", "resolved", "acknowledged")),
                f"{r['amount_at_stake']:,.2f}" if r["amount_at_stake"] is not None else "",
            ]
            for r in rows
        ],
    )
    if not rows:
        view.notes.append("No scans recorded yet: each `driftcheck scan` adds one.")
    elif len(rows) > 1:
        first, last = rows[0], rows[-1]
        for key in ("findings", "high"):
            values = [r[key] for r in rows]
            view.notes.append(f"Trend, {key + ' findings' if key != 'findings' else 'all findings'}: "
                              f"{sparkline(values)}  {first[key]} → {last[key]}")
    return view


def timeline_view(t: Timeline) -> View:
    """A job's audit trail, or the list of jobs an ambiguous query matched."""
    if t.ambiguous:
        view = View(
            title=f"'{t.query}' matches {len(t.candidates) + t.more_candidates} jobs; run `driftcheck timeline JOB` with one of them",
            columns=["Job", "Customer", "Records", "Findings", "Last change"],
            numeric=("Records", "Findings"),
            rows=[[c["job"], _n(c["customer"]), str(c["records"]), str(c["findings"]), _n(c["last_change"])] for c in t.candidates],
        )
        if t.more_candidates:
            view.notes.append(f"... and {t.more_candidates} more; give more of the name.")
        return view
    who = f" ({t.customer})" if t.customer else ""
    view = View(
        title=f"Timeline of {'job ' + t.job if t.job else repr(t.query)}{who}",
        columns=["Seen", "Modified", "Where", "What"],
        rows=[[e.seen, _n(e.modified), _n(e.system or e.kind), e.what] for e in t.events],
    )
    if t.records:
        view.notes.append("Records: " + ", ".join(f"{r['system']} {r['record_type']} {r['record_id']}" for r in t.records))
    view.notes.append("Seen: audit date of the scan that first saw the change. Modified: the record's own last-modified date.")
    return view


def acks_view(acks: list[dict[str, Any]]) -> View:
    """Acknowledgements: which finding, why, until when, and whether it is still open."""
    ended = any(a["ended_at"] for a in acks)
    columns = ["ID", "Rule", "Job", "Customer", "Reason", "Until", "Acknowledged", "Finding"] + (["Ended"] if ended else [])
    view = View(
        title=f"{len(acks)} acknowledgement{'s' if len(acks) != 1 else ''}",
        columns=columns,
        rows=[
            [a["id"], _n(a["rule"]), _n(a["job"]), _n(a["customer"]), a["reason"], _n(a["until"]) or "evidence changes",
             a["acked_at"][:10], a["finding"]] + ([f"{a['ended_at'][:10]} {a['ended_why']}" if a["ended_at"] else ""] if ended else [])
            for a in acks
        ],
    )
    if not acks:
        view.notes.append("Nothing acknowledged. `driftcheck ack FINDING_ID --reason TEXT` hides a known finding.")
    return view
