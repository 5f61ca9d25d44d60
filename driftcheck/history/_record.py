"""Recording one scan: its sources, its findings (new, open, resolved), acknowledgements, record snapshots.

:func:`record_scan` is the one writer. It runs as a single transaction and
stores only what changed since the previous scan:

* a ``scans`` row and one ``scan_sources`` row per source, every time;
* a ``finding_states`` row when a finding opens, when its severity, amount or
  evidence changes, and when it resolves (``present = 0``);
* a ``record_states`` row when a record first appears, when any tracked field
  (:data:`STATE_FIELDS`) changes, and when it leaves its export (``gone = 1``).

So rescanning identical exports writes the scan log and nothing else.

Records are identified by ``(record_id, system, record_type)``, not by source
name: a weekly export saved under a new file name (``deals (3).csv``) is the
same source, and its records must not all look new.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._db import opened, transaction

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SEVERITIES", "STATE_FIELDS", "fingerprint", "record_scan", "summarise"]

#: Severities, most urgent first (findings sort in this order).
SEVERITIES = ("high", "medium", "low")

_DATE_FIELDS = ("created", "updated", "scheduled", "completed", "closed", "due", "paid")
#: Record fields whose change is stored (a snapshot row per change) and shown in timelines.
STATE_FIELDS = ("job", "raw_status", "state", "sent", "amount", "balance", *_DATE_FIELDS)
_KEY = ("record_id", "system", "record_type")
_LABELS = ("source", "customer", "company", "title")
_ROW_COLUMNS = (*_KEY, *_LABELS, *STATE_FIELDS)


def fingerprint(finding: dict[str, Any]) -> str:
    """A short hash of a finding's amount and evidence values.

    An acknowledgement stores it; when a later scan's fingerprint differs (a
    different amount or state), the acknowledgement lapses.

    Args:
        finding: a ``driftcheck.scan/1`` finding dict.

    Returns:
        16 hex characters; equal for equal amount and evidence, in any order.
    """
    evidence = sorted(
        [str(e.get("source")), str(e.get("record")), str(e.get("field")), json.dumps(e.get("value"), default=str, sort_keys=True)]
        for e in finding.get("evidence") or []
    )
    amount = _money(finding.get("amount"))
    payload = json.dumps({"amount": None if amount is None else round(amount, 2), "evidence": evidence})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def summarise(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary counts of a list of findings.

    Returns:
        ``findings``, ``by_severity`` (every severity, zeros included), ``by_rule``
        and ``by_owner`` (largest first), and ``amount_at_stake`` (sum of amounts).
    """
    by_severity = dict.fromkeys(SEVERITIES, 0) | Counter(f.get("severity") for f in findings)
    return {
        "findings": len(findings),
        "by_severity": by_severity,
        "by_rule": dict(Counter(f.get("rule") for f in findings).most_common()),
        "by_owner": dict(Counter(f.get("owner") for f in findings).most_common()),
        "amount_at_stake": round(sum((_money(f.get("amount")) or 0.0 for f in findings), 0.0), 2),
    }


