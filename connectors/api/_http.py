"""The one HTTP layer every API connector talks through (httpx underneath).

It owns, for all vendors alike:

* **timeouts** (per vendor policy; QuickBooks answers within 120 s or not at all),
* **retries** with exponential backoff and full jitter on 429, 5xx, timeouts and
  dropped connections, honouring ``Retry-After`` (seconds or HTTP date) and the
  vendor's own rate headers (``X-HubSpot-RateLimit-*``, Xero's
  ``X-Rate-Limit-Problem`` / ``X-MinLimit-Remaining``, Pipedrive's
  ``x-ratelimit-*``),
* **pacing** under the documented limits with a sliding-window :class:`Pacer`
  (HubSpot 100 per 10 s, QuickBooks 500 per minute and 10 per second, Xero 60
  per minute and 5 in flight, HubSpot search 4 per second), so a full pull does
  not trip them,
* **OAuth2 refresh**, where a rotated refresh token is stored with
  :func:`driftcheck.secrets.set_secret` *before* the new access token is used,
* a **read-only guard**: only GET, and POST only to allow-listed paths (HubSpot
  search, GraphQL queries, token endpoints); a GraphQL ``mutation`` is refused,
* **exception translation**: every httpx error leaves this module as a
  :class:`~driftcheck.errors.SourceError` subclass whose message names the
  vendor, the path (never the query string) and what to do, and never a token.

Vendor facts (limits, header names, token endpoints) are data in
``connectors/api/<system>.toml`` ``[http]`` / ``[auth]``; this module knows no
vendor by name. Vendor modules add only what data cannot say (a QuickBooks
``Fault`` inside a 200, Jobber's query-cost bucket) through the ``inspect``
hook of :meth:`ApiClient.request`.

The clock is injected (:class:`Clock`), so tests assert waits without sleeping.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from driftcheck.errors import AuthError, RateLimitError, SourceError, SourceTimeoutError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ApiClient",
    "Clock",
    "Events",
    "OAuth2",
    "Pacer",
    "Policy",
    "Retry",
    "StaticToken",
    "WriteRefused",
    "parse_retry_after",
    "scrub",
]

log = logging.getLogger("driftcheck.api")


# --------------------------------------------------------------------------- clock


class Clock:
    """Real time. Tests pass a fake with the same three methods."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)


class Events(Protocol):
    """What the HTTP layer tells the progress display (see ``_progress.py``)."""

    def waiting(self, seconds: float, reason: str) -> None: ...

    def request(self, method: str, path: str, status: int) -> None: ...


