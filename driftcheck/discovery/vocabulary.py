"""Status vocabularies: every value a source writes, what it maps to, and a guess for the rest.

For each source and record type, every distinct raw status is listed with its count,
the lifecycle state the scan gives it and which map layer said so (the vendor's
built-in map, or ``driftcheck.toml`` by system or by source). A deal export that keeps
its pipeline stage in a column of its own (Pipedrive: ``Deal - Status`` is read,
``Deal - Stage`` is not) gets a second, *stage* vocabulary, shown but not read.

A value no map covers gets a :class:`~driftcheck.discovery.model.Suggestion` from two
kinds of evidence, each stated in words:

* **name**: rapidfuzz similarity to the lifecycle state names, common synonyms
  ("Signed", "Install Booked", "Job Done", "Dead") and every vendor's built-in vocabulary;
* **timing**: where the jobs of the records holding the value sit by the *other*
  systems' evidence (deposit paid, scheduled, complete, invoiced, paid), at the date the
  record took its status (a deal's close date) and now. A deal whose job later got a
  deposit or work was won; a deal at a stage whose jobs are all scheduled and not done
  says "scheduled".

The name wins when the timing agrees with it; otherwise the timing does. A mapped value
whose records sit clearly later than its state (deals marked "Won" only once the job was
paid) gets a note.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..lifecycle import DOMAINS
from .model import POSITION_TEXT, POSITION_TEXT_SHORT, POSITIONS, Placement, Suggestion, VocabEntry, Vocabulary

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config

__all__ = ["DERIVED", "SYNONYMS", "late_note", "name_match", "placements", "record_groups", "stage_column", "suggest",
           "vocabularies"]

#: Common names for each lifecycle state in small-business tools (besides the state names
#: and every vendor's built-in vocabulary, which are added at run time).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "open": (
        "new", "new lead", "lead", "lead in", "enquiry", "inquiry", "qualified", "contacted", "contact made",
        "site visit", "site survey", "survey", "survey booked", "estimate", "estimate sent", "quote",
        "quote sent", "quoted", "proposal", "proposal sent", "proposal made", "negotiation",
        "negotiations started", "follow up", "appointment scheduled", "consultation", "in discussion",
    ),
    "won": (
        "closed won", "signed", "contract signed", "accepted", "quote accepted", "deposit received",
        "deposit paid", "sold", "approved", "committed", "agreed", "go ahead",
    ),
    "lost": (
        "closed lost", "dead", "declined", "rejected", "no sale", "not interested", "went elsewhere",
        "lost to competitor", "unresponsive",
    ),
    "unscheduled": ("to be scheduled", "awaiting scheduling", "needs scheduling", "to book"),
    "scheduled": (
        "booked", "booked in", "install booked", "install scheduled", "job booked", "job scheduled",
        "work scheduled", "upcoming", "planned", "in the diary",
    ),
    "in_progress": ("in progress", "started", "underway", "on site", "work started", "install in progress"),
    "completed": (
        "complete", "job complete", "job completed", "job done", "done", "finished", "work complete",
        "installed", "install complete", "handover", "handed over",
    ),
    "cancelled": ("canceled", "job cancelled", "abandoned", "withdrawn"),
    "invoiced": ("invoice sent", "billed", "final invoice", "final invoice sent", "awaiting payment", "invoice raised"),
    "partially_paid": ("partially paid", "part paid", "part payment", "deposit only"),
    "paid": ("paid in full", "settled", "payment received", "fully paid", "closed paid"),
    "void": ("voided", "written off", "bad debt", "credited"),
    "received": ("payment", "deposit"),
    "refunded": ("refund",),
}

#: States a value of each record type may take. A CRM deal may carry any job state: a
#: custom stage ("Install Booked", "Paid") is a claim about execution or billing.
_ALLOWED: dict[str, tuple[str, ...]] = {
    "deal": ("open", "won", "lost", "unscheduled", "scheduled", "in_progress", "completed", "cancelled",
             "invoiced", "partially_paid", "paid"),
    "job": DOMAINS["execution"],
    "invoice": DOMAINS["billing"],
    "payment": DOMAINS["payment"],
    "deposit": DOMAINS["payment"],
}

#: Positions (see model.POSITIONS) a record in each state plausibly sits at, when it took that state.
_PLAUSIBLE: dict[str, frozenset[str]] = {
    "open": frozenset({"none"}),
    "won": frozenset({"none", "deposit"}),
    "lost": frozenset({"none"}),
    "unscheduled": frozenset({"none", "deposit"}),
    "scheduled": frozenset({"deposit", "scheduled"}),
    "in_progress": frozenset({"scheduled"}),
    "completed": frozenset({"completed", "invoiced", "paid"}),
    "cancelled": frozenset({"none", "deposit"}),
    "invoiced": frozenset({"completed", "invoiced"}),
    "partially_paid": frozenset({"completed", "invoiced"}),
    "paid": frozenset({"paid"}),
    "void": frozenset(POSITIONS),
    "received": frozenset(POSITIONS),
    "refunded": frozenset(POSITIONS),
}

#: The state a position implies, per record type (None: timing says nothing for that type).
_TIMING_STATE: dict[str, dict[str, str]] = {
    "deal": {"none": "open", "deposit": "won", "scheduled": "scheduled", "completed": "completed",
             "invoiced": "invoiced", "paid": "paid"},
    "job": {"none": "unscheduled", "deposit": "unscheduled", "invoiced": "completed", "paid": "completed"},
    "invoice": {"paid": "paid", "invoiced": "invoiced", "completed": "invoiced"},
}

#: The column of a status the reader derives (Jobber's jobs export has no status column;
#: QuickBooks reports give an open balance, not a status).
DERIVED = "(derived by the reader)"

#: Evidence is too thin below this many placed records.
_MIN_PLACED = 3
#: A mapped value gets a "sits later" note when at least this share of (and _MIN_LATE) records do.
_LATE_SHARE = 0.5
_MIN_LATE = 5
#: A note names the state a value looks like only when one position holds this share of its records.
_DOMINANT = 0.6
#: rapidfuzz scores (0-100): a name match needs at least _NAME_MIN; _NAME_EXACT is a synonym hit.
_NAME_MIN = 86
_NAME_EXACT = 99

_SYSTEM_LABELS = {"hubspot": "HubSpot", "pipedrive": "Pipedrive", "quickbooks": "QuickBooks",
                  "xero": "Xero", "jobber": "Jobber", "csv": "CSV"}


def _missing(v: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[tuple[str, str, str]]]:
    """record type -> [(normalised phrase, state, where the phrase comes from)]."""
    from ..statusmap import builtin_map

    table: list[tuple[str, str, str]] = []
    for state, words in SYNONYMS.items():
        table.append((_norm(state.replace("_", " ")), state, "the state's name"))
        table.extend((_norm(w), state, "a common name") for w in words)
    for system, label in _SYSTEM_LABELS.items():
        for rtype, mapping in builtin_map(system).items():
            for raw, state in mapping.items():
                table.append((_norm(raw), state, f"{label}'s {rtype} status"))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for rtype, allowed in _ALLOWED.items():
        seen: set[tuple[str, str]] = set()
        rows = []
        for phrase, state, origin in table:
            if state in allowed and phrase and (phrase, state) not in seen:
                seen.add((phrase, state))
                rows.append((phrase, state, origin))
        out[rtype] = rows
    return out


def name_match(value: str, record_type: str) -> tuple[str, str, float, str] | None:
    """The lifecycle state a status value's name suggests.

    Args:
        value: the status as exported ("Install Booked").
        record_type: what the record is; limits the states (an invoice status is a billing state).

    Returns:
        ``(state, phrase, score, origin)``: the best phrase and its rapidfuzz score (0-100),
        or None when nothing scores at least 86.

    Example:
        >>> name_match("Job Done", "deal")[:2]
        ('completed', 'job done')
    """
    from rapidfuzz import fuzz, process

    rows = _phrases().get(record_type, [])
    key = _norm(value)
    if not rows or not key:
        return None
    hit = process.extractOne(key, [r[0] for r in rows], scorer=fuzz.token_sort_ratio)
    if hit is None or hit[1] < _NAME_MIN:
        return None
    phrase, score, idx = hit
    state = rows[idx][1]
    # several phrases may tie at the same score for different states: a tie is no evidence
    rivals = {r[1] for r in rows if fuzz.token_sort_ratio(key, r[0]) >= score}
    if len(rivals) > 1 and score < _NAME_EXACT:
        return None
    return state, phrase, float(score), rows[idx][2]


# --------------------------------------------------------------------------- timing


def record_groups(records: pd.DataFrame, owners: dict[str, str]) -> pd.Series:
    """The record group (``deal``, ``job``, ``acc_invoice``, ``ops_invoice``, ``payment``) of each record."""
    import numpy as np
    import pandas as pd

    from ..jobs import record_group_masks

    masks = record_group_masks(records, owners)
    out = np.full(len(records), "", dtype=object)
    for name, mask in masks.items():
        out[mask.to_numpy(dtype=bool)] = name
    return pd.Series(out, index=records.index)


#: Positions whose evidence comes from a record group itself (excluded when placing that group).
_OWN = {"deal": (), "job": ("scheduled", "completed"), "acc_invoice": ("invoiced", "paid"),
        "ops_invoice": (), "payment": ("deposit", "paid")}


def placements(
    records: pd.DataFrame,
    positions: pd.DataFrame,
    groups: pd.Series,
    as_of: Any,
    *,
    value_col: str = "raw_status",
) -> dict[tuple[str, str, str], Placement]:
    """Where each (source, record type, value)'s records sit, by the other systems.

    Args:
        records: linked records (``job`` set); only rows with a value are placed.
        positions: :func:`driftcheck.discovery.flow.stage_dates` of the job table (stage flags and dates).
        groups: :func:`record_groups` of ``records``.
        as_of: the audit date (a status date after it counts as "now").
        value_col: the column holding the value (``raw_status`` or a stage column).

    Returns:
        ``{(source, record_type, value): Placement}``.
    """
    import numpy as np
    import pandas as pd

    recs = records[records[value_col].notna()]
    if recs.empty:
        return {}
    pos = positions.reindex(recs["job"].astype(str).to_numpy())
    grp = groups.reindex(recs.index).to_numpy()
    at = pd.to_datetime(recs["closed"]).where(lambda s: s <= pd.Timestamp(as_of))
    dated = at.notna().to_numpy()
    at_v = at.to_numpy()
    steps = POSITIONS[1:]
    now = np.zeros((len(recs), len(steps)), dtype=bool)
    then = np.zeros_like(now)
    for i, p in enumerate(steps):
        own = np.isin(grp, [g for g, excl in _OWN.items() if p in excl])
        reached = pos[p].fillna(False).to_numpy(dtype=bool) & ~own
        when = pd.to_datetime(pos[f"{p}_at"]).to_numpy()
        now[:, i] = reached
        then[:, i] = reached & dated & (when <= at_v)
    # furthest position reached: 0 = none, 1..5 = steps
    furthest_now = np.where(now.any(axis=1), len(steps) - np.argmax(now[:, ::-1], axis=1), 0)
    furthest_then = np.where(then.any(axis=1), len(steps) - np.argmax(then[:, ::-1], axis=1), 0)
    frame = pd.DataFrame(
        {
            "source": recs["source"].astype(str).to_numpy(),
            "record_type": recs["record_type"].astype(str).to_numpy(),
            "value": recs[value_col].astype(str).to_numpy(),
            "now": np.asarray(POSITIONS, dtype=object)[furthest_now],
            "then": np.where(dated, np.asarray(POSITIONS, dtype=object)[furthest_then], None),
        }
    )
    keys = ["source", "record_type", "value"]
    sizes = frame.groupby(keys).size()
    now_t = frame.groupby(keys)["now"].value_counts().unstack(fill_value=0)
    dated_f = frame.dropna(subset=["then"])
    then_t = dated_f.groupby(keys)["then"].value_counts().unstack(fill_value=0) if len(dated_f) else None
    out: dict[tuple[str, str, str], Placement] = {}
    for key, n in sizes.items():
        now_row = now_t.loc[key]
        then_row = then_t.loc[key] if then_t is not None and key in then_t.index else None
        out[key] = Placement(
            records=int(n),
            now={p: int(now_row[p]) for p in POSITIONS if p in now_row.index and now_row[p]},
            then={p: int(then_row[p]) for p in POSITIONS if then_row is not None and p in then_row.index and then_row[p]},
            dated=int(then_row.sum()) if then_row is not None else 0,
        )
    return out


def _timing_state(placement: Placement, record_type: str) -> tuple[str | None, list[str]]:
    """The state the timing implies, and the sentences saying why."""
    states = _TIMING_STATE.get(record_type, {})
    if placement.records < _MIN_PLACED or not states:
        return None, []
    evidence = []
    if placement.dated >= _MIN_PLACED:
        pos, n = Placement.modal(placement.then)
        evidence.append(f"when they took this status, {n} of {placement.dated} of their jobs {POSITION_TEXT[pos]}")
        if pos == "none" and record_type == "deal":
            went_on = sum(c for p, c in placement.now.items() if p != "none")
            if went_on * 2 >= placement.records:
                evidence.append(f"{went_on} of {placement.records} went on to a deposit, visit or invoice, so the deal was won")
                return "won", evidence
        return states.get(pos or ""), evidence
    pos, n = Placement.modal(placement.now)
    evidence.append(f"{n} of {placement.records} of their jobs {POSITION_TEXT[pos].replace('had ', 'have ').replace('were ', 'are ')}")
    return states.get(pos or ""), evidence


def _position_for_check(placement: Placement) -> str | None:
    pos, _ = Placement.modal(placement.then if placement.dated >= _MIN_PLACED else placement.now)
    return pos


def suggest(value: str, record_type: str, placement: Placement | None) -> Suggestion | None:
    """A lifecycle state for an unmapped value, from its name and where its records sit.

    Returns:
        The suggestion with its evidence, or None when neither the name nor the timing
        says anything.

    Example:
        >>> suggest("Install Booked", "deal", None).state
        'scheduled'
    """
    named = name_match(value, record_type)
    timed, t_evidence = _timing_state(placement, record_type) if placement is not None else (None, [])
    name_state = named[0] if named else None
    name_text = None
    if named:
        state, phrase, score, origin = named
        like = "is" if score >= _NAME_EXACT else "resembles"
        name_text = f"the name {like} '{phrase}' ({origin}: {state.replace('_', ' ')})"
    pos = _position_for_check(placement) if placement is not None and placement.records >= _MIN_PLACED else None
    if name_state and (timed is None or pos is None or pos in _PLAUSIBLE[name_state] or timed == name_state):
        confidence = "high" if timed is not None else ("medium" if named and named[2] >= _NAME_EXACT else "low")
        return Suggestion(name_state, confidence, [e for e in (name_text, *t_evidence) if e], name_state, timed)
    if timed is not None:
        evidence = list(t_evidence)
        if name_state:
            evidence.append(f"{name_text}, but that does not fit where the records sit")
        return Suggestion(timed, "medium", evidence, name_state, timed)
    return None


def late_note(entry: VocabEntry, record_type: str) -> tuple[str, str] | None:
    """A note when a mapped value's records sit clearly later than its state: (sentence, state it fits)."""
    p = entry.placement
    if p is None or entry.state is None or entry.state not in _PLAUSIBLE:
        return None
    counts, total, when = (p.then, p.dated, "when they took this status") if p.dated >= _MIN_PLACED else (p.now, p.records, "now")
    plausible = _PLAUSIBLE[entry.state]
    top = max(POSITIONS.index(x) for x in plausible)
    late = {x: c for x, c in counts.items() if POSITIONS.index(x) > top}
    n_late = sum(late.values())
    if n_late < _MIN_LATE or n_late < _LATE_SHARE * total:
        return None
    pos, n = Placement.modal(late)
    if n < _DOMINANT * total:
        # spread over several later positions: the value does not say where its jobs are
        spread = ", ".join(f"{POSITION_TEXT_SHORT[x]} {late[x]}" for x in POSITIONS if late.get(x))
        return (f"{when}, {n_late} of {total} of their jobs are further along than '{entry.state}' ({spread}): "
                f"'{entry.value}' alone does not say where they are"), entry.state
    fits = _TIMING_STATE.get(record_type, {}).get(pos or "")
    text = f"{when}, {n} of {total} of their jobs {POSITION_TEXT[pos]}: later than '{entry.state}'"
    if fits and fits != entry.state:
        text += f"; here '{entry.value}' looks like '{fits}'"
    return text, fits or entry.state


