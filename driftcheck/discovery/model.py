"""The shapes of a discovery profile: plain dataclasses, no pandas.

A :class:`Discovery` is what :func:`driftcheck.discovery.discover` learns about a
business from a folder of exports. Every renderer (terminal, text, Markdown, HTML,
JSON) and ``driftcheck init`` read these objects and nothing else, so they all say the
same thing. :meth:`Discovery.as_dict` is the JSON form (``driftcheck.discovery/1``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "POSITIONS",
    "POSITION_TEXT",
    "POSITION_TEXT_SHORT",
    "SCHEMA",
    "Claim",
    "Coverage",
    "Discovery",
    "DomainTruth",
    "Handoff",
    "LinkingProfile",
    "Placement",
    "SourceLinks",
    "SourceProfile",
    "StageStat",
    "Suggestion",
    "ThresholdAdvice",
    "VocabEntry",
    "Vocabulary",
]

SCHEMA = "driftcheck.discovery/1"

#: Where a job can be, judged by the systems other than the one whose status is read:
#: nothing yet, deposit paid, work scheduled, work complete, fully invoiced, paid in full.
POSITIONS: tuple[str, ...] = ("none", "deposit", "scheduled", "completed", "invoiced", "paid")

#: Each position in words, as "N of M jobs ..." reads.
POSITION_TEXT: dict[str, str] = {
    "none": "had no deposit, visit, invoice or payment in another system",
    "deposit": "had a deposit paid but no visit yet",
    "scheduled": "were scheduled but not complete",
    "completed": "were complete but not fully invoiced",
    "invoiced": "were fully invoiced but not paid",
    "paid": "were paid in full",
}


#: Each position in a word or two, for lists.
POSITION_TEXT_SHORT: dict[str, str] = {
    "none": "nothing yet", "deposit": "deposit paid", "scheduled": "scheduled", "completed": "complete",
    "invoiced": "invoiced", "paid": "paid",
}


@dataclass
class SourceProfile:
    """One export (or API pull) as read: what it is, why we think so, how much, how fresh."""

    name: str
    system: str
    role: str
    path: str
    format: str  #: "Pipedrive deals export"
    reason: str  #: why detection chose it: "matched 'Deal - ID', 'Deal - Title', ..."
    records: int
    by_type: dict[str, int]  #: record type -> count
    first: str | None  #: earliest record date (ISO)
    last: str | None  #: latest record date on or before the audit date (ISO)
    newest: str | None  #: the newest record date the scan uses for freshness (ISO)
    age_days: int | None  #: audit date minus ``newest``
    skipped: int  #: rows the reader skipped
    skipped_reasons: list[dict[str, Any]] = field(default_factory=list)  #: ``{message, count, row?}``
    stale_cache: str | None = None


@dataclass
class Placement:
    """Where the jobs of records holding one status value sit, by the other systems' evidence.

    ``then`` counts positions at the date each record took its status (a deal's close
    date), ``now`` at the audit date. A record whose job no other system knows sits at
    ``none``.
    """

    records: int  #: records placed
    now: dict[str, int]  #: position -> records (POSITIONS order)
    then: dict[str, int] = field(default_factory=dict)  #: position -> records, where a status date exists
    dated: int = 0  #: records with a status date

    @staticmethod
    def modal(counts: dict[str, int]) -> tuple[str | None, int]:
        """The most common position (the later one on a tie) and its count."""
        best, n = None, 0
        for pos in POSITIONS:
            c = counts.get(pos, 0)
            if c and c >= n:
                best, n = pos, c
        return best, n


@dataclass
class Suggestion:
    """A proposed lifecycle state for a value no status map covers, with the evidence."""

    state: str
    confidence: str  #: high | medium | low
    evidence: list[str]
    by_name: str | None = None  #: the state the value's name suggests
    by_timing: str | None = None  #: the state where its records sit in time suggests


@dataclass
class VocabEntry:
    """One status value of one source: how often, what it maps to and who said so."""

    value: str
    count: int
    state: str | None  #: the state the scan gives it (None: unmapped)
    mapped_by: str | None  #: "Pipedrive's built-in map", "driftcheck.toml [status_map.hubspot.deal]", ...
    map_key: str | None = None  #: the status_map table key that mapped it (system or source name)
    suggestion: Suggestion | None = None
    placement: Placement | None = None
    note: str | None = None  #: when the records sit later in time than the mapped state says
    note_state: str | None = None  #: the state the note points at
    by_status: dict[str, int] = field(default_factory=dict)  #: stage vocabularies: status -> count


@dataclass
class Vocabulary:
    """The values of one status (or stage) column of one source and record type."""

    source: str
    system: str
    record_type: str
    column: str  #: the header the values came from, or how the reader derived them
    kind: str  #: "status" (read by the status map) or "stage" (shown, not read)
    entries: list[VocabEntry]

    @property
    def unmapped(self) -> list[VocabEntry]:
        """Entries no status map covers (for a stage column: all of them)."""
        return [e for e in self.entries if e.state is None]


@dataclass
class Coverage:
    """Share of one source's records that carry each linking key."""

    source: str
    system: str
    records: int
    shares: dict[str, float]  #: key -> share 0..1 (email, phone, address, job_ref, invoice_ref)


