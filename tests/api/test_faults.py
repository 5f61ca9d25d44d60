"""The fake vendor misbehaves; driftcheck waits, retries, refreshes, or fails loudly and keeps the last good cache."""

from __future__ import annotations

import email.utils
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FakeClock, source_for
from fakevendor import CLIENT, STATIC_TOKENS

from driftcheck.errors import AuthError, RateLimitError, SourceError


def ids(res) -> list[tuple[str, str]]:
    return sorted(zip(res.frame["record_type"], res.frame["record_id"], strict=True))


def cache_bytes(cache_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache_dir.iterdir())}


# ------------------------------------------------------------------ waits and retries


def test_429_retry_after_is_honoured(pull, fake, clock, world):
    fake.inject("status", r"^/crm/v3/objects/deals$", skip=1, status=429, headers={"Retry-After": "7"},
                body={"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"})
    res = pull("hubspot")
    assert res.failure is None
    assert 7.0 in clock.sleeps  # exactly the server's word, not a guess
    assert len(ids(res)) == len(world) and len(set(ids(res))) == len(world)
    assert res.stats["retries"] == 1


def test_retry_after_as_http_date(pull, fake, clock):
    when = email.utils.format_datetime(clock.now() + timedelta(seconds=12), usegmt=True)
    fake.inject("status", r"^/api/v2/deals$", status=429, headers={"Retry-After": when})
    res = pull("pipedrive")
    assert res.failure is None
    assert any(11.0 <= s <= 12.0 for s in clock.sleeps)


def test_503s_back_off_with_jitter_then_succeed(pull, fake, clock, world):
    fake.inject("status", r"/query$", times=2, status=503)
    res = pull("quickbooks")
    assert res.failure is None
    backoffs = [s for s in clock.sleeps if s < 1.0 or 1.0 <= s <= 2.0]
    # equal jitter: attempt 1 waits in [0.5, 1.0], attempt 2 in [1.0, 2.0]
    assert len(backoffs) >= 2 and 0.5 <= clock.sleeps[0] <= 1.0 and 1.0 <= clock.sleeps[1] <= 2.0
    assert res.stats["retries"] == 2


def test_timeouts_are_retried(pull, fake, clock):
    fake.inject("delay", r"^/api\.xro/2\.0/Invoices$", seconds=0.6)
    res = pull("xero", timeout=0.2)
    assert res.failure is None
    assert res.stats["retries"] == 1


def test_persistent_timeouts_fail_as_timeout(pull, fake):
    fake.inject("delay", r"^/api/v2/persons$", times=10, seconds=0.4)
    res = pull("pipedrive", timeout=0.1)
    assert res.failure is not None and type(res.failure).__name__ == "SourceTimeoutError"
    assert "no answer within" in str(res.failure)


def test_xero_minute_limit_waits_day_limit_fails_at_once(pull, fake, clock):
    fake.inject("status", r"Invoices$", status=429, headers={"Retry-After": "23", "X-Rate-Limit-Problem": "minute"})
    assert pull("xero").failure is None and 23.0 in clock.sleeps
    fake.inject("status", r"Invoices$", status=429, headers={"Retry-After": "40000", "X-Rate-Limit-Problem": "day"})
    res = pull("xero", refresh=True)
    assert isinstance(res.failure, RateLimitError) and "day" in str(res.failure)
    assert 40000.0 not in clock.sleeps


def test_hubspot_rate_header_zero_pauses_for_the_window(fake, creds, clock, tmp_path):
    from connectors.api import build_client

    fake.inject("status", r"^/crm/v3/pipelines", status=200, body={"results": []},
                headers={"X-HubSpot-RateLimit-Remaining": "0", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})
    client = build_client(source_for("hubspot", fake), clock=clock)
    client.request("GET", "/crm/v3/pipelines/deals")
    client.request("GET", "/crm/v3/pipelines/deals")
    assert clock.sleeps and 9.9 <= clock.sleeps[0] <= 10.0
    client.close()


# ------------------------------------------------------------------ vendor-specific errors


def test_quickbooks_fault_in_200_fails_the_pull_and_keeps_cache(pull, fake):
    good = pull("quickbooks")
    before = cache_bytes(pull.cache_dir)
    fake.inject("qbo_fault", r"/query$", skip=2)
    res = pull("quickbooks", refresh=True)
    assert isinstance(res.failure, SourceError)
    assert "ValidationFault" in str(res.failure) and "Business Validation Error" in str(res.failure)
    assert ids(res) == ids(good)
    assert res.info.stale_cache.startswith("pull failed 2026-11-20: ") and "using data from 2026-11-20 (today)" in res.info.stale_cache
    assert cache_bytes(pull.cache_dir).keys() == before.keys()


