"""The shared lifecycle: canonical states, the domains they belong to, and who owns them.

A job moves through three domains. Each domain is owned by one system role by
default: the CRM owns the pipeline, operations owns execution, accounting owns
billing and payment. Every vendor's status vocabulary is translated onto these
states by a *status map* (data in ``connectors/<system>.toml``, overridable in
``driftcheck.toml``), so the rule engine never knows a vendor by name.

The job-level stages a business walks through, in order, are::

    won -> deposit paid -> scheduled -> completed -> invoiced -> paid
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_OWNERS",
    "DOMAINS",
    "STAGES",
    "STATES",
    "domain_of",
    "is_state",
]

#: domain -> its states, in lifecycle order.
DOMAINS: dict[str, tuple[str, ...]] = {
    "pipeline": ("open", "won", "lost"),
    "execution": ("unscheduled", "scheduled", "in_progress", "completed", "cancelled"),
    "billing": ("invoiced", "partially_paid", "paid", "void"),
    # payment and deposit records are events, not states of a job
    "payment": ("received", "refunded"),
}

#: Every canonical state name.
STATES: frozenset[str] = frozenset(s for states in DOMAINS.values() for s in states)

#: Which role owns the truth of each domain, unless driftcheck.toml says otherwise.
DEFAULT_OWNERS: dict[str, str] = {
    "pipeline": "crm",
    "execution": "operations",
    "billing": "accounting",
    "payment": "accounting",
}

#: The job-level stages shown as a flow in reports, in order.
STAGES: tuple[str, ...] = ("won", "deposit", "scheduled", "completed", "invoiced", "paid")

_STATE_DOMAIN = {s: d for d, states in DOMAINS.items() for s in states}


def domain_of(state: str) -> str | None:
    """The domain a canonical state belongs to (``"completed"`` -> ``"execution"``)."""
    return _STATE_DOMAIN.get(state)


def is_state(name: str) -> bool:
    """Whether ``name`` is a canonical state."""
    return name in STATES
