"""QuickBooks Online report readers: layout (title, groups, totals, footer) and derived statuses."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors import ReadOptions, read_file


def test_invoice_list_by_date(read_export, records) -> None:
    result = read_export("QBO Invoice List by Date.csv")
    got = records(result)
    assert list(got) == ["1001", "1002", "1003", "1004"]
    paid = got["1001"]
    assert (paid["system"], paid["role"], paid["record_type"], paid["row"]) == ("quickbooks", "accounting", "invoice", 6)
    assert paid["customer"] == "Smith, Jane"
    assert paid["title"] == "Kitchen remodel - Job #1042"
    assert paid["job_refs"] == "1042"
    assert (paid["amount"], paid["balance"]) == (18500.0, 0.0)
    assert (paid["created"], paid["due"]) == ("2026-01-19", "2026-02-18")
    assert paid["sent"] is None  # reports do not say
    # Status derived from amount and open balance.
    assert {k: v["raw_status"] for k, v in got.items()} == {"1001": "Paid", "1002": "Partially paid", "1003": "Open", "1004": "Voided"}
    assert (got["1002"]["amount"], got["1002"]["balance"], got["1002"]["job_refs"]) == (4600.0, 2300.0, "1043")
    assert got["1003"]["job_refs"] == "1050"  # "JOB-1050"


def test_invoice_list_layout_goes_to_meta_and_warnings(read_export) -> None:
    result = read_export("QBO Invoice List by Date.csv")
    meta = result.meta
    assert (meta["company"], meta["title"], meta["period"]) == ("Harbor Renovations, LLC", "Invoice List by Date", "January 1 - November 20, 2026")
    assert meta["exported"] == "Friday, November 20, 2026 04:19 PM GMT-06:00"
    assert meta["not_records"] == {"Credit Memo": 1}
    assert meta["date_order"] == "month-first (inferred from '1/19/2026' in column 'Date', row 6)"
    # TOTAL, the blank footer lines and the timestamp are layout, not skipped rows; the
    # invoice without a number is.
    assert [(w.message, w.row, w.count) for w in result.warnings] == [("invoice rows without a Num skipped", 11, 1)]
    assert result.info.skipped == 1
    assert result.info.newest == "2026-11-05"


def test_transaction_list_by_customer(read_export, records) -> None:
    result = read_export("QBO Transaction List by Customer.csv")
    got = records(result)
    assert list(got) == ["1001", "payment:2026-02-20:Smith, Jane:18500.00", "1002", "5521", "1005"]
    invoice = got["1001"]
    # The customer comes from the group heading above the row.
    assert (invoice["customer"], invoice["record_type"], invoice["raw_status"]) == ("Smith, Jane", "invoice", "Invoice")
    assert (invoice["amount"], invoice["balance"]) == (18500.0, None)  # no open balance in this report
    payment = got["payment:2026-02-20:Smith, Jane:18500.00"]
    assert (payment["record_type"], payment["raw_status"], payment["amount"]) == ("payment", "Payment", 18500.0)
    assert (payment["invoice_refs"], payment["created"], payment["paid"]) == ("1001", "2026-02-20", "2026-02-20")
    assert (got["5521"]["invoice_refs"], got["5521"]["customer"], got["5521"]["amount"]) == ("1002", "Okafor Builders LLC", 2300.0)
    # A customer called "Total Plumbing Inc" is a heading, not a total.
    assert got["1005"]["customer"] == "Total Plumbing Inc"
    assert result.meta["not_records"] == {"Deposit": 1, "Expense": 1}
    assert result.meta["basis"] == "Accrual Basis"
    assert [(w.message, w.row) for w in result.warnings] == [("exact duplicate rows skipped", 18)]


def test_ar_aging_detail(read_export, records) -> None:
    result = read_export("QBO AR Aging Detail.csv")
    got = records(result)
    assert list(got) == ["1003", "1002"]
    # Bucket headings ("Current", "31 - 60 days past due") are not customers.
    assert (got["1003"]["customer"], got["1003"]["raw_status"], got["1003"]["balance"]) == ("Lindqvist", "Open", 980.0)
    assert (got["1002"]["raw_status"], got["1002"]["balance"], got["1002"]["row"]) == ("Partially paid", 2300.0, 10)
    # Day-first dates (a non-US company), proven by 15/09/2026.
    assert (got["1003"]["created"], got["1003"]["due"]) == ("2026-11-02", "2026-12-02")
    assert result.meta["dayfirst"] is True
    assert result.meta["not_records"] == {"Payment": 1}
    assert result.meta["basis"] == "Cash Basis"
    assert got["1002"]["x:Past due"] == "36"


def test_qbo_xlsx_with_title_rows_and_date_cells(make_xlsx, records) -> None:
    path = make_xlsx(
        "Invoice List.xlsx",
        [
            ["Harbor Renovations LLC"],
            ["Invoice List"],
            ["All Dates"],
            [],
            [None, "Date", "Transaction type", "Num", "Name", "Memo", "Due date", "Amount", "Open balance"],
            ["Smith, Jane"],
            [None, datetime(2026, 1, 19), "Invoice", 1001, "Smith, Jane", "Job #1042", datetime(2026, 2, 18), 18500, 0],
            [None, datetime(2026, 2, 3), "Invoice", 1002, None, "Job 1043", datetime(2026, 3, 5), 4600.5, 2300.25],
            ["Total for Smith, Jane", None, None, None, None, None, None, 23100.5, 2300.25],
            ["TOTAL", None, None, None, None, None, None, 23100.5, 2300.25],
            [],
            [],
            [" Friday, November 20, 2026 04:19 PM GMT-06:00"],
        ],
    )
    result = read_file(path)
    got = records(result)
    assert list(got) == ["1001", "1002"]  # 1001 stored as a number cell
    assert (got["1002"]["customer"], got["1002"]["amount"], got["1002"]["balance"]) == ("Smith, Jane", 4600.5, 2300.25)
    assert (got["1002"]["created"], got["1002"]["raw_status"], got["1002"]["row"]) == ("2026-02-03", "Partially paid", 8)
    assert result.meta["title"] == "Invoice List"
    assert result.warnings == []


AMBIGUOUS = """Harbor Renovations LLC,,,,,
Invoice List by Date,,,,,
All Dates,,,,,

