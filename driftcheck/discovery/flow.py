"""The lifecycle flow of one business: jobs per stage, typical days between stages, where jobs stick.

Stages are the scan's (won, deposit, scheduled, completed, invoiced, paid), read from
the job table's milestones, with one tightening: *paid* means fully invoiced and
nothing owed, so a job whose deposit invoice is paid is not "paid". A job *sits* at the
furthest stage it reached; it is *stuck* there when that stage is older than the
threshold of the rule watching the next hand-off.

Timings come from the job table's date columns:

======== ==========================================================================
won      ``deal_closed`` (the CRM close date)
deposit  ``pay_first``, when it came before the work was complete (a later first
         payment is a final payment: the job took no deposit)
scheduled ``ops_scheduled`` (the first visit; exports do not say when it was booked)
completed ``ops_completed``
invoiced ``acc_last_invoice`` (of a fully invoiced job)
paid     the last payment, from any system (else accounting's paid date)
======== ==========================================================================

:func:`threshold_advice` compares each timing rule's threshold with the business's
own 90th percentile, and proposes a new one where the default would flag normal work.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..lifecycle import STAGES
from .model import Handoff, StageStat, ThresholdAdvice

if TYPE_CHECKING:
    import pandas as pd

    from ..engine import Rule

__all__ = ["exits", "handoffs", "stage_dates", "stages", "threshold_advice"]

#: stage -> (date column of :func:`stage_dates`, rule whose threshold says "stuck")
_STUCK = {
    "won": "won-not-invoiced",
    "deposit": "paid-not-scheduled",
    "scheduled": "schedule-passed-not-complete",
    "completed": "complete-not-invoiced",
    "invoiced": "invoice-overdue",
}

#: A threshold is absurd for a business when its p90 is this many times the threshold
#: and at least _ABSURD_DAYS beyond it, measured on at least _MIN_MEASURED jobs.
_ABSURD_RATIO = 2.0
_ABSURD_DAYS = 3
_MIN_MEASURED = 8


def _open_due(jobs: pd.DataFrame, records: pd.DataFrame, billing_role: str) -> pd.Series:
    """Per job: the earliest due date of the billing owner's invoices that still have money owed."""
    import pandas as pd

    inv = records[(records["record_type"] == "invoice") & (records["role"] == billing_role)
                  & (records["balance"].fillna(0) > 0.005) & records["state"].ne("void").fillna(True)]
    return _per_job(inv["due"].groupby(inv["job"].astype(str)).min(), jobs.index)


def _per_job(values: pd.Series, index: pd.Index) -> pd.Series:
    """Dates keyed by job, aligned on the job table's index (NaT where a job has none)."""
    import pandas as pd

    values = pd.to_datetime(values)
    values.index = values.index.astype(str)
    return pd.Series(values.reindex(index.astype(str)).to_numpy(dtype="datetime64[ns]"), index=index)


