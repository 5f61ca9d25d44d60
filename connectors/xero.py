"""Xero (accounting) reader: ``SalesInvoices.csv``, one row per invoice line, grouped into invoices.

``shared/reference/vendor-formats.md`` section 5A: invoice-level fields (Total,
InvoiceAmountPaid, InvoiceAmountDue, Status, Sent) repeat on every line of an invoice, so
an invoice is the first line of its ``InvoiceNumber`` group (``row`` = that line). What
the reader decides:

* ``Sales invoice`` -> an invoice record. ``Sales credit note`` -> also an invoice record,
  with **negative** ``amount`` and ``balance`` (what it takes off the customer's bill), so
  summing a job's invoices nets the credit; its ``x:Type`` says it is a credit note.
* ``Sales overpayment`` / prepayment rows have no InvoiceNumber: skipped with a warning.
  Bill types (``Bills.csv``) are payables, not job records: counted in ``meta["not_records"]``.
* ``balance`` = InvoiceAmountDue; ``sent`` from ``Sent``/``Unsent``; ``raw_status`` as
  written (``Awaiting Payment``...). The CSV has no paid date (``FullyPaidOnDate`` is API only).
* ``job_refs``: job numbers named in the Reference or in any line's Description.
* Dates are day-first unless the file proves otherwise (Xero orgs in NZ/AU/UK/ZA).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _values as V

if TYPE_CHECKING:
    import pandas as pd

    from ._frame import ReadContext

__all__ = ["read_invoices"]

_SALES = {"sales invoice": 1.0, "sales credit note": -1.0, "invoice": 1.0, "credit note": -1.0}


def read_invoices(ctx: ReadContext) -> pd.DataFrame:
    """Xero invoices export (line rows) -> one invoice record per InvoiceNumber."""
    import pandas as pd

    # Identical lines inside one invoice are legitimate, so no duplicate-row check here.
    ctx.tidy(dedupe=False)
    ctx.meta["lines"] = len(ctx.frame)
    raw_type = ctx.text("type")
    kind = raw_type.str.lower() if raw_type is not None else pd.Series("sales invoice", index=ctx.frame.index, dtype=pd.StringDtype("pyarrow"))
    no_number = ctx.ids("record_id").isna()  # type: ignore[union-attr]
    ctx.skip(no_number, "rows without an InvoiceNumber (overpayments and prepayments)")
    sign = kind[ctx.frame.index].map(_SALES)
    ctx.not_records(sign.isna(), raw_type if raw_type is not None else kind)

    ids = ctx.ids("record_id")
    assert ids is not None
    reference = ctx.text("reference")
    line_refs = ctx.refs("job_refs", named_in=(reference, ctx.text("description")))
    job_refs = V.group_union(ids, line_refs) if line_refs is not None else None
    title = reference if reference is not None else ctx.text("description")
    # One record per invoice: its first line (invoice-level fields repeat on every line).
    ctx.keep(~ids.duplicated(keep="first"))
    idx = ctx.frame.index
    sign = sign[idx].astype(float)

    d = ctx.dates("created", "due")
    amount = ctx.money("amount")
    balance = ctx.money("balance")
    address = V.join_text(ctx.text("sa_line1"), ctx.text("sa_city"))
    po_address = V.join_text(ctx.text("po_line1"), ctx.text("po_city"))
    address = po_address if address is None else (address if po_address is None else address.fillna(po_address))
    return ctx.finish(
        "invoice",
        {
            "record_id": ids[idx],
            "customer": ctx.text("customer"),
            "email": ctx.text("email"),
            "address": address,
            "title": title[idx] if title is not None else None,
            "job_refs": job_refs[idx] if job_refs is not None else None,
            "raw_status": ctx.text("raw_status"),
            "sent": ctx.flag("sent"),
            "amount": amount.abs() * sign if amount is not None else None,
            "balance": balance.abs() * sign if balance is not None else None,
            "currency": ctx.text("currency"),
            "created": d["created"],
            "due": d.get("due"),
        },
    )
