"""Types shared by every export reader, and the entry points the core calls.

CONTRACT (the core depends on these names and fields; extend, do not rename):

``ReadOptions``  per-source reading options (from ``driftcheck.toml`` ``[[sources]]``).
``Detection``    which format a file is, and why.
``ReadResult``   what one file yielded: records, source info, warnings.
``detect_file(path) -> Detection``            raises UnknownFormatError naming the closest formats.
``read_file(path, options) -> ReadResult``    detects (unless options.format/system given) and reads.
``read_paths(paths, options_for) -> list[ReadResult]``  expands folders (``*.csv``, ``*.xlsx``,
    ``*.xls``; skips hidden files, Excel lock files ``~$*``, and ``links.csv``), sorted by name.

Format ids (``Detection.format``): ``hubspot.deals``, ``pipedrive.deals``,
``quickbooks.invoice_list``, ``quickbooks.transaction_list``, ``quickbooks.ar_aging_detail``,
``quickbooks.customer_balance_detail``, ``xero.sales_invoices``, ``jobber.jobs``,
``jobber.jobs_report``, ``jobber.invoices``, ``jobber.transactions``, ``jobber.payments``,
and ``csv.generic`` (column map from the config; never detected).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.errors import InputError
from driftcheck.model import ReadWarning, SourceInfo

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Detection", "ReadOptions", "ReadResult", "detect_file", "read_file", "read_paths"]

#: File name patterns read from a folder (case-insensitive).
EXPORT_SUFFIXES = (".csv", ".xlsx", ".xls")
#: Files in an exports folder that are not exports (``links.csv`` holds the user's manual links).
IGNORED_NAMES = ("links.csv",)


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
    decimal: str | None = None  #: decimal mark of amounts; ``","`` reads ``1.234,56``. Default ``"."``
    #: keep the columns the format does not map as ``x:<header>``; a scan (``pipeline.load``)
    #: does not use them and reads with False, so each export's raw columns are freed as it is read
    extras: bool = True


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
    columns: dict[str, str] = field(default_factory=dict)  #: field -> header as written
    title: str | None = None  #: report title above the header (QBO), if any

    def __str__(self) -> str:
        """``HubSpot deals export (matched 'Record ID', 'Deal Stage', 'Close Date')``."""
        return f"{self.description} ({self.reason})"


@dataclass
class ReadResult:
    """What one file yielded."""

    frame: pd.DataFrame  #: conformed record frame, ``state`` empty
    info: SourceInfo
    detection: Detection
    warnings: list[ReadWarning] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  #: e.g. report title, period, export timestamp


def _detection(match: Any) -> Detection:
    spec = match.spec
    description = spec.description
    if match.title and match.title.lower() not in description.lower():
        description = f"{description} ({match.title})"
    return Detection(
        format=spec.id,
        system=spec.system,
        role=spec.role,
        description=description,
        reason=match.reason(),
        header_row=match.header_index,
        score=round(match.score, 3),
        columns={f: match.headers[pos[0]] for f, pos in match.columns.items()},
        title=match.title,
    )


def _match(path: Path, options: ReadOptions) -> tuple[Any, Any]:
    """Open ``path`` and find its format (forced by the options, or detected)."""
    from . import _detect, _spec, _tabular

    table = _tabular.load_table(path, encoding=options.encoding)
    fmt = options.format.strip().lower() if options.format else None
    system = options.system.strip().lower() if options.system else None
    if fmt or system:
        specs = _spec.spec_for(fmt, system=system)
        if fmt:
            # A forced format is read even if its signature is weak; required columns still apply.
            return table, max((_detect.best_match(table, s) for s in specs), key=lambda m: m.score)
        return table, _detect.detect(table, specs)
    return table, _detect.detect(table, _spec.all_specs())


def _is_generic(options: ReadOptions) -> bool:
    system = (options.system or "").strip().lower()
    fmt = (options.format or "").strip().lower()
    return system == "csv" or fmt == "csv.generic" or (bool(options.columns) and not system and not fmt)


def detect_file(path: Path) -> Detection:
    """Identify the export format of one file from its header row and the rows above it.

    Args:
        path: a CSV or XLSX export.

    Returns:
        The :class:`Detection`, whose ``reason`` names the headers (and report title) that decided.

    Raises:
        InputError: the file is missing or empty.
        UnknownFormatError: no known format matches; the message names the closest formats.

    Example:
        >>> detect_file(Path("hubspot-crm-exports-all-deals-2026-11-20.csv")).reason
        "matched 'Record ID', 'Deal Name', 'Deal Stage', 'Pipeline', 'Deal owner'"
    """
    _, match = _match(Path(path), ReadOptions())
    return _detection(match)


def read_file(path: Path, options: ReadOptions | None = None) -> ReadResult:
    """Read one export into the normalised record frame.

    Args:
        path: the file.
        options: the source's options; by default the format is detected.

    Returns:
        The records (``state`` left empty for the status map), the source info, warnings
        for every skipped row, and ``meta`` (report title, period, export timestamp,
        date order, rows that are not job records).

    Raises:
        InputError: missing/empty file; UnknownFormatError, MissingColumnError or
            BadValueError with the file, row, column, value found and what was expected.
    """
    path = Path(path)
    options = options or ReadOptions()
    if _is_generic(options):
        from . import generic

        frame, detection, ctx = generic.read(path, options)
    else:
        from . import _frame

        table, match = _match(path, options)
        encoding = table.encoding
        preamble = [" ".join(c.strip() for c in row if c.strip()) for row in table.head[: match.header_index] if any(c.strip() for c in row)]
        body = table.body(match.header_index)
        # The file's bytes are parsed: let them go before the columns are (the largest
        # export is 340 MB at a million jobs, held through its whole read otherwise).
        del table
        spec = match.spec
        ctx = _frame.ReadContext(path, options.name or path.name, spec, options, body, match.columns)
        del body
        ctx.meta["header_row"] = match.header_index + 1
        ctx.meta["encoding"] = encoding
        ctx.meta["preamble"] = preamble
        ctx.require(*spec.required)
        reader = getattr(importlib.import_module(f"connectors.{spec.system}"), spec.reader)
        frame = reader(ctx)
        detection = _detection(match)
    info = SourceInfo(
        name=options.name or path.name,
        system=detection.system,
        role=options.role or detection.role,
        path=str(path),
        format=detection.description,
        reason=detection.reason,
        records=len(frame),
        newest=_newest(frame),
        skipped=ctx.skipped,
    )
    return ReadResult(frame=frame, info=info, detection=detection, warnings=ctx.warnings, meta=ctx.meta)


def _newest(frame: pd.DataFrame) -> str | None:
    """ISO date of the newest record date (created, updated, closed, completed, paid).

    Dates after today are plans, not activity (a HubSpot Close Date on an open deal is
    the expected close), so they do not make a stale export look fresh.
    """
    import pandas as pd

    today = pd.Timestamp.now().normalize()
    newest = None
    for c in ("created", "updated", "closed", "completed", "paid"):
        col = frame[c]
        d = col[col <= today].max()
        if d is not pd.NaT and d == d and (newest is None or d > newest):
            newest = d
    return newest.date().isoformat() if newest is not None else None


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise InputError("no such file or folder", file=p, expected="an export file or a folder of exports")
        if p.is_dir():
            found = sorted(
                (
                    f
                    for f in p.iterdir()
                    if f.is_file()
                    and f.suffix.lower() in EXPORT_SUFFIXES
                    and not f.name.startswith((".", "~$"))
                    and f.name.lower() not in IGNORED_NAMES
                ),
                key=lambda f: f.name.lower(),
            )
            if not found:
                raise InputError("the folder holds no exports", file=p, found="no .csv, .xlsx or .xls file", expected="CSV or XLSX exports")
            files.extend(found)
        else:
            files.append(p)
    return files


def read_paths(paths: Iterable[Path], options_for: Callable[[Path], ReadOptions] | None = None) -> list[ReadResult]:
    """Read every export under ``paths``: files as given, folders expanded.

    Folders give their ``*.csv``, ``*.xlsx`` and ``*.xls`` files (not recursive), sorted by
    name, skipping hidden files, Excel lock files (``~$*``) and ``links.csv``.

    Args:
        paths: files and folders.
        options_for: the options for one file (from the config's ``[[sources]]``); default
            :class:`ReadOptions` with detection.

    Raises:
        InputError: a path does not exist, a folder holds no export, or a file cannot be read.
    """
    files = _expand(paths)

    from driftcheck._memory import release_freed

    def read(f: Path) -> ReadResult:
        result = read_file(f, options_for(f) if options_for else ReadOptions())
        # the parse's garbage goes back to the system before the next file is read, so the
        # read's peak is one file's work at a time, not the sum of their leftovers
        release_freed(len(result.frame))
        return result

    from driftcheck import _fastpaths

    workers = min(len(files), os.cpu_count() or 1)
    if workers < 2 or not _fastpaths.enabled():
        return [read(f) for f in files]
    # Files are read side by side: pyarrow's CSV parser and string kernels release the GIL,
    # so two cores read a business's five exports in about 60% of the time (1M jobs: 23.6 s
    # -> 14.0 s, +0.5 GB peak). ``map`` keeps the files' order, and the first file that
    # fails raises, as in the one-by-one loop (the plain twin). The largest files start first:
    # a file's parse holds about twice what its records keep, and read last it held that on
    # top of every other file's records (1M jobs: the 344 MB jobs export was fourth of five).
    # Results come back in name order, as read one by one.
    from concurrent.futures import ThreadPoolExecutor

    largest_first = sorted(range(len(files)), key=lambda i: -_size(files[i]))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="driftcheck-read") as pool:
        started = {i: pool.submit(read, files[i]) for i in largest_first}
        return [started[i].result() for i in range(len(files))]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_file reports it
