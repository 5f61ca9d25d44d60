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

__all__ = ["EXTRA_PREFIX", "concat_records", "conform", "conform_columns", "empty_records", "pandas_dtype"]

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


def _nulls(n: int, dtype: str, target):  # noqa: ANN001, ANN202
    """A column of ``n`` nulls of a schema dtype, built without a Python list per row."""
    import numpy as np
    import pandas as pd

    if dtype == "float64":
        return pd.Series(np.full(n, np.nan))
    if dtype.startswith("datetime"):
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
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
                s = s.astype("datetime64[ns]").dt.normalize()
            else:
                s = s.astype(target)
            out[col] = s.reset_index(drop=True)
        else:
            out[col] = _nulls(n, dtype, target)
    for col, s in columns.items():
        if col not in RECORD_SCHEMA:
            name = col if str(col).startswith(EXTRA_PREFIX) else f"{EXTRA_PREFIX}{col}"
            out[name] = s.reset_index(drop=True)
    return pd.DataFrame(out)


def concat_records(frames: list[pd.DataFrame], carry: Sequence[str] = ()) -> pd.DataFrame:
    """Concatenate record frames, keeping schema dtypes.

    Extra columns are dropped, except those named in ``carry`` that some frame has (a frame
    without one gets it empty): the status maps read HubSpot's ``x:stage_flag``.
    """
    import pandas as pd

    cols = list(RECORD_SCHEMA)
    cols += [c for c in carry if any(c in f.columns for f in frames)]
    parts = [f.reindex(columns=cols) for f in frames if len(f)]
    if not parts:
        return empty_records()
    # Frames from readers are conformed already: when every part has the schema's dtypes the
    # concatenation keeps them, and casting every column again would only copy it.
    from . import _fastpaths

    if _fastpaths.enabled() and all(_has_schema_dtypes(p) for p in parts):
        return pd.concat(parts, ignore_index=True)
    return conform(pd.concat(parts, ignore_index=True))[cols]


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
