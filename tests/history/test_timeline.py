"""timeline: a job's audit trail across systems and scans, found by job key, record id or customer."""

from __future__ import annotations

import json

import pytest

from driftcheck.errors import UsageError
from driftcheck.history import ack, record_scan, timeline
from tests.history.factories import WEEKS, business_week, finding_id, frame, record, scan

W1, W2, W3 = WEEKS


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory):
    """The business scanned three weeks running; job 1004's finding acknowledged after week 1.

    Built once for the module: the tests here only read it.
    """
    db = tmp_path_factory.mktemp("timeline") / "history.sqlite"
    record_scan(db, *business_week(1))
    ack(db, finding_id("schedule-passed-not-complete", "J-1004"), "crew booked, waiting on parts")
    record_scan(db, *business_week(2))
    record_scan(db, *business_week(3))
    return db


def trail(t) -> list[tuple]:
    return [(e.seen, e.kind, e.system, e.record_id or e.rule, e.modified) for e in t.events]


def test_a_job_timeline_dates_each_change_by_scan_and_by_the_record_own_date(three_weeks):
    t = timeline(three_weeks, "J-1001")

    assert (t.job, t.customer) == ("J-1001", "Ann Lee")
    assert trail(t) == [
        (W1, "record", "hubspot", "D-1001", None),
        (W1, "record", "jobber", "1001", "2026-03-03"),
        (W1, "finding", None, "complete-not-invoiced", None),
        (W2, "record", "quickbooks", "INV-1001", None),
        (W2, "finding", None, "complete-not-invoiced", None),
    ]
    whats = [e.what for e in t.events]
    assert whats[1] == "jobber job 1001 first seen: state completed (Completed), amount 4,200.00, created 2026-02-02, completed 2026-03-03"
    assert whats[2] == "finding opened: complete-not-invoiced (high, 4,200.00): complete-not-invoiced on job J-1001"
    assert whats[4] == "finding resolved: complete-not-invoiced"
    assert [(r["system"], r["record_id"]) for r in t.records] == [("hubspot", "D-1001"), ("jobber", "1001"), ("quickbooks", "INV-1001")]


def test_a_change_names_the_fields_and_the_acknowledgement_story_follows(three_weeks):
    t = timeline(three_weeks, "J-1004")

    assert [(e.seen if e.kind != "ack" or "lapsed" in e.what else "today", e.kind, e.what) for e in t.events][2:] == [
        (W1, "finding", "finding opened: schedule-passed-not-complete (medium, 2,500.00): schedule-passed-not-complete on job J-1004"),
        ("today", "ack", "acknowledged schedule-passed-not-complete: crew booked, waiting on parts"),
        (W2, "record", "jobber job 1004: scheduled 2026-03-02 → 2026-03-12"),
        (W2, "finding", "finding schedule-passed-not-complete changed: evidence changed"),
        (W2, "ack", "acknowledgement of schedule-passed-not-complete lapsed: evidence changed"),
    ]
    change = t.events[4]
    assert change.modified == "2026-03-11"
    assert change.changes == [
        {"field": "updated", "from": "2026-02-10", "to": "2026-03-11"},
        {"field": "scheduled", "from": "2026-03-02", "to": "2026-03-12"},
    ]


def test_a_state_change_says_from_what_to_what_in_which_tool(db):
    before = [record("jobber", "77", "J-77", customer="Ivy Jones", raw_status="Upcoming", state="scheduled", amount=500.0)]
    after = [{**before[0], "raw_status": "Completed", "state": "completed", "completed": "2026-03-14", "updated": "2026-03-14"}]
    for as_of, rows in ((W1, before), (W2, after)):
        record_scan(db, scan(as_of, [], frame(rows)), frame(rows))

    event = timeline(db, "J-77").events[-1]
    assert (event.seen, event.modified, event.system) == (W2, "2026-03-14", "jobber")
    assert event.what == "jobber job 77: state scheduled → completed (Upcoming → Completed); completed 2026-03-14"


@pytest.mark.parametrize(
    ("query", "job"),
    [("J-1005", "J-1005"), ("j-1005", "J-1005"), ("INV-1005", "J-1005"), ("inv-1005", "J-1005"), ("1005", "J-1005"),
     ("Ed Fox", "J-1005"), ("fox", "J-1005"), ("GILL", "J-1006")],
    ids=["job", "job-lowercase", "invoice", "invoice-lowercase", "jobber-number", "customer", "partial", "upper"],
)
def test_a_job_is_found_by_its_key_a_record_number_or_its_customer(three_weeks, query, job):
    assert timeline(three_weeks, query).job == job


def test_an_ambiguous_query_lists_the_candidate_jobs(three_weeks):
    t = timeline(three_weeks, "an")  # Ann Lee, Di Egan

    assert t.ambiguous and t.events == []
    assert t.candidates == [
        {"job": "J-1001", "customer": "Ann Lee", "records": 3, "findings": 1, "last_change": W2},
        {"job": "J-1004", "customer": "Di Egan", "records": 2, "findings": 1, "last_change": W2},
    ]


def test_a_record_gone_from_its_export_and_back_is_in_the_trail(db):
    deal = record("hubspot", "D-5", "J-5", customer="Kit Long", raw_status="Closed Won", state="won")
    other = record("hubspot", "D-6", "J-6", customer="Lu May", state="won")
    for as_of, rows in ((W1, [deal, other]), (W2, [other]), (W3, [deal, other])):
        record_scan(db, scan(as_of, [], frame(rows)), frame(rows))

    assert [e.what for e in timeline(db, "D-5").events] == [
        "hubspot deal D-5 first seen: state won (Closed Won)",
        "hubspot deal D-5 no longer in the export",
        "hubspot deal D-5 back in the export: state won (Closed Won)",
    ]


def test_a_record_linked_to_no_job_has_a_timeline_of_its_own(db):
    rows = [record("quickbooks", "INV-404", None, customer="Mo North", state="invoiced", amount=75.0)]
    record_scan(db, scan(W1, [], frame(rows)), frame(rows))

    t = timeline(db, "INV-404")
    assert (t.job, t.customer, len(t.events)) == (None, "Mo North", 1)


def test_nothing_matching_is_a_clear_error(three_weeks):
    with pytest.raises(UsageError, match="Nothing in the scan history matches 'Zed'"):
        timeline(three_weeks, "Zed")


def test_a_timeline_is_json_ready(three_weeks):
    data = json.loads(json.dumps(timeline(three_weeks, "J-1002").as_dict()))

    assert data["schema"] == "driftcheck.timeline/1"
    assert data["job"] == "J-1002"
    assert {e["kind"] for e in data["events"]} == {"record", "finding"}


def test_the_customer_is_named_as_the_latest_changed_record_names_them(db, week):
    record_scan(db, *week(1))
    s, records = week(2)
    renamed = records["record_id"] == "INV-1005"
    records.loc[renamed, "customer"] = "Edward Fox"
    records.loc[renamed, "balance"] = 0.0
    record_scan(db, s, records)

    assert timeline(db, "J-1005").customer == "Edward Fox"
    assert timeline(db, "edward").job == "J-1005"
