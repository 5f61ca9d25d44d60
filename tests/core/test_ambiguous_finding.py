"""An invoice the linker cannot place becomes an ambiguous-link finding, never a silent pick."""

from __future__ import annotations

import datetime as dt

from driftcheck.config import Config
from driftcheck.engine import EvalContext, ambiguous_rows, evaluate, load_rules
from driftcheck.jobs import build_job_table
from driftcheck.linking import link_records
from driftcheck.statusmap import apply_status_maps
from tests.matching.helpers import chris_lees


def test_two_chris_lees_make_an_ambiguous_link_finding():
    cfg = Config()
    frame = chris_lees()
    frame["created"] = frame["created"].fillna(frame["created"].max()).fillna(dt.datetime(2026, 3, 1))
    records, _ = apply_status_maps(frame.assign(raw_status=frame["raw_status"].fillna("Open")), cfg)
    result = link_records(records)
    table = build_job_table(result.records, owners=cfg.owners)
    ctx = EvalContext(jobs=table.jobs, records=table.records, as_of=dt.date(2026, 3, 22), owners=cfg.owners,
                      teams=cfg.teams, ambiguous=ambiguous_rows(result.ambiguous, result.records))
    found = [f for f in evaluate(load_rules(cfg), ctx) if f.rule == "ambiguous-link"]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "low"
    assert f.records == {"QBO Invoice List.xlsx": ["5001"]}
    assert "J-101 or J-102" in f.message or "J-102 or J-101" in f.message
    assert "Chris Lee" in f.message and "[[links]]" in f.message
    # and the invoice was not quietly given to either job
    inv = result.records[result.records["record_id"] == "5001"].iloc[0]
    assert inv["job"] not in ("J-101", "J-102")
