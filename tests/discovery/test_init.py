"""``init``: the written driftcheck.toml loads, keeps every observed value, and round-trips into a scan.

A scan with the written file must give the zero-config findings, less exactly the ones
a raised threshold calls normal work (story.toml ``normal = true``), plus exactly what the
mappings enable (the walkthrough's edited mapping: story.toml ``[[after_edit]]``).
"""

from __future__ import annotations

import json
import tomllib

import pytest

from driftcheck.config import load_config
from driftcheck.discovery import discover, render_config, write_config
from driftcheck.errors import UsageError
from driftcheck.scan import run_scan
from tests.discovery.conftest import INTL, INTL_AS_OF, MAIN_AS_OF, copy_exports, story


def keys(scan: dict) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["job"], f["since"]) for f in scan["findings"]}


def story_keys(entries: list[dict]) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["job"], f["since"]) for f in entries}


def test_written_file_loads_and_maps_every_observed_value(disc_main, main_zero, tmp_path):
    path = tmp_path / "driftcheck.toml"
    text, kept = write_config(disc_main, path)
    assert kept == []  # a new file: nothing to keep
    cfg = load_config(path)
    for v in disc_main.vocabularies:
        if v.kind != "status":
            continue
        table = cfg.status_map[v.system][v.record_type]
        for e in v.entries:
            expected = e.state or e.suggestion.state
            assert table[e.value.lower()] == expected, (v.source, e.value)
    assert '"Deposit Received" = "won"   # suggested: review' in text
    assert cfg.owners == {"pipeline": "crm", "execution": "operations", "billing": "accounting", "payment": "accounting"}
    assert cfg.rules == {}  # Harbor & Pine's timings fit the defaults: nothing re-thresholded
    # sources: every export, with its system, by a path relative to the file
    assert sorted(s.name for s in cfg.sources) == sorted(s.name for s in disc_main.sources)
    assert all(s.path.resolve() == (main_zero / s.name).resolve() and s.system for s in cfg.sources)
    assert "# [email]" in text and "password" not in text.split("# [email]")[1].replace("The password is", "")


def test_write_refuses_to_overwrite_without_force(disc_main, tmp_path):
    path = tmp_path / "driftcheck.toml"
    path.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists"):
        write_config(disc_main, path)
    assert path.read_text(encoding="utf-8") == "# mine\n"
    write_config(disc_main, path, force=True)
    assert "[status_map.hubspot.deal]" in path.read_text(encoding="utf-8")


def test_main_round_trip_gives_the_zero_config_findings(disc_main, main_zero, tmp_path_factory):
    folder = copy_exports(main_zero, tmp_path_factory.mktemp("rt") / "exports")
    write_config(disc_main, folder / "driftcheck.toml")
    with_file = run_scan([folder], as_of=MAIN_AS_OF)
    assert with_file.loaded.config.path == folder / "driftcheck.toml"
    assert keys(with_file.scan) == keys(disc_main.scan)
    # the suggested mapping is in force: no unmapped-status warning is left
    assert not [w for w in with_file.scan["warnings"] if "not mapped" in w["message"]]
    assert any("not mapped" in w["message"] for w in disc_main.scan["warnings"])


@pytest.fixture(scope="module")
def intl_init(disc_intl, tmp_path_factory):
    folder = copy_exports(INTL, tmp_path_factory.mktemp("walk") / "intl")
    text, _ = write_config(disc_intl, folder / "driftcheck.toml")
    return folder, text


