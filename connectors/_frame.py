"""The file being read: its body, its column map, and the helpers every vendor reader uses.

A :class:`ReadContext` holds the rows below the header as strings and knows which
column holds which field. Vendor readers ask it for parsed columns (``ctx.money("amount")``,
``ctx.dates("created", "due")``), skip rows through it (every skip becomes a counted
:class:`~driftcheck.model.ReadWarning`, never a silent drop), and hand it the record
columns at the end (:meth:`ReadContext.finish`), which adds provenance, the columns the
format does not know (kept as ``x:<header>``) and casts to the record schema.

Unreadable values raise :class:`~driftcheck.errors.BadValueError` with the file, the
spreadsheet row, the column header as written, the value and what was expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.errors import BadValueError, MissingColumnError
from driftcheck.model import RECORD_SCHEMA, ReadWarning

from . import _values as V

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ._spec import FormatSpec
    from ._tabular import Body
    from .base import ReadOptions

__all__ = ["MONEY_EXPECTED", "ReadContext"]

MONEY_EXPECTED = "an amount like 1,234.56, $1,234.56, -15.00 or (420.81)"


class ReadContext:
    """One export being turned into records.

    Args:
        path: the file.
        source: the source name records are tagged with.
        spec: the format being read.
        options: the source's read options.
        body: the rows below the header.
        columns: field -> header positions, from detection.
    """

    def __init__(
        self,
        path: Path,
        source: str,
        spec: FormatSpec,
        options: ReadOptions,
        body: Body,
        columns: dict[str, list[int]],
    ):
        import pandas as pd

        self.path = path
        self.file = str(path)
        self.source = source
        self.spec = spec
        self.options = options
        self.headers = body.headers
        self.columns = columns
        self.frame: pd.DataFrame = body.frame
        self.rows = pd.Series(body.rows, index=self.frame.index, dtype="int64")
        self.warnings: list[ReadWarning] = []
        self.meta: dict[str, Any] = {}
        self.skipped = 0
        if body.long_rows:
            self.warn(
                "rows have more cells than the header; the extra cells were ignored",
                row=body.long_rows[0],
                count=len(body.long_rows),
            )

    # ------------------------------------------------------------------ columns

    def has(self, field: str) -> bool:
        """Whether the file has a column for ``field``."""
        return field in self.columns

    def header(self, field: str) -> str:
        """The header of ``field``'s column, as written in the file."""
        return self.headers[self.columns[field][0]]

    def col(self, field: str) -> pd.Series | None:
        """``field``'s raw column (strings), aligned with the rows still kept; None if absent."""
        if field not in self.columns:
            return None
        return self.frame[f"c{self.columns[field][0]}"]

    def require(self, *fields: str) -> None:
        """Raise :class:`MissingColumnError` for the first of ``fields`` the file lacks."""
        for f in fields:
            if f not in self.columns:
                variants = self.spec.columns.get(f, (f,))
                shown = ", ".join(h for h in self.headers if h.strip())
                raise MissingColumnError(
                    f"the {self.spec.description} has no '{variants[0]}' column",
                    file=self.file,
                    row=int(self.meta.get("header_row", 1)),
                    column=variants[0],
                    found=f"columns {shown}",
                    expected="a column named " + " or ".join(repr(v) for v in variants[:4]),
                )

    def text(self, field: str) -> pd.Series | None:
        """Trimmed text, with ``-`` and empty cells missing."""
        s = self.col(field)
        return None if s is None else V.clean_text(s)

    def ids(self, field: str) -> pd.Series | None:
        """Native ids as written (trimmed, leading ``#`` removed)."""
        s = self.col(field)
        return None if s is None else V.normalise_ids(s)

    def refs(self, field: str, *, named_in: tuple[pd.Series | None, ...] = ()) -> pd.Series | None:
        """Reference lists (``"101, 102"`` -> ``"101,102"``) of a ``*_refs`` field.

        Merged over every column of the field, plus the numbers free-text columns
        ``named_in`` give for that kind ("Job #1042" in a memo for ``job_refs``).
        None when there is no such column or text.
        """
        parts = [V.normalise_refs(self.frame[f"c{i}"]) for i in self.columns.get(field, [])]
        kind = field.removesuffix("_refs")
        parts += [V.extract_refs(t, kind) for t in named_in if t is not None]
        merged = V.merge_refs(*parts) if parts else None
        del parts
        self.release()  # the extraction's temporaries
        return merged

    def money(self, field: str) -> pd.Series | None:
        """Amounts as floats; raises :class:`BadValueError` on a cell that is not money."""
        s = self.col(field)
        if s is None:
            return None
        decimal = getattr(self.options, "decimal", None) or "."
        values, bad = V.parse_money(s, decimal=decimal)
        self._fail_at(bad, field, s, MONEY_EXPECTED if decimal == "." else "an amount like 1.234,56 or -15,00")
        return values

    def flag(self, field: str) -> pd.Series | None:
        """Yes/no cells as a nullable boolean; raises on anything else."""
        s = self.col(field)
        if s is None:
            return None
        values, bad = V.parse_bool(s)
        self._fail_at(bad, field, s, "Sent/Unsent, Yes/No or True/False")
        return values

    def dates(self, *fields: str) -> dict[str, pd.Series]:
        """Parse the date columns of the file together.

        Day-first or month-first is decided once for the file (``a/b/yyyy`` dates only):
        the source option wins; else any first field above 12 means day-first and any
        second field above 12 means month-first; a file with both is an error; a file
        that cannot tell takes the vendor's default. ``meta["date_order"]`` says which.

        Returns:
            field -> ``datetime64[ns]`` column, for the fields the file has.
        """
        present = [f for f in fields if f in self.columns]
        scans = {f: V.scan_dates(self.col(f)) for f in present}  # type: ignore[arg-type]
        dayfirst = self._date_order(scans)
        out = {}
        for f, scan in scans.items():
            parsed, bad = V.parse_dates(scan, dayfirst=dayfirst, index=self.frame.index)
            self._fail_at(bad, f, self.col(f), V.DATE_EXPECTED + (" (day first)" if dayfirst else " (month first)"))
            out[f] = parsed
        del scans
        self.release()  # the date scans' distinct values and codes
        return out

    def _date_order(self, scans: dict[str, V.DateScan]) -> bool:
        has_numeric = any(k == "numeric" for s in scans.values() for k in s.kinds)
        if self.options.dayfirst is not None:
            self.meta["dayfirst"] = bool(self.options.dayfirst)
            self.meta["date_order"] = ("day-first" if self.options.dayfirst else "month-first") + " (set in the source options)"
            return bool(self.options.dayfirst)
        dayfirst, day_ex, month_ex = V.infer_dayfirst(list(scans.values()))
        if day_ex and month_ex:
            field = next(f for f, s in scans.items() if s.monthfirst_example == month_ex)
            day_field = next(f for f, s in scans.items() if s.dayfirst_example == day_ex)
            day_row = int(self.rows.iloc[scans[day_field].first_row_of(day_ex)])
            raise BadValueError(
                f"dates are written both day-first ({day_ex!r} at row {day_row}) and month-first in one file; "
                "set dayfirst for this source",
                file=self.file,
                row=int(self.rows.iloc[scans[field].first_row_of(month_ex)]),
                column=self.header(field),
                found=month_ex,
                expected="one date order throughout the file",
            )
        if dayfirst is not None:
            example = day_ex or month_ex
            field = next(f for f, s in scans.items() if example in (s.dayfirst_example, s.monthfirst_example))
            row = int(self.rows.iloc[scans[field].first_row_of(example)])  # type: ignore[arg-type]
            self.meta["dayfirst"] = dayfirst
            self.meta["date_order"] = (
                f"{'day' if dayfirst else 'month'}-first (inferred from {example!r} in column '{self.header(field)}', row {row})"
            )
            return dayfirst
        default = self.spec.dayfirst
        self.meta["dayfirst"] = default
        if has_numeric:
            self.meta["date_order"] = (
                f"{'day' if default else 'month'}-first ({self.spec.label} default: no date in the file tells; "
                "set dayfirst for this source if that is wrong)"
            )
        return default

    def _fail_at(self, bad: pd.Series, field: str, values: pd.Series | None, expected: str) -> None:
        import numpy as np

        hits = np.flatnonzero(bad.to_numpy(dtype=bool))
        if not len(hits):
            return
        i = int(hits[0])
        found = values.iloc[i] if values is not None else None
        more = f" ({len(hits)} such cells)" if len(hits) > 1 else ""
        raise BadValueError(
            f"cannot read this value{more}",
            file=self.file,
            row=int(self.rows.iloc[i]),
            column=self.header(field),
            found=found,
            expected=expected,
        )

    # ------------------------------------------------------------------ rows

    def release(self) -> None:
        """Give what this thread's arrow allocations freed back to the system, on a large file.

        pyarrow's default pool (mimalloc) keeps freed pages for reuse by the thread that freed
        them, and the other file being read side by side cannot reuse them: at the end of a
        1M-job HubSpot export's read, 0.34 of its 0.96 GiB were such pages. Releasing after
        each step that drops large temporaries keeps a read's footprint near what it holds.
        """
        from driftcheck._memory import release_freed

        release_freed(len(self.frame), arrow_only=True)

    def warn(self, message: str, *, row: int | None = None, column: str | None = None, count: int = 1) -> None:
        """Record a warning about this file."""
        self.warnings.append(ReadWarning(source=self.source, message=message, file=self.file, row=row, column=column, count=count))

    def keep(self, mask: pd.Series) -> None:
        """Keep only the rows where ``mask`` is true (no warning: structural rows)."""
        from driftcheck import _fastpaths

        mask = mask.reindex(self.frame.index).fillna(False).astype(bool)
        if mask.all():  # the usual case: no copy of every column
            return
        keep = mask.to_numpy()
        n = int(keep.sum())
        if _fastpaths.enabled() and keep[:n].all():
            # Only trailing rows go (a report's totals and timestamp): a slice shares the
            # columns instead of copying every cell of every column.
            self.frame = self.frame.iloc[:n]
            self.rows = self.rows.iloc[:n]
            return
        self.frame = self.frame[mask]
        self.rows = self.rows[mask]
        self.release()  # the columns before filtering

    def skip(self, mask: pd.Series, message: str, *, column: str | None = None) -> None:
        """Drop the rows where ``mask`` is true, with a counted warning naming the first row."""
        mask = mask.reindex(self.frame.index).fillna(False).astype(bool)
        n = int(mask.sum())
        if not n:
            return
        first = int(self.rows[mask].iloc[0])
        self.warn(f"{message} skipped", row=first, column=column, count=n)
        self.skipped += n
        self.keep(~mask)

    def not_records(self, mask: pd.Series, kinds: pd.Series) -> None:
        """Drop rows that are not job records (a QBO Expense), counted per kind in ``meta``."""
        mask = mask.reindex(self.frame.index).fillna(False).astype(bool)
        if mask.any():
            counts = kinds[mask].fillna("(blank)").value_counts()
            seen = self.meta.setdefault("not_records", {})
            for kind, n in counts.items():
                seen[str(kind)] = seen.get(str(kind), 0) + int(n)
        self.keep(~mask)

    def tidy(self, *, dedupe: bool = True) -> None:
        """The clean-up every vendor export gets: footer totals, blank rows, exact duplicates."""
        self.drop_footer()
        self.drop_blank()
        if dedupe:
            self.drop_duplicates()
        self.drop_unmapped()

    def drop_unmapped(self) -> None:
        """Release the columns no field maps, when they are not kept as ``x:`` columns.

        Call it after the last check that looks at every cell of a row (blank rows, exact
        duplicates): nothing else reads those columns. A jobs export has 37 columns and its
        reader maps a third of them; the rest were held, and copied by every row filter,
        until the read ended.
        """
        if self.options.extras:
            return
        used = {f"c{i}" for pos in self.columns.values() for i in pos}
        unused = [c for c in self._data_columns() if c not in used]
        if unused:
            self.frame = self.frame.drop(columns=unused)
            self.release()

    def drop_footer(self) -> None:
        """Remove summary rows (``Totals``, ``Report totals:``): layout kept in ``meta["totals"]``.

        Jobber's card payments export ends with ``Report totals:,,,,,,"-$310.80",...``; other
        exports saved from a spreadsheet often gain a ``Total`` row. Its first cell says so.
        """
        if not len(self.frame):
            return
        first = V.clean_text(self.frame["c0"])
        footer = V.matches(first, r"(?i)(?:report\s+|grand\s+)?totals?\s*:?")
        if footer.any():
            rows = self.frame[footer].astype(object).where(self.frame[footer].notna(), "")
            self.meta["totals"] = [" ".join(str(c).strip() for c in row if str(c).strip()) for row in rows.itertuples(index=False)]
            self.keep(~footer)

    def _data_columns(self) -> list[str]:
        return [c for c in self.frame.columns if str(c).startswith("c")]

    def drop_blank(self) -> None:
        """Skip fully blank rows (every cell empty), with a warning."""
        import numpy as np
        import pyarrow.compute as pc

        from driftcheck import _fastpaths

        if not len(self.frame):
            return

        def has_text(arr: Any) -> np.ndarray:
            return pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0), False).to_numpy(zero_copy_only=False)

        columns = [self.frame[c] for c in self._data_columns()]
        if _fastpaths.enabled():
            filled = V.any_cell(columns, has_text, len(self.frame))
        else:
            filled = np.zeros(len(self.frame), dtype=bool)
            for col in columns:
                filled |= has_text(V._arrow(col))
        import pandas as pd

        self.skip(pd.Series(~filled, index=self.frame.index), "fully blank rows")

    def drop_duplicates(self, key: str | None = "record_id", extra: list[pd.Series] | None = None) -> None:
        """Skip rows that repeat an earlier row exactly, with a warning.

        Only rows sharing a ``key`` value are compared cell by cell (an exact duplicate
        repeats its id), so this stays cheap on a million rows.
        """
        import pandas as pd

        if len(self.frame) < 2:
            return
        data = self.frame[self._data_columns()]
        if extra:
            data = data.assign(**{f"_extra{i}": e for i, e in enumerate(extra)})
        candidates = pd.Series(True, index=data.index)
        if key and key in self.columns:
            candidates = V.duplicated(self.col(key), keep=False)
        if not candidates.any():
            return
        from driftcheck import _fastpaths

        if _fastpaths.enabled():
            dup = pd.Series(_repeats(data, candidates.to_numpy(dtype=bool)), index=data.index)
        else:
            dup = data[candidates].duplicated(keep="first").reindex(data.index, fill_value=False)
        self.skip(dup, "exact duplicate rows")

    def first_per_id(self, ids: pd.Series, what: str) -> None:
        """Keep the first row of each id; later rows with the same id are skipped with a warning."""
        repeat = ids.notna() & V.duplicated(ids, keep="first")
        self.skip(repeat, f"rows repeat a {what} already read with different values (the first was kept)", column=self.header("record_id") if self.has("record_id") else None)

    # ------------------------------------------------------------------ output

    def finish(self, record_type: Any, fields: dict[str, Any]) -> pd.DataFrame:
        """The conformed record frame: ``fields`` plus provenance and the unmapped columns.

        Args:
            record_type: one record type for every row, or a Series of them.
            fields: schema column -> Series (aligned with the kept rows) or scalar.
        """
        import pandas as pd

        from driftcheck.records import conform_columns

        self.release()
        index = self.frame.index
        out: dict[str, Any] = {
            "source": self.source,
            "system": self.spec.system,
            "role": self.options.role or self.spec.role,
            "record_type": record_type,
            "file": self.file,
            "row": self.rows,
        }
        out.update({k: v for k, v in fields.items() if v is not None})
        for col, (dtype, _) in RECORD_SCHEMA.items():
            # conform_columns fills missing dates and amounts itself, without normalising NaT
            if col not in out and not (dtype == "float64" or dtype.startswith("datetime")):
                out[col] = _null_column(dtype, index)
        used = {i for f, pos in self.columns.items() if f in RECORD_SCHEMA for i in pos}
        names: set[str] = set(RECORD_SCHEMA)
        for i, header in enumerate(self.headers if self.options.extras else ()):
            if i in used or not header.strip():
                continue
            name, n = header.strip(), 2
            while name in names or f"x:{name}" in names:
                name, n = f"{header.strip()} ({n})", n + 1
            names.add(f"x:{name}")
            out[f"x:{name}"] = self.frame[f"c{i}"]
        # Scalars become typed columns by repeating one value (no per-row Python objects).
        columns = {k: v.reindex(index) if isinstance(v, pd.Series) else V.repeat(str(v), index) for k, v in out.items()}
        return conform_columns(columns, len(index))


