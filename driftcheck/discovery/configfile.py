"""``driftcheck init``: a commented ``driftcheck.toml`` written from what discovery learned.

The file holds, in order:

* the business name, audit date and ``fail_on`` as commented-out settings;
* ``[[sources]]``: every export with its system and its path relative to the file (the
  name stays the file name, so findings keep the ids a zero-config scan gives them);
* ``[status_map.<system>.<record type>]``: an entry for **every** observed status value.
  Values a map already covers are plain entries (the same mapping, now visible and
  editable); values no map covers carry discovery's suggestion with its evidence and a
  ``# suggested: review`` mark, or stay commented out when there is no suggestion. A
  stage column the status map does not read (Pipedrive's ``Deal - Stage``) is listed as
  comments;
* ``[owners]``: the owner of each domain, with the systems that also claim it and how
  often they disagree;
* ``[rules.<id>]``: thresholds. Where the business's own 90th percentile makes a default
  absurd, the adjusted ``within_days`` is written with the reason; the rest stay
  commented with what was measured;
* an ``[email]`` stub, commented out.

Overwriting a file (``init --force``) keeps what discovery does not learn: the business,
currency, pinned audit date, ``fail_on`` and rule packs, and the ``[[links]]``,
``[matching]``, ``[email]``, ``[web]``, ``[history]``, ``[cache]``, ``[teams]`` and
``[discovery]`` tables, copied as written (comments included), see :func:`carry_over`.

The written file loads with :func:`driftcheck.config.load_config`; a scan with it gives
the zero-config findings, less the ones a raised threshold calls normal work, plus the
ones the mappings enable.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

from ..errors import UsageError
from ..lifecycle import DOMAINS, domain_of
from .model import Discovery, VocabEntry, Vocabulary
from .vocabulary import DERIVED

__all__ = ["carry_over", "render_config", "write_config"]

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_WIDTH = 96
_PLURAL = {"deal": "deals", "job": "jobs", "invoice": "invoices", "payment": "payments", "deposit": "deposits"}
_SYSTEM_LABELS = {"hubspot": "HubSpot", "pipedrive": "Pipedrive", "quickbooks": "QuickBooks",
                  "xero": "Xero", "jobber": "Jobber", "csv": "CSV"}


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL is the one JSON leaves raw)."""
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(value: str) -> str:
    return value if _BARE.match(value) else _s(value)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _comment(text: str, indent: str = "") -> list[str]:
    """``text`` as ``#`` lines wrapped to the file's width."""
    return [f"{indent}# {line}" for line in textwrap.wrap(_one_line(text), _WIDTH - len(indent) - 2)] or [f"{indent}#"]


def _count(n: int, rtype: str) -> str:
    return f"{n} {rtype if n == 1 else _PLURAL.get(rtype, rtype + 's')}"


def _rule(title: str) -> list[str]:
    return ["", f"# {'-' * 4} {title} {'-' * max(4, _WIDTH - len(title) - 8)}"]


def _header(d: Discovery, base: Path) -> list[str]:
    rel = [_rel(Path(p), base) for p in d.paths]
    where = ", ".join("the exports in this folder" if r == "." else r for r in rel) or "the sources of the previous driftcheck.toml"
    lines = [
        f"# driftcheck settings for {d.business or 'this business'}, written by `driftcheck init` from {where}",
        f"# ({len(d.sources)} exports, {d.jobs} jobs, as of {d.as_of}). Every value below comes from the data;",
        "# lines marked 'suggested: review' are guesses to confirm with the business. `driftcheck discover`",
        "# shows the evidence, `driftcheck rules` every rule. Paths are relative to this file.",
        "",
        f"business = {_s(d.business)}" if d.business else '# business = "Your business name"',
        f"# as_of = {_s(d.as_of)}   # pin the audit date (a demo, a re-run); unset, every scan uses today",
        '# fail_on = "low"          # exit 1 when a finding at or above this severity exists (high, medium, low, never)',
    ]
    return lines


