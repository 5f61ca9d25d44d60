"""vcrpy set-up shared by the cassette recorder and the replay tests: what is filtered, how requests match.

Secrets never reach a cassette: the auth headers (``Authorization``,
``x-api-token``, ``Xero-tenant-id``) are replaced, form fields of token
requests (``refresh_token``, ``client_secret``, ``code``) are replaced, and token
values in response bodies (``access_token``, ``refresh_token``, ``id_token``) are
scrubbed by :func:`scrub_response`. Requests match on method, path, query and
body, never on host or port, so a replay needs no server at all.

Record (after changing the fake server or a connector's requests)::

    /work/venv/bin/python tests/api/record_cassettes.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vcr

CASSETTES = Path(__file__).parent / "cassettes"
REDACTED = "REDACTED"
_TOKEN_KEYS = ("access_token", "refresh_token", "id_token")


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Replace token values in a JSON response body before it is written."""
    body = response.get("body", {}).get("string")
    if not body:
        return response
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return response
    if isinstance(data, dict) and any(k in data for k in _TOKEN_KEYS):
        for k in _TOKEN_KEYS:
            if k in data:
                data[k] = REDACTED
        new = json.dumps(data).encode("utf-8")
        response["body"]["string"] = new
        for name in list(response.get("headers", {})):
            if name.lower() == "content-length":
                response["headers"][name] = [str(len(new))]
    return response


def make_vcr(record_mode: str = "none") -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=["method", "path", "query", "raw_body"],
        filter_headers=[("authorization", REDACTED), ("x-api-token", REDACTED), ("xero-tenant-id", REDACTED)],
        filter_post_data_parameters=[("refresh_token", REDACTED), ("client_secret", REDACTED), ("code", REDACTED)],
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


#: The source table each cassette was recorded with (the base_url is replaced at replay).
def cassette_source(system: str, base_url: str) -> dict[str, Any]:
    from fakevendor import CLIENT, REALM, TENANT

    table: dict[str, Any] = {"name": f"{system}-src", "system": system, "mode": "api", "base_url": base_url, "page_size": 4}
    if system in ("quickbooks", "xero", "jobber"):
        table.update(auth="oauth", client_id=CLIENT["client_id"])
    table.update({"quickbooks": {"realm_id": REALM}, "xero": {"tenant_id": TENANT}, "pipedrive": {"company_domain": "acme"}}.get(system, {}))
    return table