def stage_dates(jobs: pd.DataFrame, records: pd.DataFrame, billing_role: str = "accounting") -> pd.DataFrame:
    """Per job: whether each stage was reached (bool ``<stage>``) and when (``<stage>_at``).

    ``out`` marks jobs that left the flow (lost with no live work, cancelled) or never
    entered it (money matched to no deal and no job); ``due_at`` is the earliest due date
    of an invoice with money still owed.
    """
    import pandas as pd

    pays = records[records["record_type"].isin(["payment", "deposit"]) & records["state"].ne("refunded").fillna(True)]
    pay_date = pays["paid"].fillna(pays["created"])
    last_pay = _per_job(pay_date.groupby(pays["job"].astype(str)).max(), jobs.index)
    out = pd.DataFrame(index=jobs.index)
    completed_at = pd.to_datetime(jobs["ops_completed"])
    pay_first = pd.to_datetime(jobs["pay_first"])
    out["won"] = jobs["m_won"].astype(bool)
    out["won_at"] = pd.to_datetime(jobs["deal_closed"])
    out["deposit"] = jobs["m_paid_any"].astype(bool)
    # a first payment after the work was finished is the final payment, not a deposit
    out["deposit_at"] = pay_first.where(completed_at.isna() | (pay_first <= completed_at))
    out["scheduled"] = jobs["m_scheduled"].astype(bool)
    out["scheduled_at"] = pd.to_datetime(jobs["ops_scheduled"])
    out["completed"] = jobs["m_completed"].astype(bool)
    out["completed_at"] = completed_at
    out["invoiced"] = jobs["m_fully_invoiced"].astype(bool)
    out["invoiced_at"] = pd.to_datetime(jobs["acc_last_invoice"])
    out["paid"] = (jobs["m_fully_invoiced"] & jobs["m_fully_paid"]).astype(bool)
    out["paid_at"] = last_pay.fillna(pd.to_datetime(jobs["acc_paid_at"]))
    out["due_at"] = _open_due(jobs, records, billing_role)
    # lost deals with no live work, cancelled jobs, and money matched to no deal or job leave the flow
    out["out"] = (jobs["m_lost"] & ~jobs["m_ops_live"] & ~jobs["m_acc_any"]) | jobs["m_cancelled"] | ~jobs["m_has_work"]
    for s in STAGES:
        out.loc[~out[s], f"{s}_at"] = pd.NaT
    return out


def _rules_by_id(rules: list[Rule]) -> dict[str, Rule]:
    return {r.id: r for r in rules if r.enabled}


def stages(dates: pd.DataFrame, rules: list[Rule], as_of: Any) -> list[StageStat]:
    """Jobs that reached each stage, sit at it, and are stuck at it (see the module docstring)."""
    import numpy as np
    import pandas as pd

    live = dates[~dates["out"]]
    reached = live[list(STAGES)].to_numpy(dtype=bool)
    furthest = np.where(reached.any(axis=1), len(STAGES) - 1 - np.argmax(reached[:, ::-1], axis=1), -1)
    by_id = _rules_by_id(rules)
    today = pd.Timestamp(as_of)
    # "open": in the flow (a deal or a job exists) but no stage reached yet: pipeline deals
    out = [StageStat(stage="open", reached=len(live), sitting=int((furthest == -1).sum()), stuck=0,
                     stuck_after=None, rule=None)]
    for i, s in enumerate(STAGES):
        sitting = live[furthest == i]
        rule = by_id.get(_STUCK.get(s, ""))
        stuck = pd.Series(False, index=sitting.index)
        if rule is not None:
            since = sitting["due_at"] if s == "invoiced" else sitting[f"{s}_at"]
            stuck = ((today - since).dt.days > rule.within_days).fillna(False)
        examples = sorted(map(str, sitting.index[stuck.to_numpy(dtype=bool)]))[:8]
        out.append(StageStat(
            stage=s, reached=int(live[s].sum()), sitting=len(sitting), stuck=int(stuck.sum()),
            stuck_after=rule.within_days if rule is not None else None, rule=rule.id if rule is not None else None,
            stuck_examples=examples,
        ))
    return out


def exits(dates: pd.DataFrame, jobs: pd.DataFrame) -> dict[str, int]:
    """Jobs outside the flow: lost deals with no live work, cancelled jobs, money with no deal or job."""
    lost = jobs["m_lost"] & ~jobs["m_ops_live"] & ~jobs["m_acc_any"]
    return {
        "lost": int(lost.sum()),
        "cancelled": int((jobs["m_cancelled"] & ~lost).sum()),
        "no deal or job": int((~jobs["m_has_work"]).sum()),
    }


def _days(a: pd.Series, b: pd.Series) -> pd.Series:
    return (b - a).dt.days.dropna()


def _stats(days: pd.Series) -> tuple[float | None, float | None]:
    import numpy as np

    if days.empty:
        return None, None
    return float(np.median(days)), float(np.percentile(days, 90))


