"""The shapes data takes inside driftcheck, without importing pandas.

Three things live here:

* ``RECORD_SCHEMA``: the one normalised record frame every reader (CSV/XLSX
  export or API pull) produces. One row per native record (a deal, a job, an
  invoice, a payment or deposit). The native id and the raw status travel
  next to the normalised values, with the file and row they came from, so every
  finding can be traced to the line of the export it rests on.
* ``SourceInfo``: what was read from where (one per source).
* ``Finding``: one drift finding, as the rule engine emits it and every report
  renders it (``driftcheck.scan/1``).

pandas helpers that build and check record frames live in
:mod:`driftcheck.records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DATE_COLUMNS",
    "RECORD_SCHEMA",
    "RECORD_TYPES",
    "ROLES",
    "SYSTEMS",
    "Finding",
    "ReadWarning",
    "SourceInfo",
]

#: Vendor systems driftcheck knows; ``csv`` is the generic column-mapped reader.
SYSTEMS = ("hubspot", "pipedrive", "quickbooks", "xero", "jobber", "csv")

#: The three roles a system can play; each role owns one lifecycle domain by default.
ROLES = ("crm", "accounting", "operations")

#: Kinds of native record.
#: ``deposit`` is a payment received before the work (a Jobber deposit against a quote).
RECORD_TYPES = ("deal", "job", "invoice", "payment", "deposit")

#: The normalised record frame: column name -> (dtype, meaning).
#: dtypes are pandas dtype names; strings are pyarrow-backed ``string[pyarrow]``.
RECORD_SCHEMA: dict[str, tuple[str, str]] = {
    # where it came from
    "source": ("string", "source name (config name, or the file name)"),
    "system": ("string", "vendor system, one of SYSTEMS"),
    "role": ("string", "crm | accounting | operations"),
    "record_type": ("string", "deal | job | invoice | payment | deposit"),
    "record_id": ("string", "native id: HubSpot Record ID, QuickBooks Num, Xero InvoiceNumber, Jobber Job #/Invoice #, Pipedrive deal ID"),
    "file": ("string", "path of the export, or api:<system>/<stream>"),
    "row": ("Int64", "1-based line of the record in the file (header lines counted); first line for grouped rows"),
    # who
    "customer": ("string", "customer display name as the source writes it"),
    "company": ("string", "organisation name, when separate from the person"),
    "email": ("string", "customer email as written"),
    "phone": ("string", "customer phone as written"),
    "address": ("string", "service or billing street address, one line"),
    # what
    "title": ("string", "deal name, job title, or invoice memo/description"),
    "job_refs": ("string", "operations job numbers this record names, comma-separated ('101,102')"),
    "invoice_refs": ("string", "invoice numbers this record names, comma-separated"),
    "deal_refs": ("string", "CRM deal ids this record names, comma-separated"),
    "quote_refs": ("string", "quote/estimate numbers this record names, comma-separated"),
    # state
    "raw_status": ("string", "status exactly as the source writes it (or derived, see reader docs)"),
    "state": ("string", "canonical lifecycle state (see driftcheck.lifecycle), filled by the status map"),
    "sent": ("boolean", "invoice was sent to the customer (null where the source does not say)"),
    # money
    "amount": ("float64", "deal value, job total, invoice total, or payment amount (positive)"),
    "balance": ("float64", "invoice open balance (amount still owed)"),
    "currency": ("string", "ISO currency code, when the source gives one"),
    # dates (midnight-normalised, timezone-naive)
    "created": ("datetime64[ns]", "record date: deal created, job created, invoice date, payment date"),
    "updated": ("datetime64[ns]", "last modified"),
    "scheduled": ("datetime64[ns]", "work scheduled to start"),
    "completed": ("datetime64[ns]", "work completed"),
    "closed": ("datetime64[ns]", "deal closed (won or lost) / job closed"),
    "due": ("datetime64[ns]", "invoice due date"),
    "paid": ("datetime64[ns]", "invoice fully paid / payment received"),
}

DATE_COLUMNS = tuple(k for k, (dtype, _) in RECORD_SCHEMA.items() if dtype.startswith("datetime"))


@dataclass
class ReadWarning:
    """A row or value a reader skipped or could not use, reported not dropped."""

    source: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    count: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        where = ", ".join(
            p for p in (self.file, f"row {self.row}" if self.row else None, f"column '{self.column}'" if self.column else None) if p
        )
        times = f" ({self.count} rows)" if self.count > 1 else ""
        return f"{where}: {self.message}{times}" if where else f"{self.message}{times}"


@dataclass
class SourceInfo:
    """One source as read: a file, or an API pull."""

    name: str
    system: str
    role: str
    path: str
    format: str = ""  #: human description, "HubSpot deals export"
    reason: str = ""  #: why detection chose it, "matched 'Record ID', 'Deal Stage'"
    records: int = 0
    newest: str | None = None  #: ISO date of the newest record
    skipped: int = 0
    stale_cache: str | None = None  #: set when an API pull failed and the cache was used

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "system": self.system,
            "role": self.role,
            "path": self.path,
            "records": self.records,
            "newest": self.newest,
        }
        if self.format:
            out["format"] = self.format
        if self.skipped:
            out["skipped"] = self.skipped
        if self.stale_cache:
            out["stale_cache"] = self.stale_cache
        return out


@dataclass
class Finding:
    """One drift finding: a rule that fired on a job."""

    id: str
    rule: str
    severity: str
    owner: str
    job: str
    customer: str
    message: str
    since: str | None
    age_days: int | None
    amount: float | None
    records: dict[str, list[str]] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "owner": self.owner,
            "job": self.job,
            "customer": self.customer,
            "message": self.message,
            "since": self.since,
            "age_days": self.age_days,
            "amount": self.amount,
            "records": self.records,
            "evidence": self.evidence,
        }
