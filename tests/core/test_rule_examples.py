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


FLAGGING = [r for r in RULES if any(e.get("flags") for e in r.examples)]


@pytest.mark.parametrize("rule", FLAGGING, ids=[r.id for r in FLAGGING])
def test_the_fields_listed_for_a_message_are_the_ones_a_message_can_use(rule):
    """`driftcheck rules ID` lists the {fields} a consultant may write in the rule's message: every
    field the shipped message names is among them, and a message naming all of them is filled
    in (no "?" placeholder) on the flagging example."""
    import dataclasses
    import string

    from driftcheck.engine import message_fields

    fields = message_fields(rule)
    assert fields, f"{rule.id}: no fields listed"
    used = {name for _, name, _, _ in string.Formatter().parse(rule.message) if name}
    assert used <= set(fields), used - set(fields)
    everything = dataclasses.replace(rule, message="|".join(f"{{{f}}}" for f in fields))
    flagging = dataclasses.replace(everything, examples=[e for e in rule.examples if e.get("flags")][:1])
    (_, findings), = run_examples(flagging)
    assert findings
    assert "?" not in findings[0].message.split("|"), [
        f for f, v in zip(fields, findings[0].message.split("|"), strict=True) if v == "?"
    ]


def test_the_rules_command_shows_the_message_fields():
    from typer.testing import CliRunner

    from driftcheck.cli import app

    out = CliRunner().invoke(app, ["rules", "won-not-invoiced"]).stdout
    assert "Message fields" in out
    listed = out.split("Message fields", 1)[1].split("Example", 1)[0]
    for field in ("deal_amount_text", "since_text", "deal_system_name", "age_days"):
        assert field in listed