def handoffs(dates: pd.DataFrame, scan: dict[str, Any]) -> list[Handoff]:
    """Median and 90th-percentile days between consecutive stages, with the scan's drift per hand-off."""
    drift = {(h["from"], h["to"]): h for h in (scan.get("lifecycle") or {}).get("handoffs", [])}
    dates = dates[~dates["out"]]
    out = []
    for a, b in zip(STAGES, STAGES[1:], strict=False):
        days = _days(dates[f"{a}_at"], dates[f"{b}_at"])
        forward = days[days >= 0]
        med, p90 = _stats(forward)
        h = drift.get((a, b), {})
        out.append(Handoff(source=a, target=b, measured=len(forward), median=med, p90=p90,
                           reversed=int((days < 0).sum()), drift=int(h.get("drift", 0)), rules=list(h.get("rules", []))))
    return out


def _invoice_lateness(records: pd.DataFrame, owners: dict[str, str]) -> pd.Series:
    """Days each paid accounting invoice was paid after its due date (0 when on time)."""
    billing = owners.get("billing", "accounting")
    inv = records[(records["record_type"] == "invoice") & (records["role"] == billing) & records["paid"].notna() & records["due"].notna()]
    return (inv["paid"] - inv["due"]).dt.days.clip(lower=0)


def threshold_advice(dates: pd.DataFrame, jobs: pd.DataFrame, records: pd.DataFrame, rules: list[Rule], owners: dict[str, str]) -> list[ThresholdAdvice]:
    """Each timing rule's threshold against this business's own timings.

    A threshold is *absurd* when the business's 90th percentile is at least twice it and
    three days beyond it, on at least eight jobs: the rule would flag normal work. Then a
    new threshold (the p90, rounded up) is proposed. Rules whose clock cannot be measured
    from exports say so.
    """
    import pandas as pd

    by_id = _rules_by_id(rules)
    measures: dict[str, tuple[str, pd.Series | None]] = {
        "won-not-invoiced": ("from the deal's close date to the first invoice",
                             _days(dates["won_at"], pd.to_datetime(jobs["acc_first_invoice"]).where(jobs["m_invoiced"]))),
        "paid-not-scheduled": ("from the first payment to booking the first visit (exports do not say when a visit was booked)", None),
        "schedule-passed-not-complete": ("from the first visit to completion", _days(dates["scheduled_at"], dates["completed_at"])),
        "complete-not-invoiced": ("from completion to the last invoice", _days(dates["completed_at"], dates["invoiced_at"])),
        "invoice-overdue": ("from an invoice's due date to its payment", _invoice_lateness(records, owners)),
        "paid-crm-open": ("from payment in full to the CRM deal's close", _days(dates["paid_at"], dates["won_at"])),
    }
    out = []
    for rid, (what, days) in measures.items():
        rule = by_id.get(rid)
        if rule is None:
            continue
        if days is None:
            out.append(ThresholdAdvice(rid, rule.within_days, what, 0, None, None, None, "not measurable from exports; kept"))
            continue
        forward = days[days >= 0]
        med, p90 = _stats(forward)
        reason = "within the threshold; kept"
        proposed = None
        if len(days) and (days < 0).sum() * 2 > len(days):
            reason = f"here it happens the other way round in {int((days < 0).sum())} of {len(days)} jobs; kept"
        elif not len(forward):
            reason = "nothing in these exports to measure it on; kept"
        elif len(forward) < _MIN_MEASURED or p90 is None:
            reason = f"only {len(forward)} measured; kept"
        elif p90 >= _ABSURD_RATIO * max(rule.within_days, 1) and p90 - rule.within_days >= _ABSURD_DAYS:
            proposed = int(math.ceil(p90))
            reason = (f"this business's 90th percentile is {p90:.0f} days, so {rule.within_days} days would flag "
                      f"normal work; raised to {proposed}")
        out.append(ThresholdAdvice(rid, rule.within_days, what, len(forward), med, p90, proposed, reason))
    return out
