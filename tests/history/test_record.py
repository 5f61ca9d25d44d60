"""record_scan: what changed since the previous scan, and what the history stores for it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from driftcheck.history import default_history_path, history_rows, record_scan
from tests.history.factories import WEEKS, finding, frame, read_db, record, scan, table_counts

W1, W2, W3 = WEEKS


def states(db: Path, record_id: str) -> list[dict]:
    """A record's snapshot rows, oldest first."""

    def query(conn):
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT rs.*, s.as_of FROM record_states rs JOIN records r USING (rec) JOIN scans s USING (scan_id)"
            " WHERE r.record_id = ? ORDER BY rs.scan_id",
            (record_id,),
        )
        return [dict(r) for r in rows]

    return read_db(db, query)


def test_first_scan_marks_every_finding_new_and_creates_the_file(db, week):
    out = record_scan(db, *week(1))

    assert db.exists()
    assert [(f["status"], f["first_seen"]) for f in out["findings"]] == [("new", W1)] * 5
    assert out["summary"]["new"] == 5
    assert out["summary"]["resolved"] == 0 and out["resolved"] == []
    assert out["summary"]["acknowledged"] == 0 and out["acknowledged"] == []


def test_a_week_later_findings_are_new_open_or_resolved(db, week):
    record_scan(db, *week(1))
    out = record_scan(db, *week(2))

    assert {f["job"]: (f["status"], f["first_seen"]) for f in out["findings"]} == {
        "J-1002": ("open", W1),
        "J-1003": ("open", W1),
        "J-1004": ("open", W1),
        "J-1006": ("new", W2),
        "J-1007": ("new", W2),
    }
    assert out["resolved"] == [
        {"id": out["resolved"][0]["id"], "rule": "complete-not-invoiced", "job": "J-1001", "customer": "Ann Lee",
         "severity": "high", "first_seen": W1, "last_seen": W1},
        {"id": out["resolved"][1]["id"], "rule": "invoice-not-sent", "job": "J-1005", "customer": "Ed Fox",
         "severity": "low", "first_seen": W1, "last_seen": W1},
    ]
    assert (out["summary"]["new"], out["summary"]["resolved"], out["summary"]["findings"]) == (2, 2, 5)


def test_first_seen_stays_put_while_a_finding_stays_open(db, week):
    for n in (1, 2, 3):
        out = record_scan(db, *week(n))

    assert {f["job"]: f["first_seen"] for f in out["findings"]} == {
        "J-1002": W1, "J-1003": W1, "J-1004": W1, "J-1006": W2, "J-1007": W2,
    }
    assert {f["status"] for f in out["findings"]} == {"open"}
    assert out["resolved"] == []


def test_a_finding_that_comes_back_is_new_again_with_a_fresh_first_seen(db, week):
    record_scan(db, *week(1))
    record_scan(db, *week(2))
    again, records = week(1)
    again["as_of"] = W3
    out = record_scan(db, again, records)

    back = {f["job"]: (f["status"], f["first_seen"]) for f in out["findings"]}
    assert back["J-1001"] == ("new", W3)
    assert back["J-1002"] == ("open", W1)
    assert {r["job"] for r in out["resolved"]} == {"J-1006", "J-1007"}
    assert all(r["last_seen"] == W2 for r in out["resolved"])


def test_rescanning_identical_exports_writes_only_the_scan_log(db, week):
    record_scan(db, *week(1))
    before = table_counts(db)
    out = record_scan(db, *week(1))
    after = table_counts(db)

    assert after["scans"] == before["scans"] + 1
    assert after["scan_sources"] == before["scan_sources"] + 3
    unchanged = ("records", "record_states", "findings", "finding_states", "acks")
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    assert {f["status"] for f in out["findings"]} == {"open"}
    assert out["summary"]["new"] == 0


def test_only_changed_records_get_a_snapshot_row(db, week):
    record_scan(db, *week(1))
    assert table_counts(db)["record_states"] == 12
    record_scan(db, *week(2))

    # INV-1001, D-1006 and 1007 are new; INV-1005 was sent; job 1004 was rescheduled.
    assert table_counts(db)["record_states"] == 12 + 5
    sent = states(db, "INV-1005")
    assert [(s["as_of"], s["sent"]) for s in sent] == [(W1, 0), (W2, 1)]
    assert [(s["as_of"], s["scheduled"], s["updated"]) for s in states(db, "1004")] == [
        (W1, "2026-03-02", "2026-02-10"),
        (W2, "2026-03-12", "2026-03-11"),
    ]
    assert [(s["as_of"], s["state"], s["raw_status"], s["amount"], s["completed"], s["job"]) for s in states(db, "1001")] == [
        (W1, "completed", "Completed", 4200.0, "2026-03-03", "J-1001"),
    ]


