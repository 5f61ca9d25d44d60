"""The generic reader (system ``csv``): any CSV/XLSX export, read through a column map from the config.

For a tool driftcheck has no reader for, a ``[[sources]]`` entry says what each row is
and which header holds which record field::

    [[sources]]
    path = "exports/housecall-jobs.csv"
    system = "csv"
    role = "operations"
    record_type = "job"
    columns = { record_id = "Job #", customer = "Customer name", raw_status = "Job status",
                created = "Job created date", scheduled = "Job scheduled start date", amount = "Job amount" }

Values are parsed as for the vendor readers: date fields (``created``, ``due``...) with
the same formats and day-first inference, ``amount``/``balance`` as money, ``sent`` as
yes/no, ``*_refs`` as reference lists; everything else is text. The header row is the first
of the file's first rows holding every mapped header. Unmapped columns are kept as ``x:``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.errors import InputError
from driftcheck.model import DATE_COLUMNS, RECORD_SCHEMA, RECORD_TYPES, ROLES

from ._values import norm_header

if TYPE_CHECKING:
    import pandas as pd

    from ._frame import ReadContext
    from .base import Detection, ReadOptions

__all__ = ["read"]

# Record fields a column map may fill (provenance and state are the reader's and the status map's).
MAPPABLE = tuple(c for c in RECORD_SCHEMA if c not in ("source", "system", "role", "record_type", "file", "row", "state"))


def _check_options(path: Path, options: ReadOptions) -> None:
    problems = []
    if options.role not in ROLES:
        problems.append(("role", options.role, " | ".join(ROLES)))
    if options.record_type not in RECORD_TYPES:
        problems.append(("record_type", options.record_type, " | ".join(RECORD_TYPES)))
    if "record_id" not in options.columns:
        problems.append(("columns.record_id", None, "the header of the column holding each record's id"))
    unknown = [k for k in options.columns if k not in MAPPABLE]
    if unknown:
        problems.append((f"columns.{unknown[0]}", unknown[0], "a record field: " + ", ".join(MAPPABLE)))
    if problems:
        key, found, expected = problems[0]
        raise InputError(
            f"the generic CSV reader needs '{key}' in this source's [[sources]] entry",
            file=path,
            found=found if found is not None else "nothing",
            expected=expected,
        )


def read(path: Path, options: ReadOptions) -> tuple[pd.DataFrame, Detection, ReadContext]:
    """Read one file with the column map of ``options``.

    Raises:
        InputError: role, record_type or the record_id column is not configured.
        MissingColumnError: a mapped header is not in the file.
        BadValueError: a date, amount or yes/no cell cannot be read.
    """
    from . import _tabular
    from ._frame import ReadContext
    from ._spec import FormatSpec
    from .base import Detection

    _check_options(path, options)
    table = _tabular.load_table(path, encoding=options.encoding)
    spec = FormatSpec(
        id="csv.generic",
        system="csv",
        kind="generic",
        role=str(options.role),
        label="CSV",
        description="CSV export read with a column map",
        reader="read",
        record_type=options.record_type,
        columns={field: (header,) for field, header in options.columns.items()},
        required=tuple(options.columns),
        dayfirst=False,
    )
    # The header row: the first row holding the most mapped headers (all of them, normally).
    wanted = {norm_header(h) for h in options.columns.values()}
    counts = [len(wanted & {norm_header(c) for c in row}) for row in table.head]
    header_index = max(range(len(counts)), key=lambda i: (counts[i], -i))
    body = table.body(header_index)
    ctx = ReadContext(path, options.name or path.name, spec, options, body, spec.match(body.headers))
    ctx.meta["header_row"] = header_index + 1
    ctx.meta["encoding"] = table.encoding
    ctx.require(*options.columns)

    ctx.tidy()
    ids = ctx.ids("record_id")
    assert ids is not None
    ctx.skip(ids.isna(), f"rows without a {ctx.header('record_id')}", column=ctx.header("record_id"))
    ctx.first_per_id(ids[ctx.frame.index], "record id")
    fields: dict[str, Any] = {"record_id": ids[ctx.frame.index]}
    fields.update(ctx.dates(*(f for f in options.columns if f in DATE_COLUMNS)))
    for f in options.columns:
        if f in fields:
            continue
        if f in ("amount", "balance"):
            fields[f] = ctx.money(f)
        elif f == "sent":
            fields[f] = ctx.flag(f)
        elif f.endswith("_refs"):
            fields[f] = ctx.refs(f)
        else:
            fields[f] = ctx.text(f)
    frame = ctx.finish(options.record_type, fields)
    detection = Detection(
        format="csv.generic",
        system="csv",
        role=str(options.role),
        description=f"CSV export of {options.record_type} records read with a column map",
        reason="column map from the config: " + ", ".join(f"{k}={v!r}" for k, v in options.columns.items()),
        header_row=header_index,
        columns={f: ctx.header(f) for f in options.columns},
    )
    return frame, detection, ctx
