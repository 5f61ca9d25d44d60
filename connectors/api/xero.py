"""Xero Accounting API live pull: sales invoices, their payments, and contacts.

Quirks handled here (vendor-formats.md 5B):

* Every request carries ``Xero-tenant-id`` (``tenant_id`` of the source table).
* Paging is ``page=N`` with 100 per page unless ``pageSize`` says otherwise; a
  shorter page is the last. Where the answer has a ``pagination`` block, its
  ``itemCount`` is the total the ids are checked against.
* Incremental reads send ``If-Modified-Since`` (the newest ``UpdatedDateUTC`` seen).
* Dates come as .NET JSON (``/Date(1419937200000+0000)/``) with ISO twins.
* ``raw_status`` is the API enum (``AUTHORISED``, ``PAID``, ``VOIDED``...);
  ``sent`` is ``SentToContact``; job numbers come from "Job #N" in ``Reference``.
* A 429 whose ``X-Rate-Limit-Problem`` is ``day`` fails at once (waiting hours
  helps nobody); the minute limit is waited out (``Retry-After``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._common import PullContext, Pulled, StreamTracker, fill_from, flatten, format_ts, job_refs_from_text, newest_value, require, to_dates, to_money

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["finish", "headers", "pull"]

SYSTEM = "xero"


def headers(source: dict[str, Any]) -> dict[str, str]:
    """``Xero-tenant-id`` for every request."""
    return {"Xero-tenant-id": require(source, "tenant_id", SYSTEM, "the organisation id `driftcheck auth login xero` prints")}


def _stream(ctx: PullContext, name: str, since: str | None) -> list[dict[str, Any]]:
    spec = ctx.spec["streams"][name]
    size = int(ctx.source.get("page_size", spec["page_size"]))
    params: dict[str, Any] = {"order": "UpdatedDateUTC ASC", "pageSize": size}
    if spec.get("where"):
        params["where"] = spec["where"]
    hdrs = {"If-Modified-Since": since} if since else None
    tracker = StreamTracker(ctx, name)
    out: list[dict[str, Any]] = []
    total = None
    page = 1
    while True:
        data = ctx.client.request("GET", spec["path"], params={**params, "page": page}, headers=hdrs, stream=name).json()
        rows = data.get(name) or []
        pagination = data.get("pagination") or {}
        if pagination.get("itemCount") is not None:
            total = int(pagination["itemCount"])
        tracker.page([str(r.get(f"{name[:-1]}ID")) for r in rows], str(page))
        out.extend(rows)
        if len(rows) < size or (pagination.get("pageCount") is not None and page >= int(pagination["pageCount"])):
            break
        page += 1
    tracker.finish(total)
    return out


def pull(ctx: PullContext, cursor: dict[str, str] | None) -> Pulled:
    """Pull contacts, sales invoices and their payments (all, or modified since the cursor)."""
    import pandas as pd

    cursor = dict(cursor or {})
    fields = {k: v["fields"] for k, v in ctx.spec["streams"].items()}
    raw = {k: _stream(ctx, k, cursor.get(k)) for k in ("Contacts", "Invoices", "Payments")}
    inv = flatten(raw["Invoices"], fields["Invoices"])
    inv["record_type"] = "invoice"
    inv["file"] = "api:xero/Invoices"
    pay = flatten(raw["Payments"], fields["Payments"])
    pay["record_type"] = "payment"
    pay["file"] = "api:xero/Payments"
    contacts = flatten(raw["Contacts"], fields["Contacts"])
    contacts["phone"] = [next((p.get("PhoneNumber") for p in r.get("Phones") or [] if p.get("PhoneNumber")), None) for r in raw["Contacts"]]
    street = [next((a for a in r.get("Addresses") or [] if a.get("AddressType") == "STREET" and a.get("AddressLine1")), {}) for r in raw["Contacts"]]
    contacts["address"] = [", ".join(p for p in (a.get("AddressLine1"), a.get("City")) if p) or None for a in street]
    for k, frame in (("Invoices", inv), ("Payments", pay), ("Contacts", contacts)):
        newest = format_ts(newest_value(frame["updated"]), "%Y-%m-%dT%H:%M:%S") if len(frame) else None
        if newest:
            cursor[k] = newest
    records = pd.concat([inv, pay], ignore_index=True)
    return Pulled(records=records, aux={"contacts": contacts.astype("object")}, cursor=cursor, counts={k: len(v) for k, v in raw.items()})


def finish(records: pd.DataFrame, aux: dict[str, pd.DataFrame], source: dict[str, Any]) -> pd.DataFrame:
    """Parse dates and money, read job numbers from the reference, fill contact details."""
    import pandas as pd

    out = records.copy()
    for c, fallback in (("created", "x:date"), ("due", "x:due_date"), ("paid", None), ("updated", None)):
        parsed = to_dates(out[c]) if c in out.columns else pd.Series(pd.NaT, index=out.index)
        if fallback and fallback in out.columns:
            parsed = parsed.fillna(to_dates(out[fallback]))
        out[c] = parsed
    out["amount"] = to_money(out["amount"])
    out["balance"] = pd.to_numeric(out["balance"].astype("object"), errors="coerce")
    is_inv = out["record_type"] == "invoice"
    out["job_refs"] = job_refs_from_text(out["x:reference"]).where(is_inv)
    out["sent"] = out["sent"].astype("object").map({True: True, False: False, "true": True, "false": False}).astype("boolean")
    fill_from(out, aux.get("contacts"), "x:contact_id", {"email": "email", "phone": "phone", "address": "address"}, replace=("phone", "address"))
    out["system"] = SYSTEM
    out["role"] = "accounting"
    return out
