"""Acknowledging a known finding: hidden, counted, and back when its date passes or its evidence changes."""

from __future__ import annotations

from datetime import date

import pytest

from driftcheck.errors import HistoryError, UsageError
from driftcheck.history import ack, history_rows, list_acks, record_scan, unack
from tests.history.factories import WEEKS, finding, finding_id, frame, record, scan

W1, W2, W3 = WEEKS
PAID_CRM_OPEN = finding_id("paid-crm-open", "J-1003")
SCHEDULE_PASSED = finding_id("schedule-passed-not-complete", "J-1004")
OVERDUE = finding_id("invoice-overdue", "J-1002")


def jobs(out: dict) -> set[str]:
    return {f["job"] for f in out["findings"]}


def test_an_acknowledged_finding_is_hidden_and_counted_as_acknowledged(db, week):
    record_scan(db, *week(1))
    ack(db, PAID_CRM_OPEN, "CRM clean-up booked with Sam")
    out = record_scan(db, *week(2))

    assert "J-1003" not in jobs(out)
    assert out["acknowledged"] == [
        {"id": PAID_CRM_OPEN, "rule": "paid-crm-open", "job": "J-1003", "customer": "Cy Diaz",
         "severity": "medium", "reason": "CRM clean-up booked with Sam", "until": None},
    ]
    summary = out["summary"]
    assert (summary["findings"], summary["acknowledged"]) == (4, 1)
    assert summary["by_severity"] == {"high": 1, "medium": 2, "low": 1}
    assert summary["amount_at_stake"] == sum(f["amount"] for f in out["findings"])
    # The history's own counts keep the acknowledged finding, so the trend does not dip.
    assert (history_rows(db)[-1]["findings"], history_rows(db)[-1]["acknowledged"]) == (5, 1)


def test_show_acknowledged_keeps_them_in_the_list_marked(db, week):
    record_scan(db, *week(1))
    ack(db, PAID_CRM_OPEN, "CRM clean-up booked", date(2026, 3, 31))
    out = record_scan(db, *week(2), show_acknowledged=True)

    shown = {f["job"]: f for f in out["findings"]}
    assert shown["J-1003"]["acknowledgement"]["reason"] == "CRM clean-up booked"
    assert shown["J-1003"]["acknowledgement"]["until"] == "2026-03-31"
    assert "lapsed" not in shown["J-1003"]["acknowledgement"]
    assert (out["summary"]["findings"], out["summary"]["acknowledged"]) == (5, 1)


def test_an_acknowledgement_ends_when_its_until_date_passes(db, week):
    record_scan(db, *week(1))
    ack(db, PAID_CRM_OPEN, "customer disputes the deal stage", date.fromisoformat(W2))

    assert "J-1003" not in jobs(record_scan(db, *week(2)))  # until is the last audit date it holds for
    out = record_scan(db, *week(3))

    back = {f["job"]: f for f in out["findings"]}["J-1003"]
    assert back["acknowledgement"]["lapsed"] == f"until {W2} passed"
    assert (back["status"], back["first_seen"]) == ("open", W1)
    assert out["summary"]["acknowledged"] == 0
    assert list_acks(db) == []
    assert [(a["id"], a["ended_why"]) for a in list_acks(db, include_ended=True)] == [(PAID_CRM_OPEN, f"until {W2} passed")]


def test_an_acknowledgement_lapses_when_the_evidence_changes(db, week):
    record_scan(db, *week(1))
    ack(db, SCHEDULE_PASSED, "crew booked, waiting on parts")
    out = record_scan(db, *week(2))  # job 1004 was rescheduled: the evidence changed

    lapsed = {f["job"]: f for f in out["findings"]}["J-1004"]
    assert lapsed["acknowledgement"]["lapsed"] == "evidence changed"
    assert lapsed["acknowledgement"]["reason"] == "crew booked, waiting on parts"
    out = record_scan(db, *week(3))  # the lapse is final: no acknowledgement now
    assert "acknowledgement" not in {f["job"]: f for f in out["findings"]}["J-1004"]


