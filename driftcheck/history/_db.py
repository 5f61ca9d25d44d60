"""The history database file: where it lives, its schema, migrations and transactions.

The store is one SQLite file (stdlib :mod:`sqlite3`) in WAL mode, so a reader
(``driftcheck history``) never blocks a scan and a scan never blocks a reader.
Every write is one ``BEGIN IMMEDIATE`` transaction: two scans started at once
(overlapping cron runs) take turns, the second waiting up to
:data:`BUSY_TIMEOUT` seconds, and a scan killed midway leaves the file exactly
as it was.

The schema version is ``PRAGMA user_version``. :data:`MIGRATIONS` is an ordered
list of SQL scripts; script ``i`` takes the database from version ``i`` to
``i + 1``. A file written by a newer driftcheck is refused before anything is
written to it.

Schema (version 1)::

    scans           one row per recorded scan: when, audit date, counts
    scan_sources    what each scan read: path or API, checksum, records, newest
    records         identity of a native record: (record_id, system, record_type)
    record_states   a record's state, one row per change (gone = 1: left the export)
    findings        identity of a finding: stable id, rule, job
    finding_states  a finding's state, one row per change (present = 0: resolved)
    acks            acknowledgements, active ones have ended_at NULL
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import HistoryError

__all__ = [
    "BUSY_TIMEOUT",
    "DB_DIR",
    "DB_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "default_history_path",
    "opened",
    "transaction",
]

#: Folder, beside ``driftcheck.toml``, that holds the history file.
DB_DIR = ".driftcheck"
#: File name of the history database.
DB_NAME = "history.sqlite"
#: Seconds a scan waits for another scan's write to finish before giving up.
BUSY_TIMEOUT = 30.0

_V1 = """
CREATE TABLE scans (
    scan_id         INTEGER PRIMARY KEY,
    ran_at          TEXT NOT NULL,          -- when the scan ran, ISO 8601 UTC
    as_of           TEXT NOT NULL,          -- the audit date, YYYY-MM-DD
    business        TEXT,
    tool_version    TEXT,
    jobs            INTEGER,
    findings        INTEGER NOT NULL,       -- every finding present, acknowledged ones included
    high            INTEGER NOT NULL,
    medium          INTEGER NOT NULL,
    low             INTEGER NOT NULL,
    new             INTEGER NOT NULL,
    resolved        INTEGER NOT NULL,
    acknowledged    INTEGER NOT NULL,
    amount_at_stake REAL
);

CREATE TABLE scan_sources (
    scan_id  INTEGER NOT NULL REFERENCES scans (scan_id),
    name     TEXT NOT NULL,
    system   TEXT,
    role     TEXT,
    path     TEXT,                          -- export path, or api:<system>/<stream>
    checksum TEXT,                          -- sha256 of the normalised records
    records  INTEGER,
    newest   TEXT,
    PRIMARY KEY (scan_id, name)
) WITHOUT ROWID;

CREATE TABLE records (
    rec         INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL,
    system      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    source      TEXT,                       -- latest source name, customer, company, title:
    customer    TEXT,                       -- labels for finding the record, not tracked
    company     TEXT,
    title       TEXT,
    UNIQUE (record_id, system, record_type)
);

CREATE TABLE record_states (
    rec        INTEGER NOT NULL REFERENCES records (rec),
    scan_id    INTEGER NOT NULL REFERENCES scans (scan_id),  -- the scan that first saw this state
    gone       INTEGER NOT NULL DEFAULT 0,  -- 1: no longer in the export
    job        TEXT,
    raw_status TEXT,
    state      TEXT,
    sent       INTEGER,
    amount     REAL,
    balance    REAL,
    created    TEXT,
    updated    TEXT,
    scheduled  TEXT,
    completed  TEXT,
    closed     TEXT,
    due        TEXT,
    paid       TEXT,
    PRIMARY KEY (rec, scan_id)
) WITHOUT ROWID;
CREATE INDEX record_states_job ON record_states (job);

CREATE TABLE findings (
    finding_id TEXT PRIMARY KEY,
    rule       TEXT NOT NULL,
    job        TEXT,
    customer   TEXT,
    owner      TEXT
) WITHOUT ROWID;
CREATE INDEX findings_job ON findings (job);

CREATE TABLE finding_states (
    finding_id  TEXT NOT NULL REFERENCES findings (finding_id),
    scan_id     INTEGER NOT NULL REFERENCES scans (scan_id),
    present     INTEGER NOT NULL,           -- 0: resolved in this scan
    opened_scan INTEGER NOT NULL REFERENCES scans (scan_id),  -- start of this open spell
    severity    TEXT,
    amount      REAL,
    fingerprint TEXT,                       -- hash of amount + evidence values
    message     TEXT,
    PRIMARY KEY (finding_id, scan_id)
) WITHOUT ROWID;

