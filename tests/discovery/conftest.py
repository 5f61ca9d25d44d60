"""Fixtures for discovery tests: both sample businesses, discovered once per session.

``main_zero`` is a copy of ``sample_exports/`` without its ``driftcheck.toml`` (discovery
must find the custom HubSpot stage unmapped); ``intl`` is ``sample_exports/intl/`` as
shipped (it has no ``driftcheck.toml``: the walkthrough writes one).
"""

from __future__ import annotations

import csv
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "sample_exports"
INTL = MAIN / "intl"
MAIN_AS_OF = date(2026, 11, 20)
INTL_AS_OF = date(2026, 11, 13)


def story(folder: Path) -> dict:
    with open(folder / "story.toml", "rb") as fh:
        return tomllib.load(fh)


def csv_rows(path: Path, *, skip: int = 0) -> list[dict[str, str]]:
    """The rows of an export as the csv module reads them (BOM stripped; ``skip`` preamble lines)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = fh.readlines()[skip:]
    return list(csv.DictReader(lines))


def copy_exports(src: Path, dst: Path) -> Path:
    """The export files of ``src`` (no driftcheck.toml, story or README) copied into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.suffix == ".csv":
            shutil.copy2(f, dst / f.name)
    return dst


@pytest.fixture(scope="session")
def main_zero(tmp_path_factory) -> Path:
    return copy_exports(MAIN, tmp_path_factory.mktemp("main") / "exports")


@pytest.fixture(scope="session")
def intl_copy(tmp_path_factory) -> Path:
    return copy_exports(INTL, tmp_path_factory.mktemp("intl") / "exports")


@pytest.fixture(scope="session")
def disc_main(main_zero):
    from driftcheck.discovery import discover

    return discover([main_zero], as_of=MAIN_AS_OF)


@pytest.fixture(scope="session")
def disc_main_cfg():
    """The main sample with its own driftcheck.toml (which maps 'Deposit Received')."""
    from driftcheck.discovery import discover

    return discover([MAIN])


@pytest.fixture(scope="session")
def disc_intl(intl_copy):
    from driftcheck.discovery import discover

    return discover([intl_copy], as_of=INTL_AS_OF)
