"""Fixtures for the API connector tests: a fake clock, the fake vendor server, a test keyring.

Nothing here touches the network or the user's keyring: the keyring is
keyrings.alt's PlaintextKeyring under a temporary XDG_DATA_HOME, and every
vendor is the fake server on 127.0.0.1. Any write request a test provokes
fails that test (``fake`` fixture teardown).
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakevendor import CLIENT, REALM, STATIC_TOKENS, TENANT, FakeVendor  # noqa: E402
from world import build_world  # noqa: E402

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic time that only moves when someone sleeps; records every sleep."""

    def __init__(self, start: datetime = NOW):
        self.t = 1000.0
        self.start = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.t += max(0.0, seconds)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t - 1000.0)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """No DRIFTCHECK_* from the developer's shell; a throwaway plaintext keyring."""
    for k in list(os.environ):
        if k.startswith("DRIFTCHECK_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    keyring.set_keyring(PlaintextKeyring())
    yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def fake(world, clock):
    server = FakeVendor(world, clock=clock).start()
    yield server
    server.stop()
    assert not server.writes, f"driftcheck sent write requests: {server.writes}"


@pytest.fixture
def creds(fake):
    """Log every system in: static tokens in the keyring, OAuth refresh tokens and client secrets."""
    from driftcheck.secrets import set_secret

    set_secret("hubspot", STATIC_TOKENS["hubspot"])
    set_secret("pipedrive", STATIC_TOKENS["pipedrive"])
    for system in ("quickbooks", "xero", "jobber"):
        set_secret(f"{system}.refresh", fake.refresh[system])
        set_secret(f"{system}.client_secret", CLIENT["client_secret"])
    return fake


def source_for(system: str, fake: FakeVendor, **extra: Any) -> dict[str, Any]:
    """The [[sources]] table a user would write, pointed at the fake server."""
    table: dict[str, Any] = {"name": f"{system}-src", "system": system, "mode": "api", "base_url": fake.url, "page_size": 3, "timeout": 2.0}
    if system in ("quickbooks", "xero", "jobber"):
        table["auth"] = "oauth"
        table["client_id"] = CLIENT["client_id"]
    table.update({"quickbooks": {"realm_id": REALM}, "xero": {"tenant_id": TENANT}, "pipedrive": {"company_domain": "acme"}}.get(system, {}))
    table.update(extra)
    return table


@pytest.fixture
def pull(fake, creds, clock, tmp_path):
    """``pull(system, **source_overrides, offline=, refresh=, now=)`` -> PullResult, cache in tmp."""
    from connectors.api import pull_source

    def run(system: str, *, offline: bool = False, refresh: bool = False, progress: bool = False, now: datetime | None = None, **extra: Any):
        src = source_for(system, fake, **extra)
        return pull_source(src, name=src["name"], cache_dir=tmp_path / "cache", offline=offline, refresh=refresh, progress=progress,
                           now=now or clock.now(), clock=clock)

    run.cache_dir = tmp_path / "cache"  # type: ignore[attr-defined]
    return run
