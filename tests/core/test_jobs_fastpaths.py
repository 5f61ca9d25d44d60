"""The job table numbers jobs the same way from the linker's integer job codes as from the keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftcheck.jobs import _job_ids


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("spread", ["dense", "sparse", "negative"])
def test_job_ids_from_codes_equal_factorising_the_keys(seed, spread, monkeypatch):
    rng = np.random.default_rng(seed)
    n_jobs = int(rng.integers(1, 40))
    group = rng.integers(0, n_jobs, size=200)  # each record's job, in no particular order
    keys = pd.Series([f"J-{g * 3 + 1}" for g in group], dtype="string[pyarrow]")
    codes = {"dense": group, "sparse": group * 1000 + 7, "negative": group - 5}[spread]
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    got_codes, got_keys = _job_ids(keys, codes)
    want_codes, want_keys = pd.factorize(keys, sort=False)
    assert got_codes.tolist() == want_codes.tolist()
    assert list(got_keys) == list(want_keys)


def test_without_codes_the_keys_are_factorised():
    keys = pd.Series(["D-2", "J-1", "D-2"], dtype="string[pyarrow]")
    codes, uniques = _job_ids(keys, None)
    assert codes.tolist() == [0, 1, 0] and list(uniques) == ["D-2", "J-1"]


@pytest.mark.parametrize("folder", ["sample_exports", "tests/fixtures/sample_week2"])
def test_the_linkers_job_codes_correspond_one_to_one_with_the_job_keys(folder):
    """Two records share a job code exactly when they share a job key, so the job table may
    number jobs from the codes."""
    from pathlib import Path

    from driftcheck.pipeline import load
    from driftcheck.scan import link

    root = Path(__file__).resolve().parents[2] / folder
    result = link(load([root]), [root])
    assert result.job_codes is not None
    by_key = pd.factorize(result.records["job"], sort=False)[0]
    by_code = pd.factorize(result.job_codes, sort=False)[0]
    assert by_key.tolist() == by_code.tolist()
    assert by_key.max() > 10


# --------------------------------------------------------------------------- the job table's columns

_OWNERS = {"pipeline": "crm", "execution": "operations", "billing": "accounting"}


def _rec(job, record_type, system, role, record_id, **fields):
    return {"job": job, "source": system, "record_type": record_type, "system": system, "role": role,
            "record_id": record_id, **fields}


#: jobs with two deals (one undated), void, paid and part-paid invoices, payments recorded in
#: accounting and in operations (one refunded, one dated only by its creation), a payment alone,
#: and a job only a payment names its customer in
_MIXED = [
    _rec("J-1", "deal", "hubspot", "crm", "D1", state="won", amount=1000.0, customer="Ann", title="Roof"),
    _rec("J-1", "deal", "hubspot", "crm", "D2", state="open", amount=900.0, created="2026-01-03"),
    _rec("J-1", "job", "jobber", "operations", "71", state="completed", amount=1000.0, created="2026-01-05",
         completed="2026-01-20", customer="Ann Lee", title="Roof job"),
    _rec("J-1", "invoice", "quickbooks", "accounting", "1001", state="paid", amount=600.0, created="2026-01-21"),
    _rec("J-1", "invoice", "quickbooks", "accounting", "1002", state="invoiced", amount=400.0, balance=150.0,
         created="2026-01-22", due="2026-02-21"),
    _rec("J-1", "invoice", "quickbooks", "accounting", "1003", state="void", amount=999.0, created="2026-01-02"),
    _rec("J-1", "payment", "quickbooks", "accounting", "P1", state="received", amount=600.0, paid="2026-01-25"),
    _rec("J-1", "payment", "jobber", "operations", "P2", state="received", amount=250.0, created="2026-01-24"),
    _rec("J-1", "payment", "quickbooks", "accounting", "P3", state="refunded", amount=50.0, paid="2026-01-01"),
    _rec("J-2", "job", "jobber", "operations", "72", state="scheduled", amount=300.0, created="2026-02-01"),
    _rec("J-2", "invoice", "jobber", "operations", "J-INV-9", state="invoiced", amount=300.0, created="2026-02-02"),
    _rec("J-3", "payment", "quickbooks", "accounting", "P4", state="received", amount=80.0, paid="2026-03-01",
         customer="Bo"),
    _rec("J-4", "deal", "pipedrive", "crm", "D4", state="lost", created="2026-02-10"),
]


def _records(rows, categorical=False):
    from driftcheck.records import conform

    frame = pd.DataFrame(rows)
    jobs = frame.pop("job").astype("string[pyarrow]")
    for c in ("created", "paid", "completed", "due"):
        if c in frame:
            frame[c] = pd.to_datetime(frame[c])
    recs = conform(frame)
    if categorical:  # as the loader holds them
        for c in ("source", "system", "role", "record_type", "state"):
            recs[c] = recs[c].astype("category")
    recs["job"] = jobs.to_numpy()
    return recs


def _both_ways(recs, monkeypatch, **kw):
    from driftcheck.jobs import build_job_table

    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = build_job_table(recs, owners=_OWNERS, **kw)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = build_job_table(recs, owners=_OWNERS, **kw)
    return plain, fast


def _same_table(plain, fast):
    pd.testing.assert_frame_equal(fast.jobs, plain.jobs, check_exact=True)
    assert list(fast.jobs.dtypes.astype(str)) == list(plain.jobs.dtypes.astype(str))
    pd.testing.assert_frame_equal(fast.records, plain.records, check_exact=True)


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize(
    "drop", [(), ("deal",), ("job",), ("invoice",), ("payment",), ("deal", "job", "invoice")],
    ids=lambda d: "no-" + "-".join(d) if d else "all-groups",
)
def test_the_job_table_is_the_same_gathered_or_joined(drop, categorical, monkeypatch):
    """The gathered job table (the default) equals the joined one, value for value and dtype for
    dtype, whichever record groups a business lacks."""
    rows = [r for r in _MIXED if r["record_type"] not in drop]
    plain, fast = _both_ways(_records(rows, categorical), monkeypatch)
    _same_table(plain, fast)
    jobs = fast.jobs
    if not drop:  # the facts the mixed case was written for
        j1 = jobs.loc["J-1"]
        assert j1["deal_id"] == "D2"  # the dated deal comes first; an undated one last
        assert j1["acc_invoice_count"] == 2 and j1["acc_invoiced"] == 1000.0  # the void one is not billed
        assert j1["acc_balance"] == 150.0  # the paid one owes nothing, the other its balance
        assert j1["pay_id"] == "P2" and j1["paid_total"] == 850.0 and j1["acc_paid_total"] == 600.0
        assert jobs.loc["J-3", "customer"] == "Bo" and bool(jobs.loc["J-4", "m_lost"])
        # accounting's first word on a job: its first invoice, else its first payment, else none
        assert jobs.loc["J-1", "acc_first_any"] == pd.Timestamp("2026-01-21")
        assert jobs.loc["J-3", "acc_first_any"] == pd.Timestamp("2026-03-01")
        assert pd.isna(jobs.loc["J-2", "acc_first_any"]) and jobs["acc_first_any"].dtype == "datetime64[ns]"


@pytest.mark.parametrize("folder", ["sample_exports", "tests/fixtures/sample_week2"])
def test_the_job_table_of_a_linked_business_is_the_same_gathered_or_joined(folder, monkeypatch):
    from pathlib import Path

    from driftcheck.pipeline import load
    from driftcheck.scan import link

    root = Path(__file__).resolve().parents[2] / folder
    result = link(load([root]), [root])
    plain, fast = _both_ways(result.records, monkeypatch, job_codes=result.job_codes)
    _same_table(plain, fast)
    assert len(fast.jobs) > 10


def test_a_scan_hands_the_linkers_job_codes_to_the_job_table_and_keeps_no_copy():
    """The job table numbers jobs from the linker's codes, and the scan's link result no longer
    holds them afterwards (at a million jobs they were 55 MB kept through the rules)."""
    from pathlib import Path

    from driftcheck.scan import run_scan

    root = Path(__file__).resolve().parents[2] / "sample_exports"
    outcome = run_scan([root], history_path=None)
    assert outcome.link.job_codes is None
    jid = outcome.table.records["jid"].to_numpy()
    keys = outcome.table.records["job"].to_numpy()
    # every record sits in the row of the job table that holds its job's key
    assert (outcome.table.jobs.index.to_numpy()[jid] == keys).all()
    assert outcome.table.jobs["jid"].tolist() == list(range(len(outcome.table.jobs)))
