"""The same business served by the API and written as each vendor's export gives the same records.

Each export is written with the vendor's real header and value formats
(shared/reference/vendor-formats.md 1A, 2A, 4A, 5A, 7A). It is read with
``connectors.read_file`` when the export readers are present; until they are
merged (``read_file`` raises NotImplementedError on this branch) the documented
column meaning is applied here, field by field, so the API side is still held
to the export semantics. Status vocabularies differ between export and API for
Xero, Jobber and Pipedrive (labels vs enums); the documented correspondence is
checked instead of equality.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

#: export column -> record column, per system (the documented meaning of each header)
EXPORT_COLUMNS = {
    "hubspot": {"Record ID": "record_id", "Deal Name": "title", "Deal Stage": "raw_status", "Amount": "amount", "Close Date": "closed", "Create Date": "created"},
    "pipedrive": {"Deal - ID": "record_id", "Deal - Title": "title", "Deal - Value": "amount", "Deal - Currency of value": "currency", "Deal - Status": "raw_status",
                  "Deal - Organization": "company", "Deal - Contact person": "customer"},
    "quickbooks": {"Num": "record_id", "Name": "customer", "Date": "created", "Due date": "due", "Amount": "amount", "Open balance": "balance"},
    "xero": {"InvoiceNumber": "record_id", "ContactName": "customer", "EmailAddress": "email", "Reference": "job_refs", "InvoiceDate": "created", "DueDate": "due",
             "Total": "amount", "InvoiceAmountDue": "balance", "Sent": "sent", "Status": "raw_status"},
    "jobber": {"Invoice #": "record_id", "Client name": "customer", "Client email": "email", "Client phone": "phone", "Issued date": "created", "Due date": "due",
               "Job #s": "job_refs", "Status": "raw_status", "Total ($)": "amount", "Balance ($)": "balance"},
}

#: API enum -> export label, where the two vocabularies differ (vendor-formats 5A/5B, 7A/7B, 2A/2B)
STATUS_LABEL = {
    "xero": {"AUTHORISED": "Awaiting Payment", "PAID": "Paid", "DRAFT": "Draft", "SUBMITTED": "Awaiting Approval", "VOIDED": "Voided"},
    "jobber": {"paid": "Paid", "past_due": "Past Due", "bad_debt": "Bad Debt", "draft": "Draft", "awaiting_payment": "Awaiting Payment", "sent_not_due": "Sent"},
    "pipedrive": {"open": "Open", "won": "Won", "lost": "Lost"},
}

XERO_HEADER = ("ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,POCity,PORegion,POPostalCode,POCountry,SAAddressLine1,"
               "SAAddressLine2,SAAddressLine3,SAAddressLine4,SACity,SARegion,SAPostalCode,SACountry,InvoiceNumber,Reference,InvoiceDate,DueDate,PlannedDate,Total,"
               "TaxTotal,InvoiceAmountPaid,InvoiceAmountDue,InventoryItemCode,Description,Quantity,UnitAmount,Discount,LineAmount,AccountCode,TaxType,TaxAmount,"
               "TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency,Type,Sent,Status").split(",")


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_export(system: str, world, folder: Path) -> Path:
    """The world as the vendor's export writes it."""
    inv = [w for w in world if w.invoiced]
    if system == "hubspot":
        label = {"closedwon": "Closed Won", "closedlost": "Closed Lost", "contractsent": "Contract Sent"}
        text = _csv(["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount", "Pipeline", "Create Date"],
                    [[w.deal_id, f"{w.name} - kitchen renovation", label[w.stage], w.created.isoformat(), "Sam Owner", f"{w.amount:g}", "Sales Pipeline",
                      f"{w.created.isoformat()} 09:15"] for w in world])
        path = folder / "hubspot-crm-exports-all-deals-2026-11-20.csv"
    elif system == "pipedrive":
        status = {"closedwon": "Won", "closedlost": "Lost"}
        text = _csv(["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency of value", "Deal - Status", "Deal - Organization", "Deal - Contact person",
                     "Deal - Deal created"],
                    [[7000 + w.n, f"{w.name} - kitchen renovation", f"{w.amount:g}", "CAD", status.get(w.stage, "Open"), f"{w.last} Holdings", w.name,
                      w.created.strftime("%d/%m/%Y")] for w in world])
        path = folder / "deals-export.csv"
    elif system == "quickbooks":
        body = _csv(["Date", "Transaction type", "Num", "Name", "Memo", "Due date", "Amount", "Open balance"],
                    [[f"{w.issued.month}/{w.issued.day}/{w.issued.year}", "Invoice", w.doc_number, w.name, "", f"{w.due.month}/{w.due.day}/{w.due.year}",
                      f"{w.amount:,.2f}", f"{w.balance:,.2f}"] for w in inv])
        text = '"Acme Renovations",,,,,,,\r\nInvoice List by Date\r\n"January 1-November 20, 2026"\r\n\r\n' + body + "\r\n\r\n\r\n\" Friday, November 20, 2026 09:30 AM GMT-08:00\",,,,,,,\r\n"
        path = folder / "Invoice List by Date.csv"
    elif system == "xero":
        rows = []
        for w in inv:
            row = dict.fromkeys(XERO_HEADER, "")
            row.update(ContactName=w.name, EmailAddress=w.email, InvoiceNumber=w.xero_number, Reference=f"Job #{w.job_number}",
                       InvoiceDate=w.issued.strftime("%d/%m/%Y"), DueDate=w.due.strftime("%d/%m/%Y"), Total=f"{w.amount:.4f}", TaxTotal="0.0000",
                       InvoiceAmountPaid=f"{w.amount - w.balance:.4f}", InvoiceAmountDue=f"{w.balance:.4f}", Description="Renovation", Quantity="1.0000",
                       UnitAmount=f"{w.amount:.4f}", LineAmount=f"{w.amount:.4f}", AccountCode="200", TaxType="Tax Exempt", TaxAmount="0.0000",
                       Currency="CAD", Type="Sales invoice", Sent="Sent" if w.sent else "Unsent", Status="Paid" if w.balance == 0 else "Awaiting Payment")
            rows.append([row[h] for h in XERO_HEADER])
        text = _csv(XERO_HEADER, rows)
        path = folder / "SalesInvoices.csv"
    else:
        def status(w) -> str:
            return "Paid" if w.balance == 0 else ("Awaiting Payment" if w.sent else "Draft")

        text = "\ufeff" + _csv(["Invoice #", "Client name", "Client email", "Client phone", "Service street", "Service city", "Service province", "Service ZIP",
                                "Issued date", "Due date", "Job #s", "Status", "Total ($)", "Balance ($)"],
                               [[w.invoice_number, w.name, w.email, w.phone, w.street, w.city, "British Columbia", "V5K 0A1", w.issued.strftime("%b %d, %Y"),
                                 w.due.strftime("%b %d, %Y"), ", ".join(w.job_refs.split(",")), status(w), f"{w.amount}", f"{w.balance}"] for w in inv])
        path = folder / "Invoices.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def read_export(system: str, path: Path) -> pd.DataFrame:
    """The export as records: the readers when merged, else the documented column meaning."""
    try:
        from connectors import read_file

        frame = read_file(path).frame
    except NotImplementedError:
        frame = None
    if frame is not None:
        # provenance differs by design (file name vs api:<system>); compare what the records say
        skip = {"source", "file", "row", "state", "updated"}
        if system == "jobber":
            # Jobber's invoice API shape carries client{id, name} and no service address
            # (vendor-formats 7B); the export's "Service street" has no API twin to compare
            skip.add("address")
        cols = [c for c in frame.columns if c not in skip and not c.startswith("x:") and frame[c].notna().any()]
        return frame[cols]
    skip = 4 if system == "quickbooks" else 0
    raw = pd.read_csv(path, dtype=str, skiprows=skip, encoding="utf-8-sig", keep_default_na=False)
    if system == "quickbooks":
        raw = raw[raw["Transaction type"] == "Invoice"]
    out = raw[list(EXPORT_COLUMNS[system])].rename(columns=EXPORT_COLUMNS[system])
    for col in ("amount", "balance"):
        if col in out:
            out[col] = pd.to_numeric(out[col].str.replace(r"[$,]", "", regex=True), errors="coerce")
    dayfirst = system == "xero"
    for col in ("created", "due", "closed"):
        if col in out:
            out[col] = pd.to_datetime(out[col], dayfirst=dayfirst, format="mixed").dt.normalize()
    if "job_refs" in out:
        out["job_refs"] = out["job_refs"].str.findall(r"\d+").map(",".join)
    if "sent" in out:
        out["sent"] = out["sent"] == "Sent"
    if system == "quickbooks":  # the reader derives the status from amount and open balance, as the API side does
        out["raw_status"] = "Open"
        out.loc[(out.balance > 0) & (out.balance < out.amount), "raw_status"] = "Partially paid"
        out.loc[(out.balance == 0) & (out.amount > 0), "raw_status"] = "Paid"
    return out