def record_scan(
    db_path: Path,
    scan: dict[str, Any],
    records: pd.DataFrame,
    *,
    ran_at: datetime | None = None,
    show_acknowledged: bool = False,
) -> dict[str, Any]:
    """Record a scan in the history and mark what changed since the previous one.

    The scan dict is updated in place (and returned):

    * every finding gets ``status`` (``"new"``: not open in the previous scan;
      ``"open"``: it was) and ``first_seen`` (audit date of the scan that opened
      this spell of it);
    * acknowledged findings leave ``findings`` (unless ``show_acknowledged``,
      then they stay with an ``acknowledgement`` dict) and are listed in
      ``scan["acknowledged"]``; a finding whose acknowledgement lapsed this scan
      carries ``acknowledgement: {"lapsed": "evidence changed" | "until D passed", ...}``;
    * ``scan["resolved"]`` lists findings open in the previous scan and absent now;
    * ``summary`` counts (``findings``, ``by_severity``, ``by_rule``, ``by_owner``,
      ``amount_at_stake``, ``new``) describe the findings left in ``findings``;
      ``summary["acknowledged"]`` and ``summary["resolved"]`` count the others.

    The history's own per-scan counts (see :func:`history_rows`) include
    acknowledged findings, so a trend does not dip when something is acknowledged.

    Args:
        db_path: the history file; created with its folder when missing.
        scan: a ``driftcheck.scan/1`` dict.
        records: the record frame (``RECORD_SCHEMA`` columns plus ``job``; ``x:*``
            columns are ignored). Records without an id are not tracked.
        ran_at: when the scan ran. Defaults to now (UTC).
        show_acknowledged: keep acknowledged findings in ``findings``. Defaults to False.

    Returns:
        The same scan dict.

    Raises:
        HistoryError: the file is unusable (newer schema, not a database) or stayed
            locked by another scan for over 30 s. Nothing was written.
    """
    ran = (ran_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    as_of = str(scan["as_of"])[:10]
    findings = _first_of_each(scan.get("findings") or [], "id")
    prints = {f["id"]: fingerprint(f) for f in findings}
    # pandas work before taking the write lock, so a concurrent scan waits less.
    rows = _record_rows(records)
    checksums = _source_checksums(records)

    with opened(db_path, create=True) as conn, transaction(conn):
        previous = _open_findings(conn)
        last = conn.execute("SELECT as_of FROM scans ORDER BY scan_id DESC LIMIT 1").fetchone()
        acks = {a["finding_id"]: a for a in conn.execute("SELECT * FROM acks WHERE ended_at IS NULL")}
        notes = _notes(findings, previous, acks, as_of, prints)
        resolved = sorted(
            (p for i, p in previous.items() if i not in notes),
            key=lambda p: (_rank(p["severity"]), p["rule"], p["job"] or ""),
        )
        scan_id = _write_scan(conn, scan, ran, as_of, findings, notes, len(resolved))
        _write_sources(conn, scan_id, scan.get("sources") or [], checksums)
        _write_findings(conn, scan_id, findings, previous, prints, resolved)
        conn.executemany(
            "UPDATE acks SET ended_at = ?, ended_scan = ?, ended_why = ? WHERE finding_id = ? AND ended_at IS NULL",
            [(ran, scan_id, n["acknowledgement"]["lapsed"], fid) for fid, n in notes.items() if _lapsed(n)],
        )
        _write_records(conn, scan_id, rows)

    # The dict changes only once the history is committed.
    for f in findings:
        f.update(notes[f["id"]])
    acknowledged = [f for f in findings if _acknowledged(f)]
    visible = [f for f in findings if show_acknowledged or not _acknowledged(f)]
    scan["findings"] = visible
    scan["acknowledged"] = [
        {"id": f["id"], "rule": f.get("rule"), "job": f.get("job"), "customer": f.get("customer"),
         "severity": f.get("severity"), "reason": f["acknowledgement"]["reason"], "until": f["acknowledgement"]["until"]}
        for f in acknowledged
    ]
    scan["resolved"] = [
        {"id": p["finding_id"], "rule": p["rule"], "job": p["job"], "customer": p["customer"],
         "severity": p["severity"], "first_seen": p["first_seen"], "last_seen": last["as_of"] if last else None}
        for p in resolved
    ]
    summary = scan.setdefault("summary", {})
    summary.update(summarise(visible))
    summary["new"] = sum(f["status"] == "new" for f in visible)
    summary["acknowledged"] = len(acknowledged)
    summary["resolved"] = len(resolved)
    return scan


def _notes(
    findings: list[dict[str, Any]],
    previous: dict[str, sqlite3.Row],
    acks: dict[str, sqlite3.Row],
    as_of: str,
    prints: dict[str, str],
) -> dict[str, dict[str, Any]]:
    """What the history adds to each finding: status, first_seen, and its acknowledgement if any."""
    notes = {}
    for f in findings:
        prev = previous.get(f["id"])
        note: dict[str, Any] = {"status": "open" if prev else "new", "first_seen": prev["first_seen"] if prev else as_of}
        ack = acks.get(f["id"])
        if ack is not None:
            note["acknowledgement"] = {"reason": ack["reason"], "until": ack["until"], "acked_at": ack["acked_at"]}
            why = _lapse(ack, as_of, prints[f["id"]])
            if why:
                note["acknowledgement"]["lapsed"] = why
        notes[f["id"]] = note
    return notes


def _lapsed(note: dict[str, Any]) -> bool:
    return "lapsed" in note.get("acknowledgement", {})


def _acknowledged(note: dict[str, Any]) -> bool:
    return "acknowledgement" in note and not _lapsed(note)


def _write_scan(
    conn: sqlite3.Connection,
    scan: dict[str, Any],
    ran: str,
    as_of: str,
    findings: list[dict[str, Any]],
    notes: dict[str, dict[str, Any]],
    resolved: int,
) -> int:
    """The scan log row; its counts include acknowledged findings."""
    totals = summarise(findings)
    cur = conn.execute(
        "INSERT INTO scans (ran_at, as_of, business, tool_version, jobs, findings, high, medium, low,"
        " new, resolved, acknowledged, amount_at_stake) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            ran,
            as_of,
            scan.get("business"),
            (scan.get("tool") or {}).get("version"),
            (scan.get("summary") or {}).get("jobs"),
            len(findings),
            *(totals["by_severity"][s] for s in SEVERITIES),
            sum(n["status"] == "new" for n in notes.values()),
            resolved,
            sum(_acknowledged(n) for n in notes.values()),
            totals["amount_at_stake"],
        ),
    )
    return int(cur.lastrowid)


