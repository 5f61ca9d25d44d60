"""Loading: from paths and ``driftcheck.toml`` to one record frame with canonical states.

This is the first half of every command that looks at data (``scan``, ``links``,
``discover``): find the config, read every source (exports through
:mod:`connectors`, APIs through :mod:`connectors.api`), translate statuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, SourceConfig, find_config, load_config
from .errors import InputError, UsageError
from .model import RECORD_SCHEMA, ReadWarning, SourceInfo

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = ["Loaded", "config_search_dirs", "load"]

#: record columns with a handful of distinct values, kept as pandas categoricals after loading
#: (``file``: one path per source repeated on every row was a fifth of the frame's memory;
#: ``raw_status``, a few dozen statuses on every row: 94 MiB at 1M jobs, 7 MiB as codes)
_CATEGORIES = ("source", "system", "role", "record_type", "state", "file", "raw_status")
#: the ones known before the status maps run (``state`` is what they fill)
_LABELS = ("source", "system", "role", "record_type")


@dataclass
class Loaded:
    """What was read: records (states filled), sources, warnings, and the config used."""

    records: pd.DataFrame
    sources: list[SourceInfo]
    warnings: list[ReadWarning]
    config: Config
    detections: list[Any] = field(default_factory=list)  #: connectors.Detection per export file
    #: API pulls that failed: {source, system, role, message, since, fallback} (the cache was used)
    failures: list[dict[str, Any]] = field(default_factory=list)


def config_search_dirs(paths: list[Path]) -> list[Path]:
    """Where to look for ``driftcheck.toml``: each scanned folder (or a file's folder), then the cwd."""
    dirs: list[Path] = []
    for p in paths:
        d = p if p.is_dir() else p.parent
        if d not in dirs:
            dirs.append(d)
    if Path.cwd() not in dirs:
        dirs.append(Path.cwd())
    return dirs


def _options_for(cfg: Config):  # noqa: ANN202 - returns a callable
    from connectors import ReadOptions

    by_path = {s.path.resolve(): s for s in cfg.sources if s.path is not None and s.mode == "export"}

    def options(path: Path) -> ReadOptions:
        s = by_path.get(path.resolve())
        return _read_options(s) if s else ReadOptions(extras=False)

    return options


def _read_options(s: SourceConfig):  # noqa: ANN202
    from connectors import ReadOptions

    return ReadOptions(
        name=s.name, system=s.system, format=s.format, dayfirst=s.dayfirst, encoding=s.encoding,
        role=s.role, record_type=s.record_type, columns=dict(s.columns), extras=False,
    )


def _one_per_record(records: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per native record when two exports of one system both carry it.

    Jobber's transaction list repeats every invoice of the invoices export (as a bare
    "Invoice" row with no balance); the fuller row wins: the one with more values filled.
    Rows of one source that share a number (two QuickBooks payments with one cheque
    number) are different records and are all kept.
    """
    from . import _fastpaths

    key = ["system", "record_type", "record_id"]
    part = records
    if _fastpaths.enabled():
        # Only a (system, record type) read from two or more sources can repeat a record;
        # checking just those rows keeps this off the hot path (a full scan: 1.9 s at 100k jobs).
        import pandas as pd

        from .statusmap import group_codes

        grouped = group_codes(records)  # the (source, system, record type) present, off the label codes
        if grouped is not None:
            kinds = pd.DataFrame(grouped[1], columns=["source", "system", "record_type"])
        else:
            kinds = records[["system", "record_type", "source"]].drop_duplicates()
        shared = kinds.groupby(["system", "record_type"], observed=True).size()
        shared = shared[shared > 1]
        if shared.empty:
            return records
        part = records[records.set_index(["system", "record_type"]).index.isin(shared.index)]
    n_sources = part.groupby(key, observed=True, sort=False)["source"].transform("nunique")
    part = part[(n_sources > 1).to_numpy()]
    if part.empty:
        return records
    filled = part.notna().sum(axis=1)
    order = part.assign(_filled=filled).sort_values("_filled", ascending=False, kind="stable")
    drop = part.index.difference(order.drop_duplicates(key, keep="first").index)
    if drop.empty:
        return records
    return records.drop(index=drop).reset_index(drop=True)


def _constant_columns(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> dict[str, list[tuple[Any, int]]]:
    """For each of ``columns`` that every (non-empty) frame holds as one value, that value and the
    frame's length, frame by frame (None for a frame where the column is empty).

    A reader writes its source, system, role and file on every row of its frame: knowing that,
    :func:`_categorise` builds those categoricals from the frame lengths instead of hashing
    every row's text (1M jobs: 7M rows per column, ~0.15 s each).
    """
    out: dict[str, list[tuple[Any, int]]] = {}
    for col in columns:
        runs: list[tuple[Any, int]] = []
        for f in frames:
            if not len(f):
                continue
            if col not in f.columns:
                break
            s = f[col]
            missing = s.isna()
            if missing.all():
                runs.append((None, len(f)))
                continue
            first = s.iloc[0]
            if missing.any() or not isinstance(first, str) or not bool((s == first).all()):
                break
            runs.append((first, len(f)))
        else:
            out[col] = runs
    return out


def _categorise(
    records: pd.DataFrame, columns: tuple[str, ...], *, prune: bool = False, runs: dict[str, list[tuple[Any, int]]] | None = None
) -> None:
    """Make ``columns`` categoricals equal to ``astype("category")``: sorted categories, all used.

    In place, column by column, so each string column is released as its categorical replaces
    it (the frame is ``load``'s own; at a million jobs the labels are half a gigabyte of text).

    Args:
        records: the record frame.
        columns: the label columns.
        prune: drop categories no row uses any more (after rows were removed).
        runs: from :func:`_constant_columns` over the frames ``records`` was concatenated from:
            a column found there is built from the runs, without reading its rows.
    """
    import numpy as np
    import pandas as pd

    for col in columns:
        s = records[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            if prune:
                records[col] = s.cat.remove_unused_categories()
        elif runs and col in runs and sum(n for _, n in runs[col]) == len(records):
            # sorted categories, all used, in the column's own text dtype: what astype("category") makes
            values = sorted({v for v, _ in runs[col] if v is not None})
            code = {v: i for i, v in enumerate(values)}
            codes = np.repeat([code.get(v, -1) if v is not None else -1 for v, _ in runs[col]], [n for _, n in runs[col]])
            cats = pd.Index(pd.array(values, dtype=s.dtype))
            records[col] = pd.Series(pd.Categorical.from_codes(codes.astype(np.int8 if len(values) < 127 else np.int32), dtype=pd.CategoricalDtype(cats)), index=records.index)
        else:
            records[col] = s.astype("category")


def _one_chunk(records: pd.DataFrame) -> None:
    """Put every pyarrow-backed column of ``records`` in one contiguous chunk (values unchanged).

    In place, column by column: only one column is ever held twice while it is combined.
    Text columns no source fills (a business without Pipedrive has no ``company``; few
    exports carry ``currency``) all share one empty column, see :func:`driftcheck.records.no_text`.
    """
    import pandas as pd
    import pyarrow as pa

    from ._memory import release_freed
    from .records import no_text

    empty: pa.Array | None = None
    for col in records.columns:
        arr = records[col].array
        chunked = getattr(arr, "_pa_array", None)
        if chunked is None:
            continue
        if len(chunked) and chunked.null_count == len(chunked) and pa.types.is_large_string(chunked.type):
            empty = empty if empty is not None else no_text(len(chunked))
            records[col] = pd.Series(type(arr)(empty), index=records.index, dtype=records[col].dtype)
        elif chunked.num_chunks > 1:
            records[col] = pd.Series(type(arr)(chunked.combine_chunks()), index=records.index, dtype=records[col].dtype)
            del arr, chunked
            release_freed(len(records), arrow_only=True)  # the chunks just combined: one column's worth held at a time


def _narrow_rows(records: pd.DataFrame) -> None:
    """``row`` as plain ``int32`` when no record lacks one, in place (values unchanged).

    A line number of an export fits 32 bits; ``Int64`` holds 8 bytes and a mask byte a row
    (1M jobs: 59 MiB carried through every stage, 26 MiB as ``int32``). Records pulled from an
    API have no row: then the column stays ``Int64``, its missing values intact.
    """
    import numpy as np

    row = records["row"]
    if len(row) and not row.hasnans and int(row.min()) >= 0 and int(row.max()) <= np.iinfo(np.int32).max:
        records["row"] = row.astype("int32")


def _no_dates(records: pd.DataFrame) -> None:
    """Replace each date column no record fills with one missing date seen on every row, in place.

    The column reads the same (``datetime64[ns]``, all NaT) but holds 8 bytes in all, not 8 a
    row: a read-only view with a zero stride (:func:`_missing_dates`). A million jobs' exports
    carry no "last modified" date: ``updated`` was 53 MiB of NaT through every stage. What
    takes rows of it (a filter, a join) gets an ordinary column.
    """
    import pandas as pd

    if not isinstance(records.index, pd.RangeIndex) or records.index.start != 0 or records.index.step != 1:
        return
    for col in records.columns:
        s = records[col]
        if len(s) and s.dtype == "datetime64[ns]" and s.isna().all():
            records[col] = _missing_dates(len(s))


#: The all-missing date columns handed out, by length (:func:`_missing_dates`).
_MISSING_DATES: dict[int, pd.Series] = {}


def _missing_dates(n: int) -> pd.Series:
    """``n`` missing dates that share one value: a zero-stride, read-only view.

    The Series is kept here for the life of the process, and each frame's column shares it:
    to pandas the column is then always referenced elsewhere, so a write into it copies it
    first (copy-on-write) instead of failing on the read-only view. One entry per length.
    """
    import numpy as np
    import pandas as pd

    if n not in _MISSING_DATES:
        nat = np.broadcast_to(np.datetime64("NaT", "ns"), n)
        _MISSING_DATES[n] = pd.Series(nat, index=pd.RangeIndex(n), copy=False)
    return _MISSING_DATES[n]


def _invoice_paid_dates(records: pd.DataFrame) -> pd.DataFrame:
    """Date paid invoices that carry no paid date by the last payment naming them in the same system.

    Exports rarely carry an invoice's paid date, but the same system's payments name the
    invoice they settle ("Payment applied to Invoice #5222"): that is when the system says
    it was paid.
    """
    import numpy as np
    import pandas as pd

    is_pay = records["record_type"].isin(["payment", "deposit"]) & records["invoice_refs"].notna()
    # only the columns used below: filtering the whole frame would copy every column
    pays = records.loc[is_pay.to_numpy(dtype=bool), ["system", "invoice_refs", "paid", "created"]]
    need = (records["record_type"] == "invoice") & records["paid"].isna() & records["state"].isin(["paid", "partially_paid"])
    if pays.empty or not need.any():
        return records
    from . import _fastpaths

    dates = pays["paid"].fillna(pays["created"])
    if _fastpaths.enabled() and isinstance(records["system"].dtype, pd.CategoricalDtype):
        found = _latest_payment_coded(records, pays, dates, need.to_numpy(dtype=bool))
        if found is not None:
            records = records.copy(deep=False)  # copy-on-write: only ``paid`` is copied when written
            records.loc[need, "paid"] = found
            return records
    refs = pays["invoice_refs"].astype(str)
    # the plain path splits and explodes every payment's references
    multi = refs.str.contains(",", regex=False).to_numpy() if _fastpaths.enabled() else np.ones(len(refs), dtype=bool)
    # most payments name one invoice: only the few naming several are split and exploded
    parts = [pd.DataFrame({"system": pays["system"].astype(str)[~multi], "ref": refs[~multi].str.strip(), "d": dates[~multi]})]
    if multi.any():
        many = pd.DataFrame({"system": pays["system"].astype(str)[multi], "ref": refs[multi].str.split(","), "d": dates[multi]}).explode("ref")
        many["ref"] = many["ref"].str.strip()
        parts.append(many)
    latest = pd.concat(parts).groupby(["system", "ref"], sort=False)["d"].max().rename("found").reset_index()
    inv = records.loc[need, ["system", "record_id"]].astype(str).reset_index()
    found = inv.merge(latest, left_on=["system", "record_id"], right_on=["system", "ref"], how="left").set_index("index")["found"]
    records = records.copy(deep=False)  # copy-on-write: only ``paid`` is copied when written
    records.loc[need, "paid"] = pd.to_datetime(found)
    return records


#: What Python's ``str.strip()`` removes (``str.isspace``), for RE2: the plain path strips refs with it.
_PY_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def _latest_payment_coded(records: pd.DataFrame, pays: pd.DataFrame, dates: pd.Series, need: np.ndarray) -> pd.Series | None:
    """The paid date :func:`_invoice_paid_dates` finds for each ``need`` row, joined on integer codes.

    The system is the categorical's code; a payment's invoice numbers and the invoices' ids are
    encoded together, so "same system, same number" is one int64 key on both sides and no
    string is converted to a Python object. None when a reference carries a character
    ``str.strip`` would remove (never in normalised refs): the plain path handles that.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    refs = pa.array(pays["invoice_refs"].array)
    if isinstance(refs, pa.ChunkedArray):
        refs = refs.combine_chunks()
    pay_sys = pays["system"].cat.codes.to_numpy().astype("int64")
    pay_dates = dates.to_numpy()
    multi = pc.greater(pc.count_substring(refs, ","), 0).to_numpy(zero_copy_only=False)
    if multi.any():
        # the few payments naming several invoices: one row per number
        many = pc.split_pattern(refs.filter(pa.array(multi)), ",")
        parents = np.flatnonzero(multi)[pc.list_parent_indices(many).to_numpy()]
        keep = np.flatnonzero(~multi)
        refs = pa.concat_arrays([refs.filter(pa.array(~multi)), pc.list_flatten(many).cast(refs.type)])
        rows = np.concatenate([keep, parents])
        pay_sys, pay_dates = pay_sys[rows], pay_dates[rows]
    if pc.any(pc.match_substring_regex(refs, f"^{_PY_SPACE}|{_PY_SPACE}$")).as_py():
        return None
    inv = records.loc[need, ["system", "record_id"]]
    ids = pa.array(inv["record_id"].array)
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    ids = pc.fill_null(ids.cast(refs.type), "<NA>")  # what astype(str) makes of a missing id
    both = pa.concat_arrays([refs, ids])
    codes = _plain_numbers(both)
    if codes is None:
        codes = pc.dictionary_encode(both).indices.to_numpy(zero_copy_only=False).astype("int64")
    width = int(codes.max()) + 1
    pay_key = pay_sys * width + codes[: len(refs)]
    inv_key = inv["system"].cat.codes.to_numpy().astype("int64") * width + codes[len(refs) :]
    latest = pd.Series(pay_dates).groupby(pay_key, sort=False).max()
    return pd.Series(latest.reindex(inv_key).to_numpy(), index=inv.index, dtype="datetime64[ns]")


def _plain_numbers(texts: pa.Array) -> np.ndarray | None:
    """``texts`` as int64 when every one is a plain decimal number of at most 15 digits
    (:func:`connectors._values.plain_numbers`), else None; also None when one is missing.

    Then two texts are equal exactly when their numbers are, so invoice numbers can be matched
    on the numbers without hashing a single string (1M jobs: 0.1 s against 1.1 s). Fifteen
    digits leave room for the system code the caller multiplies in front of them.
    """
    from connectors import _values as V

    if texts.null_count:
        return None
    return V.plain_numbers(texts, max_digits=15)


def load(
    paths: list[Path],
    config_path: Path | None = None,
    *,
    offline: bool = False,
    refresh: bool = False,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> Loaded:
    """Read every source and apply the status maps.

    Args:
        paths: folders or files of exports; empty means "the sources in driftcheck.toml".
        config_path: an explicit config file; else one is searched beside the exports, then in the cwd.
        offline: API sources are read from their cache only.
        refresh: API sources ignore their incremental cursors.
        progress: show progress bars for API pulls (terminal only).
        cache_dir: where API pulls are cached (default ``.driftcheck/cache`` beside the config).

    Raises:
        UsageError: nothing to scan.
        InputError: an export cannot be read.
        ConfigError: the config is invalid.
    """
    import connectors

    from .records import concat_records
    from .statusmap import CARRIED, apply_status_maps

    cfg = load_config(find_config(config_path, config_search_dirs(paths)))
    results = []
    failures: list[dict[str, Any]] = []
    if paths:
        for p in paths:
            if not p.exists():
                raise InputError("no such file or folder", file=p, expected="a folder of exports or an export file")
        results = connectors.read_paths(paths, _options_for(cfg))
    else:
        exports = [s for s in cfg.sources if s.mode == "export" and s.raw.get("enabled", True)]
        for s in exports:
            assert s.path is not None
            if not s.path.exists():
                raise InputError("the source's file does not exist", file=s.path, expected=f"the export named by [[sources]] '{s.name}' in {cfg.path}")
            results.append(connectors.read_file(s.path, _read_options(s)))
    # Only the schema columns go on (concat_records keeps no others): the unmapped ``x:`` columns
    # of every export are released here, not held until loading ends.
    schema = list(RECORD_SCHEMA)
    frames = [r.frame[schema] for r in results]
    sources = [r.info for r in results]
    warnings = [w for r in results for w in r.warnings]
    detections = [r.detection for r in results]
    del results
    from ._memory import release_freed

    # what parsing freed goes back to the system before the frames are joined (1M jobs: the
    # joining peaked at 3.45 GiB, ~0.9 of it parsers' garbage still mapped)
    release_freed(sum(len(f) for f in frames))

    api_sources = [s for s in cfg.sources if s.mode == "api" and s.raw.get("enabled", True)] if not paths else []
    if api_sources:
        from connectors.api import pull_source

        cache = cache_dir or (cfg.base_dir / ".driftcheck" / "cache")
        for s in api_sources:
            pulled = pull_source(dict(s.raw), name=s.name, cache_dir=cache, offline=offline, refresh=refresh, progress=progress)
            frames.append(pulled.frame)
            sources.append(pulled.info)
            warnings.extend(pulled.warnings)
            if pulled.failure is not None:
                data_date = pulled.pulled_at.date().isoformat() if pulled.pulled_at else None
                failures.append(
                    {
                        "source": s.name,
                        "system": pulled.info.system,
                        "role": pulled.info.role,
                        "message": str(pulled.failure).rstrip("."),
                        # the clock starts when the data the scan falls back on was pulled
                        "since": data_date,
                        "fallback": (
                            f"The scan used its data from {data_date}."
                            if data_date
                            else "There is no earlier copy, so its records are missing from this scan."
                        ),
                    }
                )
                warnings.append(ReadWarning(source=s.name, message=f"live pull failed: {pulled.failure}; {pulled.info.stale_cache or 'no cached data'}"))

    if not frames:
        where = ", ".join(str(p) for p in paths) if paths else (str(cfg.path) if cfg.path else "the current folder")
        raise UsageError(
            f"nothing to scan in {where}: give a folder of exports (CSV or XLSX) or list [[sources]] in driftcheck.toml"
        )
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"two sources are both named {dupes[0]!r}; give them distinct names in driftcheck.toml [[sources]]")
    from . import _fastpaths

    fast = _fastpaths.enabled()
    runs = _constant_columns(frames, (*_LABELS, "file")) if fast else {}
    # consume: the sources' own frames are released column by column as they are joined
    records = concat_records(frames, carry=CARRIED, consume=True)
    if fast:
        # The labels become categoricals before the status maps, the record de-duplication and
        # the paid dates group and filter on them: those compare integer codes, not strings.
        _categorise(records, (*_LABELS, "file"), runs=runs)
    before = len(records)
    records = _one_per_record(records)
    if fast and len(records) < before:
        # Rows dropped above may leave a label with no row: the categories must be exactly
        # what ``astype("category")`` of the remaining values gives (sorted, all used).
        _categorise(records, (*_LABELS, "file"), prune=True)
    records, status_warnings = apply_status_maps(records, cfg)
    records = records.drop(columns=[c for c in CARRIED if c in records.columns])
    records = _invoice_paid_dates(records)
    # Low-cardinality labels become categoricals: every later filter and join compares small
    # integer codes instead of strings (the rule stage at 10k jobs: 1.0 s -> see bench/RESULTS.md).
    if fast:
        for col in _CATEGORIES:
            records[col] = records[col].astype("category")
        _narrow_rows(records)
        _no_dates(records)
        # Every later stage takes rows of the frame; a take on one chunk is 2.5x faster than on
        # the five the concatenation left (one per source).
        _one_chunk(records)
    warnings.extend(status_warnings)
    return Loaded(records=records, sources=sources, warnings=warnings, config=cfg, detections=detections, failures=failures)