@pytest.mark.parametrize("system", ["hubspot", "pipedrive", "quickbooks", "xero", "jobber"])
def test_api_records_match_the_export(system, pull, world, tmp_path):
    api = pull(system).frame
    kind = "deal" if system in ("hubspot", "pipedrive") else "invoice"
    api = api[api.record_type == kind].set_index("record_id")
    export = read_export(system, write_export(system, world, tmp_path)).set_index("record_id")
    assert set(api.index) == set(export.index)
    compared = 0
    for col in export.columns:
        if col not in api.columns:
            continue
        a, e = api.loc[export.index, col], export[col]
        if col == "raw_status" and system in STATUS_LABEL:
            a = a.map(STATUS_LABEL[system])
        if col in ("amount", "balance"):
            assert (a.astype(float) - e.astype(float)).abs().max() < 0.005, col
        elif col in ("created", "due", "closed"):
            assert (pd.to_datetime(a).dt.normalize() == e).all(), (col, a[a.ne(e)].head(), e[a.ne(e)].head())
        else:
            assert (a.astype(str) == e.astype(str)).all(), (col, a[a.astype(str) != e.astype(str)].head(), e[a.astype(str) != e.astype(str)].head())
        compared += 1
    assert compared == len(export.columns)


def _findings(frame: pd.DataFrame, as_of) -> set[tuple[str, str]]:
    """The (rule, job) findings the engine draws from one source's records."""
    from driftcheck.config import Config
    from driftcheck.engine import EvalContext, evaluate, load_rules
    from driftcheck.jobs import build_job_table
    from driftcheck.linking import link_records
    from driftcheck.records import concat_records
    from driftcheck.statusmap import apply_status_maps

    cfg = Config()
    records, _ = apply_status_maps(concat_records([frame]).assign(source="src"), cfg)
    linked = link_records(records).records
    table = build_job_table(linked, owners=cfg.owners)
    ctx = EvalContext(jobs=table.jobs, records=table.records, as_of=as_of, owners=cfg.owners, teams=cfg.teams)
    return {(f.rule, f.job) for f in evaluate(load_rules(cfg), ctx)}


@pytest.mark.parametrize("system", ["hubspot", "pipedrive", "quickbooks", "xero", "jobber"])
def test_api_and_export_give_the_same_findings(system, pull, world, tmp_path):
    """What the owner is told does not depend on whether the data came by API or by export."""
    import datetime as dt

    from connectors import read_file

    as_of = dt.date(2026, 11, 20)
    api = pull(system).frame
    kind = "deal" if system in ("hubspot", "pipedrive") else "invoice"
    api = api[api.record_type == kind]
    export = read_file(write_export(system, world, tmp_path)).frame
    from_api = _findings(api, as_of)
    from_export = _findings(export, as_of)
    if system == "quickbooks":
        # the API says whether each invoice was emailed (EmailStatus); the Invoice List report
        # does not, so only the API can see an unsent invoice. Everything else must agree.
        assert from_export <= from_api
        assert {rule for rule, _ in from_api - from_export} <= {"invoice-not-sent"}
    else:
        assert from_api == from_export
    assert from_api, "the test business should drift somewhere, or this comparison proves nothing"
