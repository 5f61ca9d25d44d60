"""Live pulls from vendor APIs, producing the same normalised records as the export readers.

One module per vendor (``hubspot``, ``quickbooks``, ``xero``, ``jobber``,
``pipedrive``) with its stream description in ``connectors/api/<system>.toml``;
all of them talk through the one HTTP layer :mod:`connectors.api._http`.

The scan calls one function per ``[[sources]]`` table with ``mode = "api"``::

    from connectors.api import pull_source

    result = pull_source(source, name="crm", cache_dir=Path(".driftcheck/cache"),
                         offline=False, refresh=False, progress=sys.stderr.isatty())
    result.frame      # RECORD_SCHEMA frame (state empty; raw_status = the vendor's values)
    result.info       # SourceInfo; .stale_cache says when cached data stands in for a failed pull
    result.warnings   # ReadWarning list (duplicate pages, unreadable associations...)
    result.failure    # SourceError when the live pull failed -> a `source-unreachable` finding

Never silent, never lossy: a pull is written to the cache only when it completed;
a failed pull leaves the last good cache as it was, and the scan goes on with it
and says so (``info.stale_cache``, ``failure``). ``offline`` reads the cache
only; ``refresh`` ignores the incremental cursors (a full pull).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as date_type
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.errors import AuthError, ConfigError, SourceError
from driftcheck.model import DATE_COLUMNS, ReadWarning, SourceInfo

from ._common import PullContext, load_spec

if TYPE_CHECKING:
    import httpx
    import pandas as pd

    from driftcheck.model import Finding

    from ._http import ApiClient, Clock

__all__ = ["API_SYSTEMS", "PullResult", "build_client", "pull_source", "unreachable_finding"]

#: Systems with a live connector.
API_SYSTEMS = ("hubspot", "quickbooks", "xero", "jobber", "pipedrive")

log = logging.getLogger("driftcheck.api")


@dataclass
class PullResult:
    """What one API source yielded for the scan."""

    frame: pd.DataFrame  #: RECORD_SCHEMA via driftcheck.records.conform, state empty, raw_status = vendor values
    info: SourceInfo  #: path "api:<system>"; stale_cache set when cached data stands in for a failed pull
    warnings: list[ReadWarning] = field(default_factory=list)
    failure: SourceError | None = None  #: the live pull failed (the scan reports `source-unreachable`)
    live: bool = False  #: the frame comes from a pull that just succeeded
    pulled_at: datetime | None = None  #: when the data in the frame was pulled
    stats: dict[str, Any] = field(default_factory=dict)  #: requests, retries, waited seconds, pages


def _base_url(spec: dict[str, Any], source: dict[str, Any], base_url: str | None) -> str:
    url = base_url or source.get("base_url")
    if url:
        return str(url).rstrip("/")
    template = str(spec["base_url"])
    if "{" in template:
        fields = {k: source.get(k) for k in ("company_domain", "environment")}
        missing = [k for k, v in fields.items() if f"{{{k}}}" in template and not v]
        if missing:
            raise ConfigError(f"a {spec['system']} API source needs `{missing[0]}`", key=f"sources.{source.get('name', spec['system'])}.{missing[0]}")
        template = template.format(**fields)
    if source.get("environment") == "sandbox" and spec.get("sandbox_base_url"):
        return str(spec["sandbox_base_url"])
    return template


def _token_url(spec: dict[str, Any], override_base: str | None) -> str:
    from urllib.parse import urlsplit

    url = str(spec["auth"]["token_url"])
    return f"{override_base}{urlsplit(url).path}" if override_base else url


def build_auth(spec: dict[str, Any], source: dict[str, Any], override_base: str | None = None) -> Any:
    """The auth object for a source: a stored token, or OAuth2 with refresh.

    Raises:
        AuthError: no token is stored (says how to log in / which env var to set).
        ConfigError: ``auth = "oauth"`` without ``client_id``, or an auth kind the vendor lacks.
    """
    from driftcheck.secrets import env_var_for, get_secret

    from ._http import OAuth2, StaticToken

    system = spec["system"]
    a = spec["auth"]
    kind = str(source.get("auth") or a["default"])
    if kind not in a["kinds"]:
        raise ConfigError(f"{system} supports auth = {' or '.join(repr(k) for k in a['kinds'])}, not {kind!r}", key=f"sources.{source.get('name', system)}.auth")
    if kind == "token":
        token = get_secret(system)
        if not token:
            raise AuthError(
                f"no API token stored. Run `driftcheck auth login {system}` (or set {env_var_for(system)} for cron). {a.get('token_help', '')}".strip(),
                system=system,
            )
        return StaticToken(token, header=a["token_header"], scheme=a.get("token_scheme", "Bearer"))
    client_id = source.get("client_id")
    if not client_id:
        raise ConfigError(f"a {system} source with auth = \"oauth\" needs `client_id` (the app's client id)", key=f"sources.{source.get('name', system)}.client_id")
    return OAuth2(system=system, token_url=_token_url(spec, override_base), client_id=str(client_id), client_auth=a.get("client_auth", "body"), rotates=bool(a.get("rotates", True)))


def build_client(
    source: dict[str, Any],
    *,
    base_url: str | None = None,
    clock: Clock | None = None,
    events: Any = None,
    transport: httpx.BaseTransport | None = None,
    rng: Any = None,
) -> ApiClient:
    """The :class:`~connectors.api._http.ApiClient` for a source table (auth, policy, headers)."""
    from ._http import ApiClient, Policy

    system = str(source.get("system"))
    spec = load_spec(system)
    http = dict(spec.get("http", {}))
    if source.get("timeout"):
        http["timeout"] = float(source["timeout"])
    if source.get("attempts"):
        # how many times one request is tried before the pull is given up (default 6)
        http["max_attempts"] = max(1, int(source["attempts"]))
    policy = Policy.from_table(system, http)
    override = base_url or source.get("base_url")
    module = importlib.import_module(f"connectors.api.{system}")
    headers = module.headers(source) if hasattr(module, "headers") else {}
    return ApiClient(
        policy,
        base_url=_base_url(spec, source, base_url),
        auth=build_auth(spec, source, str(override).rstrip("/") if override else None),
        clock=clock,
        events=events,
        headers=headers,
        transport=transport,
        rng=rng,
    )


def _age(pulled_at: datetime, now: datetime) -> str:
    """``2026-11-13 (7 days old)``: when cached data was pulled, and how old it is."""
    days = (now.date() - pulled_at.date()).days
    return f"{pulled_at.date().isoformat()} ({'today' if days == 0 else '1 day old' if days == 1 else f'{days} days old'})"


def _newest(frame: pd.DataFrame) -> str | None:
    cols = [c for c in ("updated", "created", "paid", "closed", "completed") if c in frame.columns]
    if not cols or not len(frame):
        return None
    m = frame[cols].max(axis=None)
    try:
        return None if m is None or m != m else m.date().isoformat()
    except AttributeError:
        return None


def _finish_frame(module: Any, records: pd.DataFrame, aux: dict[str, pd.DataFrame], source: dict[str, Any], name: str) -> pd.DataFrame:
    from driftcheck.records import conform

    out = module.finish(records, aux, source)
    out["source"] = name
    out = conform(out)
    for c in DATE_COLUMNS:
        out[c] = out[c].astype("datetime64[ns]")
    return out


def _merge_aux(old: dict[str, pd.DataFrame] | None, new: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    from driftcheck.cache import merge_records

    out = dict(old or {})
    for k, frame in new.items():
        out[k] = merge_records(out.get(k), frame, keys=("id",)) if "id" in frame.columns else frame
    return out


def pull_source(
    source: dict[str, Any],
    *,
    name: str,
    cache_dir: Path,
    offline: bool = False,
    refresh: bool = False,
    progress: bool = False,
    base_url: str | None = None,
    now: datetime | None = None,
    clock: Clock | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PullResult:
    """Pull one API source (or read its cache), never failing silently.

    Args:
        source: the ``[[sources]]`` table (``system``, ``auth``, ``client_id``,
            ``realm_id``, ``tenant_id``, ``company_domain``, ``base_url``, ``timeout``...).
        name: the source name (cache file and ``source`` column).
        cache_dir: ``.driftcheck/cache``.
        offline: read the cache only.
        refresh: ignore the incremental cursors (pull everything again).
        progress: show a rich progress bar (only when stderr is a terminal).
        base_url: override the vendor host (tests and the bench point it at a fake server).
        now: the time of the pull (tests); default the clock's now.
        clock: time source for pacing and retries (tests inject a fake).
        transport: httpx transport (tests).

    Returns:
        A :class:`PullResult`. When the live pull failed, ``failure`` is set and
        the frame is the last good cache (or empty when there is none).

    Raises:
        SourceError: ``offline`` and nothing is cached yet.
        ConfigError: the source table is incomplete (unknown system, missing realm_id...).
    """
    import pandas as pd  # noqa: F401 - the frame type

    from driftcheck.cache import SourceCache, merge_records
    from driftcheck.records import empty_records

    from ._http import Clock as RealClock
    from ._progress import make_progress

    system = str(source.get("system") or "")
    if system not in API_SYSTEMS:
        raise ConfigError(f"no API connector for system {system!r}; choose one of {', '.join(API_SYSTEMS)}", key=f"sources.{name}.system")
    spec = load_spec(system)
    module = importlib.import_module(f"connectors.api.{system}")
    clock = clock or RealClock()
    now = now or clock.now()
    role = str(spec["role"])
    label = str(spec.get("label", system))
    cache = SourceCache(Path(cache_dir))
    warnings: list[ReadWarning] = []
    try:
        cached = cache.load(name)
    except SourceError as exc:
        # a damaged cache is said out loud and then treated as absent (a full pull repairs it)
        warnings.append(ReadWarning(source=name, message=str(exc)))
        cached = None

    def info(frame: pd.DataFrame, *, fmt: str, reason: str, stale: str | None) -> SourceInfo:
        return SourceInfo(name=name, system=system, role=role, path=f"api:{system}", format=fmt, reason=reason,
                          records=len(frame), newest=_newest(frame), stale_cache=stale)

    if offline:
        if cached is None:
            raise SourceError(
                f"--offline, but '{name}' has never been pulled into {cache_dir}; run once without --offline",
                system=system,
            )
        frame = _finish_frame(module, cached.records, cached.aux, source, name)
        when = _age(cached.pulled_at, now)
        return PullResult(frame=frame, info=info(frame, fmt=f"{label} API (cached)", reason=f"offline: cache of {when}",
                          stale=f"offline: using data pulled {when}"), warnings=warnings, pulled_at=cached.pulled_at)

    prog = make_progress(f"{name} ({label})", progress)
    client = None
    try:
        try:
            client = build_client(source, base_url=base_url, clock=clock, events=prog, transport=transport)
            ctx = PullContext(source=source, name=name, spec=spec, client=client, progress=prog, now=now, warnings=warnings)
            cursor = None if (refresh or cached is None) else cached.cursor
            pulled = module.pull(ctx, cursor or None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # An answer shaped unlike the vendor's documentation: a failed pull, said plainly.
            raise SourceError(f"unexpected answer from the API ({type(exc).__name__}: {str(exc)[:120]})", system=system) from exc
        base = cached.records if (cached is not None and cursor) else None
        records = merge_records(base, pulled.records)
        aux = _merge_aux(cached.aux if (cached is not None and cursor) else None, pulled.aux)
        frame = _finish_frame(module, records, aux, source, name)
        try:
            cache.save(name, system=system, records=records, aux=aux, cursor=pulled.cursor, pulled_at=now)
        except OSError as exc:
            # the pull worked and is used; only the next incremental run loses its starting point
            warnings.append(ReadWarning(source=name, message=f"could not write the cache in {cache_dir} ({exc.strerror or type(exc).__name__}); "
                                        "the next run will pull everything again"))
        stats = {"requests": client.requests, "retries": client.retries, "waited": round(client.pacer.waited, 3), "pages": prog.pages}
        mode = "incremental" if cursor else "full"
        reason = f"live {mode} pull: {prog.pages} pages, {sum(pulled.counts.values())} records fetched"
        return PullResult(frame=frame, info=info(frame, fmt=f"{label} API", reason=reason, stale=None), warnings=warnings,
                          live=True, pulled_at=now, stats=stats)
    except SourceError as exc:
        failure = exc
    finally:
        if client is not None:
            client.close()
        prog.close()

    reason = str(failure)
    log.warning("%s: pull failed: %s", name, reason)
    today = now.date().isoformat()
    if cached is None:
        frame = empty_records()
        return PullResult(frame=frame, info=info(frame, fmt=f"{label} API", reason="pull failed, no cache",
                          stale=f"pull failed {today}: {reason}; no earlier data"), warnings=warnings, failure=failure)
    cache.note_failure(name, now, reason)
    frame = _finish_frame(module, cached.records, cached.aux, source, name)
    when = _age(cached.pulled_at, now)
    return PullResult(frame=frame, info=info(frame, fmt=f"{label} API (cached)", reason=f"pull failed; cache of {when}",
                      stale=f"pull failed {today}: {reason}; using data from {when}"),
                      warnings=warnings, failure=failure, pulled_at=cached.pulled_at)


def unreachable_finding(result: PullResult, *, as_of: date_type) -> Finding | None:
    """The ``source-unreachable`` finding (high) for a failed pull, or None when the pull worked.

    ``since`` is the date of the data the scan fell back on (or ``as_of`` without
    any), so ``age_days`` says how stale the source is in the report.

    Example:
        >>> finding = unreachable_finding(result, as_of=date(2026, 11, 20))  # doctest: +SKIP
    """
    import hashlib

    from driftcheck.model import Finding

    if result.failure is None:
        return None
    info = result.info
    since = result.pulled_at.date() if result.pulled_at else as_of
    fallback = (
        f"The scan used its data from {since.isoformat()} ({(as_of - since).days} days old)."
        if result.pulled_at
        else "There is no earlier data, so its records are missing from this scan."
    )
    return Finding(
        id=hashlib.sha1(f"source-unreachable|{info.name}".encode()).hexdigest()[:12],
        rule="source-unreachable",
        severity="high",
        owner="office",
        job="",
        customer="",
        message=f"{info.name} ({info.system}) could not be pulled: {result.failure}. {fallback}",
        since=since.isoformat(),
        age_days=(as_of - since).days,
        amount=None,
        records={info.name: []},
        evidence=[{"source": info.name, "record": info.path, "field": "pull", "value": str(result.failure)}],
        title="Source could not be pulled",
    )
