"""Pieces every API connector shares: the stream description, page bookkeeping, and value parsing.

* :func:`load_spec` reads ``connectors/api/<system>.toml`` (packaged data, never the cwd).
* :class:`PullContext` is what a connector gets: the source table, its :class:`ApiClient`,
  progress, warnings, and the clock's "now".
* :class:`StreamTracker` counts ids page by page, so a page served twice or a page
  skipped is noticed (ids against the API's own total where it gives one), and a
  cursor that repeats stops the pull instead of looping.
* :func:`flatten` turns JSON records into a frame through a field map from the
  TOML (``record_id = "id"``, ``amount = "properties.amount"``), and
  :func:`to_dates` / :func:`to_money` parse the vendor values column-wise.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from driftcheck.errors import ConfigError, SourceError
from driftcheck.model import ReadWarning

if TYPE_CHECKING:
    import pandas as pd

    from ._http import ApiClient
    from ._progress import PullProgress

__all__ = [
    "Pulled",
    "PullContext",
    "StreamTracker",
    "dig",
    "fill_from",
    "flatten",
    "format_ts",
    "job_refs_from_text",
    "load_spec",
    "newest_value",
    "require",
    "to_dates",
    "to_money",
]


@cache
def load_spec(system: str) -> dict[str, Any]:
    """The stream description of ``system`` (``connectors/api/<system>.toml``)."""
    try:
        text = resources.files("connectors.api").joinpath(f"{system}.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no API connector for system '{system}'", key="sources.system") from None
    return tomllib.loads(text)


def require(source: dict[str, Any], key: str, system: str, what: str) -> str:
    """A required key of the source table, or a ConfigError saying what to put there."""
    value = source.get(key)
    if not value:
        raise ConfigError(f"a {system} API source needs `{key}` ({what})", key=f"sources.{source.get('name', system)}.{key}")
    return str(value)


@dataclass
class Pulled:
    """What one live pull fetched, before it is merged into the cache."""

    records: pd.DataFrame  #: normalised columns (not yet conformed)
    aux: dict[str, pd.DataFrame] = field(default_factory=dict)  #: lookup tables (contacts, customers) by id
    cursor: dict[str, str] = field(default_factory=dict)  #: per stream: the newest last-modified value seen
    counts: dict[str, int] = field(default_factory=dict)  #: per stream: distinct records fetched


@dataclass
class PullContext:
    """Everything a connector needs for one pull."""

    source: dict[str, Any]
    name: str
    spec: dict[str, Any]
    client: ApiClient
    progress: PullProgress
    now: datetime
    warnings: list[ReadWarning] = field(default_factory=list)

    def warn(self, message: str, *, stream: str | None = None, count: int = 1) -> None:
        self.warnings.append(
            ReadWarning(source=self.name, message=message, file=f"api:{self.spec['system']}/{stream}" if stream else None, count=count)
        )


class StreamTracker:
    """Page bookkeeping for one stream: counts, duplicates, cursor loops, totals.

    Args:
        ctx: the pull context (warnings and progress go there).
        stream: stream name (``deals``).
    """

    def __init__(self, ctx: PullContext, stream: str):
        self.ctx = ctx
        self.stream = stream
        self.system = ctx.spec["system"]
        self.seen: dict[str, int] = {}
        self.duplicates = 0
        self.pages = 0
        self._cursors: set[str] = set()

    def page(self, ids: list[str], next_cursor: str | None = None) -> None:
        """Account for one page of ``ids``; ``next_cursor`` is what the API said comes next."""
        self.pages += 1
        for i in ids:
            if i in self.seen:
                self.duplicates += 1
                self.seen[i] += 1
            else:
                self.seen[i] = 1
        self.ctx.progress.page(self.stream, len(ids))
        if next_cursor is not None:
            if next_cursor in self._cursors:
                raise SourceError(
                    f"the API handed out the same page cursor twice after {self.pages} pages; stopped instead of looping",
                    system=self.system,
                    stream=self.stream,
                    retryable=True,
                )
            self._cursors.add(next_cursor)

    def finish(self, total: int | None = None) -> None:
        """Check the pull: warn about duplicates, fail when records are missing against ``total``."""
        if self.duplicates:
            self.ctx.warn(
                f"the API returned {self.duplicates} {self.stream} record(s) more than once (a page served twice); "
                "each was kept once",
                stream=self.stream,
                count=self.duplicates,
            )
        if self.duplicates and total is None:
            raise SourceError(
                f"a page of {self.stream} came twice and the API gives no total to prove none was skipped; "
                "the last good data is kept",
                system=self.system,
                stream=self.stream,
                retryable=True,
            )
        if total is not None and len(self.seen) < total:
            raise SourceError(
                f"pull incomplete: got {len(self.seen)} distinct {self.stream} of the {total} the API counts "
                "(a page was skipped); the last good data is kept",
                system=self.system,
                stream=self.stream,
                retryable=True,
            )


def dig(obj: Any, path: str, default: Any = None) -> Any:
    """``obj["a"]["b"][0]`` for ``path="a.b.0"``; ``default`` when any step is missing."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
        if cur is None:
            return default
    return cur