@pytest.mark.parametrize(
    ("change", "hidden"),
    [
        ({"message": "overdue by 12 days", "age_days": 12, "since": "2026-03-08"}, True),
        ({"amount": 600.0}, False),
        ({"evidence": [{"source": "quickbooks", "record": "INV-1002", "field": "balance", "value": 600.0}]}, False),
    ],
    ids=["wording-and-age", "amount", "evidence-value"],
)
def test_only_a_different_amount_or_evidence_ends_an_acknowledgement(db, week, change, hidden):
    record_scan(db, *week(1))
    ack(db, OVERDUE, "payment plan agreed")
    s, records = week(2)
    next(f for f in s["findings"] if f["id"] == OVERDUE).update(change)
    out = record_scan(db, s, records)

    assert ("J-1002" not in jobs(out)) is hidden


def test_acknowledgements_follow_the_finding_id_not_its_position(db, week):
    record_scan(db, *week(1))
    ack(db, OVERDUE, "payment plan agreed")
    s, records = week(1)
    s["findings"].reverse()
    out = record_scan(db, s, records)

    assert [a["id"] for a in out["acknowledged"]] == [OVERDUE]
    assert "J-1002" not in jobs(out) and len(out["findings"]) == 4


def test_unack_shows_the_finding_again(db, week):
    record_scan(db, *week(1))
    ack(db, OVERDUE, "payment plan agreed")

    assert unack(db, OVERDUE) is True
    assert unack(db, OVERDUE) is False
    assert "J-1002" in jobs(record_scan(db, *week(2)))
    assert list_acks(db, include_ended=True)[0]["ended_why"] == "unacknowledged"


def test_acking_again_replaces_the_reason_and_date(db, week):
    record_scan(db, *week(1))
    ack(db, OVERDUE, "first reason")
    ack(db, OVERDUE, "second reason", date(2026, 4, 30))

    assert [(a["reason"], a["until"]) for a in list_acks(db)] == [("second reason", "2026-04-30")]
    assert [a["ended_why"] for a in list_acks(db, include_ended=True)] == [None, "replaced"]


def test_list_acks_says_whether_the_finding_is_still_open(db, week):
    record_scan(db, *week(1))
    ack(db, finding_id("complete-not-invoiced", "J-1001"), "invoice drafted")
    ack(db, OVERDUE, "payment plan agreed")
    record_scan(db, *week(2))

    assert {(a["job"], a["finding"]) for a in list_acks(db)} == {("J-1001", "resolved"), ("J-1002", "open")}


def test_a_unique_prefix_of_the_id_is_enough(db, week):
    record_scan(db, *week(1))
    done = ack(db, OVERDUE[:6], "payment plan agreed")

    assert done["id"] == OVERDUE


def test_an_ambiguous_prefix_lists_the_matches(db):
    findings = [finding("invoice-overdue", "J-1"), finding("invoice-overdue", "J-2")]
    findings[0]["id"], findings[1]["id"] = "abcd1111", "abcd2222"
    rows = frame([record("quickbooks", "INV-1", "J-1")])
    record_scan(db, scan(W1, findings, rows), rows)

    with pytest.raises(UsageError, match=r"'abcd' is ambiguous: it starts abcd1111 \(invoice-overdue, J-1\), abcd2222"):
        ack(db, "abcd", "x")


@pytest.mark.parametrize(
    ("finding_text", "reason", "until", "message"),
    [
        ("ffffffffffff", "known", None, "No finding 'ffffffffffff' in the scan history"),
        (OVERDUE, "  ", None, "Give a reason"),
        (OVERDUE, "known", date(2026, 3, 8), f"--until 2026-03-08 has already passed: the last scan audited {W1}"),
    ],
    ids=["unknown-id", "blank-reason", "until-passed"],
)
def test_a_bad_ack_is_refused_with_a_clear_message(db, week, finding_text, reason, until, message):
    record_scan(db, *week(1))

    with pytest.raises(UsageError, match=message):
        ack(db, finding_text, reason, until)
    assert list_acks(db, include_ended=True) == []


def test_ack_without_a_history_says_to_scan_first(db):
    with pytest.raises(HistoryError, match="No scan history at .* run `driftcheck scan` first"):
        ack(db, OVERDUE, "known")
    assert not db.exists()