def _repeats(data: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """Rows among ``candidates`` that repeat an earlier candidate in every column (a boolean mask).

    What ``data[candidates].duplicated(keep="first")`` says, narrowed column by column: after
    each column only rows whose values so far are shared by another row stay candidates, so
    the free-text columns (a memo, a name) settle nearly all rows and the rest are looked at
    on a handful. Cells compare as ``duplicated`` compares them (pandas factorize; missing
    equals missing).
    """
    import numpy as np
    import pandas as pd

    out = np.zeros(len(candidates), dtype=bool)
    if not len(data.columns):  # as DataFrame.duplicated: rows of no columns repeat nothing
        return out
    rows = np.flatnonzero(candidates)
    group = None
    for col in _most_varied_first(data, rows):
        if len(rows) < 2:
            break
        codes = V.codes(data[col], rows)
        # the first column's codes are the groups already (dense, from 0)
        group = codes if group is None else pd.factorize(group * (int(codes.max()) + 1) + codes)[0]
        shared = np.bincount(group)[group] > 1
        rows, group = rows[shared], group[shared]
    if len(rows) > 1:
        out[rows] = pd.Series(group).duplicated(keep="first").to_numpy()
    return out


def _most_varied_first(data: pd.DataFrame, rows: np.ndarray) -> list[str]:
    """``data``'s columns, those with the most distinct values among the first candidate rows first.

    Which rows repeat every cell does not depend on the order the columns are compared in,
    but the cost does: a memo or a name column settles nearly every row at once, while a
    date or a type column leaves them all standing for the next column to factorize again.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    head = rows[:_ORDER_SAMPLE]

    def varied(col: str) -> int:
        sample = data[col].iloc[head].array
        try:
            return int(pc.count_distinct(pa.array(sample)).as_py())
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return len(set(sample))  # object columns (an XLSX's mixed cells) are rare and small

    # a stable sort: ties keep the frame's order
    return sorted(data.columns, key=lambda c: -varied(c))


#: Candidate rows whose distinct values order the columns for :func:`_repeats`.
_ORDER_SAMPLE = 2048


def _null_column(dtype: str, index: pd.Index) -> pd.Series:
    """An all-missing column of a schema dtype, built without a Python list per row.

    (``conform`` would fill it from ``[None] * n``, a tenth of a second per column at 200k rows.)
    """
    import numpy as np
    import pandas as pd

    from driftcheck.records import no_text

    n = len(index)
    if dtype == "string":
        # no resident offsets: ``state``, and every field the export lacks (0.2 GiB at 1M jobs)
        values: Any = pd.arrays.ArrowStringArray(no_text(n))
    elif dtype == "boolean":
        values = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    elif dtype == "Int64":
        values = pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
    elif dtype.startswith("datetime"):
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    else:
        values = np.full(n, np.nan)
    return pd.Series(values, index=index)
