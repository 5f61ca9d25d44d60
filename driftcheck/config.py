"""``driftcheck.toml``: finding it, reading it (tomllib), and checking the keys the core uses.

The file is optional. A scan with no configuration works on a folder of
exports; the file adds what only the business knows: its name, a pinned audit
date, sources with options, extra status-map entries, who owns which truth,
rule thresholds and switches. Other sections (``[matching]``, ``[[links]]``,
``[email]``, ``[web]``, ``[history]``) are read by the modules that own them,
from :attr:`Config.raw`.

Example::

    business = "Harbor & Pine Renovations"
    currency = "USD"              # what amounts are written in (default: the exports' own codes, else $)
    as_of = "2026-11-20"          # pin the audit date (a demo, or a re-run)
    fail_on = "low"               # exit 1 when a finding at or above this severity exists

    [[sources]]
    name = "quickbooks"
    path = "exports/Invoice List by Date.csv"   # relative to this file
    dayfirst = false

    [status_map.hubspot.deal]     # [status_map.<system or source name>.<record type>]
    "Deposit Received" = "won"

    [owners]                      # which role owns the truth of each domain
    billing = "accounting"

    [rules.invoice-overdue]       # re-threshold or disable any rule
    within_days = 30
    [rules.orphan-job]
    enabled = false
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .lifecycle import DEFAULT_OWNERS, DOMAINS, STATES
from .model import RECORD_TYPES, ROLES, SYSTEMS

__all__ = ["CONFIG_NAME", "SEVERITIES", "Config", "SourceConfig", "find_config", "load_config"]

CONFIG_NAME = "driftcheck.toml"
SEVERITIES = ("high", "medium", "low")
_FAIL_ON = (*SEVERITIES, "never")

_TOP_KEYS = {
    "business", "currency", "as_of", "fail_on", "sources", "status_map", "owners", "teams", "rules",
    "rule_packs", "matching", "links", "email", "web", "history", "cache", "discovery",
}
_SOURCE_KEYS = {
    "name", "path", "system", "format", "mode", "dayfirst", "encoding", "role", "record_type",
    "columns", "enabled",
}


@dataclass
class SourceConfig:
    """One ``[[sources]]`` entry."""

    name: str
    path: Path | None = None
    system: str | None = None
    format: str | None = None
    mode: str = "export"
    dayfirst: bool | None = None
    encoding: str | None = None
    role: str | None = None
    record_type: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    """A loaded ``driftcheck.toml`` (or the empty default)."""

    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    business: str | None = None
    #: ISO 4217 code amounts are written in (None: the records' own codes, else dollars)
    currency: str | None = None
    as_of: dt.date | None = None
    fail_on: str | None = None
    sources: list[SourceConfig] = field(default_factory=list)
    #: key (system or source name) -> record type -> {lower raw value: state}
    status_map: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_OWNERS))
    #: role -> team that fixes what that role's system gets wrong
    teams: dict[str, str] = field(default_factory=lambda: {"crm": "sales", "operations": "operations", "accounting": "accounting"})
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    rule_packs: list[Path] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the file are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    def section(self, name: str) -> dict[str, Any]:
        """A top-level table (``[email]``), empty when absent."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def find_config(explicit: Path | None, search_dirs: Iterable[Path] = ()) -> Path | None:
    """The config file to use: ``explicit``, else ``driftcheck.toml`` in the first folder that has one.

    Raises:
        ConfigError: ``explicit`` was given and does not exist.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("the config file does not exist", file=explicit)
        return explicit
    for d in search_dirs:
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _expect(cond: bool, message: str, file: Path, key: str) -> None:
    if not cond:
        raise ConfigError(message, file=file, key=key)


def load_config(path: Path | None) -> Config:
    """Read and check ``driftcheck.toml``; ``None`` gives the defaults.

    Raises:
        ConfigError: the file is not valid TOML, or a key has a wrong type or value
            (the message names the file, the key, what was found and what was expected).
    """
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=path) from exc
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror}", file=path) from exc

    cfg = Config(path=path, raw=raw)
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(_TOP_KEYS))}", file=path, key=unknown[0])

    if "business" in raw:
        _expect(isinstance(raw["business"], str), f"expected text, found {raw['business']!r}", path, "business")
        cfg.business = raw["business"]
    if "currency" in raw:
        from .currency import CODE

        cur = raw["currency"]
        _expect(isinstance(cur, str) and bool(CODE.match(cur.strip().upper())),
                f"found {cur!r}, expected a three-letter ISO currency code such as USD, GBP or EUR", path, "currency")
        cfg.currency = cur.strip().upper()
    if "as_of" in raw:
        cfg.as_of = _parse_date(raw["as_of"], path, "as_of")
    if "fail_on" in raw:
        _expect(raw["fail_on"] in _FAIL_ON, f"found {raw['fail_on']!r}, expected one of {', '.join(_FAIL_ON)}", path, "fail_on")
        cfg.fail_on = raw["fail_on"]

    cfg.sources = [_source(i, s, path) for i, s in enumerate(_list_of_tables(raw.get("sources", []), path, "sources"))]
    names = [s.name for s in cfg.sources]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"source name {sorted(dupes)[0]!r} is used twice; names must be unique", file=path, key="sources")

    cfg.status_map = _status_map(raw.get("status_map", {}), path)

    owners = raw.get("owners", {})
    _expect(isinstance(owners, dict), "expected a table", path, "owners")
    for domain, role in owners.items():
        _expect(domain in DOMAINS, f"unknown domain {domain!r}, expected one of {', '.join(DOMAINS)}", path, f"owners.{domain}")
        _expect(role in ROLES, f"found {role!r}, expected one of {', '.join(ROLES)}", path, f"owners.{domain}")
        cfg.owners[domain] = role

    teams = raw.get("teams", {})
    _expect(isinstance(teams, dict), "expected a table", path, "teams")
    for role, team in teams.items():
        _expect(role in ROLES, f"unknown role {role!r}, expected one of {', '.join(ROLES)}", path, f"teams.{role}")
        _expect(isinstance(team, str) and team, "expected a team name", path, f"teams.{role}")
        cfg.teams[role] = team

    rules = raw.get("rules", {})
    _expect(isinstance(rules, dict), "expected a table of [rules.<rule-id>] tables", path, "rules")
    for rid, table in rules.items():
        _expect(isinstance(table, dict), "expected a table", path, f"rules.{rid}")
        cfg.rules[rid] = table

    packs = raw.get("rule_packs", [])
    _expect(isinstance(packs, list) and all(isinstance(p, str) for p in packs), "expected a list of file paths", path, "rule_packs")
    cfg.rule_packs = [(path.parent / p) for p in packs]
    return cfg


def _parse_date(value: Any, path: Path, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"found {value!r}, expected a date like 2026-11-20", file=path, key=key)


def _list_of_tables(value: Any, path: Path, key: str) -> list[dict[str, Any]]:
    _expect(isinstance(value, list) and all(isinstance(v, dict) for v in value), "expected [[" + key + "]] tables", path, key)
    return value


def _source(i: int, s: dict[str, Any], path: Path) -> SourceConfig:
    key = f"sources[{i}]"
    mode = s.get("mode", "export")
    _expect(mode in ("export", "api"), f"mode: found {mode!r}, expected 'export' or 'api'", path, key)
    if mode == "export":
        unknown = sorted(set(s) - _SOURCE_KEYS)
        if unknown:
            raise ConfigError(f"unknown key {unknown[0]!r}; known: {', '.join(sorted(_SOURCE_KEYS))}", file=path, key=key)
    name = s.get("name")
    _expect(name is None or (isinstance(name, str) and name), "name: expected text", path, key)
    system = s.get("system")
    _expect(system is None or system in SYSTEMS, f"system: found {system!r}, expected one of {', '.join(SYSTEMS)}", path, key)
    src_path = s.get("path")
    if mode == "export":
        _expect(isinstance(src_path, str) and src_path, "path: an export source needs the path of its file", path, key)
    elif src_path is not None:
        _expect(isinstance(src_path, str), "path: expected text", path, key)
    if mode == "api":
        _expect(system is not None and system != "csv", "system: an API source needs its system (hubspot, quickbooks, ...)", path, key)
    role = s.get("role")
    _expect(role is None or role in ROLES, f"role: found {role!r}, expected one of {', '.join(ROLES)}", path, key)
    rtype = s.get("record_type")
    _expect(rtype is None or rtype in RECORD_TYPES, f"record_type: found {rtype!r}, expected one of {', '.join(RECORD_TYPES)}", path, key)
    dayfirst = s.get("dayfirst")
    _expect(dayfirst is None or isinstance(dayfirst, bool), "dayfirst: expected true or false", path, key)
    columns = s.get("columns", {})
    _expect(isinstance(columns, dict) and all(isinstance(v, str) for v in columns.values()), "columns: expected a table of schema column = \"file header\"", path, key)
    resolved = (path.parent / src_path) if src_path else None
    return SourceConfig(
        name=name or (Path(src_path).name if src_path else f"{system}-api"),
        path=resolved,
        system=system,
        format=s.get("format"),
        mode=mode,
        dayfirst=dayfirst,
        encoding=s.get("encoding"),
        role=role,
        record_type=rtype,
        columns=dict(columns),
        raw=dict(s),
    )


def _status_map(value: Any, path: Path) -> dict[str, dict[str, dict[str, str]]]:
    _expect(isinstance(value, dict), "expected [status_map.<system or source>.<record type>] tables", path, "status_map")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for owner_key, by_type in value.items():
        _expect(isinstance(by_type, dict), "expected [status_map.<system or source>.<record type>] tables", path, f"status_map.{owner_key}")
        for rtype, mapping in by_type.items():
            k = f"status_map.{owner_key}.{rtype}"
            _expect(rtype in RECORD_TYPES, f"unknown record type {rtype!r}, expected one of {', '.join(RECORD_TYPES)}", path, k)
            _expect(isinstance(mapping, dict), "expected a table of \"raw status\" = \"state\"", path, k)
            for raw_value, state in mapping.items():
                _expect(
                    state in STATES,
                    f"{raw_value!r} maps to {state!r}, which is not a lifecycle state; expected one of {', '.join(sorted(STATES))}",
                    path,
                    k,
                )
                out.setdefault(owner_key, {}).setdefault(rtype, {})[str(raw_value).strip().lower()] = state
    return out
