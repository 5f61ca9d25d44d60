"""``discover()``: read a folder of exports and profile the business behind it.

Discovery runs the same pipeline as a scan (load, status maps, linking, job table,
rules: :func:`driftcheck.scan.run_scan`, without history) and then looks at the result
from a consultant's side: what each source is, its vocabulary, how well the records
carry the keys that link them, how the systems linked, who claims which truth, and how
jobs flow through the lifecycle. The sections are computed by
:mod:`~driftcheck.discovery.vocabulary`, :mod:`~driftcheck.discovery.truths` and
:mod:`~driftcheck.discovery.flow`; this module reads sources, coverage and linking and
assembles the :class:`~driftcheck.discovery.model.Discovery`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import Coverage, Discovery, LinkingProfile, SourceLinks, SourceProfile

if TYPE_CHECKING:
    import pandas as pd

    from ..pipeline import Loaded

__all__ = ["discover"]

#: The linking keys whose coverage is measured: label -> record column.
COVERAGE_KEYS: dict[str, str] = {
    "email": "email",
    "phone": "phone",
    "address": "address",
    "job_ref": "job_refs",
    "invoice_ref": "invoice_refs",
}

_STATUS_WARNING = "is not mapped to a lifecycle state"
_DATE_COLS = ("created", "updated", "scheduled", "completed", "closed", "paid")


def discover(paths: list[Path], config_path: Path | None = None, *, as_of: dt.date | None = None) -> Discovery:
    """Profile a business's data: sources, vocabularies, key coverage, links, truths and flow.

    Args:
        paths: folders or files of exports; empty means the sources in ``driftcheck.toml``.
        config_path: an explicit ``driftcheck.toml``; by default one beside the exports
            (or in the current folder) is used when it exists.
        as_of: the audit date ages and "stuck" are measured from (default: the config's
            ``as_of``, else today).

    Returns:
        The :class:`Discovery`; :meth:`~Discovery.as_dict` gives its JSON form.

    Raises:
        InputError, ConfigError, UsageError: as :func:`driftcheck.scan.run_scan`.

    Example:
        >>> d = discover([Path("sample_exports")])
        >>> [(e.value, e.suggestion.state) for _, e in d.unmapped]
        [('Deposit Received', 'won')]
    """
    from ..scan import run_scan
    from . import flow, truths, vocabulary

    outcome = run_scan(list(paths), config_path=config_path, as_of=as_of, keep_links=True)
    loaded, table, scan = outcome.loaded, outcome.table, outcome.scan
    cfg = loaded.config
    audit = dt.date.fromisoformat(scan["as_of"])
    records = outcome.link.records if outcome.link is not None else table.records
    jobs = table.jobs
    detections = _detections(loaded)
    stages = _stage_columns(loaded, detections)
    records, base = _with_stages(records, stages), _with_stages(loaded.records, stages)

    groups = vocabulary.record_groups(records, cfg.owners)
    dates = flow.stage_dates(jobs, records, cfg.owners.get("billing", "accounting"))
    positions = dates
    placed = vocabulary.placements(records, positions, groups, audit)
    stage_placed: dict[tuple[str, str, str], Any] = {}
    for source, det in detections.items():
        col = vocabulary.stage_column(records, det)
        if col is not None:
            open_deals = records[(records["source"] == source) & records["state"].eq("open").fillna(False)]
            stage_placed.update(vocabulary.placements(open_deals, positions, groups, audit, value_col=col))

    return Discovery(
        as_of=audit.isoformat(),
        business=cfg.business,
        config_path=str(cfg.path) if cfg.path else None,
        paths=[str(p) for p in paths],
        sources=_sources(loaded, records, audit),
        vocabularies=vocabulary.vocabularies(base, cfg, detections, placed, stage_placed),
        coverage=_coverage(records, loaded),
        linking=_linking(records, outcome.link),
        truths=truths.domain_truths(records, jobs, cfg.owners, scan),
        stages=flow.stages(dates, outcome.rules, audit),
        handoffs=flow.handoffs(dates, scan),
        thresholds=flow.threshold_advice(dates, jobs, records, outcome.rules, cfg.owners),
        jobs=int(len(jobs)),
        scan=scan,
        exits=flow.exits(dates, jobs),
        owners=dict(cfg.owners),
        warnings=[w for w in scan.get("warnings", []) if _STATUS_WARNING not in str(w.get("message", ""))],
    )


def _detections(loaded: Loaded) -> dict[str, Any]:
    """Source name -> detection (export files only; API pulls have none)."""
    return {info.name: det for info, det in zip(loaded.sources, loaded.detections, strict=False)}


def _stage_columns(loaded: Loaded, detections: dict[str, Any]) -> dict[str, tuple[str, pd.Series]]:
    """Deal exports whose stage column the status map does not read: source -> (column, record id -> stage).

    The loaded record frame keeps only the schema's columns, so the stage column is read
    again from the file (deal exports are small; only those files are re-read).
    """
    import connectors

    out: dict[str, tuple[str, pd.Series]] = {}
    for info in loaded.sources:
        det = detections.get(info.name)
        cols = getattr(det, "columns", {}) or {}
        header = cols.get("stage")
        if not header or header == cols.get("raw_status") or not Path(info.path).is_file():
            continue
        result = connectors.read_file(Path(info.path), connectors.ReadOptions(name=info.name, format=det.format))
        name = f"x:{header.strip()}"
        if name in result.frame.columns:
            frame = result.frame.drop_duplicates("record_id")
            out[info.name] = (name, frame.set_index(frame["record_id"].astype(str))[name])
    return out


def _with_stages(records: pd.DataFrame, stages: dict[str, tuple[str, pd.Series]]) -> pd.DataFrame:
    """``records`` with each stage column filled for its source's records."""
    if not stages:
        return records
    records = records.copy()
    for source, (name, by_id) in stages.items():
        mine = records["source"] == source
        if name not in records.columns:
            records[name] = None
        records.loc[mine, name] = records.loc[mine, "record_id"].astype(str).map(by_id).to_numpy()
    return records


