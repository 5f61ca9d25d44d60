"""`driftcheck auth`: login (token prompt and OAuth browser flow), status, logout, set."""

from __future__ import annotations

import socket
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fakevendor import CLIENT, STATIC_TOKENS, TENANT
from typer.testing import CliRunner

from driftcheck.cli import app
from driftcheck.secrets import get_secret, set_secret

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_token_login_status_logout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["auth", "login", "pipedrive", "--stdin"], input=STATIC_TOKENS["pipedrive"] + "\n")
    assert res.exit_code == 0, res.output
    assert get_secret("pipedrive") == STATIC_TOKENS["pipedrive"]
    assert STATIC_TOKENS["pipedrive"] not in res.output

    res = runner.invoke(app, ["auth", "status"])
    assert res.exit_code == 0
    assert "pipedrive" in res.output and "keyring" in res.output
    assert STATIC_TOKENS["pipedrive"] not in res.output

    res = runner.invoke(app, ["auth", "logout", "pipedrive"])
    assert res.exit_code == 0 and "removed pipedrive" in res.output
    assert get_secret("pipedrive") is None


def test_status_shows_env_and_expiry_never_values(monkeypatch):
    monkeypatch.setenv("DRIFTCHECK_HUBSPOT_TOKEN", STATIC_TOKENS["hubspot"])
    set_secret("xero.access", '{"token": "at-abcdefghijklmnopqrstuvwxyz012345", "expires_at": "2026-11-20T12:30:00+00:00"}')
    set_secret("xero.refresh", "rt-abcdefghijklmnopqrstuvwxyz012345")
    res = runner.invoke(app, ["auth", "status"])
    assert res.exit_code == 0
    assert "env DRIFTCHECK_HUBSPOT_TOKEN" in res.output
    assert "xero.access" in res.output and "expires 2026-11-20T12:30:00+00:00" in res.output
    assert "abcdefghij" not in res.output and STATIC_TOKENS["hubspot"] not in res.output


def test_logout_warns_about_env(monkeypatch):
    monkeypatch.setenv("DRIFTCHECK_HUBSPOT_TOKEN", STATIC_TOKENS["hubspot"])
    res = runner.invoke(app, ["auth", "logout", "hubspot"])
    assert res.exit_code == 0 and "DRIFTCHECK_HUBSPOT_TOKEN is still set" in res.output


def test_set_smtp_secret():
    res = runner.invoke(app, ["auth", "set", "smtp", "--stdin"], input="mail-pass-123\n")
    assert res.exit_code == 0 and get_secret("smtp") == "mail-pass-123"
    assert "mail-pass-123" not in res.output


def test_no_keyring_message_says_what_to_do():
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    res = runner.invoke(app, ["auth", "set", "smtp", "--stdin"], input="x\n")
    assert res.exit_code == 2
    assert "DRIFTCHECK_SMTP_PASSWORD" in res.output and "Traceback" not in res.output


def browser_that_logs_in(fake, system: str, *, realm: str | None = None, tamper_state: bool = False):
    """A stand-in for the user's browser: the vendor approves and redirects to the callback."""
    def open_url(url: str) -> bool:
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert q["client_id"] == CLIENT["client_id"] and q["redirect_uri"].startswith("http://127.0.0.1:")
        code = "code-" + system
        fake.codes[code] = system
        params = {"code": code, "state": "forged" if tamper_state else q["state"]}
        if realm:
            params["realmId"] = realm

        def go() -> None:
            httpx.get(f"{q['redirect_uri']}?{urlencode(params)}", timeout=5)

        threading.Thread(target=go, daemon=True).start()
        return True

    return open_url


def write_config(tmp_path, fake, system: str) -> None:
    extra = f'tenant_id = "{TENANT}"\n' if system == "xero" else ""
    (tmp_path / "driftcheck.toml").write_text(
        f'[[sources]]\nname = "books"\nsystem = "{system}"\nmode = "api"\nauth = "oauth"\n'
        f'client_id = "{CLIENT["client_id"]}"\nbase_url = "{fake.url}"\n{extra}'
    )


@pytest.mark.parametrize("system", ["xero", "quickbooks"])
def test_oauth_login_catches_redirect_and_stores_refresh_first(system, fake, tmp_path, monkeypatch):
    import webbrowser

    import driftcheck.secrets as secrets

    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, fake, system)
    set_secret(f"{system}.client_secret", CLIENT["client_secret"])
    order: list[str] = []
    real = secrets.set_secret
    monkeypatch.setattr(secrets, "set_secret", lambda n, v: (order.append(n), real(n, v)))
    monkeypatch.setattr(webbrowser, "open", browser_that_logs_in(fake, system, realm="9130357766112233" if system == "quickbooks" else None))
    res = runner.invoke(app, ["auth", "login", system, "--port", str(free_port())])
    assert res.exit_code == 0, res.output
    assert order[:2] == [f"{system}.refresh", f"{system}.access"]
    assert get_secret(f"{system}.refresh") == fake.refresh[system]
    if system == "xero":
        assert TENANT in res.output and "Acme Renovations" in res.output
    else:
        assert 'realm_id = "9130357766112233"' in res.output
    assert fake.refresh[system] not in res.output


def test_oauth_login_rejects_forged_state(fake, tmp_path, monkeypatch):
    import webbrowser

    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, fake, "jobber")
    set_secret("jobber.client_secret", CLIENT["client_secret"])
    monkeypatch.setattr(webbrowser, "open", browser_that_logs_in(fake, "jobber", tamper_state=True))
    res = runner.invoke(app, ["auth", "login", "jobber", "--port", str(free_port())])
    assert res.exit_code == 2 and "wrong state" in res.output
    assert get_secret("jobber.refresh") is None


def test_help_lists_auth_commands():
    res = runner.invoke(app, ["auth", "--help"])
    assert res.exit_code == 0
    for cmd in ("login", "status", "logout", "set"):
        assert cmd in res.output
