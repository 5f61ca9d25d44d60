"""Reading an export file into a grid of strings: encodings, BOMs, preambles, XLSX.

A vendor export is a table with things around it: QuickBooks puts a company name, a
report title, a period and a blank line above the header and totals and a timestamp
below; Jobber's transaction list starts with a ``Totals`` block. This module does not
know vendors. It opens a file (CSV in UTF-8 with or without BOM, UTF-16, or cp1252;
XLSX through openpyxl, first sheet), hands the first :data:`HEAD_ROWS` rows to format
detection, and once detection has said which row is the header, returns everything
below it as a frame of strings with the spreadsheet row number of each record.

CSV bodies are parsed by ``pyarrow.csv`` from the header line onwards (the preamble is
sliced off by byte offset, not re-parsed), every column as a string, so a million rows
read in a fraction of a second. Rows with the wrong number of cells (a footer line, a
row with an extra trailing comma) make the reader fall back to Python's ``csv`` module
for that file, which pads short rows and reports long ones instead of dropping them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["HEAD_ROWS", "Body", "RawTable", "load_table"]

#: How many leading rows detection looks at for the header (QBO: line 5; Jobber
#: transactions: after a 5-line Totals block; XLSX reports: a few title rows).
HEAD_ROWS = 25

_HEAD_BYTES = 256 * 1024
#: Trailing lines parsed in Python (footers narrower than the header are normal there).
TAIL_LINES = 30
_DELIMITERS = (",", ";", "\t", "|")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class Body:
    """The records below the header row."""

    frame: pd.DataFrame  #: one ``string[pyarrow]`` column per header cell, named ``c0``, ``c1``...
    rows: np.ndarray  #: 1-based spreadsheet row of each record
    headers: list[str]  #: the header cells as written, by position
    long_rows: list[int] = field(default_factory=list)  #: rows with non-empty cells past the header


@dataclass
class RawTable:
    """One opened export: its first rows for detection, and a way to get the body."""

    path: Path
    kind: str  #: ``csv`` or ``xlsx``
    head: list[list[str]]  #: the first rows, as cells
    encoding: str = "utf-8"  #: what the bytes were (``utf-8``, ``utf-8-sig``, ``cp1252``...), ``xlsx``
    delimiter: str = ","
    _data: bytes | None = b""  #: CSV: the whole file as UTF-8 without BOM (None once its body was read)
    _starts: list[int] = field(default_factory=list)  #: CSV: byte offset where each head row starts
    _grid: list[list[str]] = field(default_factory=list)  #: XLSX: every row

    def body(self, header_index: int) -> Body:
        """The records below head row ``header_index`` (0-based), as strings.

        Asked once: a CSV's bytes are let go as soon as they are parsed (the largest export of
        a million jobs is 344 MB, held on top of its parsed columns otherwise).

        Args:
            header_index: position of the header row among :attr:`head`.
        """
        headers = [c.replace("\ufeff", "").strip() for c in self.head[header_index]]
        if self.kind == "xlsx":
            return _grid_body(self._grid[header_index + 1 :], headers, first_row=header_index + 2)
        data, self._data = self._data, None
        if data is None:
            raise RuntimeError("the body of a CSV table is read once")
        return _csv_body(data, self._starts[header_index], headers, header_index, self.delimiter)


def load_table(path: Path, *, encoding: str | None = None) -> RawTable:
    """Open an export and read its first rows.

    Args:
        path: the file.
        encoding: force a text encoding; by default UTF-8 (BOM stripped), UTF-16 when it has
            a UTF-16 BOM, else cp1252 (what Excel on Windows writes).

    Raises:
        InputError: the file does not exist, is empty, or is an old ``.xls`` workbook.
    """
    if not path.exists():
        raise InputError("file not found", file=path, expected="an existing CSV or XLSX export")
    if path.is_dir():
        raise InputError("is a folder, not a file", file=path, expected="a CSV or XLSX export")
    raw = path.read_bytes()
    if not raw or raw.isspace():  # isspace stops at the first byte of a real file
        raise InputError("the file is empty", file=path, found="0 rows", expected="an export with a header row")
    if raw.startswith(_XLSX_MAGIC):
        return _load_xlsx(path)
    if raw.startswith(_XLS_MAGIC):
        raise InputError(
            "old Excel .xls workbooks cannot be read; open it and save it as .xlsx or CSV",
            file=path,
            found="an .xls (BIFF) workbook",
            expected="CSV or .xlsx",
        )
    data, used = _to_utf8(raw, encoding, path)
    return _load_csv(path, data, used)


# ----------------------------------------------------------------------------- CSV


def _to_utf8(raw: bytes, encoding: str | None, path: Path) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes without BOM, and the encoding it was in."""
    if encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot decode as {encoding}: {exc}", file=path, expected="the encoding given in the config") from exc
        return text.lstrip("\ufeff").encode("utf-8"), encoding
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, used = raw[3:], "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with BOM (usually tab-separated).
        return raw.decode("utf-16").encode("utf-8"), "utf-16"
    else:
        used = "utf-8"
    if raw.isascii():  # the common case, checked in C without decoding
        return raw, used
    if _is_utf8(raw):
        return raw, used
    # Excel on Windows saves CSV as cp1252; bytes cp1252 leaves undefined fall back to latin-1.
    try:
        return raw.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1").encode("utf-8"), "latin-1"


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8 (what ``raw.decode("utf-8")`` accepts), checked without decoding.

    pyarrow validates the bytes in place (a 20 MB export: 5 ms, against 27 ms to build the
    Python string only to throw it away).
    """
    from driftcheck import _fastpaths

    if not _fastpaths.enabled():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(raw)], dtype="int64"))
    cell = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(raw)])
    try:
        cell.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _head_records(text: str, delimiter: str) -> list[tuple[list[str], int]]:
    """The first rows of ``text`` with the physical line each one starts on (1-based)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[list[str], int]] = []
    line = 1
    try:
        for record in reader:
            out.append((record, line))
            line = reader.line_num + 1
            if len(out) >= HEAD_ROWS:
                break
    except csv.Error:
        pass  # an unterminated quote in the sampled chunk: detection works on what was read
    return out


