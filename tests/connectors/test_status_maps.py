"""Built-in status maps: valid states, export labels and API enums, every status the readers write."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import load_status_map, read_file
from driftcheck.errors import ConfigError
from driftcheck.lifecycle import STATES

SYSTEMS = ("hubspot", "pipedrive", "quickbooks", "xero", "jobber")


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_mapped_state_is_a_lifecycle_state(system: str) -> None:
    maps = load_status_map(system)
    assert maps, system
    for record_type, table in maps.items():
        assert table, (system, record_type)
        assert set(table.values()) <= STATES, (system, record_type)
        assert all(raw == raw.lower().strip() for raw in table), "keys are lower-cased"


@pytest.mark.parametrize(
    ("system", "record_type", "raw", "state"),
    [
        # HubSpot default pipeline: labels (UI export) and internal ids (internal-values export, API).
        ("hubspot", "deal", "Appointment Scheduled", "open"),
        ("hubspot", "deal", "contractsent", "open"),
        ("hubspot", "deal", "Closed Won", "won"),
        ("hubspot", "deal", "closedwon", "won"),
        ("hubspot", "deal", "closedlost", "lost"),
        ("pipedrive", "deal", "Won", "won"),
        ("pipedrive", "deal", "deleted", "lost"),
        ("quickbooks", "invoice", "Partially paid", "partially_paid"),
        ("quickbooks", "invoice", "Overdue", "invoiced"),
        ("quickbooks", "invoice", "Voided", "void"),
        ("quickbooks", "payment", "Payment", "received"),
        ("xero", "invoice", "Awaiting Approval", "invoiced"),
        ("xero", "invoice", "AUTHORISED", "invoiced"),
        ("xero", "invoice", "PAID", "paid"),
        ("xero", "invoice", "DELETED", "void"),
        ("jobber", "job", "Late", "scheduled"),
        ("jobber", "job", "Action Required", "in_progress"),
        ("jobber", "job", "requires_invoicing", "completed"),
        ("jobber", "job", "Archived", "completed"),
        ("jobber", "job", "unscheduled", "unscheduled"),
        ("jobber", "invoice", "Past Due", "invoiced"),
        ("jobber", "invoice", "sent_not_due", "invoiced"),
        ("jobber", "invoice", "Bad Debt", "void"),
        ("jobber", "deposit", "Deposit", "received"),
        ("jobber", "payment", "Refund", "refunded"),
    ],
)
def test_labels_and_api_values(system: str, record_type: str, raw: str, state: str) -> None:
    assert load_status_map(system)[record_type][raw.lower()] == state


def test_jobber_api_enums_are_all_mapped() -> None:
    # JobStatusTypeEnum and InvoiceStatusTypeEnum (vendor-formats.md 7B), as the API pull emits them.
    maps = load_status_map("jobber")
    jobs = "requires_invoicing archived late today upcoming action_required on_hold unscheduled active".split()
    invoices = "draft awaiting_payment paid past_due bad_debt sent_not_due".split()
    assert [s for s in jobs if s not in maps["job"]] == []
    assert [s for s in invoices if s not in maps["invoice"]] == []


def test_each_call_gets_its_own_copy() -> None:
    load_status_map("jobber")["job"]["active"] = "cancelled"
    assert load_status_map("jobber")["job"]["active"] == "scheduled"


def test_generic_and_unknown_systems() -> None:
    assert load_status_map("csv") == {}
    with pytest.raises(ConfigError) as info:
        load_status_map("salesforce")
    assert "unknown system 'salesforce'" in str(info.value)


def test_every_status_the_readers_write_is_mapped(exports: Path) -> None:
    # Vendor statuses and the statuses readers derive (QBO, Jobber jobs) all have a state.
    unmapped = []
    for path in sorted(exports.glob("*.csv")):
        if path.name in ("Quotes Report.csv", "housecall-jobs.csv"):
            continue
        result = read_file(path)
        maps = load_status_map(result.detection.system)
        for record_type, raw in result.frame[["record_type", "raw_status"]].dropna().itertuples(index=False):
            if raw.lower() not in maps.get(record_type, {}):
                unmapped.append((path.name, record_type, raw))
    assert unmapped == []