class _NoEvents:
    def waiting(self, seconds: float, reason: str) -> None:
        pass

    def request(self, method: str, path: str, status: int) -> None:
        pass


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class Policy:
    """How one vendor is called: the retry table, budgets and the read-only allow-list.

    Built from the ``[http]`` table of ``connectors/api/<system>.toml`` by
    :meth:`from_table`; every field has a conservative default.
    """

    system: str
    #: statuses worth retrying (rate limited or the server's fault)
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    #: attempts per request, the first included
    max_attempts: int = 6
    #: exponential backoff: base * 2**(attempt-1), capped, with full jitter
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    #: wait when a 429 carries no Retry-After (QuickBooks documents 60 s)
    wait_429: float = 10.0
    #: request timeout in seconds
    timeout: float = 30.0
    #: sliding-window limits: (requests, seconds) pairs, all enforced together
    limits: tuple[tuple[int, float], ...] = ()
    #: extra limits for paths matching a regex (HubSpot search: 4 per second)
    path_limits: tuple[tuple[str, int, float], ...] = ()
    #: requests in flight at once (Xero: 5), None for no limit
    max_in_flight: int | None = None
    #: POST allowed only to paths matching one of these regexes
    post_allow: tuple[str, ...] = ()
    #: a header saying how many calls are left in the current window
    remaining_header: str | None = None
    #: header giving the window length in milliseconds (HubSpot) ...
    interval_ms_header: str | None = None
    #: ... or seconds until the window resets (Pipedrive x-ratelimit-reset)
    reset_header: str | None = None
    #: default window to wait out when remaining hits 0 and no header says how long
    window_seconds: float = 10.0
    #: header naming which limit a 429 hit (Xero X-Rate-Limit-Problem) and the values not worth waiting for
    problem_header: str | None = None
    fatal_problems: tuple[str, ...] = ()
    #: what to tell the owner on 401/403 (where to get a new token)
    auth_hint: str = ""

    @classmethod
    def from_table(cls, system: str, table: dict[str, Any]) -> Policy:
        """Build from a TOML ``[http]`` table (unknown keys are an error: typos must not pass)."""
        known = set(cls.__dataclass_fields__) - {"system"}
        extra = set(table) - known
        if extra:
            from driftcheck.errors import ConfigError

            raise ConfigError(f"unknown key(s) {sorted(extra)} in [http]", file=f"connectors/api/{system}.toml")
        kw: dict[str, Any] = dict(table)
        if "retry_statuses" in kw:
            kw["retry_statuses"] = frozenset(kw["retry_statuses"])
        if "limits" in kw:
            kw["limits"] = tuple((int(n), float(s)) for n, s in kw["limits"])
        if "path_limits" in kw:
            kw["path_limits"] = tuple((str(p), int(n), float(s)) for p, n, s in kw["path_limits"])
        for k in ("post_allow", "fatal_problems"):
            if k in kw:
                kw[k] = tuple(kw[k])
        return cls(system=system, **kw)


# --------------------------------------------------------------------------- pacer


class Pacer:
    """Sliding-window request pacer: at most N requests in any S seconds, for every window.

    A request's stamp is taken when it starts and moved to when its answer
    arrived (:meth:`release`), so the server, which counts arrivals, can never
    see more than N in S seconds even when latency varies. ``margin`` adds a
    little to every window for clock granularity.

    Example:
        >>> p = Pacer([(2, 1.0)], clock=Clock())
        >>> slot = p.acquire()  # returns at once: nothing in the window yet
        >>> p.release(slot)
    """

    def __init__(
        self,
        limits: Iterable[tuple[int, float]],
        *,
        clock: Clock,
        max_in_flight: int | None = None,
        margin: float = 0.02,
        events: Events | None = None,
    ):
        self.limits = [(int(n), float(s)) for n, s in limits]
        self.clock = clock
        self.margin = margin
        self.events = events or _NoEvents()
        self._stamps: list[list[list[float]]] = [[] for _ in self.limits]
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_in_flight) if max_in_flight else None
        self._blocked_until = 0.0
        self._blocked_reason = ""
        #: total seconds spent waiting (reported by the bench and progress)
        self.waited = 0.0

    def block(self, seconds: float, reason: str) -> None:
        """Hold every request for ``seconds`` (a vendor header said the window is spent)."""
        with self._lock:
            until = self.clock.monotonic() + seconds
            if until > self._blocked_until:
                self._blocked_until = until
                self._blocked_reason = reason

    def _wait_needed(self, now: float) -> tuple[float, str]:
        wait, reason = 0.0, ""
        if self._blocked_until > now:
            wait, reason = self._blocked_until - now, self._blocked_reason
        for (n, period), stamps in zip(self.limits, self._stamps, strict=True):
            live = sorted(s[0] for s in stamps if s[0] > now - period - self.margin)
            stamps[:] = [s for s in stamps if s[0] > now - period - self.margin]
            if len(live) >= n:
                w = live[len(live) - n] + period + self.margin - now
                if w > wait:
                    wait, reason = w, f"rate limit {n} per {period:g} s"
        return wait, reason

    def acquire(self) -> list[list[float]]:
        """Wait until a request may start; returns the slot to :meth:`release`."""
        if self._slots is not None:
            self._slots.acquire()
        while True:
            with self._lock:
                now = self.clock.monotonic()
                wait, reason = self._wait_needed(now)
                if wait <= 0:
                    slot = []
                    for stamps in self._stamps:
                        stamp = [now]
                        stamps.append(stamp)
                        slot.append(stamp)
                    return slot
            self.waited += wait
            self.events.waiting(wait, reason)
            self.clock.sleep(wait)

    def release(self, slot: list[list[float]]) -> None:
        """Mark the request as answered (moves its stamp to now) and free its in-flight slot."""
        with self._lock:
            now = self.clock.monotonic()
            for stamp in slot:
                stamp[0] = max(stamp[0], now)
        if self._slots is not None:
            self._slots.release()