# --------------------------------------------------------------------------- vocabularies


def _layer(config: Config, source: str, system: str, rtype: str, key: str) -> tuple[str | None, str | None]:
    """Which map layer covers a lower-cased value: (label, status_map key) or (None, None)."""
    from ..statusmap import builtin_map

    if key in config.status_map.get(source, {}).get(rtype, {}):
        return f"driftcheck.toml [status_map.{source}.{rtype}]", source
    if key in config.status_map.get(system, {}).get(rtype, {}):
        return f"driftcheck.toml [status_map.{system}.{rtype}]", system
    if key in builtin_map(system).get(rtype, {}):
        return f"{_SYSTEM_LABELS.get(system, system)}'s built-in map", system
    return None, None


def vocabularies(
    records: pd.DataFrame,
    config: Config,
    detections: dict[str, Any],
    placed: dict[tuple[str, str, str], Placement],
    stage_placed: dict[tuple[str, str, str], Placement],
) -> list[Vocabulary]:
    """Every status and stage vocabulary of the loaded sources.

    Args:
        records: the loaded records (states filled by the status maps).
        config: the config used (its status maps say which layer mapped a value).
        detections: source name -> ``connectors.Detection`` (header names), where known.
        placed: :func:`placements` of the raw statuses.
        stage_placed: :func:`placements` of the stage columns (open deals only).
    """
    out: list[Vocabulary] = []
    has_status = records[records["raw_status"].notna()]
    counts = has_status.groupby(["source", "system", "record_type", "raw_status"], observed=True, sort=True).agg(
        n=("record_id", "size"), state=("state", "first")
    )
    by_vocab: dict[tuple[str, str, str], list[VocabEntry]] = {}
    for (source, system, rtype, value), row in counts.iterrows():
        source, system, rtype, value = str(source), str(system), str(rtype), str(value)
        state = None if _missing(row["state"]) else str(row["state"])
        label, key = _layer(config, source, system, rtype, value.strip().lower())
        if state is not None and label is None:
            label = "read as its status flag"  # e.g. a HubSpot API stage with a won/lost flag
        entry = VocabEntry(value=value, count=int(row["n"]), state=state, mapped_by=label, map_key=key,
                           placement=placed.get((source, rtype, value)))
        if state is None:
            entry.suggestion = suggest(value, rtype, entry.placement)
        else:
            noted = late_note(entry, rtype)
            if noted:
                entry.note, entry.note_state = noted
        by_vocab.setdefault((source, system, rtype), []).append(entry)
    for (source, system, rtype), entries in by_vocab.items():
        det = detections.get(source)
        header = (getattr(det, "columns", {}) or {}).get("raw_status") if det is not None else None
        column = header or DERIVED
        entries.sort(key=lambda e: (-e.count, e.value))
        out.append(Vocabulary(source, system, rtype, column, "status", entries))
    out.extend(_stage_vocabularies(records, detections, stage_placed))
    order = {"deal": 0, "job": 1, "invoice": 2, "payment": 3, "deposit": 4}
    out.sort(key=lambda v: (order.get(v.record_type, 9), v.source, v.kind != "status"))
    return out


