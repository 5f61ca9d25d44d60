"""CRM deal readers: HubSpot (labels and internal values) and Pipedrive (Deal - ... headers)."""

from __future__ import annotations

from datetime import datetime

from connectors import read_file


def test_hubspot_deals_export(read_export, records) -> None:
    result = read_export("hubspot-crm-exports-all-deals-2026-11-20.csv")
    got = records(result)
    assert list(got) == ["15243627811", "15243627812", "15243627813", "15243627814"]
    won = got["15243627811"]
    assert (won["system"], won["role"], won["record_type"], won["row"]) == ("hubspot", "crm", "deal", 2)
    assert (won["title"], won["raw_status"], won["amount"]) == ("Smith – Kitchen remodel", "Closed Won", 18500.0)
    # "Jane Smith (jane.smith@example.com)" split into name and email.
    assert (won["customer"], won["email"]) == ("Jane Smith", "jane.smith@example.com")
    assert (won["created"], won["closed"]) == ("2026-09-14", "2026-10-28")
    assert won["job_refs"] == "1042"  # custom property "Jobber Job #"
    assert (won["x:Pipeline"], won["x:Lead Type"], won["x:Deal owner"]) == ("Sales Pipeline", "Referral", "Dana Reyes")
    # No contact: the associated company; no company either: the deal-name prefix.
    assert (got["15243627812"]["customer"], got["15243627812"]["company"]) == ("Okafor Builders LLC", "Okafor Builders LLC")
    assert got["15243627813"]["customer"] == "Lindqvist"  # "Lindqvist: Deck rebuild"
    assert (got["15243627813"]["amount"], got["15243627813"]["job_refs"]) == (None, "1050")  # "Job 1050"
    last = got["15243627814"]
    assert (last["customer"], last["email"], last["job_refs"]) == (None, "bob@example.net", "1060,1061")


def test_hubspot_skipped_rows(read_export) -> None:
    result = read_export("hubspot-crm-exports-all-deals-2026-11-20.csv")
    assert sorted((w.message, w.row, w.column) for w in result.warnings) == [
        ("exact duplicate rows skipped", 5, None),
        ("fully blank rows skipped", 6, None),
        ("rows without a Record ID skipped", 7, "Record ID"),
    ]
    assert (result.info.records, result.info.skipped, result.info.newest) == (4, 3, "2026-11-19")


def test_hubspot_internal_values_export(read_export, records) -> None:
    got = records(read_export("hubspot-crm-exports-deals-internal-values-2026-11-20.csv"))
    assert {k: v["raw_status"] for k, v in got.items()} == {
        "9876543210": "closedwon",
        "9876543211": "presentationscheduled",
        "9876543212": "closedlost",
    }
    fence = got["9876543210"]
    assert (fence["customer"], fence["job_refs"], fence["closed"], fence["updated"]) == ("Nguyen", "1071", "2026-10-02", "2026-10-03")
    assert fence["x:pipeline"] == "default"


def test_hubspot_xlsx_export(make_xlsx, records) -> None:
    path = make_xlsx(
        "hubspot-crm-exports-all-deals-2026-11-20.xlsx",
        [
            ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Create Date", "Amount", "Pipeline", "Job Number"],
            [15243627811, "Ng – Fence", "Closed Won", datetime(2026, 10, 2), datetime(2026, 9, 1, 8, 15), 3200, "Sales Pipeline", 1071],
        ],
    )
    got = records(read_file(path))
    deal = got["15243627811"]
    assert (deal["closed"], deal["created"], deal["amount"], deal["job_refs"], deal["customer"]) == ("2026-10-02", "2026-09-01", 3200.0, "1071", "Ng")


def test_pipedrive_deals_export(read_export, records) -> None:
    result = read_export("pipedrive-deals-en-gb.csv")
    got = records(result)
    assert list(got) == ["101", "102", "103"]
    won = got["101"]
    assert (won["system"], won["role"], won["record_type"]) == ("pipedrive", "crm", "deal")
    assert (won["raw_status"], won["amount"], won["currency"]) == ("Won", 12500.0, "GBP")
    assert (won["customer"], won["company"], won["email"], won["phone"]) == ("Tom Harper", "Harper & Sons Ltd", "tom@harper.example", "+44 20 7946 0001")
    # en-GB dates, inferred day-first; the close date is the won time.
    assert (won["created"], won["closed"]) == ("2026-09-29", "2026-10-14")
    assert won["job_refs"] == "1088"  # "Deal - Jobber Job #" = "#1088"
    assert won["x:Deal - Stage"] == "Contract signed"
    assert (got["102"]["raw_status"], got["102"]["amount"], got["102"]["closed"]) == ("Open", 4250.5, None)
    lost = got["103"]
    assert (lost["raw_status"], lost["closed"], lost["customer"]) == ("Lost", "2026-10-21", "Ward")  # lost time; title prefix
    assert result.meta["dayfirst"] is True


def test_pipedrive_spelling_variants_and_serial_dates(make_xlsx, records) -> None:
    # Another account's spelling ("Creation date", "Pipedrive System ID") and Excel serial dates.
    path = make_xlsx(
        "deals.xlsx",
        [
            ["Deal - Pipedrive System ID", "Deal - Title", "Deal - Deal value", "Deal - Status", "Deal - Creation date", "Deal - Won time", "Deal - Organization"],
            [7, "Loft", 12500, "Won", 45931, 45944.5, "Harper & Sons"],
        ],
    )
    got = records(read_file(path))
    assert (got["7"]["created"], got["7"]["closed"], got["7"]["customer"], got["7"]["amount"]) == ("2025-10-01", "2025-10-14", "Harper & Sons", 12500.0)
