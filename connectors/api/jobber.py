"""Jobber GraphQL live pull: jobs (with visits), invoices, clients and payment records.

Quirks handled here (vendor-formats.md 7B):

* One endpoint, ``POST /api/graphql``, with ``X-JOBBER-GRAPHQL-VERSION``.
* Relay paging (``first``/``after``, ``pageInfo{hasNextPage endCursor}``),
  ``totalCount`` checked against the ids received on full pulls.
* The **query-cost bucket**: every answer reports ``extensions.cost`` (requested
  and actual cost, ``throttleStatus{currentlyAvailable, restoreRate}``). Before a
  query that would overdraw the bucket the pull waits for it to refill, and a
  ``THROTTLED`` error (a 200, not a 429) is waited out and retried.
* Jobs have no ``updatedAt`` filter: incremental pulls sort by ``UPDATED_AT``
  descending and stop at the first job older than the cursor. Invoices and
  clients filter on ``updatedAt``.
* ``raw_status`` is the API enum (``requires_invoicing``, ``awaiting_payment``...);
  payment records are ``PAYMENT`` or ``DEPOSIT`` (a deposit is against a quote).
* Ids are base64 ``gid://Jobber/<Type>/<n>``; the number is kept.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from driftcheck.errors import SourceError

from ._common import PullContext, Pulled, StreamTracker, dig, fill_from, newest_value, to_dates, to_money
from ._http import Retry

if TYPE_CHECKING:
    import httpx
    import pandas as pd

__all__ = ["QUERIES", "finish", "headers", "pull"]

SYSTEM = "jobber"

_CLIENT = "client { id name emails { address primary } phones { number primary } }"

#: The read queries, one per stream. Each connection sets `first` (cost control).
QUERIES: dict[str, str] = {
    "jobs": """query Jobs($first: Int!, $after: String) {
  jobs(first: $first, after: $after, sort: [{key: UPDATED_AT, direction: DESCENDING}]) {
    nodes { id jobNumber title jobStatus total createdAt updatedAt startAt endAt completedAt
      %s
      property { address { street city province postalCode } }
      quote { quoteNumber }
      visits(first: 20) { nodes { id startAt endAt completedAt } }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}""" % _CLIENT,
    "invoices": """query Invoices($first: Int!, $after: String, $filter: InvoiceFilterAttributes) {
  invoices(first: $first, after: $after, filter: $filter) {
    nodes { id invoiceNumber invoiceStatus subject issuedDate dueDate receivedDate createdAt updatedAt
      amounts { total invoiceBalance }
      %s
      jobs(first: 10) { nodes { jobNumber } }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}""" % _CLIENT,
    "clients": """query Clients($first: Int!, $after: String, $filter: ClientFilterAttributes) {
  clients(first: $first, after: $after, filter: $filter) {
    nodes { id name companyName updatedAt emails { address primary } phones { number primary }
      billingAddress { street city } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}""",
    "paymentRecords": """query Payments($first: Int!, $after: String) {
  paymentRecords(first: $first, after: $after) {
    nodes { id amount entryDate paymentType
      client { id name }
      invoice { invoiceNumber }
      quote { quoteNumber }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}""",
}


def headers(source: dict[str, Any]) -> dict[str, str]:
    """The API version header (``graphql_version`` in the source table overrides the default)."""
    from ._common import load_spec

    return {"X-JOBBER-GRAPHQL-VERSION": str(source.get("graphql_version") or load_spec(SYSTEM)["graphql"]["version"])}


class CostBudget:
    """Jobber's leaky bucket as the last answer described it."""

    def __init__(self, maximum: float, restore: float):
        self.available = maximum
        self.restore = restore
        self.last_cost = 0.0

    def read(self, data: dict[str, Any]) -> None:
        cost = dig(data, "extensions.cost") or {}
        status = cost.get("throttleStatus") or {}
        if status.get("currentlyAvailable") is not None:
            self.available = float(status["currentlyAvailable"])
        if status.get("restoreRate"):
            self.restore = float(status["restoreRate"])
        if cost.get("requestedQueryCost") is not None:
            self.last_cost = float(cost["requestedQueryCost"])

    def wait_for(self, cost: float) -> float:
        """Seconds until the bucket holds ``cost`` points (0 when it already does)."""
        if cost <= self.available or not self.restore:
            return 0.0
        # a few points to spare: the bucket is read on the server's clock, not ours
        return (cost - self.available) / self.restore + 0.05


def _inspect_factory(budget: CostBudget):
    def inspect(resp: httpx.Response) -> Retry | None:
        data = resp.json()
        budget.read(data)
        errors = data.get("errors") or []
        if not errors:
            return None
        codes = [dig(e, "extensions.code") for e in errors]
        if "THROTTLED" in codes:
            requested = float(dig(data, "extensions.cost.requestedQueryCost") or budget.last_cost or 0)
            wait = max(budget.wait_for(requested), 1.0)
            return Retry(wait=wait, reason="Jobber query-cost budget spent (THROTTLED)")
        if data.get("data") is None or any(c in ("UNAUTHENTICATED", "FORBIDDEN") for c in codes):
            msg = "; ".join(str(e.get("message", ""))[:120] for e in errors[:3])
            raise SourceError(f"the GraphQL query failed: {msg}", system=SYSTEM)
        return None

    return inspect


def _connection(ctx: PullContext, budget: CostBudget, stream: str, variables: dict[str, Any], stop_before: str | None = None) -> tuple[list[dict[str, Any]], int | None, bool]:
    """All nodes of one connection: (nodes, totalCount, stopped early at the cursor)."""
    g = ctx.spec["graphql"]
    size = int(ctx.source.get("page_size", g["page_size"]))
    inspect = _inspect_factory(budget)
    tracker = StreamTracker(ctx, stream)
    out: list[dict[str, Any]] = []
    after = None
    total = None
    stopped = False
    while True:
        wait = budget.wait_for(budget.last_cost)
        if wait > 0:
            ctx.client.pacer.block(wait, "Jobber query-cost budget refilling")
        body = {"query": QUERIES[stream], "variables": {**variables, "first": size, "after": after}}
        data = ctx.client.request("POST", g["path"], json_body=body, stream=stream, inspect=inspect).json()
        conn = dig(data, f"data.{stream}") or {}
        nodes = conn.get("nodes") or []
        if total is None and conn.get("totalCount") is not None:
            total = int(conn["totalCount"])
        info = conn.get("pageInfo") or {}
        after = info.get("endCursor") if info.get("hasNextPage") else None
        tracker.page([str(n.get("id")) for n in nodes], after)
        if stop_before is not None:
            keep = [n for n in nodes if str(n.get("updatedAt") or "") >= stop_before]
            stopped = len(keep) < len(nodes)
            nodes = keep
        out.extend(nodes)
        if not after or stopped:
            break
    tracker.finish(None if stop_before is not None else total)
    return list({str(n.get("id")): n for n in out}.values()), total, stopped


def _num(gid: Any) -> str | None:
    """The number at the end of a Jobber EncodedId (base64 ``gid://Jobber/Type/123``)."""
    if gid is None:
        return None
    s = str(gid)
    try:
        decoded = base64.b64decode(s + "=" * (-len(s) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return s
    return decoded.rsplit("/", 1)[-1] if decoded.startswith("gid://") else s


def _primary(items: list[dict[str, Any]] | None, key: str) -> str | None:
    items = items or []
    chosen = next((i for i in items if i.get("primary")), items[0] if items else None)
    return chosen.get(key) if chosen else None


def _who(node: dict[str, Any]) -> dict[str, Any]:
    c = node.get("client") or {}
    return {"customer": c.get("name"), "email": _primary(c.get("emails"), "address"), "phone": _primary(c.get("phones"), "number"), "x:client_id": _num(c.get("id"))}


def pull(ctx: PullContext, cursor: dict[str, str] | None) -> Pulled:
    """Pull clients, jobs, invoices and payment records (jobs/invoices/clients incrementally)."""
    import pandas as pd

    cursor = dict(cursor or {})
    g = ctx.spec["graphql"]
    budget = CostBudget(float(g["bucket_max"]), float(g["restore_rate"]))

    def updated_filter(stream: str) -> dict[str, Any]:
        return {"filter": {"updatedAt": {"after": cursor[stream]}}} if cursor.get(stream) else {}

    clients, _, _ = _connection(ctx, budget, "clients", updated_filter("clients"))
    jobs, _, _ = _connection(ctx, budget, "jobs", {}, stop_before=cursor.get("jobs"))
    invoices, _, _ = _connection(ctx, budget, "invoices", updated_filter("invoices"))
    payments, _, _ = _connection(ctx, budget, "paymentRecords", {})

    job_rows = []
    for j in jobs:
        addr = dig(j, "property.address") or {}
        visit_starts = [v.get("startAt") for v in dig(j, "visits.nodes", []) if v.get("startAt")]
        job_rows.append({
            "record_type": "job", "record_id": str(j.get("jobNumber")), "title": j.get("title"), "raw_status": j.get("jobStatus"),
            "amount": j.get("total"), "created": j.get("createdAt"), "updated": j.get("updatedAt"),
            "scheduled": j.get("startAt") or (min(visit_starts) if visit_starts else None),
            "completed": j.get("completedAt"), "closed": j.get("completedAt"),
            "address": ", ".join(p for p in (addr.get("street"), addr.get("city")) if p) or None,
            "quote_refs": str(dig(j, "quote.quoteNumber")) if dig(j, "quote.quoteNumber") is not None else None,
            "x:visits": len(dig(j, "visits.nodes", [])), "file": "api:jobber/jobs", **_who(j),
        })
    inv_rows = []
    for i in invoices:
        nums = [str(n.get("jobNumber")) for n in dig(i, "jobs.nodes", []) if n.get("jobNumber") is not None]
        inv_rows.append({
            "record_type": "invoice", "record_id": str(i.get("invoiceNumber")), "title": i.get("subject"), "raw_status": i.get("invoiceStatus"),
            "job_refs": ",".join(dict.fromkeys(nums)) or None, "amount": dig(i, "amounts.total"), "balance": dig(i, "amounts.invoiceBalance"),
            "created": i.get("issuedDate"), "due": i.get("dueDate"), "paid": i.get("receivedDate"), "updated": i.get("updatedAt"),
            "sent": None if i.get("invoiceStatus") is None else i.get("invoiceStatus") != "draft", "file": "api:jobber/invoices", **_who(i),
        })
    pay_rows = []
    for p in payments:
        quote = dig(p, "quote.quoteNumber")
        invoice = dig(p, "invoice.invoiceNumber")
        deposit = quote is not None and invoice is None
        pay_rows.append({
            "record_type": "deposit" if deposit else "payment", "record_id": _num(p.get("id")),
            "raw_status": "DEPOSIT" if deposit else "PAYMENT", "x:payment_type": p.get("paymentType"),
            "invoice_refs": str(invoice) if invoice is not None else None, "quote_refs": str(quote) if quote is not None else None,
            "amount": p.get("amount"), "created": p.get("entryDate"), "paid": p.get("entryDate"),
            "customer": dig(p, "client.name"), "x:client_id": _num(dig(p, "client.id")), "file": "api:jobber/paymentRecords",
        })
    client_rows = [{
        "id": _num(c.get("id")), "name": c.get("name"), "email": _primary(c.get("emails"), "address"),
        "phone": _primary(c.get("phones"), "number"), "updated": c.get("updatedAt"),
        "address": ", ".join(p for p in (dig(c, "billingAddress.street"), dig(c, "billingAddress.city")) if p) or None,
    } for c in clients]
    records = pd.DataFrame(job_rows + inv_rows + pay_rows)
    aux = {"clients": pd.DataFrame(client_rows, columns=["id", "name", "email", "phone", "updated", "address"]).astype("object")}
    for stream, rows in (("jobs", job_rows), ("invoices", inv_rows), ("clients", client_rows)):
        newest = newest_value(pd.Series([r["updated"] for r in rows], dtype="object")) if rows else None
        if newest:
            cursor[stream] = newest
    return Pulled(records=records, aux=aux, cursor=cursor,
                  counts={"jobs": len(job_rows), "invoices": len(inv_rows), "clients": len(client_rows), "paymentRecords": len(pay_rows)})


def finish(records: pd.DataFrame, aux: dict[str, pd.DataFrame], source: dict[str, Any]) -> pd.DataFrame:
    """Parse dates and money; fill payment contact details from the clients table."""
    import pandas as pd

    out = records.copy()
    for c in ("created", "updated", "scheduled", "completed", "closed", "due", "paid"):
        out[c] = to_dates(out[c]) if c in out.columns else pd.Series(pd.NaT, index=out.index)
    out["amount"] = to_money(out["amount"])
    if "balance" in out.columns:
        out["balance"] = pd.to_numeric(out["balance"].astype("object"), errors="coerce")
    fill_from(out, aux.get("clients"), "x:client_id", {"email": "email", "phone": "phone", "customer": "name"})
    out["system"] = SYSTEM
    out["role"] = "operations"
    return out
