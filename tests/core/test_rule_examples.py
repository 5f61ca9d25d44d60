"""Every documented example of every rule behaves as its documentation says.

The examples in rules/*.toml are what `driftcheck rules ID` shows a user; running
them through the engine here means the docs cannot rot.
"""

from __future__ import annotations

import pytest

from driftcheck.engine import load_rules, run_examples

RULES = load_rules()
CASES = [(r, i) for r in RULES for i in range(len(r.examples))]


def test_every_checklist_rule_has_a_flagging_and_an_accepting_example():
    checklist = [r for r in RULES if r.pack.endswith("checklist.toml")]
    for r in checklist:
        kinds = {bool(e.get("flags")) for e in r.examples}
        assert kinds == {True, False}, f"{r.id} needs one example that flags and one that accepts"


def test_checklist_has_exactly_the_default_ids():
    ids = {r.id for r in RULES if r.pack.endswith("checklist.toml")}
    assert ids == {
        "won-not-invoiced", "paid-not-scheduled", "schedule-passed-not-complete", "complete-not-invoiced",
        "invoice-not-sent", "invoice-overdue", "paid-crm-open", "lost-but-active", "status-conflict",
        "amount-mismatch", "orphan-invoice", "orphan-job", "duplicate-customer", "stale-source",
    }


@pytest.mark.parametrize("rule,index", CASES, ids=[f"{r.id}-{i}" for r, i in CASES])
def test_example(rule, index):
    results = run_examples(rule)
    example, findings = results[index]
    assert bool(findings) == bool(example["flags"]), (example.get("description"), [f.message for f in findings])
    for f in findings:
        assert f.rule == rule.id
        assert f.message and "?" not in f.message, f.message
        assert f.age_days is not None and f.age_days >= rule.within_days
