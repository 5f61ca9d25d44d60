"""Status vocabularies: every value with its count and state, the unmapped ones with a suggestion and its evidence.

Counts are checked against the export files read with the csv module, not against
numbers copied from a run.
"""

from __future__ import annotations

from collections import Counter

import pytest

from driftcheck.discovery.model import Placement, VocabEntry
from driftcheck.discovery.vocabulary import late_note, name_match, suggest
from tests.discovery.conftest import INTL, MAIN, csv_rows

HUBSPOT = "hubspot-crm-exports-all-deals-2026-11-20.csv"
PIPEDRIVE = "pipedrive-deals-2026-11-13.csv"


def table(vocab):
    return {e.value: (e.count, e.state) for e in vocab.entries}


def test_main_vocabulary_lists_every_hubspot_stage_with_its_count_and_state(disc_main):
    v = disc_main.vocabulary(HUBSPOT, "deal")
    counts = Counter(r["Deal Stage"] for r in csv_rows(MAIN / HUBSPOT))
    assert {k: n for k, (n, _) in table(v).items()} == dict(counts)
    assert {k: s for k, (_, s) in table(v).items()} == {
        "Closed Won": "won", "Closed Lost": "lost", "Contract Sent": "open", "Qualified to Buy": "open",
        "Deposit Received": None,
    }
    assert v.column == "Deal Stage" and v.kind == "status"
    by_value = {e.value: e for e in v.entries}
    assert by_value["Closed Won"].mapped_by == "HubSpot's built-in map"
    assert by_value["Deposit Received"].mapped_by is None


def test_main_custom_stage_is_the_one_unmapped_value_and_is_suggested_won_with_evidence(disc_main):
    assert [(v.source, e.value) for v, e in disc_main.unmapped] == [(HUBSPOT, "Deposit Received")]
    sug = disc_main.unmapped[0][1].suggestion
    assert (sug.state, sug.confidence, sug.by_name, sug.by_timing) == ("won", "high", "won", "won")
    assert any("deposit received" in e for e in sug.evidence)  # the name
    assert any("when they took this status" in e and "deposit paid" in e for e in sug.evidence)  # the timing


def test_a_mapping_in_driftcheck_toml_is_named_as_the_layer_that_mapped_it(disc_main_cfg):
    entry = next(e for e in disc_main_cfg.vocabulary(HUBSPOT, "deal").entries if e.value == "Deposit Received")
    assert (entry.state, entry.mapped_by, entry.suggestion) == ("won", "driftcheck.toml [status_map.hubspot.deal]", None)
    assert disc_main_cfg.unmapped == []


def test_every_source_of_the_main_sample_has_a_vocabulary_per_record_type(disc_main):
    seen = {(v.source, v.record_type) for v in disc_main.vocabularies if v.kind == "status"}
    assert ("Jobs.csv", "job") in seen and ("Invoices.csv", "invoice") in seen
    assert ("Transaction List.csv", "payment") in seen and ("Transaction List.csv", "deposit") in seen
    jobs = disc_main.vocabulary("Jobs.csv", "job")
    assert jobs.column == "(derived by the reader)"  # Jobber's jobs export has no status column
    assert table(jobs)["Closed (no work)"][1] == "cancelled"


def test_intl_status_vocabulary_matches_the_file_and_flags_won_as_meaning_paid(disc_intl):
    v = disc_intl.vocabulary(PIPEDRIVE, "deal")
    counts = Counter(r["Deal - Status"] for r in csv_rows(INTL / PIPEDRIVE))
    assert table(v) == {"Open": (counts["Open"], "open"), "Won": (counts["Won"], "won"), "Lost": (counts["Lost"], "lost")}
    assert disc_intl.unmapped == []  # Pipedrive's status words are all mapped ...
    by_value = {e.value: e for e in v.entries}
    won = by_value["Won"]
    # ... but the deals were marked Won only once paid: discovery says so and names the state it fits
    assert won.note_state == "paid" and "paid in full" in won.note
    assert sum(won.placement.then.values()) == won.placement.dated == counts["Won"]
    assert won.placement.then["paid"] >= 0.9 * counts["Won"]
    # Open deals are spread over the whole lifecycle: a note, but no state to remap to
    assert by_value["Open"].note and by_value["Open"].note_state == "open"
    assert by_value["Lost"].note is None


def test_intl_custom_pipeline_stages_are_listed_with_suggestions(disc_intl):
    v = disc_intl.vocabulary(PIPEDRIVE, "deal", kind="stage")
    rows = csv_rows(INTL / PIPEDRIVE)
    assert v.column == "Deal - Stage"
    assert {e.value: e.count for e in v.entries} == dict(Counter(r["Deal - Stage"] for r in rows))
    for e in v.entries:
        assert e.by_status == dict(Counter(r["Deal - Status"] for r in rows if r["Deal - Stage"] == e.value))
        assert e.state is None  # the status map does not read the stage column
    assert {e.value: e.suggestion.state for e in v.entries} == {
        "Enquiry": "open", "Site Survey": "open", "Quote Sent": "open",
        "Deposit Paid": "won", "Booked In": "scheduled", "Job Complete": "completed",
    }
    booked = next(e for e in v.entries if e.value == "Booked In")
    assert booked.suggestion.confidence == "high" and any("scheduled but not complete" in x for x in booked.suggestion.evidence)


@pytest.mark.parametrize(
    ("value", "state"),
    [("Deposit Received", "won"), ("Install Booked", "scheduled"), ("Job Done", "completed"), ("Signed", "won"),
     ("Dead", "lost"), ("Site Survey", "open"), ("Awaiting Payment", "invoiced"), ("Closed Lost", "lost")],
)
def test_names_suggest_states(value, state):
    assert name_match(value, "deal")[0] == state
    assert suggest(value, "deal", None).state == state


def test_a_name_is_limited_to_the_states_its_record_type_can_take():
    assert name_match("Paid", "invoice")[0] == "paid"
    assert name_match("Signed", "invoice") is None  # a pipeline word is no billing state
    assert suggest("Zebra crossing", "deal", None) is None


def test_timing_beats_a_name_that_does_not_fit_where_the_records_sit():
    # "Closed" reads like a finished job, but these deals were closed before anything happened
    # and their jobs went on to deposits and work: the deal was won.
    placed = Placement(records=10, now={"deposit": 2, "scheduled": 3, "paid": 5}, then={"none": 10}, dated=10)
    sug = suggest("Closed", "deal", placed)
    assert (sug.state, sug.by_name, sug.by_timing) == ("won", "completed", "won")
    assert any("does not fit" in e for e in sug.evidence)


def test_timing_alone_suggests_a_state_for_a_name_nobody_uses():
    placed = Placement(records=9, now={"deposit": 1, "scheduled": 8})
    sug = suggest("Stage 4 (blue)", "deal", placed)
    assert (sug.state, sug.confidence, sug.by_name) == ("scheduled", "medium", None)


def test_a_mapped_value_sitting_later_than_its_state_gets_a_note():
    won = VocabEntry("Won", 10, "won", "map", placement=Placement(records=10, now={"paid": 10}, then={"paid": 9, "invoiced": 1}, dated=10))
    text, fits = late_note(won, "deal")
    assert fits == "paid" and "9 of 10" in text
    on_time = VocabEntry("Won", 10, "won", "map", placement=Placement(records=10, now={"paid": 10}, then={"none": 9, "deposit": 1}, dated=10))
    assert late_note(on_time, "deal") is None
