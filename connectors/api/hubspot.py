"""HubSpot CRM v3 live pull: deals, their contacts and companies, stage labels from the pipelines.

What the TOML cannot say lives here:

* **Stage labels and won/lost flags** come from ``GET /crm/v3/pipelines/deals``:
  the deal only carries a portal-specific stage id (``closedwon`` or a number).
  ``raw_status`` is the stage *label* (as the export shows it, "Closed Won");
  ``x:stage_flag`` is ``won``/``lost`` from the stage metadata (``isClosed`` and
  ``probability`` 1.0 / 0.0), so a renamed stage still maps right.
* **Full pulls** page the list endpoint (``after`` cursor, associations inline)
  and count against the search API's ``total``; **incremental pulls** search by
  ``hs_lastmodifieddate`` and split the time window in halves while a window
  holds more than the 10,000 results a search can return. Search results carry
  no associations, so each changed deal's associations are read with one GET.
* Contacts and companies are fetched by id with the search API (``hs_object_id
  IN``, 100 per request) and kept as lookup tables.

HubSpot sends every property as a string; dates may be ISO or epoch milliseconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from driftcheck.errors import SourceError

from ._common import PullContext, Pulled, StreamTracker, flatten, newest_value, to_dates, to_money

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["finish", "pull"]

SYSTEM = "hubspot"


def _ms(value: str | datetime) -> int:
    import pandas as pd

    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.timestamp() * 1000)


def _stages(ctx: PullContext) -> pd.DataFrame:
    import pandas as pd

    spec = ctx.spec["streams"]["pipelines"]
    data = ctx.client.request("GET", spec["path"], stream="pipelines").json()
    rows = []
    for pipe in data.get("results", []):
        for st in pipe.get("stages", []):
            meta = st.get("metadata") or {}
            closed = str(meta.get("isClosed", "")).lower() == "true"
            try:
                prob = float(meta.get("probability", "nan"))
            except (TypeError, ValueError):
                prob = float("nan")
            flag = ("won" if prob >= 1.0 else "lost" if prob <= 0.0 else None) if closed else None
            rows.append({"id": f"{pipe.get('id')}:{st.get('id')}", "stage_id": st.get("id"), "label": st.get("label"), "flag": flag, "pipeline": pipe.get("label")})
    ctx.progress.page("pipelines", len(rows))
    return pd.DataFrame(rows, columns=["id", "stage_id", "label", "flag", "pipeline"])


def _assoc_ids(rec: dict[str, Any], kind: str) -> str | None:
    ids = [str(a.get("id")) for a in (rec.get("associations") or {}).get(kind, {}).get("results", []) if a.get("id")]
    return ",".join(dict.fromkeys(ids)) or None


def _search(ctx: PullContext, path: str, body: dict[str, Any], stream: str) -> dict[str, Any]:
    return ctx.client.request("POST", path, json_body=body, stream=stream).json()


def _list_deals(ctx: PullContext, spec: dict[str, Any]) -> list[dict[str, Any]]:
    tracker = StreamTracker(ctx, "deals")
    # The list endpoint gives no total; one search with limit 1 does, so a skipped page is noticed.
    total = _search(ctx, spec["search_path"], {"limit": 1, "properties": ["hs_object_id"]}, "deals").get("total")
    params: dict[str, Any] = {
        "limit": int(ctx.source.get("page_size", spec["limit"])),
        "properties": ",".join(spec["properties"]),
        "associations": ",".join(spec["associations"]),
        "archived": "false",
    }
    out: list[dict[str, Any]] = []
    while True:
        data = ctx.client.request("GET", spec["path"], params=params, stream="deals").json()
        results = data.get("results", [])
        after = ((data.get("paging") or {}).get("next") or {}).get("after")
        tracker.page([str(r.get("id")) for r in results], after)
        out.extend(results)
        if not after:
            break
        params["after"] = after
    tracker.finish(int(total) if total is not None else None)
    return out


def _search_window(ctx: PullContext, spec: dict[str, Any], start: int, end: int, tracker: StreamTracker) -> list[dict[str, Any]]:
    """All deals modified in [start, end) ms; splits the window while it exceeds the search cap."""
    prop = spec["cursor_property"]
    body: dict[str, Any] = {
        "filterGroups": [{"filters": [
            {"propertyName": prop, "operator": "GTE", "value": str(start)},
            {"propertyName": prop, "operator": "LT", "value": str(end)},
        ]}],
        "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
        "properties": spec["properties"],
        "limit": int(ctx.source.get("page_size", spec["limit"])),
    }
    first = _search(ctx, spec["search_path"], body, "deals")
    total = int(first.get("total", 0))
    cap = int(ctx.source.get("search_cap", spec["search_cap"]))
    if total > cap:
        if end - start <= 1:
            raise SourceError(f"more than {cap} deals modified in the same millisecond; run with --refresh", system=SYSTEM, stream="deals")
        mid = start + (end - start) // 2
        return _search_window(ctx, spec, start, mid, tracker) + _search_window(ctx, spec, mid, end, tracker)
    out: list[dict[str, Any]] = []
    data = first
    seen_before = len(tracker.seen)
    while True:
        results = data.get("results", [])
        after = ((data.get("paging") or {}).get("next") or {}).get("after")
        tracker.page([str(r.get("id")) for r in results], f"{start}:{after}" if after else None)
        out.extend(results)
        if not after:
            break
        data = _search(ctx, spec["search_path"], {**body, "after": after}, "deals")
    got = len(tracker.seen) - seen_before
    if got < total:
        raise SourceError(f"pull incomplete: got {got} of the {total} deals the search counted (a page was skipped)", system=SYSTEM, stream="deals", retryable=True)
    return out


def _with_associations(ctx: PullContext, spec: dict[str, Any], deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Search results carry no associations: read them per changed deal (GET, one each)."""
    for rec in deals:
        one = ctx.client.request(
            "GET",
            spec["one_path"].format(id=rec["id"]),
            params={"associations": ",".join(spec["associations"]), "properties": "hs_object_id"},
            stream="deals",
        ).json()
        rec["associations"] = one.get("associations") or {}
    return deals


