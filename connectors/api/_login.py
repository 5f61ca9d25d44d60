"""Logging in to the vendor APIs: token prompts, the OAuth2 browser flow, status and logout.

The library behind ``driftcheck auth`` (the command only parses options and prints):

* :func:`login_token` stores a private-app / personal API token.
* :func:`login_oauth` runs the authorization-code flow: it listens on
  ``http://127.0.0.1:<port>/callback``, opens the browser at the vendor's
  authorize URL (with a random ``state``), takes the one redirect, exchanges the
  code at the token endpoint and stores the refresh token *first*, then the
  access token. QuickBooks names the company (``realmId``) in the redirect;
  Xero lists the organisations a login may read at ``/connections``.
* :func:`credential_status` says which secrets are set and where, and when the
  access token expires, never a value. :func:`logout` deletes them.

Secrets go only to the OS keyring (:mod:`driftcheck.secrets`).
"""

from __future__ import annotations

import json
import secrets as _random
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from driftcheck.errors import AuthError, ConfigError

from ._common import load_spec

__all__ = ["LoginResult", "credential_status", "login_oauth", "login_token", "logout", "secret_names"]

#: Default local port of the OAuth redirect; register http://127.0.0.1:8976/callback with the vendor app.
DEFAULT_PORT = 8976


@dataclass
class LoginResult:
    system: str
    stored: list[str] = field(default_factory=list)  #: secret names written (never values)
    notes: list[str] = field(default_factory=list)  #: what the owner should do next (realm id, tenant ids)
    expires_at: str | None = None


def secret_names(system: str) -> list[str]:
    """Every secret name a system may use, in display order."""
    return [system, f"{system}.refresh", f"{system}.access", f"{system}.client_secret"]


def login_token(system: str, token: str) -> LoginResult:
    """Store an API token for a token system (HubSpot private app, Pipedrive)."""
    from driftcheck.secrets import set_secret

    spec = load_spec(system)
    if "token" not in spec["auth"]["kinds"]:
        raise ConfigError(f"{system} logs in with OAuth (a browser), not a pasted token")
    token = token.strip()
    if not token:
        raise AuthError("no token given; nothing was stored", system=system)
    set_secret(system, token)
    return LoginResult(system=system, stored=[system])


class _Callback(BaseHTTPRequestHandler):
    result: dict[str, str] = {}

    def log_message(self, *args: Any) -> None:  # the query holds the code: never log it
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self.send_response(404)
            self.end_headers()
            return
        type(self).result.update({k: v[0] for k, v in parse_qs(parts.query).items()})
        body = b"<html><body><h2>driftcheck is connected.</h2><p>You can close this tab and return to the terminal.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _override(url: str, base_url: str | None) -> str:
    return f"{base_url.rstrip('/')}{urlsplit(url).path}" if base_url else url


