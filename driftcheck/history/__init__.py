"""The memory between scans: a SQLite history of every scan, its findings and its records.

An owner who scans every week sees what changed since last week (each finding
is ``new`` or ``open``, with the date it was first seen, and the findings
resolved since the previous scan are listed), can ask when and where a job's
status changed (:func:`timeline`), and can acknowledge a known finding so it
stops repeating until its evidence changes (:func:`ack`).

Public API (importing this package does not import pandas)::

    from driftcheck.history import default_history_path, record_scan
    path = default_history_path(config_path)          # .driftcheck/history.sqlite
    record_scan(path, scan, records)                  # marks new/open, resolved, acknowledged
    history_rows(path)                                # the scan log, for `driftcheck history`
    timeline(path, "J-1042")                          # a job's audit trail
    ack(path, finding_id, "reason", until=None); unack(path, finding_id); list_acks(path)

The file layout, schema and migrations are described in :mod:`driftcheck.history._db`.
"""

from __future__ import annotations

from ._acks import ack, list_acks, unack
from ._db import SCHEMA_VERSION, default_history_path
from ._record import fingerprint, record_scan, summarise
from ._timeline import Timeline, TimelineEvent, timeline
from ._trend import HISTORY_COLUMNS, history_rows, sparkline

__all__ = [
    "HISTORY_COLUMNS",
    "SCHEMA_VERSION",
    "Timeline",
    "TimelineEvent",
    "ack",
    "default_history_path",
    "fingerprint",
    "history_rows",
    "list_acks",
    "record_scan",
    "sparkline",
    "summarise",
    "timeline",
    "unack",
]