def _rel(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def _sources(d: Discovery, base: Path) -> list[str]:
    lines = _rule("sources")
    lines += _comment("One entry per export. `system` skips detecting the vendor (the format is still detected); "
                      "the name is the file name, so findings keep the ids a scan without this file gives them.")
    for s in d.sources:
        if s.path.startswith("api:") or not Path(s.path).exists():
            lines += ["", *_comment(f"{s.name}: {s.format} ({s.system}) is not a file; keep its [[sources]] entry by hand.")]
            continue
        kinds = ", ".join(_count(n, t) for t, n in s.by_type.items())
        span = f", {s.first} to {s.last}" if s.first and s.last else ""
        lines += ["", *_comment(f"{s.format}: {kinds}{span}. Detected because it {s.reason}." if s.reason else f"{s.format}: {kinds}{span}."),
                  "[[sources]]", f"name = {_s(s.name)}", f"path = {_s(_rel(Path(s.path), base))}", f"system = {_s(s.system)}"]
    return lines


def _entry_lines(e: VocabEntry, rtype: str, system_label: str, owners: dict[str, str]) -> list[str]:
    counted = _count(e.count, rtype)
    if e.state is not None:
        lines = []
        if e.note:
            lines += _comment(f"Review: {e.note}.")
            if e.note_state and e.note_state != e.state:
                domain = domain_of(e.note_state) or ""
                owner = owners.get(domain)
                lines += _comment(f"If '{e.value}' means '{e.note_state}' here, write {_s(e.value)} = {_s(e.note_state)}: "
                                  f"{system_label} then carries a second version of the {domain} truth, checked against "
                                  f"{owner or 'its owner'}.")
        origin = "" if (e.mapped_by or "").startswith("driftcheck.toml") else f" ({e.mapped_by})" if e.mapped_by else ""
        return [*lines, f"{_s(e.value)} = {_s(e.state)}   # {counted}{origin}"]
    if e.suggestion is None:
        states = ", ".join(s for states in DOMAINS.values() for s in states)
        return [*_comment(f"{counted}; no map covers it and discovery has no suggestion. Choose one of: {states}."),
                f"# {_s(e.value)} = \"\""]
    sug = e.suggestion
    return [*_comment(f"{counted}; suggested ({sug.confidence} confidence): " + "; ".join(sug.evidence) + "."),
            f"{_s(e.value)} = {_s(sug.state)}   # suggested: review"]


def _column_text(column: str) -> str:
    return "status derived by the reader" if column == DERIVED else f"column '{column}'"


def _status_maps(d: Discovery) -> list[str]:
    lines = _rule("status maps")
    states = " | ".join(" ".join(s) for s in DOMAINS.values())
    lines += _comment("[status_map.<system or source name>.<record type>] \"value as exported\" = \"lifecycle state\". "
                      f"Every value the exports hold is listed. States: {states}.")
    owner_names = {t.domain: ", ".join(_SYSTEM_LABELS.get(x, x) for x in t.owner_systems) or t.owner_role for t in d.truths}
    tables: dict[tuple[str, str], list[tuple[Vocabulary, VocabEntry]]] = {}
    for v in d.vocabularies:
        if v.kind != "status":
            continue
        for e in v.entries:
            key = e.map_key or v.system
            tables.setdefault((key, v.record_type), []).append((v, e))
    for (key, rtype), items in tables.items():
        columns = sorted({v.column for v, _ in items})
        sources = sorted({v.source for v, _ in items})
        system = items[0][0].system
        merged: dict[str, VocabEntry] = {}
        for _, e in items:
            k = e.value.strip().lower()
            if k in merged:
                merged[k].count += e.count
            else:
                merged[k] = VocabEntry(**{**e.__dict__})
        lines += ["", *_comment(f"{', '.join(sources)}: " + ", ".join(_column_text(c) for c in columns)),
                  f"[status_map.{_key(key)}.{rtype}]"]
        for e in merged.values():
            lines += _entry_lines(e, rtype, _SYSTEM_LABELS.get(system, system), owner_names)
    for v in d.vocabularies:
        if v.kind != "stage":
            continue
        lines += ["", *_comment(f"{v.source}: the column '{v.column}' holds this pipeline's own stages. driftcheck reads "
                                "a deal's state from its status column, not from these, so they are listed here for "
                                "reference, with what discovery makes of each:")]
        for e in v.entries:
            statuses = ", ".join(f"{k} {n}" for k, n in e.by_status.items())
            guess = f"looks like '{e.suggestion.state}'" if e.suggestion else "no suggestion"
            lines.append(f"#   {_s(e.value):<22} {_count(e.count, 'deal')} ({statuses}); {guess}")
    return lines


def _owners(d: Discovery) -> list[str]:
    lines = [*_rule("owners"), *_comment("Which role's system holds the truth of each domain (crm, operations, accounting). "
                                         "Where another system also carries a status, its disagreements with the owner "
                                         "are what the status-conflict rule reports."), "[owners]"]
    for t in d.truths:
        owner = ", ".join(_SYSTEM_LABELS.get(s, s) for s in t.owner_systems) or f"no {t.owner_role} records of it in these exports"
        others = [c for c in t.claims if not c.owner]
        note = f"{owner}"
        compared = [c for c in others if c.compared]
        listed = [c for c in others if not c.compared]
        parts = [f"{_SYSTEM_LABELS.get(c.system, c.system)} {_PLURAL.get(c.record_type, c.record_type)} disagree on "
                 f"{c.compared - c.agree} of {c.compared}" for c in compared]
        by_system: dict[str, list[str]] = {}
        for c in listed:
            by_system.setdefault(_SYSTEM_LABELS.get(c.system, c.system), []).append(_PLURAL.get(c.record_type, c.record_type))
        parts += [f"{label} {' and '.join(kinds)} also carry it" for label, kinds in by_system.items()]
        if parts:
            note += "; " + "; ".join(parts)
        lines.append(f"{t.domain} = {_s(t.owner_role)}   # {note}")
    return lines


def _rules(d: Discovery) -> list[str]:
    lines = [*_rule("rule thresholds"), *_comment("within_days: how old a situation must be before it is a finding. "
                                                  "Each was compared with this business's own timing.")]
    for t in d.thresholds:
        measured = (f"measured {t.measures}: median {t.median:.0f}, 90th percentile {t.p90:.0f} days over {t.measured}"
                    if t.median is not None and t.p90 is not None else f"measured {t.measures}")
        lines.append("")
        if t.proposed is not None:
            lines += _comment(f"Default {t.default} days; {measured}. {t.reason[0].upper()}{t.reason[1:]}.")
            lines += [f"[rules.{_key(t.rule)}]", f"within_days = {t.proposed}"]
        else:
            lines += [f"# [rules.{_key(t.rule)}]", f"# within_days = {t.default}"]
            lines += _comment(f"{measured}; {t.reason}.")
    return lines


def _email() -> list[str]:
    return [
        *_rule("email"),
        "# Send the scan report by email (`driftcheck scan --email office@example.com`). The password is",
        "# never written here: `driftcheck auth set smtp` keeps it in the keyring.",
        "# [email]",
        '# host = "smtp.example.com"',
        "# port = 587",
        '# security = "starttls"      # starttls, ssl or none',
        '# user = "office@example.com"',
        '# from = "driftcheck <office@example.com>"',
        '# to = ["owner@example.com"]',
        '# subject_prefix = "driftcheck"',
    ]


#: What a consultant writes by hand and discovery never learns: kept when ``init --force`` rewrites a file.
CARRIED_KEYS = ("business", "currency", "as_of", "fail_on", "rule_packs")
CARRIED_TABLES = ("links", "matching", "email", "web", "history", "cache", "teams", "discovery")
_HEADER = re.compile(r'^\s*\[\[?\s*(?P<root>"[^"]*"|[A-Za-z0-9_-]+)\s*[\].]')


def _toml_value(value: object) -> str:
    """A carried top-level value as TOML (text, a date, a number or a list of texts)."""
    import datetime as dt

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return _s(value.isoformat())
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _s(str(value))


def _table_blocks(text: str, roots: set[str]) -> list[str]:
    """The lines of ``text``'s tables whose root key is in ``roots``, each with the comment
    lines just above its header, in the file's order."""
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    out: list[str] = []
    for n, i in enumerate(heads):
        root = _HEADER.match(lines[i])["root"].strip('"')  # type: ignore[index]
        if root not in roots:
            continue
        start = i
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        while end > i + 1 and lines[end - 1].lstrip().startswith("#"):  # the next table's comments
            end -= 1
        block = lines[start:end]
        while block and not block[-1].strip():
            block.pop()
        out += ["", *block]
    return out


def carry_over(old_text: str, new_text: str) -> tuple[str, list[str]]:
    """``new_text`` with the hand-written settings of ``old_text`` that discovery does not learn.

    Top-level settings (:data:`CARRIED_KEYS`) go above the first table, unless the new text
    already sets them; tables (:data:`CARRIED_TABLES`) are copied as written at the end.

    Returns:
        The text, and what was kept (``["currency", "[[links]] x2", "[web]"]``) for the command to say.

    Raises:
        UsageError: the old file is not valid TOML, or its kept settings would not read back
            the same (nothing is written then).
    """
    import tomllib

    try:
        old = tomllib.loads(old_text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"the existing file is not valid TOML ({exc}); fix it or move it away before "
                         "`driftcheck init --force`, so its [[links]] and other hand-written settings are not lost") from exc
    new = tomllib.loads(new_text)
    keys = [k for k in CARRIED_KEYS if k in old and k not in new]
    tables = [t for t in CARRIED_TABLES if t in old]
    if not keys and not tables:
        return new_text, []
    lines = new_text.rstrip("\n").splitlines()
    if "email" in tables:  # the commented stub would only repeat the real table
        lines = _without_email_stub(lines)
    if keys:
        first = next((i for i, line in enumerate(lines) if line.startswith("# ----")), len(lines))
        first -= 1 if first and not lines[first - 1].strip() else 0  # above the rule's blank line
        lines[first:first] = ["", "# kept from the previous driftcheck.toml",
                              *(f"{k} = {_toml_value(old[k])}" for k in keys)]
    if tables:
        lines += [*_rule("kept from the previous driftcheck.toml"),
                  *_comment("Written by hand, not by discovery: copied as they were."),
                  *_table_blocks(old_text, set(tables))]
    text = "\n".join(lines).rstrip() + "\n"
    back = tomllib.loads(text)
    lost = [k for k in (*keys, *tables) if back.get(k) != old[k]]
    if lost:
        raise UsageError(f"could not keep {', '.join(lost)} of the existing file as written; not overwriting it. "
                         "Write the new file elsewhere with `--output` and copy those settings by hand")
    kept = [*keys, *(f"[[{t}]] x{len(old[t])}" if isinstance(old[t], list) else f"[{t}]" for t in tables)]
    return text, kept


def _without_email_stub(lines: list[str]) -> list[str]:
    stub = _email()
    for i in range(len(lines) - len(stub) + 1):
        if lines[i:i + len(stub)] == stub:
            return lines[:i] + lines[i + len(stub):]
    return lines


def render_config(discovery: Discovery, path: Path) -> str:
    """The text of a commented ``driftcheck.toml`` for ``discovery``, to be written at ``path``.

    Args:
        discovery: what :func:`~driftcheck.discovery.discover` learned.
        path: where the file will live (source paths are written relative to its folder).

    Returns:
        The file's text.
    """
    base = Path(path).parent
    lines = [*_header(discovery, base), *_sources(discovery, base), *_status_maps(discovery),
             *_owners(discovery), *_rules(discovery), *_email()]
    return "\n".join(lines).rstrip() + "\n"


def write_config(discovery: Discovery, path: Path, *, force: bool = False) -> tuple[str, list[str]]:
    """Write :func:`render_config`'s file to ``path``.

    Args:
        discovery: what discovery learned.
        path: the file to write (conventionally ``driftcheck.toml`` beside the exports).
        force: overwrite an existing file, keeping its hand-written settings
            (:func:`carry_over`). Defaults to False.

    Returns:
        The text written, and what was kept from the file it replaced (:func:`carry_over`;
        empty for a new file).

    Raises:
        UsageError: ``path`` exists and ``force`` is False, or its hand-written settings cannot
            be kept.

    Example:
        >>> write_config(discover([Path("exports")]), Path("exports") / "driftcheck.toml")
    """
    path = Path(path)
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; not overwriting it. Run `driftcheck init --force` to replace it, "
                         f"or `--output` to write somewhere else")
    text, kept = render_config(discovery, path), []
    if path.exists():
        text, kept = carry_over(path.read_text(encoding="utf-8-sig"), text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text, kept