def _load_csv(path: Path, data: bytes, encoding: str) -> RawTable:
    chunk = data[:_HEAD_BYTES]
    if len(data) > _HEAD_BYTES:
        chunk = chunk[: chunk.rfind(b"\n") + 1] or chunk
    text = chunk.decode("utf-8", errors="replace")
    # Excel honours a first line "sep=;". Otherwise the delimiter is the one that splits
    # most rows into the same number (>= 2) of cells, the wider split winning a tie: a
    # memo full of ";" in a comma file does not make it a ";" file.
    hinted = re.match(r"sep=(.)\r?\n", text)
    best: tuple[tuple[int, int], str, list[tuple[list[str], int]]] | None = None
    for delim in (hinted.group(1),) if hinted else _DELIMITERS:
        records = _head_records(text, delim)
        widths = Counter(len(r) for r, _ in records if len(r) >= 2)
        score = max(((n, w) for w, n in widths.items()), default=(0, 0))
        if best is None or score > best[0]:
            best = (score, delim, records)
    assert best is not None
    _, delimiter, records = best
    # Byte offset of each physical line start, for slicing the body off at the header.
    line_starts = [0]
    pos = 0
    last_line = max((ln for _, ln in records), default=1)
    while len(line_starts) < last_line:
        pos = chunk.find(b"\n", pos) + 1
        if pos == 0:
            break
        line_starts.append(pos)
    starts = [line_starts[min(ln, len(line_starts)) - 1] for _, ln in records]
    return RawTable(
        path=path,
        kind="csv",
        head=[r for r, _ in records],
        encoding=encoding,
        delimiter=delimiter,
        _data=data,
        _starts=starts,
    )


def _tail_cut(data: bytes, start: int) -> int:
    """Where the last :data:`TAIL_LINES` lines of the file begin (``len(data)`` if unsafe).

    Report footers (a timestamp, ``Report totals:``) can be narrower than the header; they
    are parsed in Python so one short line does not send a million rows to the slow path.
    The cut must not fall inside a quoted cell: the quotes before it must pair up.
    """
    cut = len(data)
    for _ in range(TAIL_LINES + 1):
        nl = data.rfind(b"\n", start, cut - 1 if cut > start else start)
        if nl < 0:
            return len(data)
        cut = nl + 1
    if cut <= start or _count_quotes(data, start, cut) % 2:
        return len(data)
    return cut


def _count_quotes(data: bytes, start: int, stop: int) -> int:
    """``data.count(b'"', start, stop)``, counted by numpy in 8 MB slices (3x faster, bounded memory)."""
    from driftcheck import _fastpaths

    if not _fastpaths.enabled():
        return data.count(b'"', start, stop)
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 23
    return sum(int(np.count_nonzero(view[i : min(i + step, stop)] == 34)) for i in range(start, stop, step))


