"""QuickBooks Online (accounting) report readers: Invoice List, Transaction List, A/R Aging Detail.

All QBO reports share one layout (``shared/reference/vendor-formats.md`` section 4A):
company, title and period above the header; an empty first header cell whose column holds
group headings (a customer, or an aging bucket); ``Total for <group>`` rows; a ``TOTAL``
row; blank lines; a timestamp line (``Accrual Basis Tuesday, September 29, 2026 09:30 PM
GMT-04:00``). :func:`read_report` consumes that structure (company, title, period and
export timestamp go to ``meta``), then reads the data rows:

* ``Transaction type`` decides the record: Invoice -> invoice, Payment -> payment (the
  format's ``types`` in ``quickbooks.toml``). Other types (Deposit, Expense, Journal
  Entry, Check, Bill, Credit Memo, Sales Receipt...) are not job records: counted in
  ``meta["not_records"]``, not warned about. Reports without the column are all invoices.
* The customer is the Name/Customer column, else the group heading the row sits under.
* Reports carry no status. For invoices the reader derives ``raw_status`` from the amount
  and the open balance: ``Voided`` (amount 0), ``Paid`` (balance 0), ``Partially paid``
  (0 < balance < amount), ``Open`` (balance = amount). A Transaction List has no open
  balance: its invoices are ``Invoice`` (balance unknown, NaN). Payments are ``Payment``.
* ``sent`` is unknown in reports (null). Payments are positive; a payment with no Num
  gets a synthetic id ``payment:<date>:<customer>:<amount>``.
* Job numbers named in the memo or in a sub-customer name ("Smith:Job 1042") become
  ``job_refs``; invoice numbers named in a payment memo ("Inv 1042") become ``invoice_refs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftcheck import _fastpaths

from . import _values as V

if TYPE_CHECKING:
    import pandas as pd

    from ._frame import ReadContext

__all__ = ["read_report"]

# The footer line QBO writes under every report, as one cell ...
_TIMESTAMP = r"(?i)(?:accrual|cash) basis|\b\d{1,2}:\d{2}\s*(?:am|pm)\b|\bgmt[+-]\d"
# ... or, when a re-saved file lost the quotes, split at its commas: " Friday", " November 20", ...
_STAMP_START = r"(?i)(?:(?:accrual|cash) basis\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
# "Total for Smith, John" and "TOTAL"; a customer called "Total Plumbing" is not a total.
_TOTAL = r"(?i)total for\s.*|total"


def _structure(ctx: ReadContext) -> pd.Series:
    """Consume headings, totals and the footer; return each data row's group heading."""
    import pandas as pd

    frame = ctx.frame
    first = V.clean_text(frame[frame.columns[0]])
    if _fastpaths.enabled():
        # Whether any other cell holds a value, each column looked at only on the rows still empty.
        rest = [frame[c] for c in frame.columns[1:]]
        rest_empty = pd.Series(~V.any_cell(rest, V.has_value, len(frame)), index=frame.index)
    else:
        cells = [first] + [V.clean_text(frame[c]) for c in frame.columns[1:]]
        rest_empty = pd.concat([c.isna() for c in cells[1:]], axis=1).all(axis=1) if len(cells) > 1 else pd.Series(True, index=frame.index)
    any_value = first.notna() | ~rest_empty
    is_total = V.matches(first, _TOTAL)
    single = first.notna() & rest_empty & ~is_total
    is_stamp = (single & V.matches(first, f".*(?:{_TIMESTAMP}).*")) | V.matches(first, f"{_STAMP_START}.*")
    is_heading = single & ~is_stamp
    if is_stamp.any():
        last = frame[is_stamp].iloc[-1]
        stamp = ",".join(str(c) for c in last if isinstance(c, str) and c.strip()).strip()
        ctx.meta["exported"] = stamp
        for basis in ("Accrual Basis", "Cash Basis"):
            if stamp.lower().startswith(basis.lower()):
                ctx.meta["basis"] = basis
    preamble = ctx.meta.get("preamble", [])
    for key, value in zip(("company", "title", "period"), preamble):
        ctx.meta[key] = value
    group = _groups(first, is_heading, is_total)
    # Blank lines after the last data row are the footer, not skipped rows.
    content = any_value & ~(is_total | is_stamp | is_heading)
    last = content[content].index.max() if content.any() else -1
    trailing_blank = ~any_value & (frame.index > last)
    if is_heading.any():
        ctx.meta["groups"] = int(is_heading.sum())
    ctx.keep(~(is_total | is_stamp | is_heading | trailing_blank))
    return group


