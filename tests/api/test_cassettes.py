"""Each connector replays a recorded multi-page pull (vcrpy, record_mode="none") and normalises it
exactly like a live pull of the same business data."""

from __future__ import annotations

import pandas as pd
import pytest
from cassettes import CASSETTES, cassette_source, make_vcr
from test_pull import SYSTEMS, expected_ids

from driftcheck.model import RECORD_SCHEMA

#: a port nothing listens on: a request that escaped the cassette would fail the pull
NOWHERE = "http://127.0.0.1:9"


def replay_keyring() -> None:
    from driftcheck.secrets import delete_secret, set_secret

    # any value works: auth headers and token form fields are not part of the match
    set_secret("hubspot", "replay-token")
    set_secret("pipedrive", "replay-token")
    for system in ("quickbooks", "xero", "jobber"):
        set_secret(f"{system}.refresh", "replay-refresh")
        set_secret(f"{system}.client_secret", "replay-secret")
        delete_secret(f"{system}.access")  # the recorded pull starts with a token refresh


@pytest.mark.parametrize("system", SYSTEMS)
def test_cassette_replay_matches_live_pull(system, tmp_path, world, pull, clock):
    from connectors.api import pull_source

    live = pull(system)  # the same business data, from the fake server
    replay_keyring()
    with make_vcr("none").use_cassette(f"{system}_full_pull.yaml") as cas:
        res = pull_source(cassette_source(system, NOWHERE), name=f"{system}-src", cache_dir=tmp_path / "replay", clock=clock)
        assert cas.all_played, "the connector made fewer requests than were recorded"
    assert res.failure is None, res.failure
    got = {t: set(g["record_id"]) for t, g in res.frame.groupby("record_type")}
    assert got == expected_ids(system, world)
    cols = list(RECORD_SCHEMA)
    a = res.frame[cols].sort_values(["record_type", "record_id"]).reset_index(drop=True)
    b = live.frame[cols].sort_values(["record_type", "record_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    # multi-page: the main list endpoint was called more than once
    uris = [r.uri for r in cas.requests]
    assert len(uris) >= 5 and len(set(uris)) < len(uris) or len(uris) > 6


@pytest.mark.parametrize("system", SYSTEMS)
def test_cassettes_are_scrubbed(system):
    text = (CASSETTES / f"{system}_full_pull.yaml").read_text()
    assert "REDACTED" in text
    for header in ("authorization:", "x-api-token:", "xero-tenant-id:"):
        for block in text.split(header)[1:]:
            assert block.lstrip().startswith("- REDACTED"), f"{header} not filtered in {system}"