def test_a_record_missing_from_its_export_is_gone_but_a_source_not_read_says_nothing(db):
    deals = [record("hubspot", "D-1", "J-1", state="won"), record("hubspot", "D-2", "J-2", state="won")]
    job = [record("jobber", "1", "J-1", state="scheduled")]
    record_scan(db, scan(W1, [], frame(deals + job)), frame(deals + job))
    only_d1 = frame(deals[:1])
    record_scan(db, scan(W2, [], only_d1), only_d1)

    assert [(s["as_of"], s["gone"]) for s in states(db, "D-2")] == [(W1, 0), (W2, 1)]
    assert [(s["as_of"], s["gone"]) for s in states(db, "1")] == [(W1, 0)]
    assert [(s["as_of"], s["gone"]) for s in states(db, "D-1")] == [(W1, 0)]

    both = frame(deals)
    record_scan(db, scan(W3, [], both), both)
    assert [(s["as_of"], s["gone"], s["state"]) for s in states(db, "D-2")] == [(W1, 0, "won"), (W2, 1, None), (W3, 0, "won")]


def test_a_renamed_export_file_is_the_same_source(db):
    rows = [record("jobber", "1", "J-1", state="scheduled"), record("jobber", "2", "J-2", state="completed")]
    record_scan(db, scan(W1, [], frame(rows)), frame(rows))
    renamed = frame([{**r, "source": "jobber-export (3)", "file": "jobber-export (3).csv"} for r in rows])
    record_scan(db, scan(W2, [], renamed), renamed)

    assert table_counts(db)["record_states"] == 2


def test_repeated_and_id_less_records_are_tracked_once_or_not_at_all(db):
    rows = [
        record("quickbooks", "INV-9", "J-9", state="invoiced", amount=100.0),
        record("quickbooks", "INV-9", "J-9", state="paid", amount=100.0),
        record("quickbooks", None, "J-9", state="paid"),
    ]
    record_scan(db, scan(W1, [], frame(rows)), frame(rows))

    assert [(s["state"], s["amount"]) for s in states(db, "INV-9")] == [("invoiced", 100.0)]
    assert table_counts(db)["records"] == 1


def test_source_checksum_ignores_row_order_and_file_name_but_not_content(db, week):
    s, records = week(1)
    record_scan(db, s, records)
    shuffled = records.iloc[::-1].reset_index(drop=True).assign(file="elsewhere.csv")
    record_scan(db, scan(W2, [], shuffled), shuffled)
    edited = records.copy()
    edited.loc[edited["record_id"] == "INV-1002", "balance"] = 600.0
    record_scan(db, scan(W3, [], edited), edited)

    sums = read_db(db, lambda c: c.execute("SELECT scan_id, checksum FROM scan_sources WHERE name = 'quickbooks' ORDER BY scan_id").fetchall())
    assert sums[0][1] == sums[1][1]
    assert sums[2][1] != sums[1][1]
    other = read_db(db, lambda c: c.execute("SELECT COUNT(DISTINCT checksum) FROM scan_sources WHERE name = 'hubspot'").fetchone()[0])
    assert other == 1


def test_sources_are_logged_with_each_scan(db, week):
    record_scan(db, *week(1))

    rows = read_db(db, lambda c: c.execute("SELECT name, system, path, records, newest FROM scan_sources ORDER BY name").fetchall())
    assert rows == [
        ("hubspot", "hubspot", "exports/hubspot.csv", 5, "2026-02-06"),
        ("jobber", "jobber", "exports/jobber.csv", 4, "2026-02-07"),
        ("quickbooks", "quickbooks", "exports/quickbooks.csv", 3, "2026-03-02"),
    ]


def test_history_rows_count_by_severity_new_and_resolved(db, week):
    for n in (1, 2, 3):
        record_scan(db, *week(n), ran_at=pd.Timestamp(f"{WEEKS[n - 1]} 06:00", tz="UTC").to_pydatetime())

    rows = history_rows(db)
    assert [(r["as_of"], r["findings"], r["high"], r["medium"], r["low"], r["new"], r["resolved"]) for r in rows] == [
        (W1, 5, 2, 2, 1, 5, 0),
        (W2, 5, 1, 3, 1, 2, 2),
        (W3, 5, 1, 3, 1, 0, 0),
    ]
    assert rows[0]["ran_at"] == "2026-03-09T06:00:00+00:00"
    assert [r["scan_id"] for r in history_rows(db, last=2)] == [2, 3]


def test_the_scan_dict_keeps_its_shape_and_amounts_add_up(db, week):
    s, records = week(1)
    s["findings"].append(finding("amount-mismatch", "J-1002", severity="low", amount=None))
    out = record_scan(db, s, records)

    assert out["summary"]["by_severity"] == {"high": 2, "medium": 2, "low": 2}
    assert out["summary"]["amount_at_stake"] == 1200.0 + 800.0 + 2500.0 + 4200.0 + 650.0
    assert out["summary"]["jobs"] == 5
    assert out["summary"]["by_rule"]["amount-mismatch"] == 1
    assert out["schema"] == "driftcheck.scan/1"


def test_default_history_path_sits_beside_the_config_or_in_the_current_folder(tmp_path):
    assert default_history_path(tmp_path / "acme" / "driftcheck.toml") == tmp_path / "acme" / ".driftcheck" / "history.sqlite"
    assert default_history_path(None, tmp_path) == tmp_path / ".driftcheck" / "history.sqlite"