# --------------------------------------------------------------------------- auth


class StaticToken:
    """A long-lived token sent in a header (HubSpot private app, Pipedrive API token)."""

    can_refresh = False

    def __init__(self, token: str, *, header: str = "Authorization", scheme: str = "Bearer"):
        self._token = token
        self.header = header
        self.scheme = scheme

    def headers(self, client: ApiClient) -> dict[str, str]:
        value = f"{self.scheme} {self._token}" if self.scheme else self._token
        return {self.header: value}

    def secrets(self) -> list[str]:
        return [self._token]


@dataclass
class OAuth2:
    """OAuth2 bearer auth with refresh; the rotated refresh token is stored first.

    Secrets live under ``<system>.refresh`` (refresh token), ``<system>.access``
    (JSON: access token and expiry, so ``auth status`` can show the expiry) and
    ``<system>.client_secret`` in the OS keyring, or in the matching
    ``DRIFTCHECK_*`` environment variables (:func:`driftcheck.secrets.env_var_for`).

    Args:
        system: vendor name, the prefix of the secret names.
        token_url: the token endpoint.
        client_id: the app's client id (from the source table; not a secret).
        client_auth: ``basic`` (HTTP Basic client_id:secret, QuickBooks and Xero)
            or ``body`` (client_id and client_secret form fields, HubSpot and Jobber).
        rotates: the vendor rotates refresh tokens (the old one may die at once).
    """

    system: str
    token_url: str
    client_id: str
    client_auth: str = "body"
    rotates: bool = True
    leeway: float = 60.0
    access_token: str | None = None
    expires_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _seen: list[str] = field(default_factory=list, repr=False)
    can_refresh = True

    def secrets(self) -> list[str]:
        return [s for s in (self.access_token, *self._seen) if s]

    def _load(self) -> None:
        from driftcheck.secrets import get_secret

        try:
            raw = get_secret(f"{self.system}.access")
        except AuthError:
            raw = None  # no keyring: only the cached access token is missing; a refresh gets a new one
        if not raw:
            return
        try:
            data = json.loads(raw)
            self.access_token = data["token"]
            self.expires_at = datetime.fromisoformat(data["expires_at"]) if data.get("expires_at") else None
        except (ValueError, KeyError, TypeError):
            # a bare token in DRIFTCHECK_<SYSTEM>_ACCESS: usable, expiry unknown
            self.access_token = raw
            self.expires_at = None

    def headers(self, client: ApiClient) -> dict[str, str]:
        with self._lock:
            if self.access_token is None:
                self._load()
            now = client.clock.now()
            if self.access_token is None or (self.expires_at is not None and self.expires_at - timedelta(seconds=self.leeway) <= now):
                self._refresh_locked(client)
            return {"Authorization": f"Bearer {self.access_token}"}

    def refresh(self, client: ApiClient, *, failed_token: str | None = None) -> None:
        """Get a new access token (after a 401); a no-op if another thread already did."""
        with self._lock:
            if failed_token is not None and self.access_token != failed_token:
                return
            self._refresh_locked(client)

    def _refresh_locked(self, client: ApiClient) -> None:
        from driftcheck.secrets import env_var_for, get_secret, set_secret

        refresh_name = f"{self.system}.refresh"
        refresh_token = read_refresh_token(self.system)
        if not refresh_token:
            raise AuthError(
                f"not logged in (no refresh token). Run `driftcheck auth login {self.system}`, or set "
                f"{env_var_for(refresh_name)} for an unattended run.",
                system=self.system,
            )
        self._seen.append(refresh_token)
        if self.rotates and not keyring_writable():
            raise AuthError(
                f"{self.system} replaces the refresh token on every refresh, and this machine has no "
                "OS keyring to store the new one, so refreshing would lose the login. Install a keyring "
                "backend (for a headless server: `pip install keyrings.alt` and set "
                "PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring), then run "
                f"`driftcheck auth login {self.system}` once.",
                system=self.system,
            )
        secret = get_secret(f"{self.system}.client_secret")
        if not secret:
            raise AuthError(
                f"no client secret for the {self.system} app. Run `driftcheck auth set {self.system}.client_secret` "
                f"or set {env_var_for(self.system + '.client_secret')}.",
                system=self.system,
            )
        self._seen.append(secret)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        data = client.token_request(self.token_url, form, client_id=self.client_id, client_secret=secret, client_auth=self.client_auth)
        new_refresh = data.get("refresh_token")
        if new_refresh:
            self._seen.append(new_refresh)
        if new_refresh and new_refresh != refresh_token:
            # Stored before anything else happens: if this process dies a moment
            # later, the owner still has a working login (the old token may be dead).
            try:
                set_secret(refresh_name, new_refresh)
            except AuthError as exc:
                raise AuthError(
                    f"{self.system} issued a new refresh token that could not be stored ({exc}). "
                    f"Run `driftcheck auth login {self.system}` after fixing the keyring.",
                    system=self.system,
                ) from None
        token = data.get("access_token")
        if not token:
            raise AuthError("the token endpoint answered without an access token", system=self.system)
        self.access_token = token
        self._seen.append(token)
        expires_in = data.get("expires_in")
        self.expires_at = client.clock.now() + timedelta(seconds=float(expires_in)) if expires_in else None
        record = json.dumps({"token": token, "expires_at": self.expires_at.isoformat() if self.expires_at else None})
        try:
            set_secret(f"{self.system}.access", record)
        except AuthError:
            pass  # only a cache of a short-lived token; the pull goes on in memory
        log.info("%s: access token refreshed (expires %s)", self.system, self.expires_at)


