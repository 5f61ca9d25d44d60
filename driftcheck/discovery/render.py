"""Rendering a discovery: plain text, rich (terminal), Markdown and self-contained HTML.

All four draw :func:`driftcheck.discovery.view.view`, so they say the same thing; the
lifecycle flow is drawn as text (a vertical flow with the timing and drift of each
hand-off) in the terminal and as inline SVG (matplotlib, via
:mod:`driftcheck.report.charts`) in HTML. The HTML page opens offline: CSS inline, no
script, a Content-Security-Policy that forbids every fetch, jinja2 autoescaping.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..lifecycle import STAGES
from .model import Discovery
from .view import Table, days, view

__all__ = ["DiscoveryTable", "flow_svg", "flow_text", "render_html", "render_markdown", "render_text"]

_FLAG_MARK = {"unmapped": "!", "review": "?", "stuck": "!", "drift": "!", "disagree": "≠", "unlinked": "", "stale": "!"}


# --------------------------------------------------------------------------- the flow, as text


def flow_text(d: Discovery) -> list[str]:
    """The lifecycle as a vertical flow: each stage, then the hand-off to the next."""
    by_stage = {s.stage: s for s in d.stages}
    hand = {h.source: h for h in d.handoffs}
    out = []
    opened = by_stage.get("open")
    if opened is not None:
        out.append(f"  not won yet  {opened.sitting:>5} deals or jobs")
        out.append("        │")
    for st in STAGES:
        s = by_stage.get(st)
        if s is None:
            continue
        stuck = f" · {s.stuck} stuck > {s.stuck_after} d" if s.stuck else ""
        out.append(f"  {st:<11}  {s.reached:>5} reached · {s.sitting} sitting here{stuck}")
        h = hand.get(st)
        if h is not None:
            timing = f"median {days(h.median)}, p90 {days(h.p90)} ({h.measured} jobs)" if h.measured else "not measured"
            if h.reversed:
                timing += f"; {h.target} came first in {h.reversed} job{'s' if h.reversed != 1 else ''}"
            drift = f" · {h.drift} drift: {', '.join(h.rules)}" if h.drift else " · no drift"
            out.append(f"        │ {timing}{drift}")
            out.append("        ▼")
    exits = ", ".join(f"{k} {v}" for k, v in d.exits.items() if v)
    if exits:
        out.append(f"  left the flow: {exits}")
    return out


# --------------------------------------------------------------------------- plain text


def _text_table(t: Table, width: int) -> list[str]:
    """A table as aligned text. The last column wraps in the room left; when there is too little
    room it goes on a line of its own under each row."""
    cols = len(t.columns)
    widths = [max([len(t.columns[i]), *(len(r.cells[i]) for r in t.rows)]) for i in range(cols)]
    fixed = sum(widths[:-1]) + 2 * (cols - 1) + 4
    stacked = cols > 1 and width - fixed < 24
    last = width - 6 if stacked else max(24, width - fixed)

    def line(cells: list[str], mark: str) -> list[str]:
        head = "  ".join(c.rjust(widths[i]) if i in t.numeric else c.ljust(widths[i]) for i, c in enumerate(cells[:-1]))
        tail = textwrap.wrap(cells[-1], last) or [""]
        if cols == 1:
            return [f"{mark:<2}{tail[0]}", *(f"  {x}" for x in tail[1:])]
        if stacked:
            return [f"{mark:<2}{head}".rstrip(), *(f"      {x}" for x in tail if x)]
        pad = " " * (len(head) + 2)
        return [f"{mark:<2}{head}  {tail[0]}".rstrip(), *(f"  {pad}{x}" for x in tail[1:])]

    out = [t.title, *line(t.columns, "")]
    for r in t.rows:
        out += line(r.cells, _FLAG_MARK.get(r.flag or "", ""))
        for d in r.detail:
            out += textwrap.wrap(d, width - 6, initial_indent="      ", subsequent_indent="        ")
    if t.note:
        out += textwrap.wrap(t.note, width - 2, initial_indent="  ", subsequent_indent="  ")
    return [*out, ""]


def render_text(discovery: Discovery, *, width: int = 110) -> str:
    """Plain text for a pipe or a file: nothing cut off, no colour codes.

    Marks in the first column: ``!`` needs attention (unmapped, stuck, stale), ``?`` to
    review, ``≠`` disagrees with the owner.
    """
    v = view(discovery)
    out = [v["title"], "  " + " · ".join(f"{k}: {n}" for k, n in v["summary"]), ""]
    out += _text_table(v["sources"], width)
    out += ["STATUS VOCABULARIES", ""]
    for t in v["vocabularies"]:
        out += _text_table(t, width)
    out += _text_table(v["coverage"], width)
    for t in v["linking"]:
        out += _text_table(t, width)
    out += ["WHO CLAIMS WHICH TRUTH", ""]
    for t in v["truths"]:
        out += _text_table(t, width)
    out += ["LIFECYCLE FLOW", *flow_text(discovery), ""]
    for t in v["flow"]:
        out += _text_table(t, width)
    if v["warnings"]:
        out += ["Warnings", *(f"  {w}" for w in v["warnings"]), ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def _md_table(t: Table, level: str = "###") -> list[str]:
    out = [f"{level} {_md(t.title)}", ""]
    out.append("| " + " | ".join(_md(c) for c in t.columns) + " |")
    out.append("|" + "|".join("---:" if i in t.numeric else "---" for i in range(len(t.columns))) + "|")
    for r in t.rows:
        cells = [_md(c) for c in r.cells]
        if r.flag in ("unmapped", "stuck", "drift", "disagree", "review", "stale"):
            cells[0] = f"**{cells[0]}**"
        out.append("| " + " | ".join(cells) + " |")
    details = [(r.cells[0], d) for r in t.rows for d in r.detail]
    if details:
        out.append("")
        out += [f"- {_md(name)}: {_md(d)}" for name, d in details]
    if t.note:
        out += ["", _md(t.note)]
    return [*out, ""]


def render_markdown(discovery: Discovery) -> str:
    """Markdown (CommonMark tables) for a ticket, a wiki page or a chat."""
    v = view(discovery)
    out = [f"# {_md(v['title'])}", "", " · ".join(f"**{_md(k)}**: {_md(n)}" for k, n in v["summary"]), ""]
    out += _md_table(v["sources"], "##")
    out += ["## Status vocabularies", ""]
    for t in v["vocabularies"]:
        out += _md_table(t)
    out += ["## Key coverage", ""]
    out += _md_table(v["coverage"])
    out += ["## How the systems link", ""]
    for t in v["linking"]:
        out += _md_table(t)
    out += ["## Who claims which truth", ""]
    for t in v["truths"]:
        out += _md_table(t)
    out += ["## Lifecycle flow", "", "```", *flow_text(discovery), "```", ""]
    for t in v["flow"]:
        out += _md_table(t)
    if v["warnings"]:
        out += ["## Warnings", "", *(f"- {_md(w)}" for w in v["warnings"]), ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- rich


class DiscoveryTable:
    """A rich renderable of a discovery (``Console().print(DiscoveryTable(d))``)."""

    _STYLE = {"unmapped": "bold red", "stuck": "red", "drift": "red", "disagree": "yellow", "review": "yellow", "stale": "red"}

    def __init__(self, discovery: Discovery):
        self.discovery = discovery

    def _table(self, t: Table, width: int):  # noqa: ANN202 - rich Table, or None when it cannot fit
        """A rich table at most ``width`` wide: narrow columns keep their size (up to 28), the last gets the rest."""
        from rich.table import Table as RichTable
        from rich.text import Text

        last = len(t.columns) - 1
        natural = [max([len(t.columns[i]), *(len(r.cells[i]) for r in t.rows)]) for i in range(len(t.columns))]
        widths = [min(w, 28) for w in natural[:-1]]
        # borders and padding: 3 per column plus 1
        room = width - sum(widths) - 3 * len(t.columns) - 1
        if room < 24:
            return None
        rt = RichTable(title=t.title, title_justify="left", title_style="bold", show_lines=False,
                       caption=t.note or None, caption_justify="left")
        for i, c in enumerate(t.columns):
            rt.add_column(c, justify="right" if i in t.numeric else "left", overflow="fold",
                          width=widths[i] if i < last else room)
        for r in t.rows:
            style = self._STYLE.get(r.flag or "", "")
            cells: list[Any] = [Text(c, style=style if i <= 2 else "") for i, c in enumerate(r.cells)]
            if r.detail:
                text = Text(r.cells[-1])
                for d in r.detail:
                    text.append(("\n" if r.cells[-1] else "") + d, style="dim")
                cells[-1] = text
            rt.add_row(*cells)
        return rt

    def _fit(self, t: Table, console, options):  # noqa: ANN001, ANN202 - rich objects
        """The rich table, or the plain-text table when the terminal is too narrow for it."""
        from rich.text import Text

        rt = self._table(t, options.max_width)
        return rt if rt is not None else Text("\n".join(_text_table(t, options.max_width)))

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - rich protocol
        from rich.text import Text

        v = view(self.discovery)
        yield Text(v["title"], style="bold")
        yield Text(" · ".join(f"{k}: {n}" for k, n in v["summary"]))
        yield self._fit(v["sources"], console, options)
        yield Text("\nStatus vocabularies", style="bold underline")
        for t in v["vocabularies"]:
            yield self._fit(t, console, options)
        yield self._fit(v["coverage"], console, options)
        for t in v["linking"]:
            yield self._fit(t, console, options)
        yield Text("\nWho claims which truth", style="bold underline")
        for t in v["truths"]:
            yield self._fit(t, console, options)
        yield Text("\nLifecycle flow", style="bold underline")
        yield Text("\n".join(flow_text(self.discovery)))
        for t in v["flow"]:
            yield self._fit(t, console, options)
        if v["warnings"]:
            yield Text("\nWarnings", style="bold yellow")
            for w in v["warnings"]:
                yield Text(f"  {w}")


# --------------------------------------------------------------------------- HTML


def flow_svg(discovery: Discovery, *, name: str = "flow", title: str = "The lifecycle flow of this business") -> str:
    """The flow as inline SVG: a box per stage (reached, sitting, stuck), an arrow per hand-off (timing, drift).

    Drawn with matplotlib through :mod:`driftcheck.report.charts`' figure set-up, so it
    shares the report charts' fonts, deterministic ids and accessible title.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from ..report import charts

    by_stage = {s.stage: s for s in discovery.stages}
    hand = {h.source: h for h in discovery.handoffs}
    order = [s for s in ("open", *STAGES) if s in by_stage]
    fig = charts._figure(9.6, 2.5)  # the report charts' figure and SVG finishing; see flow_svg's docstring
    with charts._rc_ctx(name):
        ax = fig.add_subplot()
        ax.set_xlim(-0.6, len(order) - 0.4)
        ax.set_ylim(-0.75, 1.25)
        ax.axis("off")
        for i, st in enumerate(order):
            s = by_stage[st]
            stuck = s.stuck > 0
            ax.add_patch(FancyBboxPatch((i - 0.36, -0.42), 0.72, 0.84, boxstyle="round,pad=0.02,rounding_size=0.06",
                                        facecolor="#eef4ff" if not stuck else "#fef3f2",
                                        edgecolor=charts.SEVERITY_COLORS["high"] if stuck else "#175cd3", lw=1.2))
            label = "not won" if st == "open" else ("deposit" if st == "deposit" else st)
            ax.text(i, 0.22, label, ha="center", va="center", fontsize=11, fontweight="bold")
            count = s.sitting if st == "open" else s.reached
            ax.text(i, -0.02, f"{count} jobs", ha="center", va="center", fontsize=11)
            sub = f"{s.sitting} here" if st != "open" else "in pipeline"
            ax.text(i, -0.24, sub, ha="center", va="center", fontsize=9, color="#475467")
            if stuck:
                ax.text(i, -0.58, f"{s.stuck} stuck > {s.stuck_after} d", ha="center", va="center", fontsize=9,
                        color=charts.SEVERITY_COLORS["high"])
        for i, st in enumerate(order[:-1]):
            h = hand.get(st)
            nxt = order[i + 1]
            color = charts.SEVERITY_COLORS["high"] if (h is not None and h.drift) else "#667085"
            ax.add_patch(FancyArrowPatch((i + 0.38, 0), (i + 0.62, 0), arrowstyle="-|>", mutation_scale=12, color=color, lw=1.3))
            if h is not None and nxt == h.target:
                timing = f"{days(h.median)} / {days(h.p90)}" if h.measured else "—"
                ax.text(i + 0.5, 0.62, timing, ha="center", va="center", fontsize=9, color="#1d2939")
                ax.text(i + 0.5, 0.9, f"{h.drift} drift" if h.drift else "no drift", ha="center", va="center",
                        fontsize=9, color=color)
        ax.text(-0.55, 1.17, "arrows: median / 90th percentile days between stages; drift findings at each hand-off",
                ha="left", va="center", fontsize=9, color="#475467")
        return charts._finish(fig, name, title)


def _csp() -> str:
    # No script at all; styles inline; nothing may be fetched.
    return "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"


def render_html(discovery: Discovery) -> str:
    """One self-contained HTML page: opens offline, fetches nothing, runs no script.

    Example:
        >>> Path("discovery.html").write_text(render_html(discover([Path("exports")])), encoding="utf-8")
    """
    from markupsafe import Markup

    from .. import __version__
    from ..report import charts
    from ..report.html import jinja_env

    svg = Markup(flow_svg(discovery)) if charts.available() else None
    template = jinja_env().get_template("discovery.html.j2")
    return str(template.render(v=view(discovery), d=discovery, flow_svg=svg, flow_lines=flow_text(discovery),
                               csp=_csp(), version=__version__))
