"""``driftcheck auth``: log in to the vendor APIs, see which credentials are set, log out, store a secret.

A thin layer over :mod:`connectors.api._login`; secrets go to the OS keyring only
(or are read from ``DRIFTCHECK_*`` environment variables on a headless server).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..cli import cli_errors, err_console, state

ORDER = 80

_SYSTEMS = ("hubspot", "quickbooks", "xero", "jobber", "pipedrive")

auth_app = typer.Typer(name="auth", help="Log in to vendor APIs and manage stored secrets (OS keyring).", no_args_is_help=True)


def _source_table(ctx: typer.Context, system: str, source: str | None) -> dict[str, Any]:
    """The [[sources]] table for ``system`` from driftcheck.toml (empty when there is none)."""
    import tomllib

    from ..errors import ConfigError

    path = state(ctx).config or Path("driftcheck.toml")
    if not path.exists():
        return {"system": system}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=path) from None
    for table in data.get("sources", []):
        if (source and table.get("name") == source) or (not source and table.get("system") == system):
            return dict(table)
    return {"system": system}


def _read_secret(what: str, stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().strip()
    import getpass

    return getpass.getpass(f"{what} (input hidden): ").strip()


@auth_app.command("login")
@cli_errors
def login(
    ctx: typer.Context,
    system: Annotated[str, typer.Argument(help="hubspot, quickbooks, xero, jobber or pipedrive.")],
    source: Annotated[str | None, typer.Option("--source", help="Name of the [[sources]] entry (default: the first with this system).")] = None,
    port: Annotated[int, typer.Option("--port", help="Local port for the OAuth redirect (register http://127.0.0.1:PORT/callback with the app).")] = 8976,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the token from standard input instead of prompting.")] = False,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the login URL instead of opening a browser.")] = False,
) -> None:
    """Log in to SYSTEM: a hidden token prompt, or the OAuth browser flow.

    Example: driftcheck auth login quickbooks
    """
    from connectors.api._common import load_spec
    from connectors.api._login import login_oauth, login_token

    if system not in _SYSTEMS:
        raise typer.BadParameter(f"choose one of {', '.join(_SYSTEMS)}", param_hint="SYSTEM")
    table = _source_table(ctx, system, source)
    spec = load_spec(system)
    kind = str(table.get("auth") or spec["auth"]["default"])
    console = err_console()
    if kind == "token":
        if not stdin:
            console.print(spec["auth"].get("token_help", ""))
        result = login_token(system, _read_secret(f"{spec.get('label', system)} API token", stdin))
    else:
        from driftcheck.secrets import get_secret

        secret = None
        if not get_secret(f"{system}.client_secret"):
            secret = _read_secret(f"{spec.get('label', system)} app client secret", stdin)

        def announce(url: str) -> None:
            console.print(f"Opening the {spec.get('label', system)} login page. If no browser opens, visit:\n{url}", soft_wrap=True)

        result = login_oauth(system, table, client_secret=secret, port=port, announce=announce,
                             open_url=(lambda url: None) if no_browser else None)
    console.print(f"[green]stored[/] {', '.join(result.stored)} in the OS keyring" + (f" (access token expires {result.expires_at})" if result.expires_at else ""))
    for note in result.notes:
        console.print(note)


@auth_app.command("status")
@cli_errors
def status() -> None:
    """Show which credentials are set, where, and when access tokens expire (never the secrets).

    Example: driftcheck auth status
    """
    from connectors.api._login import credential_status

    rows = credential_status([*_SYSTEMS, "smtp"])
    if not rows:
        typer.echo("no credentials set; run `driftcheck auth login SYSTEM`")
        return
    width = max(len(r["secret"]) for r in rows)
    for r in rows:
        expiry = f"  expires {r['expires']}" if r["expires"] else ""
        typer.echo(f"{r['secret']:<{width}}  {r['where']}{expiry}")


@auth_app.command("logout")
@cli_errors
def logout(
    system: Annotated[str, typer.Argument(help="hubspot, quickbooks, xero, jobber or pipedrive.")],
    everything: Annotated[bool, typer.Option("--all", help="Also forget the app's client secret.")] = False,
) -> None:
    """Forget SYSTEM's stored tokens.

    Example: driftcheck auth logout xero
    """
    from connectors.api._login import logout as do_logout

    deleted, still = do_logout(system, everything=everything)
    typer.echo(f"removed {', '.join(deleted)}" if deleted else f"nothing stored for {system}")
    for var in still:
        err_console().print(f"[yellow]note:[/] {var} is still set in the environment; remove it there (crontab, service file)")


@auth_app.command("set")
@cli_errors
def set_(
    name: Annotated[str, typer.Argument(help="Secret name: smtp, xero.client_secret, hubspot...")],
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the value from standard input instead of prompting.")] = False,
) -> None:
    """Store any named secret in the OS keyring (e.g. the SMTP password: auth set smtp).

    Example: driftcheck auth set smtp
    """
    from ..errors import UsageError
    from ..secrets import set_secret

    value = _read_secret(f"value of '{name}'", stdin)
    if not value:
        raise UsageError("empty value; nothing was stored")
    set_secret(name, value)
    typer.echo(f"stored {name} in the OS keyring")


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app, name="auth", rich_help_panel="Credentials")
