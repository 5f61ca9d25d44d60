"""One module per CLI command (or command group).

Each module defines ``register(app: typer.Typer) -> None`` and an optional
``ORDER`` (int; lower first in ``--help``). Modules are found automatically, so
adding a command never edits :mod:`driftcheck.cli`. Import pandas and other heavy
libraries inside the command function, never at module top.
"""
