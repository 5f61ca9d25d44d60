"""The HTML report: one self-contained page that opens offline, and the page model every report shares.

:func:`render_html` turns a ``driftcheck.scan/1`` dict into one HTML file the
owner can open from an email attachment or a USB stick, a consultant can hand
to a client, and anyone can print:

* everything inline: CSS, charts as SVG (:mod:`driftcheck.report.charts`), a
  short script; a Content-Security-Policy that forbids every fetch, so even a
  mistake could not make the page call another host;
* jinja2 with autoescaping: a customer named ``<script>`` is text;
* readable with scripts off (the filter and sort controls appear only when the
  script runs); responsive down to a phone; ``@media print`` drops the controls;
* links to the record in the vendor's web app where the native id allows it
  (:mod:`driftcheck.report.vendorlinks`).

:func:`page_model` is the view of a scan that the HTML, Markdown and email
reports all render (headline figures, sources with freshness, findings grouped
by owner), so the three say the same thing.

jinja2 and matplotlib are imported inside functions.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .. import __version__
from ..currency import priced
from . import charts as _charts
from .common import money as common_money
from .vendorlinks import finding_links, source_systems

__all__ = [
    "SEVERITIES",
    "STALE_AFTER_DAYS",
    "jinja_env",
    "money",
    "page_model",
    "render_html",
    "severity_counts",
]

SEVERITIES = _charts.SEVERITIES

#: A source whose newest record is older than this (in days, before the audit
#: date) is flagged in the sources table: for a weekly run it predates the last run.
STALE_AFTER_DAYS = 7

#: The page's only script: filter and sort. The CSP allows exactly this text
#: (by hash), so no other script, injected or not, can run.
_SCRIPT = """
(function () {
  var form = document.getElementById('filters');
  if (!form) return;
  form.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.finding'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('section.owner'));
  var shown = document.getElementById('shown');
  function apply() {
    var o = form.owner.value, s = form.severity.value, r = form.rule.value;
    var q = form.q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (tr) {
      var ok = (!o || tr.dataset.owner === o) && (!s || tr.dataset.severity === s) &&
        (!r || tr.dataset.rule === r) && (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      if (ok) n++;
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector('tr.finding:not([hidden])'); });
    shown.textContent = n;
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  function sortBy(th) {
    var table = th.closest('table'), i = th.cellIndex, asc = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0], list = Array.prototype.slice.call(body.rows);
    list.sort(function (a, b) {
      var x = a.cells[i].dataset.v, y = b.cells[i].dataset.v;
      var c = th.dataset.sort === 'num' ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return asc ? c : -c;
    });
    list.forEach(function (tr) { body.appendChild(tr); });
  }
  document.querySelectorAll('table.findings th[data-sort]').forEach(function (th) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(b);
    b.addEventListener('click', function () { sortBy(th); });
  });
})();
""".strip()


def money(value: float | int | None, *, cents: bool = False) -> str:
    """Format an amount for people: ``$12,340`` (``cents=True``: ``$12,340.50``); ``""`` for None.

    In the scan's currency, as :func:`driftcheck.report.common.money` writes it.
    """
    return common_money(value, cents=cents, none="")


def severity_counts(scan: Mapping[str, Any]) -> dict[str, int]:
    """Findings by severity: from the summary, or counted when the summary lacks them."""
    given = (scan.get("summary") or {}).get("by_severity")
    if given:
        return {s: int(given.get(s) or 0) for s in SEVERITIES}
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in scan.get("findings") or []:
        if f.get("severity") in counts:
            counts[f["severity"]] += 1
    return counts


def _age(as_of: str | None, day: str | None) -> int | None:
    try:
        return (date.fromisoformat(str(as_of)[:10]) - date.fromisoformat(str(day)[:10])).days
    except (TypeError, ValueError):
        return None


@priced
def page_model(scan: Mapping[str, Any], *, web: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The view of a scan that every human-facing report renders.

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        web: validated ``[web]`` settings for vendor links (see
            :func:`driftcheck.report.vendorlinks.web_settings`).

    Returns:
        A dict with ``business``, ``as_of``, ``title``, ``headline`` (findings,
        by_severity, amount, jobs, new, resolved), ``sources`` (each with
        ``age_days`` and ``stale``), ``groups`` (one per owner: ``owner``,
        ``count``, ``amount``, ``items``, each item ``{"f": finding, "links": [...]}``),
        ``owners``, ``rules``, ``lifecycle``, ``warnings``, ``resolved``, ``version``.
    """
    summary = scan.get("summary") or {}
    findings = list(scan.get("findings") or [])
    as_of = scan.get("as_of")
    business = scan.get("business")
    systems = source_systems(scan)

    groups: dict[str, dict[str, Any]] = {}
    for f in findings:
        owner = str(f.get("owner") or "unassigned")
        g = groups.setdefault(owner, {"owner": owner, "count": 0, "amount": 0.0, "items": [], "by_severity": dict.fromkeys(SEVERITIES, 0)})
        g["count"] += 1
        g["amount"] += float(f.get("amount") or 0)
        if f.get("severity") in g["by_severity"]:
            g["by_severity"][f["severity"]] += 1
        g["items"].append({"f": f, "links": finding_links(f, systems, web)})
    # the owner with the most urgent work first: high count, then money, then name
    ordered = sorted(groups.values(), key=lambda g: (-g["by_severity"]["high"], -g["amount"], g["owner"]))

    new = summary.get("new")
    if new is None and any("status" in f for f in findings):
        new = sum(1 for f in findings if f.get("status") == "new")
    sources = []
    for s in scan.get("sources") or []:
        age = _age(as_of, s.get("newest"))
        sources.append({**s, "age_days": age, "stale": bool(s.get("stale_cache")) or (age is not None and age > STALE_AFTER_DAYS)})

    title = "Drift report" + (f": {business}" if business else "") + (f", {as_of}" if as_of else "")
    return {
        "title": title,
        "business": business,
        "as_of": as_of,
        "version": (scan.get("tool") or {}).get("version") or __version__,
        "headline": {
            "findings": int(summary.get("findings", len(findings))),
            "by_severity": severity_counts(scan),
            "amount": summary["amount_at_stake"]
            if summary.get("amount_at_stake") is not None
            else sum(float(f.get("amount") or 0) for f in findings),
            "jobs": summary.get("jobs"),
            "new": new,
            "acknowledged": summary.get("acknowledged"),
            "resolved": len(scan["resolved"]) if "resolved" in scan else None,
        },
        "sources": sources,
        "groups": ordered,
        "owners": [g["owner"] for g in ordered],
        "rules": sorted({str(f.get("rule")) for f in findings}),
        "lifecycle": scan.get("lifecycle") or {"stages": [], "handoffs": []},
        "warnings": list(scan.get("warnings") or []),
        "resolved": list(scan.get("resolved") or []),
        "findings": findings,
    }


