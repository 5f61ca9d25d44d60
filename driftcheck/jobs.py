"""Fold linked records into one row per job: what each system says about it.

Input: the record frame with a ``job`` key per record (from :mod:`driftcheck.linking`)
and canonical ``state`` (from :mod:`driftcheck.statusmap`). Output: the *job
table*, one row per job, holding for each domain what its owner system says
(the CRM deal, the operations job, the accounting invoices and payments), and
the **milestones** rules are written in: named yes/no facts with the date each
became true.

Milestones (``MILESTONES``) are the vocabulary of rule packs::

    won, lost, crm_open          the CRM deal's pipeline state (date: close date)
    paid_any                     a payment or deposit was received (date: first one)
    scheduled                    operations has it scheduled, in progress or done (date: scheduled start)
    completed, cancelled         operations' execution state (date: completion)
    ops_live                     operations has the job and it is not cancelled
    invoiced                     accounting has an invoice for it (date: first invoice)
    fully_invoiced               accounting invoiced the job's whole value (2% / $50 tolerance)
    fully_paid                   invoiced, nothing left open (date: last payment)
    acc_any                      accounting has an invoice or a payment for it
    has_deal, has_job, has_invoice
    has_work                     a deal or an operations job exists (the money is for known work)

Everything here is vectorised: group-bys and joins on a categorical job key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._memory import int_type
from .lifecycle import DOMAINS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["MILESTONES", "RECORD_GROUPS", "JobTable", "build_job_table", "record_group_masks"]

#: milestone -> (bool column, date column or None, record groups it rests on)
MILESTONES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "won": ("m_won", "deal_closed", ("deal",)),
    "lost": ("m_lost", "deal_closed", ("deal",)),
    "crm_open": ("m_crm_open", "deal_created", ("deal",)),
    "paid_any": ("m_paid_any", "pay_first", ("payment",)),
    "scheduled": ("m_scheduled", "ops_scheduled", ("job",)),
    "completed": ("m_completed", "ops_completed", ("job",)),
    "cancelled": ("m_cancelled", "ops_updated", ("job",)),
    "ops_live": ("m_ops_live", "ops_created", ("job",)),
    "invoiced": ("m_invoiced", "acc_first_invoice", ("acc_invoice",)),
    "fully_invoiced": ("m_fully_invoiced", "acc_last_invoice", ("acc_invoice",)),
    "fully_paid": ("m_fully_paid", "acc_paid_at", ("acc_invoice", "payment")),
    "acc_any": ("m_acc_any", "acc_first_any", ("acc_invoice", "payment")),
    "has_deal": ("m_has_deal", "deal_created", ("deal",)),
    "has_job": ("m_has_job", "ops_created", ("job",)),
    "has_work": ("m_has_work", "ops_created", ("deal", "job")),
    "has_invoice": ("m_invoiced", "acc_first_invoice", ("acc_invoice",)),
}

#: record groups a finding can rest on
RECORD_GROUPS = ("deal", "job", "acc_invoice", "ops_invoice", "payment")

_EXEC_DONE = ("scheduled", "in_progress", "completed")


@dataclass
class JobTable:
    """The job table and the record frame it was built from (with group masks)."""

    jobs: pd.DataFrame  #: one row per job, index = job key
    records: pd.DataFrame  #: the linked records (``job`` column set)


def record_group_masks(records: pd.DataFrame, owners: dict[str, str]) -> dict[str, pd.Series]:
    """Boolean masks selecting each record group.

    ``acc_invoice`` is an invoice held by the system that owns billing (accounting by
    default); ``ops_invoice`` is an invoice held by any other system (Jobber's own invoices).
    """
    rt = records["record_type"]
    role = records["role"]
    bill_owner = owners.get("billing", "accounting")
    crm_owner = owners.get("pipeline", "crm")
    exec_owner = owners.get("execution", "operations")
    return {
        "deal": (rt == "deal") & (role == crm_owner),
        "job": (rt == "job") & (role == exec_owner),
        "acc_invoice": (rt == "invoice") & (role == bill_owner),
        "ops_invoice": (rt == "invoice") & (role != bill_owner),
        "payment": rt.isin(["payment", "deposit"]),
    }


def _first_per_job(frame: pd.DataFrame, order: list[str], cols: dict[str, str]) -> pd.DataFrame:
    """One row per job: the first record by ``order``; columns renamed by ``cols``."""
    if frame.empty:
        import pandas as pd

        return pd.DataFrame(columns=list(cols.values()))
    f = frame.sort_values(["job", *order], kind="stable", na_position="last")
    f = f.drop_duplicates("job", keep="first").set_index("job")
    return f[list(cols)].rename(columns=cols)


def _job_ids(keys: pd.Series, job_codes: np.ndarray | None) -> tuple[np.ndarray, Any]:
    """``pd.factorize(keys, sort=False)``: each record's job number (by first appearance) and
    the distinct keys in that order, read off ``job_codes`` when the linker gave them.

    Integers that are equal exactly where the keys are equal number the same way, and the
    first record of each number holds its key (1M jobs: ~0.1 s against 0.5-1 s of hashing 7M texts).
    """
    import numpy as np
    import pandas as pd

    from . import _fastpaths

    n = len(keys)
    if job_codes is None or not _fastpaths.enabled() or len(job_codes) != n or not n:
        return pd.factorize(keys, sort=False)
    job_codes = np.asarray(job_codes, dtype=np.int64)
    if job_codes.min() < 0 or job_codes.max() >= n:  # not small non-negative numbers: hash them
        job_codes = pd.factorize(job_codes, sort=False)[0]
    # the first record of each number, and the numbers in the order their first records come
    first = np.full(int(job_codes.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, job_codes, np.arange(n))
    used = np.flatnonzero(first < n)
    order = used[np.argsort(first[used], kind="stable")]
    renumber = np.empty(len(first), dtype=int_type(len(order)))  # each record's number made at its final width
    renumber[order] = np.arange(len(order))
    return renumber[job_codes], keys.array.take(first[order])


def _as_category(values: Any) -> Any:
    """Text values as a categorical of text (a categorical is left as it is)."""
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    out = pd.Series(values, copy=False).astype("string").astype("category")
    return out if isinstance(values, pd.Series) else out.array


#: per record group, the record columns the job table takes from the group's first record
_DEAL_COLS = {
    "source": "deal_source", "system": "deal_system", "record_id": "deal_id",
    "state": "deal_state", "raw_status": "deal_stage", "amount": "deal_amount",
    "closed": "deal_closed", "created": "deal_created",
}
_OPS_COLS = {
    "source": "ops_source", "system": "ops_system", "record_id": "ops_id",
    "state": "ops_state", "raw_status": "ops_status", "amount": "job_value",
    "created": "ops_created", "updated": "ops_updated", "scheduled": "ops_scheduled",
    "completed": "ops_completed", "closed": "ops_closed",
}
#: the names a job is shown by: the operations job's, else the CRM deal's (``customer``, ``title``)
_SHOWN = ("customer", "title")
#: job-table text columns of few distinct values, held as categories (see build_job_table)
_FEW = ("deal_stage", "ops_status", "title")
_ACC_COLS = {"source": "acc_source", "system": "acc_system", "record_id": "acc_invoice_id"}
_PAY_COLS = {"source": "pay_source", "system": "pay_system", "record_id": "pay_id", "amount": "pay_amount",
             "pay_date": "pay_first", "record_type": "pay_type"}
_ACC_AGG = ("acc_invoiced", "acc_balance", "acc_invoice_count", "acc_first_invoice", "acc_last_invoice",
            "acc_invoice_paid_max", "acc_due_min")
_PAY_AGG = ("acc_paid_total", "acc_last_payment", "paid_total")


def _joined_columns(records: pd.DataFrame, keys: Any, masks: dict[str, pd.Series], owners: dict[str, str]) -> pd.DataFrame:
    """What each system says about each job (index: ``jid``, the job's row), by selecting each
    record group's rows and joining them onto the jobs: the plain twin of :func:`_gathered_columns`."""
    import numpy as np
    import pandas as pd

    jobs = pd.DataFrame({"job": keys}, index=pd.RangeIndex(len(keys), name="jid"))

    def part(mask: pd.Series | np.ndarray, cols: list[str]) -> pd.DataFrame:
        return records.loc[np.asarray(mask), ["jid", *cols]].rename(columns={"jid": "job"})

    # -- CRM deal (one per job; the linker never puts two deals in a job), operations job
    for mask, names, prefix in ((masks["deal"], _DEAL_COLS, "deal_"), (masks["job"], _OPS_COLS, "ops_")):
        names = {**names, **{c: prefix + c for c in _SHOWN}}
        jobs = jobs.join(_first_per_job(part(mask, list(names)), ["created"], names))
    # shown by the operations job's names, else the deal's
    for c in _SHOWN:
        jobs[c] = jobs.pop(f"ops_{c}").fillna(jobs.pop(f"deal_{c}"))
    # -- accounting invoices (void ones do not count as billed)
    inv = part(_billed(records, masks), ["source", "system", "record_id", "state", "amount", "balance", "created", "paid", "due"])
    inv["balance_f"] = _open_balance(inv)
    if not inv.empty:
        jobs = jobs.join(pd.DataFrame(dict(_invoice_totals(inv))))
        jobs = jobs.join(_first_per_job(inv, ["created"], _ACC_COLS))
    else:
        for c in (*_ACC_AGG, *_ACC_COLS.values()):
            jobs[c] = pd.NA
    # -- payments and deposits, from any system
    pay = part(_received(records, masks), ["source", "system", "record_id", "role", "record_type", "amount", "paid", "created"])
    pay["pay_date"] = pay["paid"].fillna(pay["created"])
    if not pay.empty:
        jobs = jobs.join(_first_per_job(pay, ["pay_date"], _PAY_COLS))
        jobs = jobs.join(pd.DataFrame(dict(_payment_totals(pay, owners))))
    else:
        for c in (*_PAY_COLS.values(), *_PAY_AGG):
            jobs[c] = pd.NA
    return jobs


def _billed(records: pd.DataFrame, masks: dict[str, pd.Series]) -> np.ndarray:
    """The accounting invoices that count as billed (not void)."""
    return (masks["acc_invoice"] & (records["state"] != "void").fillna(True)).to_numpy()


def _received(records: pd.DataFrame, masks: dict[str, pd.Series]) -> np.ndarray:
    """The payments and deposits that count as received (not refunded)."""
    return (masks["payment"] & (records["state"] != "refunded").fillna(True)).to_numpy()


def _open_balance(inv: pd.DataFrame) -> pd.Series:
    """Each invoice's open balance: its own, else nothing when paid, else its whole amount."""
    import numpy as np

    bal = inv["balance"]
    return bal.where(bal.notna(), np.where(inv["state"].eq("paid").fillna(False), 0.0, inv["amount"]))


def _invoice_totals(inv: pd.DataFrame) -> Iterator[tuple[str, pd.Series]]:
    """Per job (``job``: its jid): invoiced and open amounts, invoice count and dates, as
    ``(column, per-job Series)``, each made when it is asked for."""
    g = inv.groupby("job", sort=False)
    yield "acc_invoiced", g["amount"].sum(min_count=1)
    yield "acc_balance", g["balance_f"].sum(min_count=1)
    yield "acc_invoice_count", g.size()
    yield "acc_first_invoice", g["created"].min()
    yield "acc_last_invoice", g["created"].max()
    yield "acc_invoice_paid_max", g["paid"].max()
    yield "acc_due_min", g["due"].min()


def _payment_totals(pay: pd.DataFrame, owners: dict[str, str]) -> Iterator[tuple[str, pd.Series]]:
    """Per job: what the billing owner recorded as paid (total, last date), and the total paid
    in any system, as :func:`_invoice_totals` gives them."""
    # the owner's payments: only the columns grouped (a copy of every payment column otherwise)
    acc_pay = pay.loc[(pay["role"] == owners.get("billing", "accounting")).to_numpy(), ["job", "amount", "pay_date"]]
    g = acc_pay.groupby("job", sort=False)
    yield "acc_paid_total", g["amount"].sum(min_count=1)
    yield "acc_last_payment", g["pay_date"].max()
    del g, acc_pay
    yield "paid_total", pay.groupby("job", sort=False)["amount"].sum(min_count=1)


def _per_job(totals: Iterator[tuple[str, pd.Series]], n: int) -> Iterator[tuple[str, Any]]:
    """Each per-job total (indexed by jid) spread over all ``n`` jobs, missing where a job has
    none: ``total.reindex(range(n))``'s values, written straight into one array per column
    (reindexing a frame of all the totals held them twice: ~0.1 GB at 1M jobs)."""
    import numpy as np

    for name, total in totals:
        values = total.to_numpy()
        if values.dtype.kind == "M":
            out = np.full(n, np.datetime64("NaT"), dtype=values.dtype)
        elif values.dtype.kind in "fiub":  # sums and counts: floats, missing NaN, as reindexing makes them
            out = np.full(n, np.nan)
        else:  # anything else (not made from conformed records) is reindexed as it is
            yield name, total.reindex(range(n)).array
            continue
        out[total.index.to_numpy()] = values
        yield name, out


def _gathered_columns(records: pd.DataFrame, keys: Any, masks: dict[str, pd.Series], owners: dict[str, str]) -> pd.DataFrame:
    """:func:`_joined_columns` without copying record columns it does not keep.

    The chosen record of each group (a job's deal, operations job, first invoice, first
    payment) is found on the job and date alone, then each wanted column is taken once,
    straight into job order; the totals are grouped on narrow frames of numbers and dates.
    Selecting every group's rows with all their text columns, then joining them onto the
    growing job table, peaked 1.5 GB above the records at 1M jobs.
    """
    import numpy as np
    import pandas as pd

    from ._memory import release_freed

    n = len(keys)
    index = pd.RangeIndex(n, name="jid")
    cols: dict[str, Any] = {"job": keys}
    jid = records["jid"].to_numpy()

    def narrow(rows: np.ndarray, names: list[str]) -> pd.DataFrame:
        return pd.DataFrame({"job": jid[rows], **{c: records[c].array.take(rows) for c in names}}, copy=False)

    def gather(frame: pd.DataFrame, rows: np.ndarray, order: str, names: dict[str, str]) -> np.ndarray:
        """Each job's first row of ``frame`` (records ``rows``) by ``order``: ``names`` columns,
        from the frame when it has them, else from the records. Returns each job's chosen
        record row (-1: none)."""
        if not len(rows):  # as joining an empty frame: object columns, all missing
            cols.update({new: np.full(n, np.nan, dtype=object) for new in names.values()})
            return np.full(n, -1, dtype=np.int64)
        first = _first_rows(frame, order)
        at = np.full(n, -1, dtype=np.int64)  # each job's chosen row of the frame; -1: none
        at[frame["job"].to_numpy()[first]] = first
        rec_at = np.where(at >= 0, rows[np.maximum(at, 0)], -1)  # the same, as a record row
        for old, new in names.items():
            if old in frame.columns:
                cols[new] = frame[old].array.take(at, allow_fill=True)
            else:
                cols[new] = records[old].array.take(rec_at, allow_fill=True)
            if new in _FEW:  # as categories at once: the texts are never held for every job
                cols[new] = _as_category(cols[new])
        return rec_at

    # The money first: its grouping is this function's largest passing work (2M invoices, 1M
    # payments at 1M jobs) and runs before the deals' and jobs' texts are held, not on top of
    # them (1M jobs: the peak ~0.1 GB lower). Columns keep the order they always had.
    rows = np.flatnonzero(_billed(records, masks))
    inv = narrow(rows, ["state", "amount", "balance", "created", "paid", "due"])
    if len(rows):
        inv["balance_f"] = _open_balance(inv)
        cols.update(_per_job(_invoice_totals(inv), n))
        # the first invoice is chosen on its job and date alone: the amounts and dates grouped
        # above (~0.1 GB of 2M invoices at 1M jobs) are let go before that sort
        inv = inv[["job", "created"]]
        release_freed(len(records))
        gather(inv, rows, "created", _ACC_COLS)
    else:
        cols.update({c: np.full(n, pd.NA, dtype=object) for c in (*_ACC_AGG, *_ACC_COLS.values())})

    del inv  # freed before the payments' frame is made
    # the invoices' sort and narrow frame handed back, so the payments do not build on them
    release_freed(len(records))
    rows = np.flatnonzero(_received(records, masks))
    pay = narrow(rows, ["role", "amount", "paid", "created"])
    pay["pay_date"] = pay["paid"].fillna(pay["created"])
    pay = pay.drop(columns=["paid", "created"])  # read: only the payment date is chosen and grouped by
    if len(rows):
        cols.update(_per_job(_payment_totals(pay, owners), n))
        pay = pay[["job", "pay_date"]]  # the first payment's amount is taken from the records
        gather(pay, rows, "pay_date", _PAY_COLS)
    else:
        cols.update({c: np.full(n, pd.NA, dtype=object) for c in (*_PAY_COLS.values(), *_PAY_AGG)})
    del pay
    release_freed(len(records))

    deals = np.flatnonzero(masks["deal"].to_numpy())
    deal_at = gather(narrow(deals, ["created"]), deals, "created", _DEAL_COLS)
    ops = np.flatnonzero(masks["job"].to_numpy())
    ops_at = gather(narrow(ops, ["created"]), ops, "created", _OPS_COLS)
    del deals, ops
    # the two groups' sorts and positions handed back before the names are chosen and taken
    # (1M jobs: the build's highest point 0.04 GB lower)
    release_freed(len(records))
    # each shown name taken once, from the operations job where it has one, else from the deal:
    # the plain twin's ops_/deal_ copies and their merge held 0.1 GB more at 1M jobs
    for c in _SHOWN:
        named = records[c].notna().to_numpy()
        at = np.where((ops_at >= 0) & named[np.maximum(ops_at, 0)], ops_at, deal_at)
        if c == "customer":
            # a job neither names takes its first named record's customer, chosen here before
            # the one take (build_job_table fills it for the plain twin, in a copy of the column)
            job_of, rows = _first_named(jid, named, (at < 0) | ~named[np.maximum(at, 0)])
            at[job_of] = rows
            del job_of, rows
        cols[c] = records[c].array.take(at, allow_fill=True)
        if c in _FEW:
            cols[c] = _as_category(cols[c])
    del deal_at, ops_at, named, at

    order = ["job", *_DEAL_COLS.values(), *_OPS_COLS.values(), *_SHOWN, *_ACC_AGG, *_ACC_COLS.values(),
             *_PAY_COLS.values(), *_PAY_AGG]
    # not consolidated: each column stays the array it was made as (no copy into 2-D blocks)
    return pd.DataFrame({c: cols.pop(c) for c in order}, index=index, copy=False)


def _first_named(jid: np.ndarray, named: np.ndarray, unnamed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each job ``unnamed`` marks, its first record (by position) that ``named`` marks:
    (jobs, record rows). A job none of whose records is named is left out."""
    import numpy as np

    rows = np.flatnonzero(unnamed[jid] & named)
    job_of, first = np.unique(jid[rows], return_index=True)
    return job_of, rows[first]


def _first_rows(frame: pd.DataFrame, order: str) -> np.ndarray:
    """Positions in ``frame`` of each job's first row by ``order`` (missing last, ties in frame
    order), as :func:`_first_per_job` chooses them.

    ``job`` holds job-table rows (small non-negative integers), so whether a job repeats is a
    count per job, and a date order is one stable integer sort, missing dates made the latest
    (sorting a copy of both columns with pandas and hashing the jobs held ~0.1 GB at 1M jobs).
    """
    import numpy as np

    job = frame["job"].to_numpy()
    if not len(job) or np.bincount(job).max() <= 1:
        return np.arange(len(job))
    when = frame[order]
    if when.dtype == "datetime64[ns]":
        t = when.to_numpy().view(np.int64)
        t = np.where(np.isnat(when.to_numpy()), np.iinfo(np.int64).max, t)
        ranked = np.lexsort((t, job))  # by job, then date; stable: ties keep frame order
        return ranked[np.r_[True, job[ranked][1:] != job[ranked][:-1]]]
    keys = frame[["job", order]].reset_index(drop=True).sort_values(["job", order], kind="stable", na_position="last")
    return keys.index.to_numpy()[~keys["job"].duplicated().to_numpy()]


def build_job_table(
    records: pd.DataFrame,
    *,
    owners: dict[str, str],
    tolerance_pct: float = 2.0,
    tolerance_abs: float = 50.0,
    job_codes: np.ndarray | None = None,
) -> JobTable:
    """Build the job table from linked records.

    Args:
        records: record frame with ``job`` and ``state`` filled.
        owners: domain -> role that owns its truth (``Config.owners``).
        tolerance_pct: how far below the job's value invoicing may fall and still count as
            "fully invoiced", in percent...
        tolerance_abs: ...and in money; both must be exceeded to count as short.
        job_codes: each record's job as an integer, equal exactly where ``job`` is equal
            (:attr:`driftcheck.linking.LinkResult.job_codes`): saves hashing every record's
            key text. None: the keys are factorised.
    """
    import numpy as np
    import pandas as pd

    from ._memory import release_freed

    linked = records["job"].notna()
    if not linked.all():  # the linker keys every record; a copy of the whole frame only when it did not
        records = records[linked.to_numpy()]
    # Every group-by and join below runs on an integer job id: factorising the string key
    # once costs less than hashing it in each of the dozen aggregations (measured at 100k jobs:
    # 1.6 s -> 0.5 s for this function).
    codes, uniques = _job_ids(records["job"], job_codes if linked.all() else None)
    job_codes = None  # read; the caller may have handed over its only reference (55 MB at 1M jobs)
    # a job's row needs 4 bytes a record, not 8 (1M jobs: 26 MiB less, held through the rules)
    records = records.assign(jid=codes.astype(int_type(len(uniques)), copy=False))
    masks = record_group_masks(records, owners)
    from . import _fastpaths

    if _fastpaths.enabled():
        jobs = _gathered_columns(records, pd.array(uniques, dtype="string[pyarrow]"), masks, owners)
    else:
        jobs = _joined_columns(records, pd.array(uniques, dtype="string[pyarrow]"), masks, owners)
    del masks
    # the groups' positions, narrow frames and totals are garbage now: the derived columns
    # below are made in memory handed back, not on top of it (1M jobs: the peak ~0.15 GB lower)
    release_freed(len(records))

    # dates and amounts as such: a group no record fills gives object columns. Columns of the
    # right type already are left alone (converting copies them: 0.18 GB at 1M jobs).
    for c in ("deal_closed", "deal_created", "ops_created", "ops_updated", "ops_scheduled", "ops_completed",
              "ops_closed", "acc_first_invoice", "acc_last_invoice", "acc_invoice_paid_max", "acc_due_min",
              "pay_first", "acc_last_payment"):
        if jobs[c].dtype != "datetime64[ns]":
            jobs[c] = pd.to_datetime(jobs[c])
    for c in ("deal_amount", "job_value", "acc_invoiced", "acc_balance", "pay_amount", "acc_paid_total", "paid_total"):
        if jobs[c].dtype != "float64":
            jobs[c] = pd.to_numeric(jobs[c], errors="coerce").astype("float64")
    # A CRM stage and an operations status are one of a few texts each (1M jobs: 7 and 3), a
    # job's title one of few (51,000 for 1.15M jobs), and only messages read them: as categories
    # they are 1-4 bytes a job, not ~18-26 (0.05 GB at 1M jobs), and read as the same texts.
    # (The gathering makes them so as it takes them; this is the plain twin's and a missing group's.)
    for c in _FEW:
        jobs[c] = _as_category(jobs[c])
    jobs["acc_invoice_count"] = pd.to_numeric(jobs["acc_invoice_count"], errors="coerce").fillna(0).astype("int64")

    # Fallback dates: a won deal with no close date is dated by its creation; a completed job with
    # no completion date by its closing or last update.
    jobs["deal_closed"] = jobs["deal_closed"].fillna(jobs["deal_created"])
    jobs["ops_completed"] = jobs["ops_completed"].fillna(jobs["ops_closed"]).fillna(jobs["ops_updated"])

    # -- derived facts
    # compared as they are (categoricals compare codes; a cast to text cost 0.8 s at 1M jobs)
    deal_state = jobs["deal_state"]
    ops_state = jobs["ops_state"]
    jobs["value"] = jobs["job_value"].where(jobs["job_value"].gt(0), jobs["deal_amount"])
    short = jobs["value"] - jobs["acc_invoiced"].fillna(0.0)
    tol = np.maximum(jobs["value"].fillna(0.0) * tolerance_pct / 100.0, tolerance_abs)
    jobs["uninvoiced"] = short.where(short > tol)

    jobs["m_has_deal"] = jobs["deal_id"].notna()
    jobs["m_has_job"] = jobs["ops_id"].notna()
    jobs["m_has_work"] = jobs["m_has_deal"] | jobs["m_has_job"]
    # A CRM stage mapped past the pipeline (a custom "Install Scheduled" or "Paid" stage) implies the deal was won.
    beyond = [s for d in ("execution", "billing") for s in DOMAINS[d] if s not in ("cancelled", "void")]
    jobs["m_won"] = (deal_state.eq("won") | deal_state.isin(beyond)).fillna(False).astype(bool)
    jobs["m_lost"] = deal_state.eq("lost").fillna(False).astype(bool)
    jobs["m_crm_open"] = deal_state.eq("open").fillna(False).astype(bool)
    jobs["m_paid_any"] = jobs["pay_first"].notna()
    jobs["m_scheduled"] = ops_state.isin(_EXEC_DONE).fillna(False).astype(bool)
    jobs["m_completed"] = ops_state.eq("completed").fillna(False).astype(bool)
    jobs["m_cancelled"] = ops_state.eq("cancelled").fillna(False).astype(bool)
    jobs["m_ops_live"] = jobs["m_has_job"] & ~jobs["m_cancelled"]
    jobs["m_invoiced"] = jobs["acc_invoice_count"] > 0
    jobs["m_fully_invoiced"] = jobs["m_invoiced"] & (jobs["uninvoiced"].isna() | jobs["value"].isna())
    jobs["m_fully_paid"] = jobs["m_invoiced"] & jobs["acc_balance"].fillna(0.0).le(0.005)
    jobs["acc_paid_at"] = jobs["acc_last_payment"].fillna(jobs["acc_invoice_paid_max"]).fillna(jobs["acc_last_invoice"])
    acc_pay_seen = jobs["acc_paid_total"].notna()
    jobs["m_acc_any"] = jobs["m_invoiced"] | acc_pay_seen
    # the earlier of the two dates, either when one is missing: numpy's fmin passes NaT over as
    # the row-wise min() does, without copying both columns into one block first
    first_any = np.fmin(jobs["acc_first_invoice"].to_numpy(), jobs["acc_last_payment"].to_numpy())
    jobs["acc_first_any"] = pd.Series(first_any, index=jobs.index)

    # the derived facts' intermediates handed back before the names are filled and the table is
    # keyed (1M jobs: the end of this function was its highest point, ~0.1 GB of them mapped)
    release_freed(len(records))

    # display fields (last in the table, as they always were)
    unnamed = jobs["customer"].isna().to_numpy()
    if "customer" in records.columns and unnamed.any():
        # a job with neither an operations nor a CRM name takes its first named record's; only
        # those jobs' records are looked at (taking every record's name cost a quarter second at 1M jobs)
        job_of, rows = _first_named(records["jid"].to_numpy(), records["customer"].notna().to_numpy(), unnamed)
        named = pd.Series(records["customer"].array.take(rows), index=job_of)
        jobs["customer"] = jobs["customer"].fillna(named)
    jobs["customer"] = jobs.pop("customer").astype("string")
    jobs["title"] = jobs.pop("title")
    # rules and reports address jobs by their key; ``jid`` stays as a column for fast joins,
    # as wide as the records' own (int32 below 2**31 jobs)
    jobs.index = jobs.index.astype(int_type(len(jobs)))
    jobs = jobs.reset_index().set_index("job")
    return JobTable(jobs=jobs, records=records)
