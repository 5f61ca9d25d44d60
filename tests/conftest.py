"""Fixtures shared by the whole suite: an isolated environment for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.report.browser import Browser, launch

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test reads the user's home, keyring or terminal width."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("DRIFTCHECK_SMTP_PASSWORD", "DRIFTCHECK_HUBSPOT_TOKEN"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def sample_exports() -> Path:
    return ROOT / "sample_exports"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (about 1 s to start), for every HTML test."""
    with launch() as b:
        yield b
