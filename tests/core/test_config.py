"""driftcheck.toml: what loads, and the messages a user sees when it does not."""

from __future__ import annotations

import datetime as dt

import pytest

from driftcheck.config import find_config, load_config
from driftcheck.errors import ConfigError


def write(tmp_path, text):
    p = tmp_path / "driftcheck.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_without_a_file():
    cfg = load_config(None)
    assert cfg.owners == {"pipeline": "crm", "execution": "operations", "billing": "accounting", "payment": "accounting"}
    assert cfg.as_of is None and cfg.sources == []


def test_full_file(tmp_path):
    p = write(tmp_path, '''
business = "Harbor & Pine"
as_of = 2026-11-20
fail_on = "high"
[[sources]]
name = "books"
path = "exports/invoices.csv"
dayfirst = true
[status_map.hubspot.deal]
"Deposit Received" = "won"
[status_map.books.invoice]
"  Written Off " = "void"
[owners]
billing = "operations"
[rules.invoice-overdue]
within_days = 30
''')
    cfg = load_config(p)
    assert cfg.business == "Harbor & Pine"
    assert cfg.as_of == dt.date(2026, 11, 20)
    assert cfg.fail_on == "high"
    assert cfg.sources[0].name == "books" and cfg.sources[0].path == tmp_path / "exports" / "invoices.csv"
    assert cfg.sources[0].dayfirst is True
    assert cfg.status_map["hubspot"]["deal"] == {"deposit received": "won"}
    assert cfg.status_map["books"]["invoice"] == {"written off": "void"}
    assert cfg.owners["billing"] == "operations"
    assert cfg.rules["invoice-overdue"] == {"within_days": 30}


@pytest.mark.parametrize(
    "text,key,fragment",
    [
        ('fail_on = "sometimes"', "fail_on", "expected one of high, medium, low, never"),
        ('as_of = "next tuesday"', "as_of", "expected a date like 2026-11-20"),
        ('[status_map.hubspot.deal]\n"Won" = "celebrated"', "status_map.hubspot.deal", "not a lifecycle state"),
        ('[owners]\nbilling = "bank"', "owners.billing", "expected one of crm, accounting, operations"),
        ('[[sources]]\nname = "x"\n', "sources[0]", "needs the path of its file"),
        ('[[sources]]\npath = "a.csv"\nsystem = "salesforce"', "sources[0]", "expected one of hubspot"),
        ('colour = "blue"', "colour", "unknown setting"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path, text, key, fragment):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    msg = str(e.value)
    assert str(p) in msg and f"key '{key}'" in msg and fragment in msg


def test_not_toml(tmp_path):
    p = write(tmp_path, "business = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p)


def test_find_config_prefers_explicit_then_folders(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (b / "driftcheck.toml").write_text("")
    assert find_config(None, [a, b]) == b / "driftcheck.toml"
    with pytest.raises(ConfigError, match="does not exist"):
        find_config(tmp_path / "missing.toml", [b])