def test_intl_round_trip_drops_only_the_normal_long_jobs(disc_intl, intl_init):
    folder, text = intl_init
    zero = story(INTL)["finding"]
    assert keys(disc_intl.scan) == story_keys(zero)
    with_file = run_scan([folder], as_of=INTL_AS_OF)
    assert keys(with_file.scan) == story_keys([f for f in zero if not f.get("normal")])
    p90 = disc_intl.handoff("scheduled", "completed").p90
    assert load_config(folder / "driftcheck.toml").rules == {"schedule-passed-not-complete": {"within_days": int(-(-p90 // 1))}}
    assert "90th percentile" in text.split("[rules.schedule-passed-not-complete]")[0].rsplit("\n\n", 1)[1]


def test_intl_walkthrough_edit_of_one_mapping_adds_exactly_the_planted_finding(intl_init, tmp_path):
    folder, text = intl_init
    assert '"Won" = "won"' in text and 'write "Won" = "paid"' in text  # init points at the line to edit
    edited = tmp_path / "driftcheck.toml"
    edited.write_text(text.replace('"Won" = "won"', '"Won" = "paid"'), encoding="utf-8")
    st = story(INTL)
    after = run_scan([folder], config_path=edited, as_of=INTL_AS_OF)
    expected = story_keys([f for f in st["finding"] if not f.get("normal")]) | story_keys(st["after_edit"])
    assert keys(after.scan) == expected
    added = next(f for f in after.scan["findings"] if (f["rule"], f["job"]) == (st["after_edit"][0]["rule"], st["after_edit"][0]["job"]))
    assert "Pipedrive" in added["message"] and "'Won'" in added["message"]


def test_sources_from_the_written_file_scan_without_paths(intl_init):
    folder, _ = intl_init
    by_paths = run_scan([folder], as_of=INTL_AS_OF)
    by_config = run_scan([], config_path=folder / "driftcheck.toml", as_of=INTL_AS_OF)
    assert keys(by_config.scan) == keys(by_paths.scan)


def test_stage_column_is_written_as_reference_comments_not_mappings(intl_init):
    _, text = intl_init
    data = tomllib.loads(text)
    assert set(data["status_map"]["pipedrive"]["deal"]) == {"Open", "Won", "Lost"}
    assert '#   "Booked In"' in text and "looks like 'scheduled'" in text


def test_odd_status_values_survive_the_toml(tmp_path):
    """Quotes, backslashes and markup in a vendor's status are written as valid TOML and read back exactly."""
    folder = tmp_path / "odd"
    folder.mkdir()
    stages = ['Closed "Won"', "Dead \\ gone", "<b>Booked</b>"]
    rows = ["Record ID,Deal Name,Deal Stage,Close Date,Create Date,Amount,Pipeline"]
    for i, stage in enumerate(stages * 2):
        quoted = '"' + stage.replace('"', '""') + '"'
        rows.append(f"{9000 + i},Deal {i},{quoted},2026-10-0{i + 1},2026-09-0{i + 1},{1000 + i},Sales Pipeline")
    (folder / "hubspot-crm-exports-all-deals-2026-10-10.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    d = discover([folder], as_of=INTL_AS_OF)
    assert sorted(e.value for _, e in d.unmapped) == sorted(stages)
    path = folder / "driftcheck.toml"
    text = render_config(d, path)
    path.write_text(text, encoding="utf-8")
    loaded = load_config(path)
    suggested = {e.value.lower(): e.suggestion.state for _, e in d.unmapped if e.suggestion}
    assert suggested == {'closed "won"': "won"}
    assert loaded.status_map["hubspot"]["deal"] == suggested
    # a value with no suggestion is written commented out, for the consultant to fill in
    for _, e in d.unmapped:
        if e.suggestion is None:
            assert f"# {json.dumps(e.value)} = \"\"" in text.splitlines()


def test_force_keeps_what_discovery_does_not_learn(disc_main, tmp_path):
    """A consultant's pinned links, email and web settings survive `init --force`; sources and
    status maps are rewritten from the data."""
    path = tmp_path / "driftcheck.toml"
    mine = (
        'currency = "CAD"\n'
        'fail_on = "medium"\n'
        "\n"
        '[[sources]]\nname = "stale.csv"\npath = "gone/stale.csv"\n'
        "\n"
        "# the Lees are two customers: Chris senior and junior\n"
        "[[links]]\n"
        'forbid = ["jobber job 1042", "quickbooks invoice 5201"]\n'
        'reason = "different Chris Lee"\n'
        "\n"
        "[[links]]\n"
        'pin = ["hubspot deal 20487779832", "jobber job 1105"]\n'
        "\n"
        "[email]\n"
        'host = "smtp.example.com"\n'
        'to = ["owner@example.com",\n      "office@example.com"]\n'
        "\n"
        "[web.quickbooks]\n"
        'company_id = "1234"\n'
        "\n"
        '[status_map.hubspot.deal]\n"Old Stage" = "won"\n'
    )
    path.write_text(mine, encoding="utf-8")
    before = tomllib.loads(mine)
    text, kept = write_config(disc_main, path, force=True)
    assert kept == ["currency", "fail_on", "[[links]] x2", "[email]", "[web]"]
    after = tomllib.loads(text)
    for key in ("currency", "fail_on", "links", "email", "web"):
        assert after[key] == before[key], key
    assert "# the Lees are two customers" in text  # comments travel with their table
    assert "# [email]" not in text  # no commented stub beside the real table
    # what discovery learns is rewritten, not merged
    assert {s["name"] for s in after["sources"]} == {s.name for s in disc_main.sources}  # no stale.csv
    assert "old stage" not in {k.lower() for k in after["status_map"]["hubspot"]["deal"]}
    cfg = load_config(path)
    assert cfg.currency == "CAD" and cfg.fail_on == "medium"


def test_force_refuses_to_drop_settings_of_a_file_that_does_not_parse(disc_main, tmp_path):
    path = tmp_path / "driftcheck.toml"
    broken = '[[links]]\npin = ["a", "b"\n'
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(UsageError, match="not valid TOML"):
        write_config(disc_main, path, force=True)
    assert path.read_text(encoding="utf-8") == broken
