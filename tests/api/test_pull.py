"""Full and incremental pulls from each vendor: every record exactly once, normalised like the exports."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from world import touch

from driftcheck.model import RECORD_SCHEMA

SYSTEMS = ["hubspot", "quickbooks", "xero", "jobber", "pipedrive"]


def expected_ids(system: str, world) -> dict[str, set[str]]:
    """What each vendor holds for the world, by record type, as the exports would number it."""
    inv = [w for w in world if w.invoiced]
    if system == "hubspot":
        return {"deal": {w.deal_id for w in world}}
    if system == "pipedrive":
        return {"deal": {str(7000 + w.n) for w in world}}
    if system == "quickbooks":
        return {"invoice": {w.doc_number for w in inv}, "payment": {str(700 + w.n) for w in inv if w.payment}}
    if system == "xero":
        return {"invoice": {w.xero_number for w in inv}, "payment": {f"p{w.n:07d}-0000-4000-8000-000000000000" for w in inv if w.payment}}
    return {
        "job": {str(w.job_number) for w in world},
        "invoice": {str(w.invoice_number) for w in inv},
        "payment": {str(3000 + w.n) for w in inv if w.payment},
        "deposit": {str(4000 + w.n) for w in world if w.deposit},
    }


@pytest.mark.parametrize("system", SYSTEMS)
def test_full_pull_every_record_exactly_once(system, pull, world, fake):
    res = pull(system)
    assert res.failure is None, res.failure
    frame = res.frame
    assert list(frame.columns[: len(RECORD_SCHEMA)]) == list(RECORD_SCHEMA)
    assert not frame.duplicated(["record_type", "record_id"]).any()
    got = {t: set(g["record_id"]) for t, g in frame.groupby("record_type")}
    assert got == expected_ids(system, world)
    assert res.info.path == f"api:{system}" and res.info.records == len(frame) and res.info.stale_cache is None
    assert frame["state"].isna().all()
    assert (frame["source"] == f"{system}-src").all()
    # several pages per stream (page_size 3): the pager really paged
    assert res.stats["pages"] >= 5


def test_hubspot_records(pull, world):
    f = pull("hubspot").frame.set_index("record_id")
    for w in world:
        r = f.loc[w.deal_id]
        label = {"closedwon": "Closed Won", "closedlost": "Closed Lost", "contractsent": "Contract Sent"}[w.stage]
        assert r["raw_status"] == label
        flag = r["x:stage_flag"]
        assert (None if pd.isna(flag) else flag) == {"closedwon": "won", "closedlost": "lost"}.get(w.stage)
        assert r["customer"] == w.name and r["email"] == w.email and r["phone"] == w.phone
        assert r["amount"] == w.amount and r["currency"] == "CAD"
        assert r["created"] == pd.Timestamp(w.created) and r["closed"] == pd.Timestamp(w.created)
        assert r["role"] == "crm" and r["record_type"] == "deal"
        assert (r["company"] == f"{w.last} Holdings") if w.n % 2 else pd.isna(r["company"])


def test_quickbooks_records(pull, world):
    f = pull("quickbooks").frame
    inv = f[f.record_type == "invoice"].set_index("record_id")
    pay = f[f.record_type == "payment"].set_index("record_id")
    for w in (w for w in world if w.invoiced):
        r = inv.loc[w.doc_number]
        status = "Paid" if w.balance == 0 else ("Partially paid" if w.balance < w.amount else "Open")
        assert r["raw_status"] == status
        assert r["amount"] == w.amount and r["balance"] == w.balance
        assert r["job_refs"] == w.job_refs, (w.n, r["job_refs"])
        assert r["sent"] == w.sent and r["email"] == w.email and r["phone"] == w.phone
        assert r["due"] == pd.Timestamp(w.due) and r["created"] == pd.Timestamp(w.issued)
        if w.balance == 0:
            assert r["paid"] == pd.Timestamp(w.paid_on)
        if w.payment:
            p = pay.loc[str(700 + w.n)]
            assert p["invoice_refs"] == w.doc_number  # TxnId resolved to the invoice number
            assert p["raw_status"] == "Payment" and p["amount"] == w.payment and p["paid"] == pd.Timestamp(w.paid_on)


def test_xero_records(pull, world):
    f = pull("xero").frame
    inv = f[f.record_type == "invoice"].set_index("record_id")
    for w in (w for w in world if w.invoiced):
        r = inv.loc[w.xero_number]
        assert r["raw_status"] == ("PAID" if w.balance == 0 else "AUTHORISED")
        assert r["job_refs"] == str(w.job_number) and r["sent"] == w.sent
        assert r["created"] == pd.Timestamp(w.issued) and r["due"] == pd.Timestamp(w.due)
        assert r["amount"] == w.amount and r["balance"] == w.balance and r["email"] == w.email
    pay = f[f.record_type == "payment"]
    assert set(pay["invoice_refs"]) == {w.xero_number for w in world if w.invoiced and w.payment}


def test_jobber_records(pull, world):
    f = pull("jobber").frame
    jobs = f[f.record_type == "job"].set_index("record_id")
    inv = f[f.record_type == "invoice"].set_index("record_id")
    dep = f[f.record_type == "deposit"].set_index("record_id")
    for w in world:
        j = jobs.loc[str(w.job_number)]
        assert j["raw_status"] == w.job_status and j["scheduled"] == pd.Timestamp(w.scheduled)
        assert j["customer"] == w.name and j["email"] == w.email and j["quote_refs"] == str(w.quote_number)
        if w.invoiced:
            i = inv.loc[str(w.invoice_number)]
            assert i["job_refs"] == w.job_refs
            assert i["sent"] == (i["raw_status"] != "draft")
            assert i["balance"] == w.balance
        if w.deposit:
            assert dep.loc[str(4000 + w.n), "quote_refs"] == str(w.quote_number)


def test_pipedrive_records(pull, world):
    f = pull("pipedrive").frame.set_index("record_id")
    for w in world:
        r = f.loc[str(7000 + w.n)]
        assert r["raw_status"] == {"closedwon": "won", "closedlost": "lost"}.get(w.stage, "open")
        assert r["customer"] == w.name and r["company"] == f"{w.last} Holdings" and r["email"] == w.email


@pytest.mark.parametrize("system", SYSTEMS)
def test_incremental_pull_fetches_changes_and_merges(system, pull, world, fake, clock):
    first = pull(system)
    assert first.failure is None
    before = len(fake.log)
    later = clock.now() + timedelta(days=1)
    changed = touch(world, [1, 5], max(w.updated for w in world) + timedelta(days=2), amount=99999.0)
    fake.set_world(changed)
    second = pull(system, now=later)
    assert second.failure is None, second.failure
    assert "incremental" in second.info.reason
    # the second pull asked for less than the first (only what changed, plus lookups)
    assert len(fake.log) - before < before
    f = second.frame
    assert not f.duplicated(["record_type", "record_id"]).any()
    assert len(f) == len(first.frame)  # merged into the cache, nothing lost
    amounts = f.set_index(["record_type", "record_id"])["amount"]
    key = {"hubspot": ("deal", changed[1].deal_id), "pipedrive": ("deal", str(7001)), "jobber": ("job", "101"),
           "quickbooks": ("invoice", changed[1].doc_number), "xero": ("invoice", changed[1].xero_number)}[system]
    assert amounts.loc[key] == 99999.0


@pytest.mark.parametrize("system", SYSTEMS)
def test_refresh_ignores_cursor(system, pull, fake):
    pull(system)
    res = pull(system, refresh=True)
    assert res.failure is None and "full" in res.info.reason


def test_hubspot_unknown_stage_keeps_its_id_visible():
    from connectors.api import hubspot

    recs = pd.DataFrame({"record_id": ["1"], "record_type": ["deal"], "x:stage_id": ["closedlost"], "x:pipeline_id": ["default"],
                         "x:contact_ids": [None], "x:company_ids": [None], "amount": ["10"], "created": [None], "updated": [None], "closed": [None]})
    out = hubspot.finish(recs, {}, {})
    assert out.loc[0, "raw_status"] == "closedlost" and pd.isna(out.loc[0, "x:stage_flag"])
