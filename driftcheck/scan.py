"""A scan, end to end: load, link, fold into jobs, evaluate rules, summarise.

:func:`run_scan` is the library twin of ``driftcheck scan``; it returns the
``driftcheck.scan/1`` dict every report renders, plus the intermediate frames
for commands and tests that want them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import SEVERITIES
from .engine import EvalContext, Rule, ambiguous_rows, duplicate_rows, evaluate, load_rules
from .lifecycle import STAGES
from .model import Finding, ReadWarning

if TYPE_CHECKING:
    import pandas as pd

    from .jobs import JobTable
    from .pipeline import Loaded

__all__ = ["SCHEMA", "ScanOutcome", "build_scan_dict", "link", "run_scan"]

SCHEMA = "driftcheck.scan/1"

#: which milestone counts a job as having reached each lifecycle stage
_STAGE_MILESTONE = {
    "won": "m_won",
    "deposit": "m_paid_any",
    "scheduled": "m_scheduled",
    "completed": "m_completed",
    "invoiced": "m_fully_invoiced",
    "paid": "m_fully_paid",
}


@dataclass
class ScanOutcome:
    """A scan's result and what it was computed from."""

    scan: dict[str, Any]
    loaded: Loaded
    table: JobTable
    findings: list[Finding]
    rules: list[Rule]
    link: Any = None  #: linking.LinkResult
    timings: dict[str, float] = field(default_factory=dict)


def link(loaded: Loaded, paths: Iterable[Path] = (), *, keep_links: bool = True) -> Any:
    """Link the loaded records into jobs with the config's ``[matching]`` settings and link overrides
    (``[[links]]`` in driftcheck.toml, or a ``links.csv`` beside the config or the exports).
    ``keep_links``: keep the link evidence (``LinkResult.links`` and each record's ``link_detail``),
    which only discovery reads."""
    from .linking import link_records, overrides_from_config

    cfg = loaded.config
    settings, overrides = overrides_from_config(
        cfg.raw, config_file=str(cfg.path) if cfg.path else None, base_dir=cfg.base_dir, paths=list(paths)
    )
    return link_records(loaded.records, settings, overrides, keep_links=keep_links)


def _today() -> dt.date:
    return dt.date.today()


def run_scan(
    paths: list[Path],
    *,
    config_path: Path | None = None,
    as_of: dt.date | None = None,
    rules_files: Iterable[Path] = (),
    offline: bool = False,
    refresh: bool = False,
    progress: bool = False,
    history_path: Path | None = None,
    show_acknowledged: bool = False,
    keep_links: bool = False,
) -> ScanOutcome:
    """Run a scan and return its outcome.

    Args:
        paths: folders or files of exports (empty: the sources in driftcheck.toml).
        config_path: explicit driftcheck.toml.
        as_of: the audit date every age is computed from (default: the config's ``as_of``, else today).
        rules_files: extra rule packs.
        offline: API sources from cache only. refresh: ignore incremental cursors.
        progress: progress bars for API pulls.
        history_path: the SQLite history to record the scan in and compare with (None: no history).
        show_acknowledged: keep acknowledged findings in the output.
        keep_links: keep the link evidence: the edges in ``outcome.link.links`` and each record's
            ``link_detail`` (discovery's profile reads them; a scan does not, and at a million
            jobs they held 740 MB and 183 MB to the end).
    """
    from ._memory import release_freed
    from .currency import business_currency
    from .jobs import build_job_table
    from .pipeline import load

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    loaded = load(paths, config_path, offline=offline, refresh=refresh, progress=progress)
    timings["read"] = time.perf_counter() - t0
    cfg = loaded.config
    audit = as_of or cfg.as_of or _today()
    rules = load_rules(cfg, rules_files)
    release_freed(len(loaded.records))  # each stage starts without the last one's garbage mapped

    t = time.perf_counter()
    link_result = link(loaded, paths, keep_links=keep_links)
    records = link_result.records
    release_freed(len(records))
    timings["link"] = time.perf_counter() - t

    t = time.perf_counter()
    tol = _amount_tolerance(rules)
    table = build_job_table(records, owners=cfg.owners, tolerance_pct=tol[0], tolerance_abs=tol[1],
                            job_codes=_hand_over_job_codes(link_result))
    release_freed(len(records))
    failures = [{**f, "since": f["since"] or audit.isoformat()} for f in loaded.failures]
    currency, mixed = business_currency(cfg.currency, records)
    ctx = EvalContext(
        jobs=table.jobs,
        records=table.records,
        as_of=audit,
        sources=loaded.sources,
        owners=cfg.owners,
        teams=cfg.teams,
        duplicates=duplicate_rows(getattr(link_result, "duplicates", None), records),
        ambiguous=ambiguous_rows(getattr(link_result, "ambiguous", None), records),
        failures=failures,
        currency=currency,
    )
    release_freed(len(records))  # the duplicate and ambiguous rows' lookups are garbage now
    findings = evaluate(rules, ctx)
    # the context's record-group masks (33 MiB at 1M jobs) and lookups are read; the report
    # is assembled without them
    del ctx
    release_freed(len(records))
    timings["rules"] = time.perf_counter() - t

    warnings = list(loaded.warnings)
    if mixed:
        warnings.append(ReadWarning(source="currency", message=mixed))
    for sentence in getattr(link_result, "overrides_applied", []) or []:
        warnings.append(ReadWarning(source="links", message=sentence))
    for sentence in getattr(link_result, "warnings", []) or []:
        warnings.append(ReadWarning(source="links", message=str(sentence)))
    scan = build_scan_dict(
        findings=findings, loaded=loaded, table=table, rules=rules, as_of=audit, warnings=warnings,
        currency=currency,
    )
    if history_path is not None:
        from .history import record_scan

        t = time.perf_counter()
        scan = record_scan(history_path, scan, records, show_acknowledged=show_acknowledged)
        timings["history"] = time.perf_counter() - t
    return ScanOutcome(scan=scan, loaded=loaded, table=table, findings=findings, rules=rules, link=link_result, timings=timings)