def login_oauth(
    system: str,
    source: dict[str, Any],
    *,
    client_secret: str | None = None,
    port: int = DEFAULT_PORT,
    open_url: Any = None,
    timeout: float = 300.0,
    announce: Any = None,
) -> LoginResult:
    """Run the OAuth2 authorization-code flow for ``system`` and store the tokens.

    Args:
        system: ``quickbooks``, ``xero``, ``jobber``, ``hubspot`` (OAuth app) or ``pipedrive``.
        source: the ``[[sources]]`` table (``client_id``; ``base_url`` for tests).
        client_secret: the app's client secret; default: the stored ``<system>.client_secret``.
        port: local port of the redirect (must match the app's registered redirect URI).
        open_url: how to open the browser (default :func:`webbrowser.open`).
        timeout: seconds to wait for the redirect.
        announce: called with the authorize URL before waiting (print it for a headless login).

    Raises:
        AuthError: the redirect did not come, the state did not match, or the vendor refused the code.
        ConfigError: no ``client_id`` in the source table.
    """
    import webbrowser

    from driftcheck.secrets import get_secret, set_secret

    from ._http import ApiClient, Policy

    spec = load_spec(system)
    a = spec["auth"]
    if "oauth" not in a["kinds"]:
        raise ConfigError(f"{system} logs in with a token, not OAuth")
    client_id = source.get("client_id")
    if not client_id:
        raise ConfigError(f"add `client_id` (your {spec.get('label', system)} app's client id) to the {system} source in driftcheck.toml",
                          key=f"sources.{source.get('name', system)}.client_id")
    secret = client_secret or get_secret(f"{system}.client_secret")
    if not secret:
        raise AuthError(f"no client secret for the {system} app: run `driftcheck auth set {system}.client_secret` first", system=system)
    if client_secret:
        set_secret(f"{system}.client_secret", client_secret)
    base = source.get("base_url")
    redirect = f"http://127.0.0.1:{port}/callback"
    state = _random.token_urlsafe(24)
    params = {"client_id": client_id, "redirect_uri": redirect, "response_type": "code", "state": state}
    if a.get("scopes"):
        params["scope"] = " ".join(a["scopes"])
    url = f"{_override(a['authorize_url'], base)}?{urlencode(params)}"

    handler = type("Callback", (_Callback,), {"result": {}})
    try:
        server = HTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise AuthError(f"cannot listen on 127.0.0.1:{port} for the login redirect ({exc.strerror}); pass --port", system=system) from None
    server.timeout = timeout
    try:
        waiter = threading.Thread(target=server.handle_request, daemon=True)
        waiter.start()
        if announce is not None:
            announce(url)
        (open_url or webbrowser.open)(url)
        waiter.join(timeout + 1)
    finally:
        server.server_close()
    got = handler.result
    if not got:
        raise AuthError(f"no answer from the browser within {timeout:g} s; run `driftcheck auth login {system}` again", system=system)
    if got.get("error"):
        raise AuthError(f"the login was refused: {got.get('error')}", system=system)
    if got.get("state") != state:
        raise AuthError("the login redirect carried the wrong state (possible forgery); nothing was stored", system=system)
    code = got.get("code")
    if not code:
        raise AuthError("the login redirect carried no code", system=system)

    policy = Policy.from_table(system, dict(spec.get("http", {})))
    with ApiClient(policy, base_url=base or spec["base_url"].replace("{company_domain}", str(source.get("company_domain", "api")))) as client:
        data = client.token_request(_override(a["token_url"], base), {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
                                    client_id=str(client_id), client_secret=secret, client_auth=a.get("client_auth", "body"))
        result = LoginResult(system=system)
        if data.get("refresh_token"):
            set_secret(f"{system}.refresh", data["refresh_token"])  # first: the long-lived one
            result.stored.append(f"{system}.refresh")
        token = data.get("access_token")
        if not token:
            raise AuthError("the token endpoint answered without an access token", system=system)
        expires = None
        if data.get("expires_in"):
            from datetime import UTC, timedelta

            expires = (datetime.now(UTC) + timedelta(seconds=float(data["expires_in"]))).isoformat()
        set_secret(f"{system}.access", json.dumps({"token": token, "expires_at": expires}))
        result.stored.append(f"{system}.access")
        result.expires_at = expires
        if system == "quickbooks" and got.get("realmId"):
            result.notes.append(f"company (realm) id: {got['realmId']}; set realm_id = \"{got['realmId']}\" in the quickbooks source")
        if system == "xero" and a.get("connections_url"):
            resp = client.request("GET", _override(a["connections_url"], base), headers={"Authorization": f"Bearer {token}"}, stream="connections")
            for t in resp.json():
                result.notes.append(f"organisation {t.get('tenantName')!r}: tenant_id = \"{t.get('tenantId')}\"")
    return result


def credential_status(systems: list[str]) -> list[dict[str, Any]]:
    """One row per secret that is set: system, secret, where (env / keyring), access-token expiry. Never a value."""
    from driftcheck.secrets import env_var_for, get_secret, secret_source

    rows = []
    for system in systems:
        for name in secret_names(system) if system != "smtp" else ["smtp"]:
            where = secret_source(name)
            if where is None:
                continue
            row: dict[str, Any] = {"system": system, "secret": name, "where": where if where == "keyring" else f"env {env_var_for(name)}", "expires": None}
            if name.endswith(".access"):
                try:
                    data = json.loads(get_secret(name) or "{}")
                    row["expires"] = data.get("expires_at")
                except (ValueError, AuthError, AttributeError):
                    pass
            rows.append(row)
    return rows


def logout(system: str, *, everything: bool = False) -> tuple[list[str], list[str]]:
    """Delete a system's tokens from the keyring (and the client secret with ``everything``).

    Returns:
        (names deleted, environment variables still set that the owner must remove).
    """
    import os

    from driftcheck.secrets import delete_secret, env_var_for

    names = secret_names(system) if everything else [n for n in secret_names(system) if not n.endswith(".client_secret")]
    deleted = [n for n in names if delete_secret(n)]
    still = [env_var_for(n) for n in names if os.environ.get(env_var_for(n))]
    return deleted, still
