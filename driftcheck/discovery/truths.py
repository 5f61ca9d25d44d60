"""Who claims which truth: the systems carrying a status for each lifecycle domain, and how often they disagree.

A system *claims* a domain when the status map gives its records states in it: Jobber
invoices claim billing beside the accounting system; a CRM stage mapped to "paid" claims
billing too. The domain's owner is the role ``[owners]`` names (accounting owns billing
by default). Each non-owner record is compared with the owner's view of the same job,
the way the engine's ``status-conflict`` rule does (:func:`driftcheck.engine._owner_conflicts`):

* billing: with the owner's invoice of the same number, else the job (paid when fully
  paid, else invoiced when invoiced);
* execution: with the operations job's state; pipeline: with the CRM deal's state.

It *agrees* when both give the same state, is *ahead* when it says more (paid while the
books show money owed: the rule flags these), *behind* when it says less (a sync not yet
caught up), and *other* when exactly one says cancelled or void. Payments are events,
not states: their claimants are listed, not compared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lifecycle import DOMAINS, domain_of
from .model import Claim, DomainTruth

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["domain_truths"]

_RANK = {
    "pipeline": {"open": 0, "won": 1},
    "execution": {"unscheduled": 0, "scheduled": 1, "in_progress": 2, "completed": 3},
    "billing": {"invoiced": 0, "partially_paid": 1, "paid": 2},
}
_TERMINAL = {"pipeline": "lost", "execution": "cancelled", "billing": "void"}


def _owner_view(domain: str, claims: pd.DataFrame, records: pd.DataFrame, jobs: pd.DataFrame, owner_role: str) -> pd.DataFrame:
    """The owner's state (``o_state``) and open balance (``o_balance``) for each claim's job."""
    import numpy as np
    import pandas as pd

    job = claims["job"].astype(str)
    out = pd.DataFrame({"state": claims["state"].astype(object).to_numpy()}, index=claims.index)
    if domain == "billing":
        owner_inv = records[(records["record_type"] == "invoice") & (records["role"] == owner_role)]
        paired = (owner_inv.assign(job=owner_inv["job"].astype(str), record_id=owner_inv["record_id"].astype(str))
                  .drop_duplicates(["job", "record_id"]).set_index(["job", "record_id"]))
        idx = pd.MultiIndex.from_arrays([job.to_numpy(), claims["record_id"].astype(str).to_numpy()])
        pair_state = pd.Series(paired["state"].astype(object).reindex(idx).to_numpy(), index=claims.index)
        pair_bal = pd.Series(paired["balance"].reindex(idx).to_numpy(dtype=float), index=claims.index)
        fully = jobs["m_fully_paid"].reindex(job).fillna(False).to_numpy(dtype=bool)
        invoiced = jobs["m_invoiced"].reindex(job).fillna(False).to_numpy(dtype=bool)
        job_state = pd.Series(np.where(fully, "paid", np.where(invoiced, "invoiced", None)), index=claims.index)
        has_pair = pair_state.notna()
        out["o_state"] = pair_state.where(has_pair, job_state)
        job_bal = pd.Series(jobs["acc_balance"].reindex(job).to_numpy(dtype=float), index=claims.index)
        out["o_balance"] = pair_bal.where(has_pair, job_bal)
    else:
        col = "ops_state" if domain == "execution" else "deal_state"
        out["o_state"] = jobs[col].astype(object).reindex(job).to_numpy()
        out["o_balance"] = np.nan
    out["o_state"] = out["o_state"].where(out["o_state"].notna(), None)
    return out


def _compare(domain: str, view: pd.DataFrame) -> dict[str, int]:
    """Counts of agree / ahead / behind / other among claims the owner has a view on."""
    v = view[view["o_state"].notna()]
    if v.empty:
        return {"compared": 0, "agree": 0, "ahead": 0, "behind": 0, "other": 0}
    rank = _RANK.get(domain, {})
    term = _TERMINAL.get(domain)
    c_term = v["state"].eq(term)
    o_term = v["o_state"].eq(term)
    other = c_term ^ o_term
    same = v["state"].astype(str).eq(v["o_state"].astype(str)) & ~other
    c_rank = v["state"].map(rank)
    o_rank = v["o_state"].map(rank)
    ahead = (c_rank > o_rank).fillna(False)
    if domain == "billing":
        ahead = ahead | (v["state"].eq("paid") & (v["o_balance"].astype(float).fillna(0) > 0.005))
    ahead = ahead & ~other & ~same
    behind = ~same & ~other & ~ahead
    return {"compared": len(v), "agree": int(same.sum()), "ahead": int(ahead.sum()),
            "behind": int(behind.sum()), "other": int(other.sum())}


def domain_truths(records: pd.DataFrame, jobs: pd.DataFrame, owners: dict[str, str], scan: dict[str, Any]) -> list[DomainTruth]:
    """Every domain with the systems that carry a status for it, the owner, and their agreement.

    Args:
        records: linked records with states.
        jobs: the job table.
        owners: domain -> owning role (``Config.owners``).
        scan: the scan dict; its ``status-conflict`` findings are counted per domain.
    """
    with_state = records[records["state"].notna()]
    state_domain = with_state["state"].map(lambda s: domain_of(str(s)))
    conflicts = _conflicts_by_domain(records, scan)
    out = []
    for domain in DOMAINS:
        owner_role = owners.get(domain, "")
        rows = with_state[state_domain == domain]
        claims = []
        for (source, system, role, rtype), grp in rows.groupby(["source", "system", "role", "record_type"], observed=True, sort=True):
            claim = Claim(
                source=str(source), system=str(system), role=str(role), record_type=str(rtype), records=len(grp),
                states={str(k): int(v) for k, v in grp["state"].astype(str).value_counts().items()},
                owner=str(role) == owner_role,
            )
            if not claim.owner and domain != "payment":
                for k, v in _compare(domain, _owner_view(domain, grp, records, jobs, owner_role)).items():
                    setattr(claim, k, v)
            claims.append(claim)
        claims.sort(key=lambda c: (not c.owner, c.system, c.source))
        owner_systems = sorted({c.system for c in claims if c.owner})
        out.append(DomainTruth(domain, owner_role, owner_systems, claims, conflicts.get(domain, 0)))
    return out


def _conflicts_by_domain(records: pd.DataFrame, scan: dict[str, Any]) -> dict[str, int]:
    """status-conflict findings per domain (the domain of the state the claiming record holds)."""
    cited = [
        (str(ev.get("source")), str(ev.get("record")))
        for f in scan.get("findings", []) if f.get("rule") == "status-conflict"
        for ev in (f.get("evidence") or [])
    ]
    if not cited:
        return {}
    keys = records["source"].astype(str) + "\x00" + records["record_id"].astype(str)
    wanted = records[keys.isin({f"{s}\x00{r}" for s, r in cited})]
    state_of = {(str(s), str(i)): str(st) for s, i, st in zip(wanted["source"], wanted["record_id"], wanted["state"], strict=True)}
    out: dict[str, int] = {}
    for f in scan.get("findings", []):
        if f.get("rule") != "status-conflict":
            continue
        for ev in f.get("evidence", []) or []:
            domain = domain_of(state_of.get((str(ev.get("source")), str(ev.get("record"))), ""))
            if domain:
                out[domain] = out.get(domain, 0) + 1
                break
    return out