CREATE TABLE acks (
    ack_id      INTEGER PRIMARY KEY,
    finding_id  TEXT NOT NULL REFERENCES findings (finding_id),
    reason      TEXT NOT NULL,
    until       TEXT,                       -- YYYY-MM-DD, last audit date it holds for
    fingerprint TEXT,                       -- the finding's evidence when acknowledged
    acked_at    TEXT NOT NULL,
    acked_scan  INTEGER REFERENCES scans (scan_id),  -- the latest scan when acknowledged
    ended_at    TEXT,
    ended_scan  INTEGER REFERENCES scans (scan_id),  -- the scan it lapsed in, or the latest when withdrawn
    ended_why   TEXT                        -- unacknowledged | until passed | evidence changed | replaced
);
CREATE UNIQUE INDEX acks_active ON acks (finding_id) WHERE ended_at IS NULL;
"""

#: Ordered migration scripts: ``MIGRATIONS[i]`` takes the schema from version i to i + 1.
MIGRATIONS: list[str] = [_V1]

#: The schema version this driftcheck writes.
SCHEMA_VERSION = len(MIGRATIONS)


def default_history_path(config_path: Path | None, cwd: Path | None = None) -> Path:
    """Where the history lives when ``--history`` is not given.

    Beside ``driftcheck.toml`` when there is one, else in the current folder.

    Args:
        config_path: the ``driftcheck.toml`` in use, if any.
        cwd: the folder to use without a config. Defaults to the current directory.

    Returns:
        ``<folder>/.driftcheck/history.sqlite``.

    Example:
        >>> default_history_path(Path("/srv/acme/driftcheck.toml"))
        PosixPath('/srv/acme/.driftcheck/history.sqlite')
    """
    folder = Path(config_path).parent if config_path is not None else Path(cwd) if cwd is not None else Path.cwd()
    return folder / DB_DIR / DB_NAME


def _newer_schema(path: Path, version: int) -> HistoryError:
    return HistoryError(
        f"{path} was written by a newer driftcheck (schema {version}); this version reads up to "
        f"{SCHEMA_VERSION}. Upgrade driftcheck or use --history with another file."
    )


@contextmanager
def opened(path: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
    """Open the history database, migrated to :data:`SCHEMA_VERSION`, and close it after.

    The connection is in autocommit mode: writers open their own
    :func:`transaction`. SQLite errors raised inside the block become
    :class:`~driftcheck.errors.HistoryError` with a message saying what to do.

    Args:
        path: the history file.
        create: create the file (and its folder) when missing. Defaults to False,
            which raises HistoryError for a missing file.

    Raises:
        HistoryError: missing file (without ``create``), not a database, written by
            a newer driftcheck, or locked by another scan for over :data:`BUSY_TIMEOUT` s.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise HistoryError(f"No scan history at {path} yet: run `driftcheck scan` first, or point --history at the file.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"Cannot create the history folder {path.parent}: {exc.strerror}. Use --history with another file.") from exc
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        conn.row_factory = sqlite3.Row
    except sqlite3.Error as exc:
        raise HistoryError(f"Cannot open the history file {path}: {exc}. Use --history with another file.") from exc
    try:
        # Read the version before any write (even switching to WAL writes the header),
        # so a newer driftcheck's file is refused untouched.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _newer_schema(path, version)
        _enable_wal(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        # Working tables of a scan are temp tables: keep them in memory, never on disk.
        conn.execute("PRAGMA temp_store=MEMORY")
        if version < SCHEMA_VERSION:
            _migrate(conn, path)
        yield conn
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise HistoryError(
                f"The history file {path} is locked by another driftcheck (waited up to {BUSY_TIMEOUT:.0f} s); "
                "try again when the other scan has finished."
            ) from exc
        raise HistoryError(f"The history file {path} cannot be used: {exc}. Use --history with another file.") from exc
    except sqlite3.DatabaseError as exc:
        raise HistoryError(
            f"{path} is not a usable driftcheck history database ({exc}). Use --history with another file."
        ) from exc
    finally:
        conn.close()


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (once: the mode is stored in the file).

    Two scans creating the file at once race for this switch, and SQLite answers
    the loser "database is locked" at once, without waiting on the busy
    timeout, so wait here instead.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it is committed, or none of it.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so two scans queue on
    the busy timeout instead of failing later on a lock upgrade.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        # SQLite rolls back by itself on some errors (disk full); don't mask the cause.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    """Split a SQL script into statements (``executescript`` would commit midway)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    with transaction(conn):
        # Re-read inside the lock: a concurrent driftcheck may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _newer_schema(path, version)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
