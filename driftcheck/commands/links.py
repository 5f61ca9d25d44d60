"""``driftcheck links``: how the exports link into jobs, per pair of sources, and what did not link.

A thin layer: load the exports through :func:`driftcheck.pipeline.load`, run
:func:`driftcheck.linking.link_records` with the ``[matching]`` settings and the
``[[links]]`` / ``links.csv`` overrides, and render the coverage, the unlinked and
ambiguous records and the duplicate customers as a table, JSON or CSV.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..cli import cli_errors, state

if TYPE_CHECKING:
    from ..linking import LinkResult

ORDER = 40

#: Sections the command can show, in display order.
SECTIONS = ("coverage", "unlinked", "ambiguous", "duplicates", "links")


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


def register(app: typer.Typer) -> None:
    """Add ``links`` to the root app."""

    @app.command("links", rich_help_panel="Scan")
    @cli_errors
    def links(
        ctx: typer.Context,
        paths: Annotated[
            list[Path] | None, typer.Argument(help="Export files or folders (default: the current folder).")
        ] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
        show: Annotated[
            list[str] | None,
            typer.Option(
                "--show",
                help="Sections to show: coverage, unlinked, ambiguous, duplicates, links (repeatable). "
                "Default: all but links; with --format csv, coverage.",
            ),
        ] = None,
        limit: Annotated[int, typer.Option("--limit", min=1, help="Rows per section in the table view.")] = 20,
    ) -> None:
        """Show how records link into jobs across sources: coverage by method and confidence, unlinked, ambiguous.

        Example: driftcheck links exports/ --show unlinked --format csv > unlinked.csv
        """
        from .. import pipeline
        from ..errors import UsageError
        from ..linking import link_records, overrides_from_config

        sections = [s.lower() for s in (show or [])]
        bad = [s for s in sections if s not in SECTIONS]
        if bad:
            raise UsageError(f"--show {bad[0]!r} is not a section; choose from {', '.join(SECTIONS)}")
        if not sections:
            sections = ["coverage"] if fmt is Format.csv else list(SECTIONS[:4])
        if fmt is Format.csv and len(sections) != 1:
            raise UsageError("--format csv writes one section; give exactly one --show")
        paths = list(paths or [Path(".")])
        from .._memory import lean_arrow_pool

        lean_arrow_pool()  # this process reads a whole business: the leaner pool (see _memory)
        loaded = pipeline.load(paths, state(ctx).config)
        config = loaded.config
        settings, overrides = overrides_from_config(
            getattr(config, "raw", None) or {},
            config_file=getattr(config, "path", None),
            base_dir=getattr(config, "base_dir", None),
            paths=paths,
        )
        result = link_records(loaded.records, settings, overrides)
        tables = build_sections(result, sections)
        if fmt is Format.json:
            import json

            doc = links_document(result, tables, loaded)
            typer.echo(json.dumps(doc, indent=2, default=str))
        elif fmt is Format.csv:
            typer.echo(tables[sections[0]].to_csv(index=False), nl=False)
        else:
            render_table(result, tables, limit, no_color=state(ctx).no_color)


def build_sections(result: LinkResult, sections: list[str]) -> dict[str, Any]:
    """The frames behind each section (records are trimmed to the columns a person reads)."""
    from ..linking import coverage, unlinked

    out: dict[str, Any] = {}
    for s in sections:
        if s == "coverage":
            out[s] = coverage(result)
        elif s == "unlinked":
            out[s] = unlinked(result)
        elif s == "ambiguous":
            out[s] = result.ambiguous
        elif s == "duplicates":
            out[s] = result.duplicates.drop(columns=["records"], errors="ignore")
        elif s == "links":
            out[s] = result.links
    return out


def links_document(result: LinkResult, tables: dict[str, Any], loaded: Any) -> dict[str, Any]:
    """The JSON view: ``driftcheck.links/1``."""
    import pandas as pd

    def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        f = frame.copy()
        for c in f.columns:
            if pd.api.types.is_datetime64_any_dtype(f[c]):
                f[c] = f[c].dt.strftime("%Y-%m-%d")
        f = f.astype(object).where(f.notna(), None)
        return f.to_dict(orient="records")

    doc: dict[str, Any] = {
        "schema": "driftcheck.links/1",
        "sources": [s.as_dict() if hasattr(s, "as_dict") else s for s in getattr(loaded, "sources", [])],
        "settings": result.settings.as_dict(),
    }
    for name, frame in tables.items():
        if name == "duplicates":
            frame = result.duplicates
        doc[name] = rows(frame)
    doc["overrides"] = list(result.overrides_applied)
    doc["warnings"] = list(result.warnings) + [str(w) for w in getattr(loaded, "warnings", [])]
    return doc


def render_table(result: LinkResult, tables: dict[str, Any], limit: int, *, no_color: bool = False) -> None:
    """Rich tables on stdout; warnings on stderr."""
    import pandas as pd
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..cli import err_console

    def cell(v: Any) -> str:
        if isinstance(v, list | dict):
            return str(v)
        return "" if pd.isna(v) else str(v)

    import sys

    from rich import box

    # when piped or mailed there is no terminal width to honour: lay the tables out wide rather
    # than folding every file name into a column of syllables
    console = Console(no_color=no_color, highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 240)
    titles = {
        "coverage": "Coverage: share of each source's records linked to a record of another source",
        "unlinked": "Unlinked records (no record of another source in their job)",
        "ambiguous": "Ambiguous: records that fit more than one job (decide with [[links]] pins)",
        "duplicates": "Duplicate customers inside one system",
        "links": "Link edges",
    }
    for name, frame in tables.items():
        if name == "coverage":
            frame = frame.assign(share=(frame["share"] * 100).round(1).astype(str) + "%")
        title = escape(titles[name])
        t = Table(title=title, title_justify="left", show_lines=False, box=box.SIMPLE_HEAD)
        if not len(frame):
            console.print(f"[bold]{title}[/]: none")
            continue
        for c in frame.columns:
            t.add_column(str(c), overflow="fold")
        for _, row in frame.head(limit).iterrows():
            t.add_row(*(escape(cell(v)) for v in row.tolist()))
        console.print(t)
        if len(frame) > limit:
            console.print(f"… {len(frame) - limit} more; use --limit or --format csv --show {name}")
    for line in result.overrides_applied:
        console.print(f"override: {escape(line)}")
    if result.warnings:
        err = err_console()
        for w in result.warnings:
            err.print(f"[yellow]warning:[/] {escape(w)}", markup=True, highlight=False)
