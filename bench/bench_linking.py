"""Benchmark: link 100,000 customers per system across three systems (HubSpot, QuickBooks, Jobber).

Usage::

    python bench/bench_linking.py                 # 100,000 customers per system
    python bench/bench_linking.py --customers 20000

The record frame is generated with numpy (vectorised, deterministic seed) the way the
three tools would hold a busy contractor's data: deals (some named only "Smith – Deck"),
jobs, invoices and payments in Jobber, invoices (half synced with Jobber's numbers, half
typed with their own) and payments in QuickBooks; name order, nicknames, email case,
phone formats and typos vary between systems. It is written to a parquet file, then a
fresh Python process loads it and times ``link_records`` alone, so the peak memory
reported is the linker's (plus the frame), not the generator's.

Prints: records per system, link time (median of ``--repeat`` runs), peak RSS, and the
linked shares (a sanity check that the run did real work).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST = (
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Mark "
    "Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary "
    "Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond "
    "Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Mary Patricia Jennifer Linda "
    "Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle "
    "Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna "
    "Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather"
).split()
NICK = {
    "Robert": "Bob",
    "William": "Bill",
    "Michael": "Mike",
    "James": "Jim",
    "Richard": "Rick",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Elizabeth": "Liz",
    "Katherine": "Kathy",
    "Jennifer": "Jen",
    "Daniel": "Dan",
    "David": "Dave",
}
SURN = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson "
    "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts"
).split()
SYL = "ka ro mi ta ne lo sa vi de ber man ton son ley ford wick dal ham ster ing win gar hol stein vik".split()
WORK = [
    "Kitchen remodel",
    "Bathroom renovation",
    "Deck rebuild",
    "Roof repair",
    "Gutter cleaning",
    "Fence installation",
    "Basement waterproofing",
    "Window replacement",
    "Exterior painting",
    "HVAC service",
    "Water heater install",
]
STREETS = [
    "Oak Street",
    "Maple Avenue",
    "Cedar Lane",
    "Pine Road",
    "Elm Street",
    "Birch Drive",
    "Willow Court",
    "Lakeview Boulevard",
    "Hillcrest Drive",
    "Sunset Avenue",
    "Park Place",
    "River Road",
    "Main Street",
]


def generate(n: int, seed: int = 7):  # noqa: ANN201 - a DataFrame
    """A conformed record frame for ``n`` customers per system."""
    import numpy as np
    import pandas as pd

    from driftcheck.records import conform

    rng = np.random.default_rng(seed)
    # surnames: the common ones often, a long tail of rarer ones (built from syllables)
    tail = np.array(sorted({(a + b + c).capitalize() for a in SYL for b in SYL for c in SYL[:8]}))[:6000]
    surnames = np.concatenate([np.array(SURN), tail])
    w = 1.0 / np.arange(1, len(surnames) + 1) ** 0.8
    last = surnames[rng.choice(len(surnames), n, p=w / w.sum())].astype(object)
    first = np.array(FIRST, dtype=object)[rng.integers(0, len(FIRST), n)]
    cid = np.arange(n)
    email = np.where(
        rng.random(n) < 0.85,
        np.char.lower((first + "." + last + cid.astype(str)).astype(str)).astype(object) + "@example.com",
        None,
    )
    phone_d = (2_000_000_000 + rng.choice(7_000_000_000, n, replace=False)).astype(str)
    street = np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), n)]
    house = rng.integers(1, 9999, n).astype(str).astype(object)

    # jobs: one per customer, a second for 30%
    second = rng.random(n) < 0.3
    jc = np.concatenate([cid, cid[second]])
    m = len(jc)
    job_no = (100_000 + np.arange(m)).astype(str).astype(object)
    total = np.round(rng.lognormal(8.3, 0.9, m) / 5) * 5
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 330, m), unit="D")
    created = created + pd.to_timedelta(np.where(np.arange(m) >= n, 60, 0), unit="D")
    done = rng.random(m) < 0.65
    completed = created + pd.to_timedelta(rng.integers(5, 40, m), unit="D")
    title = np.array(WORK, dtype=object)[rng.integers(0, len(WORK), m)]

    def phone_fmt(d: np.ndarray, style: int) -> np.ndarray:
        s = pd.Series(d, dtype="string")
        if style == 0:
            return ("(" + s.str[:3] + ") " + s.str[3:6] + "-" + s.str[6:]).to_numpy(object)
        if style == 1:
            return ("+1 " + s.str[:3] + "." + s.str[3:6] + "." + s.str[6:]).to_numpy(object)
        return s.to_numpy(object)

    def case_var(e: np.ndarray) -> np.ndarray:
        s = pd.Series(e, dtype="string")
        up = rng.random(len(e)) < 0.3
        return s.where(~up, s.str.upper()).to_numpy(object)

    def typo(names: np.ndarray, rate: float) -> np.ndarray:
        s = pd.Series(names, dtype="string")
        hit = rng.random(len(s)) < rate
        return s.where(~hit, s.str[:2] + s.str[3:]).to_numpy(object)

    frames = []
    # Jobber jobs
    frames.append(
        pd.DataFrame(
            {
                "source": "jobber_jobs.csv",
                "system": "jobber",
                "role": "operations",
                "record_type": "job",
                "record_id": job_no,
                "customer": first[jc] + " " + last[jc],
                "email": case_var(email[jc]),
                "phone": phone_fmt(phone_d[jc], 0),
                "address": house[jc] + " " + street[jc],
                "title": title,
                "state": np.where(done, "completed", "scheduled"),
                "amount": total,
                "created": created,
                "completed": completed.where(done),
            }
        )
    )
    # HubSpot deals for 85% of jobs; a fifth of them without a contact ("Smith – Deck rebuild")
    dj = np.flatnonzero(rng.random(m) < 0.85)
    contact = rng.random(len(dj)) < 0.8
    # a HubSpot contact has one name: the nickname (when used) is chosen per customer
    contact_first = first.copy()
    nick = (rng.random(n) < 0.3) & pd.Series(first).isin(list(NICK)).to_numpy()
    contact_first[nick] = pd.Series(first[nick]).map(NICK).to_numpy(object)
    hs_first = contact_first[jc[dj]]
    frames.append(
        pd.DataFrame(
            {
                "source": "hubspot-deals.csv",
                "system": "hubspot",
                "role": "crm",
                "record_type": "deal",
                "record_id": (9_000_000 + dj).astype(str).astype(object),
                "customer": np.where(contact, hs_first + " " + last[jc[dj]], None),
                "email": np.where(contact, email[jc[dj]], None),
                "phone": np.where(contact & (rng.random(len(dj)) < 0.5), phone_fmt(phone_d[jc[dj]], 1), None),
                "title": last[jc[dj]] + " – " + title[dj],
                "state": "won",
                "amount": total[dj],
                "created": created[dj] - pd.Timedelta(days=40),
                "closed": created[dj] - pd.Timedelta(days=7),
            }
        )
    )
    # Jobber invoices for completed jobs, and their payments
    ij = np.flatnonzero(done)
    inv_no = (500_000 + np.arange(len(ij))).astype(str).astype(object)
    inv_date = completed[ij] + pd.Timedelta(days=2)
    frames.append(
        pd.DataFrame(
            {
                "source": "jobber_invoices.csv",
                "system": "jobber",
                "role": "operations",
                "record_type": "invoice",
                "record_id": inv_no,
                "customer": first[jc[ij]] + " " + last[jc[ij]],
                "email": email[jc[ij]],
                "phone": phone_fmt(phone_d[jc[ij]], 0),
                "job_refs": np.where(rng.random(len(ij)) < 0.96, job_no[ij], None),
                "state": "paid",
                "amount": total[ij],
                "balance": 0.0,
                "created": inv_date,
            }
        )
    )
    frames.append(
        pd.DataFrame(
            {
                "source": "jobber_transactions.csv",
                "system": "jobber",
                "role": "operations",
                "record_type": "payment",
                "record_id": ("TX" + pd.Series(np.arange(len(ij))).astype(str)).to_numpy(object),
                "customer": first[jc[ij]] + " " + last[jc[ij]],
                "invoice_refs": inv_no,
                "state": "received",
                "amount": total[ij],
                "created": inv_date + pd.Timedelta(days=9),
            }
        )
    )
    # QuickBooks: half synced (same numbers), half typed with their own numbers and no reference
    synced = rng.random(len(ij)) < 0.5
    q_no = np.where(synced, inv_no, (800_000 + np.arange(len(ij))).astype(str).astype(object))
    # a QuickBooks customer has one display name: "Last, First" or "First Last", a typo in 5%
    ql = typo(last, 0.05)
    display = np.where(rng.random(n) < 0.5, ql + ", " + first, first + " " + ql)
    q_name = display[jc[ij]]
    frames.append(
        pd.DataFrame(
            {
                "source": "QBO Invoice List.xlsx",
                "system": "quickbooks",
                "role": "accounting",
                "record_type": "invoice",
                "record_id": q_no,
                "customer": q_name,
                "state": "paid",
                "amount": total[ij],
                "balance": 0.0,
                "created": inv_date + pd.to_timedelta(np.where(synced, 0, 1), unit="D"),
            }
        )
    )
    frames.append(
        pd.DataFrame(
            {
                "source": "QBO Payments.xlsx",
                "system": "quickbooks",
                "role": "accounting",
                "record_type": "payment",
                "record_id": None,
                "customer": q_name,
                "invoice_refs": np.where(rng.random(len(ij)) < 0.7, q_no, None),
                "state": "received",
                "amount": total[ij],
                "created": inv_date + pd.Timedelta(days=9),
            }
        )
    )
    return conform(pd.concat(frames, ignore_index=True))


def run(path: Path, repeat: int) -> dict:
    """Load the frame and time link_records alone (in this fresh process)."""
    import pandas as pd

    from driftcheck.linking import link_records

    records = pd.read_parquet(path)
    from driftcheck.records import conform

    records = conform(records)
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = link_records(records)
        times.append(time.perf_counter() - t0)
    assert result is not None
    r = result.records
    linked = r["link_method"] != "unlinked"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "records": len(r),
        "by_system": r.groupby("system").size().to_dict(),
        "seconds": sorted(times)[len(times) // 2],
        "all_runs": [round(t, 2) for t in times],
        "peak_rss_mb": round(peak_mb),
        "linked_share": {k: round(float(v), 3) for k, v in linked.groupby(r["source"]).mean().items()},
        "ambiguous": len(result.ambiguous),
        "duplicates": len(result.duplicates),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000, help="customers per system (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (median reported)")
    ap.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(run(args.run, args.repeat)))
        return
    t0 = time.perf_counter()
    frame = generate(args.customers)
    gen = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.parquet"
        frame.to_parquet(path)
        del frame
        out = subprocess.run(
            [sys.executable, __file__, "--run", str(path), "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"customers per system: {args.customers:,} (generated in {gen:.1f} s)")
    print(f"records: {res['records']:,}  {res['by_system']}")
    print(f"link_records: {res['seconds']:.2f} s (runs {res['all_runs']})  peak RSS {res['peak_rss_mb']:,} MB")
    print(f"linked share by source: {res['linked_share']}")
    print(f"ambiguous: {res['ambiguous']:,}  duplicate groups: {res['duplicates']:,}")


if __name__ == "__main__":
    main()
