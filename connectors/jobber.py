"""Jobber (operations) export readers: jobs, invoices, the transaction list, card payments.

Column names and status vocabularies live in ``jobber.toml``; this module holds what data
cannot say (``shared/reference/vendor-formats.md`` section 7A):

* The full jobs export has **no status column**. The reader derives ``raw_status``:
  ``Closed (no work)`` for a job closed with no start date, no revenue and no invoice (Jobber
  has no cancelled status; that is how a cancelled job looks), ``Closed`` when the Closed
  date is set (and ``completed`` = that date), else
  ``Scheduled`` when a Schedule start date is set, else ``Unscheduled``. The shorter jobs
  report keeps its own ``Job status``.
* Invoices: ``sent`` is False for ``Draft`` and True for any other status (Jobber only
  leaves Draft once the invoice is sent or marked sent). ``Issued date`` is the invoice
  date; a draft has none (``-``), so ``Created date`` stands in when the export has it.
* Transactions are written negative for payments and deposits; amounts here are positive.
  ``Type=Deposit`` rows, and payments whose note says they were applied to an estimate or
  quote ("Payment applied to Estimate #12"), are ``deposit`` records with ``quote_refs``.
  ``Type=Invoice`` rows become invoice records (status ``Invoice``, balance unknown), so a
  transaction list alone still shows which jobs were invoiced. Other types are counted in
  ``meta["not_records"]``.
* Card payments (Jobber Payments export) end with a ``Report totals:`` row (kept in
  ``meta["totals"]``), and the transaction list starts with a ``Totals`` block (kept in
  ``meta["preamble"]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _values as V

if TYPE_CHECKING:
    import pandas as pd

    from ._frame import ReadContext

__all__ = ["read_invoices", "read_jobs", "read_transactions"]


def _records_with_ids(ctx: ReadContext, what: str) -> pd.Series:
    """Clean up rows, skip those without an id, keep the first row of each id."""
    ctx.tidy()
    ids = ctx.ids("record_id")
    assert ids is not None  # a required column
    ctx.skip(ids.isna(), f"rows without a {ctx.header('record_id')}", column=ctx.header("record_id"))
    ctx.first_per_id(ids[ctx.frame.index], what)
    return ids[ctx.frame.index]


def _contact(ctx: ReadContext) -> dict[str, pd.Series | None]:
    return {
        "customer": ctx.text("customer"),
        "email": ctx.text("email"),
        "phone": ctx.text("phone"),
        "address": V.join_text(ctx.text("street"), ctx.text("city")),
    }


def read_jobs(ctx: ReadContext) -> pd.DataFrame:
    """Jobs export (full, no status) or jobs report (with ``Job status``) -> job records."""
    import numpy as np
    import pandas as pd

    ids = _records_with_ids(ctx, "Job #")
    d = ctx.dates("created", "scheduled", "completed", "closed")
    closed = d.get("closed")
    completed = d.get("completed")
    if closed is not None:
        completed = closed if completed is None else completed.fillna(closed)
    if ctx.has("raw_status"):
        status = ctx.text("raw_status")
    else:
        scheduled = d.get("scheduled")
        has_closed = closed.notna().to_numpy() if closed is not None else np.zeros(len(ids), dtype=bool)
        has_sched = scheduled.notna().to_numpy() if scheduled is not None else np.zeros(len(ids), dtype=bool)
        # Jobber has no "cancelled" job status: a cancelled job is closed with nothing on it.
        # Closed, never scheduled, no revenue and no invoice means the work never happened.
        revenue = ctx.money("amount") if ctx.has("amount") else pd.Series(np.nan, index=ids.index)
        no_revenue = revenue.fillna(0.0).abs().to_numpy() < 0.005
        refs = ctx.refs("invoice_refs") if ctx.has("invoice_refs") else pd.Series(pd.NA, index=ids.index, dtype="string")
        no_invoice = refs.isna().to_numpy() | (refs.fillna("").astype(str).str.strip() == "").to_numpy()
        no_work = has_closed & ~has_sched & no_revenue & no_invoice
        status = V.labels(
            np.select([no_work, has_closed, has_sched], [0, 1, 2], 3),
            ["Closed (no work)", "Closed", "Scheduled", "Unscheduled"],
            ids.index,
        )
        ctx.meta["status"] = (
            "derived: 'Closed (no work)' when closed with no start date, no revenue and no invoice "
            "(how Jobber shows a cancelled job); else Closed when 'Closed date' is set, else Scheduled "
            "when a start date is set, else Unscheduled"
        )
    return ctx.finish(
        "job",
        {
            "record_id": ids,
            **_contact(ctx),
            "title": ctx.text("title"),
            "invoice_refs": ctx.refs("invoice_refs"),
            "quote_refs": ctx.refs("quote_refs"),
            "raw_status": status,
            "amount": ctx.money("amount"),
            "created": d.get("created"),
            "scheduled": d.get("scheduled"),
            "completed": completed,
            "closed": closed,
        },
    )


def read_invoices(ctx: ReadContext) -> pd.DataFrame:
    """Invoices export -> invoice records."""
    ids = _records_with_ids(ctx, "Invoice #")
    d = ctx.dates("created", "created_date", "due", "paid")
    created = d.get("created")
    if "created_date" in d:
        created = d["created_date"] if created is None else created.fillna(d["created_date"])
    status = ctx.text("raw_status")
    assert status is not None  # a required column
    sent = (status.str.lower() != "draft").where(status.notna()).astype("boolean")
    return ctx.finish(
        "invoice",
        {
            "record_id": ids,
            **_contact(ctx),
            "title": ctx.text("title"),
            "job_refs": ctx.refs("job_refs"),
            "raw_status": status,
            "sent": sent,
            "amount": ctx.money("amount"),
            "balance": ctx.money("balance"),
            "created": created,
            "due": d.get("due"),
            "paid": d.get("paid"),
        },
    )


def read_transactions(ctx: ReadContext) -> pd.DataFrame:
    """Transaction list or card payments export -> payment, deposit and invoice records."""
    import numpy as np
    import pandas as pd

    ctx.tidy()

    raw_type = ctx.text("type")
    if raw_type is None:  # a card export without a Type column: every row is a payment
        raw_type = V.repeat("Payment", ctx.frame.index)
    kind = raw_type.str.lower().str.strip()
    note = ctx.text("title")
    quote_refs = ctx.refs("quote_refs", named_in=(note,))
    invoice_refs = ctx.refs("invoice_refs", named_in=(note,))
    job_refs = ctx.refs("job_refs", named_in=(note,))

    on_quote = quote_refs.notna() if quote_refs is not None else pd.Series(False, index=kind.index)
    no_invoice = invoice_refs.isna() if invoice_refs is not None else pd.Series(True, index=kind.index)
    record_type = V.labels(
        np.select(
            [
                (kind == "deposit").fillna(False).to_numpy(bool),
                (kind.isin(["payment", "refund"]) & on_quote & no_invoice).fillna(False).to_numpy(bool),
                kind.isin(["payment", "refund"]).fillna(False).to_numpy(bool),
                (kind == "invoice").fillna(False).to_numpy(bool),
            ],
            [1, 1, 2, 3],
            0,
        ),
        ["", "deposit", "payment", "invoice"],
        kind.index,
    )
    ctx.not_records(record_type == "", raw_type)
    idx = ctx.frame.index
    record_type = record_type[idx]
    is_invoice = record_type == "invoice"

    created = ctx.dates("created")["created"]
    amount = ctx.money("amount").abs()  # type: ignore[union-attr]
    customer = ctx.text("customer")
    ids = None
    for f in ("record_id", "transaction_id", "confirmation"):
        got = ctx.ids(f)
        if got is not None:
            ids = got if ids is None else ids.fillna(got)
    if ids is None:
        ids = pd.Series(pd.NA, index=created.index, dtype=pd.StringDtype("pyarrow"))
    missing = ids.isna()
    if missing.any():
        ids = ids.fillna(V.synth_ids("payment", created[missing], customer[missing] if customer is not None else None, amount[missing]))
    # An invoice row is the invoice itself: its id is the invoice number.
    invoice_number = V.first_ref(invoice_refs[idx]) if invoice_refs is not None else pd.Series(pd.NA, index=idx, dtype=pd.StringDtype("pyarrow"))
    ids = ids.where(~is_invoice, invoice_number)
    ctx.skip(ids.isna(), "invoice rows without an Invoice #")
    idx = ctx.frame.index
    is_invoice = is_invoice[idx]
    if invoice_refs is not None:
        invoice_refs = invoice_refs[idx].where(~is_invoice)
    return ctx.finish(
        record_type[idx],
        {
            "record_id": ids,
            "customer": customer,
            "title": note,
            "job_refs": job_refs,
            "invoice_refs": invoice_refs,
            "quote_refs": quote_refs,
            "raw_status": raw_type,
            "amount": amount,
            "created": created,
            "paid": created[idx].where(~is_invoice),
        },
    )
