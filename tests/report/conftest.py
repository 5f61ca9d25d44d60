"""Fixtures for report tests: a realistic ``driftcheck.scan/1`` factory (the shared Chromium is in tests/conftest.py).

The factory builds a scan the way the engine would: findings across owners,
severities and rules, sorted high-first then by amount, with evidence, native
record ids per source, warnings, sources with freshness, a lifecycle and
resolved items. Some customer names are hostile on purpose (markup, quotes,
spreadsheet formulas) because real CRMs hold whatever was typed into them.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest


#: Customer names that must come out of every report as plain text.
HOSTILE_CUSTOMERS = (
    '<script>alert(1)</script> Roofing',
    'O\'Brien & "Sons" <b>Ltd</b>',
    '=HYPERLINK("http://evil.example/x","click me")',
    "+61 Plumbing",
    "-5 Degrees Cooling",
    "@Home Renovations",
    "\tTabbed Landscaping",
    "'Tis the Season Decor",
    "Pipe | Bar | Builders",
)

#: Past runs as the history database gives them, for the trend chart.
HISTORY = [
    {"as_of": "2026-11-06", "high": 10, "medium": 12, "low": 9, "new": 3, "resolved": 1},
    {"as_of": "2026-11-13", "high": 14, "medium": 13, "low": 10, "new": 5, "resolved": 2},
]

_PLAIN = (
    "Harbor Dental", "Mills Family", "Greenfield HOA", "Kaur Residence", "Nguyen Bakery", "Lopez Auto",
    "Smith & Co", "Okafor Estate", "Bayview Apartments", "Chen Residence", "Petrov Holdings", "Ruiz Family",
)

#: rule -> (severity, owner, source systems that carry its records)
_RULES = {
    "won-not-invoiced": ("high", "accounting", ("crm", "accounting")),
    "paid-not-scheduled": ("high", "operations", ("accounting", "operations")),
    "schedule-passed-not-complete": ("medium", "operations", ("operations",)),
    "complete-not-invoiced": ("high", "accounting", ("operations", "accounting")),
    "invoice-not-sent": ("medium", "accounting", ("accounting",)),
    "invoice-overdue": ("medium", "accounting", ("accounting",)),
    "paid-crm-open": ("low", "sales", ("crm", "accounting")),
    "lost-but-active": ("medium", "sales", ("crm", "operations")),
    "amount-mismatch": ("low", "office", ("crm", "accounting")),
    "duplicate-customer": ("low", "office", ("crm",)),
}

SOURCES = [
    {"name": "hubspot-deals", "system": "hubspot", "role": "crm", "path": "exports/hubspot-crm-exports-all-deals-2026-11-19.csv",
     "records": 212, "newest": "2026-11-19", "format": "HubSpot deals export"},
    {"name": "qbo-invoices", "system": "quickbooks", "role": "accounting", "path": "exports/Invoice List by Date.csv",
     "records": 388, "newest": "2026-11-18", "format": "QuickBooks Online Invoice List"},
    {"name": "jobber-jobs", "system": "jobber", "role": "operations", "path": "exports/Jobs Report.csv",
     "records": 164, "newest": "2026-10-30", "format": "Jobber jobs report", "skipped": 2},
]

_AS_OF = date(2026, 11, 20)

_ROLE_SOURCE = {"crm": "hubspot-deals", "accounting": "qbo-invoices", "operations": "jobber-jobs"}


def _record_id(role: str, n: int) -> str:
    return {"crm": str(9_000_000_000 + n * 7919), "accounting": str(1000 + n), "operations": str(400 + n)}[role]


def build_scan(n_findings: int = 42, *, seed: int = 7, with_status: bool = True) -> dict[str, Any]:
    """A scan/1 dict with ``n_findings`` findings (deterministic for a seed)."""
    rng = random.Random(seed)
    customers = list(HOSTILE_CUSTOMERS) + list(_PLAIN)
    findings = []
    rules = list(_RULES)
    for i in range(n_findings):
        rule = rules[i % len(rules)]
        severity, owner, roles = _RULES[rule]
        customer = customers[i % len(customers)]
        job = f"J-{1040 + i}"
        age = rng.choice([1, 3, 6, 9, 13, 20, 29, 45, 61, 88, 120, 200])
        amount = None if rule == "duplicate-customer" else round(rng.uniform(180, 18_000), 2)
        records = {_ROLE_SOURCE[r]: [_record_id(r, i)] for r in roles}
        if rule == "amount-mismatch":
            records["qbo-invoices"].append(_record_id("accounting", i + 500))
        evidence = [
            {"source": _ROLE_SOURCE[r], "record": records[_ROLE_SOURCE[r]][0], "field": field, "value": value}
            for r, (field, value) in zip(
                roles,
                [("Deal Stage", "Closed Won"), ("Open balance", 0.0)] if roles[0] == "crm" else [("Status", "Paid"), ("Job status", "Active")],
                strict=False,
            )
        ]
        since = (_AS_OF - timedelta(days=age)).isoformat()
        f: dict[str, Any] = {
            "id": f"{rule[:4]}{i:04x}",
            "rule": rule,
            "severity": severity,
            "owner": owner,
            "job": job,
            "customer": customer,
            "message": f"{rule.replace('-', ' ').capitalize()}: job {job} for {customer} has drifted ({age} days).",
            "since": since,
            "age_days": age,
            "amount": amount,
            "records": records,
            "evidence": evidence,
        }
        if with_status:
            f["status"] = "new" if i % 5 == 0 else "open"
            f["first_seen"] = "2026-11-20" if i % 5 == 0 else "2026-11-06"
        findings.append(f)
    rank = {"high": 0, "medium": 1, "low": 2}
    findings.sort(key=lambda f: (rank[f["severity"]], -(f["amount"] or 0)))
    sev = Counter(f["severity"] for f in findings)
    summary: dict[str, Any] = {
        "jobs": 164,
        "findings": len(findings),
        "by_severity": {s: sev.get(s, 0) for s in ("high", "medium", "low")},
        "by_rule": dict(Counter(f["rule"] for f in findings)),
        "by_owner": dict(Counter(f["owner"] for f in findings)),
        "amount_at_stake": round(sum(f["amount"] or 0 for f in findings), 2),
    }
    if with_status:
        summary["new"] = sum(1 for f in findings if f["status"] == "new")
    scan: dict[str, Any] = {
        "schema": "driftcheck.scan/1",
        "tool": {"name": "driftcheck", "version": "0.1.0"},
        "as_of": _AS_OF.isoformat(),
        "business": "Harbor & Pine <Renovations>",
        "sources": copy.deepcopy(SOURCES),
        "summary": summary,
        "lifecycle": {
            "stages": [{"stage": s, "jobs": n} for s, n in
                       [("won", 164), ("deposit", 121), ("scheduled", 117), ("completed", 96), ("invoiced", 88), ("paid", 71)]],
            "handoffs": [
                {"from": "won", "to": "deposit", "drift": 4, "rules": ["won-not-invoiced"]},
                {"from": "deposit", "to": "scheduled", "drift": 5, "rules": ["paid-not-scheduled"]},
                {"from": "scheduled", "to": "completed", "drift": 5, "rules": ["schedule-passed-not-complete"]},
                {"from": "completed", "to": "invoiced", "drift": 4, "rules": ["complete-not-invoiced"]},
                {"from": "invoiced", "to": "paid", "drift": 0, "rules": []},
            ],
        },
        "warnings": [
            {"source": "jobber-jobs", "message": "row has no Job # and was skipped", "file": "exports/Jobs Report.csv", "row": 88, "column": "Job #", "count": 2},
            {"source": "qbo-invoices", "message": "date '31/02/2026' is not a date"},
        ],
        "findings": findings,
        "resolved": [
            {"id": "old1", "rule": "invoice-overdue", "job": "J-0999", "customer": "Mills Family", "first_seen": "2026-10-30", "last_seen": "2026-11-13"},
        ],
    }
    return scan


@pytest.fixture
def make_scan() -> Callable[..., dict[str, Any]]:
    """Factory: ``make_scan(n_findings=42, seed=7, with_status=True, **top_level_overrides)``."""

    def _make(n_findings: int = 42, *, seed: int = 7, with_status: bool = True, **overrides: Any) -> dict[str, Any]:
        scan = build_scan(n_findings, seed=seed, with_status=with_status)
        scan.update(overrides)
        return scan

    return _make
