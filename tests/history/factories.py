"""Builders for history tests: record frames, findings, scan dicts, and a small business over three weeks.

The business mimics what the sample exports will hold (a CRM, an operations
tool and accounting, joined into jobs J-1001...), one week later with some
items fixed and some new, so the history can be tested before the scan
pipeline exists.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from driftcheck.records import conform

SYSTEM_ROLE = {"hubspot": "crm", "jobber": "operations", "quickbooks": "accounting"}
TYPE_OF = {"hubspot": "deal", "jobber": "job", "quickbooks": "invoice"}


def finding_id(rule: str, job: str) -> str:
    """A stable id of rule + job, as the engine makes one."""
    return hashlib.sha256(f"{rule}\x1f{job}".encode()).hexdigest()[:12]


def record(system: str, record_id: str, job: str | None, **fields: Any) -> dict[str, Any]:
    """One record row: system, type, role and source follow from the system."""
    return {
        "source": system, "system": system, "role": SYSTEM_ROLE[system], "record_type": TYPE_OF[system],
        "record_id": record_id, "file": f"{system}.csv", "job": job, **fields,
    }


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A record frame as readers produce it (RECORD_SCHEMA dtypes) plus the linker's ``job`` column."""
    out = conform(pd.DataFrame(rows).drop(columns="job"))
    out["job"] = pd.array([r.get("job") for r in rows], dtype="string")
    return out


