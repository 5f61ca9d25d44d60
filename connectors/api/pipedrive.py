"""Pipedrive API v2 live pull: deals, persons and organizations.

Quirks handled here (vendor-formats.md 2B):

* ``https://<company_domain>.pipedrive.com`` (``company_domain`` in the source table).
* The token travels in the ``x-api-token`` header, never in the URL.
* Cursor paging (``cursor`` / ``additional_data.next_cursor``, up to 500 per page);
  incremental reads pass ``updated_since`` (RFC 3339). v2 gives no totals, so only
  repeated pages (duplicate ids, a repeated cursor) can be detected.
* ``raw_status`` is the deal status enum (``open``, ``won``, ``lost``); the customer
  is the deal's person, the company its organization.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._common import PullContext, Pulled, StreamTracker, flatten, format_ts, newest_value, to_dates, to_money

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["finish", "pull"]

SYSTEM = "pipedrive"


def _stream(ctx: PullContext, name: str, since: str | None) -> list[dict[str, Any]]:
    spec = ctx.spec["streams"][name]
    params: dict[str, Any] = {"limit": int(ctx.source.get("page_size", spec["limit"]))}
    if since:
        params["updated_since"] = since
    tracker = StreamTracker(ctx, name)
    out: list[dict[str, Any]] = []
    while True:
        data = ctx.client.request("GET", spec["path"], params=params, stream=name).json()
        rows = data.get("data") or []
        nxt = (data.get("additional_data") or {}).get("next_cursor")
        tracker.page([str(r.get("id")) for r in rows], nxt)
        out.extend(rows)
        if not nxt:
            break
        params["cursor"] = nxt
    tracker.finish()
    return list({str(r.get("id")): r for r in out}.values())


def _primary(items: Any) -> str | None:
    if not isinstance(items, list) or not items:
        return None
    chosen = next((i for i in items if isinstance(i, dict) and i.get("primary")), items[0])
    return chosen.get("value") if isinstance(chosen, dict) else None


def pull(ctx: PullContext, cursor: dict[str, str] | None) -> Pulled:
    """Pull deals, persons and organizations (all, or updated since the cursor)."""
    import pandas as pd

    cursor = dict(cursor or {})
    raw = {k: _stream(ctx, k, cursor.get(k)) for k in ("persons", "organizations", "deals")}
    deals = flatten(raw["deals"], ctx.spec["streams"]["deals"]["fields"])
    deals["record_id"] = deals["record_id"].astype("string")
    deals["record_type"] = "deal"
    deals["file"] = "api:pipedrive/deals"
    persons = pd.DataFrame([{
        "id": str(p.get("id")), "name": p.get("name"), "email": _primary(p.get("emails")), "phone": _primary(p.get("phones")),
        "updated": p.get("update_time"),
    } for p in raw["persons"]], columns=["id", "name", "email", "phone", "updated"])
    orgs = pd.DataFrame([{
        "id": str(o.get("id")), "name": o.get("name"),
        "address": (o.get("address") or {}).get("value") if isinstance(o.get("address"), dict) else o.get("address"),
        "updated": o.get("update_time"),
    } for o in raw["organizations"]], columns=["id", "name", "address", "updated"])
    for k, frame in (("deals", deals), ("persons", persons), ("organizations", orgs)):
        newest = format_ts(newest_value(frame["updated"]), "%Y-%m-%dT%H:%M:%SZ") if len(frame) else None
        if newest:
            cursor[k] = newest
    return Pulled(records=deals, aux={"persons": persons.astype("object"), "organizations": orgs.astype("object")},
                  cursor=cursor, counts={k: len(v) for k, v in raw.items()})


def finish(records: pd.DataFrame, aux: dict[str, pd.DataFrame], source: dict[str, Any]) -> pd.DataFrame:
    """Parse dates and money; name the person and organization of each deal."""
    import pandas as pd

    out = records.copy()
    for c in ("created", "updated", "closed"):
        out[c] = to_dates(out[c])
    # closed = when it was won or lost, falling back to close_time
    out["closed"] = out["closed"].fillna(to_dates(out["x:won_time"])).fillna(to_dates(out["x:lost_time"]))
    out["amount"] = to_money(out["amount"])
    persons = aux.get("persons", pd.DataFrame(columns=["id", "name", "email", "phone"])).drop_duplicates("id", keep="last").set_index("id")
    orgs = aux.get("organizations", pd.DataFrame(columns=["id", "name", "address"])).drop_duplicates("id", keep="last").set_index("id")
    pid = pd.to_numeric(out["x:person_id"].astype("object"), errors="coerce").astype("Int64").astype("string")
    oid = pd.to_numeric(out["x:org_id"].astype("object"), errors="coerce").astype("Int64").astype("string")
    out["company"] = oid.map(orgs["name"]).astype("string")
    out["customer"] = pid.map(persons["name"]).astype("string").fillna(out["company"])
    out["email"] = pid.map(persons["email"]).astype("string")
    out["phone"] = pid.map(persons["phone"]).astype("string")
    out["address"] = oid.map(orgs["address"]).astype("string")
    out["system"] = SYSTEM
    out["role"] = "crm"
    return out
