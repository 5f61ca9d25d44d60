"""Sources, key coverage, linking, the two-truths section and the lifecycle flow of both sample businesses.

Expected numbers are derived here from the export files (csv module) or from the scan's
own findings, so a test fails when discovery and the data disagree.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from driftcheck.discovery import discover
from tests.discovery.conftest import INTL, INTL_AS_OF, csv_rows, story

PIPEDRIVE = "pipedrive-deals-2026-11-13.csv"


def _jobber_date(text: str) -> datetime | None:
    return None if text in ("", "-") else datetime.strptime(text, "%b %d, %Y")


# --------------------------------------------------------------------------- sources


def test_sources_say_what_each_file_is_why_how_much_and_how_fresh(disc_intl):
    by_name = {s.name: s for s in disc_intl.sources}
    assert set(by_name) == {PIPEDRIVE, "SalesInvoices.csv", "Jobs.csv", "Invoices.csv", "Transaction List.csv"}
    assert {n: (s.system, s.role) for n, s in by_name.items()} == {
        PIPEDRIVE: ("pipedrive", "crm"), "SalesInvoices.csv": ("xero", "accounting"), "Jobs.csv": ("jobber", "operations"),
        "Invoices.csv": ("jobber", "operations"), "Transaction List.csv": ("jobber", "operations"),
    }
    pd_src = by_name[PIPEDRIVE]
    assert "Deal - ID" in pd_src.reason and pd_src.format == "Pipedrive deals export"
    assert pd_src.by_type == {"deal": len(csv_rows(INTL / PIPEDRIVE))}
    xero = by_name["SalesInvoices.csv"]
    assert xero.by_type == {"invoice": len({r["InvoiceNumber"] for r in csv_rows(INTL / "SalesInvoices.csv")})}
    # day-first dates were read as such: the date range sits inside the business's months
    assert xero.first >= "2026-06-01" and xero.last <= INTL_AS_OF.isoformat()
    for s in disc_intl.sources:
        assert s.age_days == (INTL_AS_OF - datetime.fromisoformat(s.newest).date()).days


def test_skipped_rows_are_reported_with_their_reason(disc_main):
    jobs = next(s for s in disc_main.sources if s.name == "Jobs.csv")
    assert jobs.skipped == 2
    assert sorted(w["message"] for w in jobs.skipped_reasons) == ["exact duplicate rows skipped", "fully blank rows skipped"]
    stale = next(s for s in disc_main.sources if "Transaction List by Date" in s.name)
    assert stale.age_days == 14  # the export the story calls stale


# --------------------------------------------------------------------------- coverage and linking


def test_key_coverage_is_the_share_of_records_carrying_each_key(disc_intl):
    rows = csv_rows(INTL / PIPEDRIVE)
    cov = next(c for c in disc_intl.coverage if c.source == PIPEDRIVE)
    assert math.isclose(cov.shares["email"], sum(1 for r in rows if r["Person - Email"]) / len(rows))
    assert math.isclose(cov.shares["phone"], sum(1 for r in rows if r["Person - Phone"]) / len(rows))
    assert math.isclose(cov.shares["job_ref"], sum(1 for r in rows if r["Deal - Jobber Job #"]) / len(rows))
    xero = next(c for c in disc_intl.coverage if c.source == "SalesInvoices.csv")
    assert xero.shares["phone"] == 0.0  # Xero's export carries no phone


def test_linking_shows_methods_rates_and_what_is_left_unlinked(disc_intl):
    lk = disc_intl.linking
    xero = next(s for s in lk.sources if s.source == "SalesInvoices.csv")
    planted_orphan = next(f for f in story(INTL)["finding"] if f["rule"] == "orphan-invoice")
    assert xero.records - xero.linked == 1 and xero.unlinked_examples[0].startswith(planted_orphan["job"][2:])
    deals = next(s for s in lk.sources if s.source == PIPEDRIVE)
    assert deals.by_method["ref:job#"] == sum(1 for r in csv_rows(INTL / PIPEDRIVE) if r["Deal - Jobber Job #"])
    pairs = {(p["a"], p["b"]): p for p in lk.pairs}
    assert pairs[("jobber", "pipedrive")]["methods"]["ref:job#"] == deals.by_method["ref:job#"]
    assert sum(lk.combinations.values()) == lk.jobs == disc_intl.jobs


# --------------------------------------------------------------------------- two truths


def _billing_conflicts(d):
    return [f for f in d.scan["findings"] if f["rule"] == "status-conflict"]


def test_main_two_truths_billing_is_claimed_by_jobber_and_quickbooks(disc_main):
    billing = disc_main.truth("billing")
    assert billing.two_truths and billing.owner_role == "accounting" and billing.owner_systems == ["quickbooks"]
    jobber = next(c for c in billing.claims if c.system == "jobber")
    assert not jobber.owner and jobber.compared == jobber.records == 132
    assert jobber.agree + jobber.ahead + jobber.behind + jobber.other == jobber.compared
    # the claims ahead of the owner are exactly what the status-conflict rule reports
    assert jobber.ahead == billing.conflicts == len(_billing_conflicts(disc_main)) == 1
    assert not disc_main.truth("pipeline").two_truths and not disc_main.truth("execution").two_truths


def test_intl_two_truths_and_the_walkthrough_mapping_adds_pipedrive_as_a_third(disc_intl, intl_copy, tmp_path):
    billing = disc_intl.truth("billing")
    assert billing.owner_systems == ["xero"]
    jobber = next(c for c in billing.claims if c.system == "jobber")
    assert jobber.ahead == billing.conflicts == 1  # the cash Dylan took on site
    assert jobber.behind >= 1  # bank transfers reach Jobber after Xero
    assert {c.system for c in billing.claims} == {"xero", "jobber"}
    cfg = tmp_path / "walkthrough.toml"
    cfg.write_text('[status_map.pipedrive.deal]\n"Won" = "paid"\n', encoding="utf-8")
    edited = discover([intl_copy], cfg, as_of=INTL_AS_OF).truth("billing")
    pipedrive = next(c for c in edited.claims if c.system == "pipedrive")
    won = sum(1 for r in csv_rows(INTL / PIPEDRIVE) if r["Deal - Status"] == "Won")
    assert (pipedrive.records, pipedrive.compared, pipedrive.ahead) == (won, won, 1)
    assert edited.conflicts == 2


# --------------------------------------------------------------------------- flow


def test_stage_timings_are_median_and_p90_of_the_jobs_own_dates(disc_intl):
    days = []
    for r in csv_rows(INTL / "Jobs.csv"):
        start, closed = _jobber_date(r["Schedule start date"]), _jobber_date(r["Closed date"])
        if start and closed:
            days.append((closed - start).days)
    h = disc_intl.handoff("scheduled", "completed")
    assert h.measured == len(days)
    assert (h.median, h.p90) == (float(np.median(days)), float(np.percentile(days, 90)))
    assert h.drift == sum(1 for f in disc_intl.scan["findings"] if f["rule"] == "schedule-passed-not-complete")


def test_intl_default_threshold_is_raised_where_it_would_flag_normal_work(disc_intl, disc_main):
    advice = {t.rule: t for t in disc_intl.thresholds}
    spnc = advice["schedule-passed-not-complete"]
    assert spnc.proposed == math.ceil(disc_intl.handoff("scheduled", "completed").p90) > 2 * spnc.default
    assert [t.rule for t in disc_intl.thresholds if t.proposed is not None] == ["schedule-passed-not-complete"]
    # every normal long job of the story is younger than the raised threshold; the stalled one is older
    for f in story(INTL)["finding"]:
        if f["rule"] == "schedule-passed-not-complete":
            age = (INTL_AS_OF - datetime.fromisoformat(f["since"]).date()).days
            assert (age <= spnc.proposed) == f.get("normal", False)
    assert advice["paid-not-scheduled"].proposed is None and "not measurable" in advice["paid-not-scheduled"].reason
    assert all(t.proposed is None for t in disc_main.thresholds)  # Harbor & Pine works inside the defaults


def test_jobs_stuck_at_a_stage_are_the_jobs_its_rule_flags(disc_main, disc_intl):
    for d in (disc_main, disc_intl):
        flagged: dict[str, set[str]] = {}
        for f in d.scan["findings"]:
            flagged.setdefault(f["rule"], set()).add(f["job"])
        for s in d.stages:
            if s.rule is not None:
                assert set(s.stuck_examples) == flagged.get(s.rule, set()), (s.stage, s.rule)
                assert s.stuck == len(s.stuck_examples)


def test_stage_counts_add_up(disc_intl):
    live = disc_intl.stages[0].reached
    assert disc_intl.stages[0].stage == "open"
    assert sum(s.sitting for s in disc_intl.stages) == live
    assert live + sum(disc_intl.exits.values()) == disc_intl.jobs
    won = next(s for s in disc_intl.stages if s.stage == "won")
    assert won.reached == sum(1 for r in csv_rows(INTL / PIPEDRIVE) if r["Deal - Status"] == "Won")
    # this business marks deals won after payment: the won -> deposit hand-off runs the other way
    h = disc_intl.handoff("won", "deposit")
    assert h.measured == 0 and h.reversed > 0
