"""The audit trail of one job: every change of its records in every system, and its findings.

:func:`timeline` answers "when did this job get marked complete, in which tool,
and what happened next?". Each event is dated by the scan that first saw it
(its audit date) and, for records, by the record's own last-modified date where
the source has one. Events are ordered by scan; acknowledgements made between
scans follow the scan they were made after.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ._db import opened
from ._record import STATE_FIELDS

__all__ = ["MAX_CANDIDATES", "Timeline", "TimelineEvent", "timeline"]

#: Most candidate jobs listed for an ambiguous query.
MAX_CANDIDATES = 30

# Order of events within one scan: record changes, then the findings they caused,
# then acknowledgements lapsing in that scan, then what the owner did after it.
_RECORD, _FINDING, _LAPSE, _AFTER = range(4)


@dataclass
class TimelineEvent:
    """One dated change in a job's history."""

    #: Audit date of the scan that first saw it (acknowledgements: the day it was made).
    seen: str
    #: ``record`` (a record's state changed), ``finding`` (opened, changed, resolved) or ``ack``.
    kind: str
    #: One plain sentence.
    what: str
    #: The scan it belongs to (for ``ack``: the latest scan when it happened).
    scan_id: int | None = None
    #: The record's own last-modified date, where the source has one.
    modified: str | None = None
    system: str | None = None
    source: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    finding_id: str | None = None
    rule: str | None = None
    #: Field changes: ``[{"field", "from", "to"}]``.
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Timeline:
    """A job's audit trail, or the candidates when the query matched several jobs."""

    query: str
    job: str | None = None
    customer: str | None = None
    #: The job's records: ``[{system, record_type, record_id, source, customer, title}]``.
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    #: When ambiguous: ``[{job, customer, records, findings, last_change}]``, at most :data:`MAX_CANDIDATES`.
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: Matching jobs left out of ``candidates``.
    more_candidates: int = 0

    @property
    def ambiguous(self) -> bool:
        """Whether the query matched several jobs (see ``candidates``)."""
        return bool(self.candidates)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, schema ``driftcheck.timeline/1``."""
        return {"schema": "driftcheck.timeline/1", **asdict(self)}


def timeline(db_path: Path, query: str) -> Timeline:
    """The audit trail of one job.

    Args:
        db_path: the history file.
        query: a job key (``J-1042``), a native record id (``INV-1001``), or part
            of a customer name; case-insensitive, tried in that order.

    Returns:
        The job's :class:`Timeline`; when the query matches several jobs, a
        Timeline with only ``candidates`` filled.

    Raises:
        UsageError: nothing in the history matches.
        HistoryError: no history file, or it is unusable.

    Example:
        >>> t = timeline(path, "J-1042")
        >>> [e.what for e in t.events if e.kind == "record"][:1]
        ['jobber job 1042 first seen: state scheduled (Scheduled), amount 4,200.00, scheduled 2026-10-02']
    """
    with opened(db_path) as conn:
        jobs, loose = _match(conn, query.strip())
        if not jobs and not loose:
            raise UsageError(
                f"Nothing in the scan history matches '{query}': give a job key (J-1042), "
                "a record number from an export, or part of a customer name."
            )
        if len(jobs) + (1 if loose and not jobs else 0) > 1:
            ordered = sorted(jobs)
            return Timeline(
                query=query,
                candidates=_candidates(conn, ordered[:MAX_CANDIDATES]),
                more_candidates=max(0, len(ordered) - MAX_CANDIDATES),
            )
        job = next(iter(jobs), None)
        recs = _job_recs(conn, job) if job is not None else sorted(loose)
        records = _records(conn, recs)
        events = _record_events(conn, recs) + _finding_events(conn, job)
        events.sort(key=lambda e: (e[0], e[1]))
        if job is not None:
            customer = _customer(conn, job)
        else:
            customer = next((r["customer"] or r["company"] for r in records if r["customer"] or r["company"]), None)
        return Timeline(
            query=query,
            job=job,
            customer=customer,
            records=[{k: r[k] for k in ("system", "record_type", "record_id", "source", "customer", "title")} for r in records],
            events=[e for _, _, e in events],
        )


def _match(conn: sqlite3.Connection, q: str) -> tuple[set[str], set[int]]:
    """Jobs the query names, and the records it names that belong to no job."""
    for op in ("= ?1", "= ?1 COLLATE NOCASE"):
        sql = f"SELECT job FROM record_states WHERE job {op} UNION SELECT job FROM findings WHERE job {op}"
        jobs = {r[0] for r in conn.execute(sql, (q,))}
        if jobs:
            return jobs, set()
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for where, param, finding_where in (
        ("record_id = ?1 COLLATE NOCASE", q, None),
        ("customer LIKE ?1 ESCAPE '\\' OR company LIKE ?1 ESCAPE '\\'", pattern, "customer LIKE ?1 ESCAPE '\\'"),
    ):
        recs = {r[0] for r in conn.execute(f"SELECT rec FROM records WHERE {where}", (param,))}
        linked = conn.execute(
            f"SELECT DISTINCT rec, job FROM record_states WHERE job IS NOT NULL AND rec IN (SELECT rec FROM records WHERE {where})",
            (param,),
        ).fetchall()
        jobs = {r["job"] for r in linked}
        if finding_where:
            jobs |= {r[0] for r in conn.execute(f"SELECT job FROM findings WHERE job IS NOT NULL AND ({finding_where})", (param,))}
        if jobs or recs:
            return jobs, recs - {r["rec"] for r in linked}
    return set(), set()


def _marks(items: list[Any]) -> str:
    return ",".join("?" * len(items))


def _job_recs(conn: sqlite3.Connection, job: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT DISTINCT rec FROM record_states WHERE job = ? ORDER BY rec", (job,))]


def _records(conn: sqlite3.Connection, recs: list[int]) -> list[sqlite3.Row]:
    return conn.execute(f"SELECT * FROM records WHERE rec IN ({_marks(recs)}) ORDER BY system, record_type, record_id", tuple(recs)).fetchall()


def _customer(conn: sqlite3.Connection, job: str) -> str | None:
    """The job's customer as its most recently changed record names it, else as its findings do."""
    row = conn.execute(
        """
        SELECT name FROM (
            SELECT COALESCE(r.customer, r.company) AS name FROM record_states AS x JOIN records AS r USING (rec)
            WHERE x.job = ?1 AND name IS NOT NULL ORDER BY x.scan_id DESC LIMIT 1)
        UNION ALL SELECT customer FROM findings WHERE job = ?1 AND customer IS NOT NULL AND customer != ''
        LIMIT 1
        """,
        (job,),
    ).fetchone()
    return row[0] if row else None


