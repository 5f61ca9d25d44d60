"""QuickBooks Online v3 live pull: Invoice, Payment (with LinkedTxn) and Customer via the query endpoint.

Quirks handled here (vendor-formats.md 4B):

* Paging is ``STARTPOSITION`` (from 1) / ``MAXRESULTS``; a short page ends the
  stream, and ``SELECT COUNT(*)`` gives the total the ids are checked against.
  The list key is the entity name and is *absent* when nothing matches.
* Every request carries ``minorversion``.
* A ``Fault`` inside an HTTP 200 is an error (``SystemFault`` is retried; the
  rest fail the pull with Intuit's own message).
* There is no invoice status field: ``raw_status`` is derived exactly as the
  export reader does: ``Voided`` (total and balance 0), ``Paid`` (balance 0),
  ``Partially paid`` (0 < balance < total), ``Open``; overdue is left to the
  rules through ``due``. Payments get ``Payment``.
* A payment names its invoices by internal ``TxnId``; ``invoice_refs`` holds
  their ``DocNumber``s (resolved against every invoice pulled or cached).
* Job numbers are read from custom fields named like "Job", and from "Job #N"
  in the private note and customer memo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftcheck.errors import AuthError, SourceError

from ._common import PullContext, Pulled, StreamTracker, fill_from, flatten, job_refs_from_text, join_refs, newest_value, require, to_dates, to_money
from ._http import Retry

if TYPE_CHECKING:
    import httpx
    import pandas as pd

__all__ = ["finish", "inspect", "pull"]

SYSTEM = "quickbooks"


def inspect(resp: httpx.Response) -> Retry | None:
    """Treat a ``Fault`` in a 2xx answer as the error it is."""
    try:
        data = resp.json()
    except ValueError:
        raise SourceError("QuickBooks answered with something other than JSON", system=SYSTEM) from None
    fault = data.get("Fault") if isinstance(data, dict) else None
    if not fault:
        return None
    errors = fault.get("Error") or [{}]
    first = errors[0] if errors else {}
    kind = fault.get("type", "Fault")
    text = "; ".join(p for p in (first.get("Message"), first.get("Detail")) if p)[:200]
    code = str(first.get("code", ""))
    if kind == "SystemFault":
        return Retry(wait=5.0, reason=f"QuickBooks SystemFault {code}".strip())
    if kind in ("AuthenticationFault", "AuthorizationFault") or code == "3200":
        raise AuthError(f"QuickBooks {kind} {code}: {text}. Run `driftcheck auth login quickbooks`.", system=SYSTEM)
    raise SourceError(f"QuickBooks answered HTTP 200 with a {kind} (code {code}): {text}", system=SYSTEM)


def _query(ctx: PullContext, sql: str, stream: str) -> dict[str, Any]:
    q = ctx.spec["query"]
    path = q["path"].format(realm_id=require(ctx.source, "realm_id", SYSTEM, "the company id QuickBooks shows after login"))
    params = {"query": sql, "minorversion": str(ctx.source.get("minorversion", q["minorversion"]))}
    return ctx.client.request("GET", path, params=params, stream=stream, inspect=inspect).json().get("QueryResponse", {})


def _entity(ctx: PullContext, entity: str, since: str | None) -> list[dict[str, Any]]:
    q = ctx.spec["query"]
    size = int(ctx.source.get("page_size", q["page_size"]))
    where = f" WHERE {q['cursor_field']} >= '{since}'" if since else ""
    total = _query(ctx, f"SELECT COUNT(*) FROM {entity}{where}", entity).get("totalCount")
    tracker = StreamTracker(ctx, entity)
    out: list[dict[str, Any]] = []
    start = 1
    while True:
        sql = f"SELECT * FROM {entity}{where} ORDERBY {q['cursor_field']} STARTPOSITION {start} MAXRESULTS {size}"
        rows = _query(ctx, sql, entity).get(entity, [])  # the key is absent when nothing matches
        tracker.page([str(r.get("Id")) for r in rows], f"{start}")
        out.extend(rows)
        if len(rows) < size:
            break
        start += size
    tracker.finish(int(total) if total is not None else None)
    return list({str(r.get("Id")): r for r in out}.values())


def _custom_text(rec: dict[str, Any]) -> tuple[str, str]:
    """(job numbers from "Job"-named custom fields, all custom text) of one invoice."""
    direct, text = [], []
    for f in rec.get("CustomField") or []:
        value = str(f.get("StringValue") or "").strip()
        if not value:
            continue
        text.append(value)
        if "job" in str(f.get("Name", "")).lower():
            direct.extend(p.strip().lstrip("#") for p in value.split(",") if p.strip().lstrip("#").isdigit())
    return ",".join(direct), " ".join(text)


def _linked(rec: dict[str, Any]) -> str | None:
    ids = [str(t.get("TxnId")) for line in rec.get("Line") or [] for t in line.get("LinkedTxn") or [] if t.get("TxnType") == "Invoice"]
    return ",".join(dict.fromkeys(ids)) or None


def pull(ctx: PullContext, cursor: dict[str, str] | None) -> Pulled:
    """Pull customers, invoices and payments (all, or modified since the cursor)."""
    import pandas as pd

    cursor = dict(cursor or {})
    fields = ctx.spec["fields"]
    raw = {e: _entity(ctx, e, cursor.get(e)) for e in ctx.spec["query"]["entities"]}

    inv = flatten(raw["Invoice"], fields["Invoice"])
    custom = [_custom_text(r) for r in raw["Invoice"]]
    inv["x:job_field"] = pd.Series([c[0] or None for c in custom], dtype="string")
    inv["x:custom_text"] = pd.Series([c[1] or None for c in custom], dtype="string")
    inv["record_type"] = "invoice"
    inv["file"] = "api:quickbooks/Invoice"
    missing = inv["record_id"].isna()
    if missing.any():
        ctx.warn("invoices without a number (DocNumber); their internal id is used instead", stream="Invoice", count=int(missing.sum()))
        inv.loc[missing, "record_id"] = inv.loc[missing, "x:qbo_id"]

    pay = flatten(raw["Payment"], fields["Payment"])
    pay["x:linked_txn_ids"] = pd.Series([_linked(r) for r in raw["Payment"]], dtype="string")
    pay["record_type"] = "payment"
    pay["file"] = "api:quickbooks/Payment"

    customers = flatten(raw["Customer"], fields["Customer"])
    customers["address"] = (customers["line1"].astype("string").fillna("") + ", " + customers["city"].astype("string").fillna("")).str.strip(", ").replace("", None)
    for e, frame in (("Invoice", inv), ("Payment", pay), ("Customer", customers)):
        newest = newest_value(frame["updated"]) if len(frame) else None
        if newest:
            cursor[e] = newest
    records = pd.concat([inv, pay], ignore_index=True)
    return Pulled(records=records, aux={"customers": customers.astype("object")}, cursor=cursor,
                  counts={e: len(v) for e, v in raw.items()})


def finish(records: pd.DataFrame, aux: dict[str, pd.DataFrame], source: dict[str, Any]) -> pd.DataFrame:
    """Derive statuses, resolve payment links to invoice numbers, fill contact details from customers."""
    import pandas as pd

    out = records.copy()
    for c in ("created", "due", "updated", "paid"):
        out[c] = to_dates(out[c]) if c in out.columns else pd.NaT
    out["amount"] = to_money(out["amount"])
    out["balance"] = pd.to_numeric(out["balance"].astype("object"), errors="coerce")
    is_inv = out["record_type"] == "invoice"
    total, bal = out["amount"], out["balance"]
    status = pd.Series("Open", index=out.index, dtype="string")
    status = status.mask((bal > 0) & (bal < total), "Partially paid")
    status = status.mask((bal == 0) & (total > 0), "Paid")
    status = status.mask((bal == 0) & (total == 0), "Voided")
    out["raw_status"] = status.where(is_inv, "Payment")
    email_status = out.get("x:email_status", pd.Series(index=out.index, dtype="object"))
    out["sent"] = email_status.map({"EmailSent": True, "NeedToSend": False}).astype("boolean").where(is_inv)

    text = out["x:private_note"].astype("string").fillna("") + " " + out["x:customer_memo"].astype("string").fillna("") + " " + out["x:custom_text"].astype("string").fillna("")
    out["job_refs"] = join_refs(out["x:job_field"], job_refs_from_text(text)).where(is_inv)
    out["title"] = out["x:customer_memo"].astype("string").fillna(out["x:private_note"].astype("string")).where(is_inv, out["x:private_note"].astype("string"))
    street = out["x:ship_line1"].astype("string").fillna(out["x:bill_line1"].astype("string"))
    city = out["x:ship_city"].astype("string").fillna(out["x:bill_city"].astype("string"))
    out["address"] = (street.fillna("") + ", " + city.fillna("")).str.strip(", ").replace("", None)

    # payment -> invoice numbers; invoice paid date = its latest linked payment when fully paid
    doc_by_id = out.loc[is_inv].drop_duplicates("x:qbo_id", keep="last").set_index("x:qbo_id")["record_id"]
    links = out.loc[~is_inv, ["record_id", "x:linked_txn_ids", "paid"]].copy()
    links["txn"] = links["x:linked_txn_ids"].astype("string").str.split(",")
    links = links.explode("txn")
    links["doc"] = links["txn"].map(doc_by_id)
    refs = links.dropna(subset=["doc"]).groupby("record_id", sort=False)["doc"].agg(lambda d: ",".join(dict.fromkeys(d)))
    out["invoice_refs"] = out["record_id"].map(refs).where(~is_inv).astype("string")
    last_paid = links.dropna(subset=["doc"]).groupby("doc")["paid"].max()
    out["paid"] = out["paid"].where(~is_inv, out["record_id"].map(last_paid).where(bal == 0))

    fill_from(out, aux.get("customers"), "x:customer_id", {"email": "email", "phone": "phone", "address": "address", "customer": "name"}, replace=("phone",))
    out["system"] = SYSTEM
    out["role"] = "accounting"
    return out