def jinja_env():  # noqa: ANN201 - jinja2.Environment, imported lazily
    """The jinja2 environment of driftcheck's templates: autoescape on, undefined names are errors."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("driftcheck", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = money
    env.filters["cents"] = lambda v: money(v, cents=True)
    env.globals["SEVERITIES"] = SEVERITIES
    env.globals["SEVERITY_COLORS"] = _charts.SEVERITY_COLORS
    return env


def _chart_svgs(model: Mapping[str, Any], history: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """Every chart of the page as inline SVG, or {} without matplotlib (the page then shows tables)."""
    if not _charts.available():
        return {}
    findings = model["findings"]
    out: dict[str, str] = {}
    if findings:
        out["rules"] = _charts.by_key_svg(_charts.counts_by(findings, "rule"), name="rules", title="Findings by rule")
        out["owners"] = _charts.by_key_svg(_charts.counts_by(findings, "owner"), name="owners", title="Findings by owner")
        out["ageing"] = _charts.ageing_svg(_charts.age_bucket_counts(findings))
    life = model["lifecycle"]
    if life.get("stages"):
        out["lifecycle"] = _charts.lifecycle_svg(life.get("stages") or [], life.get("handoffs") or [])
    if history:
        out["trend"] = _charts.trend_svg(history)
    return out


@priced
def render_html(
    scan: Mapping[str, Any],
    *,
    history: Sequence[Mapping[str, Any]] | None = None,
    web: Mapping[str, Any] | None = None,
) -> str:
    """Render a scan as one self-contained HTML page.

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        history: past runs, ``[{"as_of", "high", "medium", "low", "new", "resolved"}]``,
            drawn as a trend when given. Defaults to None (no trend).
        web: validated ``[web]`` settings for links into vendor web apps. Defaults to None.

    Returns:
        The page as text (UTF-8 when written).

    Example:
        >>> page = render_html(scan)
        >>> Path("report.html").write_text(page, encoding="utf-8")
    """
    from markupsafe import Markup

    model = page_model(scan, web=web)
    svgs = {k: Markup(v) for k, v in _chart_svgs(model, history).items()}
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; form-action 'none'; base-uri 'none'"
    )
    template = jinja_env().get_template("report.html.j2")
    return str(
        template.render(
            m=model,
            charts=svgs,
            charts_available=_charts.available(),
            counts_by=_charts.counts_by,
            age_buckets=_charts.age_bucket_counts(model["findings"]),
            history=list(history or []),
            script=Markup(_SCRIPT),
            csp=csp,
        )
    )
