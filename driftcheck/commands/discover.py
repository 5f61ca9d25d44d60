"""``driftcheck discover``: profile a client's exports for a consultant (library: :mod:`driftcheck.discovery`)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..cli import cli_errors, err_console, state
from ..errors import UsageError

ORDER = 12

#: output file extension -> format
_EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json", ".txt": "text"}


#: Options ``discover`` and ``init`` share (one spelling, one help text).
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Folders or files of exports. Default: the sources listed in driftcheck.toml.", show_default=False),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Profile as of this date (YYYY-MM-DD): ages and 'stuck' are measured from it. "
                 "Default: the config's as_of, else today.", show_default=False),
]


class Fmt(str, Enum):
    table = "table"
    text = "text"
    json = "json"
    md = "md"
    html = "html"


def render(discovery, fmt: str, *, no_color: bool = False) -> str:  # noqa: ANN001 - Discovery, imported lazily
    """The discovery as ``fmt`` (table, text, json, md, html)."""
    from ..discovery import render_html, render_markdown, render_text

    if fmt == "json":
        import json

        return json.dumps(discovery.as_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "md":
        return render_markdown(discovery)
    if fmt == "html":
        return render_html(discovery)
    if fmt == "table":
        from rich.console import Console

        from ..discovery import DiscoveryTable

        console = Console(record=True, width=140, force_terminal=False, color_system=None)
        with console.capture():
            console.print(DiscoveryTable(discovery))
        return console.export_text()
    return render_text(discovery)


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Scan")
    @cli_errors
    def discover(
        ctx: typer.Context,
        paths: PathsArg = None,
        as_of: AsOfOpt = None,
        fmt: Annotated[Fmt | None, typer.Option("--format", "-f", help="table (terminal), text (plain), json, md or html. Default: from --output's extension, else table on a terminal and text otherwise.", show_default=False)] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the profile to this file instead of the screen (.html, .md, .json, .txt).", show_default=False)] = None,
    ) -> None:
        """Profile a business's exports: sources, status vocabularies, key coverage, links, who owns which truth, the lifecycle flow.

        Example: driftcheck discover ~/Downloads/client-exports --output discovery.html
        """
        from ..discovery import discover as run_discovery
        from .scan import _parse_date

        app_state = state(ctx)
        out_fmt = fmt.value if fmt else None
        if out_fmt is None and output is not None:
            out_fmt = _EXTENSIONS.get(output.suffix.lower())
            if out_fmt is None:
                raise UsageError(f"--output {output}: cannot tell the format from the extension; add --format")
        out_fmt = out_fmt or ("table" if sys.stdout.isatty() else "text")
        from .._memory import lean_arrow_pool

        lean_arrow_pool()  # this process reads a whole business: the leaner pool (see _memory)
        d = run_discovery(list(paths or []), app_state.config, as_of=_parse_date(as_of))
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render(d, out_fmt), encoding="utf-8")
            err_console().print(f"discovery written to {output}", markup=False, highlight=False)
        elif out_fmt == "table":
            from rich.console import Console

            from ..discovery import DiscoveryTable

            Console(no_color=app_state.no_color, highlight=False).print(DiscoveryTable(d))
        else:
            sys.stdout.write(render(d, out_fmt))