Date,Num,Customer,Due Date,Amount,Open Balance
02/03/2026,1,Ann,03/04/2026,10.00,10.00
"""


def test_ambiguous_dates_take_the_default_and_say_so(make_csv) -> None:
    result = read_file(make_csv("list.csv", AMBIGUOUS, newline="\r\n"))
    assert result.frame["created"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-03"]
    assert result.meta["date_order"].startswith("month-first (QuickBooks Online default: no date in the file tells")


def test_dayfirst_option_overrides(make_csv) -> None:
    result = read_file(make_csv("list.csv", AMBIGUOUS), ReadOptions(dayfirst=True))
    assert result.frame["created"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-02"]
    assert result.meta["date_order"] == "day-first (set in the source options)"


@pytest.mark.parametrize(
    ("amount", "balance", "status"),
    [("100.00", "0.00", "Paid"), ("100.00", "40.00", "Partially paid"), ("100.00", "100.00", "Open"), ("0.00", "0.00", "Voided")],
)
def test_derived_invoice_status(make_csv, amount: str, balance: str, status: str) -> None:
    text = f"Date,Num,Customer,Due Date,Amount,Open Balance\n1/19/2026,1,Ann,2/18/2026,{amount},{balance}\n"
    assert read_file(make_csv("list.csv", text), ReadOptions(format="quickbooks.invoice_list")).frame["raw_status"].tolist() == [status]


def test_multicurrency_invoice_list(make_csv, records) -> None:
    text = (
        "Date,Num,Customer,Memo/Description,Due Date,Amount,Open Balance,Currency,Exchange rate\n"
        '15/01/2025,88,PT Maju,Job 7,14/02/2025,"43,000,000.00","43,000,000.00",IDR,0.000063\n'
    )
    got = records(read_file(make_csv("Invoice List.csv", text)))
    assert (got["88"]["amount"], got["88"]["currency"], got["88"]["created"], got["88"]["job_refs"]) == (43000000.0, "IDR", "2025-01-15", "7")


def _qbo(title: str, header: str, body: list[str], total: str | None) -> str:
    """A QBO export in the measured shape: padded preamble, empty line 4, footer."""
    pad = "," * header.count(",")
    lines = [f"Fictional Renovations Co{pad}", f"{title}{pad}", f'"January 1-September 29, 2026"{pad}', "", header, *body]
    if total:
        lines.append(total)
    return "\n".join([*lines, "", "", "", f'" Tuesday, September 29, 2026 09:30 PM GMT-04:00"{pad}'])


def test_transaction_list_by_date(make_csv, records) -> None:
    text = _qbo(
        "Transaction List by Date",
        "Date,Transaction type,Num,Posting (Y/N),Name,Memo,Account name,Split,Amount",
        [
            "1/19/2026,Invoice,1001,Yes,Fictive Quartet,Job 1042,Accounts Receivable (A/R),Services,100.00",
            "1/20/2026,Payment,,Yes,Fictive Quartet,,Imaginary Checking,Accounts Receivable (A/R),100.00",
            "1/21/2026,Journal Entry,7,Yes,,,Imaginary Checking,-Split-,5.00",
            "1/22/2026,Bill Payment (Check),88,Yes,Timber Co,,Imaginary Checking,Accounts Payable (A/P),-40.00",
        ],
        "TOTAL,,,,,,,,$165.00",
    )
    result = read_file(make_csv("Transaction List by Date.csv", text, newline="\r\n"))
    got = records(result)
    assert list(got) == ["1001", "payment:2026-01-20:Fictive Quartet:100.00"]
    assert (got["1001"]["job_refs"], got["1001"]["raw_status"], got["1001"]["balance"]) == ("1042", "Invoice", None)
    assert got["payment:2026-01-20:Fictive Quartet:100.00"]["record_type"] == "payment"
    assert result.meta["not_records"] == {"Journal Entry": 1, "Bill Payment (Check)": 1}
    assert result.detection.format == "quickbooks.transaction_list"


def test_invoices_and_received_payments(make_csv, records) -> None:
    # Grouped by client, payments without a number, no TOTAL row.
    text = _qbo(
        "Invoices and Received Payments",
        ",Date,Transaction type,Memo/Description,Transaction number,Amount",
        [
            "Fictive Quartet,,,,,",
            ",1/19/2026,Invoice,Gala - Job #1042,1001,100.00",
            ",1/25/2026,Payment,,,100.00",
            "Imaginary Duo,,,,,",
            ",2/2/2026,Invoice,,1002,250.00",
        ],
        None,
    )
    result = read_file(make_csv("Invoices and Received Payments.csv", text, newline="\r\n"))
    got = records(result)
    assert list(got) == ["1001", "payment:2026-01-25:Fictive Quartet:100.00", "1002"]
    assert (got["1001"]["customer"], got["1001"]["job_refs"]) == ("Fictive Quartet", "1042")
    assert got["1002"]["customer"] == "Imaginary Duo"
    assert result.detection.description == "QuickBooks Online Transaction List report (Invoices and Received Payments)"
    assert result.warnings == []