def keyring_writable() -> bool:
    """Whether an OS keyring backend exists that can store secrets (never reads one)."""
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any failure to load a backend means "no"
        return False
    if isinstance(kr, fail.Keyring):
        return False
    backends = getattr(kr, "backends", None)  # ChainerBackend
    return not (backends is not None and not backends)


def read_refresh_token(system: str) -> str | None:
    """The newest refresh token: the keyring first (it holds the rotated one), then the environment.

    ``driftcheck.secrets.get_secret`` prefers the environment, which is right for
    fixed secrets but wrong here: once a vendor rotated the token, the value in
    ``DRIFTCHECK_<SYSTEM>_REFRESH`` is dead and the keyring holds the live one.
    """
    import os

    from driftcheck.secrets import SERVICE, env_var_for

    name = f"{system}.refresh"
    try:
        import keyring

        value = keyring.get_password(SERVICE, name)
        if value:
            return value
    except Exception:  # noqa: BLE001 - no backend: fall back to the environment
        pass
    return os.environ.get(env_var_for(name)) or None


# --------------------------------------------------------------------------- client


class WriteRefused(SourceError):
    """The read-only guard stopped a request that could change vendor data (a bug)."""


@dataclass
class Retry:
    """Returned by an ``inspect`` hook: retry this request after ``wait`` seconds."""

    wait: float
    reason: str


