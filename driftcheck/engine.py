"""The rule engine: rule packs (TOML data) in, findings out.

A rule pack is a TOML file of ``[[rules]]`` tables (see ``rules/checklist.toml``).
The engine knows *kinds* of rule, never individual rules:

``sequence``   when milestone A is reached, one of milestones B is expected within N days
``conflict``   two sources of truth say incompatible things (a lost deal with live work;
               a non-owner system contradicting the owner of a status)
``integrity``  orphans (a record linked to nothing it should be) and duplicate customers
``freshness``  a source whose newest record is older than N days
``threshold``  a value past a limit: an invoice overdue, unsent, an amount mismatch

Each kind is evaluated over the whole job table (or record frame) at once with
vectorised pandas; only the final formatting of the (few) findings loops.

Public API::

    rules = load_rules(config=cfg, extra_packs=[Path("my-rules.toml")])
    findings = evaluate(rules, context)   # -> list[Finding], sorted
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._fastpaths import enabled as _fast
from .config import SEVERITIES, Config
from .errors import ConfigError
from .jobs import MILESTONES, RECORD_GROUPS, record_group_masks
from .lifecycle import DOMAINS
from .model import Finding, SourceInfo

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["KINDS", "EvalContext", "Rule", "ambiguous_rows", "duplicate_rows", "evaluate", "finding_id", "load_rules", "message_fields", "run_examples"]

SYSTEM_NAMES = {
    "hubspot": "HubSpot", "pipedrive": "Pipedrive", "quickbooks": "QuickBooks",
    "xero": "Xero", "jobber": "Jobber", "csv": "CSV",
}
_SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_COMMON_KEYS = {"id", "title", "severity", "owner", "kind", "why", "within_days", "amount", "message",
                "examples", "aliases", "enabled", "handoff"}


# --------------------------------------------------------------------------- rules


@dataclass
class Rule:
    """One rule: identity, texts, kind and parameters."""

    id: str
    title: str
    severity: str
    owner: str
    kind: str
    why: str
    within_days: int
    message: str
    amount: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    enabled: bool = True
    pack: str = ""
    #: the lifecycle hand-off this rule watches, "won>deposit" (for the lifecycle flow in reports)
    handoff: str | None = None

    def threshold_text(self) -> str:
        return "immediately" if self.within_days == 0 else f"after {self.within_days} days"


@dataclass
class Kind:
    """A kind of rule: its parameters (name -> one-line meaning) and its evaluator."""

    name: str
    description: str
    params: dict[str, str]
    required: tuple[str, ...]
    evaluate: Callable[[Rule, EvalContext], pd.DataFrame]


def _pack_paths(extra: Iterable[Path]) -> list[tuple[str, Path | Any]]:
    """The built-in packs (``rules/*.toml``, checklist first), then the extra ones in order."""
    folder = resources.files("rules")
    names = sorted((e.name for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda n: (n != "checklist.toml", n))
    return [*((f"rules/{n}", folder.joinpath(n)) for n in names), *((str(p), p) for p in extra)]


def load_rules(config: Config | None = None, extra_packs: Iterable[Path] = ()) -> list[Rule]:
    """Load the default pack, then ``extra_packs`` and the config's ``rule_packs``; apply ``[rules.<id>]`` overrides.

    A later pack may redefine a rule id (it replaces the earlier one). Disabled rules
    are returned with ``enabled = False`` so ``driftcheck rules`` can show them.

    Raises:
        ConfigError: a pack is missing, not TOML, or a rule is invalid (names file, rule and key).
    """
    config = config or Config()
    by_id: dict[str, Rule] = {}
    for label, path in _pack_paths([*extra_packs, *config.rule_packs]):
        for rule in _read_pack(label, path):
            by_id[rule.id] = rule
    aliases = {a: r.id for r in by_id.values() for a in r.aliases}
    for rid, over in config.rules.items():
        target = by_id.get(rid) or by_id.get(aliases.get(rid, ""))
        if target is None:
            raise ConfigError(
                f"no rule with id {rid!r}; known rules: {', '.join(sorted(by_id))}",
                file=config.path, key=f"rules.{rid}",
            )
        _apply_override(target, over, config.path)
    return list(by_id.values())


def _read_pack(label: str, path: Any) -> list[Rule]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, FileNotFoundError) as exc:
        raise ConfigError("the rule pack cannot be read (does the file exist?)", file=label) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the rule pack is not valid TOML: {exc}", file=label) from exc
    tables = data.get("rules")
    if not isinstance(tables, list) or not tables:
        raise ConfigError("a rule pack needs at least one [[rules]] table", file=label, key="rules")
    return [_rule_from_table(t, label, i) for i, t in enumerate(tables)]


def _rule_from_table(t: dict[str, Any], file: str, i: int) -> Rule:
    rid = t.get("id")
    where = f"rules[{i}]" if not rid else f"rules.{rid}"

    def need(key: str, kind: type | tuple[type, ...], expected: str) -> Any:
        if key not in t:
            raise ConfigError(f"missing '{key}' ({expected})", file=file, key=where)
        if not isinstance(t[key], kind):
            raise ConfigError(f"'{key}' is {t[key]!r}, expected {expected}", file=file, key=f"{where}.{key}")
        return t[key]

    rid = need("id", str, "a kebab-case id such as 'invoice-overdue'")
    kind_name = need("kind", str, f"one of {', '.join(KINDS)}")
    if kind_name not in KINDS:
        raise ConfigError(f"unknown kind {kind_name!r}, expected one of {', '.join(KINDS)}", file=file, key=f"{where}.kind")
    kind = KINDS[kind_name]
    severity = need("severity", str, "high, medium or low")
    if severity not in SEVERITIES:
        raise ConfigError(f"severity is {severity!r}, expected high, medium or low", file=file, key=f"{where}.severity")
    within = t.get("within_days", 0)
    if not isinstance(within, int) or isinstance(within, bool) or within < 0:
        raise ConfigError(f"within_days is {within!r}, expected a whole number of days >= 0", file=file, key=f"{where}.within_days")
    params = {k: v for k, v in t.items() if k not in _COMMON_KEYS}
    unknown = sorted(set(params) - set(kind.params))
    if unknown:
        raise ConfigError(
            f"'{unknown[0]}' is not a parameter of kind '{kind_name}'; it takes: {', '.join(sorted(kind.params))}",
            file=file, key=f"{where}.{unknown[0]}",
        )
    for req in kind.required:
        if req not in params:
            raise ConfigError(f"kind '{kind_name}' needs '{req}' ({kind.params[req]})", file=file, key=where)
    rule = Rule(
        id=rid,
        title=str(t.get("title", rid)),
        severity=severity,
        owner=need("owner", str, "a team name, or 'system'"),
        kind=kind_name,
        why=str(t.get("why", "")),
        within_days=within,
        message=need("message", str, "the finding's sentence"),
        amount=t.get("amount"),
        params=params,
        examples=list(t.get("examples", [])),
        aliases=list(t.get("aliases", [])),
        enabled=bool(t.get("enabled", True)),
        pack=file,
        handoff=t.get("handoff"),
    )
    _check_milestones(rule, file, where)
    return rule


def _check_milestones(rule: Rule, file: str, where: str) -> None:
    for key in ("after", "expect", "unless", "when", "state", "contradicted_by", "linked_to"):
        value = rule.params.get(key)
        if value is None:
            continue
        names = [value] if isinstance(value, str) else value
        for name in names:
            if name not in MILESTONES:
                raise ConfigError(
                    f"unknown milestone {name!r}; known: {', '.join(sorted(MILESTONES))}",
                    file=file, key=f"{where}.{key}",
                )
    for key in ("records",):
        for g in rule.params.get(key, []) or []:
            if g not in RECORD_GROUPS:
                raise ConfigError(f"unknown record group {g!r}; known: {', '.join(RECORD_GROUPS)}", file=file, key=f"{where}.{key}")
    for d in rule.params.get("domains", []) or []:
        if d not in DOMAINS:
            raise ConfigError(f"unknown domain {d!r}; known: {', '.join(DOMAINS)}", file=file, key=f"{where}.domains")


def _apply_override(rule: Rule, over: dict[str, Any], file: Path | None) -> None:
    for key, value in over.items():
        k = f"rules.{rule.id}.{key}"
        if key == "enabled":
            if not isinstance(value, bool):
                raise ConfigError(f"found {value!r}, expected true or false", file=file, key=k)
            rule.enabled = value
        elif key == "severity":
            if value not in SEVERITIES:
                raise ConfigError(f"found {value!r}, expected high, medium or low", file=file, key=k)
            rule.severity = value
        elif key == "within_days":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"found {value!r}, expected a whole number of days >= 0", file=file, key=k)
            rule.within_days = value
        elif key in ("owner", "title", "message", "why"):
            if not isinstance(value, str):
                raise ConfigError(f"found {value!r}, expected text", file=file, key=k)
            setattr(rule, key, value)
        elif key in KINDS[rule.kind].params:
            if rule.params.get(key) is not None and type(value) is not type(rule.params[key]) and not (
                isinstance(value, (int, float)) and isinstance(rule.params[key], (int, float))
            ):
                raise ConfigError(f"found {value!r}, expected a value like {rule.params[key]!r}", file=file, key=k)
            rule.params[key] = value
            _check_milestones(rule, str(file), f"rules.{rule.id}")
        else:
            allowed = ["enabled", "severity", "within_days", "owner", "title", "message", "why", *KINDS[rule.kind].params]
            raise ConfigError(f"'{key}' cannot be set on this rule; settable: {', '.join(allowed)}", file=file, key=k)


# --------------------------------------------------------------------------- evaluation


@dataclass
class EvalContext:
    """Everything rules are evaluated against."""

    jobs: pd.DataFrame
    records: pd.DataFrame
    as_of: dt.date
    sources: list[SourceInfo] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    duplicates: pd.DataFrame | None = None
    ambiguous: pd.DataFrame | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    #: the ISO code messages write amounts in (None: dollars); see driftcheck.currency
    currency: str | None = None

    @property
    def as_of_ts(self):  # noqa: ANN201
        import pandas as pd

        return pd.Timestamp(self.as_of)

    @functools.cached_property
    def _packed_groups(self) -> dict[str, np.ndarray]:
        """Each record group's mask packed eight records a byte (a missing answer: outside)."""
        import numpy as np

        return {g: np.packbits(m.to_numpy(dtype=bool, na_value=False))
                for g, m in record_group_masks(self.records, self.owners).items()}

    def group_rows(self, groups: Iterable[str]) -> np.ndarray:
        """Which records belong to any of ``groups``, as numpy booleans.

        The masks are made once and kept packed: as boolean Series the five of them held
        33 MiB through every rule at 1M jobs, packed 4 MiB; unpacking one costs milliseconds.
        """
        import numpy as np

        n = len(self.records)
        out = np.zeros(n, dtype=bool)
        for g in groups:
            out |= np.unpackbits(self._packed_groups[g], count=n).view(bool)
        return out

    @functools.cached_property
    def cite_frame(self) -> pd.DataFrame:
        """Only the record columns evidence is built from: rules take rows of this narrow frame
        instead of the full record frame (half the rule stage's time at 10k jobs was copying
        columns no finding reads).

        The columns are the record frame's own, not copies: selecting a list of columns copied
        five of the six dates the frame stores together in one block into a new block (0.26 GB
        held through every rule at 1M jobs)."""
        import pandas as pd

        recs = self.records
        return pd.DataFrame({c: recs[c] for c in _CITE_COLUMNS if c in recs.columns}, copy=False)


def _rows(mask: pd.Series) -> np.ndarray:
    """A row mask as plain numpy booleans, a missing answer (NA) counting as False, as it does
    when a frame is indexed with the nullable mask itself."""
    return mask.to_numpy(dtype=bool, na_value=False)


def _isin_text(column: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """Which rows of a text column hold one of ``values``, as numpy booleans (missing: False).

    pyarrow's ``is_in`` on the column's own array is 3x faster than pandas' ``isin`` on a
    pyarrow-backed string column (1M jobs: 0.2 s against 0.7 s per lookup of 7M record ids).
    """
    chunked = getattr(column.array, "_pa_array", None)
    if not _fast() or chunked is None:
        return column.isin(values).to_numpy(dtype=bool, na_value=False)
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    # as pandas does: a missing value among ``values`` finds the missing rows; non-text finds nothing
    wanted = [v for v in values if isinstance(v, str) or (pd.api.types.is_scalar(v) and pd.isna(v))]
    found = pc.is_in(chunked, value_set=pa.array([v if isinstance(v, str) else None for v in wanted], type=chunked.type))
    return found.to_numpy(zero_copy_only=False)


def _m(jobs: pd.DataFrame, name: str) -> pd.Series:
    return jobs[MILESTONES[name][0]].astype(bool)


def _any(jobs: pd.DataFrame, names: Iterable[str] | str | None) -> pd.Series:
    import pandas as pd

    names = [names] if isinstance(names, str) else list(names or [])
    out = pd.Series(False, index=jobs.index)
    for n in names:
        out |= _m(jobs, n)
    return out


def _all(jobs: pd.DataFrame, names: Iterable[str] | None) -> pd.Series:
    import pandas as pd

    out = pd.Series(True, index=jobs.index)
    for n in names or []:
        out &= _m(jobs, n)
    return out


def _age_filter(hits: pd.DataFrame, since: pd.Series, rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    """Keep hits whose clock started more than ``within_days`` ago (0: on or before as_of)."""
    keep, age = _age_keep(since, rule, ctx)
    out = hits[keep].copy()
    out["since"] = since[keep]
    out["age_days"] = age[keep].astype("int64")
    return out


def _age_keep(since: pd.Series, rule: Rule, ctx: EvalContext) -> tuple[np.ndarray, pd.Series]:
    """Which clocks started more than ``within_days`` ago (numpy booleans), and each one's age in days."""
    age = (ctx.as_of_ts - since).dt.days
    # numpy masks: a boolean Series makes pandas check that its index equals the frame's, and
    # comparing two indexes of a million job keys took 0.5 s per rule at 1M jobs
    return _rows(since.notna() & (age >= 0) & ((age > rule.within_days) if rule.within_days > 0 else True)), age


def _take(recs: pd.DataFrame, rows: np.ndarray, cols: list[str]) -> pd.DataFrame:
    """Columns ``cols`` of the records at positions ``rows`` (labels kept), each column taken on
    its own: only the wanted values are copied, never the frame's other columns."""
    import pandas as pd

    return pd.DataFrame({c: recs[c].array.take(rows) for c in cols}, index=recs.index[rows], copy=False)


def _numbered(records: pd.DataFrame, ids: Iterable[Any] | None, cols: list[str]) -> pd.DataFrame:
    """``source``, ``record_id`` and ``cols`` (those the frame has) of the records whose number is
    one of ``ids`` (None: of every record). Only these columns are copied: the few rules and rows
    that look records up by number used to copy all thirty columns of every match."""
    import numpy as np

    rows = np.arange(len(records)) if ids is None else np.flatnonzero(_isin_text(records["record_id"], ids))
    return _take(records, rows, [c for c in ("source", "record_id", *cols) if c in records.columns])


def _job_hits(jobs: pd.DataFrame, mask: pd.Series, since_col: str | None, rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    import pandas as pd

    hits = jobs[_rows(mask)]
    since = hits[since_col] if since_col else pd.Series(pd.NaT, index=hits.index)
    out = _age_filter(hits, pd.to_datetime(since), rule, ctx)
    out["scope"] = "job"
    out["job"] = out.index.astype(str)
    return out.reset_index(drop=True)


def _eval_sequence(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    p = rule.params
    jobs = ctx.jobs
    mask = _m(jobs, p["after"]) & ~_any(jobs, p.get("expect")) & ~_any(jobs, p.get("unless")) & _all(jobs, p.get("when"))
    return _job_hits(jobs, mask, MILESTONES[p["after"]][1], rule, ctx)


def _eval_conflict(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    p = rule.params
    if p.get("mode", "milestones") == "owner":
        return _owner_conflicts(rule, ctx)
    jobs = ctx.jobs
    contra = p.get("contradicted_by", [])
    mask = _m(jobs, p["state"]) & _any(jobs, contra)
    out = _job_hits(jobs, mask, MILESTONES[p["state"]][1], rule, ctx)
    if not out.empty:
        phrases = {
            "ops_live": lambda r: f"{_sys(r.get('ops_system'))} has job {_ref(r.get('ops_id'))} ({r.get('ops_status')})",
            "acc_any": lambda r: f"{_sys(r.get('acc_system') or r.get('pay_system'))} has "
            + (f"invoice {_ref(r.get('acc_invoice_id'))}" if _present(r.get("acc_invoice_id")) else f"a payment {_ref(r.get('pay_id'))}"),
            "completed": lambda r: f"{_sys(r.get('ops_system'))} shows the job completed",
            "paid_any": lambda r: f"a payment {_ref(r.get('pay_id'))} was received",
        }
        texts = []
        for r in out.to_dict("records"):
            parts = [phrases.get(c, lambda _r, c=c: c.replace("_", " "))(r) for c in contra if bool(r.get(MILESTONES[c][0]))]
            texts.append(" and ".join(parts))
        out["contradiction"] = texts
    return out


_RANK = {
    "execution": {"unscheduled": 0, "scheduled": 1, "in_progress": 2, "completed": 3},
    "billing": {"invoiced": 0, "partially_paid": 1, "paid": 2},
}
_TERMINAL = {"execution": "cancelled", "billing": "void"}


def _owner_conflicts(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    """Records of a non-owner system whose state in a domain contradicts the domain owner's.

    A claim contradicts the owner when it is further along than the owner (says paid, the
    books show a balance; says complete, operations says scheduled), or when exactly one of
    them says the work or invoice is cancelled/void.
    """
    import pandas as pd

    recs = ctx.records
    owners = ctx.owners
    jobs = ctx.jobs
    frames = []
    state_domain = _state_domains(recs["state"])
    used = {"job", "record_id", "record_type", "state", "role", "balance", "raw_status", "system", "source", "amount",
            "paid", "updated", "completed", "created"}
    used.update(_record_columns(rule, ctx))
    cols = [c for c in recs.columns if c in used]
    for domain in rule.params.get("domains", []):
        owner_role = owners.get(domain)
        at = recs.index[_rows((state_domain == domain) & (recs["role"] != owner_role))]
        if not len(at):
            continue
        # billing: pair invoices by number with the owner's invoice of the same job; else compare with the job
        owner_rows = _rows((recs["record_type"] == "invoice") & (recs["role"] == owner_role)) if domain == "billing" else None
        if _fast():
            # Most claims agree with their owner (1M jobs: all of them). Decide on the few columns the
            # comparison reads, then build the full rows only for the claims that conflict (the wide
            # selection and merge of every claim took ~2 s at 1M jobs).
            conflicts = _billing_conflicts(recs, at, owner_rows, jobs) if owner_rows is not None else None
            if conflicts is None:
                decide = _owner_invoices(recs, owner_rows, ["state", "balance"])
                _, conflicts = _claims_against_owner(recs.loc[at, ["jid", "record_id", "state"]], domain, decide, jobs)
            at = at[conflicts]
            if not len(at):
                continue
        owner_inv = _owner_invoices(recs, owner_rows, ["state", "balance", "raw_status", "system", "source", "amount"])
        if owner_inv is not None:
            owner_inv = owner_inv.rename(columns={"o_raw_status": "o_status"})
        merged, conflicts = _claims_against_owner(recs.loc[at, cols], domain, owner_inv, jobs)
        hit = merged[conflicts].copy()
        if hit.empty:
            continue
        hit["domain"] = domain
        since = hit["paid"].fillna(hit["updated"]).fillna(hit["completed"]).fillna(hit["created"])
        hit["since_src"] = pd.to_datetime(since).fillna(ctx.as_of_ts)
        frames.append(hit)
    if not frames:
        return pd.DataFrame(columns=["job", "since", "age_days", "scope"])
    hits = pd.concat(frames, ignore_index=True)
    out = _age_filter(hits, hits["since_src"], rule, ctx)
    out["scope"] = "record"
    out["key"] = out["source"].astype(str) + ":" + out["record_id"].astype(str)
    out["claim_system_name"] = out["system"].map(SYSTEM_NAMES)
    out["claim_ref"] = [f"{_kind_word(t)} {_ref(i)}" for t, i in zip(out["record_type"], out["record_id"], strict=False)]
    out["claim_status"] = out["raw_status"]
    out["owner_system_name"] = out["o_system2"].map(SYSTEM_NAMES)
    out["owner_view"] = [_owner_view(r) for r in out.to_dict("records")]
    out["owner_role"] = out["role"]
    out["amount_v"] = out["o_balance2"].where(out["o_balance2"] > 0, out["amount"])
    return out


def _state_domains(state: pd.Series) -> pd.Series:
    """The lifecycle domain of each record's state (billing, execution...; missing: NA)."""
    import numpy as np
    import pandas as pd

    domain_of = {st: d for d, states in DOMAINS.items() for st in states}
    if not _fast() or not isinstance(state.dtype, pd.CategoricalDtype):
        return state.map(domain_of)
    # Each category's domain, spread by code. (``map`` of a categorical onto repeated values cannot
    # stay categorical, so pandas mapped all 7M rows as objects: 0.3 s at 1M jobs.)
    names = list(DOMAINS)
    # (int8: the spread codes are one byte per record, not eight)
    code_of = np.array([names.index(domain_of[c]) if c in domain_of else -1 for c in state.cat.categories] + [-1], dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(code_of[state.array.codes], categories=names), index=state.index)


def _owner_invoices(recs: pd.DataFrame, rows: np.ndarray | None, columns: list[str]) -> pd.DataFrame | None:
    """The billing owner's invoices (``rows`` of the records): job, number and ``columns``, these
    named ``o_<column>``. None outside billing (no rows)."""
    if rows is None:
        return None
    return recs.loc[rows, ["jid", "record_id", *columns]].rename(columns={c: f"o_{c}" for c in columns})


def _billing_conflicts(recs: pd.DataFrame, at: pd.Index, owner_rows: np.ndarray, jobs: pd.DataFrame) -> np.ndarray | None:
    """Which billing claims (rows ``at``) contradict the owner: :func:`_claims_against_owner`'s
    answer, computed on integer codes for the fast path. ``owner_rows``: numpy booleans marking
    the owner's invoices.

    A claim is paired with the owner's first invoice of the same job and number
    (:func:`_pair_by_job_and_number`, no merge), and states are compared through their
    categorical codes (rank, void, paid) instead of as text. None when ``state`` is not a
    categorical or the numbers are not pyarrow text; the caller then asks ``_claims_against_owner``.
    """
    import numpy as np
    import pandas as pd

    state = recs["state"]
    if not isinstance(state.dtype, pd.CategoricalDtype) or getattr(recs["record_id"].array, "_pa_array", None) is None:
        return None
    rank, term = _RANK["billing"], _TERMINAL["billing"]
    cats = list(state.cat.categories)
    # per state code (the extra last entry is a missing state, code -1): rank (-1: unranked), void, paid
    c_rank_of = np.array([rank.get(c, -1) for c in cats] + [-1])
    void_of = np.array([c == term for c in cats] + [False])
    paid_of = np.array([c == "paid" for c in cats] + [False])
    codes = state.array.codes
    pos = recs.index.get_indexer(at)
    c_code = codes[pos]
    o_pos = np.flatnonzero(owner_rows)
    jid = recs["jid"].to_numpy()

    # the owner's invoice of the same job and number (-1: none), and its state code and balance
    # (-1 and NaN for none); only the paired invoices' values are read (reading every owner
    # invoice's, 2M at 1M jobs, held three copies of them at the rules' highest point)
    pair = _pair_by_job_and_number(jid, recs["record_id"].array._pa_array, pos, o_pos)
    has_pair = pair >= 0
    o_at = o_pos[pair[has_pair]]
    del o_pos
    o_code = np.full(len(pair), -1, dtype=codes.dtype)
    o_code[has_pair] = codes[o_at]
    o_bal = np.full(len(pair), np.nan)
    o_bal[has_pair] = recs["balance"].array.take(o_at).to_numpy(dtype=float, na_value=np.nan)
    del o_at, has_pair, pair
    # an owner invoice without a state counts as no pair, as in _claims_against_owner
    paired = o_code >= 0

    # unpaired: the job's own billing view (fully paid -> paid, invoiced -> invoiced, else none)
    jid = jid[pos]
    fully_paid = jobs["m_fully_paid"].fillna(False).to_numpy(dtype=bool)[jid]
    invoiced = jobs["m_invoiced"].fillna(False).to_numpy(dtype=bool)[jid]
    job_bal = jobs["acc_balance"].to_numpy(dtype=float, na_value=np.nan)[jid]
    o_rank = np.where(paired, c_rank_of[o_code], np.where(fully_paid, rank["paid"], np.where(invoiced, rank["invoiced"], -1)))
    o_void = np.where(paired, void_of[o_code], False)
    o_known = paired | fully_paid | invoiced
    o_bal = np.where(paired, o_bal, job_bal)

    c_rank = c_rank_of[c_code]
    ahead = (c_rank >= 0) & (o_rank >= 0) & (c_rank > o_rank)
    ahead |= paid_of[c_code] & (np.nan_to_num(o_bal, nan=0.0) > 0.005)
    return o_known & (ahead | (void_of[c_code] ^ o_void))


#: how many (claim, owner invoice) candidates :func:`_pair_by_job_and_number` compares at a time
_PAIR_CHUNK = 1 << 18


def _pair_by_job_and_number(jid: np.ndarray, ids: Any, claims: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """For each claim (record positions ``claims``), the index in ``owners`` of the first owner
    invoice with the same job (``jid``) and the same number (``ids``, pyarrow text; two missing
    numbers match, as they share a code when factorised); -1 where there is none.

    The owner's invoices are sorted by job, so a claim is compared only with its own job's
    invoices, a few each. Factorising every claim's and invoice's number together (hash tables
    and a concatenated copy of 2.9M texts) peaked at 0.45 GB at 1M jobs; this holds a few
    integers per invoice, and compares at most ``_PAIR_CHUNK`` candidates at a time.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    pair = np.full(len(claims), -1, dtype=np.int64)
    if not len(claims) or not len(owners):
        return pair
    # positions held as int32 where they fit: a few per invoice held through the comparisons
    # (1M jobs: 2M owner invoices, 1M claims; 24 MB less at the rules' highest point)
    from ._memory import int_type

    small = int_type(max(len(owners), len(claims)))
    o_jid = jid[owners]
    order = np.argsort(o_jid, kind="stable").astype(small)  # by job; within a job, in the owner's order
    o_jid = o_jid[order]
    c_jid = jid[claims]
    start = np.searchsorted(o_jid, c_jid, side="left").astype(small)
    count = (np.searchsorted(o_jid, c_jid, side="right") - start).astype(small)
    del o_jid, c_jid
    # claims cut into runs of about _PAIR_CHUNK candidates (a claim with more stands alone)
    ends = np.cumsum(count, dtype=np.int64)
    cuts = np.unique(np.searchsorted(ends, np.arange(_PAIR_CHUNK, int(ends[-1]), _PAIR_CHUNK), side="left") + 1)
    for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(claims)], strict=True):
        n = count[a:b]
        if not n.sum():
            continue
        claim = np.repeat(np.arange(a, b), n)
        # each candidate's place within its claim's run of the job's invoices
        step = np.arange(len(claim)) - np.repeat(np.cumsum(n) - n, n)
        cand = order[start[claim] + step]
        x = pc.take(ids, pa.array(claims[claim]))
        y = pc.take(ids, pa.array(owners[cand]))
        same = pc.or_kleene(pc.equal(x, y), pc.and_(pc.is_null(x), pc.is_null(y))).fill_null(False)
        hit = np.flatnonzero(same.to_numpy(zero_copy_only=False))
        # a claim's candidates come in the owner's order: its first hit is the first invoice
        found, first = np.unique(claim[hit], return_index=True)
        pair[found] = cand[hit[first]]
    return pair


def _claims_against_owner(
    claims: pd.DataFrame, domain: str, owner_inv: pd.DataFrame | None, jobs: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """Each claim beside what the domain's owner says of it, and which claims contradict the owner.

    Returns the claims (one row each, in order) with the owner's view as ``o_state2``,
    ``o_balance2``, ``o_system2``, ``o_source`` and ``paired``, and a boolean array marking the
    rows where the claim is further along than the owner or exactly one side is cancelled/void.
    ``owner_inv`` (billing only) is the owner's invoices, their columns prefixed ``o_``; with
    only ``o_state`` and ``o_balance`` the answer is the same, without the owner's names.
    """
    import numpy as np
    import pandas as pd

    if owner_inv is not None:
        # Pair on integers: the job's jid and the invoice number's code in one factorisation of
        # both sides' numbers (a string merge hashed a million keys on each side twice).
        rid = pd.factorize(pd.concat([claims["record_id"], owner_inv["record_id"]], ignore_index=True))[0]
        claims = claims.assign(_rid=rid[: len(claims)])
        owner_inv = owner_inv.drop(columns="record_id").assign(_rid=rid[len(claims):])
        merged = claims.merge(owner_inv.drop_duplicates(["jid", "_rid"]), on=["jid", "_rid"], how="left").drop(columns="_rid")
        merged = _with_job_columns(merged, jobs, ["m_fully_paid", "m_invoiced", "acc_balance", "acc_system", "acc_source"])
        no_pair = merged["o_state"].isna()
        o_state = merged["o_state"].astype("object")
        o_state = o_state.where(~no_pair, np.where(merged["m_fully_paid"].fillna(False), "paid",
                                                   np.where(merged["m_invoiced"].fillna(False), "invoiced", None)))
        o_balance = merged["o_balance"].where(~no_pair, merged["acc_balance"])
        merged["o_state2"] = o_state
        merged["o_balance2"] = o_balance
        if "o_system" in merged.columns:  # absent when only deciding which claims conflict
            merged["o_source"] = merged["o_source"].where(~no_pair, merged["acc_source"])
            merged["o_system2"] = merged["o_system"].where(~no_pair, merged["acc_system"])
        merged["paired"] = ~no_pair
    else:
        merged = _with_job_columns(claims, jobs, ["ops_state", "ops_system", "ops_source", "ops_id", "ops_status"])
        merged["o_state2"] = merged["ops_state"].astype("object")
        merged["o_balance2"] = np.nan
        merged["o_system2"] = merged["ops_system"]
        merged["o_source"] = merged["ops_source"]
        merged["o_status"] = merged["ops_status"]
        merged["paired"] = False
    rank = _RANK[domain]
    term = _TERMINAL[domain]
    c_rank = merged["state"].map(rank)
    o_rank = merged["o_state2"].map(rank)
    c_term = merged["state"].eq(term)
    o_term = merged["o_state2"].eq(term)
    ahead = (c_rank > o_rank).fillna(False)
    terminal_mismatch = c_term ^ o_term
    if domain == "billing":
        # a paid claim against an owner that still shows money owed is the classic case
        owed = merged["o_balance2"].fillna(0) > 0.005
        ahead = ahead | (merged["state"].eq("paid") & owed)
    # a claim the owner says nothing about (no invoice, no job state) is not compared
    conflicts = merged["o_state2"].notna() & (ahead | terminal_mismatch).fillna(False).astype(bool)
    return merged, conflicts.to_numpy(dtype=bool)


def _with_job_columns(frame: pd.DataFrame, jobs: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``frame.join(jobs[cols], on="job")`` by position: a record's ``jid`` is its job's row in
    the job table, so no job key is hashed."""
    import pandas as pd

    part = jobs[cols].take(frame["jid"].to_numpy())
    part.index = frame.index
    return pd.concat([frame, part], axis=1)


def _kind_word(record_type: Any) -> str:
    return {"deal": "deal", "job": "job", "invoice": "invoice", "payment": "payment", "deposit": "deposit"}.get(str(record_type), "record")


def _owner_view(r: dict[str, Any]) -> str:
    state = r.get("o_state2")
    bal = r.get("o_balance2")
    if r.get("domain") == "billing":
        if _present(bal) and bal > 0.005:
            return f"{_money(bal)} is still open" + (f" ('{r.get('o_status')}')" if r.get("paired") and _present(r.get("o_status")) else "")
        return f"it is {str(state).replace('_', ' ')}"
    status = r.get("o_status")
    return f"the job is {str(state).replace('_', ' ')}" + (f" ('{status}')" if _present(status) else "")


def _eval_integrity(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    import numpy as np

    check = rule.params.get("check")
    if check == "orphan":
        rows = np.flatnonzero(ctx.group_rows(rule.params.get("records", [])))
        linked = _any(ctx.jobs, rule.params.get("linked_to")).to_numpy()
        return _record_hits(rows[~linked[ctx.records["jid"].to_numpy()[rows]]], rule, ctx)
    if check == "duplicate-customer":
        return _duplicate_hits(rule, ctx)
    if check == "ambiguous":
        return _ambiguous_hits(rule, ctx)
    raise ConfigError(f"unknown integrity check {check!r}", key=f"rules.{rule.id}.check")


def _record_dates(recs: pd.DataFrame, spec: str | list[str], ctx: EvalContext) -> pd.Series:
    """The clock-start date of each record: the first of ``spec``'s columns that has a value.

    A name ``job.<column>`` reads the record's job (``job.ops_completed``: a Jobber draft has no
    issue date, so its clock starts when the job was completed).
    """
    import pandas as pd

    cols = [spec] if isinstance(spec, str) else list(spec)
    since = pd.Series(pd.NaT, index=recs.index, dtype="datetime64[ns]")
    for col in cols:
        if col.startswith("job."):
            name = col[4:]
            if name not in ctx.jobs.columns:
                raise ConfigError(f"unknown job column {name!r}", key="date")
            values = pd.Series(pd.to_datetime(ctx.jobs[name]).to_numpy()[recs["jid"].to_numpy()], index=recs.index)
        else:
            values = pd.to_datetime(recs[col])
        since = since.fillna(values)
    return since


#: record columns every record-scope rule reads, whatever its parameters and message
_RECORD_BASE = frozenset({"jid", "role", "system", "state", "raw_status", "created"})


def _record_columns(rule: Rule, ctx: EvalContext) -> list[str]:
    """The record columns a record-scope rule can read: its where clauses, its dates, its
    message and amount, and what every finding carries.

    Selecting rows of these alone, instead of all thirty record columns, is what keeps the
    record-scope rules cheap at a million jobs (each row selection copies every column taken).
    """
    p = rule.params
    dates = p.get("date", "created")
    wanted = set(_RECORD_BASE) | _ALWAYS | _template_columns(rule.message) | {rule.amount}
    wanted.update(c for c in ([dates] if isinstance(dates, str) else dates) if not c.startswith("job."))
    wanted.update(clause[0] for clause in p.get("where", []) if isinstance(clause, list) and clause)
    return [c for c in ctx.records.columns if c in wanted]


def _record_hits(rows: np.ndarray, rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    """The records at positions ``rows`` whose clock started long enough ago, with the columns
    the rule reads (:func:`_record_columns`), their ``since`` and ``age_days``.

    The dates are read first, on the date columns alone; the other columns are taken only for
    the records that stay (1M jobs: 1.9M invoices' text was copied to keep 6,000 overdue ones).
    """
    import pandas as pd

    recs = ctx.records
    cols = _record_columns(rule, ctx)
    spec = rule.params.get("date", "created")
    dates = {c for c in ([spec] if isinstance(spec, str) else spec) if not c.startswith("job.")} | {"jid"}
    since = _record_dates(_take(recs, rows, [c for c in cols if c in dates]), spec, ctx)
    keep, age = _age_keep(since, rule, ctx)
    out = _take(recs, rows[keep], cols)
    # a finding names the customer as the job knows them (operations' spelling first), not as
    # this one record spells it
    if "customer" in ctx.jobs.columns and len(out):
        # only the hits' jobs' names become Python objects (every job's did: ~80 MB at 1M jobs)
        job_customer = pd.Series(ctx.jobs["customer"].array.take(out["jid"].to_numpy()).to_numpy(), index=out.index)
        out = out.assign(customer=job_customer.fillna(out["customer"]))
    out["since"] = since[keep]
    out["age_days"] = age[keep].astype("int64")
    out["scope"] = "record"
    out["key"] = out["source"].astype(str) + ":" + out["record_id"].astype(str)
    out["owner_role"] = out["role"]
    return out.reset_index(drop=True)


def _duplicate_hits(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    import pandas as pd

    d = ctx.duplicates
    if d is None or d.empty:
        return pd.DataFrame(columns=["job", "since", "age_days", "scope"])
    out = d.copy()
    out["since_src"] = pd.to_datetime(out.get("since", pd.Series(pd.NaT, index=out.index))).fillna(ctx.as_of_ts)
    out = _age_filter(out, out["since_src"], rule, ctx)
    out["scope"] = "duplicate"
    return out.reset_index(drop=True)


def _ambiguous_hits(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    import pandas as pd

    a = ctx.ambiguous
    if a is None or a.empty:
        return pd.DataFrame(columns=["job", "since", "age_days", "scope"])
    # native numbers are not always unique in a source (QuickBooks payments share cheque numbers)
    recs = _numbered(ctx.records, a["record_id"].astype(str).unique(), ["created"])
    recs = recs.drop_duplicates(["source", "record_id"]).set_index(["source", "record_id"])
    out = a.copy()
    dates = recs["created"] if "created" in recs.columns else None
    if dates is not None:
        idx = pd.MultiIndex.from_arrays([out["source"], out["record_id"]])
        out["since_src"] = pd.to_datetime(dates.reindex(idx).to_numpy())
    else:
        out["since_src"] = pd.NaT
    out["since_src"] = out["since_src"].fillna(ctx.as_of_ts)
    out = _age_filter(out, out["since_src"], rule, ctx)
    out["scope"] = "ambiguous"
    return out.reset_index(drop=True)


def _eval_freshness(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    import pandas as pd

    if rule.params.get("check", "stale") == "unreachable":
        if not ctx.failures:
            return pd.DataFrame(columns=["job", "since", "age_days", "scope"])
        frame = pd.DataFrame(ctx.failures)
        frame["since_src"] = pd.to_datetime(frame.get("since")).fillna(ctx.as_of_ts)
        out = _age_filter(frame, frame["since_src"], rule, ctx)
        out["scope"] = "source"
        out["job"] = "S-" + out["source"].astype(str)
        out["key"] = "unreachable"
        out["owner_role"] = out["role"]
        return out.reset_index(drop=True)
    rows = [
        {"source": s.name, "system": s.system, "role": s.role, "newest": s.newest, "records": s.records, "path": s.path}
        for s in ctx.sources
        if s.newest and s.records
    ]
    if not rows:
        return pd.DataFrame(columns=["job", "since", "age_days", "scope"])
    frame = pd.DataFrame(rows)
    out = _age_filter(frame, pd.to_datetime(frame["newest"]), rule, ctx)
    out["scope"] = "source"
    out["job"] = "S-" + out["source"].astype(str)
    out["key"] = ""
    out["owner_role"] = out["role"]
    return out.reset_index(drop=True)


_OPS = {
    "=": lambda s, v: s == v, "!=": lambda s, v: s != v, ">": lambda s, v: s > v, ">=": lambda s, v: s >= v,
    "<": lambda s, v: s < v, "<=": lambda s, v: s <= v, "in": lambda s, v: s.isin(v),
}


def _eval_threshold(rule: Rule, ctx: EvalContext) -> pd.DataFrame:
    import numpy as np

    p = rule.params
    if p.get("scope", "record") == "job":
        jobs = ctx.jobs
        a, b = p["compare"]
        diff = (jobs[a] - jobs[b]).abs()
        base = jobs[[a, b]].abs().max(axis=1)
        over = (diff > base * float(p.get("pct", 0)) / 100.0) & (diff > float(p.get("abs", 0)))
        mask = _all(jobs, p.get("when")) & over.fillna(False)
        out = _job_hits(jobs, mask, p.get("date"), rule, ctx)
        out["difference"] = (out[a] - out[b]).abs()
        return out
    rows = np.flatnonzero(ctx.group_rows(p.get("records", [])))
    cols = _record_columns(rule, ctx)
    cond = np.ones(len(rows), dtype=bool)
    for i, clause in enumerate(p.get("where", [])):
        if not (isinstance(clause, list) and len(clause) == 3 and clause[1] in _OPS and clause[0] in cols):
            raise ConfigError(
                f"where[{i}] is {clause!r}; expected [column, operator, value] with an operator in {', '.join(_OPS)}",
                file=rule.pack, key=f"rules.{rule.id}.where",
            )
        # each clause reads its own column of the selected records, not a copy of all the rule reads
        col, op, val = clause
        res = _OPS[op](_take(ctx.records, rows, [col])[col], val)
        cond &= np.asarray(res.fillna(False) if hasattr(res, "fillna") else res, dtype=bool)
    return _record_hits(rows[cond], rule, ctx)


KINDS: dict[str, Kind] = {
    "sequence": Kind(
        "sequence",
        "When milestone `after` is reached, one of the `expect` milestones should follow within `within_days`.",
        {
            "after": "the milestone that starts the clock",
            "expect": "milestones, any of which satisfies the rule",
            "unless": "milestones that exempt the job",
            "when": "milestones that must all hold for the rule to apply",
        },
        ("after", "expect"),
        _eval_sequence,
    ),
    "conflict": Kind(
        "conflict",
        "Two sources of truth say incompatible things about a job.",
        {
            "mode": "'milestones' (state vs contradicted_by) or 'owner' (non-owner systems vs the domain owner)",
            "state": "milestones mode: the claimed state",
            "contradicted_by": "milestones mode: any of these contradicts the claim",
            "domains": "owner mode: lifecycle domains to compare (billing, execution)",
        },
        (),
        _eval_conflict,
    ),
    "integrity": Kind(
        "integrity",
        "Records that should be linked and are not (orphans), or one customer under two identities.",
        {
            "check": "'orphan', 'duplicate-customer' or 'ambiguous'",
            "records": "orphan: record groups to check (deal, job, acc_invoice, ops_invoice, payment)",
            "linked_to": "orphan: milestones meaning 'linked'; a record whose job has none of them is an orphan",
            "date": "orphan: the record date that starts the clock",
        },
        ("check",),
        _eval_integrity,
    ),
    "freshness": Kind(
        "freshness",
        "A source whose newest record is older than `within_days` before the audit date, or whose live pull failed.",
        {"check": "'stale' (default: newest record too old) or 'unreachable' (the live pull failed; the cache was used)"},
        (),
        _eval_freshness,
    ),
    "threshold": Kind(
        "threshold",
        "A value past a limit, per record (`where` clauses, dated by `date`) or per job (`compare` two amounts).",
        {
            "scope": "'record' or 'job'",
            "records": "record scope: record groups to check",
            "where": "record scope: [column, operator, value] clauses, all must hold",
            "date": "the date column(s) that start the clock: the first with a value; job.<column> reads the job table",
            "compare": "job scope: two job-table amounts to compare",
            "pct": "job scope: tolerance in percent of the larger amount",
            "abs": "job scope: tolerance in money; both must be exceeded",
            "when": "job scope: milestones that must all hold",
        },
        (),
        _eval_threshold,
    ),
}


# --------------------------------------------------------------------------- findings


def finding_id(rule_id: str, job: str, key: str = "") -> str:
    """The stable id of a finding: the same rule on the same job (and record) gives the same id."""
    text = f"{rule_id}|{job}|{key}" if key else f"{rule_id}|{job}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _present(v: Any) -> bool:
    """Whether a value from a hit row is there (not None, NaN, NaT or pd.NA)."""
    if v is None:
        return False
    kind = type(v)
    if kind is str or kind is int or kind is bool:  # most values: no pandas call per value
        return True
    if kind is float:
        return not math.isnan(v)
    try:
        import pandas as pd

        return not bool(pd.isna(v))
    except (TypeError, ValueError):
        return True


def _money(v: Any) -> str:
    from .report.common import money

    return money(float(v)) if _present(v) else "an unknown amount"


def _date_text(v: Any) -> str:
    if not _present(v):
        return "an unknown date"
    import pandas as pd

    ts = pd.Timestamp(v)
    return f"{ts:%b} {ts.day}, {ts.year}"


def _sys(v: Any) -> str:
    return SYSTEM_NAMES.get(str(v), str(v)) if _present(v) else "another system"


def _ref(v: Any) -> str:
    return f"#{v}" if _present(v) else "(no number)"


class _Ctx(dict):
    """A message context that never raises: a missing field reads as a placeholder."""

    def __missing__(self, key: str) -> str:
        return "?"


#: hit columns whose ``<column>_text`` in a message is the amount written as money
_MONEY_FIELDS = frozenset({"deal_amount", "job_value", "value", "acc_invoiced", "acc_balance", "uninvoiced",
                           "pay_amount", "paid_total", "amount", "balance", "difference"})
#: message fields computed from one hit column, whatever else the hit holds: field -> (column, how)
_DERIVED: dict[str, tuple[str, Callable[[Any], str]]] = {
    "since_text": ("since", lambda v: _date_text(v)),
    "deal_ref": ("deal_id", lambda v: _ref(v)),
    "ops_ref": ("ops_id", lambda v: f"job {_ref(v)}"),
    "record_ref": ("record_id", lambda v: _ref(v)),
    "pay_ref": ("pay_id", lambda v: _ref(v)),
    "pay_kind": ("pay_type", lambda v: "Deposit" if v == "deposit" else "Payment"),
}


def _is_system_column(k: str) -> bool:
    return k.endswith("system") or k in ("system", "o_system2")


def _message_context(r: dict[str, Any]) -> _Ctx:
    c = _Ctx()
    for k, v in r.items():
        c[k] = v if _present(v) else ""
    for k in list(r):
        v = r[k]
        if k in _MONEY_FIELDS:
            c[f"{k}_text"] = _money(v)
        if _is_system_column(k):
            c[f"{k}_name"] = _sys(v)
    for name, (col, how) in _DERIVED.items():
        c[name] = how(r.get(col))
    if not c.get("customer"):
        c["customer"] = "customer unknown"
    return c


def _render_messages(template: str, hits: pd.DataFrame) -> list[str] | None:
    """Every hit's message at once: each field is formatted once per distinct value, then the
    template's pieces are joined column-wise.

    It gives exactly what ``template.format_map(_message_context(row))`` gives row by row (its
    plain twin, and what ``DRIFTCHECK_FASTPATHS=0`` runs), about ten times faster: a million-job
    scan has 100,000 findings. None when the template needs what only ``str.format`` does
    (a format spec, a conversion, an attribute or index); the row-by-row path handles those.
    """
    import string

    import numpy as np

    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    n = len(hits)
    out = np.full(n, "", dtype=object)
    for literal, name, spec, conversion in parsed:
        if literal:
            out = out + literal
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return None
        out = out + _field_strings(name, hits)
    return out.tolist()


def _field_strings(name: str, hits: pd.DataFrame) -> np.ndarray:
    """One message field for every hit, as ``_message_context`` would fill it."""
    import numpy as np

    cols = hits.columns
    if name in _DERIVED:
        col, how = _DERIVED[name]
        if col not in cols:
            return np.full(len(hits), how(None), dtype=object)
        return _per_value(hits[col], how, how(None))
    base = name[:-5] if name.endswith(("_text", "_name")) else ""
    if name.endswith("_text") and base in _MONEY_FIELDS and base in cols:
        return _per_value(hits[base], _money, _money(None))
    if name.endswith("_name") and _is_system_column(base) and base in cols:
        return _per_value(hits[base], _sys, _sys(None))
    if name == "customer":
        if name not in cols:
            return np.full(len(hits), "customer unknown", dtype=object)
        return _per_value(hits[name], lambda v: str(v) or "customer unknown", "customer unknown")
    if name in cols:
        return _per_value(hits[name], str, "")
    return np.full(len(hits), "?", dtype=object)


def _per_value(column: pd.Series, how: Callable[[Any], str], missing: str) -> np.ndarray:
    """``how`` of each value of ``column`` (``missing`` where it has none), called once per
    distinct value; an object column (mixed Python values) is done value by value."""
    import numpy as np
    import pandas as pd

    if column.dtype == object:
        return np.array([how(v) if _present(v) else missing for v in column.tolist()], dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = [how(v) if _present(v) else missing for v in pd.Series(uniques).tolist()]
    return np.array([*texts, missing], dtype=object)[codes]


def evaluate(rules: list[Rule], ctx: EvalContext) -> list[Finding]:
    """Run every enabled rule; return findings sorted by severity, then amount (largest first)."""
    from ._memory import release_freed
    from .currency import using_currency

    findings: list[Finding] = []
    with using_currency(ctx.currency):  # the amounts in messages
        for rule in rules:
            if not rule.enabled:
                continue
            hits = KINDS[rule.kind].evaluate(rule, ctx)
            if hits is not None and len(hits):
                findings.extend(_to_findings(rule, hits, ctx))
            del hits
            # each rule starts without the last one's intermediates mapped (1M jobs: the stage's
            # peak was their sum, ~0.1 GB more than the largest rule's own)
            release_freed(len(ctx.records))
    findings.sort(key=lambda f: (_SEV_RANK.get(f.severity, 9), -(f.amount or 0.0), f.rule, f.job, f.id))
    return findings


_EVIDENCE_FIELDS = {
    "deal": (("raw_status", "stage"), ("amount", "amount"), ("closed", "close date")),
    "job": (("raw_status", "status"), ("scheduled", "scheduled"), ("completed", "completed"), ("amount", "total")),
    "invoice": (("raw_status", "status"), ("amount", "total"), ("balance", "open balance"), ("due", "due date"), ("sent", "sent")),
    "payment": (("amount", "amount"), ("paid", "date")),
    "deposit": (("amount", "amount"), ("paid", "date")),
}
_TYPE_ORDER = {"deal": 0, "job": 1, "invoice": 2, "deposit": 3, "payment": 4}


def _evidence_by_key(cited: pd.DataFrame) -> dict[str, tuple[dict[str, list[str]], list[dict[str, Any]]]]:
    """For records tagged with a ``cite`` key, the finding's ``records`` and ``evidence`` per key.

    ``cited`` holds only the records findings rest on (a few per finding), so one pass over its
    rows costs time in proportion to the findings; a column-by-column pandas version paid a
    fixed ~30 ms per rule in filters and cost more than it saved.
    """
    if cited.empty:
        return {}
    cols = ["cite", "source", "record_id", "record_type", "raw_status", "amount", "balance", "closed",
            "scheduled", "completed", "due", "sent", "paid", "created"]
    cited = cited.assign(_t=cited["record_type"].astype(str).map(_TYPE_ORDER).fillna(9))
    cited = cited.sort_values(["cite", "_t", "created"], kind="stable", na_position="last")
    out: dict[str, tuple[dict[str, list[str]], list[dict[str, Any]]]] = {}
    rows: Iterable[tuple[Any, ...]]
    if _fast():
        # values made JSON-ready once per distinct value (dates as text, amounts rounded), then
        # zipped into rows; the loop below then finds nothing left to convert
        rows = zip(*[_per_value(cited[c], _evidence_value, None).tolist() for c in cols], strict=True)
    else:
        rows = cited[cols].astype(object).where(cited[cols].notna(), None).itertuples(index=False, name=None)
    # each record type's evidence fields as positions in a row (cols starts cite, source, record_id, record_type)
    at = {c: i for i, c in enumerate(cols)}
    fields = {rtype: [(at[col], label) for col, label in pairs] for rtype, pairs in _EVIDENCE_FIELDS.items()}
    for r in rows:
        recs, evidence = out.setdefault(str(r[0]), ({}, []))
        src, rid = str(r[1]), str(r[2])
        ids = recs.setdefault(src, [])
        if rid in ids:
            continue
        ids.append(rid)
        for i, label in fields.get(str(r[3]), ()):
            v = r[i]
            if v is None or len(evidence) >= 16:
                continue
            evidence.append({"source": src, "record": rid, "field": label, "value": _evidence_value(v)})
    return out


def _evidence_value(v: Any) -> Any:
    """A record value as evidence shows it: a date as YYYY-MM-DD, an amount to the cent."""
    import pandas as pd

    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return round(v, 2)
    if not isinstance(v, (str, int, bool)):
        return str(v)
    return v


def _template_columns(message: str) -> set[str]:
    """The hit columns a message template needs (``{deal_amount_text}`` needs ``deal_amount``)."""
    import string

    aliases = {name: col for name, (col, _) in _DERIVED.items()}
    cols: set[str] = set()
    for _, name, _, _ in string.Formatter().parse(message):
        if not name:
            continue
        name = name.split(".")[0].split("[")[0]
        cols.add(aliases.get(name, name))
        for suffix in ("_text", "_name"):
            if name.endswith(suffix):
                cols.add(name[: -len(suffix)])
    return cols


_CITE_COLUMNS = ("jid", "job", "source", "record_id", "record_type", "raw_status", "amount", "balance", "closed",
                 "scheduled", "completed", "due", "sent", "paid", "created")

_ALWAYS = {"job", "key", "scope", "since", "age_days", "customer", "owner_role", "source", "record_id",
           "record_type", "o_source", "paired", "records", "evidence_list", "evidence", "newest", "candidates",
           "amount_v", "system"}


#: the hit columns a finding is built from, besides its message
_ROW_FIELDS = frozenset({"scope", "job", "key", "cite", "records", "evidence_list", "source", "evidence", "record_id",
                         "candidates", "newest", "owner_role", "customer", "age_days"})


def _since_days(since: pd.Series) -> list[str | None]:
    """Each hit's ``since`` as YYYY-MM-DD (None where it has none); ``strftime`` runs once per
    distinct day (a few hundred) instead of once per finding."""
    if _fast():
        return _per_value(since, lambda v: v.strftime("%Y-%m-%d"), None).tolist()
    return [v.strftime("%Y-%m-%d") if _present(v) else None for v in since.tolist()]


def _in_jobs(rec_jid: np.ndarray, jids: np.ndarray, n_jobs: int) -> np.ndarray:
    """Which records belong to one of the jobs ``jids`` (rows of the job table).

    A job's ``jid`` is its row, so membership is one lookup in a boolean per job (1M jobs:
    about 10 ms for 7M records, against 75 ms for hashing them with ``isin``).
    """
    import numpy as np
    import pandas as pd

    if not _fast() or jids.dtype.kind not in "iu":
        return pd.Series(rec_jid).isin(jids).to_numpy()
    member = np.zeros(n_jobs, dtype=bool)
    member[jids] = True
    return member[rec_jid]


def _to_findings(rule: Rule, hits: pd.DataFrame, ctx: EvalContext) -> list[Finding]:
    import pandas as pd

    groups: set[str] = set()
    for key in ("after", "expect", "unless", "when", "state", "contradicted_by"):
        v = rule.params.get(key)
        for name in [v] if isinstance(v, str) else (v or []):
            groups.update(MILESTONES[name][2])
    hits = hits.reset_index(drop=True)
    if "key" not in hits.columns:
        hits["key"] = ""
    hits["key"] = hits["key"].fillna("").astype(str)
    hits["cite"] = hits["job"].astype(str) + "|" + hits["key"]

    # the records each finding rests on, tagged with the finding's cite key
    recs = ctx.cite_frame
    cited_parts = []
    job_hits = hits[hits["scope"] == "job"]
    if not job_hits.empty and groups:
        sel = ctx.group_rows(groups)
        # a job hit is a row of the job table and carries its ``jid``; looking the keys up in the
        # table's index instead built a hash of every job key that stayed (1M jobs: 0.1 GB)
        if "jid" in job_hits.columns:
            jids = job_hits["jid"].to_numpy()
        else:
            jids = ctx.jobs["jid"].reindex(job_hits["job"]).to_numpy()
        hit_jid = pd.DataFrame({"jid": jids, "cite": job_hits["cite"].to_numpy()})
        keep_rows = sel & _in_jobs(recs["jid"].to_numpy(), jids, len(ctx.jobs))
        sub = recs[keep_rows].merge(hit_jid, on="jid")
        cited_parts.append(sub)
    rec_hits = hits[hits["scope"] == "record"]
    if not rec_hits.empty:
        # Narrow the record frame to the hits' numbers (or jobs) before merging: the merge then
        # hashes thousands of keys, not every record's (1M jobs: 8 s of key factorising).
        near = recs[_isin_text(recs["record_id"], rec_hits["record_id"].unique())]
        own = near.merge(rec_hits[["source", "record_id", "cite"]], on=["source", "record_id"])
        cited_parts.append(own)
        if rule.kind == "conflict" and "o_source" in rec_hits.columns:
            pairs = rec_hits[rec_hits["o_source"].notna()][["job", "o_source", "record_type", "record_id", "paired", "cite"]]
            near = recs[recs["job"].isin(pairs["job"].unique()).to_numpy()]
            cand = near.merge(pairs.rename(columns={"o_source": "source", "record_id": "claim_id"}), on=["job", "source", "record_type"])
            cand = cand[~cand["paired"].fillna(False).astype(bool) | (cand["record_id"] == cand["claim_id"])]
            cited_parts.append(cand.drop(columns=["claim_id", "paired"]))
    evidence_map: dict[str, Any] = {}
    if cited_parts:
        evidence_map = _evidence_by_key(pd.concat(cited_parts, ignore_index=True))

    wanted = _ALWAYS | _template_columns(rule.message) | {rule.amount, "cite"}
    keep = [c for c in hits.columns if c in wanted]
    out: list[Finding] = []
    amount_col = "amount_v" if rule.kind == "conflict" and "amount_v" in hits.columns else rule.amount
    messages = _render_messages(rule.message, hits[keep]) if _fast() else None
    if messages is not None:
        # the messages are made; each row needs only the columns the finding itself carries
        keep = [c for c in keep if c in _ROW_FIELDS or c == amount_col]
    since_days = _since_days(hits["since"]) if "since" in hits.columns else [None] * len(hits)
    for i, r in enumerate(_hit_rows(hits[keep])):
        scope = r.get("scope")
        job = str(r.get("job", ""))
        key = str(r.get("key", "") or "")
        if scope in ("job", "record"):
            recs_d, evidence = evidence_map.get(r["cite"], ({}, []))
        elif scope == "duplicate":
            recs_d = r.get("records") or {}
            evidence = r.get("evidence_list") or [{"source": str(r.get("source")), "record": "", "field": "match", "value": r.get("evidence")}]
        elif scope == "ambiguous":
            recs_d = {str(r.get("source")): [str(r.get("record_id"))]}
            evidence = [{"source": str(r.get("source")), "record": str(r.get("record_id")), "field": "candidates", "value": str(r.get("candidates"))}]
            key = f"{r.get('source')}:{r.get('record_id')}"
        else:  # a source
            recs_d = {str(r.get("source")): []}
            evidence = [{"source": str(r.get("source")), "record": "", "field": "newest record", "value": str(r.get("newest"))}]
        amount = None
        if amount_col:
            v = r.get(amount_col)
            amount = round(float(v), 2) if _present(v) and float(v) != 0 else None
        owner = rule.owner
        if owner == "system":
            owner = ctx.teams.get(str(r.get("owner_role", "")), str(r.get("owner_role") or "office"))
        try:
            message = messages[i] if messages is not None else rule.message.format_map(_message_context(r))
        except (ValueError, IndexError, AttributeError) as exc:
            raise ConfigError(f"the message template cannot be filled: {exc}", file=rule.pack, key=f"rules.{rule.id}.message") from exc
        out.append(
            Finding(
                id=finding_id(rule.id, job, key),
                rule=rule.id,
                severity=rule.severity,
                owner=owner,
                job=job,
                customer=str(r.get("customer")) if _present(r.get("customer")) else "",
                message=message,
                since=since_days[i],
                age_days=int(r["age_days"]) if _present(r.get("age_days")) else None,
                amount=amount,
                records=recs_d,
                evidence=evidence[:16],
                title=rule.title,
            )
        )
    return out


#: hit rows turned into dicts at a time by :func:`_hit_rows`
_ROW_SLICE = 8192


def _hit_rows(hits: pd.DataFrame) -> Iterable[dict[str, Any]]:
    """``hits.to_dict("records")``, a slice of rows at a time: the dicts of a rule's every hit
    at once sat beside the findings made from them (1M jobs: 73,000 ambiguous-link hits)."""
    for start in range(0, len(hits), _ROW_SLICE):
        yield from hits.iloc[start:start + _ROW_SLICE].to_dict("records")


def duplicate_rows(d: pd.DataFrame | None, records: pd.DataFrame) -> pd.DataFrame | None:
    """Turn the linker's duplicate-customer groups into rows the duplicate-customer rule reports.

    The finding's job key is ``C-<name>`` with the group's oldest identity (ties: alphabetical),
    so the same duplicate keeps the same id from scan to scan; its evidence names each record
    with the customer name that record carries, and the match that joined them.
    """
    import pandas as pd

    if d is None or len(d) == 0:
        return None
    wanted = {str(i) for recs in d["records"] if isinstance(recs, dict) for ids in recs.values() for i in ids} if "records" in d else set()
    sub = _numbered(records, list(wanted) if wanted else None, ["customer", "created"])
    sub = sub.drop_duplicates(["source", "record_id"]).set_index(["source", "record_id"])
    names_of = sub["customer"]
    first_date = sub["created"]
    roles: dict[str, str] = {}

    def first_role(system: str) -> str:
        """The role of the system's first record, looked up once per system, not once per group."""
        if system not in roles:
            roles[system] = next(iter(records.loc[_rows(records["system"] == system), "role"].head(1)), "operations")
        return roles[system]

    rows = []
    for r in d.to_dict("records"):
        recs = r.get("records")
        if not isinstance(recs, dict):
            ids = r.get("record_ids")
            ids = list(ids) if isinstance(ids, (list, tuple)) else [i.strip() for i in str(ids or "").split(",") if i.strip()]
            recs = {str(r.get("source")): ids}
        pairs = [(str(src), str(i)) for src, ids in recs.items() for i in ids]
        names = r.get("names")
        if not isinstance(names, (list, tuple)):
            names = [n.strip() for n in str(names).replace("|", ";").split(";") if n.strip()]
        names = sorted(dict.fromkeys(str(n) for n in names))
        system = str(r.get("system", ""))
        evidence = [
            {"source": src, "record": rid, "field": "customer", "value": str(names_of.get((src, rid), ""))}
            for src, rid in pairs
        ]
        evidence.append({"source": ", ".join(recs), "record": "", "field": "match", "value": str(r.get("evidence", ""))})
        # the duplicate exists since the second identity appeared: the later of the names' first dates
        first_by_name: dict[str, Any] = {}
        for p in pairs:
            when = first_date.get(p)
            if when is None or pd.isna(when):
                continue
            name = str(names_of.get(p, ""))
            first_by_name[name] = min(first_by_name.get(name, when), when)
        dates = sorted(first_by_name.values())
        # the group is named after its oldest identity (the one the business had first)
        names = sorted(names, key=lambda n: (first_by_name.get(n, pd.Timestamp.max), n))
        role = r.get("role") or first_role(system)
        rows.append(
            {
                "job": "C-" + (names[0] if names else str(r.get("group", ""))),
                "key": system,
                "source": ", ".join(recs),
                "system": system,
                "system_name": SYSTEM_NAMES.get(system, system),
                "owner_role": role,
                "names": " and ".join(f"'{n}'" for n in names),
                "n_names": len(names),
                "customer": names[0] if names else "",
                "evidence": r.get("evidence", ""),
                "records": {k: list(v) for k, v in recs.items()},
                "evidence_list": evidence,
                "since": r.get("since") if r.get("since") is not None else (dates[1] if len(dates) > 1 else (dates[0] if dates else None)),
            }
        )
    return pd.DataFrame(rows)


def ambiguous_rows(a: pd.DataFrame | None, records: pd.DataFrame) -> pd.DataFrame | None:
    """Turn the linker's ambiguous records into rows the ambiguous-link rule reports.

    Each row gains the record's job, system and owner role, and its candidate jobs as text
    ("J-101 or J-102").
    """
    if a is None or len(a) == 0:
        return None
    sub = _numbered(records, a["record_id"].astype(str).unique(), ["job", "system", "role", "customer"])
    info = sub.drop_duplicates(["source", "record_id"]).set_index(["source", "record_id"])[["job", "system", "role", "customer"]]
    out = a.merge(info.reset_index(), on=["source", "record_id"], how="left", suffixes=("", "_r"))
    out["owner_role"] = out["role"]
    if "customer_r" in out.columns:
        out["customer"] = out["customer"].fillna(out["customer_r"]) if "customer" in out.columns else out["customer_r"]
    out["candidates_text"] = out["candidates"].astype(str).str.replace(",", " or ")
    return out


# --------------------------------------------------------------------------- examples


def run_examples(rule: Rule, owners: dict[str, str] | None = None) -> list[tuple[dict[str, Any], list[Finding]]]:
    """Evaluate each of a rule's documented examples; return (example, findings of this rule)."""
    return [(ex, evaluate([rule], _example_context(rule, ex, owners))) for ex in rule.examples]


def message_fields(rule: Rule, owners: dict[str, str] | None = None) -> list[str] | None:
    """The ``{fields}`` this rule's message may name, found by running its first flagging example.

    The engine gives a hit only the columns its rule reads, so the example runs with a message
    naming every record and job column: what the hits then carry, with the fields derived from
    them (``<amount>_text``, ``<system>_name``, ``since_text``, ``deal_ref``...), is exactly what
    a message can use. A field not listed would read "?". None when no example flags.
    """
    import dataclasses

    example = next((ex for ex in rule.examples if ex.get("flags")), None)
    if example is None:
        return None
    ctx = _example_context(rule, example, owners)
    every = [*ctx.records.columns, *ctx.jobs.columns, *ctx.jobs.index.names]
    wide = dataclasses.replace(rule, message=" ".join(f"{{{c}}}" for c in dict.fromkeys(every) if c))
    hits = KINDS[rule.kind].evaluate(wide, ctx)
    if hits is None or not len(hits):
        return None
    columns = [str(c) for c in hits.columns if c not in _NOT_FIELDS]
    fields = set(columns)
    fields.update(f"{c}_text" for c in columns if c in _MONEY_FIELDS)
    fields.update(f"{c}_name" for c in columns if _is_system_column(c))
    fields.update(name for name, (col, _) in _DERIVED.items() if col in columns)
    return sorted(fields)


#: hit columns that are the engine's bookkeeping, not a fact a message could state
_NOT_FIELDS = frozenset({"cite", "scope", "jid", "records", "evidence_list", "paired", "candidates"})


def _example_context(rule: Rule, ex: dict[str, Any], owners: dict[str, str] | None) -> EvalContext:
    """The evaluation context of one documented example: its records, linked as it says, as of its date."""
    import pandas as pd

    from .jobs import build_job_table
    from .lifecycle import DEFAULT_OWNERS
    from .records import conform

    owners = owners or dict(DEFAULT_OWNERS)
    rows = []
    for i, rec in enumerate(ex.get("records", [])):
        row = {"source": rec.get("source", rec.get("system")), "row": i + 2, **rec}
        rows.append(row)
    frame = pd.DataFrame(rows)
    jobs_col = frame["job"].astype(str) if "job" in frame else None
    recs = conform(frame.drop(columns=["job"], errors="ignore"))
    ambiguous = None
    if jobs_col is not None:
        recs["job"] = jobs_col.to_numpy()
    else:  # an example that names no jobs is linked as a scan links it
        from .linking import link_records

        linked = link_records(recs)
        recs = linked.records
        ambiguous = ambiguous_rows(linked.ambiguous, recs)
    as_of = ex.get("as_of")
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    table = build_job_table(recs, owners=owners)
    sources = []
    for name, g in recs.groupby("source"):
        newest = g[["created", "updated", "closed", "completed", "paid"]].max().max()
        sources.append(SourceInfo(name=str(name), system=str(g["system"].iloc[0]), role=str(g["role"].iloc[0]),
                                  path="example", records=len(g),
                                  newest=newest.strftime("%Y-%m-%d") if _present(newest) else None))
    duplicates = None
    if rule.kind == "integrity" and rule.params.get("check") == "duplicate-customer":
        from .linking import link_records

        duplicates = duplicate_rows(link_records(recs).duplicates, recs)
    return EvalContext(jobs=table.jobs, records=table.records, as_of=as_of, sources=sources, owners=owners,
                       teams={"crm": "sales", "operations": "operations", "accounting": "accounting"},
                       duplicates=duplicates, ambiguous=ambiguous)
