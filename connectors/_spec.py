"""Export formats and status vocabularies, as declared in ``connectors/<system>.toml``.

Each vendor file holds its export formats (the header variants of every field, which
fields identify the format, which are required) and its status maps. This module turns
those files into :class:`FormatSpec` objects for detection and reading, and serves
:func:`load_status_map`. The files ship in the wheel and are read with
``importlib.resources``, never from the working directory.

TOML shape (see ``jobber.toml`` for a full example)::

    system = "jobber"
    label = "Jobber"
    role = "operations"
    dayfirst = false               # default when the dates of a file cannot tell

    [formats.invoices]
    description = "Jobber invoices export"
    reader = "read_invoices"       # function in connectors/jobber.py
    record_type = "invoice"
    anchors = ["record_id"]        # fields that must all be present
    signature = ["created", "due", "job_refs", "raw_status", "amount", "balance"]
    min_signature = 4              # how many signature fields must be present
    required = ["record_id", "raw_status", "amount"]   # MissingColumnError otherwise
    titles = []                    # regexes matched against the rows above the header
    columns = { record_id = ["Invoice #", "Invoice number"], ... }   # or the name of a [columns.X] table
    patterns = { job_refs = "job(?:#|number|no|id)s?$" }             # header regexes (normalised headers)

    [status_map.invoice]
    "awaiting payment" = "invoiced"
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from driftcheck.errors import ConfigError
from driftcheck.lifecycle import STATES

from ._values import norm_header

__all__ = ["SYSTEM_FILES", "FormatSpec", "all_specs", "load_status_map", "spec_for", "system_info"]

#: Vendor systems with a TOML description, in detection order.
SYSTEM_FILES = ("hubspot", "pipedrive", "quickbooks", "xero", "jobber")


@dataclass(frozen=True, eq=False)
class FormatSpec:
    """One export format of one vendor."""

    id: str  #: ``<system>.<kind>``
    system: str
    kind: str
    role: str
    label: str  #: vendor name for messages, ``"QuickBooks Online"``
    description: str
    reader: str  #: function name in ``connectors/<system>.py``
    record_type: str | None
    columns: dict[str, tuple[str, ...]]  #: field -> header variants, as written
    anchors: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    min_signature: int = 1
    required: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    patterns: dict[str, str] = field(default_factory=dict)
    dayfirst: bool = False
    options: dict[str, Any] = field(default_factory=dict)  #: everything else in the format table

    @functools.cached_property
    def _variant_keys(self) -> dict[str, tuple[str, ...]]:
        return {name: tuple(norm_header(v) for v in variants) for name, variants in self.columns.items()}

    def match(self, headers: list[str]) -> dict[str, list[int]]:
        """Which header positions hold which field.

        A field takes the first of its variants (in TOML order) present in ``headers``;
        a header serves one field at most. Pattern fields (CRM custom properties naming
        a job number) take every remaining header their regex matches.
        """
        keys = [norm_header(h) for h in headers]
        first_pos: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            first_pos.setdefault(k, []).append(i)
        taken: set[int] = set()
        found: dict[str, list[int]] = {}
        for name, wants in self._variant_keys.items():
            for want in wants:
                pos = next((i for i in first_pos.get(want, ()) if i not in taken), None)
                if pos is not None:
                    found[name] = [pos]
                    taken.add(pos)
                    break
        for name, pattern in self.patterns.items():
            hits = [i for i, k in enumerate(keys) if k and i not in taken and re.search(pattern, k)]
            if hits:
                found.setdefault(name, [])
                found[name] = found[name] + hits
                taken.update(hits)
        return found

    def first_variant(self, name: str) -> str:
        """The main header spelling of a field, for messages."""
        variants = self.columns.get(name)
        return variants[0] if variants else name


def _resource_text(system: str) -> str:
    return resources.files("connectors").joinpath(f"{system}.toml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _load(system: str) -> dict[str, Any]:
    if system not in SYSTEM_FILES:
        raise ConfigError(f"unknown system '{system}'; known: {', '.join(SYSTEM_FILES)}", key="system")
    try:
        return tomllib.loads(_resource_text(system))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as exc:  # a packaging bug, said plainly
        raise ConfigError(f"cannot read the built-in description of {system}: {exc}", file=f"connectors/{system}.toml") from exc


def system_info(system: str) -> dict[str, Any]:
    """The top-level keys of a system's TOML: ``label``, ``role``, ``dayfirst``."""
    data = _load(system)
    return {k: v for k, v in data.items() if not isinstance(v, dict)}


