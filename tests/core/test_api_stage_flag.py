"""A HubSpot deal pulled over the API in a custom pipeline stage takes the stage's own won/lost
flag when its label is in no status map: the flag must reach the status maps through loading."""

from __future__ import annotations

import pandas as pd

from connectors.api import PullResult, hubspot
from driftcheck.model import SourceInfo
from driftcheck.pipeline import load
from driftcheck.records import conform


def _pulled_deals() -> pd.DataFrame:
    deals = pd.DataFrame({
        "record_id": ["9001", "9002", "9003"], "record_type": ["deal"] * 3,
        "x:stage_id": ["signed", "walkedaway", "quoting"], "x:pipeline_id": ["default"] * 3,
        "x:contact_ids": [None] * 3, "x:company_ids": [None] * 3,
        "amount": ["1200", "800", "500"], "created": ["2026-10-01"] * 3, "updated": ["2026-10-02"] * 3, "closed": [None] * 3,
    })
    stages = pd.DataFrame({
        "id": ["default:signed", "default:walkedaway", "default:quoting"], "stage_id": ["signed", "walkedaway", "quoting"],
        "label": ["Signed, deposit due", "Walked away", "Quoting"], "flag": ["won", "lost", None], "pipeline": ["Sales"] * 3,
    })
    frame = hubspot.finish(deals, {"stages": stages}, {})
    frame["source"], frame["system"], frame["role"], frame["file"] = "crm", "hubspot", "crm", "api:hubspot/deals"
    return conform(frame)


def test_custom_stage_flag_reaches_the_status_maps(tmp_path, monkeypatch):
    import connectors.api

    def fake_pull(source, *, name, **kwargs):
        info = SourceInfo(name=name, system="hubspot", role="crm", path="api:hubspot", records=3)
        return PullResult(frame=_pulled_deals(), info=info, live=True)

    monkeypatch.setattr(connectors.api, "pull_source", fake_pull)
    monkeypatch.setenv("DRIFTCHECK_HUBSPOT_TOKEN", "pat-na1-00000000-test")
    cfg = tmp_path / "driftcheck.toml"
    cfg.write_text('as_of = "2026-11-20"\n[[sources]]\nname = "crm"\nsystem = "hubspot"\nmode = "api"\n', encoding="utf-8")
    loaded = load([], cfg)
    states = dict(zip(loaded.records["record_id"].astype(str), loaded.records["state"].astype("string"), strict=True))
    assert states["9001"] == "won"  # "Signed, deposit due" is in no map; the stage says it is closed won
    assert states["9002"] == "lost"
    assert pd.isna(states["9003"])  # an open custom stage with no flag stays unmapped (and is warned about)
    assert any("Quoting" in w.message for w in loaded.warnings)
    assert "x:stage_flag" not in loaded.records.columns  # carried to the status maps only
