"""Format detection: which export a file is, which row is its header, and why.

Every candidate header row among the first rows of a file is matched against every
:class:`~connectors._spec.FormatSpec`. A format is a candidate when all its anchor fields
are present and at least ``min_signature`` of its signature fields are; candidates are
ranked by the share of signature fields found, the report title above the header (QBO
writes "Invoice List by Date" on line 2), and the number of known columns. A file that
matches nothing is an :class:`~driftcheck.errors.UnknownFormatError` naming the closest
formats and what each would need: driftcheck does not guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftcheck import _fastpaths
from driftcheck.errors import UnknownFormatError

from ._spec import FormatSpec
from ._tabular import RawTable
from ._values import norm_header

__all__ = ["Match", "best_match", "detect", "unknown_format_error"]


@dataclass
class Match:
    """One format matched against one row of a file."""

    spec: FormatSpec
    header_index: int  #: 0-based position of the header row in the file's head
    columns: dict[str, list[int]]  #: field -> header positions
    headers: list[str]
    score: float
    ok: bool  #: anchors and enough signature fields present
    title: str | None = None  #: the report title that matched, if any

    @property
    def missing(self) -> list[str]:
        """Header names this format still needs to be recognised (anchors, then signature)."""
        need = [self.spec.first_variant(f) for f in self.spec.anchors if f not in self.columns]
        short = self.spec.min_signature - sum(1 for f in self.spec.signature if f in self.columns)
        if short > 0:
            need += [self.spec.first_variant(f) for f in self.spec.signature if f not in self.columns][:short]
        return need

    def reason(self) -> str:
        """Why this format was chosen: the headers that identified it, and the title."""
        fields = [f for f in (*self.spec.anchors, *self.spec.signature) if f in self.columns]
        seen: list[str] = []
        for f in dict.fromkeys(fields):
            seen.append(self.headers[self.columns[f][0]])
        shown = ", ".join(repr(h) for h in seen[:5])
        more = f" and {len(seen) - 5} more" if len(seen) > 5 else ""
        text = f"matched {shown}{more}"
        if self.title:
            text += f"; report title {self.title!r}"
        return text


def _nonempty(row: list[str]) -> int:
    return sum(1 for c in row if c.strip())


def _score(spec: FormatSpec, head: list[list[str]], index: int) -> Match:
    headers = [c.replace("\ufeff", "").strip() for c in head[index]]
    columns = spec.match(headers)
    anchors = all(f in columns for f in spec.anchors)
    sig = sum(1 for f in spec.signature if f in columns)
    ok = anchors and sig >= spec.min_signature
    title = None
    if spec.titles:
        # A report title is the first cell of one of the rows above the header.
        above = [next((c.strip() for c in row if c.strip()), "") for row in head[:index]]
        title = next((t for t in above if t and any(re.search(p, t, re.IGNORECASE) for p in spec.titles)), None)
    n_anchor = sum(1 for f in spec.anchors if f in columns)
    need = len(spec.anchors) + spec.min_signature
    # Share of what identifies the format, plus small tie-breakers.
    score = (n_anchor + min(sig, spec.min_signature)) / need if need else 0.0
    score += sig / max(len(spec.signature), 1) + (1.0 if title else 0.0) + 0.01 * len(columns)
    return Match(spec=spec, header_index=index, columns=columns, headers=headers, score=score, ok=ok, title=title)


def best_match(table: RawTable, spec: FormatSpec) -> Match:
    """The best header row of ``table`` for one format (whether or not it qualifies)."""
    rows = [i for i, row in enumerate(table.head) if _nonempty(row) >= 2] or [0]
    matches = []
    for i in rows:
        m = _score(spec, table.head, i)
        matches.append(m)
        if m.ok and _fastpaths.enabled():
            # A header comes before its data: the first row that qualifies is the header, and
            # scoring the data rows below it for every format only costs time.
            return m
    return max(matches, key=lambda m: (m.ok, m.score, -m.header_index))


def _could_qualify(spec: FormatSpec, keys: set[str]) -> bool:
    """False when a row's headers certainly lack an anchor or enough signature fields of ``spec``.

    Only the plain header variants are checked (a field found by header pattern may be there),
    so True means "score it", never "it qualifies".
    """
    variants = spec._variant_keys

    def maybe(f: str) -> bool:
        return f in spec.patterns or any(k in keys for k in variants.get(f, ()))

    if not all(maybe(f) for f in spec.anchors):
        return False
    return sum(1 for f in spec.signature if maybe(f)) >= spec.min_signature


def _first_qualifying(table: RawTable, specs: list[FormatSpec]) -> Match | None:
    """What :func:`detect` returns when a format qualifies, scoring only rows that could qualify.

    Each format's match is its first qualifying row, as :func:`best_match` gives it; rows
    whose headers cannot qualify (data rows, a report title) are not scored for every format.
    None when no format qualifies (the caller then scores everything for the error message).
    """
    rows = [i for i, row in enumerate(table.head) if _nonempty(row) >= 2] or [0]
    keys = {i: {norm_header(c) for c in table.head[i]} for i in rows}
    good = []
    for spec in specs:
        for i in rows:
            if not _could_qualify(spec, keys[i]):
                continue
            m = _score(spec, table.head, i)
            if m.ok:
                good.append(m)
                break
    return max(good, key=lambda m: (m.score, -m.header_index)) if good else None


def detect(table: RawTable, specs: list[FormatSpec]) -> Match:
    """The format of ``table`` among ``specs``.

    Raises:
        UnknownFormatError: no format qualifies; the message names the closest ones.
    """
    if _fastpaths.enabled():
        first = _first_qualifying(table, specs)
        if first is not None:
            return first
    matches = [best_match(table, spec) for spec in specs]
    good = [m for m in matches if m.ok]
    if good:
        return max(good, key=lambda m: (m.score, -m.header_index))
    raise unknown_format_error(table, matches)


def unknown_format_error(table: RawTable, matches: list[Match]) -> UnknownFormatError:
    """The error for a file no format fits, naming the 2-3 closest formats and what they lack."""
    ranked = sorted(matches, key=lambda m: -m.score)
    close = [m for m in ranked if m.columns][:3] or ranked[:3]
    hints = "; ".join(f"{m.spec.description} ({m.spec.id}) would need {', '.join(repr(h) for h in m.missing)}" for m in close)
    header = next((row for row in table.head if _nonempty(row) >= 2), table.head[0] if table.head else [])
    found = ", ".join(c.strip() for c in header if c.strip())
    message = "not a known export format"
    if sum(1 for c in header if c.strip().startswith("*")) >= 3:
        message += " (this looks like an import template, which marks required columns with '*', not an export)"
    message += f". Closest: {hints}. For another tool, map its columns in a [[sources]] entry (system = \"csv\")"
    return UnknownFormatError(
        message,
        file=table.path,
        found=f"header {found}" if found else "no header row",
        expected="the header row of a HubSpot, Pipedrive, QuickBooks Online, Xero or Jobber export",
    )