@functools.lru_cache(maxsize=None)
def _specs(system: str) -> tuple[FormatSpec, ...]:
    data = _load(system)
    shared = data.get("columns", {})
    out = []
    for kind, table in data.get("formats", {}).items():
        table = dict(table)
        cols = table.pop("columns")
        if isinstance(cols, str):
            cols = shared[cols]
        known = ("description", "reader", "record_type", "anchors", "signature", "min_signature", "required", "titles", "patterns")
        out.append(
            FormatSpec(
                id=f"{system}.{kind}",
                system=system,
                kind=kind,
                role=data["role"],
                label=data["label"],
                description=table["description"],
                reader=table["reader"],
                record_type=table.get("record_type"),
                columns={k: tuple(v) for k, v in cols.items()},
                anchors=tuple(table.get("anchors", ())),
                signature=tuple(table.get("signature", ())),
                min_signature=int(table.get("min_signature", 1)),
                required=tuple(table.get("required", ())),
                titles=tuple(table.get("titles", ())),
                patterns=dict(table.get("patterns", {})),
                dayfirst=bool(data.get("dayfirst", False)),
                options={k: v for k, v in table.items() if k not in known},
            )
        )
    return tuple(out)


def all_specs() -> list[FormatSpec]:
    """Every known export format, in detection order."""
    return [s for system in SYSTEM_FILES for s in _specs(system)]


def spec_for(format_id: str | None = None, *, system: str | None = None) -> list[FormatSpec]:
    """The formats matching a format id (``jobber.invoices``) or a whole system (``jobber``).

    Raises:
        ConfigError: the format or system is unknown.
    """
    specs = all_specs()
    if format_id:
        hits = [s for s in specs if s.id == format_id or (s.kind == format_id and (system is None or s.system == system))]
        if not hits:
            raise ConfigError(f"unknown format '{format_id}'; known: {', '.join(s.id for s in specs)}", key="format")
        return hits
    if system:
        hits = [s for s in specs if s.system == system]
        if not hits:
            raise ConfigError(f"unknown system '{system}'; known: {', '.join(SYSTEM_FILES)}, csv", key="system")
        return hits
    return specs


@functools.lru_cache(maxsize=None)
def _status_map(system: str) -> dict[str, dict[str, str]]:
    if system == "csv":
        return {}
    maps = _load(system).get("status_map", {})
    out: dict[str, dict[str, str]] = {}
    for record_type, table in maps.items():
        for raw, state in table.items():
            if state not in STATES:
                raise ConfigError(
                    f"status '{raw}' maps to '{state}', which is not a lifecycle state",
                    file=f"connectors/{system}.toml",
                    key=f"status_map.{record_type}",
                )
        out[record_type] = {str(raw).strip().lower(): state for raw, state in table.items()}
    return out


def load_status_map(system: str) -> dict[str, dict[str, str]]:
    """A vendor's built-in status vocabulary: record type -> {lower-cased raw status -> state}.

    Covers the labels its exports write and the enum values its API returns (another
    connector emits those as ``raw_status``). Parsed once per process; each call gets
    its own copy, so a caller may layer ``driftcheck.toml`` overrides on it.

    Args:
        system: ``hubspot``, ``pipedrive``, ``quickbooks``, ``xero``, ``jobber``, or ``csv``
            (the generic reader has no built-in vocabulary: an empty map).

    Raises:
        ConfigError: the system is unknown.

    Example:
        >>> load_status_map("jobber")["invoice"]["past due"]
        'invoiced'
    """
    return {rt: dict(m) for rt, m in _status_map(system).items()}