_TOKENISH = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*|((?:access|refresh)_token[\"'=: ]+)[^\s\"'&,}]+|(api_token=)[^&\s]+"
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove known secrets and anything shaped like a bearer/refresh token from ``text``."""
    for s in secrets:
        if s and len(s) >= 6:
            text = text.replace(s, "[secret]")
    return _TOKENISH.sub(lambda m: (m.group(1) or m.group(2) or m.group(3) or "") + "[secret]", text)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _vendor_message(resp: httpx.Response) -> str:
    """The vendor's own error text from a JSON error body, shortened (never the body wholesale)."""
    try:
        data = resp.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for path in (("message",), ("Message",), ("error_description",), ("error",), ("Detail",), ("Title",), ("Fault", "Error", 0, "Message")):
        cur: Any = data
        for key in path:
            if isinstance(cur, dict) and isinstance(key, str):
                cur = cur.get(key)
            elif isinstance(cur, list) and isinstance(key, int) and len(cur) > key:
                cur = cur[key]
            else:
                cur = None
                break
        if isinstance(cur, str) and cur:
            return cur[:200]
    return ""


class ApiClient:
    """One httpx.Client for one vendor, with the policy, pacer, auth and guard above.

    Args:
        policy: the vendor's :class:`Policy`.
        base_url: the API host (``https://api.hubapi.com``), or the fake server in tests.
        auth: :class:`StaticToken`, :class:`OAuth2` or None.
        clock: time source; tests pass a fake that records sleeps.
        events: progress sink (waits, requests).
        rng: random source for jitter (seeded in tests).
        headers: headers for every request (``Xero-tenant-id``, ``Accept``...).
        transport: an httpx transport (tests), default the network.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        base_url: str,
        auth: StaticToken | OAuth2 | None = None,
        clock: Clock | None = None,
        events: Events | None = None,
        rng: random.Random | None = None,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        import httpx

        self.policy = policy
        self.system = policy.system
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.clock = clock or Clock()
        self.events = events or _NoEvents()
        self.rng = rng or random.Random()
        self.pacer = Pacer(policy.limits, clock=self.clock, max_in_flight=policy.max_in_flight, events=self.events)
        self._path_pacers = [
            (re.compile(rx), Pacer([(n, s)], clock=self.clock, events=self.events)) for rx, n, s in policy.path_limits
        ]
        self._post_allow = [re.compile(rx) for rx in policy.post_allow]
        self.requests = 0
        self.retries = 0
        self._http = httpx.Client(
            timeout=httpx.Timeout(policy.timeout),
            headers={"Accept": "application/json", "User-Agent": "driftcheck (read-only)", **(headers or {})},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- guard

    def _guard(self, method: str, path: str, body: Any) -> None:
        method = method.upper()
        if method == "GET":
            return
        if method == "POST" and any(rx.search(path) for rx in self._post_allow):
            if isinstance(body, dict) and isinstance(body.get("query"), str) and re.match(r"\s*mutation\b", body["query"]):
                raise WriteRefused("refused a GraphQL mutation: driftcheck only reads", system=self.system)
            return
        raise WriteRefused(f"refused {method} {path}: driftcheck only reads from source systems", system=self.system)

    def _secrets(self) -> list[str]:
        return self.auth.secrets() if self.auth is not None else []

    def _backoff(self, attempt: int) -> float:
        p = self.policy
        ceiling = min(p.backoff_cap, p.backoff_base * (2 ** (attempt - 1)))
        # "equal jitter": at least half the ceiling, so retries really spread out but never hammer
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def _apply_rate_headers(self, resp: httpx.Response) -> None:
        p = self.policy
        if not p.remaining_header:
            return
        remaining = resp.headers.get(p.remaining_header)
        try:
            left = int(float(remaining)) if remaining is not None else None
        except ValueError:
            left = None
        if left is None or left > 0:
            return
        window = p.window_seconds
        if p.interval_ms_header and resp.headers.get(p.interval_ms_header):
            try:
                window = float(resp.headers[p.interval_ms_header]) / 1000
            except ValueError:
                pass
        elif p.reset_header and resp.headers.get(p.reset_header):
            try:
                window = float(resp.headers[p.reset_header])
            except ValueError:
                pass
        self.pacer.block(window, f"{self.system} says its rate window is spent")

    # ----------------------------------------------------------------- request

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        stream: str | None = None,
        inspect: Callable[[httpx.Response], Retry | None] | None = None,
    ) -> httpx.Response:
        """Send one read request with pacing, retries and refresh; return a 2xx response.

        Args:
            method: ``GET``, or ``POST`` to an allow-listed path.
            path: path below the base URL, or an absolute URL.
            params: query parameters.
            json_body: JSON body (POST).
            headers: extra headers for this request (``If-Modified-Since``).
            stream: stream name, for error messages.
            inspect: vendor hook run on a 2xx answer: raise a SourceError, return
                :class:`Retry` to wait and try again, or None to accept it.

        Raises:
            WriteRefused: the read-only guard refused the request.
            AuthError: 401/403 after a refresh (or with a static token).
            RateLimitError: still rate limited after every attempt, or a limit not worth waiting for.
            SourceTimeoutError: timed out on every attempt.
            SourceError: any other failure.
        """
        import httpx

        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        shown = urlsplit(url).path  # never the query string: it may carry ids or, elsewhere, tokens
        self._guard(method, shown, json_body)
        refreshed = False
        attempt = 0
        last: str = ""
        last_kind: type[SourceError] = SourceError
        while attempt < self.policy.max_attempts:
            attempt += 1
            req_headers = dict(headers or {})
            sent_token = None
            if self.auth is not None:
                auth_headers = self.auth.headers(self)
                req_headers.update(auth_headers)
                sent_token = getattr(self.auth, "access_token", None)
            pacers = [self.pacer] + [pc for rx, pc in self._path_pacers if rx.search(shown)]
            slots = [(pc, pc.acquire()) for pc in pacers]
            self.requests += 1
            try:
                resp = self._http.request(method, url, params=params, json=json_body, headers=req_headers)
            except httpx.TimeoutException:
                last, last_kind = f"no answer within {self.policy.timeout:g} s", SourceTimeoutError
                self._retry_wait(attempt, None, f"timed out on {shown}")
                continue
            except httpx.TransportError as exc:
                last, last_kind = f"connection failed ({type(exc).__name__})", SourceError
                self._retry_wait(attempt, None, f"connection failed on {shown}")
                continue
            finally:
                for pc, slot in slots:
                    pc.release(slot)
            self.events.request(method, shown, resp.status_code)
            log.debug("%s %s %s -> %s", self.system, method, shown, resp.status_code)
            self._apply_rate_headers(resp)
            status = resp.status_code
            if status == 401 and self.auth is not None and self.auth.can_refresh and not refreshed:
                # An expired or revoked access token: refresh once and try again
                # (the attempt does not count: nothing was wrong with the vendor).
                refreshed = True
                attempt -= 1
                self.auth.refresh(self, failed_token=sent_token)  # type: ignore[union-attr]
                continue
            if status in self.policy.retry_statuses:
                problem = resp.headers.get(self.policy.problem_header or "", "").lower() if self.policy.problem_header else ""
                if status == 429 and problem and problem in self.policy.fatal_problems:
                    raise RateLimitError(
                        f"the {problem} API limit is spent (HTTP 429 on {shown}); try again after it resets",
                        system=self.system,
                        stream=stream,
                        status=429,
                        retryable=True,
                    )
                wait = parse_retry_after(resp.headers.get("Retry-After"), self.clock.now())
                if wait is None and status == 429:
                    wait = self.policy.wait_429
                last = f"HTTP {status} on {shown}" + (f" ({_vendor_message(resp)})" if _vendor_message(resp) else "")
                last_kind = RateLimitError if status == 429 else SourceError
                reason = "rate limited by the server" if status == 429 else f"server error {status}"
                self._retry_wait(attempt, wait, reason)
                continue
            if status >= 400:
                raise self._status_error(resp, shown, stream)
            if inspect is not None:
                verdict = inspect(resp)
                if verdict is not None:
                    last, last_kind = verdict.reason, RateLimitError
                    self._retry_wait(attempt, verdict.wait, verdict.reason)
                    continue
            return resp
        raise last_kind(
            scrub(f"gave up after {self.policy.max_attempts} attempts: {last}", self._secrets()),
            system=self.system,
            stream=stream,
            retryable=True,
        )

    def _retry_wait(self, attempt: int, wait: float | None, reason: str) -> None:
        if attempt >= self.policy.max_attempts:
            return
        self.retries += 1
        seconds = wait if wait is not None else self._backoff(attempt)
        self.pacer.waited += seconds
        self.events.waiting(seconds, reason)
        log.info("%s: %s; waiting %.1f s (attempt %d of %d)", self.system, reason, seconds, attempt, self.policy.max_attempts)
        self.clock.sleep(seconds)

    def _status_error(self, resp: httpx.Response, shown: str, stream: str | None) -> SourceError:
        msg = _vendor_message(resp)
        detail = f": {msg}" if msg else ""
        status = resp.status_code
        if status in (401, 403):
            what = "rejected the credentials" if status == 401 else "refused access"
            hint = self.policy.auth_hint or f"run `driftcheck auth login {self.system}`"
            err: SourceError = AuthError(f"{what} (HTTP {status} on {shown}){detail}. {hint}", system=self.system, stream=stream, status=status)
        else:
            err = SourceError(f"HTTP {status} on {shown}{detail}", system=self.system, stream=stream, status=status)
        err.args = (scrub(str(err), self._secrets()),)
        return err

    # ----------------------------------------------------------------- tokens

    def token_request(
        self, token_url: str, form: dict[str, str], *, client_id: str, client_secret: str, client_auth: str
    ) -> dict[str, Any]:
        """POST to an OAuth2 token endpoint (refresh or code exchange); returns the JSON answer.

        Not paced and not retried on 4xx: a refused grant needs the owner, not a retry.
        """
        import httpx

        url = token_url
        shown = urlsplit(url).path
        self._guard("POST", shown, None)
        body = dict(form)
        auth = None
        if client_auth == "basic":
            auth = httpx.BasicAuth(client_id, client_secret)
        else:
            body.update(client_id=client_id, client_secret=client_secret)
        secrets = [client_secret, *(v for k, v in form.items() if k in ("refresh_token", "code"))]
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                resp = self._http.post(url, data=body, auth=auth, headers={"Accept": "application/json"})
            except httpx.HTTPError as exc:
                if attempt == self.policy.max_attempts:
                    raise SourceError(f"token endpoint {shown} unreachable ({type(exc).__name__})", system=self.system, retryable=True) from None
                self._retry_wait(attempt, None, "token endpoint unreachable")
                continue
            self.events.request("POST", shown, resp.status_code)
            if resp.status_code in self.policy.retry_statuses and attempt < self.policy.max_attempts:
                self._retry_wait(attempt, parse_retry_after(resp.headers.get("Retry-After"), self.clock.now()), f"token endpoint HTTP {resp.status_code}")
                continue
            if resp.status_code >= 400:
                msg = scrub(_vendor_message(resp), secrets)
                raise AuthError(
                    f"the token endpoint refused the refresh (HTTP {resp.status_code}{': ' + msg if msg else ''}). "
                    f"The login has expired or was revoked: run `driftcheck auth login {self.system}`.",
                    system=self.system,
                    status=resp.status_code,
                )
            try:
                data = resp.json()
            except ValueError:
                raise AuthError("the token endpoint answered with something other than JSON", system=self.system) from None
            if not isinstance(data, dict):
                raise AuthError("the token endpoint answered with an unexpected shape", system=self.system)
            return data
        raise AuthError("the token endpoint kept failing", system=self.system, retryable=True)  # pragma: no cover
