"""Jobber readers: invoices, jobs (full and report), transaction list, card payments."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors import ReadOptions, read_file


def test_invoices_export(read_export, records) -> None:
    result = read_export("Invoices.csv")
    got = records(result)
    assert list(got) == ["2001", "2002", "2003", "2004", "2005"]
    paid = got["2001"]
    assert paid["record_type"] == "invoice"
    assert (paid["system"], paid["role"], paid["source"]) == ("jobber", "operations", "Invoices.csv")
    assert paid["row"] == 2
    assert paid["customer"] == "Jane Smith"
    assert paid["email"] == "jane.smith@example.com"
    assert paid["phone"] == "604-555-0101"
    assert paid["address"] == "12 Oak St, Vancouver"
    assert paid["job_refs"] == "101,102"  # "101, 102"
    assert (paid["raw_status"], paid["sent"]) == ("Paid", True)
    assert (paid["amount"], paid["balance"]) == (1721.66, 0.0)
    assert (paid["created"], paid["due"]) == ("2025-11-20", "2025-12-20")
    assert paid["state"] is None  # the status map fills it later

    # "-" for an empty city and for empty dates.
    assert got["2002"]["address"] == "9 Elm Ave"
    draft = got["2003"]
    assert (draft["raw_status"], draft["sent"]) == ("Draft", False)
    assert (draft["created"], draft["due"], draft["email"]) == (None, None, None)
    assert (draft["amount"], draft["balance"]) == (3500.0, 3500.0)  # "$3,500.00", "$3500.00"
    assert (got["2004"]["amount"], got["2004"]["balance"]) == (-12.0, None)  # "(12.00)", "-"
    assert got["2004"]["raw_status"] == "Bad Debt"
    assert (got["2005"]["amount"], got["2005"]["balance"]) == (-15224.75, -1721.66)
    assert got["2005"]["job_refs"] == "105"  # "#105"
    assert got["2005"]["row"] == 8
    assert result.meta["encoding"] == "utf-8-sig"  # Jobber writes a BOM


def test_invoices_skipped_rows_are_warned_with_their_rows(read_export) -> None:
    result = read_export("Invoices.csv")
    warnings = {w.message: (w.row, w.count) for w in result.warnings}
    assert warnings == {"fully blank rows skipped": (7, 1), "exact duplicate rows skipped": (6, 1)}
    assert result.info.skipped == 2
    assert result.info.records == 5
    assert result.info.newest == "2025-11-20"


def test_cp1252_export(read_export, records) -> None:
    result = read_export("Invoices-cp1252.csv")
    got = records(result)
    assert got["3001"]["customer"] == "Zoë Müller"
    assert got["3001"]["address"] == "5 Rue Léon, Montréal"
    assert got["3002"]["customer"] == "Café Ñandú – Ltd"
    assert got["3001"]["amount"] == 1250.0
    assert result.meta["encoding"] == "cp1252"


def test_full_jobs_export_derives_status(read_export, records) -> None:
    result = read_export("Jobs.csv")
    got = records(result)
    assert list(got) == ["101", "102", "103", "104"]
    closed = got["101"]
    assert (closed["raw_status"], closed["completed"], closed["closed"]) == ("Closed", "2025-11-18", "2025-11-18")
    assert (closed["created"], closed["scheduled"]) == ("2025-09-14", "2025-10-01")
    assert (closed["invoice_refs"], closed["quote_refs"]) == ("2001,2006", "77")
    assert closed["amount"] == 18500.0  # Total revenue ($)
    assert closed["title"] == "Kitchen remodel"
    assert closed["address"] == "12 Oak St, Vancouver"  # service address, not billing
    assert closed["x:Crew #"] == "A1"  # custom field kept
    assert closed["x:Time tracked"] == "2h 30m"
    assert (got["102"]["raw_status"], got["102"]["completed"], got["102"]["invoice_refs"]) == ("Scheduled", None, None)
    assert (got["103"]["raw_status"], got["103"]["scheduled"]) == ("Unscheduled", None)
    assert got["103"]["title"] == "Bathroom refit"  # the first of the two "103" rows
    assert got["104"]["row"] == 7
    assert "derived" in result.meta["status"]


def test_full_jobs_export_warnings(read_export) -> None:
    warnings = {w.message: (w.row, w.count, w.column) for w in read_export("Jobs.csv").warnings}
    assert warnings == {
        "fully blank rows skipped": (6, 1, None),
        "rows repeat a Job # already read with different values (the first was kept) skipped": (5, 1, "Job #"),
    }


def test_jobs_report_keeps_its_status(read_export, records) -> None:
    got = records(read_export("Jobs Report.csv"))
    assert got["201"]["raw_status"] == "Requires Invoicing"
    assert (got["201"]["scheduled"], got["201"]["completed"]) == ("2025-10-06", "2025-10-30")
    assert got["201"]["amount"] == 12500.0
    assert (got["202"]["raw_status"], got["202"]["completed"]) == ("Active", None)
    assert got["203"]["x:Job type"] == "Recurring"


def test_transaction_list(read_export, records) -> None:
    result = read_export("Transactions.csv")
    got = records(result)
    assert list(got) == ["2001", "5001", "5002", "5003", "payment:2026-02-06:Lindqvist:250.00", "5004"]
    invoice = got["2001"]
    assert (invoice["record_type"], invoice["raw_status"], invoice["amount"]) == ("invoice", "Invoice", 1721.66)
    assert (invoice["job_refs"], invoice["invoice_refs"], invoice["balance"], invoice["paid"]) == ("101,102", None, None, None)
    payment = got["5001"]
    assert (payment["record_type"], payment["raw_status"]) == ("payment", "Payment")
    assert payment["amount"] == 1721.66  # written "-1,721.66"
    assert (payment["created"], payment["paid"]) == ("2026-01-20", "2026-01-20")
    assert (payment["invoice_refs"], payment["job_refs"]) == ("2001", "101")
    assert got["5002"]["invoice_refs"] == "9001,9002"
    deposit = got["5003"]
    assert (deposit["record_type"], deposit["raw_status"], deposit["amount"], deposit["quote_refs"]) == ("deposit", "Deposit", 500.0, "77")
    # A payment applied to a quote is a deposit; it has no number, so its id is synthetic.
    on_quote = got["payment:2026-02-06:Lindqvist:250.00"]
    assert (on_quote["record_type"], on_quote["raw_status"], on_quote["quote_refs"]) == ("deposit", "Payment", "78")
    refund = got["5004"]
    assert (refund["record_type"], refund["raw_status"], refund["amount"]) == ("payment", "Refund", 50.0)
    assert result.meta["not_records"] == {"Correction": 1}
    assert result.meta["preamble"] == ["Totals", "Total Transactions 7", "Total Transaction Value -312.30"]
    assert result.meta["header_row"] == 6
    assert got["2001"]["row"] == 7 and got["5004"]["row"] == 12
    assert result.warnings == []


def test_card_payments_export(read_export, records) -> None:
    result = read_export("Jobber Payments.csv")
    got = records(result)
    assert list(got) == ["payment:2026-01-20:Jane Smith:250.00", "payment:2026-02-05:Lindqvist:60.80"]
    first = got["payment:2026-01-20:Jane Smith:250.00"]
    assert (first["record_type"], first["amount"], first["invoice_refs"]) == ("payment", 250.0, "2001")
    second = got["payment:2026-02-05:Lindqvist:60.80"]
    assert (second["record_type"], second["quote_refs"]) == ("deposit", "78")
    # The "Report totals:" footer is not a payment.
    assert result.meta["totals"] == ["Report totals: -$310.80 $0.00 $9.61"]
    assert result.info.records == 2


def test_repeated_payments_get_distinct_synthetic_ids(make_csv, records) -> None:
    path = make_csv(
        "Jobber Payments.csv",
        "Client name,Date,Time,Type,Paid with,Paid through,Total $,Tip $,Fee $,Note,Card ending #,Card type,Invoice #,Quote #,Payout #\n"
        "Ann,2026-01-20,10:00,Payment,Card,Jobber Payments,-$25.00,$0.00,$1.00,,4242,Visa,7,,P-1\n"
        "Ann,2026-01-20,15:00,Payment,Card,Jobber Payments,-$25.00,$0.00,$1.00,,4242,Visa,8,,P-1\n",
    )
    assert list(records(read_file(path))) == ["payment:2026-01-20:Ann:25.00", "payment:2026-01-20:Ann:25.00#2"]


def test_jobber_invoices_xlsx(make_xlsx, records) -> None:
    path = make_xlsx(
        "Invoices.xlsx",
        [
            ["Invoice #", "Client name", "Issued date", "Due date", "Job #s", "Status", "Total ($)", "Balance ($)"],
            [2001, "Jane Smith", datetime(2025, 11, 20), datetime(2025, 12, 20), "101, 102", "Awaiting Payment", 1721.66, 1721.66],
            [2002, "Okafor", "Oct 3, 2025", "-", 103, "Sent", 210, 0],
        ],
    )
    got = records(read_file(path))
    assert got["2001"]["created"] == "2025-11-20"
    assert (got["2001"]["amount"], got["2001"]["job_refs"]) == (1721.66, "101,102")
    assert (got["2002"]["created"], got["2002"]["due"], got["2002"]["job_refs"], got["2002"]["sent"]) == ("2025-10-03", None, "103", True)


@pytest.mark.parametrize("dayfirst", [None, False])
def test_jobber_dates_default_month_first(make_csv, dayfirst) -> None:
    path = make_csv(
        "Invoices.csv",
        "Invoice #,Client name,Issued date,Due date,Job #s,Status,Total ($),Balance ($)\n1,A,02/03/2026,03/04/2026,5,Paid,1,0\n",
    )
    result = read_file(path, ReadOptions(dayfirst=dayfirst))
    assert result.frame["created"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-03"]
    if dayfirst is None:
        assert result.meta["date_order"].startswith("month-first (Jobber default")
