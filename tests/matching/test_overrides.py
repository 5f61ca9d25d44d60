"""[matching] settings, [[links]] / links.csv overrides, and how the linker honours them."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.errors import BadValueError, ConfigError, MissingColumnError
from driftcheck.linking import (
    LinkOverride,
    MatchSettings,
    RecordRef,
    find_links_csv,
    link_records,
    load_overrides,
    overrides_from_config,
)
from tests.matching.helpers import chris_lees, job_of, records

# --------------------------------------------------------------------------- settings


def test_settings_defaults_are_safe():
    s = MatchSettings.from_dict({})
    assert s.phone_region == "US" and s.tiers == ("reference", "email", "phone", "name", "fuzzy")
    assert s.fuzzy_threshold == 90 and s.match_invoice_numbers


def test_settings_read_a_table():
    s = MatchSettings.from_dict(
        {"phone_region": "ca", "tiers": ["name", "email"], "fuzzy_threshold": 93, "match_invoice_numbers": False}
    )
    assert (s.phone_region, s.tiers, s.fuzzy_threshold, s.match_invoice_numbers) == (
        "CA",
        ("email", "name"),
        93.0,
        False,
    )
    assert MatchSettings.from_dict(s.as_dict()) == s


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ({"phone_regoin": "US"}, "matching.phone_regoin", "unknown setting"),
        ({"phone_region": "Narnia"}, "matching.phone_region", "unknown phone region"),
        ({"tiers": ["email", "psychic"]}, "matching.tiers", "unknown tier 'psychic'"),
        ({"tiers": "email"}, "matching.tiers", "list of tier names"),
        ({"fuzzy_threshold": 120}, "matching.fuzzy_threshold", "from 50 to 100"),
        ({"job_margin": "wide"}, "matching.job_margin", "from 0 to 1"),
        ({"match_invoice_numbers": "yes"}, "matching.match_invoice_numbers", "true or false"),
        ({"shared_key_limit": 1}, "matching.shared_key_limit", "at least 2"),
    ],
)
def test_bad_settings_name_the_key(table, key, words):
    with pytest.raises(ConfigError) as exc:
        MatchSettings.from_dict(table, file="driftcheck.toml")
    assert exc.value.key == key
    assert words in str(exc.value) and "driftcheck.toml" in str(exc.value)


# --------------------------------------------------------------------------- reading overrides


def test_record_references():
    assert RecordRef.parse("quickbooks invoice 1043") == RecordRef(
        "quickbooks invoice 1043", "1043", "quickbooks", "invoice"
    )
    assert RecordRef.parse("J-1042") == RecordRef("J-1042", "1042", None, "job")
    assert RecordRef.parse("QBO Invoice List.xlsx #1043").who == "QBO Invoice List.xlsx"
    assert RecordRef.parse("hubspot:deals:987").record_type == "deal"
    with pytest.raises(ValueError):
        RecordRef.parse("1043")


def test_toml_and_csv_overrides(tmp_path: Path):
    csv = tmp_path / "links.csv"
    csv.write_text("action,a,b,reason\npin,quickbooks invoice 5001,J-101,paid in cash\nforbid,hubspot 900,J-102,\n")
    got = load_overrides(
        [{"pin": ["qbo 5002", "J-101"], "reason": "memo lost"}, {"forbid": ["J-101", "hubspot deal 901"]}],
        csv,
        config_file=tmp_path / "driftcheck.toml",
    )
    assert [(o.action, o.a.text, o.b.text, o.origin) for o in got] == [
        ("pin", "qbo 5002", "J-101", "driftcheck.toml [[links]] #1"),
        ("forbid", "J-101", "hubspot deal 901", "driftcheck.toml [[links]] #2"),
        ("pin", "quickbooks invoice 5001", "J-101", "links.csv row 2"),
        ("forbid", "hubspot 900", "J-102", "links.csv row 3"),
    ]


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"pin": ["a 1"]}, "links[0].pin"),
        ({"pin": ["qbo 1", "J-2"], "forbid": ["qbo 1", "J-2"]}, "links[0]"),
        ({"pin": ["qbo 1", "J-2"], "colour": "red"}, "links[0].colour"),
        ({"a": "qbo 1", "b": "J-2", "action": "merge"}, "links[0].action"),
        ({"pin": ["1043", "J-2"]}, "links[0].pin"),
    ],
)
def test_bad_toml_overrides_name_the_entry(entry, key):
    with pytest.raises(ConfigError) as exc:
        load_overrides([entry], None, config_file="driftcheck.toml")
    assert exc.value.key == key


def test_bad_links_csv_names_row_and_column(tmp_path: Path):
    f = tmp_path / "links.csv"
    f.write_text("action,left,right\npin,a 1,J-1\n")
    with pytest.raises(MissingColumnError) as exc:
        load_overrides([], f)
    assert exc.value.column == "a"
    f.write_text("action,a,b\npin,qbo 1,J-1\nmerge,qbo 2,J-1\n")
    with pytest.raises(BadValueError) as exc2:
        load_overrides([], f)
    assert (exc2.value.row, exc2.value.column, exc2.value.found) == (3, "action", "merge")


def test_links_csv_found_beside_config_or_exports(tmp_path: Path):
    (tmp_path / "exports").mkdir()
    assert find_links_csv([tmp_path / "exports"], tmp_path) is None
    (tmp_path / "exports" / "links.csv").write_text("a,b\n")
    assert find_links_csv([tmp_path / "exports"], tmp_path) == tmp_path / "exports" / "links.csv"
    (tmp_path / "links.csv").write_text("a,b\n")
    assert find_links_csv([tmp_path / "exports"], tmp_path) == tmp_path / "links.csv"


def test_overrides_from_config_reads_matching_and_links(tmp_path: Path):
    settings, ovs = overrides_from_config(
        {"matching": {"fuzzy_threshold": 95}, "links": [{"pin": ["qbo 1", "J-2"]}]}, base_dir=tmp_path
    )
    assert settings.fuzzy_threshold == 95 and len(ovs) == 1
    with pytest.raises(ConfigError):
        overrides_from_config({"links": {"pin": ["qbo 1", "J-2"]}})


# --------------------------------------------------------------------------- honouring them


def test_a_pin_decides_what_the_data_cannot_and_says_so():
    pin = LinkOverride(
        "pin", RecordRef.parse("quickbooks invoice 5001"), RecordRef.parse("J-102"), "checked", "links.csv row 2"
    )
    res = link_records(chris_lees(), overrides=[pin])
    assert job_of(res, "qinv", "5001") == "J-102"
    assert job_of(res, "qpay", "9") == "J-102"
    assert res.records.set_index("record_id").loc["5001", "link_method"] == "pin"
    assert res.ambiguous.empty
    assert res.overrides_applied == ["pinned quickbooks invoice 5001 to job J-102 (links.csv row 2): checked"]


def test_a_forbid_keeps_records_apart_and_says_what_it_stopped():
    recs = records(
        ("job", {"record_id": "101", "customer": "John Smith", "email": "j@x.com", "amount": 100}),
        ("deal", {"record_id": "900", "customer": "John Smith", "email": "j@x.com", "amount": 100}),
    )
    assert job_of(link_records(recs), "deal", "900") == "J-101"
    forbid = LinkOverride(
        "forbid", RecordRef.parse("hubspot deal 900"), RecordRef.parse("J-101"), "", "driftcheck.toml [[links]] #1"
    )
    res = link_records(recs, overrides=[forbid])
    assert job_of(res, "deal", "900") == "D-900"
    assert res.overrides_applied == [
        "kept hubspot deal 900 apart from J-101 (driftcheck.toml [[links]] #1); "
        "without it they would have been linked (customer match)"
    ]


def test_overrides_that_cannot_apply_are_warnings():
    ghost = LinkOverride("pin", RecordRef.parse("qbo 7777"), RecordRef.parse("J-101"), "", "links.csv row 4")
    two_jobs = LinkOverride("pin", RecordRef.parse("J-101"), RecordRef.parse("J-102"), "", "links.csv row 5")
    res = link_records(chris_lees(), overrides=[ghost, two_jobs])
    assert res.overrides_applied == []
    assert any("no record 'qbo 7777'" in w for w in res.warnings)
    assert any("two jobs" in w for w in res.warnings)
    assert job_of(res, "job", "101") != job_of(res, "job", "102")
