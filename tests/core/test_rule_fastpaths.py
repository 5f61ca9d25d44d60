"""The rule engine's optimised lookups equal their plain twins (``DRIFTCHECK_FASTPATHS=0``).

The engine finds the records a finding rests on by record number and by job. The fast paths
ask pyarrow (``is_in``) and a boolean per job; these tests require the same rows as pandas'
``isin`` in the cases that matter: missing numbers, a missing value among those asked for,
values that are not text, and nothing asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftcheck.engine import _in_jobs, _isin_text


@pytest.mark.parametrize(
    "values",
    [["1001", "77"], ["1001", pd.NA], ["1001", None], ["1001", np.nan], [1001, "77"], [], ["absent"]],
)
def test_text_lookup_finds_the_rows_pandas_finds(values, monkeypatch):
    ids = pd.Series(["1001", None, "77", "1001", "7"], dtype="string[pyarrow]")
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = _isin_text(ids, values)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = _isin_text(ids, values)
    assert fast.dtype == bool
    assert fast.tolist() == plain.tolist() == ids.isin(values).tolist()


def test_job_lookup_marks_the_records_of_the_hit_jobs(monkeypatch):
    rec_jid = np.array([0, 3, 3, 1, 4, 2, 0])
    hit_jobs = np.array([3, 0])
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = _in_jobs(rec_jid, hit_jobs, n_jobs=5)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = _in_jobs(rec_jid, hit_jobs, n_jobs=5)
    assert fast.tolist() == plain.tolist() == [True, True, True, False, False, False, True]


# --------------------------------------------------------------------------- status conflicts

_STATES = ["invoiced", "partially_paid", "paid", "void", "scheduled", None]


def _billing_case(rows: list[tuple], jobs_rows: list[tuple]) -> tuple[pd.DataFrame, pd.Index, pd.DataFrame, pd.DataFrame]:
    """A record frame of invoices (claims by operations, owned by accounting), its job table, and
    the claims' rows and the owner's invoices as _owner_conflicts selects them."""
    from driftcheck.lifecycle import STATES

    recs = pd.DataFrame(rows, columns=["jid", "record_id", "state", "role", "balance"])
    recs["state"] = pd.Categorical(recs["state"], categories=sorted(STATES))
    recs["record_id"] = recs["record_id"].astype("string[pyarrow]")
    recs["record_type"] = "invoice"
    recs["raw_status"] = recs["state"].astype(str)
    recs["system"] = recs["role"].map({"accounting": "quickbooks", "operations": "jobber"})
    recs["source"] = recs["system"] + ".csv"
    recs["amount"] = 100.0
    jobs = pd.DataFrame(jobs_rows, columns=["m_fully_paid", "m_invoiced", "acc_balance"])
    jobs["acc_system"] = "quickbooks"
    jobs["acc_source"] = "quickbooks.csv"
    owner_inv = recs.loc[(recs["role"] == "accounting").to_numpy(),
                         ["jid", "record_id", "state", "balance", "raw_status", "system", "source", "amount"]
    ].rename(columns={"state": "o_state", "balance": "o_balance", "raw_status": "o_status", "system": "o_system",
                      "source": "o_source", "amount": "o_amount"})
    billing = recs["state"].isin(["invoiced", "partially_paid", "paid", "void"]).to_numpy()
    at = recs.index[billing & (recs["role"] != "accounting").to_numpy()]
    return recs, at, owner_inv, jobs


def _owner_rows(recs: pd.DataFrame) -> np.ndarray:
    """The owner's invoices, as _owner_conflicts marks them for _billing_conflicts."""
    return ((recs["record_type"] == "invoice") & (recs["role"] == "accounting")).to_numpy()


def _billing_rows(draw_jobs: int):
    from hypothesis import strategies as st

    row = st.tuples(
        st.integers(0, draw_jobs - 1),
        st.sampled_from(["1001", "1002", "1003", None]),
        st.sampled_from(_STATES),
        st.sampled_from(["accounting", "operations"]),
        st.sampled_from([0.0, 0.004, 0.01, 50.0, None]),
    )
    return st.lists(row, min_size=1, max_size=40)


@pytest.mark.parametrize("chunk", [None, 1, 3])
def test_billing_conflicts_on_codes_equal_the_plain_comparison(chunk, monkeypatch):
    """Claims paired by job and number (or not), owners with or without a state or a balance,
    void on one side or both, jobs fully paid or merely invoiced: the integer-code decision
    marks exactly the claims the plain comparison marks, however many candidate pairs are
    compared at a time (``chunk``)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from driftcheck import engine
    from driftcheck.engine import _billing_conflicts, _claims_against_owner

    if chunk is not None:
        monkeypatch.setattr(engine, "_PAIR_CHUNK", chunk)

    n_jobs = 4
    job_row = st.tuples(st.booleans(), st.booleans(), st.sampled_from([0.0, 0.01, 20.0, None]))

    @settings(max_examples=300, deadline=None)
    @given(rows=_billing_rows(n_jobs), jobs_rows=st.lists(job_row, min_size=n_jobs, max_size=n_jobs))
    def check(rows, jobs_rows):
        recs, at, owner_inv, jobs = _billing_case(rows, jobs_rows)
        if not len(at):
            return
        fast = _billing_conflicts(recs, at, _owner_rows(recs), jobs)
        _, plain = _claims_against_owner(recs.loc[at, ["jid", "record_id", "state"]], "billing", owner_inv, jobs)
        assert fast is not None
        assert fast.tolist() == plain.tolist()

    check()


def test_billing_conflicts_flags_paid_claim_against_open_books():
    """The classic case, worked by hand: Jobber says invoice 1001 is paid, QuickBooks shows a balance."""
    from driftcheck.engine import _billing_conflicts

    recs, at, _, jobs = _billing_case(
        [(0, "1001", "invoiced", "accounting", 2300.0), (0, "1001", "paid", "operations", 0.0),
         (1, "1002", "paid", "accounting", 0.0), (1, "1002", "paid", "operations", 0.0)],
        [(False, True, 2300.0), (True, True, 0.0)],
    )
    assert _billing_conflicts(recs, at, _owner_rows(recs), jobs).tolist() == [True, False]


def test_an_owner_invoice_without_a_state_is_no_pair():
    """QuickBooks has invoice 1001 but no status for it: the claim is compared with the job's own
    billing view (nothing invoiced, so nothing to contradict), not with the stateless invoice."""
    from driftcheck.engine import _billing_conflicts, _claims_against_owner

    recs, at, owner_inv, jobs = _billing_case(
        [(0, "1001", None, "accounting", 50.0), (0, "1001", "paid", "operations", 0.0)],
        [(False, False, None)],
    )
    _, plain = _claims_against_owner(recs.loc[at, ["jid", "record_id", "state"]], "billing", owner_inv, jobs)
    assert _billing_conflicts(recs, at, _owner_rows(recs), jobs).tolist() == plain.tolist() == [False]


def test_state_domains_from_codes_equal_the_plain_map(monkeypatch):
    """Every state's lifecycle domain; a missing or unknown state is in none."""
    from driftcheck.engine import _state_domains

    states = pd.Series(pd.Categorical(["paid", None, "won", "scheduled", "received", "mystery", "void"]))
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = _state_domains(states)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = _state_domains(states)
    for domain in ("pipeline", "execution", "billing", "payment"):
        assert (fast == domain).tolist() == (plain == domain).tolist()
    assert (fast == "billing").tolist() == [True, False, False, False, False, False, True]
