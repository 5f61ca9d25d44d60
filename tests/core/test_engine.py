"""Rule packs as data: loading, overrides, validation, and evaluation details."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from driftcheck.config import load_config
from driftcheck.engine import EvalContext, evaluate, finding_id, load_rules
from driftcheck.errors import ConfigError
from driftcheck.jobs import build_job_table
from driftcheck.lifecycle import DEFAULT_OWNERS
from driftcheck.records import conform


def make_records(rows):
    frame = pd.DataFrame([{"source": r.get("system"), **r} for r in rows])
    jobs = frame.pop("job")
    recs = conform(frame)
    recs["job"] = jobs.to_numpy()
    return recs


def run(rules, rows, as_of="2026-03-22"):
    recs = make_records(rows)
    table = build_job_table(recs, owners=dict(DEFAULT_OWNERS))
    ctx = EvalContext(jobs=table.jobs, records=table.records, as_of=dt.date.fromisoformat(as_of),
                      owners=dict(DEFAULT_OWNERS), teams={"crm": "sales", "operations": "operations", "accounting": "accounting"})
    return evaluate(rules, ctx)


DEAL_WON = {"job": "J-1", "record_type": "deal", "system": "hubspot", "role": "crm", "record_id": "101",
            "raw_status": "Closed Won", "state": "won", "amount": 12000.0, "closed": "2026-03-01"}


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_threshold_override_changes_what_fires(tmp_path):
    cfg = load_config(write(tmp_path, "driftcheck.toml", "[rules.won-not-invoiced]\nwithin_days = 30\n"))
    rules = [r for r in load_rules(cfg) if r.id == "won-not-invoiced"]
    assert rules[0].within_days == 30
    assert run(rules, [DEAL_WON]) == []  # 21 days old, threshold now 30
    default = [r for r in load_rules() if r.id == "won-not-invoiced"]
    assert [f.rule for f in run(default, [DEAL_WON])] == ["won-not-invoiced"]


def test_disabled_rule_does_not_fire(tmp_path):
    cfg = load_config(write(tmp_path, "driftcheck.toml", "[rules.won-not-invoiced]\nenabled = false\n"))
    rules = load_rules(cfg)
    assert [r.enabled for r in rules if r.id == "won-not-invoiced"] == [False]
    assert all(f.rule != "won-not-invoiced" for f in run(rules, [DEAL_WON]))


def test_unknown_rule_in_config_is_an_error(tmp_path):
    cfg = load_config(write(tmp_path, "driftcheck.toml", "[rules.invoice-overdew]\nwithin_days = 3\n"))
    with pytest.raises(ConfigError, match="no rule with id 'invoice-overdew'"):
        load_rules(cfg)


def test_bad_override_value_names_the_key(tmp_path):
    cfg = load_config(write(tmp_path, "driftcheck.toml", '[rules.invoice-overdue]\nwithin_days = "soon"\n'))
    with pytest.raises(ConfigError, match=r"rules.invoice-overdue.within_days"):
        load_rules(cfg)


def test_extra_pack_adds_a_rule(tmp_path):
    pack = write(tmp_path, "mine.toml", '''
[[rules]]
id = "big-deal-won"
title = "Big deal won"
severity = "low"
owner = "sales"
kind = "sequence"
why = "Tell the owner."
after = "won"
expect = ["scheduled"]
within_days = 1
amount = "deal_amount"
message = "{deal_ref} won {since_text} for {deal_amount_text}."
''')
    rules = [r for r in load_rules(None, [pack]) if r.id == "big-deal-won"]
    found = run(rules, [DEAL_WON])
    assert [f.message for f in found] == ["#101 won Mar 1, 2026 for $12,000.00."]
    assert found[0].amount == 12000.0


@pytest.mark.parametrize(
    "body,fragment",
    [
        ('id = "x"\nkind = "vibes"\nseverity = "low"\nowner = "sales"\nmessage = "m"', "unknown kind 'vibes'"),
        ('id = "x"\nkind = "sequence"\nseverity = "urgent"\nowner = "sales"\nmessage = "m"\nafter = "won"\nexpect = []', "expected high, medium or low"),
        ('id = "x"\nkind = "sequence"\nseverity = "low"\nowner = "sales"\nmessage = "m"\nafter = "signed"\nexpect = []', "unknown milestone 'signed'"),
        ('id = "x"\nkind = "sequence"\nseverity = "low"\nowner = "sales"\nmessage = "m"\nexpect = []', "needs 'after'"),
        ('id = "x"\nkind = "sequence"\nseverity = "low"\nowner = "sales"\nmessage = "m"\nafter = "won"\nexpect = []\ncolour = 1', "'colour' is not a parameter"),
    ],
)
def test_bad_pack_names_file_rule_and_problem(tmp_path, body, fragment):
    pack = write(tmp_path, "bad.toml", "[[rules]]\n" + body + "\n")
    with pytest.raises(ConfigError) as e:
        load_rules(None, [pack])
    assert str(pack) in str(e.value) and fragment in str(e.value)


def test_finding_ids_are_stable_and_distinct():
    assert finding_id("won-not-invoiced", "J-1") == finding_id("won-not-invoiced", "J-1")
    assert finding_id("won-not-invoiced", "J-1") != finding_id("won-not-invoiced", "J-2")
    assert finding_id("invoice-overdue", "J-1", "qbo:1") != finding_id("invoice-overdue", "J-1", "qbo:2")


def test_findings_sorted_by_severity_then_amount():
    rows = [
        DEAL_WON,
        {**DEAL_WON, "job": "J-2", "record_id": "102", "amount": 50000.0},
        {"job": "J-3", "record_type": "invoice", "system": "quickbooks", "role": "accounting", "record_id": "9",
         "raw_status": "Open", "state": "invoiced", "amount": 99999.0, "balance": 99999.0, "created": "2026-01-01", "due": "2026-01-15"},
    ]
    found = run(load_rules(), rows)
    sev = [f.severity for f in found]
    assert sev == sorted(sev, key={"high": 0, "medium": 1, "low": 2}.get)
    highs = [f for f in found if f.rule == "won-not-invoiced"]
    assert [f.job for f in highs] == ["J-2", "J-1"]


def test_cancelled_job_is_exempt_from_won_not_invoiced():
    rows = [DEAL_WON, {"job": "J-1", "record_type": "job", "system": "jobber", "role": "operations", "record_id": "1001",
                       "raw_status": "Cancelled", "state": "cancelled", "amount": 12000.0, "created": "2026-03-02"}]
    assert [f for f in run(load_rules(), rows) if f.rule == "won-not-invoiced"] == []


def test_custom_stage_beyond_pipeline_counts_as_won():
    rows = [{**DEAL_WON, "raw_status": "Install Scheduled", "state": "scheduled"}]
    assert [f.rule for f in run(load_rules(), rows) if f.rule == "won-not-invoiced"] == ["won-not-invoiced"]


def test_messages_made_column_wise_read_exactly_as_made_row_by_row():
    """Findings' messages are rendered for all hits at once; every field must read as the
    row-by-row context fills it: placeholders for missing values, money, system names,
    references, an unknown field as '?', a blank customer as 'customer unknown'."""
    from driftcheck.engine import _message_context, _render_messages

    hits = pd.DataFrame({
        "customer": pd.array(["Ann Lee", None, ""], dtype="string[pyarrow]"),
        "amount": [1234.5, float("nan"), -20.0],
        "system": pd.Categorical(["quickbooks", None, "jobber"]),
        "deal_id": pd.array(["77", None, "78"], dtype="string[pyarrow]"),
        "since": pd.to_datetime(["2026-01-05", None, "2025-12-31"]),
        "age_days": [3, 40, 1000],
        "pay_type": ["deposit", None, "payment"],
    })
    template = ("{customer}: {amount_text} in {system_name} ({deal_ref}, {ops_ref}) since {since_text}, "
                "{age_days} days; {pay_kind} {record_ref} {unknown_field} {{braces}}")
    rows = [template.format_map(_message_context(r)) for r in hits.to_dict("records")]
    assert _render_messages(template, hits) == rows
    assert rows[1].startswith("customer unknown: an unknown amount in another system ((no number)")
    assert "? {braces}" in rows[0]


def test_messages_needing_str_format_are_left_to_the_row_by_row_path():
    from driftcheck.engine import _render_messages

    hits = pd.DataFrame({"age_days": [3]})
    assert _render_messages("{age_days:>5} days", hits) is None
    assert _render_messages("{age_days!r}", hits) is None
    assert _render_messages("{0}", hits) is None
