"""Benchmark: a year of weekly scans of a 10,000-job business, recorded in the history.

Generates the records of a contracting business (a CRM deal, an operations job
and an invoice per job, a payment for most, a deposit for many: about 4.4
records a job), then simulates 52 weekly scans with churn like a real one:
each week a few % of records change (status moves on, a date is set, a
balance is paid down, the record's modified date moves), new jobs arrive, old
ones drop out of the exports, and ~8% of jobs carry a finding, some fixed and
some new each week. Every scan is recorded with :func:`record_scan`; the file
size and the time of each call are reported.

Run from the repository root::

    python bench/bench_history.py                # prints the results
    python bench/bench_history.py --write        # and rewrites bench/RESULTS-history.md
    python bench/bench_history.py --jobs 2000 --weeks 8   # a quick look
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from driftcheck.history import history_rows, record_scan, timeline  # noqa: E402
from driftcheck.records import conform  # noqa: E402

START = pd.Timestamp("2026-01-05")
SYSTEM = {"deal": "hubspot", "job": "jobber", "invoice": "quickbooks", "payment": "quickbooks", "deposit": "jobber"}
ROLE = {"hubspot": "crm", "jobber": "operations", "quickbooks": "accounting"}
#: share of jobs that have each record type
SHARE = {"deal": 1.0, "job": 1.0, "invoice": 1.0, "payment": 0.8, "deposit": 0.6}
#: how a record's state moves on when it changes
NEXT = {
    "open": "won", "won": "won",
    "unscheduled": "scheduled", "scheduled": "in_progress", "in_progress": "completed", "completed": "completed",
    "invoiced": "partially_paid", "partially_paid": "paid", "paid": "paid", "received": "received",
}
RAW = {
    "open": "Appointment Scheduled", "won": "Closed Won", "unscheduled": "Unscheduled", "scheduled": "Upcoming",
    "in_progress": "Today", "completed": "Completed", "invoiced": "Open", "partially_paid": "Partial",
    "paid": "Paid", "received": "Received",
}
FIRST = {"deal": "open", "job": "unscheduled", "invoice": "invoiced", "payment": "received", "deposit": "received"}
RULES = [
    ("complete-not-invoiced", "high", "accounting"), ("invoice-overdue", "high", "accounting"),
    ("paid-crm-open", "medium", "crm"), ("schedule-passed-not-complete", "medium", "operations"),
    ("invoice-not-sent", "low", "accounting"), ("won-not-invoiced", "medium", "crm"),
]


def new_jobs(first: int, count: int, when: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """The records of ``count`` new jobs numbered from ``first``, created around ``when``."""
    parts = []
    numbers = np.arange(first, first + count)
    amounts = rng.integers(300, 25_000, count).astype(float)
    created = when - pd.to_timedelta(rng.integers(0, 60, count), unit="D")
    for kind, share in SHARE.items():
        keep = rng.random(count) < share
        n = int(keep.sum())
        nums = numbers[keep]
        prefix = {"deal": "D-", "job": "", "invoice": "INV-", "payment": "PMT-", "deposit": "DEP-"}[kind]
        parts.append(pd.DataFrame({
            "source": SYSTEM[kind], "system": SYSTEM[kind], "role": ROLE[SYSTEM[kind]], "record_type": kind,
            "record_id": [f"{prefix}{x}" for x in nums], "file": f"{SYSTEM[kind]}.csv",
            "customer": [f"Customer {x % 7919}" for x in nums], "title": [f"Job {x}" for x in nums],
            "raw_status": RAW[FIRST[kind]], "state": FIRST[kind],
            "amount": amounts[keep] * (0.3 if kind == "deposit" else 1.0),
            "balance": amounts[keep] if kind == "invoice" else np.nan,
            "sent": (rng.random(n) < 0.9) if kind == "invoice" else pd.NA,
            "created": created[keep], "updated": created[keep],
            "due": created[keep] + pd.Timedelta(days=30) if kind == "invoice" else pd.NaT,
            "job": [f"J-{x}" for x in nums],
        }))
    out = pd.concat(parts, ignore_index=True)
    job = out.pop("job")
    out = conform(out)
    out["job"] = job.astype("string")
    return out


def churn(records: pd.DataFrame, when: pd.Timestamp, rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """A few % of records move on: status, dates, balance, modified date (vectorised)."""
    out = records.copy()
    hit = rng.random(len(out)) < rate
    state = out.loc[hit, "state"].astype(str).map(NEXT)
    out.loc[hit, "state"] = state.to_numpy()
    out.loc[hit, "raw_status"] = state.map(RAW).to_numpy()
    out.loc[hit, "updated"] = when
    done = hit & (out["state"] == "completed").to_numpy() & out["completed"].isna().to_numpy()
    out.loc[done, "completed"] = when
    sched = hit & (out["state"] == "scheduled").to_numpy()
    out.loc[sched, "scheduled"] = when + pd.Timedelta(days=7)
    inv = hit & (out["record_type"] == "invoice").to_numpy()
    out.loc[inv, "balance"] = np.where(out.loc[inv, "state"] == "paid", 0.0, out.loc[inv, "balance"] * 0.5)
    out.loc[inv & (out["state"] == "paid").to_numpy(), "paid"] = when
    return out


def findings_for(jobs: np.ndarray, rules: np.ndarray, amounts: dict[str, float]) -> list[dict]:
    out = []
    for job, r in zip(jobs, rules, strict=True):
        rule, severity, owner = RULES[r]
        out.append({
            "id": hashlib.sha256(f"{rule}|{job}".encode()).hexdigest()[:12], "rule": rule, "severity": severity,
            "owner": owner, "job": job, "customer": "", "message": f"{rule} on {job}", "since": None, "age_days": None,
            "amount": amounts.get(job), "records": {}, "evidence": [{"source": "jobber", "record": job, "field": "state", "value": rule}],
        })
    return out


def scan_of(as_of: pd.Timestamp, records: pd.DataFrame, findings: list[dict]) -> dict:
    sources = [{"name": n, "system": n, "role": ROLE[n], "path": f"exports/{n}.csv", "records": int(len(g)),
                "newest": str(g["created"].max().date())} for n, g in records.groupby("source")]
    return {"schema": "driftcheck.scan/1", "as_of": str(as_of.date()), "business": "Bench Builders",
            "tool": {"name": "driftcheck", "version": "bench"}, "sources": sources,
            "summary": {"jobs": int(records["job"].nunique())}, "findings": findings}


def file_size(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def run(jobs: int, weeks: int, churn_rate: float, seed: int, db: Path) -> dict:
    rng = np.random.default_rng(seed)
    records = new_jobs(1, jobs, START, rng)
    next_job = jobs + 1
    open_findings: dict[str, int] = {}
    timings, sizes, counts = [], [], []
    for week in range(weeks):
        when = START + pd.Timedelta(weeks=week)
        if week:
            records = churn(records, when, churn_rate, rng)
            arriving = int(jobs * 0.02)  # ~200 new jobs a week
            records = pd.concat([records, new_jobs(next_job, arriving, when, rng)], ignore_index=True)
            next_job += arriving
            # the oldest ~1% of jobs drop out of the exports (archived, or past the export's date range)
            live = records["job"].str.slice(2).astype(int)
            records = records[live >= live.quantile(0.01)].reset_index(drop=True)
        # ~8% of live jobs carry a finding; 15% of last week's are fixed, new ones appear
        live_jobs = records["job"].drop_duplicates().to_numpy()
        alive = set(live_jobs)
        kept = {j: r for j, r in open_findings.items() if rng.random() > 0.15 and j in alive}
        want = int(len(live_jobs) * 0.08) - len(kept)
        fresh = rng.choice(live_jobs, size=max(want, 0), replace=False)
        open_findings = kept | {j: int(rng.integers(len(RULES))) for j in fresh}
        amounts = records[records["record_type"] == "invoice"].set_index("job")["balance"].to_dict()
        fjobs = np.array(list(open_findings))
        scan = scan_of(when, records, findings_for(fjobs, np.array([open_findings[j] for j in fjobs]), amounts))
        ran = datetime(2026, 1, 5, 6, tzinfo=timezone.utc) + timedelta(weeks=week)
        t0 = time.perf_counter()
        record_scan(db, scan, records, ran_at=ran)
        timings.append(time.perf_counter() - t0)
        sizes.append(file_size(db))
        counts.append(len(records))
    t0 = time.perf_counter()
    record_scan(db, scan, records, ran_at=ran + timedelta(hours=1))  # identical rescan
    rescan = time.perf_counter() - t0
    t0 = time.perf_counter()
    history_rows(db)
    t_history = time.perf_counter() - t0
    t0 = time.perf_counter()
    trail = timeline(db, f"J-{next_job - 500}")
    t_timeline = time.perf_counter() - t0
    conn = sqlite3.connect(db)
    rows = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("scans", "records", "record_states", "findings", "finding_states")}
    conn.close()
    return {"timings": timings, "sizes": sizes, "counts": counts, "rescan": rescan, "history": t_history,
            "timeline": t_timeline, "timeline_events": len(trail.events), "rows": rows, "final_size": file_size(db)}


def report(args: argparse.Namespace, r: dict) -> str:
    mb = 1024 * 1024
    t = r["timings"]
    lines = [
        "# History store: a year of weekly scans",
        "",
        f"Command: `python bench/bench_history.py --jobs {args.jobs} --weeks {args.weeks} --churn {args.churn} --seed {args.seed}`",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, pandas {pd.__version__}; measured {datetime.now(timezone.utc):%Y-%m-%d}.",
        "",
        f"Business: {args.jobs:,} jobs at the start, about 4.4 records a job; each week {args.churn:.0%} of records change,"
        f" {int(args.jobs * 0.02):,} jobs arrive, the oldest 1% drop out of the exports; ~8% of jobs carry a finding,"
        " 15% of them fixed each week.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| records per scan (first / last) | {r['counts'][0]:,} / {r['counts'][-1]:,} |",
        f"| **file size after {args.weeks} scans** | **{r['final_size'] / mb:.1f} MB** (target < 50 MB) |",
        f"| size after the first scan | {r['sizes'][0] / mb:.1f} MB |",
        f"| growth per weekly scan (mean after the first) | {(r['sizes'][-1] - r['sizes'][0]) / max(len(t) - 1, 1) / 1024:.0f} KB |",
        f"| record_scan time: first / median / max | {t[0]:.2f} s / {statistics.median(t):.2f} s / {max(t):.2f} s |",
        f"| identical rescan (writes only the scan log) | {r['rescan']:.2f} s |",
        f"| `history_rows` over all scans | {r['history'] * 1000:.0f} ms |",
        f"| `timeline` of one job ({r['timeline_events']} events) | {r['timeline'] * 1000:.0f} ms |",
        "",
        "Rows stored: " + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items()) + ".",
        "",
        "Size by week (MB): " + " ".join(f"{s / mb:.1f}" for s in r["sizes"][:: max(1, len(r["sizes"]) // 13)]),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--churn", type=float, default=0.03, help="share of records changing each week")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="rewrite bench/RESULTS-history.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.jobs, args.weeks, args.churn, args.seed, Path(tmp) / "history.sqlite")
    text = report(args, result)
    print(text)
    if args.write:
        (Path(__file__).parent / "RESULTS-history.md").write_text(text)


if __name__ == "__main__":
    main()
