"""Charts for the HTML report, drawn by matplotlib as inline SVG.

Each public function takes plain data from a ``driftcheck.scan/1`` dict and
returns one ``<svg>`` element as text, ready to sit inside an HTML page:

* no XML prolog, no DOCTYPE, no width/height (the page's CSS sizes it from the
  ``viewBox``), a ``<title>`` for screen readers;
* text stays text (``svg.fonttype = none``) in the page's system sans-serif
  font, so nothing is fetched and a customer name can be searched and copied;
* deterministic: ``svg.hashsalt`` is fixed per chart and the date metadata is
  dropped, so the same scan gives the same bytes (reports can be diffed);
* ids are unique per chart (matplotlib names every figure ``figure_1``), so
  several charts can share one page.

matplotlib is imported inside the functions, never at module import, and only
through the object-oriented ``Figure`` API: no pyplot, no global backend switch.
If it is not installed, :func:`available` is False and the report shows the
same numbers as tables.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from ..lifecycle import STAGES

__all__ = [
    "AGE_BUCKETS",
    "SEVERITIES",
    "SEVERITY_COLORS",
    "age_bucket_counts",
    "ageing_svg",
    "available",
    "by_key_svg",
    "counts_by",
    "lifecycle_svg",
    "trend_svg",
]

#: Severities, most urgent first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

#: Severity colours shared by charts and the page (contrast >= 4.5:1 on white).
SEVERITY_COLORS: dict[str, str] = {"high": "#b42318", "medium": "#b54708", "low": "#475467"}

#: Age buckets of the ageing histogram: (label, first day, last day or None).
#: Weekly runs: the first bucket is "appeared since last week".
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 d", 0, 7),
    ("8-14 d", 8, 14),
    ("15-30 d", 15, 30),
    ("31-60 d", 31, 60),
    ("61-90 d", 61, 90),
    ("90+ d", 91, None),
)

_INK = "#1d2939"
_GRID = "#d0d5dd"
_ACCENT = "#175cd3"


def available() -> bool:
    """Whether matplotlib can be imported (charts are drawn) or not (tables only)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def counts_by(findings: Iterable[Mapping[str, Any]], key: str) -> dict[str, dict[str, int]]:
    """Findings counted by ``key`` (``rule``, ``owner``) and severity.

    Returns:
        ``{value: {"high": n, "medium": n, "low": n}}``, ordered by total (largest
        first), then by value.
    """
    table: dict[str, dict[str, int]] = {}
    for f in findings:
        row = table.setdefault(str(f.get(key) or "unknown"), {s: 0 for s in SEVERITIES})
        sev = f.get("severity")
        if sev in row:
            row[sev] += 1
    return dict(sorted(table.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])))


