"""The CSV report: one row per finding, every field of the JSON finding flattened, safe in Excel.

Columns, in order: the finding's scalar fields (``id``, ``rule``, ``severity``,
``owner``, ``job``, ``customer``, ``message``, ``since``, ``age_days``,
``amount``, ``status``, ``first_seen``), then any other scalar field a finding
carries, then ``records.<source>`` per source (native ids joined by ``;``), then
``evidence`` as a JSON array. Nested dicts become dotted columns; lists become JSON.

Spreadsheet safety: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return would be run as a formula by Excel, LibreOffice or
Google Sheets (OWASP "CSV injection"). Such a cell gets a leading ``'``, which
the spreadsheet shows as text. To keep the file exactly reversible, a text that
already starts with apostrophes followed by one of those characters gets one
more; :func:`unneutralise` removes exactly one. Numbers we write ourselves
(amounts, ages) are never prefixed, so ``-120.5`` stays a number.

The text starts with a UTF-8 byte-order mark so Excel reads accented names
correctly; pandas and Python's csv module with ``encoding="utf-8-sig"`` skip it.
Lines end with ``\\n``: write the text with ``newline=""`` or in binary.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["BOM", "FIRST_COLUMNS", "TRIGGERS", "csv_columns", "neutralise", "render_csv", "unneutralise"]

#: Characters that make a spreadsheet treat a cell as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Fixed leading columns, in this order, whether or not findings carry them.
FIRST_COLUMNS = (
    "id", "rule", "severity", "owner", "job", "customer", "message",
    "since", "age_days", "amount", "status", "first_seen",
)  # fmt: skip

#: The byte-order mark Excel needs to read the file as UTF-8.
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Make ``text`` inert in a spreadsheet (see the module docstring).

    Example:
        >>> neutralise('=HYPERLINK("http://x")')
        '\\'=HYPERLINK("http://x")'
        >>> neutralise("O'Brien")
        "O'Brien"
    """
    if text.lstrip("'").startswith(TRIGGERS):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise`: ``unneutralise(neutralise(t)) == t`` for every text."""
    if text.startswith("'") and text.lstrip("'").startswith(TRIGGERS):
        return text[1:]
    return text


def _flatten(finding: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}

    def put(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                put(f"{prefix}.{k}", v)
        elif isinstance(value, list | tuple):
            row[prefix] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            row[prefix] = value

    for key, value in finding.items():
        if key == "records":
            for source, ids in (value or {}).items():
                row[f"records.{source}"] = ";".join(str(i) for i in ids or [])
        elif key == "evidence":
            row["evidence"] = json.dumps(value or [], ensure_ascii=False, separators=(",", ":"))
        else:
            put(key, value)
    return row


def csv_columns(findings: Iterable[Mapping[str, Any]], sources: Iterable[str] = ()) -> list[str]:
    """The header for these findings: fixed columns, extras (sorted), ``records.*``, ``evidence``.

    Args:
        findings: scan/1 findings.
        sources: source names in the scan's order, so every source gets a
            ``records.<name>`` column even when no finding names it.
    """
    records = [f"records.{s}" for s in sources]
    extras: set[str] = set()
    for f in findings:
        for key in _flatten(f):
            if key.startswith("records."):
                if key not in records:
                    records.append(key)
            elif key not in FIRST_COLUMNS and key != "evidence":
                extras.add(key)
    return [*FIRST_COLUMNS, *sorted(extras), *records, "evidence"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return repr(value)
    return neutralise(str(value))


def render_csv(scan: Mapping[str, Any], *, bom: bool = True) -> str:
    """Render a scan's findings as CSV, one row per finding.

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        bom: start with a UTF-8 byte-order mark for Excel. Defaults to True.

    Returns:
        The CSV text (header row even when there are no findings).
    """
    findings = list(scan.get("findings") or [])
    columns = csv_columns(findings, [str(s.get("name")) for s in scan.get("sources") or []])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for f in findings:
        flat = _flatten(f)
        writer.writerow([_cell(flat.get(c)) for c in columns])
    return (BOM if bom else "") + buf.getvalue()
