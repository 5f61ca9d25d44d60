"""``driftcheck init``: write a commented driftcheck.toml from what discovery learns (library: :func:`driftcheck.discovery.write_config`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..cli import cli_errors, err_console, state
from ..errors import UsageError
from .discover import AsOfOpt, PathsArg

ORDER = 13


def default_output(paths: list[Path], config: Path | None) -> Path:
    """Where ``init`` writes by default: ``driftcheck.toml`` in the (first) scanned folder.

    With no paths: the config file given or found in the current folder, else
    ``./driftcheck.toml``.
    """
    from ..config import CONFIG_NAME, find_config

    if paths:
        first = paths[0]
        return (first if first.is_dir() else first.parent) / CONFIG_NAME
    found = find_config(config, [Path.cwd()])
    return found or Path.cwd() / CONFIG_NAME


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Scan")
    @cli_errors
    def init(
        ctx: typer.Context,
        paths: PathsArg = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="The file to write. Default: driftcheck.toml in the scanned folder.", show_default=False)] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file. What discovery does not learn is kept: business, currency, [[links]], [matching], [email], [web], [history] and the like.")] = False,
        as_of: AsOfOpt = None,
    ) -> None:
        """Write a commented driftcheck.toml from what discovery learns: sources, status maps, owners, thresholds.

        Example: driftcheck init ~/Downloads/client-exports
        """
        from ..discovery import discover, write_config
        from .scan import _parse_date

        app_state = state(ctx)
        paths = list(paths or [])
        target = output or default_output(paths, app_state.config)
        if target.exists() and not force:
            # refuse before the (slower) discovery runs
            raise UsageError(f"{target} already exists; not overwriting it. Run `driftcheck init --force` to replace it, "
                             "or `--output` to write somewhere else")
        d = discover(paths, app_state.config, as_of=_parse_date(as_of))
        _, kept = write_config(d, target, force=force)
        suggested = sum(1 for _, e in d.unmapped if e.suggestion is not None)
        review = sum(1 for v in d.vocabularies if v.kind == "status" for e in v.entries if e.note)
        raised = [t for t in d.thresholds if t.proposed is not None]
        con = err_console()
        con.print(f"wrote {target}: {len(d.sources)} sources, "
                  f"{sum(len(v.entries) for v in d.vocabularies if v.kind == 'status')} status values "
                  f"({suggested} suggested, {review} to review)"
                  + (", thresholds raised: " + ", ".join(f"{t.rule} {t.default}->{t.proposed} d" for t in raised) if raised else "")
                  + (f"; kept from the previous file: {', '.join(kept)}" if kept else ""),
                  markup=False, highlight=False)
        con.print("Read the lines marked 'suggested: review' and 'Review:', then run `driftcheck scan`.", markup=False, highlight=False)