def flatten(records: list[dict[str, Any]], fields: dict[str, str]) -> pd.DataFrame:
    """A frame with one column per ``fields`` key, read from the dotted JSON path it names.

    A direct walk per field: about ten times faster than ``pd.json_normalize`` on
    20,000 nested records (0.15 s against 1.5 s, measured for the bench).
    """
    import pandas as pd

    return pd.DataFrame({col: pd.Series([dig(r, path) for r in records], dtype="object") for col, path in fields.items()})


_NET_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")


def to_dates(s: pd.Series) -> pd.Series:
    """Parse vendor dates column-wise to naive UTC timestamps.

    Handles ISO dates and datetimes with any offset (HubSpot, QuickBooks, Jobber),
    ``YYYY-MM-DD HH:MM:SS`` (Pipedrive, UTC), epoch milliseconds (HubSpot), and
    .NET JSON dates ``/Date(1419937200000+0000)/`` (Xero).
    """
    import pandas as pd

    s = s.astype("object").where(s.notna(), None)
    text = s.astype("string")
    out = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    ms = text.str.extract(_NET_DATE)[0]
    if ms.notna().any():
        net = pd.to_datetime(pd.to_numeric(ms, errors="coerce"), unit="ms", utc=True)
        out = out.where(ms.isna(), net)
    digits = text.str.fullmatch(r"\d{12,14}").fillna(False).astype(bool)
    if digits.any():
        epoch = pd.to_datetime(pd.to_numeric(text.where(digits), errors="coerce"), unit="ms", utc=True)
        out = out.where(~digits, epoch)
    return out.dt.tz_localize(None)


def newest_value(s: pd.Series) -> str | None:
    """The vendor's own text of the newest timestamp in ``s`` (kept verbatim as the next cursor)."""
    if not len(s):
        return None
    parsed = to_dates(s)
    if parsed.isna().all():
        return None
    return str(s.loc[parsed.idxmax()])


def format_ts(value: str | None, fmt: str) -> str | None:
    """A vendor timestamp re-written as ``fmt`` in UTC (for If-Modified-Since, updated_since)."""
    import pandas as pd

    if not value:
        return None
    ts = to_dates(pd.Series([value])).iloc[0]
    return None if pd.isna(ts) else ts.strftime(fmt)


def fill_from(out: pd.DataFrame, table: pd.DataFrame | None, key: str, columns: dict[str, str], *, replace: tuple[str, ...] = ()) -> None:
    """Fill record columns from a lookup table (contacts, customers, clients) joined on ``key``.

    Args:
        out: the record frame, changed in place.
        table: the lookup table with an ``id`` column (None or empty: nothing to do).
        key: the record column holding the lookup id.
        columns: record column -> lookup column.
        replace: record columns the lookup overrides (the others only fill gaps).
    """
    if table is None or not len(table) or key not in out.columns:
        return
    t = table.drop_duplicates("id", keep="last").set_index("id")
    ids = out[key].astype("string")
    for col, src in columns.items():
        looked = ids.map(t[src]).astype("string")
        if col in replace or col not in out.columns:
            out[col] = looked
        else:
            out[col] = out[col].astype("string").fillna(looked)


def to_money(s: pd.Series) -> pd.Series:
    """Amounts as floats (HubSpot sends strings, the others numbers); positive, NaN when absent."""
    import pandas as pd

    return pd.to_numeric(s.astype("object"), errors="coerce").abs()


#: "Job #1042", "job 1042", "Job no. 1042", "JOB#1042": the way people write Jobber job numbers in memos.
_JOB_REF = re.compile(r"(?i)\bjob\s*(?:#|no\.?|number)?\s*:?\s*#?\s*(\d{1,9})\b")


def job_refs_from_text(s: pd.Series) -> pd.Series:
    """Comma-joined job numbers named in free text (``"Job #101 and Job #102"`` -> ``"101,102"``)."""
    import pandas as pd

    text = s.astype("string")
    found = text.str.findall(_JOB_REF)
    joined = found.map(lambda refs: ",".join(dict.fromkeys(refs)) if isinstance(refs, list) and refs else None)
    return pd.Series(joined, index=s.index, dtype="string")


def join_refs(*cols: pd.Series) -> pd.Series:
    """Union of comma-joined reference columns, first-seen order, None when empty."""
    import pandas as pd

    frame = pd.concat([c.astype("string").fillna("") for c in cols], axis=1)
    merged = frame.agg(",".join, axis=1).str.split(",")
    return merged.map(lambda parts: ",".join(dict.fromkeys(p.strip() for p in parts if p.strip())) or None).astype("string")
