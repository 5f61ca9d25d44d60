"""Helpers for the matching tests: build small record frames the way readers would, and read results."""

from __future__ import annotations

from typing import Any

import pandas as pd

from driftcheck.records import conform

#: Defaults per kind of record: (source, system, role, record_type).
KINDS: dict[str, tuple[str, str, str, str]] = {
    "deal": ("hubspot-deals.csv", "hubspot", "crm", "deal"),
    "job": ("jobber_jobs.csv", "jobber", "operations", "job"),
    "jinv": ("jobber_invoices.csv", "jobber", "operations", "invoice"),
    "jpay": ("jobber_transactions.csv", "jobber", "operations", "payment"),
    "deposit": ("jobber_transactions.csv", "jobber", "operations", "deposit"),
    "qinv": ("QBO Invoice List.xlsx", "quickbooks", "accounting", "invoice"),
    "qpay": ("QBO Payments.xlsx", "quickbooks", "accounting", "payment"),
    "xinv": ("SalesInvoices.csv", "xero", "accounting", "invoice"),
}


def records(*rows: tuple[str, dict[str, Any]]) -> pd.DataFrame:
    """A conformed record frame from ``(kind, fields)`` pairs, e.g. ``("job", {"record_id": "101"})``."""
    out = []
    for kind, fields in rows:
        source, system, role, rtype = KINDS[kind]
        out.append({"source": source, "system": system, "role": role, "record_type": rtype, **fields})
    return conform(pd.DataFrame(out))


def job_of(result: Any, source_kind: str, record_id: str) -> str:
    """The job key the linker gave one record."""
    source = KINDS[source_kind][0]
    r = result.records
    hit = r[(r["source"] == source) & (r["record_id"] == record_id)]
    assert len(hit) == 1, f"no single {source_kind} {record_id}"
    return str(hit["job"].iloc[0])


def row_of(result: Any, source_kind: str, record_id: str) -> pd.Series:
    source = KINDS[source_kind][0]
    r = result.records
    return r[(r["source"] == source) & (r["record_id"] == record_id)].iloc[0]


def chris_lees() -> pd.DataFrame:
    """Two different customers named Chris Lee in Jobber, and a QuickBooks invoice (and payment) that names neither."""
    return records(
        ("job", {"record_id": "101", "customer": "Chris Lee", "email": "chris.lee@gmail.com", "amount": 4500}),
        ("job", {"record_id": "102", "customer": "Chris Lee", "email": "clee77@yahoo.com", "amount": 12000}),
        ("qinv", {"record_id": "5001", "customer": "Chris Lee", "amount": 4500}),
        ("qpay", {"record_id": "9", "customer": "Chris Lee", "invoice_refs": "5001", "amount": 4500}),
    )