def _candidates(conn: sqlite3.Connection, jobs: list[str]) -> list[dict[str, Any]]:
    out = []
    for job in jobs:
        row = conn.execute(
            """
            SELECT COUNT(DISTINCT rs.rec) AS records, MAX(s.as_of) AS last_change,
                   (SELECT COUNT(*) FROM findings WHERE job = ?1) AS findings
            FROM record_states AS rs JOIN scans AS s USING (scan_id) WHERE rs.job = ?1
            """,
            (job,),
        ).fetchone()
        out.append({"job": job, "customer": _customer(conn, job), "records": row["records"],
                    "findings": row["findings"], "last_change": row["last_change"]})
    return out


def _fmt(name: str, value: Any) -> str:
    if value is None:
        return "none"
    if name in ("amount", "balance"):
        return f"{value:,.2f}"
    if name == "sent":
        return "yes" if value else "no"
    return str(value)


def _describe(changes: list[dict[str, Any]]) -> str:
    """Field changes as words: ``state scheduled → completed (Scheduled → Completed); completed 2026-11-03``."""
    by = {c["field"]: c for c in changes}
    parts = []
    if "state" in by:
        text = f"state {_fmt('state', by['state']['from'])} → {_fmt('state', by['state']['to'])}"
        if "raw_status" in by:
            text += f" ({_fmt('', by['raw_status']['from'])} → {_fmt('', by['raw_status']['to'])})"
        parts.append(text)
    elif "raw_status" in by:
        parts.append(f"status {_fmt('', by['raw_status']['from'])} → {_fmt('', by['raw_status']['to'])}")
    for c in changes:
        name = c["field"]
        if name in ("state", "raw_status", "updated"):
            continue
        if name == "job":
            parts.append(f"linked to job {_fmt(name, c['to'])} (was {_fmt(name, c['from'])})")
        elif c["from"] is None:
            parts.append(f"{name} {_fmt(name, c['to'])}")
        else:
            parts.append(f"{name} {_fmt(name, c['from'])} → {_fmt(name, c['to'])}")
    return "; ".join(parts) or "modified, no tracked field changed"


def _snapshot(row: sqlite3.Row) -> str:
    """A first-seen state as words: ``state completed (Completed), amount 4,200.00, completed 2026-11-03``."""
    parts = []
    if row["state"] is not None or row["raw_status"] is not None:
        parts.append(f"state {_fmt('state', row['state'])}" + (f" ({row['raw_status']})" if row["raw_status"] is not None else ""))
    parts += [f"{f} {_fmt(f, row[f])}" for f in STATE_FIELDS if f not in ("state", "raw_status", "job", "updated") and row[f] is not None]
    return ", ".join(parts)


