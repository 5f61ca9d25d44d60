"""The command line: a thin layer over the library.

Each command lives in its own module under :mod:`driftcheck.commands` and
exposes ``register(app)``; this module builds the root Typer app, holds the
global options, and turns :class:`~driftcheck.errors.DriftcheckError` into a
message on stderr and an exit code (see :class:`~driftcheck.errors.ExitCode`).

Nothing heavy (pandas, pyarrow, httpx, jinja2...) is imported here or at the
top of a command module, so ``driftcheck --help`` answers at once.
"""

from __future__ import annotations

import functools
import gc
import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import __version__
from .errors import DriftcheckError, ExitCode

__all__ = ["AppState", "app", "cli_errors", "err_console", "main"]

# The CLI is a one-shot process that allocates pandas objects by the hundred thousand:
# collecting cycles every 700 allocations (CPython's default) costs ~5% of a scan, imports
# included. Collect far less often; reference counting frees nearly everything anyway.
gc.set_threshold(100_000, 50, 100)

app = typer.Typer(
    name="driftcheck",
    help="See where your CRM, accounting and operations tools disagree about the state of your work.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class AppState:
    """Global options, put on ``ctx.obj`` by the root callback."""

    config: Path | None = None
    verbose: int = 0
    no_color: bool = False


def err_console():  # noqa: ANN201 - rich Console, imported lazily
    """A rich console on stderr for errors, warnings and progress."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


F = TypeVar("F", bound=Callable[..., Any])


def cli_errors(fn: F) -> F:
    """Decorate a command so errors become a message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except DriftcheckError as exc:
            from rich.markup import escape

            # the message may hold brackets ("[[sources]]", "[rules.x]"): print it as text
            err_console().print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
            raise typer.Exit(code=int(exc.exit_code)) from None
        except KeyboardInterrupt:
            err_console().print("interrupted")
            raise typer.Exit(code=130) from None
        except Exception as exc:  # a bug: say so plainly, traceback only with -v
            ctx = _current_state()
            if ctx is not None and ctx.verbose:
                import traceback

                traceback.print_exc()
            from rich.markup import escape

            err_console().print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}. "
                "This is a bug in driftcheck; run again with -v for details.",
                markup=True,
                highlight=False,
            )
            raise typer.Exit(code=int(ExitCode.ERROR)) from None

    return wrapper  # type: ignore[return-value]


def _current_state() -> AppState | None:
    try:
        from typer._click import get_current_context  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover
        return None
    ctx = get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, AppState):
            return ctx.obj
        ctx = ctx.parent
    return None


def state(ctx: typer.Context) -> AppState:
    """The :class:`AppState` of the running command."""
    c: Any = ctx
    while c is not None:
        if isinstance(c.obj, AppState):
            return c.obj
        c = c.parent
    return AppState()


def _version(value: bool) -> None:
    if value:
        print(f"driftcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Path to driftcheck.toml (default: found beside the scanned exports or in the current folder)."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="Say more: how each file was detected; -vv for debugging.")] = 0,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours in terminal output.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """See where your CRM, accounting and operations tools disagree about the state of your work."""
    ctx.obj = AppState(config=config, verbose=verbose, no_color=no_color)


def _register_commands() -> None:
    from . import commands

    mods = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{commands.__name__}.{info.name}")
        mods.append(mod)
    for mod in sorted(mods, key=lambda m: (getattr(m, "ORDER", 50), m.__name__)):
        mod.register(app)


_register_commands()


def main() -> None:
    """Console-script entry point.

    Exits without tearing the interpreter down: after a scan, freeing hundreds of thousands of
    pandas objects one by one costs a noticeable share of a small scan's wall time, and nothing
    is left to clean up (reports are written and closed, the history commits in its own
    transaction, stdout and stderr are flushed here).
    """
    import os

    try:
        app(prog_name="driftcheck")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