def test_quickbooks_system_fault_is_retried(pull, fake, clock):
    fake.inject("qbo_fault", r"/query$", skip=1, type="SystemFault", code="10000")
    res = pull("quickbooks")
    assert res.failure is None and 5.0 in clock.sleeps


def test_jobber_throttled_is_waited_out(pull, fake, clock, world):
    fake.inject("throttled", r"^/api/graphql$", skip=1, available=200)
    res = pull("jobber")
    assert res.failure is None
    # (requested 1200 - available 200) / restore 500 per second
    assert 2.05 in clock.sleeps
    assert len(set(ids(res))) == len(ids(res))


def test_jobber_cost_budget_paces_before_throttling(creds, clock, world, tmp_path):
    from conftest import FakeVendor

    from connectors.api import pull_source

    fake = FakeVendor(world, clock=clock, jobber_bucket=3000, jobber_cost=1200).start()
    try:
        src = source_for("jobber", fake)
        from driftcheck.secrets import set_secret

        set_secret("jobber.refresh", fake.refresh["jobber"])
        res = pull_source(src, name="ops", cache_dir=tmp_path / "c", now=clock.now(), clock=clock)
        assert res.failure is None
        waits = [w for w in clock.sleeps if w > 0]
        assert waits, "the bucket was overdrawn without waiting"
        assert res.stats["retries"] == 0  # paced ahead of time: never THROTTLED
    finally:
        fake.stop()
    assert not fake.writes


# ------------------------------------------------------------------ OAuth


def test_expired_access_token_is_refreshed_and_request_retried(pull, fake):
    from driftcheck.secrets import get_secret

    assert pull("quickbooks").failure is None
    assert fake.refreshes["quickbooks"] == 1
    fake.inject("expire", r"/query$", skip=3)
    res = pull("quickbooks", refresh=True)
    assert res.failure is None
    assert fake.refreshes["quickbooks"] == 2
    assert get_secret("quickbooks.refresh") == fake.refresh["quickbooks"]


def test_rotated_refresh_token_is_stored_before_it_is_used(pull, fake, monkeypatch):
    import driftcheck.secrets as secrets

    old = fake.refresh["xero"]
    stored_when: list[tuple[str, int]] = []
    real = secrets.set_secret

    def spy(name: str, value: str) -> None:
        # at the moment the refresh token is stored, no request has used the new access token yet
        used = [r for r in fake.log if r["headers"].get("Authorization", "").startswith("Bearer at-")]
        stored_when.append((name, len(used)))
        real(name, value)

    monkeypatch.setattr(secrets, "set_secret", spy)
    res = pull("xero")
    assert res.failure is None
    assert stored_when[0] == ("xero.refresh", 0)
    assert secrets.get_secret("xero.refresh") == fake.refresh["xero"] != old


def test_revoked_refresh_token_is_an_auth_failure(pull, fake):
    fake.refresh["jobber"] = "rt-revoked-elsewhere"
    res = pull("jobber")
    assert isinstance(res.failure, AuthError)
    assert "driftcheck auth login jobber" in str(res.failure)
    assert res.frame.empty and res.info.stale_cache.endswith("no earlier data")


def test_rotating_vendor_without_keyring_refuses_to_burn_the_refresh_token(fake, clock, tmp_path, monkeypatch):
    import keyring
    from keyring.backends import fail

    from connectors.api import pull_source

    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("DRIFTCHECK_JOBBER_REFRESH", fake.refresh["jobber"])
    monkeypatch.setenv("DRIFTCHECK_JOBBER_CLIENT_SECRET", CLIENT["client_secret"])
    res = pull_source(source_for("jobber", fake), name="ops", cache_dir=tmp_path / "c", now=clock.now(), clock=clock)
    assert isinstance(res.failure, AuthError)
    assert "PYTHON_KEYRING_BACKEND" in str(res.failure)
    assert fake.refreshes["jobber"] == 0  # the refresh token was not spent


def test_missing_token_says_how_to_log_in(fake, clock, tmp_path):
    from connectors.api import pull_source

    res = pull_source(source_for("hubspot", fake), name="crm", cache_dir=tmp_path / "c", now=clock.now(), clock=clock)
    assert isinstance(res.failure, AuthError)
    assert "driftcheck auth login hubspot" in str(res.failure) and "DRIFTCHECK_HUBSPOT_TOKEN" in str(res.failure)


