"""No secret anywhere driftcheck writes: cassettes, cache files, logs, failure messages."""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

from cassettes import CASSETTES
from fakevendor import CLIENT, STATIC_TOKENS
from test_pull import SYSTEMS

PATTERNS = [
    re.compile(r"(?i)bearer[ \t]+(?!REDACTED\b)[A-Za-z0-9\-._~+/]{8,}"),
    re.compile(r"(?i)(?:access|refresh|id)_token[\"']?\s*[:=]\s*[\"']?(?!REDACTED\b)[A-Za-z0-9\-._~+/]{12,}"),
    re.compile(r"(?i)(?:client_secret|api_token|x-api-token)[\"']?\s*[:=]\s*[\"']?(?!REDACTED\b)[A-Za-z0-9\-._~+/]{8,}"),
    re.compile(r"\b(?:rt|at|cs)-[A-Za-z0-9_\-]{16,}"),  # the fake's refresh/access/client-secret shapes
    re.compile(r"\bpat-[a-z0-9]+-[0-9a-f\-]{20,}"),  # HubSpot private-app token shape
    re.compile(r"\b[0-9a-f]{32,}\b"),  # long hex (Pipedrive API tokens are 40 hex)
    re.compile(r"\b[A-Za-z0-9_\-]{40,}={0,2}"),  # long url-safe base64 / JWT segment
]


def _is_jobber_gid(s: str) -> bool:
    try:
        return base64.b64decode(s + "=" * (-len(s) % 4)).startswith(b"gid://")
    except ValueError:
        return False


def find_tokens(text: str) -> list[str]:
    hits = []
    for rx in PATTERNS:
        for m in rx.finditer(text):
            if not _is_jobber_gid(m.group(0)):
                hits.append(m.group(0))
    return hits


def test_patterns_do_catch_the_real_shapes(fake):
    samples = [f"Authorization: Bearer {next(iter(fake.refresh.values()))}", STATIC_TOKENS["pipedrive"], STATIC_TOKENS["hubspot"],
               CLIENT["client_secret"], '{"refresh_token": "8xLOxBtZp8Q7zT9aKc3PqWmR2"}', "eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2NzcyRDZEQzAyOEQ2NzI2RkQwMjYxNTgxNTcwRUZDMTkifQ"]
    for s in samples:
        assert find_tokens(s), s


def test_no_token_in_cassettes_cache_or_logs(pull, fake, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    messages = []
    for system in SYSTEMS:
        res = pull(system)
        assert res.failure is None
    # a refresh after expiry, and failures whose messages reach reports
    fake.inject("expire", r"/query$", skip=1)
    assert pull("quickbooks", refresh=True).failure is None
    fake.inject("status", r"^/api/v2/deals$", times=10, status=401, body={"error": f"bad token {STATIC_TOKENS['pipedrive']}"})
    fake.refresh["jobber"] = "rt-revoked"
    for system in ("pipedrive", "jobber"):
        res = pull(system, refresh=True)
        assert res.failure is not None
        messages += [str(res.failure), res.info.stale_cache or ""]
    texts = {"log": caplog.text, "messages": "\n".join(messages)}
    for p in sorted(CASSETTES.glob("*.yaml")):
        texts[p.name] = p.read_text()
    cache_files = sorted(Path(pull.cache_dir).iterdir())
    assert any(p.suffix == ".parquet" for p in cache_files) and any(p.suffix == ".json" for p in cache_files)
    import pandas as pd

    for p in cache_files:
        # parquet: every stored value (the file's own metadata is base64 schema, not data)
        texts[p.name] = pd.read_parquet(p).to_csv() if p.suffix == ".parquet" else p.read_text()
    known: list[str] = [*STATIC_TOKENS.values(), CLIENT["client_secret"], *fake.issued]
    assert len(fake.issued) > 10
    for p in cache_files:
        raw = p.read_bytes()
        assert not [k for k in known if k.encode() in raw], f"a real secret in the bytes of {p.name}"
    for name, text in texts.items():
        assert find_tokens(text) == [], f"token-like string in {name}"
        for secret in known:
            assert secret not in text, f"a real secret in {name}"