def stage_column(records: pd.DataFrame, detection: Any) -> str | None:
    """The record column holding a deal export's own stage column, when the status map does not read it."""
    cols = getattr(detection, "columns", {}) or {}
    header = cols.get("stage")
    if not header or header == cols.get("raw_status"):
        return None
    name = f"x:{header.strip()}"
    return name if name in records.columns else None


def _stage_vocabularies(records: pd.DataFrame, detections: dict[str, Any], placed: dict[tuple[str, str, str], Placement]) -> list[Vocabulary]:
    out = []
    for source, det in detections.items():
        recs = records[(records["source"] == source) & (records["record_type"] == "deal")]
        col = stage_column(recs, det)
        if col is None or recs.empty:
            continue
        recs = recs[recs[col].notna()]
        entries = []
        for value, grp in recs.groupby(col, sort=True):
            statuses = grp["raw_status"].fillna("(none)").astype(str).value_counts()
            placement = placed.get((source, "deal", str(value)))
            entry = VocabEntry(value=str(value), count=len(grp), state=None, mapped_by=None,
                               placement=placement, by_status={str(k): int(v) for k, v in statuses.items()})
            entry.suggestion = suggest(str(value), "deal", placement)
            entries.append(entry)
        entries.sort(key=lambda e: (-e.count, e.value))
        system = str(recs["system"].iloc[0]) if len(recs) else ""
        out.append(Vocabulary(source, system, "deal", col[2:], "stage", entries))
    return out