def test_env_token_is_used_for_cron(fake, clock, tmp_path, monkeypatch):
    from connectors.api import pull_source

    monkeypatch.setenv("DRIFTCHECK_PIPEDRIVE_TOKEN", STATIC_TOKENS["pipedrive"])
    res = pull_source(source_for("pipedrive", fake), name="crm", cache_dir=tmp_path / "c", now=clock.now(), clock=clock)
    assert res.failure is None and len(res.frame) == 14
    assert all("api_token" not in r["query"] for r in fake.log)  # the token is a header, never in the URL


# ------------------------------------------------------------------ never lossy


def test_crash_mid_pull_keeps_last_good_cache_and_reports(pull, fake, clock):
    good = pull("hubspot")
    before = cache_bytes(pull.cache_dir)
    fake.inject("drop", r"^/crm/v3/objects/deals$", skip=2, times=100)
    res = pull("hubspot", refresh=True, now=clock.now() + timedelta(days=7))
    assert res.failure is not None and "connection failed" in str(res.failure)
    assert ids(res) == ids(good)
    assert cache_bytes(pull.cache_dir) .keys() == before.keys()
    for name, data in before.items():
        if name.endswith(".parquet"):
            assert (pull.cache_dir / name).read_bytes() == data
    assert res.info.stale_cache == f"pull failed 2026-11-27: {res.failure}; using data from 2026-11-20 (7 days old)"
    assert res.info.records == len(good.frame)