def _csv_body(data: bytes, start: int, headers: list[str], header_index: int, delimiter: str) -> Body:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    width = len(headers)
    names = [f"c{i}" for i in range(width)]
    invalid: list[Any] = []

    def on_invalid(row: Any) -> str:
        invalid.append(row)
        return "skip"

    from driftcheck import _fastpaths

    cut = _tail_cut(data, start)
    buf = pa.py_buffer(memoryview(data)[start:cut])
    # large_string, the type pandas keeps text in: the columns become pandas columns without
    # a copy (parsed as ``string``, every column's offsets were widened into a second copy)
    table = pacsv.read_csv(
        buf,
        # One thread per file: read_paths already reads two files side by side, and a quoted
        # cell may hold a line break, so pyarrow's threads must first find where each block
        # may start; that costs more than it gains (a 340 MB jobs export: 1.9 s CPU on two
        # threads, 1.2 s on one, in no more wall time).
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24, use_threads=not _fastpaths.enabled()),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, ignore_empty_lines=False, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.large_string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    if invalid:
        # Some rows do not have the header's width: re-read them all in Python, so no
        # row is dropped and row numbers stay right.
        return _python_body(data[start:].decode("utf-8"), headers, header_index, delimiter)
    tail_text = data[cut:].decode("utf-8") if cut < len(data) else None
    # The columns hold copies of the cells: the file's bytes go before the frame is built.
    del buf, data
    frame = _arrow_frame(table)
    del table
    # pyarrow keeps empty lines as all-empty rows, so record j sits on header row + 1 + j.
    rows = np.arange(len(frame), dtype="int64") + header_index + 2
    if tail_text is None:
        return Body(frame=frame, rows=rows, headers=headers)
    tail_rows = list(csv.reader(io.StringIO(tail_text, newline=""), delimiter=delimiter))
    tail = _grid_body(tail_rows, headers, first_row=header_index + 2 + len(frame))
    return Body(
        frame=pd.concat([frame, tail.frame], ignore_index=True),
        rows=np.concatenate([rows, tail.rows]),
        headers=headers,
        long_rows=tail.long_rows,
    )


def _arrow_frame(table: Any) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    string = pd.StringDtype("pyarrow")
    return table.to_pandas(types_mapper={pa.string(): string, pa.large_string(): string}.get)


def _python_body(text: str, headers: list[str], header_index: int, delimiter: str) -> Body:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)  # the header row
    return _grid_body(list(reader), headers, first_row=header_index + 2)


def _grid_body(grid: list[list[str]] | list[Any], headers: list[str], *, first_row: int) -> Body:
    """A body from rows already split into cells (XLSX, or the Python CSV fallback)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    width = len(headers)
    long_rows: list[int] = []
    fitted: list[list[str]] = []
    for i, row in enumerate(grid):  # only XLSX and malformed CSV come here
        cells = list(row)
        if len(cells) > width:
            if any(str(c).strip() for c in cells[width:]):
                long_rows.append(first_row + i)
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        fitted.append(cells)
    columns = list(zip(*fitted)) if fitted else [() for _ in range(width)]
    string = pd.StringDtype("pyarrow")
    frame = pd.DataFrame(
        {f"c{i}": pd.Series(pd.arrays.ArrowStringArray(pa.array(list(col), type=pa.large_string())), dtype=string) for i, col in enumerate(columns)}
    )
    if not width:
        frame = pd.DataFrame(index=range(len(fitted)))
    rows = np.arange(len(fitted), dtype="int64") + first_row
    return Body(frame=frame, rows=rows, headers=headers, long_rows=long_rows)


# ----------------------------------------------------------------------------- XLSX


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV export would hold (dates as ISO, 101.0 as ``101``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _load_xlsx(path: Path) -> RawTable:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"cannot open the workbook: {exc}", file=path, expected="an .xlsx workbook") from exc
    try:
        ws = wb.worksheets[0]
        grid = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()
    # Trailing all-empty rows are sheet formatting, not content.
    while grid and not any(c.strip() for c in grid[-1]):
        grid.pop()
    if not grid:
        raise InputError("the workbook's first sheet is empty", file=path, found="0 rows", expected="an export with a header row")
    return RawTable(path=path, kind="xlsx", head=grid[:HEAD_ROWS], encoding="xlsx", _grid=grid)
