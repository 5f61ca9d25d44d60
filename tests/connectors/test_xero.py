"""Xero SalesInvoices.csv: line rows grouped into invoices, credit notes, overpayments."""

from __future__ import annotations

from connectors import read_file


def test_lines_are_grouped_into_invoices(read_export, records) -> None:
    result = read_export("SalesInvoices.csv")
    got = records(result)
    assert list(got) == ["INV-0042", "INV-0043", "CN-0007", "INV-0044"]
    inv = got["INV-0042"]
    assert (inv["system"], inv["role"], inv["record_type"]) == ("xero", "accounting", "invoice")
    assert inv["row"] == 2  # the first line of the invoice
    assert (inv["customer"], inv["email"]) == ("Aroha Ngata", "aroha@example.co.nz")
    assert inv["address"] == "4 Kauri Lane, Wellington"  # street address first
    assert (inv["amount"], inv["balance"], inv["currency"]) == (1580.94, 1580.94, "NZD")
    assert (inv["raw_status"], inv["sent"]) == ("Awaiting Payment", True)
    assert (inv["created"], inv["due"]) == ("2026-06-11", "2026-07-20")  # 11/06/2026 day-first
    assert inv["title"] == "Job 1042"  # the Reference
    # Job numbers from the Reference and from every line's description.
    assert inv["job_refs"] == "1042,1043"
    assert result.meta["lines"] == 6


def test_paid_unsent_invoice_and_postal_address(read_export, records) -> None:
    got = records(read_export("SalesInvoices.csv"))
    inv = got["INV-0043"]
    assert (inv["raw_status"], inv["sent"], inv["amount"], inv["balance"]) == ("Paid", False, 1495.0, 0.0)
    assert inv["address"] == "22 Rimu Rd, Auckland"  # no street address: the postal one
    assert inv["job_refs"] == "1050"
    assert (got["INV-0044"]["raw_status"], got["INV-0044"]["sent"]) == ("Draft", False)


def test_credit_note_is_a_negative_invoice(read_export, records) -> None:
    note = records(read_export("SalesInvoices.csv"))["CN-0007"]
    assert (note["record_type"], note["amount"], note["balance"]) == ("invoice", -115.0, -115.0)
    assert note["x:Type"] == "Sales credit note"
    assert note["job_refs"] == "1042"


def test_overpayment_rows_are_skipped_with_a_warning(read_export) -> None:
    result = read_export("SalesInvoices.csv")
    assert [(w.message, w.row, w.count) for w in result.warnings] == [
        ("rows without an InvoiceNumber (overpayments and prepayments) skipped", 6, 1)
    ]
    assert result.info.skipped == 1


def test_dates_are_day_first_by_evidence_or_default(read_export, make_csv) -> None:
    assert read_export("SalesInvoices.csv").meta["date_order"] == "day-first (inferred from '15/07/2026' in column 'InvoiceDate', row 5)"
    ambiguous = make_csv(
        "SalesInvoices.csv",
        "ContactName,InvoiceNumber,InvoiceDate,DueDate,Total,InvoiceAmountPaid,InvoiceAmountDue,Description,LineAmount,Type,Sent,Status\n"
        "Ann,INV-1,01/02/2026,03/04/2026,10.0000,0.0000,10.0000,Visit,10.0000,Sales invoice,Sent,Awaiting Payment\n",
    )
    result = read_file(ambiguous)
    assert result.frame["created"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-01"]
    assert result.meta["date_order"].startswith("day-first (Xero default")


def test_bills_are_not_job_records(make_csv) -> None:
    path = make_csv(
        "Bills.csv",
        "ContactName,InvoiceNumber,InvoiceDate,DueDate,Total,InvoiceAmountPaid,InvoiceAmountDue,Description,LineAmount,Type,Sent,Status\n"
        "Timber Co,B-1,01/02/2026,03/04/2026,500.0000,0.0000,500.0000,Lumber,500.0000,Bill,,Awaiting Payment\n"
        "Ann,INV-1,01/02/2026,03/04/2026,10.0000,0.0000,10.0000,Visit,10.0000,Sales invoice,Sent,Awaiting Payment\n",
    )
    result = read_file(path)
    assert result.frame["record_id"].tolist() == ["INV-1"]
    assert result.meta["not_records"] == {"Bill": 1}
    assert result.warnings == []
