"""One small contractor's business, written once and rendered as every vendor's API answers.

The fake vendor server (``fakevendor.py``) serves these records in the documented
response shapes; the equivalence test writes the same business as each vendor's
export. Deterministic: no randomness, so cassettes and expectations are stable.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

FIRST = ["Ava", "Ben", "Chloe", "Dan", "Eve", "Finn", "Gina", "Hugo", "Iris", "Jack", "Kara", "Liam", "Maya", "Noah"]
LAST = ["Stone", "Reed", "Park", "Hale", "Quinn", "Moss", "Lowe", "Fox", "Wade", "Cole", "Shaw", "Hart", "Lane", "Bell"]
STAGES = ["closedwon", "closedwon", "closedwon", "contractsent", "closedlost"]
JOB_STATUS = ["requires_invoicing", "upcoming", "archived", "late", "archived", "today", "archived"]


def gid(kind: str, n: int) -> str:
    """A Jobber EncodedId: base64 of gid://Jobber/<kind>/<n>."""
    return base64.b64encode(f"gid://Jobber/{kind}/{n}".encode()).decode()


@dataclass
class Work:
    """One customer's job, as every system knows it."""

    n: int
    first: str
    last: str
    email: str
    phone: str
    street: str
    city: str
    deal_id: str
    stage: str
    amount: float
    job_number: int
    job_status: str
    created: date
    scheduled: date
    completed: date | None
    invoiced: bool
    invoice_number: int  # Jobber invoice #
    doc_number: str  # QuickBooks DocNumber
    xero_number: str  # Xero InvoiceNumber
    issued: date
    due: date
    balance: float
    sent: bool
    payment: float | None
    paid_on: date | None
    deposit: float | None
    updated: datetime
    extra_jobs: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def quote_number(self) -> int:
        return 300 + self.n

    @property
    def job_refs(self) -> str:
        return ",".join(str(j) for j in [self.job_number, *self.extra_jobs])


def build_world(n: int = 14, base: datetime | None = None) -> list[Work]:
    """``n`` customers with a deal, a job, and (mostly) an invoice and a payment."""
    base = base or datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        created = (base + timedelta(days=i)).date()
        amount = 1000.0 + 250 * i
        invoiced = i % 5 != 4
        paid_full = i % 3 == 0
        paid_part = i % 3 == 1
        payment = amount if paid_full else (amount / 2 if paid_part else None)
        balance = amount - (payment or 0.0) if invoiced else 0.0
        out.append(Work(
            n=i,
            first=FIRST[i % len(FIRST)],
            last=LAST[i % len(LAST)],
            email=f"{FIRST[i % len(FIRST)].lower()}.{LAST[i % len(LAST)].lower()}@example.com",
            phone=f"+1 604 555 01{i:02d}",
            street=f"{10 + i} Cedar Street",
            city="Vancouver",
            deal_id=str(9100000 + i),
            stage=STAGES[i % len(STAGES)],
            amount=amount,
            job_number=100 + i,
            job_status=JOB_STATUS[i % len(JOB_STATUS)],
            created=created,
            scheduled=created + timedelta(days=7),
            completed=created + timedelta(days=9) if i % 2 == 0 else None,
            invoiced=invoiced,
            invoice_number=500 + i,
            doc_number=str(1000 + i),
            xero_number=f"INV-{100 + i:04d}",
            issued=created + timedelta(days=10),
            due=created + timedelta(days=40),
            balance=balance if invoiced else 0.0,
            sent=i % 4 != 3,
            payment=payment if invoiced else None,
            paid_on=created + timedelta(days=20) if (invoiced and payment) else None,
            deposit=250.0 if i % 4 == 1 else None,
            updated=base + timedelta(days=i, hours=3),
            extra_jobs=[200 + i] if i == 2 else [],
        ))
    return out


def touch(world: list[Work], indexes: list[int], when: datetime, **changes) -> list[Work]:
    """A copy of ``world`` where the given jobs changed at ``when`` (for incremental pulls)."""
    out = list(world)
    for i in indexes:
        out[i] = replace(out[i], updated=when, **changes)
    return out
