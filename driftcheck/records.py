"""pandas helpers for the normalised record frame (schema in :mod:`driftcheck.model`).

Readers build whatever columns they know and call :func:`conform`, which adds
the missing ones as nulls, casts every column to its schema dtype, and keeps any
extra columns (prefixed ``x:``) at the end, so custom vendor properties survive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .model import RECORD_SCHEMA

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["EXTRA_PREFIX", "concat_records", "conform", "conform_columns", "empty_records", "no_text", "pandas_dtype"]

#: Prefix of columns a reader kept from the source without a schema meaning.
EXTRA_PREFIX = "x:"


def pandas_dtype(name: str):  # noqa: ANN201 - pandas dtype objects
    """The concrete pandas dtype for a schema dtype name."""
    import pandas as pd

    if name == "string":
        return pd.StringDtype("pyarrow")
    if name == "boolean":
        return pd.BooleanDtype()
    if name == "Int64":
        return pd.Int64Dtype()
    if name.startswith("datetime"):
        return "datetime64[ns]"
    return name


def no_text(n: int) -> pa.Array:
    """``n`` missing texts (``large_string``) that take almost no resident memory.

    Each all-missing text column otherwise holds its own 8-byte offset per row: 53 MiB per
    column at a million jobs (6.9M records), and a reader's frame carries several (``state``,
    and whatever its export has no column for: 0.2 GiB over a million-job business's five
    exports). Here every buffer is one anonymous zero-filled mapping; the kernel maps its
    pages only when they are written, and nothing writes to an arrow buffer, so the column
    costs (nearly) no resident memory and several columns can share it. (An ``mmap`` rather
    than ``np.zeros``: below malloc's mmap threshold, which glibc raises up to 32 MB as large
    blocks are freed, ``calloc`` may hand back reused heap pages it must zero, i.e. touch.)
    """
    import mmap

    import pyarrow as pa

    zeros = pa.py_buffer(mmap.mmap(-1, 8 * (n + 1)))
    return pa.Array.from_buffers(pa.large_string(), n, [zeros, zeros, zeros], null_count=n)


def _nulls(n: int, dtype: str, target):  # noqa: ANN001, ANN202
    """A column of ``n`` nulls of a schema dtype, built without a Python list per row."""
    import numpy as np
    import pandas as pd

    # copy=False: the Series takes the new array (by default pandas copies an ndarray it is given)
    if dtype == "float64":
        return pd.Series(np.full(n, np.nan), copy=False)
    if dtype.startswith("datetime"):
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), copy=False)
    if dtype == "string":
        return pd.Series(pd.arrays.ArrowStringArray(no_text(n)), index=pd.RangeIndex(n), dtype=target)
    return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype=target)


def empty_records() -> pd.DataFrame:
    """A record frame with no rows and every schema column."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=pandas_dtype(t)) for c, (t, _) in RECORD_SCHEMA.items()})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every schema column, in schema order, cast to schema dtypes.

    Extra columns (any not in the schema) are kept after the schema columns; a
    name that does not already start with ``x:`` gets that prefix.
    """
    return conform_columns(dict(frame.items()), len(frame))


def conform_columns(columns: Mapping[str, pd.Series], n: int) -> pd.DataFrame:
    """:func:`conform` of the frame ``columns`` would make, without building that frame first.

    A reader's columns go straight into the one conformed frame: building a frame of them
    only to take it apart again copied every date and amount column once more.

    Args:
        columns: column name -> Series of ``n`` rows, all on one index, in frame order.
        n: the number of rows.
    """
    import pandas as pd

    out: dict[str, pd.Series] = {}
    for col, (dtype, _) in RECORD_SCHEMA.items():
        target = pandas_dtype(dtype)
        if col in columns:
            s = columns[col]
            if dtype.startswith("datetime"):
                if not pd.api.types.is_datetime64_any_dtype(s):
                    s = pd.to_datetime(s, errors="coerce")
                if getattr(s.dt, "tz", None) is not None:
                    s = s.dt.tz_localize(None)
                s = s.astype("datetime64[ns]")
                # readers' dates are midnights already: checking costs no copy, normalising does
                if not _midnights(s):
                    s = s.dt.normalize()
            else:
                s = s.astype(target)
            out[col] = s.reset_index(drop=True)
        else:
            out[col] = _nulls(n, dtype, target)
    for col, s in columns.items():
        if col not in RECORD_SCHEMA:
            name = col if str(col).startswith(EXTRA_PREFIX) else f"{EXTRA_PREFIX}{col}"
            out[name] = s.reset_index(drop=True)
    # copy=False: the columns go in as they are, one block each. The default stacks the dates
    # and amounts into 2-D blocks, a copy of them all while the originals are still held
    # (1M jobs: +0.25 GiB at the end of each large export's read).
    return pd.DataFrame(out, copy=False)


#: Dates checked per slice by :func:`_midnights` (8 MB of temporaries at a time).
_SLICE = 1 << 20


def _midnights(s: pd.Series) -> bool:
    """Whether every date of a ``datetime64[ns]`` column is a midnight or missing.

    Then ``dt.normalize()`` would return the same values in a copy of the column.
    (``DatetimeArray.is_normalized`` says False for any column with a missing date.)
    """
    import numpy as np

    ticks = s.to_numpy().view("int64")
    day = 86_400 * 10**9
    nat = np.iinfo("int64").min
    for i in range(0, len(ticks), _SLICE):
        part = ticks[i : i + _SLICE]
        if not ((part % day == 0) | (part == nat)).all():
            return False
    return True


def concat_records(frames: list[pd.DataFrame], carry: Sequence[str] = (), *, consume: bool = False) -> pd.DataFrame:
    """Concatenate record frames, keeping schema dtypes.

    Extra columns are dropped, except those named in ``carry`` that some frame has (a frame
    without one gets it empty): the status maps read HubSpot's ``x:stage_flag``.

    Args:
        frames: the record frames, in order.
        carry: extra columns to keep.
        consume: empty ``frames`` (the caller's list), so that each column of the frames is
            released as soon as it is joined, not held until every column is.
    """
    import pandas as pd

    cols = list(RECORD_SCHEMA)
    cols += [c for c in carry if any(c in f.columns for f in frames)]
    parts = [f.reindex(columns=cols) for f in frames if len(f)]
    if consume:
        frames.clear()
    if not parts:
        return empty_records()
    # Frames from readers are conformed already: when every part has the schema's dtypes the
    # concatenation keeps them, and casting every column again would only copy it.
    from . import _fastpaths

    if _fastpaths.enabled() and all(_has_schema_dtypes(p) for p in parts):
        return _concat_columns(parts)
    return conform(pd.concat(parts, ignore_index=True))[cols]


def _concat_columns(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(parts, ignore_index=True)`` of frames with the same columns, column by column.

    Each column of ``parts`` is dropped from them once joined: when ``parts`` hold the only
    references, the whole concatenation holds one column twice at most, where joining every
    column at once held the dates and amounts twice (1M jobs: +0.53 GiB over the read's
    frames). Text columns are joined without a copy (their arrow chunks are laid end to end).
    """
    import pandas as pd

    from ._memory import release_freed

    n = sum(len(p) for p in parts)
    out: dict[str, pd.Series] = {}
    for col in list(parts[0].columns):
        out[col] = pd.concat([p[col] for p in parts], ignore_index=True)
        for p in parts:
            del p[col]
        if not hasattr(out[col].array, "_pa_array"):
            release_freed(n)  # the parts' copy of a date or amount column, back to the system
    return pd.DataFrame(out, copy=False)


def _has_schema_dtypes(frame: pd.DataFrame) -> bool:
    for col, (dtype, _) in RECORD_SCHEMA.items():
        have = frame[col].dtype
        if dtype == "string":
            if str(have) != "string" or getattr(have, "storage", None) != "pyarrow":
                return False
        elif dtype.startswith("datetime"):
            if str(have) != "datetime64[ns]":
                return False
        elif str(have) != dtype:
            return False
    return True
