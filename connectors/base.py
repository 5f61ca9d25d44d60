"""Types shared by every export reader, and the entry points the core calls.

CONTRACT (the core depends on these names and fields; extend, do not rename):

``ReadOptions``  per-source reading options (from ``driftcheck.toml`` ``[[sources]]``).
``Detection``    which format a file is, and why.
``ReadResult``   what one file yielded: records, source info, warnings.
``detect_file(path) -> Detection``            raises UnknownFormatError naming the closest formats.
``read_file(path, options) -> ReadResult``    detects (unless options.format/system given) and reads.
``read_paths(paths, options_for) -> list[ReadResult]``  expands folders (``*.csv``, ``*.xlsx``,
    ``*.xls``; skips hidden files, Excel lock files ``~$*``, and ``links.csv``), sorted by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.model import ReadWarning, SourceInfo

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Detection", "ReadOptions", "ReadResult", "detect_file", "read_file", "read_paths"]


@dataclass
class ReadOptions:
    """How to read one source. Every field is optional; detection fills the rest."""

    name: str | None = None  #: source name; default: the file name
    system: str | None = None  #: force the system (``hubspot``...), skipping detection
    format: str | None = None  #: force a format id (``hubspot.deals``, ``quickbooks.invoice_list``...)
    dayfirst: bool | None = None  #: force day-first (True) or month-first (False) dates
    encoding: str | None = None  #: force an encoding; default: UTF-8 (BOM stripped), else cp1252
    role: str | None = None  #: override the system's role (generic reader needs it)
    record_type: str | None = None  #: generic reader: what each row is
    columns: dict[str, str] = field(default_factory=dict)  #: generic reader: schema column -> file header


@dataclass
class Detection:
    """The verdict of format detection for one file."""

    format: str  #: format id, ``<system>.<kind>`` e.g. ``hubspot.deals``
    system: str  #: ``hubspot`` | ``pipedrive`` | ``quickbooks`` | ``xero`` | ``jobber`` | ``csv``
    role: str  #: ``crm`` | ``accounting`` | ``operations``
    description: str  #: "HubSpot deals export"
    reason: str  #: "matched 'Record ID', 'Deal Stage', 'Close Date'"
    header_row: int = 0  #: 0-based line index of the header row in the file
    score: float = 1.0


@dataclass
class ReadResult:
    """What one file yielded."""

    frame: pd.DataFrame  #: conformed record frame, ``state`` empty
    info: SourceInfo
    detection: Detection
    warnings: list[ReadWarning] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  #: e.g. report title, period, export timestamp


def detect_file(path: Path) -> Detection:  # pragma: no cover - implemented by the readers work
    raise NotImplementedError


def read_file(path: Path, options: ReadOptions | None = None) -> ReadResult:  # pragma: no cover
    raise NotImplementedError


def read_paths(
    paths: Iterable[Path], options_for: Callable[[Path], ReadOptions] | None = None
) -> list[ReadResult]:  # pragma: no cover
    raise NotImplementedError
