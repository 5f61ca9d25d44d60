"""Acknowledgements: an owner's "known, leave it" on a finding, with a reason and an optional end date.

An acknowledgement is keyed by the finding's stable id (rule + job), never by a
row position. It hides the finding from the default output of later scans and
lapses by itself (see :func:`driftcheck.history.record_scan`) when the scan's
audit date passes ``until`` or when the finding's evidence (amount, record
values) differs from what it was when acknowledged. Every acknowledgement ever
made is kept, with when and why it ended, for the timeline.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ._db import opened, transaction

__all__ = ["ack", "list_acks", "resolve_finding", "unack"]

#: Shortest id prefix accepted for a finding, so a typo does not match at random.
MIN_PREFIX = 4


def resolve_finding(conn: sqlite3.Connection, text: str) -> sqlite3.Row:
    """The ``findings`` row for a finding id, or a unique prefix of one.

    Raises:
        UsageError: no finding, or several, match.
    """
    text = text.strip()
    row = conn.execute("SELECT * FROM findings WHERE finding_id = ?", (text,)).fetchone()
    if row is not None:
        return row
    matches = []
    if len(text) >= MIN_PREFIX:
        # GLOB, unlike LIKE, is case-sensitive and treats '_' literally: ids are hex.
        pattern = text.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]") + "*"
        matches = conn.execute("SELECT * FROM findings WHERE finding_id GLOB ? LIMIT 6", (pattern,)).fetchall()
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(f"{m['finding_id']} ({m['rule']}, {m['job']})" for m in matches[:5])
        raise UsageError(f"Finding id '{text}' is ambiguous: it starts {shown}. Give more of the id.")
    raise UsageError(
        f"No finding '{text}' in the scan history. Use an id from the scan report "
        "(the ID column, or \"id\" in --format json) of a scan recorded in this history file."
    )


def ack(db_path: Path, finding_id: str, reason: str, until: date | None = None) -> dict[str, Any]:
    """Acknowledge a finding: hide it from later scans' default output.

    Args:
        db_path: the history file.
        finding_id: the finding's id, or a unique prefix (4+ characters).
        reason: why it is known and left as is; shown in ``ack --list`` and timelines.
        until: last audit date the acknowledgement holds for; it lapses on a scan
            audited after it. Defaults to None (until the evidence changes).

    Returns:
        The acknowledgement, as :func:`list_acks` shows it.

    Raises:
        UsageError: empty reason, unknown or ambiguous id, ``until`` before the last scan.
        HistoryError: no history file, or it is unusable.

    Example:
        >>> ack(path, "3f9a1c", "customer pays on completion of phase 2", date(2026, 12, 31))
    """
    reason = reason.strip()
    if not reason:
        raise UsageError("Give a reason (--reason TEXT): it is what the next person reads when they wonder why.")
    with opened(db_path) as conn, transaction(conn):
        finding = resolve_finding(conn, finding_id)
        last = _last_scan(conn)
        if until is not None and last is not None and until.isoformat() < last["as_of"]:
            raise UsageError(
                f"--until {until.isoformat()} has already passed: the last scan audited {last['as_of']}. "
                "Give a later date, or none."
            )
        state = conn.execute(
            "SELECT fingerprint FROM finding_states WHERE finding_id = ? AND present = 1 ORDER BY scan_id DESC LIMIT 1",
            (finding["finding_id"],),
        ).fetchone()
        _end(conn, finding["finding_id"], "replaced", last)
        conn.execute(
            "INSERT INTO acks (finding_id, reason, until, fingerprint, acked_at, acked_scan) VALUES (?,?,?,?,?,?)",
            (
                finding["finding_id"], reason, until.isoformat() if until else None,
                state["fingerprint"] if state else None, _now(), last["scan_id"] if last else None,
            ),
        )
        return _ack_rows(conn, "a.finding_id = ? AND a.ended_at IS NULL", (finding["finding_id"],))[0]


def unack(db_path: Path, finding_id: str) -> bool:
    """End a finding's acknowledgement, so it shows again from the next scan.

    Args:
        db_path: the history file.
        finding_id: the finding's id, or a unique prefix (4+ characters).

    Returns:
        True if an acknowledgement was ended, False if the finding had none.

    Raises:
        UsageError: unknown or ambiguous id.
        HistoryError: no history file, or it is unusable.
    """
    with opened(db_path) as conn, transaction(conn):
        finding = resolve_finding(conn, finding_id)
        return _end(conn, finding["finding_id"], "unacknowledged", _last_scan(conn))


def list_acks(db_path: Path, *, include_ended: bool = False) -> list[dict[str, Any]]:
    """Acknowledgements, newest first.

    Args:
        db_path: the history file.
        include_ended: also list acknowledgements that lapsed, were replaced or
            withdrawn. Defaults to False (active ones only).

    Returns:
        Dicts with ``id``, ``rule``, ``job``, ``customer``, ``reason``, ``until``,
        ``acked_at``, ``finding`` (``"open"`` or ``"resolved"`` in the latest scan),
        ``ended_at`` and ``ended_why`` (None while active).
    """
    with opened(db_path) as conn:
        return _ack_rows(conn, "1" if include_ended else "a.ended_at IS NULL", ())


def _ack_rows(conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"""
        SELECT a.finding_id AS id, f.rule, f.job, f.customer, a.reason, a.until, a.acked_at,
               CASE (SELECT present FROM finding_states AS s WHERE s.finding_id = a.finding_id
                     ORDER BY scan_id DESC LIMIT 1) WHEN 1 THEN 'open' ELSE 'resolved' END AS finding,
               a.ended_at, a.ended_why
        FROM acks AS a JOIN findings AS f USING (finding_id)
        WHERE {where}
        ORDER BY a.acked_at DESC, a.ack_id DESC
        """,
        params,
    )
    return [dict(r) for r in rows]


def _last_scan(conn: sqlite3.Connection) -> sqlite3.Row | None:
    return conn.execute("SELECT scan_id, as_of FROM scans ORDER BY scan_id DESC LIMIT 1").fetchone()


def _end(conn: sqlite3.Connection, finding_id: str, why: str, last: sqlite3.Row | None) -> bool:
    """End the finding's active acknowledgement, if any; True if there was one."""
    cur = conn.execute(
        "UPDATE acks SET ended_at = ?, ended_scan = ?, ended_why = ? WHERE finding_id = ? AND ended_at IS NULL",
        (_now(), last["scan_id"] if last else None, why, finding_id),
    )
    return cur.rowcount > 0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
