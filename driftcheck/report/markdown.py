"""The Markdown report: the HTML report's content, for pasting into a ticket or a chat.

Small summary tables (sources, lifecycle, counts by rule and owner) render in
ticket systems; findings are a list per owner rather than a wide table, so they
stay readable where tables do not render (chat). Every value from a scan is
escaped, so a customer called ``<script>`` or ``*Best* | Builders`` is text
and never markup or a broken table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..currency import priced
from .charts import SEVERITIES, age_bucket_counts, counts_by
from .html import money, page_model

__all__ = ["md_escape", "render_markdown"]

# CommonMark: any ASCII punctuation may be backslash-escaped. These are the ones
# that start markup anywhere in a line or break a table cell; fewer escapes keep
# the text readable where Markdown is not rendered.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def md_escape(value: Any) -> str:
    """Escape ``value`` so Markdown shows it as typed, on one line.

    Example:
        >>> print(md_escape("*Best* | Builders"))
        \\*Best\\* \\| Builders
    """
    if value is None:
        return ""
    text = re.sub(r"\s+", " ", str(value)).strip()
    text = _SPECIAL.sub(r"\\\1", text)
    # at the start of a line these begin a heading, a list item or a heading underline
    text = re.sub(r"^#", r"\\#", text)
    text = re.sub(r"^([-+])(?=\s)", r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)
    return re.sub(r"^([=-])(?=[=-]*$)", r"\\\1", text)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _link(text: str, url: str | None) -> str:
    return f"[{text}](<{url}>)" if url else text


@priced
def render_markdown(scan: Mapping[str, Any], *, web: Mapping[str, Any] | None = None) -> str:
    """Render a scan as GitHub-flavoured Markdown.

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        web: validated ``[web]`` settings for links into vendor web apps. Defaults to None.

    Returns:
        The report text, ending with a newline.
    """
    m = page_model(scan, web=web)
    h = m["headline"]
    out = [f"# {md_escape(m['title'])}", ""]
    sev = ", ".join(f"{h['by_severity'][s]} {s}" for s in SEVERITIES)
    line = f"**{h['findings']} findings** ({sev}) · **{money(h['amount'])} at stake**"
    if h["jobs"] is not None:
        line += f" · {h['jobs']} jobs checked"
    if h["new"] is not None:
        line += f" · {h['new']} new"
    if h["resolved"] is not None:
        line += f" · {h['resolved']} resolved since the last run"
    out += [line, ""]

    out += ["## Sources", ""]
    out += _table(
        ["Source", "System", "Role", "Records", "Newest record", "Freshness"],
        [
            [
                md_escape(s["name"]),
                md_escape(s["system"]),
                md_escape(s["role"]),
                s["records"],
                md_escape(s.get("newest") or "—"),
                (_days(s["age_days"]) + " old" if s["age_days"] is not None else "unknown")
                + (" **stale**" if s["stale"] else "")
                + (f" (live pull failed; cache from {md_escape(s['stale_cache'])})" if s.get("stale_cache") else ""),
            ]
            for s in m["sources"]
        ],
        right=(3,),
    )
    out.append("")

    if m["warnings"]:
        out += ["## Warnings", ""]
        for w in m["warnings"]:
            where = ", ".join(
                p
                for p in (
                    md_escape(w.get("file")) if w.get("file") else "",
                    f"row {w['row']}" if w.get("row") else "",
                    f"column {md_escape(w['column'])}" if w.get("column") else "",
                )
                if p
            )
            times = f" ({w['count']} rows)" if (w.get("count") or 1) > 1 else ""
            out.append(f"- **{md_escape(w['source'])}**: " + (f"{where}: " if where else "") + md_escape(w["message"]) + times)
        out.append("")

    life = m["lifecycle"]
    if life.get("stages"):
        out += ["## Lifecycle", ""]
        out += _table(["Stage", "Jobs"], [[md_escape(s["stage"]), s["jobs"]] for s in life["stages"]], right=(1,))
        out.append("")
        if life.get("handoffs"):
            out += _table(
                ["Hand-off", "Drift", "Rules"],
                [
                    [f"{md_escape(x.get('from'))} → {md_escape(x.get('to'))}", x.get("drift", 0), ", ".join(f"`{r}`" for r in x.get("rules") or [])]
                    for x in life["handoffs"]
                ],
                right=(1,),
            )
            out.append("")

    findings = m["findings"]
    if findings:
        for title, key in (("Findings by rule", "rule"), ("Findings by owner", "owner")):
            out += [f"## {title}", ""]
            rows = [[md_escape(k), *(v[s] for s in SEVERITIES), sum(v.values())] for k, v in counts_by(findings, key).items()]
            out += _table([key.capitalize(), *SEVERITIES, "total"], rows, right=(1, 2, 3, 4))
            out.append("")
        out += ["## Age of findings", ""]
        rows = [[label, *(v[s] for s in SEVERITIES)] for label, v in age_bucket_counts(findings).items()]
        out += _table(["Age", *SEVERITIES], rows, right=(1, 2, 3))
        out.append("")

    out += ["## Findings", ""]
    if not m["groups"]:
        out += ["No findings: the tools agree on every job checked.", ""]
    for g in m["groups"]:
        amount = f", {money(g['amount'])} at stake" if g["amount"] else ""
        out += [f"### {md_escape(g['owner'])} ({g['count']} finding{'' if g['count'] == 1 else 's'}{amount})", ""]
        for item in g["items"]:
            f = item["f"]
            head = [f"**{md_escape(f['severity']).upper()}**"]
            if f.get("status") == "new":
                head.append("NEW")
            head += [md_escape(f["customer"]), f"job {md_escape(f['job'])}", f"`{f['rule']}`"]
            if f.get("amount") is not None:
                head.append(money(f["amount"], cents=True))
            if f.get("since"):
                head.append(f"since {f['since']}" + (f" ({_days(f['age_days'])})" if f.get("age_days") is not None else ""))
            out.append("- " + " · ".join(head))
            out.append(f"  {md_escape(f['message'])}")
            for e in f.get("evidence") or []:
                value = "(empty)" if e.get("value") is None else md_escape(e.get("value"))
                out.append(f"  - {md_escape(e.get('source'))} {md_escape(e.get('record'))}, {md_escape(e.get('field'))}: {value}")
            if item["links"]:
                recs = "; ".join(f"{md_escape(r['source'])} {_link(md_escape(r['id']), r['url'])}" for r in item["links"])
                out.append(f"  - records: {recs}")
        out.append("")

    if m["resolved"]:
        out += ["## Resolved since the last run", ""]
        for r in m["resolved"]:
            out.append(
                f"- {md_escape(r.get('customer'))} · job {md_escape(r.get('job'))} · `{r.get('rule')}` "
                f"(first seen {md_escape(r.get('first_seen'))}, last seen {md_escape(r.get('last_seen'))})"
            )
        out.append("")
    out.append(f"_driftcheck {md_escape(m['version'])}; read-only: nothing was changed in any system._")
    return "\n".join(out) + "\n"
