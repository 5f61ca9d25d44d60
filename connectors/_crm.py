"""What the CRM deal readers (HubSpot, Pipedrive) share: ids, people, money, refs, dates.

A deal export is one row per deal with a native id; its columns depend on the user's
view, so every field but the id and the stage/status is optional. Custom properties that
name another system's numbers ("Jobber Job #", "Job Number", "QuickBooks Invoice #") are
found by header pattern (``patterns`` in the vendor TOML) and become ``*_refs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _values as V

if TYPE_CHECKING:
    import pandas as pd

    from ._frame import ReadContext

__all__ = ["deal_fields"]


def deal_fields(ctx: ReadContext, *, date_fields: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, pd.Series]]:
    """Skip unusable rows, then parse the fields every deal export may have.

    Args:
        ctx: the file being read.
        date_fields: vendor date fields to parse together with created/closed/updated.

    Returns:
        ``(fields, dates)``: record columns for :meth:`ReadContext.finish`, and the parsed
        dates by field (including the vendor ones) for the caller to combine.
    """
    ctx.tidy()
    ids = ctx.ids("record_id")
    assert ids is not None  # a required column
    ctx.skip(ids.isna(), f"rows without a {ctx.header('record_id')}", column=ctx.header("record_id"))
    ctx.first_per_id(ids[ctx.frame.index], "deal id")
    dates = ctx.dates("created", "closed", "updated", *date_fields)
    title = ctx.text("title")
    fields: dict[str, Any] = {
        "record_id": ids[ctx.frame.index],
        "company": ctx.text("company"),
        "email": ctx.text("email"),
        "phone": ctx.text("phone"),
        "address": V.join_text(ctx.text("address"), ctx.text("city")),
        "title": title,
        "job_refs": ctx.refs("job_refs"),
        "invoice_refs": ctx.refs("invoice_refs"),
        "quote_refs": ctx.refs("quote_refs"),
        "raw_status": ctx.text("raw_status"),
        "amount": ctx.money("amount"),
        "currency": ctx.text("currency"),
        "created": dates.get("created"),
        "closed": dates.get("closed"),
        "updated": dates.get("updated"),
    }
    return fields, dates


def fill_customer(fields: dict[str, Any], *candidates: pd.Series | None) -> None:
    """Set ``customer`` to the first non-empty of ``candidates``, row by row."""
    out = None
    for c in candidates:
        if c is not None:
            out = c if out is None else out.fillna(c)
    fields["customer"] = out