def _record_events(conn: sqlite3.Connection, recs: list[int]) -> list[tuple[tuple[Any, ...], int, TimelineEvent]]:
    rows = conn.execute(
        f"""
        SELECT rs.*, s.as_of, r.system, r.record_type, r.record_id, r.source
        FROM record_states AS rs JOIN scans AS s USING (scan_id) JOIN records AS r USING (rec)
        WHERE rs.rec IN ({_marks(recs)}) ORDER BY rs.rec, rs.scan_id
        """,
        tuple(recs),
    ).fetchall()
    events = []
    prev: sqlite3.Row | None = None
    for row in rows:
        if prev is not None and prev["rec"] != row["rec"]:
            prev = None
        label = f"{row['system']} {row['record_type']} {row['record_id']}"
        changes: list[dict[str, Any]] = []
        if row["gone"]:
            what = f"{label} no longer in the export"
        elif prev is None or prev["gone"]:
            what = f"{label} {'first seen' if prev is None else 'back in the export'}: {_snapshot(row)}"
        else:
            changes = [{"field": f, "from": prev[f], "to": row[f]} for f in STATE_FIELDS if prev[f] != row[f]]
            what = f"{label}: {_describe(changes)}"
        event = TimelineEvent(
            seen=row["as_of"], kind="record", what=what, scan_id=row["scan_id"],
            modified=None if row["gone"] else row["updated"], system=row["system"], source=row["source"],
            record_type=row["record_type"], record_id=row["record_id"], changes=changes,
        )
        # Within a scan, records in the order their own dates put them.
        events.append(((row["scan_id"], _RECORD, row["updated"] or row["created"] or "", label), len(events), event))
        prev = row
    return events


def _finding_events(conn: sqlite3.Connection, job: str | None) -> list[tuple[tuple[Any, ...], int, TimelineEvent]]:
    if job is None:
        return []
    events: list[tuple[tuple[Any, ...], int, TimelineEvent]] = []
    prev: dict[str, sqlite3.Row] = {}
    rows = conn.execute(
        """
        SELECT fs.*, f.rule, s.as_of FROM finding_states AS fs JOIN findings AS f USING (finding_id)
        JOIN scans AS s USING (scan_id) WHERE f.job = ? ORDER BY fs.scan_id, f.rule
        """,
        (job,),
    )
    for row in rows:
        before = prev.get(row["finding_id"])
        amount = f", {row['amount']:,.2f}" if row["amount"] is not None else ""
        if not row["present"]:
            what = f"finding resolved: {row['rule']}"
        elif row["opened_scan"] == row["scan_id"]:
            what = f"finding opened: {row['rule']} ({row['severity']}{amount}): {row['message']}"
        else:
            parts = [
                f"{name} {_fmt(name, before[name])} → {_fmt(name, row[name])}"
                for name in ("severity", "amount") if before is not None and before[name] != row[name]
            ]
            if before is None or before["fingerprint"] != row["fingerprint"]:
                parts.append("evidence changed")
            what = f"finding {row['rule']} changed: " + "; ".join(parts)
        event = TimelineEvent(seen=row["as_of"], kind="finding", what=what, scan_id=row["scan_id"], finding_id=row["finding_id"], rule=row["rule"])
        events.append(((row["scan_id"], _FINDING, row["rule"]), len(events), event))
        prev[row["finding_id"]] = row
    acks = conn.execute(
        """
        SELECT a.*, f.rule, s.as_of AS ended_as_of FROM acks AS a JOIN findings AS f USING (finding_id)
        LEFT JOIN scans AS s ON s.scan_id = a.ended_scan WHERE f.job = ? ORDER BY a.ack_id
        """,
        (job,),
    )
    for a in acks:
        until = f" until {a['until']}" if a["until"] else ""
        what = f"acknowledged {a['rule']}{until}: {a['reason']}"
        events.append(((a["acked_scan"] or 0, _AFTER, a["acked_at"]), len(events), _ack_event(a, a["acked_at"][:10], what, a["acked_scan"])))
        if a["ended_at"]:
            # A lapse happens during a scan (dated by its audit); a withdrawal after the latest scan.
            lapsed = a["ended_why"] not in ("unacknowledged", "replaced")
            what = f"acknowledgement of {a['rule']} " + (f"lapsed: {a['ended_why']}" if lapsed else _ENDED[a["ended_why"]])
            seen = a["ended_as_of"] if lapsed else a["ended_at"][:10]
            phase = _LAPSE if lapsed else _AFTER
            events.append(((a["ended_scan"] or 0, phase, a["ended_at"]), len(events), _ack_event(a, seen, what, a["ended_scan"])))
    return events


_ENDED = {"unacknowledged": "withdrawn (unack)", "replaced": "replaced by a new one"}


def _ack_event(a: sqlite3.Row, seen: str, what: str, scan_id: int | None) -> TimelineEvent:
    return TimelineEvent(seen=seen, kind="ack", what=what, scan_id=scan_id, finding_id=a["finding_id"], rule=a["rule"])