def _iso(v: Any) -> str | None:
    return None if v is None or v != v else v.date().isoformat()


def _sources(loaded: Loaded, records: pd.DataFrame, as_of: dt.date) -> list[SourceProfile]:
    import pandas as pd

    today = pd.Timestamp(as_of)
    out = []
    for info in loaded.sources:
        recs = records[records["source"] == info.name]
        dates = pd.concat([pd.to_datetime(recs[c]) for c in _DATE_COLS], ignore_index=True).dropna()
        past = dates[dates <= today]
        skipped = [
            w.as_dict() for w in loaded.warnings if w.source == info.name and _STATUS_WARNING not in w.message
        ]
        newest = info.newest
        age = (as_of - dt.date.fromisoformat(newest)).days if newest else None
        out.append(SourceProfile(
            name=info.name, system=info.system, role=info.role, path=info.path, format=info.format or info.system,
            reason=info.reason, records=info.records,
            # record_type may be categorical: unused categories count 0 and are left out
            by_type={str(k): int(v) for k, v in recs["record_type"].astype(str).value_counts().sort_index().items()},
            first=_iso(past.min()) if len(past) else None, last=_iso(past.max()) if len(past) else None,
            newest=newest, age_days=age, skipped=info.skipped,
            skipped_reasons=[{k: v for k, v in w.items() if k in ("message", "count", "row", "column")} for w in skipped],
            stale_cache=info.stale_cache,
        ))
    return out


def _filled(col: pd.Series) -> pd.Series:
    return col.notna() & col.astype("string").str.strip().ne("").fillna(False)


def _coverage(records: pd.DataFrame, loaded: Loaded) -> list[Coverage]:
    out = []
    for info in loaded.sources:
        recs = records[records["source"] == info.name]
        n = len(recs)
        shares = {k: (float(_filled(recs[c]).mean()) if n else 0.0) for k, c in COVERAGE_KEYS.items()}
        out.append(Coverage(info.name, info.system, n, shares))
    return out


def _linking(records: pd.DataFrame, link: Any) -> LinkingProfile:
    import pandas as pd

    job = records["job"].astype(str)
    # job x system presence: one vectorised table answers "which systems hold this job"
    present = pd.crosstab(job, records["system"].astype(str)).gt(0)
    combos = present.apply(lambda row: " + ".join(row.index[row.to_numpy()]), axis=1).value_counts()
    sources = []
    for source, grp in records.groupby("source", observed=True, sort=True):
        system = str(grp["system"].iloc[0])
        held = present.loc[job[grp.index].to_numpy()].reset_index(drop=True)
        others = held.drop(columns=[system], errors="ignore")
        linked = others.any(axis=1).to_numpy()
        to_systems = {str(k): int(v) for k, v in others.sum().items() if v}
        by_method = grp["link_method"].astype(str).value_counts().to_dict() if "link_method" in grp else {}
        lonely = grp[~linked]
        examples = [
            f"{rid} ({cust})" if isinstance(cust, str) and cust else str(rid)
            for rid, cust in zip(lonely["record_id"].head(5), lonely["customer"].head(5), strict=True)
        ]
        sources.append(SourceLinks(str(source), system, len(grp), int(linked.sum()),
                                   {str(k): int(v) for k, v in by_method.items()}, to_systems, examples))
    pairs: list[dict[str, Any]] = []
    links = getattr(link, "links", None)
    if links is not None and len(links):
        sys_of = records.drop_duplicates("source").set_index("source")["system"].astype(str)
        a = links["source_a"].map(sys_of)
        b = links["source_b"].map(sys_of)
        frame = pd.DataFrame({"a": a.where(a <= b, b), "b": b.where(a <= b, a), "method": links["method"].astype(str)})
        for (sa, sb), grp in frame.groupby(["a", "b"], sort=True):
            pairs.append({"a": sa, "b": sb, "links": len(grp), "methods": {str(k): int(v) for k, v in grp["method"].value_counts().items()}})
    ambiguous = getattr(link, "ambiguous", None)
    duplicates = getattr(link, "duplicates", None)
    return LinkingProfile(
        jobs=int(job.nunique()),
        sources=sources,
        pairs=pairs,
        combinations={str(k): int(v) for k, v in combos.items()},
        ambiguous=0 if ambiguous is None else int(len(ambiguous)),
        duplicates=0 if duplicates is None else int(len(duplicates)),
    )