def finding(rule: str, job: str, *, severity: str = "high", amount: float | None = 1000.0,
            customer: str = "", owner: str = "accounting", evidence: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A ``driftcheck.scan/1`` finding."""
    return {
        "id": finding_id(rule, job), "rule": rule, "severity": severity, "owner": owner, "job": job,
        "customer": customer, "message": f"{rule} on job {job}", "since": "2026-03-01", "age_days": 5,
        "amount": amount, "records": {}, "evidence": evidence or [{"source": "jobber", "record": job, "field": "state", "value": "completed"}],
    }


def scan(as_of: str, findings: list[dict[str, Any]], records: pd.DataFrame) -> dict[str, Any]:
    """A ``driftcheck.scan/1`` dict; sources follow from the record frame."""
    sources = [
        {"name": name, "system": name, "role": SYSTEM_ROLE.get(name, "operations"), "path": f"exports/{name}.csv",
         "records": int(len(group)), "newest": str(group["created"].max().date()) if group["created"].notna().any() else None}
        for name, group in records.groupby("source", sort=True)
    ]
    return {
        "schema": "driftcheck.scan/1", "tool": {"name": "driftcheck", "version": "0.1.0"}, "as_of": as_of,
        "business": "Lee Renovations", "sources": sources,
        "summary": {"jobs": int(records["job"].nunique()), "findings": len(findings)},
        "lifecycle": {"stages": [], "handoffs": []}, "warnings": [], "findings": findings,
    }


# The business: week 1 (as_of 2026-03-09), week 2 (2026-03-16), week 3 (2026-03-23).
WEEKS = ("2026-03-09", "2026-03-16", "2026-03-23")


def _records(week: int) -> list[dict[str, Any]]:
    d = pd.Timestamp
    rows = [
        record("hubspot", "D-1001", "J-1001", customer="Ann Lee", raw_status="Closed Won", state="won", amount=4200.0, created=d("2026-02-01")),
        record("hubspot", "D-1002", "J-1002", customer="Bo Chen", raw_status="Closed Won", state="won", amount=1200.0, created=d("2026-02-03")),
        record("hubspot", "D-1003", "J-1003", customer="Cy Diaz", raw_status="Appointment Scheduled", state="open", amount=800.0, created=d("2026-02-04")),
        record("hubspot", "D-1004", "J-1004", customer="Di Egan", raw_status="Closed Won", state="won", amount=2500.0, created=d("2026-02-05")),
        record("hubspot", "D-1005", "J-1005", customer="Ed Fox", raw_status="Closed Won", state="won", amount=650.0, created=d("2026-02-06")),
        record("jobber", "1001", "J-1001", customer="Ann Lee", raw_status="Completed", state="completed", amount=4200.0,
               created=d("2026-02-02"), completed=d("2026-03-03"), updated=d("2026-03-03")),
        record("jobber", "1002", "J-1002", customer="Bo Chen", raw_status="Completed", state="completed", amount=1200.0,
               created=d("2026-02-04"), completed=d("2026-02-20"), updated=d("2026-02-20")),
        record("jobber", "1004", "J-1004", customer="Di Egan", raw_status="Upcoming", state="scheduled", amount=2500.0,
               created=d("2026-02-06"), scheduled=d("2026-03-02"), updated=d("2026-02-10")),
        record("jobber", "1005", "J-1005", customer="Ed Fox", raw_status="Completed", state="completed", amount=650.0,
               created=d("2026-02-07"), completed=d("2026-03-01"), updated=d("2026-03-01")),
        record("quickbooks", "INV-1002", "J-1002", customer="Bo Chen", raw_status="Open", state="invoiced", amount=1200.0,
               balance=1200.0, sent=True, created=d("2026-02-21"), due=d("2026-03-07")),
        record("quickbooks", "INV-1003", "J-1003", customer="Cy Diaz", raw_status="Paid", state="paid", amount=800.0,
               balance=0.0, sent=True, created=d("2026-02-10"), paid=d("2026-02-25")),
        record("quickbooks", "INV-1005", "J-1005", customer="Ed Fox", raw_status="Open", state="invoiced", amount=650.0,
               balance=650.0, sent=False, created=d("2026-03-02"), due=d("2026-04-01")),
    ]
    if week >= 2:
        by_id = {r["record_id"]: r for r in rows}
        # fixed: J-1001 invoiced, INV-1005 sent; changed: job 1004 rescheduled (still not done)
        rows.append(record("quickbooks", "INV-1001", "J-1001", customer="Ann Lee", raw_status="Open", state="invoiced",
                           amount=4200.0, balance=4200.0, sent=True, created=d("2026-03-10"), due=d("2026-04-09")))
        by_id["INV-1005"]["sent"] = True
        by_id["1004"].update(scheduled=d("2026-03-12"), updated=d("2026-03-11"))
        # new: a won deal with no job yet, and a job nobody sold
        rows.append(record("hubspot", "D-1006", "J-1006", customer="Fay Gill", raw_status="Closed Won", state="won",
                           amount=3100.0, created=d("2026-03-11"), closed=d("2026-03-11")))
        rows.append(record("jobber", "1007", "J-1007", customer="Gus Hall", raw_status="Completed", state="completed",
                           amount=900.0, created=d("2026-03-12"), completed=d("2026-03-13"), updated=d("2026-03-13")))
    return rows


def _findings(week: int) -> list[dict[str, Any]]:
    def ev(source: str, rec: str, field: str, value: Any) -> list[dict[str, Any]]:
        return [{"source": source, "record": rec, "field": field, "value": value}]

    out = [
        finding("invoice-overdue", "J-1002", severity="high", amount=1200.0, customer="Bo Chen",
                evidence=ev("quickbooks", "INV-1002", "balance", 1200.0)),
        finding("paid-crm-open", "J-1003", severity="medium", amount=800.0, customer="Cy Diaz", owner="crm",
                evidence=ev("hubspot", "D-1003", "state", "open")),
        finding("schedule-passed-not-complete", "J-1004", severity="medium", amount=2500.0, customer="Di Egan", owner="operations",
                evidence=ev("jobber", "1004", "scheduled", "2026-03-02" if week == 1 else "2026-03-12")),
    ]
    if week == 1:
        out += [
            finding("complete-not-invoiced", "J-1001", amount=4200.0, customer="Ann Lee", evidence=ev("jobber", "1001", "state", "completed")),
            finding("invoice-not-sent", "J-1005", severity="low", amount=650.0, customer="Ed Fox", evidence=ev("quickbooks", "INV-1005", "sent", False)),
        ]
    else:
        out += [
            finding("won-not-invoiced", "J-1006", severity="medium", amount=3100.0, customer="Fay Gill", owner="crm",
                    evidence=ev("hubspot", "D-1006", "state", "won")),
            finding("orphan-job", "J-1007", severity="low", amount=900.0, customer="Gus Hall", owner="operations",
                    evidence=ev("jobber", "1007", "state", "completed")),
        ]
    return out


def business_week(week: int) -> tuple[dict[str, Any], pd.DataFrame]:
    """The business's scan dict and record frame in week 1, 2 or 3 (week 3: nothing changed since week 2)."""
    records = frame(_records(week))
    return scan(WEEKS[week - 1], _findings(week), records), records


def read_db(path: Path, fn: Callable[[sqlite3.Connection], Any]) -> Any:
    """``fn(connection)`` on a plain connection to the history file, closed after."""
    conn = sqlite3.connect(path)
    try:
        return fn(conn)
    finally:
        conn.close()


def table_counts(path: Path) -> dict[str, int]:
    """Row count of every table in the history file."""

    def count(conn: sqlite3.Connection) -> dict[str, int]:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f"SELECT COUNT(*) FROM {n}").fetchone()[0] for n in names}

    return read_db(path, count)


def dump(path: Path) -> list[str]:
    """Every statement that rebuilds the database: equal dumps mean equal content."""
    return read_db(path, lambda conn: list(conn.iterdump()))


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check``: ``"ok"`` for a sound file."""
    return read_db(path, lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0])


# A child process that records a pickled (scan, records) pair, starting at the
# wall-clock time `go` (so two children can start at the same instant). With a
# marker path it pauses inside the write transaction, after the snapshot rows are
# written, and touches the marker, so a test can act (kill it, start a rival) mid-write.
CHILD = r"""
import pickle, sys, time
from pathlib import Path
import driftcheck.history._record as rec
db, payload, marker, pause, go = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
if marker != "-":
    write_records = rec._write_records
    def slow(*args):
        write_records(*args)
        Path(marker).touch()
        time.sleep(pause)
    rec._write_records = slow
scan, records = pickle.loads(Path(payload).read_bytes())
while time.time() < go:
    time.sleep(0.001)
out = rec.record_scan(Path(db), scan, records)
print(out["summary"]["new"])
"""