@dataclass
class SourceLinks:
    """How one source's records joined the others."""

    source: str
    system: str
    records: int
    linked: int  #: records in a job that holds a record of another system
    by_method: dict[str, int]  #: link method -> records ("ref:job#", "email", "unlinked", ...)
    to_systems: dict[str, int]  #: other system -> records whose job holds a record of it
    unlinked_examples: list[str] = field(default_factory=list)


@dataclass
class LinkingProfile:
    """The matching step's result, summarised."""

    jobs: int
    sources: list[SourceLinks]
    pairs: list[dict[str, Any]]  #: ``{a, b, links, methods: {method: n}}`` between systems
    combinations: dict[str, int]  #: "hubspot + jobber + quickbooks" -> jobs
    ambiguous: int
    duplicates: int


@dataclass
class Claim:
    """One source's status claims in one domain, compared with the domain owner's."""

    source: str
    system: str
    role: str
    record_type: str
    records: int
    states: dict[str, int]
    owner: bool  #: this source belongs to the role that owns the domain
    compared: int = 0  #: records whose job the owner also has a view on
    agree: int = 0
    ahead: int = 0  #: says more than the owner (the status-conflict rule flags these)
    behind: int = 0  #: says less than the owner (usually a lagging sync)
    other: int = 0  #: one says cancelled/void and the other does not


@dataclass
class DomainTruth:
    """Who carries a status for one lifecycle domain, and who owns it."""

    domain: str
    owner_role: str
    owner_systems: list[str]
    claims: list[Claim]
    conflicts: int = 0  #: status-conflict findings in this domain

    @property
    def two_truths(self) -> bool:
        """More than one system carries a status for this domain."""
        return len({c.system for c in self.claims}) > 1


@dataclass
class StageStat:
    """One lifecycle stage: how many jobs reached it, sit at it, and are stuck there."""

    stage: str
    reached: int
    sitting: int  #: jobs whose furthest stage is this one
    stuck: int  #: of those, older than ``stuck_after`` days
    stuck_after: int | None  #: the threshold (days) of ``rule``
    rule: str | None
    stuck_examples: list[str] = field(default_factory=list)


@dataclass
class Handoff:
    """The hand-off between two consecutive stages: typical timing and drift."""

    source: str  #: from stage
    target: str  #: to stage
    measured: int  #: jobs with both dates
    median: float | None
    p90: float | None
    reversed: int  #: jobs where the later stage came first
    drift: int  #: findings of the rules watching this hand-off
    rules: list[str] = field(default_factory=list)


@dataclass
class ThresholdAdvice:
    """A rule's threshold against the business's own timing."""

    rule: str
    default: int  #: the rule's threshold now (built-in or configured)
    measures: str  #: what was measured, in words
    measured: int  #: how many jobs or invoices
    median: float | None
    p90: float | None
    proposed: int | None  #: the new threshold, when the current one is absurd for this business
    reason: str


@dataclass
class Discovery:
    """What discovery learned about one business's data (see :func:`driftcheck.discovery.discover`)."""

    as_of: str
    business: str | None
    config_path: str | None
    paths: list[str]
    sources: list[SourceProfile]
    vocabularies: list[Vocabulary]
    coverage: list[Coverage]
    linking: LinkingProfile
    truths: list[DomainTruth]
    stages: list[StageStat]
    handoffs: list[Handoff]
    thresholds: list[ThresholdAdvice]
    jobs: int
    scan: dict[str, Any]  #: the ``driftcheck.scan/1`` dict of the same data
    exits: dict[str, int] = field(default_factory=dict)  #: jobs outside the flow: lost, cancelled, no deal or job
    owners: dict[str, str] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unmapped(self) -> list[tuple[Vocabulary, VocabEntry]]:
        """Every status value no map covers, with its vocabulary (stage columns excluded)."""
        return [(v, e) for v in self.vocabularies if v.kind == "status" for e in v.unmapped]

    def vocabulary(self, source: str, record_type: str, kind: str = "status") -> Vocabulary | None:
        """The vocabulary of one source and record type (``kind="stage"`` for a stage column)."""
        for v in self.vocabularies:
            if v.source == source and v.record_type == record_type and v.kind == kind:
                return v
        return None

    def truth(self, domain: str) -> DomainTruth | None:
        """The claims on one domain (``pipeline``, ``execution``, ``billing``, ``payment``)."""
        return next((t for t in self.truths if t.domain == domain), None)

    def handoff(self, source: str, target: str) -> Handoff | None:
        """The hand-off between two stages (``"scheduled"``, ``"completed"``)."""
        return next((h for h in self.handoffs if h.source == source and h.target == target), None)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form, ``driftcheck.discovery/1``: every section; the scan's findings, not the whole scan."""
        out = asdict(self)
        scan = out.pop("scan")
        out = {"schema": SCHEMA, **out}
        out["findings"] = scan.get("findings", [])
        out["lifecycle"] = scan.get("lifecycle", {})
        for t, truth in zip(out["truths"], self.truths, strict=True):
            t["two_truths"] = truth.two_truths
        return out