def _lookup(ctx: PullContext, kind: str, ids: set[str]) -> pd.DataFrame:
    """Contacts or companies by id, 100 per search (``hs_object_id IN``)."""
    import pandas as pd

    spec = ctx.spec["streams"][kind]
    rows: list[dict[str, Any]] = []
    ordered = sorted(ids, key=lambda x: (len(x), x))
    tracker = StreamTracker(ctx, kind)
    for i in range(0, len(ordered), 100):
        chunk = ordered[i : i + 100]
        body = {
            "filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "IN", "values": chunk}]}],
            "properties": spec["properties"],
            "limit": 100,
        }
        data = _search(ctx, spec["search_path"], body, kind)
        results = data.get("results", [])
        tracker.page([str(r.get("id")) for r in results])
        for r in results:
            rows.append({"id": str(r["id"]), **{p: (r.get("properties") or {}).get(p) for p in spec["properties"]}})
    tracker.finish()
    missing = len(ids) - len(tracker.seen)
    if missing > 0:
        ctx.warn(f"{missing} associated {kind} could not be read (deleted or no access)", stream=kind, count=missing)
    return pd.DataFrame(rows, columns=["id", *spec["properties"]])


def pull(ctx: PullContext, cursor: dict[str, str] | None) -> Pulled:
    """Pull deals (all, or those modified since ``cursor``), their contacts and companies."""
    import pandas as pd

    spec = ctx.spec["streams"]["deals"]
    stages = _stages(ctx)
    since = (cursor or {}).get("deals")
    if since:
        tracker = StreamTracker(ctx, "deals")
        deals = _search_window(ctx, spec, _ms(since), _ms(ctx.now) + 1, tracker)
        tracker.finish()
        deals = _with_associations(ctx, spec, deals)
    else:
        deals = _list_deals(ctx, spec)
    frame = flatten(deals, spec["fields"])
    frame["x:contact_ids"] = pd.Series([_assoc_ids(r, "contacts") for r in deals], dtype="string")
    frame["x:company_ids"] = pd.Series([_assoc_ids(r, "companies") for r in deals], dtype="string")
    frame = frame.drop_duplicates(subset=["record_id"], keep="last").reset_index(drop=True)
    contact_ids = {i for v in frame["x:contact_ids"].dropna() for i in v.split(",")}
    company_ids = {i for v in frame["x:company_ids"].dropna() for i in v.split(",")}
    aux = {"stages": stages, "contacts": _lookup(ctx, "contacts", contact_ids), "companies": _lookup(ctx, "companies", company_ids)}
    newest = newest_value(frame["updated"])
    new_cursor = {**(cursor or {}), "deals": newest} if newest else dict(cursor or {})
    frame["record_type"] = "deal"
    frame["file"] = "api:hubspot/deals"
    return Pulled(records=frame, aux=aux, cursor=new_cursor, counts={"deals": len(frame)})


