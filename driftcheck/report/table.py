"""The terminal report: rich tables, findings grouped by owner and severity."""

from __future__ import annotations

from typing import Any

from .common import group_by_owner, money, source_line, summary_line

__all__ = ["ScanTable"]

_SEV_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


class ScanTable:
    """A rich renderable of a ``driftcheck.scan/1`` dict (``console.print(ScanTable(scan))``)."""

    def __init__(self, scan: dict[str, Any]):
        self.scan = scan

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - rich protocol
        from rich.table import Table
        from rich.text import Text

        scan = self.scan
        title = "driftcheck"
        if scan.get("business"):
            title += f" · {scan['business']}"
        yield Text(f"{title} · audit date {scan['as_of']}", style="bold")
        src = Table(box=None, show_header=True, header_style="dim", pad_edge=False)
        for col in ("source", "what", "role", "records", "newest"):
            src.add_column(col, overflow="fold")
        for s in scan["sources"]:
            name, what, role, records, newest = source_line(s)
            src.add_row(name, what, role, records, Text(newest, style="bold red" if s.get("stale_cache") else ""))
        yield src
        yield Text("")
        yield Text(summary_line(scan), style="bold")
        for owner, items in group_by_owner(scan["findings"]):
            t = Table(title=f"{owner.upper()} ({len(items)})", title_justify="left", title_style="bold",
                      show_lines=True, expand=True)
            # The message is what the owner reads: it gets the room. Long keys (a source's file
            # name in S-..., a customer in C-...) fold instead of widening their column.
            t.add_column("sev", no_wrap=True, min_width=6)
            t.add_column("job", max_width=16, overflow="fold")
            t.add_column("customer", min_width=10, max_width=22, overflow="fold")
            t.add_column("what is wrong", min_width=36, ratio=1)
            t.add_column("age", justify="right", no_wrap=True, min_width=4)
            t.add_column("at stake", justify="right", no_wrap=True, min_width=10)
            for f in items:
                sev = Text(f["severity"], style=_SEV_STYLE.get(f["severity"], ""))
                if f.get("status") == "new":
                    sev.append(" new", style="bold magenta")
                what = Text(f["message"])
                what.append(f"\n{f['rule']} · {f['id']}", style="dim")
                age = f"{f['age_days']}d" if f.get("age_days") is not None else ""
                t.add_row(sev, f["job"], f["customer"] or "—", what, age, money(f.get("amount"), currency=scan.get("currency")) if f.get("amount") else "")
            yield Text("")
            yield t
        if not scan["findings"]:
            yield Text("No drift found: every tool agrees.", style="green")
        if scan.get("resolved"):
            yield Text("")
            yield Text(f"Resolved since the last scan ({len(scan['resolved'])})", style="bold green")
            for r in scan["resolved"]:
                yield Text(f"  {r['rule']} · {r['job']} · {r.get('customer') or '—'}")
        if scan.get("warnings"):
            yield Text("")
            yield Text(f"Warnings ({len(scan['warnings'])})", style="bold yellow")
            for w in scan["warnings"]:
                yield Text(f"  {w.get('source', '')}: {w['message']}")