def age_bucket_counts(findings: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Findings counted by age bucket (:data:`AGE_BUCKETS`) and severity; unknown ages are left out."""
    table = {label: {s: 0 for s in SEVERITIES} for label, _, _ in AGE_BUCKETS}
    for f in findings:
        age = f.get("age_days")
        sev = f.get("severity")
        if age is None or sev not in SEVERITIES:
            continue
        for label, lo, hi in AGE_BUCKETS:
            if age >= lo and (hi is None or age <= hi):
                table[label][sev] += 1
                break
    return table


def _rc(name: str) -> dict[str, Any]:
    return {
        "svg.hashsalt": f"driftcheck-{name}",
        "svg.fonttype": "none",
        # a customer or owner named "$5 Plumbing" must not be read as TeX
        "text.parse_math": False,
        "font.family": "sans-serif",
        # DejaVu ships with matplotlib (layout metrics); the rest are what browsers have
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        "font.size": 12,
        "axes.edgecolor": _GRID,
        "axes.labelcolor": _INK,
        "xtick.color": _INK,
        "ytick.color": _INK,
        "text.color": _INK,
    }


def _figure(width: float, height: float):  # noqa: ANN202 - matplotlib Figure, imported lazily
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=72, layout="constrained")


_ID_ATTR = re.compile(r'\sid="([^"]+)"')
_REF = re.compile(r'(?:url\(#|xlink:href="#|href="#)([^)"]+)')


def _finish(fig: Any, name: str, title: str) -> str:
    """Save ``fig`` as SVG and make it fit for inlining (see the module docstring)."""
    buf = io.StringIO()
    # called inside _rc_ctx(name): the hash salt in force makes the ids deterministic
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    # matplotlib's own stylesheet uses a "*" selector that would leak into the page.
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    referenced = set(_REF.findall(svg))

    def _id(match: re.Match[str]) -> str:
        value = match.group(1)
        return f' id="{name}-{value}"' if value in referenced else ""

    svg = _ID_ATTR.sub(_id, svg)
    svg = _REF.sub(lambda m: m.group(0)[: -len(m.group(1))] + f"{name}-{m.group(1)}", svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    head = head.replace("<svg", f'<svg class="chart" role="img" aria-labelledby="{name}-title"', 1)
    return f'{head}<title id="{name}-title">{escape(title)}</title>{svg[head_end:]}'


def _style_axes(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)


def _legend(ax: Any) -> None:
    # above the plot, never over a bar
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, ncols=3, fontsize=11, borderaxespad=0.2)


def _stack(ax: Any, positions: Sequence[Any], rows: Sequence[Mapping[str, Any]], *, horizontal: bool = False, width: float = 0.7) -> list[int]:
    """One bar per position, stacked high/medium/low from ``rows``; returns each bar's total."""
    base = [0] * len(positions)
    for sev in SEVERITIES:
        values = [int(r.get(sev) or 0) for r in rows]
        if horizontal:
            ax.barh(positions, values, left=base, height=width, color=SEVERITY_COLORS[sev], label=sev)
        else:
            ax.bar(positions, values, bottom=base, width=width, color=SEVERITY_COLORS[sev], label=sev)
        base = [a + b for a, b in zip(base, values, strict=True)]
    return base


def by_key_svg(counts: Mapping[str, Mapping[str, int]], *, name: str, title: str) -> str:
    """Horizontal bars, one per key (rule or owner), stacked by severity.

    Args:
        counts: ``{key: {"high": n, "medium": n, "low": n}}`` as :func:`counts_by` gives.
        name: a short id, unique in the page (``rules``); prefixes the SVG ids.
        title: the chart's accessible title.
    """
    labels = list(counts)[::-1]  # largest on top
    fig = _figure(7.2, 0.9 + 0.36 * max(len(labels), 1))
    with _rc_ctx(name):
        ax = fig.add_subplot()
        left = _stack(ax, labels, [counts[k] for k in labels], horizontal=True)
        for y, total in enumerate(left):
            ax.text(total, y, f" {total}", va="center", fontsize=11)
        ax.xaxis.set_visible(False)
        ax.set_xlim(0, max(left or [1]) * 1.12 + 0.5)
        _style_axes(ax)
        ax.spines["bottom"].set_visible(False)
        _legend(ax)
        return _finish(fig, name, title)


def ageing_svg(buckets: Mapping[str, Mapping[str, int]], *, name: str = "ageing", title: str = "Findings by age") -> str:
    """Histogram of findings by age bucket, stacked by severity (see :func:`age_bucket_counts`)."""
    labels = list(buckets)
    fig = _figure(7.2, 2.8)
    with _rc_ctx(name):
        ax = fig.add_subplot()
        bottom = _stack(ax, labels, [buckets[k] for k in labels])
        for x, total in enumerate(bottom):
            if total:
                ax.text(x, total, str(total), ha="center", va="bottom", fontsize=11)
        ax.set_ylim(0, max(bottom or [1]) * 1.18 + 0.5)
        ax.yaxis.set_visible(False)
        ax.set_xlabel("days since the finding's evidence started")
        _style_axes(ax)
        ax.spines["left"].set_visible(False)
        _legend(ax)
        return _finish(fig, name, title)


def lifecycle_svg(
    stages: Sequence[Mapping[str, Any]],
    handoffs: Sequence[Mapping[str, Any]],
    *,
    name: str = "lifecycle",
    title: str = "Jobs at each lifecycle stage, and the drift at each hand-off",
) -> str:
    """The lifecycle as a flow: jobs per stage as bars, each hand-off as an arrow with its drift.

    Stages are drawn in lifecycle order (``won`` ... ``paid``) whatever order the
    scan lists them in; a hand-off between non-adjacent stages arcs above.
    """
    jobs = {str(s.get("stage")): int(s.get("jobs") or 0) for s in stages}
    order = [s for s in STAGES if s in jobs] + [s for s in jobs if s not in STAGES]
    heights = [jobs[s] for s in order]
    top = max(heights or [1]) or 1
    fig = _figure(7.2, 2.7)
    with _rc_ctx(name):
        ax = fig.add_subplot()
        ax.bar(range(len(order)), heights, color=_ACCENT, width=0.56)
        for x, n in enumerate(heights):
            ax.text(x, n + top * 0.03, f"{n} jobs", ha="center", va="bottom", fontsize=11)
        ax.set_xticks(range(len(order)), order)
        pos = {s: i for i, s in enumerate(order)}
        for h in handoffs:
            a, b = pos.get(str(h.get("from"))), pos.get(str(h.get("to")))
            if a is None or b is None:
                continue
            drift = int(h.get("drift") or 0)
            color = SEVERITY_COLORS["high"] if drift else "#98a2b3"
            y = top * (1.32 if abs(b - a) == 1 else 1.55)
            rad = 0.0 if abs(b - a) == 1 else -0.25
            ax.annotate(
                "",
                xy=(b - 0.18, y),
                xytext=(a + 0.18, y),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.4, "connectionstyle": f"arc3,rad={rad}"},
            )
            label = f"{drift} drift" if drift else "0"
            ax.text((a + b) / 2, y + top * 0.05, label, ha="center", va="bottom", fontsize=11, color=color)
        arcs = any(abs(pos.get(str(h.get("to")), 0) - pos.get(str(h.get("from")), 0)) > 1 for h in handoffs)
        ax.set_ylim(0, top * (1.8 if arcs else 1.55))
        ax.yaxis.set_visible(False)
        _style_axes(ax)
        ax.spines["left"].set_visible(False)
        return _finish(fig, name, title)


def trend_svg(history: Sequence[Mapping[str, Any]], *, name: str = "trend", title: str = "Open findings over time") -> str:
    """Findings by severity at each past run, oldest first (``history`` rows carry ``as_of``)."""
    rows = sorted(history, key=lambda r: str(r.get("as_of")))
    xs = [date.fromisoformat(str(r["as_of"])[:10]) for r in rows]
    fig = _figure(7.2, 2.6)
    with _rc_ctx(name):
        ax = fig.add_subplot()
        bottom = _stack(ax, xs, rows, width=4)  # width in days on a date axis
        ax.set_xticks(xs, [d.isoformat() for d in xs], rotation=30, ha="right", fontsize=10)
        ax.set_ylim(0, max(bottom or [1]) * 1.2 + 0.5)
        ax.grid(axis="y", color=_GRID, lw=0.6)
        ax.set_axisbelow(True)
        _style_axes(ax)
        _legend(ax)
        return _finish(fig, name, title)


def _rc_ctx(name: str):  # noqa: ANN202 - a matplotlib rc_context
    import matplotlib

    return matplotlib.rc_context(_rc(name))
