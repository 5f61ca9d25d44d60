"""Format detection: which export a file is, why, and what an unknown file is closest to."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from connectors import ReadOptions, detect_file, read_file
from driftcheck.errors import MissingColumnError, UnknownFormatError


@pytest.mark.parametrize(
    ("name", "format_id", "header_row", "matched"),
    [
        ("hubspot-crm-exports-all-deals-2026-11-20.csv", "hubspot.deals", 0, "'Record ID', 'Deal Name', 'Deal Stage', 'Pipeline', 'Deal owner'"),
        ("hubspot-crm-exports-deals-internal-values-2026-11-20.csv", "hubspot.deals", 0, "'hs_object_id', 'dealname', 'dealstage'"),
        ("pipedrive-deals-en-gb.csv", "pipedrive.deals", 0, "'Deal - ID', 'Deal - Title', 'Deal - Value'"),
        ("QBO Invoice List by Date.csv", "quickbooks.invoice_list", 4, "report title 'Invoice List by Date'"),
        ("QBO Transaction List by Customer.csv", "quickbooks.transaction_list", 4, "report title 'Transaction List by Customer'"),
        ("QBO AR Aging Detail.csv", "quickbooks.ar_aging_detail", 4, "report title 'A/R Aging Detail Report'"),
        ("SalesInvoices.csv", "xero.sales_invoices", 0, "'InvoiceNumber', 'Total', 'InvoiceAmountPaid', 'InvoiceAmountDue'"),
        ("Invoices.csv", "jobber.invoices", 0, "'Invoice #', 'Issued date', 'Due date', 'Job #s', 'Status'"),
        ("Invoices-cp1252.csv", "jobber.invoices", 0, "'Invoice #', 'Issued date'"),
        ("Jobs.csv", "jobber.jobs", 0, "'Job #', 'Client name', 'Lead source', 'Closed date', 'Invoice #s'"),
        ("Jobs Report.csv", "jobber.jobs_report", 0, "'Job #', 'Client name', 'Job status', 'Job type'"),
        ("Transactions.csv", "jobber.transactions", 5, "'Date', 'Type', 'Total $', 'Note', 'Cheque #'"),
        ("Jobber Payments.csv", "jobber.payments", 0, "'Paid with', 'Paid through', 'Fee $'"),
    ],
)
def test_each_export_is_recognised_with_its_reason(exports: Path, name: str, format_id: str, header_row: int, matched: str) -> None:
    detection = detect_file(exports / name)
    assert detection.format == format_id
    assert detection.header_row == header_row
    assert detection.reason.startswith("matched ")
    assert matched in detection.reason
    assert detection.role == {"hubspot": "crm", "pipedrive": "crm", "quickbooks": "accounting", "xero": "accounting", "jobber": "operations"}[detection.system]


def test_detection_reads_as_a_sentence(exports: Path) -> None:
    detection = detect_file(exports / "hubspot-crm-exports-all-deals-2026-11-20.csv")
    assert str(detection) == "HubSpot deals export (matched 'Record ID', 'Deal Name', 'Deal Stage', 'Pipeline', 'Deal owner')"
    qbo = detect_file(exports / "QBO Invoice List by Date.csv")
    assert qbo.description == "QuickBooks Online Invoice List report (Invoice List by Date)"
    assert qbo.columns["balance"] == "Open balance"


def test_unknown_file_names_the_closest_formats(exports: Path) -> None:
    path = exports / "Quotes Report.csv"
    with pytest.raises(UnknownFormatError) as info:
        detect_file(path)
    err = info.value
    assert err.file == str(path)
    assert err.found.startswith("header Quote #, Client name, Client email, Title, Status")
    assert "HubSpot, Pipedrive, QuickBooks Online, Xero or Jobber" in err.expected
    text = str(err)
    assert text.startswith(f"{path}: not a known export format. Closest: ")
    # The closest formats, each with the headers it would need.
    assert "Jobber jobs report (jobber.jobs_report) would need 'Job #'" in text
    assert "Jobber invoices export (jobber.invoices) would need 'Invoice #'" in text
    assert text.count("would need") == 3
    assert 'system = "csv"' in text


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        # Nothing alike: still the three closest formats, each with what it would need.
        ("budget.csv", "Category,Planned,Actual\nLumber,100,120\n", "would need"),
        # A Xero import template marks required columns with "*": not an export.
        (
            "template.csv",
            "*ContactName,EmailAddress,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,Total,*Description,*Quantity,*UnitAmount\n",
            "looks like an import template",
        ),
        # "Record ID" is in every HubSpot export; a contacts view lacks the deal properties.
        (
            "hubspot-crm-exports-all-contacts-2026-11-20.csv",
            '"Record ID","First Name","Last Name","Close Date","Create Date","Email","Contact owner"\n"1","Jane","Doe","","2026-01-02","j@x.com","Dana"\n',
            "HubSpot deals export (hubspot.deals) would need 'Deal Name'",
        ),
    ],
)
def test_near_misses_are_unknown_formats(make_csv, name: str, text: str, said: str) -> None:
    with pytest.raises(UnknownFormatError) as info:
        detect_file(make_csv(name, text))
    assert said in str(info.value)
    assert str(info.value).count("would need") == 3


def test_headers_match_case_insensitively_and_loosely(make_csv) -> None:
    # Title case, extra spaces and "Total $" for "Total ($)" still make a Jobber invoices export.
    path = make_csv(
        "invoices.csv",
        "INVOICE #,Client Name,Issued Date,Due  Date,Job #s,Status,Total $,Balance $\n7,Ann,\"Jan 2, 2026\",\"Feb 1, 2026\",5,Paid,10.00,0\n",
    )
    assert detect_file(path).format == "jobber.invoices"
    result = read_file(path)
    assert result.frame["amount"].tolist() == [10.0]


def test_semicolon_delimited_export(make_csv) -> None:
    # Excel in European locales saves CSV with ";" between fields.
    path = make_csv(
        "deals.csv",
        "Deal - ID;Deal - Title;Deal - Value;Deal - Status;Deal - Deal created\n5;Roof;1.234,50;Won;29.09.2026\n",
    )
    result = read_file(path, ReadOptions(decimal=","))
    assert result.detection.format == "pipedrive.deals"
    assert result.frame["amount"].tolist() == [1234.5]
    assert result.frame["created"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-29"]


def test_xlsx_exports_are_detected_like_csv(make_xlsx) -> None:
    hubspot = make_xlsx(
        "hubspot-crm-exports-all-deals-2026-11-20.xlsx",
        [["Record ID", "Deal Name", "Deal Stage", "Close Date", "Amount", "Pipeline"], [1, "Ng – Fence", "Closed Won", datetime(2026, 10, 2), 3200, "Sales Pipeline"]],
    )
    assert detect_file(hubspot).format == "hubspot.deals"
    qbo = make_xlsx(
        "aging.xlsx",
        [
            ["Harbor Renovations LLC"],
            ["A/R Aging Detail"],
            ["As of November 20, 2026"],
            [],
            [None, "Date", "Transaction type", "Num", "Customer full name", "Due date", "Amount", "Open balance"],
        ],
    )
    detection = detect_file(qbo)
    assert (detection.format, detection.header_row) == ("quickbooks.ar_aging_detail", 4)


def test_forced_format_still_requires_its_columns(exports: Path) -> None:
    # The full jobs export has no "Job status": read as the jobs report, that is a missing column.
    with pytest.raises(MissingColumnError) as info:
        read_file(exports / "Jobs.csv", ReadOptions(format="jobber.jobs_report"))
    assert info.value.column == "Job status"
    assert info.value.row == 1


def test_forced_system_picks_among_its_formats(exports: Path) -> None:
    result = read_file(exports / "Jobs Report.csv", ReadOptions(system="jobber"))
    assert result.detection.format == "jobber.jobs_report"
    with pytest.raises(UnknownFormatError):
        read_file(exports / "Jobs Report.csv", ReadOptions(system="hubspot"))
