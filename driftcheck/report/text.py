"""Plain text: the scan for cron mail and pipes. Nothing is cut off, no colour codes."""

from __future__ import annotations

import textwrap
from typing import Any

from ..currency import priced
from .common import group_by_owner, money, source_line, summary_line

__all__ = ["render_text"]


@priced
def render_text(scan: dict[str, Any], *, width: int = 100) -> str:
    """Render a ``driftcheck.scan/1`` dict as plain text."""
    out: list[str] = []
    title = "driftcheck"
    if scan.get("business"):
        title += f" · {scan['business']}"
    out.append(f"{title} · audit date {scan['as_of']}")
    out.append("")
    out.append("Sources")
    for src in scan["sources"]:
        name, what, role, records, newest = source_line(src)
        out.append(f"  {name}: {what} ({role}), {records}, newest {newest}")
    out.append("")
    out.append(summary_line(scan))
    wrap = textwrap.TextWrapper(width=width, initial_indent="      ", subsequent_indent="      ")
    for owner, items in group_by_owner(scan["findings"]):
        out.append("")
        out.append(f"{owner.upper()} ({len(items)})")
        for f in items:
            status = " NEW" if f.get("status") == "new" else ""
            age = f"{f['age_days']} days" if f.get("age_days") is not None else ""
            since = f"since {f['since']}" if f.get("since") else ""
            head = f"  {f['severity'].upper():<6} {f['rule']}{status} · {f['job']} · {f['customer'] or '—'}"
            tail = " · ".join(p for p in (since, age, money(f.get("amount")) if f.get("amount") else "") if p)
            out.append(f"{head} · {tail}" if tail else head)
            out.extend(wrap.wrap(f["message"]))
            out.append(f"      id {f['id']}")
    if not scan["findings"]:
        out.append("")
        out.append("No drift found: every tool agrees.")
    if scan.get("resolved"):
        out.append("")
        out.append(f"RESOLVED since the last scan ({len(scan['resolved'])})")
        for r in scan["resolved"]:
            out.append(f"  {r['rule']} · {r['job']} · {r.get('customer') or '—'} (open since {r.get('first_seen')})")
    if scan.get("warnings"):
        out.append("")
        out.append(f"Warnings ({len(scan['warnings'])})")
        for w in scan["warnings"]:
            where = ", ".join(str(p) for p in (w.get("file"), f"row {w['row']}" if w.get("row") else None) if p)
            out.append(f"  {w.get('source', '')}: {w['message']}" + (f" [{where}]" if where else ""))
    return "\n".join(out) + "\n"