def test_crash_while_writing_cache_leaves_old_cache_readable(pull, fake, monkeypatch):
    import pandas as pd

    good = pull("pipedrive")
    calls = {"n": 0}
    real = pd.DataFrame.to_parquet

    def crash_on_second(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("power cut")
        return real(self, *a, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        pull("pipedrive", refresh=True)
    monkeypatch.undo()
    res = pull("pipedrive", offline=True)
    assert ids(res) == ids(good)


def test_failure_without_cache_gives_empty_frame_and_failure(pull, fake):
    fake.inject("status", r"/query$", times=100, status=500)
    res = pull("quickbooks")
    assert isinstance(res.failure, SourceError) and res.frame.empty
    assert list(res.frame.columns)[:3] == ["source", "system", "role"]
    assert "gave up after 4 attempts: HTTP 500" in str(res.failure)


def test_offline_reads_cache_without_network(pull, fake):
    with pytest.raises(SourceError, match="never been pulled"):
        pull("xero", offline=True)
    good = pull("xero")
    n = len(fake.log)
    res = pull("xero", offline=True)
    assert len(fake.log) == n
    assert ids(res) == ids(good) and res.failure is None
    assert res.info.stale_cache == "offline: using data pulled 2026-11-20 (today)"


@pytest.mark.parametrize(("system", "path"), [("quickbooks", r"/query$"), ("jobber", r"^/api/graphql$"), ("hubspot", r"^/crm/v3/objects/deals$"), ("xero", r"Invoices$")])
def test_page_served_twice_is_detected(system, path, pull, fake):
    fake.inject("dup_page", path, skip=3)
    res = pull(system)
    assert res.failure is not None and "pull incomplete" in str(res.failure)
    assert any("more than once" in w.message for w in res.warnings)


def test_page_served_twice_without_totals_fails_pipedrive(pull, fake):
    fake.inject("dup_page", r"^/api/v2/deals$", skip=1)
    res = pull("pipedrive")
    assert res.failure is not None and "came twice" in str(res.failure)


@pytest.mark.parametrize(("system", "path"), [("hubspot", r"^/crm/v3/objects/deals$"), ("jobber", r"^/api/graphql$")])
def test_skipped_page_is_detected(system, path, pull, fake):
    fake.inject("skip_page", path, skip=1)
    res = pull(system)
    assert res.failure is not None and "pull incomplete" in str(res.failure)


def test_hubspot_incremental_splits_windows_under_search_cap(creds, clock, world, tmp_path):
    from conftest import FakeVendor

    from connectors.api import pull_source

    fake = FakeVendor(world, clock=clock, search_cap=6).start()
    try:
        src = source_for("hubspot", fake, page_size=3, search_cap=6)
        first = pull_source(src, name="crm", cache_dir=tmp_path / "c", now=clock.now(), clock=clock)
        assert first.failure is None
        from world import touch

        changed = touch(world, list(range(14)), world[-1].updated + timedelta(days=1))
        changed = [c.__class__(**{**c.__dict__, "updated": c.updated + timedelta(minutes=i)}) for i, c in enumerate(changed)]
        fake.set_world(changed)
        res = pull_source(src, name="crm", cache_dir=tmp_path / "c", now=clock.now() + timedelta(days=60), clock=clock)
        assert res.failure is None, res.failure
        searches = [r for r in fake.log if r["path"].endswith("/deals/search")]
        assert len(searches) > 4  # 14 changed > cap 6: the window was split
        assert len(res.frame) == 14 and not res.frame.duplicated("record_id").any()
    finally:
        fake.stop()
    assert not fake.writes


# ------------------------------------------------------------------ read-only guard


def test_write_requests_are_refused_before_leaving(fake, creds, clock):
    from connectors.api import build_client
    from connectors.api._http import WriteRefused

    for system, method, path, body in [
        ("hubspot", "PATCH", "/crm/v3/objects/deals/1", None),
        ("hubspot", "POST", "/crm/v3/objects/deals", {"properties": {}}),
        ("hubspot", "POST", "/crm/v4/associations/deals/contacts/batch/create", {}),
        ("quickbooks", "POST", "/v3/company/1/invoice", {}),
        ("xero", "DELETE", "/api.xro/2.0/Invoices/1", None),
        ("jobber", "POST", "/api/graphql", {"query": "mutation { jobCreate(input: {}) { job { id } } }"}),
    ]:
        client = build_client(source_for(system, fake), clock=clock)
        n = len(fake.log)
        with pytest.raises(WriteRefused):
            client.request(method, path, json_body=body)
        assert len(fake.log) == n  # never sent
        client.close()


def test_error_messages_carry_no_secret_or_query_string(pull, fake):
    fake.inject("status", r"^/api/v2/deals$", times=10, status=500, body={"error": f"boom token={STATIC_TOKENS['pipedrive']}"})
    res = pull("pipedrive")
    text = str(res.failure)
    assert STATIC_TOKENS["pipedrive"] not in text and "?" not in text and "limit=" not in text


# ------------------------------------------------------------------ pacer


def test_pacer_keeps_every_window_under_the_limit():
    from connectors.api._http import Pacer

    clock = FakeClock()
    pacer = Pacer([(100, 10.0)], clock=clock, margin=0.0)
    starts = []
    for _ in range(250):
        slot = pacer.acquire()
        starts.append(clock.monotonic())
        clock.t += 0.01  # each request takes 10 ms
        pacer.release(slot)
    for i in range(len(starts) - 100):
        assert starts[i + 100] - starts[i] >= 10.0 - 1e-9
    # and no slower than the limit requires: 250 requests need about 2 full windows
    assert starts[-1] - starts[0] < 21.0


def test_pacer_concurrency_slots():
    import threading

    from connectors.api._http import Clock, Pacer

    pacer = Pacer([], clock=Clock(), max_in_flight=2)
    a, b = pacer.acquire(), pacer.acquire()
    got = threading.Event()
    t = threading.Thread(target=lambda: (pacer.acquire(), got.set()))
    t.start()
    assert not got.wait(0.1)  # a third request waits for a free slot
    pacer.release(a)
    assert got.wait(1.0)
    t.join()
    pacer.release(b)


def test_failed_pull_becomes_a_source_unreachable_finding(pull, fake, clock):
    from datetime import date

    from connectors.api import unreachable_finding

    ok = pull("xero")
    assert unreachable_finding(ok, as_of=date(2026, 11, 20)) is None
    fake.inject("status", r"Invoices$", times=100, status=503)
    res = pull("xero", refresh=True, now=clock.now() + timedelta(days=7))
    f = unreachable_finding(res, as_of=date(2026, 11, 27))
    assert f.rule == "source-unreachable" and f.severity == "high"
    assert f.since == "2026-11-20" and f.age_days == 7
    assert "xero-src (xero) could not be pulled" in f.message and "HTTP 503" in f.message and "7 days old" in f.message
    assert f.as_dict()["records"] == {"xero-src": []}


def test_unwritable_cache_is_a_warning_not_a_lost_pull(pull, fake, monkeypatch):
    import driftcheck.cache as cache

    def refuse(*a, **kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.SourceCache, "save", refuse)
    res = pull("pipedrive")
    assert res.failure is None and len(res.frame) == 14
    assert any("could not write the cache" in w.message and "Permission denied" in w.message for w in res.warnings)
