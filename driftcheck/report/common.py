"""Small formatting helpers shared by the terminal, text and other renderers."""

from __future__ import annotations

from typing import Any

from ..currency import priced

__all__ = ["SEVERITY_ORDER", "group_by_owner", "money", "ordered_findings", "source_line", "summary_line"]

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def money(v: float | None, *, cents: bool = True, none: str = "—", currency: str | None = None) -> str:
    """``$1,234.50`` (``cents=False``: ``$1,235``); ``none`` for no amount.

    The one money formatter: terminal, text, HTML, Markdown, email and finding messages all
    call it. The symbol is the scan's currency (``£1,234.50``, ``CHF 1,234.50``; see
    :mod:`driftcheck.currency`), dollars when the scan names none; ``currency`` names it here.
    """
    if v is None:
        return none
    from ..currency import symbol

    v = float(v)
    sign = "-" if v < 0 else ""
    sym = symbol(currency)
    return f"{sign}{sym}{abs(v):,.2f}" if cents else f"{sign}{sym}{abs(v):,.0f}"


def ordered_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New findings first (when history says so), then by severity and money at stake."""
    return sorted(
        findings,
        key=lambda f: (
            0 if f.get("status") == "new" else 1,
            SEVERITY_ORDER.get(f["severity"], 9),
            -(f.get("amount") or 0.0),
            f["rule"],
            f["job"],
        ),
    )


def group_by_owner(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Findings grouped by owner; the owner with the most severe, then most, findings first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in ordered_findings(findings):
        groups.setdefault(f["owner"], []).append(f)
    return sorted(
        groups.items(),
        key=lambda kv: (min(SEVERITY_ORDER.get(f["severity"], 9) for f in kv[1]), -len(kv[1]), kv[0]),
    )


@priced
def summary_line(scan: dict[str, Any]) -> str:
    """``152 jobs checked · 19 findings (6 high, 8 medium, 5 low) · $84,300.00 at stake``."""
    s = scan["summary"]
    sev = s["by_severity"]
    parts = [
        f"{s['jobs']} jobs checked",
        f"{s['findings']} finding{'s' if s['findings'] != 1 else ''} "
        f"({sev.get('high', 0)} high, {sev.get('medium', 0)} medium, {sev.get('low', 0)} low)",
        f"{money(s.get('amount_at_stake', 0.0))} at stake",
    ]
    if s.get("new") is not None:
        parts.append(f"{s['new']} new")
    if s.get("resolved"):
        parts.append(f"{s['resolved']} resolved since last scan")
    if s.get("acknowledged"):
        parts.append(f"{s['acknowledged']} acknowledged (hidden)")
    return " · ".join(parts)


def source_line(src: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """(name, what, role, records, newest) for one source."""
    what = src.get("format") or src.get("system", "")
    newest = src.get("newest") or "—"
    if src.get("stale_cache"):
        newest += f" (CACHED: {src['stale_cache']})"
    records = f"{src.get('records', 0)} records"
    if src.get("skipped"):
        records += f", {src['skipped']} skipped"
    return src["name"], what, src.get("role", ""), records, newest
