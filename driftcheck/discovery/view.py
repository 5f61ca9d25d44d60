"""The view of a discovery every renderer draws: sections of titled tables of text cells.

Terminal, plain text, Markdown and HTML render this one model (the way the scan
reports share :func:`driftcheck.report.html.page_model`), so they all say the same
thing in the same words. Cells are plain strings; a row may carry a ``flag``
(``unmapped``, ``review``, ``stuck``, ``drift``, ``disagree``, ``stale``, ``unlinked``) and ``detail`` sentences (the
evidence behind a suggestion).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lifecycle import STAGES
from .model import POSITION_TEXT_SHORT, POSITIONS, Discovery, Placement, Vocabulary
from .vocabulary import DERIVED

__all__ = ["Row", "Table", "days", "pct", "system_label", "view"]

_SYSTEM_LABELS = {"hubspot": "HubSpot", "pipedrive": "Pipedrive", "quickbooks": "QuickBooks",
                  "xero": "Xero", "jobber": "Jobber", "csv": "CSV"}
_STAGE_LABELS = {"open": "not won yet", "won": "won", "deposit": "deposit paid", "scheduled": "scheduled",
                 "completed": "completed", "invoiced": "fully invoiced", "paid": "paid in full"}
_PLURAL = {"deal": "deals", "job": "jobs", "invoice": "invoices", "payment": "payments", "deposit": "deposits"}
_COVERAGE = {"email": "email", "phone": "phone", "address": "address", "job_ref": "names a job #",
             "invoice_ref": "names an invoice #"}


@dataclass
class Row:
    """One table row: text cells, an optional flag and evidence sentences."""

    cells: list[str]
    flag: str | None = None
    detail: list[str] = field(default_factory=list)


@dataclass
class Table:
    """A titled table of text cells (``numeric`` columns are right-aligned)."""

    title: str
    columns: list[str]
    rows: list[Row]
    note: str = ""
    numeric: tuple[int, ...] = ()


def system_label(system: str) -> str:
    """``pipedrive`` -> ``Pipedrive``."""
    return _SYSTEM_LABELS.get(system, system)


def pct(share: float | None) -> str:
    """``0.934`` -> ``93%``; None -> ``—``."""
    return "—" if share is None else f"{round(share * 100):d}%"


def days(value: float | None) -> str:
    """``2.0`` -> ``2 d``; None -> ``—``."""
    return "—" if value is None else f"{value:.0f} d"


def _placement_text(p: Placement | None) -> str:
    if p is None or not p.records:
        return ""

    def part(counts: dict[str, int]) -> str:
        return ", ".join(f"{POSITION_TEXT_SHORT[k]} {counts[k]}" for k in POSITIONS if counts.get(k))

    if p.dated:
        return f"then: {part(p.then)} · now: {part(p.now)}"
    return f"now: {part(p.now)}"


def _column_text(v: Vocabulary) -> str:
    if v.column == DERIVED:
        return "status derived by the reader"
    return f"column '{v.column}'" + (" (not read by the status map)" if v.kind == "stage" else "")


def _sources(d: Discovery) -> Table:
    rows = []
    for s in d.sources:
        kinds = ", ".join(f"{n} {_PLURAL.get(t, t)}" for t, n in s.by_type.items()) or "no records"
        span = f"{s.first} – {s.last}" if s.first and s.last else "—"
        fresh = f"{s.newest} ({s.age_days} d)" if s.newest else "—"
        if s.stale_cache:
            fresh += f"; {s.stale_cache}"
        merged = s.records - sum(s.by_type.values())
        skipped = [f"{w.get('message')} ({w.get('count', 1)})" for w in s.skipped_reasons]
        if merged > 0:
            skipped.append(f"{merged} rows repeat records another {system_label(s.system)} export holds (kept once)")
        why = f"{s.format}: {s.reason}" if s.reason else s.format
        rows.append(Row(
            [s.name, f"{system_label(s.system)} ({s.role})", kinds, fresh, "; ".join(skipped) or "none"],
            flag="stale" if (s.age_days or 0) > 7 else None,
            detail=[f"records dated {span}", f"detected as {why}"],
        ))
    return Table("Sources: what each file is (and why we think so), how much, how fresh",
                 ["file", "system", "records", "newest (age)", "rows skipped and why"], rows)


def _vocab(v: Vocabulary) -> Table:
    rows = []
    for e in v.entries:
        placed = _placement_text(e.placement)
        if v.kind == "stage":
            statuses = ", ".join(f"{k} {n}" for k, n in e.by_status.items())
            guess = f"looks like {e.suggestion.state} ({e.suggestion.confidence})" if e.suggestion else "no suggestion"
            rows.append(Row([e.value, str(e.count), statuses, guess, placed], flag=None,
                            detail=list(e.suggestion.evidence) if e.suggestion else []))
            continue
        if e.state is None:
            if e.suggestion:
                state = f"UNMAPPED: suggest {e.suggestion.state} ({e.suggestion.confidence})"
                detail = list(e.suggestion.evidence)
            else:
                state, detail = "UNMAPPED: no suggestion", []
            rows.append(Row([e.value, str(e.count), state, "no map covers it", placed], "unmapped", detail))
        else:
            detail = [f"review: {e.note}"] if e.note else []
            rows.append(Row([e.value, str(e.count), e.state, e.mapped_by or "", placed], "review" if e.note else None, detail))
    kind = "stages" if v.kind == "stage" else "statuses"
    title = f"{v.source}: {v.record_type} {kind}, {_column_text(v)}"
    if v.kind == "stage":
        cols = ["stage", "deals", "by status", "what it looks like", "where open deals' jobs sit"]
        note = "driftcheck reads a deal's state from its status; this pipeline's stages are shown for what they say."
    else:
        cols = ["value", "records", "state", "mapped by", "where their jobs sit (then → now)"]
        note = ""
    return Table(title, cols, rows, note=note, numeric=(1,))


def _coverage(d: Discovery) -> Table:
    keys = list(_COVERAGE)
    rows = [Row([c.source, system_label(c.system), str(c.records), *(pct(c.shares.get(k)) for k in keys)]) for c in d.coverage]
    return Table("Key coverage: share of records carrying each linking key",
                 ["source", "system", "records", *(_COVERAGE[k] for k in keys)], rows,
                 note="A job's own number is not counted as naming a job; a Jobber job names its invoices, an invoice its job.",
                 numeric=tuple(range(2, 3 + len(keys))))


def _linking(d: Discovery) -> list[Table]:
    lk = d.linking
    rows = []
    for s in lk.sources:
        reach = ", ".join(f"{system_label(k)} {pct(v / s.records if s.records else None)}" for k, v in s.to_systems.items())
        methods = ", ".join(f"{k} {v}" for k, v in sorted(s.by_method.items(), key=lambda kv: -kv[1]))
        lonely = s.records - s.linked
        rows.append(Row([s.source, str(s.records), pct(s.linked / s.records if s.records else None), reach or "—", methods,
                         str(lonely)], "unlinked" if lonely else None,
                        [f"not linked: {', '.join(s.unlinked_examples)}" + (" …" if lonely > len(s.unlinked_examples) else "")]
                        if s.unlinked_examples else []))
    sources = Table("How the systems link", ["source", "records", "linked", "in a job with", "by method", "left unlinked"],
                    rows, numeric=(1, 2, 5),
                    note=f"{lk.jobs} jobs; {lk.ambiguous} records could belong to more than one job; "
                         f"{lk.duplicates} customers appear under two names in one system.")
    pairs = Table("Links between systems", ["systems", "links", "methods"],
                  [Row([f"{system_label(p['a'])} ↔ {system_label(p['b'])}", str(p["links"]),
                        ", ".join(f"{k} {v}" for k, v in p["methods"].items())]) for p in lk.pairs], numeric=(1,))
    combos = Table("Jobs by the systems that hold them", ["systems", "jobs"],
                   [Row([" + ".join(system_label(x) for x in k.split(" + ")), str(v)]) for k, v in lk.combinations.items()],
                   numeric=(1,))
    return [sources, pairs, combos]


def _truths(d: Discovery) -> list[Table]:
    out = []
    for t in d.truths:
        rows = []
        for c in t.claims:
            states = ", ".join(f"{k} {v}" for k, v in c.states.items())
            who = f"{system_label(c.system)} {_PLURAL.get(c.record_type, c.record_type)}"
            if c.owner:
                rows.append(Row([who, c.role, "owner", states, "—"]))
                continue
            if t.domain == "payment":
                rows.append(Row([who, c.role, "also records it", states, "events: not compared"]))
                continue
            disagree = c.compared - c.agree
            cmp = (f"disagree on {disagree} of {c.compared} ({pct(disagree / c.compared)}): ahead {c.ahead}, "
                   f"behind {c.behind}, cancelled/void {c.other}") if c.compared else "nothing to compare"
            rows.append(Row([who, c.role, "second version", states, cmp], "disagree" if disagree else None))
        owner = ", ".join(system_label(s) for s in t.owner_systems) or f"no {t.owner_role} system in these exports"
        if t.two_truths:
            head = (f"{t.domain}: {len({c.system for c in t.claims})} systems carry a status, so there are two versions "
                    f"of the truth. {owner} ({t.owner_role}) owns it by default")
            if t.domain != "payment":
                head += f"; {t.conflicts} status-conflict finding{'s' if t.conflicts != 1 else ''} now"
        elif t.claims and not t.owner_systems:
            who = ", ".join(sorted({system_label(c.system) for c in t.claims}))
            head = (f"{t.domain}: only {who} carries it; its owner by default ({t.owner_role}) has no records of it "
                    "in these exports")
        else:
            head = f"{t.domain}: one version of the truth, {owner} ({t.owner_role})" if t.claims else f"{t.domain}: no system carries it"
        out.append(Table(head, ["system", "role", "claim", "states", "against the owner"], rows))
    return out


def _flow(d: Discovery) -> list[Table]:
    stage_rows = []
    for s in d.stages:
        stuck = f"{s.stuck} > {s.stuck_after} d ({s.rule})" if s.stuck_after is not None else "—"
        stage_rows.append(Row([_STAGE_LABELS.get(s.stage, s.stage), str(s.reached), str(s.sitting), stuck],
                              "stuck" if s.stuck else None,
                              [f"stuck: {', '.join(s.stuck_examples)}"] if s.stuck_examples else []))
    exits = ", ".join(f"{k} {v}" for k, v in d.exits.items())
    stages = Table("Lifecycle: jobs at each stage", ["stage", "reached", "sitting here", "stuck"], stage_rows,
                   note=f"Outside the flow: {exits}.", numeric=(1, 2))
    hand_rows = []
    for h in d.handoffs:
        rev = f"{h.reversed}" if h.reversed else "0"
        hand_rows.append(Row([f"{_STAGE_LABELS[h.source]} → {_STAGE_LABELS[h.target]}", days(h.median), days(h.p90),
                              str(h.measured), rev, f"{h.drift} ({', '.join(h.rules)})" if h.rules else str(h.drift)],
                             "drift" if h.drift else None))
    hands = Table("Hand-offs: days between stages and the drift found there",
                  ["hand-off", "median", "p90", "jobs", "other way round", "drift findings"], hand_rows,
                  note="'scheduled' is dated by the first visit (exports do not say when it was booked).",
                  numeric=(1, 2, 3, 4))
    th_rows = []
    for t in d.thresholds:
        proposed = str(t.proposed) if t.proposed is not None else "keep"
        th_rows.append(Row([t.rule, f"{t.default} d", days(t.median), days(t.p90), str(t.measured), proposed],
                           "review" if t.proposed is not None else None, [f"{t.measures}: {t.reason}"]))
    thresholds = Table("Rule thresholds against this business's own timing",
                       ["rule", "threshold", "median", "p90", "measured", "proposed"], th_rows, numeric=(1, 2, 3, 4))
    return [stages, hands, thresholds]


def flow_line(d: Discovery) -> str:
    """The flow in one line of text: ``won 123 ─(1 d/3 d)→ deposit 138 ─…``."""
    parts = []
    by_stage = {s.stage: s for s in d.stages}
    hand = {h.source: h for h in d.handoffs}
    for st in STAGES:
        s = by_stage.get(st)
        parts.append(f"{st} {s.reached if s else 0}")
        h = hand.get(st)
        if h is not None:
            drift = f", {h.drift} drift" if h.drift else ""
            parts.append(f" ─({days(h.median)}/{days(h.p90)}{drift})→ ")
    return "".join(parts)


def _warnings(d: Discovery) -> list[str]:
    """Warnings the sources table does not already show (skipped rows are there)."""
    shown = {(s.name, str(w.get("message"))) for s in d.sources for w in s.skipped_reasons}
    return [f"{w.get('source', '')}: {w.get('message', '')}" for w in d.warnings
            if (str(w.get("source")), str(w.get("message"))) not in shown]


def view(d: Discovery) -> dict[str, Any]:
    """The sections of the discovery, as the renderers draw them."""
    findings = d.scan.get("findings", [])
    two = [t.domain for t in d.truths if t.two_truths]
    stage_values = sum(len(v.entries) for v in d.vocabularies if v.kind == "stage")
    title = "Discovery" + (f": {d.business}" if d.business else "") + f", as of {d.as_of}"
    return {
        "title": title,
        "summary": [
            ("sources", str(len(d.sources))),
            ("records", str(sum(s.records for s in d.sources))),
            ("jobs", str(d.jobs)),
            ("unmapped values", str(len(d.unmapped))),
            *([("stage values (not read)", str(stage_values))] if stage_values else []),
            ("two versions of the truth", ", ".join(two) or "none"),
            ("drift findings", str(len(findings))),
        ],
        "sources": _sources(d),
        "vocabularies": [_vocab(v) for v in d.vocabularies],
        "coverage": _coverage(d),
        "linking": _linking(d),
        "truths": _truths(d),
        "flow": _flow(d),
        "flow_line": flow_line(d),
        "warnings": _warnings(d),
    }