def _groups(first: pd.Series, is_heading: pd.Series, is_total: pd.Series) -> pd.Series:
    """Each row's group heading: the last heading above it, unless a total closed that group."""
    import pandas as pd

    if not _fastpaths.enabled():
        group = pd.Series(pd.NA, index=first.index, dtype=pd.StringDtype("pyarrow"))
        return group.mask(is_heading, first).mask(is_total, "").ffill().replace("", pd.NA)
    import numpy as np
    import pyarrow as pa

    heading = is_heading.to_numpy(dtype=bool)
    marks = heading | is_total.to_numpy(dtype=bool)
    # position of the last heading or total at or above each row (-1: none yet), by a running max
    last = np.maximum.accumulate(np.where(marks, np.arange(len(marks)), -1)) if len(marks) else np.zeros(0, dtype="int64")
    under = last >= 0
    under[under] = heading[last[under]]
    taken = V._arrow(first).take(pa.array(np.where(under, last, 0), mask=~under))
    return V._series(taken, first.index)


def _derive_status(amount: pd.Series, balance: pd.Series | None) -> pd.Series:
    import numpy as np

    a = amount.to_numpy(dtype=float)
    names = ["Open", "Voided", "Paid", "Partially paid", "Invoice"]
    if balance is None:
        codes = np.where(a == 0, 1, 4)
    else:
        b = balance.to_numpy(dtype=float)
        codes = np.select([a == 0, np.isclose(b, 0) & (a > 0), (b > 0) & (b < a) & ~np.isclose(b, a)], [1, 2, 3], 0)
        codes = np.where(np.isnan(b) & (a != 0), 4, codes)
    return V.labels(codes, names, amount.index)


def read_report(ctx: ReadContext) -> pd.DataFrame:
    """A QBO report (any of the formats in ``quickbooks.toml``) -> invoice and payment records."""
    import numpy as np
    import pandas as pd

    group = _structure(ctx)
    ctx.drop_blank()
    ctx.drop_duplicates(extra=[group])
    ctx.drop_unmapped()

    types: dict[str, str] = ctx.spec.options.get("types", {"invoice": "invoice"})
    raw_type = ctx.text("type")
    if raw_type is not None:
        lowered = raw_type.str.lower().fillna("").to_numpy()
        names = list(dict.fromkeys(types.values()))
        codes = np.full(len(lowered), -1)
        for raw, kind in types.items():
            codes[lowered == raw] = names.index(kind)
        ctx.not_records(pd.Series(codes < 0, index=raw_type.index), raw_type)
        keep = codes >= 0
        record_type = V.labels(codes[keep], names, raw_type.index[keep])
    else:
        record_type = V.repeat(ctx.spec.record_type or "invoice", ctx.frame.index)
    is_payment = record_type == "payment"

    ids = ctx.ids("record_id")
    if ids is None:
        ids = pd.Series(pd.NA, index=ctx.frame.index, dtype=pd.StringDtype("pyarrow"))
    ctx.skip(ids.isna() & ~is_payment, f"invoice rows without a {ctx.spec.first_variant('record_id')}")
    idx = ctx.frame.index
    record_type, is_payment, ids, group = record_type[idx], is_payment[idx], ids[idx], group[idx]

    customer = ctx.text("customer")
    if ctx.spec.options.get("groups") == "customer":
        customer = group if customer is None else customer.fillna(group)
    memo = ctx.text("title")
    d = ctx.dates("created", "due")
    amount = ctx.money("amount")
    assert amount is not None  # a required column
    amount = amount.where(~is_payment, amount.abs())
    balance = ctx.money("balance")
    missing = ids.isna()
    if missing.any():
        ids = ids.fillna(V.synth_ids("payment", d["created"][missing], customer[missing] if customer is not None else None, amount[missing]))
    status = _derive_status(amount, balance).where(~is_payment, "Payment")
    invoice_refs = ctx.refs("invoice_refs", named_in=(memo,))
    return ctx.finish(
        record_type,
        {
            "record_id": ids,
            "customer": customer,
            "email": ctx.text("email"),
            "title": memo,
            "job_refs": ctx.refs("job_refs", named_in=(memo, customer)),
            "invoice_refs": invoice_refs.where(is_payment) if invoice_refs is not None else None,
            "raw_status": status,
            "amount": amount,
            "balance": balance.where(~is_payment) if balance is not None else None,
            "currency": ctx.text("currency"),
            "created": d["created"],
            "due": d.get("due"),
            "paid": d["created"].where(is_payment),
        },
    )