def _first_of_each(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """``items`` without later repeats of the same ``key`` value, in order."""
    firsts: dict[Any, dict[str, Any]] = {}
    for item in items:
        firsts.setdefault(item[key], item)
    return list(firsts.values())


def _money(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _rank(severity: str | None) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _lapse(ack: sqlite3.Row, as_of: str, print_now: str) -> str | None:
    """Why an active acknowledgement no longer holds for this scan, or None."""
    if ack["until"] and as_of > ack["until"]:
        return f"until {ack['until']} passed"
    if ack["fingerprint"] != print_now:
        return "evidence changed"
    return None


def _open_findings(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    """Findings open in the latest scan: their last state, identity and first_seen."""
    rows = conn.execute(
        """
        SELECT l.finding_id, l.opened_scan, s.as_of AS first_seen, l.severity, l.amount, l.fingerprint,
               f.rule, f.job, f.customer
        FROM (SELECT finding_id, MAX(scan_id) AS scan_id, present, opened_scan, severity, amount, fingerprint
              FROM finding_states GROUP BY finding_id) AS l  -- bare columns come from the MAX row
        JOIN scans AS s ON s.scan_id = l.opened_scan
        JOIN findings AS f ON f.finding_id = l.finding_id
        WHERE l.present = 1
        """
    )
    return {r["finding_id"]: r for r in rows}


def _write_sources(conn: sqlite3.Connection, scan_id: int, sources: list[dict[str, Any]], checksums: dict[str, str]) -> None:
    rows = [
        (scan_id, s["name"], s.get("system"), s.get("role"), s.get("path"),
         s.get("checksum") or checksums.get(s["name"]), s.get("records"), s.get("newest"))
        for s in _first_of_each(sources, "name")
    ]
    conn.executemany("INSERT INTO scan_sources VALUES (?,?,?,?,?,?,?,?)", rows)


def _write_findings(
    conn: sqlite3.Connection,
    scan_id: int,
    findings: list[dict[str, Any]],
    previous: dict[str, sqlite3.Row],
    prints: dict[str, str],
    resolved: list[sqlite3.Row],
) -> None:
    # Identity rows are rewritten only when a label changed, so an identical rescan writes nothing.
    conn.executemany(
        """
        INSERT INTO findings (finding_id, rule, job, customer, owner) VALUES (?,?,?,?,?)
        ON CONFLICT (finding_id) DO UPDATE SET
            rule = excluded.rule, job = excluded.job, customer = excluded.customer, owner = excluded.owner
        WHERE findings.rule IS NOT excluded.rule OR findings.job IS NOT excluded.job
           OR findings.customer IS NOT excluded.customer OR findings.owner IS NOT excluded.owner
        """,
        [(f["id"], f.get("rule"), f.get("job"), f.get("customer"), f.get("owner")) for f in findings],
    )
    states = []
    for f in findings:
        state = (f.get("severity"), _money(f.get("amount")), prints[f["id"]])
        prev = previous.get(f["id"])
        if prev is not None and (prev["severity"], prev["amount"], prev["fingerprint"]) == state:
            continue
        opened_scan = prev["opened_scan"] if prev is not None else scan_id
        states.append((f["id"], scan_id, 1, opened_scan, *state, f.get("message")))
    states += [(p["finding_id"], scan_id, 0, p["opened_scan"], None, None, None, None) for p in resolved]
    conn.executemany("INSERT INTO finding_states VALUES (?,?,?,?,?,?,?,?)", states)


def _record_rows(records: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The record frame as tuples in :data:`_ROW_COLUMNS` order, vectorised; None for missing."""
    import pandas as pd

    cols: dict[str, pd.Series] = {}
    for c in _ROW_COLUMNS:
        s = records[c] if c in records.columns else pd.Series(pd.NA, index=records.index, dtype="object")
        if c in _DATE_FIELDS:
            s = pd.to_datetime(s, errors="coerce").dt.strftime("%Y-%m-%d")
        elif c == "sent":
            s = s.astype("boolean").astype("Int64")
        elif c in ("amount", "balance"):
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        else:
            s = s.astype("string")
        cols[c] = s
    frame = pd.DataFrame(cols)
    frame = frame[frame[list(_KEY)].notna().all(axis=1)].drop_duplicates(list(_KEY), keep="first")
    return list(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))


def _source_checksums(records: pd.DataFrame) -> dict[str, str]:
    """sha256 per source of its normalised records, independent of row order and file name."""
    import numpy as np
    import pandas as pd

    from ..model import RECORD_SCHEMA

    if "source" not in records.columns or records.empty:
        return {}
    cols = [c for c in RECORD_SCHEMA if c in records.columns and c not in ("file", "row")]
    hashes = pd.util.hash_pandas_object(records[cols], index=False)
    return {
        str(name): hashlib.sha256(np.sort(h.to_numpy()).tobytes()).hexdigest()
        for name, h in hashes.groupby(records["source"].astype("string").to_numpy(), sort=False)
    }


_CHANGED = " OR ".join(f"c.{f} IS NOT p.{f}" for f in STATE_FIELDS)
_FIELDS = ", ".join(STATE_FIELDS)


def _write_records(conn: sqlite3.Connection, scan_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Snapshot rows for records that are new, changed, back, or gone since their last state.

    The diff is one SQL join of this scan (a temp table) against each record's
    latest state, so only changed rows cross into the history file.
    """
    conn.execute(
        f"CREATE TEMP TABLE cur ({', '.join(_ROW_COLUMNS)}, PRIMARY KEY (record_id, system, record_type))"
    )
    conn.executemany(f"INSERT OR IGNORE INTO temp.cur VALUES ({', '.join('?' * len(_ROW_COLUMNS))})", rows)
    conn.execute(
        "INSERT OR IGNORE INTO records (record_id, system, record_type, source, customer, company, title)"
        " SELECT record_id, system, record_type, source, customer, company, title FROM temp.cur"
    )
    conn.execute(
        """
        UPDATE records SET source = c.source, customer = c.customer, company = c.company, title = c.title
        FROM temp.cur AS c
        WHERE records.record_id = c.record_id AND records.system = c.system AND records.record_type = c.record_type
          AND (records.source IS NOT c.source OR records.customer IS NOT c.customer
               OR records.company IS NOT c.company OR records.title IS NOT c.title)
        """
    )
    conn.execute(
        f"CREATE TEMP TABLE prev AS SELECT rec, MAX(scan_id) AS scan_id, gone, {_FIELDS} FROM record_states GROUP BY rec"
    )
    conn.execute(
        f"""
        INSERT INTO record_states (rec, scan_id, gone, {_FIELDS})
        SELECT r.rec, ?, 0, {', '.join('c.' + f for f in STATE_FIELDS)}
        FROM temp.cur AS c
        JOIN records AS r USING (record_id, system, record_type)
        LEFT JOIN temp.prev AS p ON p.rec = r.rec
        WHERE p.rec IS NULL OR p.gone = 1 OR {_CHANGED}
        """,
        (scan_id,),
    )
    # A record is gone only if its kind (system + record type) was read this scan:
    # a source that was not read at all says nothing about its records.
    conn.execute(
        """
        INSERT INTO record_states (rec, scan_id, gone)
        SELECT p.rec, ?, 1
        FROM temp.prev AS p JOIN records AS r ON r.rec = p.rec
        WHERE p.gone = 0
          AND (r.system, r.record_type) IN (SELECT DISTINCT system, record_type FROM temp.cur)
          AND NOT EXISTS (SELECT 1 FROM temp.cur AS c
                          WHERE c.record_id = r.record_id AND c.system = r.system AND c.record_type = r.record_type)
        """,
        (scan_id,),
    )
    conn.execute("DROP TABLE temp.cur")
    conn.execute("DROP TABLE temp.prev")