def finish(records: pd.DataFrame, aux: dict[str, pd.DataFrame], source: dict[str, Any]) -> pd.DataFrame:
    """Deal records with stage labels, flags and the first associated contact and company."""
    import pandas as pd

    out = records.copy()
    stages = aux.get("stages", pd.DataFrame(columns=["id", "stage_id", "label", "flag", "pipeline"]))
    key = out["x:pipeline_id"].astype("string") + ":" + out["x:stage_id"].astype("string")
    by_key = stages.set_index("id")
    by_stage = stages.drop_duplicates("stage_id").set_index("stage_id")
    stage_id = out["x:stage_id"].astype("string")
    label = key.map(by_key["label"]).astype("string").fillna(stage_id.map(by_stage["label"]).astype("string"))
    flag = key.map(by_key["flag"]).astype("string").fillna(stage_id.map(by_stage["flag"]).astype("string"))
    # a stage id no pipeline knows (deleted stage): keep the id itself as the status, visibly
    out["raw_status"] = label.fillna(stage_id)
    out["x:stage_flag"] = flag.astype("string")
    out["x:pipeline"] = key.map(by_key["pipeline"]).astype("string")

    contacts = aux.get("contacts", pd.DataFrame(columns=["id"])).drop_duplicates("id", keep="last").set_index("id")
    companies = aux.get("companies", pd.DataFrame(columns=["id"])).drop_duplicates("id", keep="last").set_index("id")
    first_contact = out["x:contact_ids"].astype("string").str.split(",").str[0]
    first_company = out["x:company_ids"].astype("string").str.split(",").str[0]

    def col(table: pd.DataFrame, ids: pd.Series, name: str) -> pd.Series:
        if name not in table.columns:
            return pd.Series([None] * len(ids), index=ids.index, dtype="string")
        return ids.map(table[name]).astype("string")

    full = (col(contacts, first_contact, "firstname").fillna("") + " " + col(contacts, first_contact, "lastname").fillna("")).str.strip()
    company = col(companies, first_company, "name")
    out["company"] = company
    out["customer"] = full.where(full != "", company)
    out["email"] = col(contacts, first_contact, "email")
    out["phone"] = col(contacts, first_contact, "phone").fillna(col(companies, first_company, "phone"))
    street = col(contacts, first_contact, "address").fillna(col(companies, first_company, "address"))
    city = col(contacts, first_contact, "city").fillna(col(companies, first_company, "city"))
    out["address"] = (street.fillna("") + ", " + city.fillna("")).str.strip(", ").replace("", None)
    out["amount"] = to_money(out["amount"])
    for c in ("created", "updated", "closed"):
        out[c] = to_dates(out[c])
    out["system"] = SYSTEM
    out["role"] = "crm"
    return out
