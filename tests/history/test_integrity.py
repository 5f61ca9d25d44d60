"""The history file survives what cron does to it: newer versions, failures, overlapping runs, kills."""

from __future__ import annotations

import copy
import os
import signal
import sqlite3
import threading
import time

import pytest

import driftcheck.history._db as history_db
import driftcheck.history._record as history_record
from driftcheck.errors import HistoryError
from driftcheck.history import SCHEMA_VERSION, history_rows, record_scan, timeline
from tests.history.factories import dump, integrity, read_db, table_counts


def wait_for(path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def set_user_version(db, version: int) -> None:
    def write(conn):
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    read_db(db, write)


def test_a_file_from_a_newer_driftcheck_is_refused_and_left_untouched(db, week):
    record_scan(db, *week(1))
    set_user_version(db, SCHEMA_VERSION + 1)
    before = db.read_bytes()

    message = rf"written by a newer driftcheck \(schema {SCHEMA_VERSION + 1}\); this version reads up to {SCHEMA_VERSION}\. Upgrade driftcheck or use --history with another file\."
    with pytest.raises(HistoryError, match=message):
        record_scan(db, *week(2))
    with pytest.raises(HistoryError, match=message):
        history_rows(db)
    assert db.read_bytes() == before


def test_an_older_file_is_migrated_forward_keeping_its_history(db, week, monkeypatch):
    record_scan(db, *week(1))
    monkeypatch.setattr(history_db, "MIGRATIONS", [*history_db.MIGRATIONS, "ALTER TABLE scans ADD COLUMN note TEXT;\nCREATE INDEX scans_as_of ON scans (as_of);"])
    monkeypatch.setattr(history_db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    out = record_scan(db, *week(2))

    assert read_db(db, lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION + 1
    assert read_db(db, lambda c: [r[1] for r in c.execute("PRAGMA table_info(scans)")])[-1] == "note"
    assert out["summary"]["resolved"] == 2  # week 1 was still there to compare with
    assert len(history_rows(db)) == 2


def test_a_fresh_file_starts_at_the_current_schema(db, week):
    record_scan(db, *week(1))

    assert read_db(db, lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
    assert read_db(db, lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"


def test_a_file_that_is_not_a_history_is_a_clear_error(tmp_path, week):
    notes = tmp_path / "notes.txt"
    notes.write_text("this is a shopping list, not a database\n" * 50)

    with pytest.raises(HistoryError, match="notes.txt is not a usable driftcheck history database"):
        record_scan(notes, *week(1))
    assert notes.read_text().startswith("this is a shopping list")


def test_a_scan_failing_midway_writes_nothing_and_leaves_the_dict_alone(db, week, monkeypatch):
    record_scan(db, *week(1))
    before = dump(db)
    s, records = week(2)
    pristine = copy.deepcopy(s)

    def fail(*args):
        raise OSError("disk unplugged")

    monkeypatch.setattr(history_record, "_write_records", fail)
    with pytest.raises(OSError, match="disk unplugged"):
        record_scan(db, s, records)
    assert dump(db) == before
    assert s == pristine


def test_a_scan_waits_while_another_holds_a_new_file_before_it_is_in_wal_mode(db, week):
    # SQLite refuses the switch to WAL at once, without the busy timeout, while
    # another connection holds the file's write lock: the race of two scans creating it.
    db.parent.mkdir(parents=True)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, holder.execute, ("COMMIT",))
    release.start()
    started = time.monotonic()
    out = record_scan(db, *week(1))
    release.join()
    holder.close()

    assert time.monotonic() - started >= 0.3
    assert out["summary"]["new"] == 5
    assert read_db(db, lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"


def test_two_scans_started_together_on_a_new_file_are_both_recorded(db, week, start_child):
    s, records = week(1)
    go = time.time() + 2.0  # both past their imports, then at the same instant
    children = [start_child(db, s, records, go=go) for _ in range(2)]
    results = [c.communicate(timeout=60) for c in children]

    assert [c.returncode for c in children] == [0, 0], results
    # One of them went first and saw 5 new findings; the other saw them open.
    assert sorted(out.strip() for out, _ in results) == ["0", "5"]
    assert [r["new"] for r in history_rows(db)] == [5, 0]
    assert integrity(db) == "ok"


def test_a_scan_waits_for_one_still_writing_and_both_finish(db, week, start_child, tmp_path):
    record_scan(db, *week(1))
    marker = tmp_path / "first-is-writing"
    first = start_child(db, *week(2), marker=marker, pause=1.5)
    wait_for(marker)
    second = start_child(db, *week(3))
    out_second, err_second = second.communicate(timeout=60)
    out_first, err_first = first.communicate(timeout=60)

    assert (first.returncode, second.returncode) == (0, 0), (err_first, err_second)
    assert (out_first.strip(), out_second.strip()) == ("2", "0")  # the second saw the first's findings
    assert [r["as_of"] for r in history_rows(db)] == ["2026-03-09", "2026-03-16", "2026-03-23"]
    assert integrity(db) == "ok"


def test_a_scan_killed_mid_write_leaves_the_file_exactly_as_before(db, week, start_child, tmp_path):
    record_scan(db, *week(1))
    before, counts = dump(db), table_counts(db)
    marker = tmp_path / "writing"
    child = start_child(db, *week(2), marker=marker, pause=60)
    wait_for(marker)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)

    assert child.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    assert dump(db) == before and table_counts(db) == counts
    # and the history goes on as if the killed run never happened
    out = record_scan(db, *week(2))
    assert (out["summary"]["new"], out["summary"]["resolved"]) == (2, 2)
    assert [e.seen for e in timeline(db, "J-1001").events][-1] == "2026-03-16"
