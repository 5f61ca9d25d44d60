"""The labelled matching set: job-link precision and recall, planted ambiguity, planted duplicates."""

from __future__ import annotations

import pytest

from driftcheck.linking import link_records
from tests.matching.labelled import make_labelled_set, pairwise_scores


@pytest.fixture(scope="module")
def labelled():
    ls = make_labelled_set()
    return ls, link_records(ls.records)


def test_the_set_has_every_difficulty_the_issue_names(labelled):
    ls, _ = labelled
    r = ls.records
    assert ls.jobs >= 300
    assert set(r["system"]) == {"hubspot", "jobber", "quickbooks"}
    assert len(ls.planted["multi_job"]) >= 30  # customers with two or three jobs
    assert r.loc[r["system"] == "jobber", "email"].isna().mean() > 0.1  # missing emails
    assert r.loc[r["system"] == "quickbooks", "customer"].str.contains(",").mean() > 0.3  # "Smith, John"
    deals = r[r["record_type"] == "deal"]
    assert deals["customer"].isna().sum() >= 30  # deals named only "Smith – Kitchen remodel"
    surnames = r.loc[r["system"] == "jobber", "customer"].str.split().str[-1].value_counts()
    assert surnames.iloc[0] >= 15  # shared surnames
    for key in ("relatives", "company_owner", "same_name", "ambiguous", "duplicates", "multi_job"):
        assert ls.planted[key], key


def test_job_link_precision_and_recall(labelled, capsys):
    ls, res = labelled
    s = pairwise_scores(res.records["job"], ls.truth)
    with capsys.disabled():
        print(
            f"\nlabelled matching set: {len(ls.records)} records, {ls.jobs} jobs; job-link precision "
            f"{s['precision']:.4f}, recall {s['recall']:.4f} ({s['correct_pairs']} of {s['predicted_pairs']} "
            f"predicted pairs correct, {s['true_pairs']} true pairs)"
        )
    assert s["precision"] >= 0.98
    assert s["recall"] >= 0.95


def test_planted_ambiguous_records_are_reported_never_linked(labelled):
    ls, res = labelled
    reported = set(zip(res.ambiguous["source"], res.ambiguous["record_id"], strict=True))
    r = res.records.set_index(["source", "record_id"])
    for key in ls.planted["ambiguous"]:
        assert key in reported, key
        assert r.loc[key, "job"].startswith("I-"), key  # left on its own, not guessed into a job
        cands = res.ambiguous.set_index(["source", "record_id"]).loc[key, "candidates"].split(",")
        assert len(cands) >= 2 and all(c.startswith("J-") for c in cands)


def test_every_planted_duplicate_found_and_no_false_alarm(labelled):
    ls, res = labelled
    groups = [set(n.split("; ")) for n in res.duplicates["names"]]

    def found(names: set[str]) -> bool:
        return any(all(any(p in g for g in group) for p in names) for group in groups)

    for _system, names in ls.planted["duplicates"]:
        assert found(names), names
    assert len(res.duplicates) == len(ls.planted["duplicates"])
    for a, b in ls.planted["relatives"] + ls.planted["company_owner"]:
        assert not any(a in g and b in g for g in groups), (a, b)
    for name in ls.planted["same_name"]:
        assert not any(sum(name in n for n in g) >= 2 for g in groups), name