def _hand_over_job_codes(link_result: Any) -> Any:
    """The linker's integer job codes, taken off the link result: the job table is their only
    reader, and kept there they held 55 MB through the rules at 1M jobs."""
    codes = getattr(link_result, "job_codes", None)
    if codes is not None:
        link_result.job_codes = None
    return codes


def _amount_tolerance(rules: list[Rule]) -> tuple[float, float]:
    """The amount tolerance (percent, money) the amount-mismatch rule uses, so "fully invoiced" agrees with it."""
    for r in rules:
        if r.id == "amount-mismatch":
            return float(r.params.get("pct", 2.0)), float(r.params.get("abs", 50.0))
    return 2.0, 50.0


def build_scan_dict(
    *,
    findings: list[Finding],
    loaded: Loaded,
    table: JobTable,
    rules: list[Rule],
    as_of: dt.date,
    warnings: list[ReadWarning],
    currency: str | None = None,
) -> dict[str, Any]:
    """Assemble the ``driftcheck.scan/1`` dict (``currency`` only when the business has one)."""
    by_sev = Counter(f.severity for f in findings)
    by_rule = Counter(f.rule for f in findings)
    by_owner = Counter(f.owner for f in findings)
    jobs = table.jobs
    stages = [
        {"stage": s, "jobs": int(jobs[_STAGE_MILESTONE[s]].sum()) if len(jobs) else 0}
        for s in STAGES
    ]
    handoffs = []
    for a, b in zip(STAGES, STAGES[1:], strict=False):
        hid = f"{a}>{b}"
        rule_ids = [r.id for r in rules if r.handoff == hid and r.enabled]
        handoffs.append({"from": a, "to": b, "drift": sum(by_rule.get(r, 0) for r in rule_ids), "rules": rule_ids})
    return {
        "schema": SCHEMA,
        "tool": {"name": "driftcheck", "version": __version__},
        "as_of": as_of.isoformat(),
        "business": loaded.config.business,
        **({"currency": currency} if currency else {}),
        "sources": [s.as_dict() for s in loaded.sources],
        "summary": {
            "jobs": int(len(jobs)),
            "findings": len(findings),
            "by_severity": {s: by_sev.get(s, 0) for s in SEVERITIES},
            "by_rule": dict(sorted(by_rule.items())),
            "by_owner": dict(sorted(by_owner.items())),
            "amount_at_stake": round(sum(f.amount or 0.0 for f in findings), 2),
        },
        "lifecycle": {"stages": stages, "handoffs": handoffs},
        "warnings": [w.as_dict() for w in warnings],
        "findings": [f.as_dict() for f in findings],
    }
