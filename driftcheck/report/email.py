"""The report by email: SMTP settings, the message, and sending it.

One multipart message per run::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain   findings grouped by owner (what a phone's preview shows)
    │   └── text/html    inline styles only, no script, no image
    └── text/csv         the findings (driftcheck.report.csvout), attached

The subject says what matters: ``driftcheck: 3 high, 5 medium, 2 low, 4 new ·
$12,340 at stake · Harbor & Pine · 2026-11-20``.

Settings come from the ``[email]`` table of driftcheck.toml (:class:`EmailSettings`);
the password never does: it comes from the OS keyring (``driftcheck auth set
smtp``) or ``DRIFTCHECK_SMTP_PASSWORD`` (:func:`driftcheck.secrets.get_secret`).
Any failure to deliver (refused login, unreachable server, TLS failure, refused
recipient, timeout) is a :class:`~driftcheck.errors.DeliveryError` naming the
server and the reason: the CLI exits 3 after writing any ``--output`` file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from ..currency import priced
from ..errors import AuthError, ConfigError, DeliveryError, UsageError
from .html import SEVERITIES, jinja_env, money, page_model

__all__ = [
    "DEFAULT_PORTS",
    "SECURITY",
    "WHEN",
    "EmailSettings",
    "build_message",
    "check_recipients",
    "plain_body",
    "render_email_html",
    "send_report",
    "should_send",
    "subject_for",
]

#: How the connection is protected: STARTTLS upgrade, TLS from the first byte, or nothing.
SECURITY = ("starttls", "ssl", "none")

#: The port each security mode uses unless ``port`` is set.
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

#: ``--email-when``: always, when there is any finding, when there is a high one.
WHEN = ("always", "findings", "high")

_KEYS = ("host", "port", "security", "user", "from", "to", "subject_prefix", "timeout", "ca_file")
_PASSWORD_KEYS = ("password", "pass", "passwd", "smtp_password", "secret")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _address(value: Any) -> str | None:
    """The address in ``value`` ("Office <o@x.com>" or "o@x.com") if it looks like one."""
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        return None
    _, addr = parseaddr(value)
    return value.strip() if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", addr or "") else None


def check_recipients(addresses: Sequence[str]) -> list[str]:
    """Validate ``--email`` addresses (call before the scan, to fail fast).

    Raises:
        UsageError: an address is not of the form ``name@domain.tld``.
    """
    out = []
    for a in addresses:
        ok = _address(a)
        if ok is None:
            raise UsageError(f"--email {a!r} is not an email address (expected name@example.com)")
        out.append(ok)
    return out


@dataclass(frozen=True)
class EmailSettings:
    """How to reach the SMTP server (the ``[email]`` table of driftcheck.toml; never the password).

    Attributes:
        host: SMTP server name.
        port: TCP port. Defaults to 587 (starttls), 465 (ssl) or 25 (none).
        security: ``starttls``, ``ssl`` or ``none``. Defaults to ``starttls``.
        user: login name; None for a server that takes mail without login.
        from_addr: the From address (``from`` in the file). Defaults to ``user`` when that is an address.
        to: default recipients when ``--email`` is not given.
        subject_prefix: first word of the subject. Defaults to ``driftcheck``.
        timeout: seconds to wait for the server at each step. Defaults to 30.
        ca_file: a PEM file of CA certificates to trust instead of the system's (a private relay).
    """

    host: str
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    from_addr: str = ""
    to: tuple[str, ...] = ()
    subject_prefix: str = "driftcheck"
    timeout: float = 30.0
    ca_file: str | None = None
    file: str | None = field(default=None, compare=False)

    @property
    def server(self) -> str:
        """``host:port``, as error messages name it."""
        return f"{self.host}:{self.port}"

    @classmethod
    def from_config(cls, email_table: Mapping[str, Any], file: str | Path | None = None) -> EmailSettings:
        """Build and validate settings from the ``[email]`` table.

        Example:
            >>> EmailSettings.from_config({"host": "smtp.example.com", "user": "office@example.com"}).server
            'smtp.example.com:587'

        Raises:
            ConfigError: a missing or malformed value, an unknown key, or a password in the file.
        """
        where = str(file) if file is not None else None

        def bad(key: str, message: str) -> ConfigError:
            return ConfigError(message, file=where, key=f"email.{key}")

        for key in email_table:
            if key.lower() in _PASSWORD_KEYS:
                raise bad(
                    key,
                    "a password does not belong in the config file. Remove it, then store it in the OS "
                    "keyring with `driftcheck auth set smtp`, or set the environment variable "
                    "DRIFTCHECK_SMTP_PASSWORD (for cron).",
                )
            if key not in _KEYS:
                raise bad(key, f"unknown key; known keys are {', '.join(_KEYS)}")

        host = email_table.get("host")
        if not isinstance(host, str) or not host.strip() or any(c.isspace() for c in host.strip()):
            raise bad("host", f"expected the SMTP server's name, such as 'smtp.example.com', found {host!r}")
        host = host.strip()

        security = email_table.get("security", "starttls")
        if security not in SECURITY:
            raise bad("security", f"expected one of {', '.join(SECURITY)}, found {security!r}")

        port = email_table.get("port", DEFAULT_PORTS[security])
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise bad("port", f"expected a port number between 1 and 65535, found {port!r}")

        user = email_table.get("user")
        if user is not None and (not isinstance(user, str) or not user.strip()):
            raise bad("user", f"expected the login name as text, found {user!r}")
        if user and security == "none" and host.lower() not in _LOOPBACK:
            raise bad(
                "security",
                "'none' would send the password unencrypted to a remote server; use 'starttls' or 'ssl'",
            )

        from_value = email_table.get("from", user if _address(user) else None)
        from_addr = _address(from_value)
        if from_addr is None:
            raise bad("from", f"expected the sender address, such as 'Office <office@example.com>', found {from_value!r}")

        to_value = email_table.get("to", [])
        to_list = [to_value] if isinstance(to_value, str) else to_value
        if not isinstance(to_list, list):
            raise bad("to", f"expected an address or a list of addresses, found {to_value!r}")
        to: list[str] = []
        for item in to_list:
            addr = _address(item)
            if addr is None:
                raise bad("to", f"expected email addresses, found {item!r}")
            to.append(addr)

        prefix = email_table.get("subject_prefix", "driftcheck")
        if not isinstance(prefix, str) or "\n" in prefix or "\r" in prefix:
            raise bad("subject_prefix", f"expected one line of text, found {prefix!r}")

        timeout = email_table.get("timeout", 30)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 600:
            raise bad("timeout", f"expected a number of seconds above 0 and at most 600, found {timeout!r}")

        ca_file = email_table.get("ca_file")
        if ca_file is not None:
            path = Path(str(ca_file)).expanduser()
            if not path.is_absolute() and file is not None:
                path = Path(file).parent / path
            if not path.is_file():
                raise bad("ca_file", f"no such file: {ca_file!r} (expected a PEM file of CA certificates)")
            ca_file = str(path)

        return cls(
            host=host,
            port=port,
            security=security,
            user=user.strip() if user else None,
            from_addr=from_addr,
            to=tuple(to),
            subject_prefix=prefix.strip(),
            timeout=float(timeout),
            ca_file=ca_file,
            file=where,
        )


def should_send(scan: Mapping[str, Any], when: str) -> bool:
    """Whether ``--email-when`` asks for a message for this scan.

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        when: ``always``, ``findings`` (any finding) or ``high`` (any high finding).

    Raises:
        UsageError: ``when`` is none of those.
    """
    if when not in WHEN:
        raise UsageError(f"--email-when {when!r}: expected one of {', '.join(WHEN)}")
    if when == "always":
        return True
    model = page_model(scan)["headline"]
    if when == "high":
        return model["by_severity"]["high"] > 0
    return model["findings"] > 0


def _one_line(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


@priced
def subject_for(scan: Mapping[str, Any], prefix: str = "driftcheck") -> str:
    """The subject line: counts by severity (and new), money at stake, business, audit date.

    Example:
        ``driftcheck: 3 high, 5 medium, 2 low, 4 new · $12,340 at stake · Harbor & Pine · 2026-11-20``
    """
    h = page_model(scan)["headline"]
    counts = [f"{h['by_severity'][s]} {s}" for s in SEVERITIES if h["by_severity"][s]]
    if h["new"]:
        counts.append(f"{h['new']} new")
    parts = [", ".join(counts) if counts else "no findings"]
    if h["amount"]:
        parts.append(f"{money(h['amount'])} at stake")
    if scan.get("business"):
        parts.append(_one_line(scan["business"]))
    if scan.get("as_of"):
        parts.append(_one_line(scan["as_of"]))
    return f"{_one_line(prefix)}: " + " · ".join(parts)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@priced
def plain_body(scan: Mapping[str, Any], *, web: Mapping[str, Any] | None = None) -> str:
    """The text/plain part: headline, then findings grouped by owner, then sources and warnings."""
    m = page_model(scan, web=web)
    h = m["headline"]
    sev = ", ".join(f"{h['by_severity'][s]} {s}" for s in SEVERITIES)
    lines = [m["title"], "", f"{h['findings']} findings ({sev}). {money(h['amount'])} at stake."]
    extra = []
    if h["jobs"] is not None:
        extra.append(f"{h['jobs']} jobs checked.")
    if h["new"] is not None:
        extra.append(f"{h['new']} new since the last run.")
    if h["resolved"] is not None:
        extra.append(f"{h['resolved']} resolved since the last run.")
    if extra:
        lines.append(" ".join(extra))
    lines.append("The full list is attached as a spreadsheet (CSV).")
    if not m["groups"]:
        lines += ["", "No findings: the tools agree on every job checked."]
    for g in m["groups"]:
        at_stake = f", {money(g['amount'])} at stake" if g["amount"] else ""
        title = f"{g['owner'].upper()}: {g['count']} finding{'' if g['count'] == 1 else 's'}{at_stake}"
        lines += ["", title, "=" * min(len(title), 72)]
        for item in g["items"]:
            f = item["f"]
            tag = f["severity"].upper() + (", NEW" if f.get("status") == "new" else "")
            head = [f"[{tag}] {_one_line(f['customer'])} (job {_one_line(f['job'])})", str(f["rule"])]
            if f.get("amount") is not None:
                head.append(money(f["amount"], cents=True))
            if f.get("since"):
                head.append(f"since {f['since']}" + (f", {_days(f['age_days'])}" if f.get("age_days") is not None else ""))
            lines += ["", " · ".join(head), f"  {_one_line(f['message'])}"]
            for e in f.get("evidence") or []:
                value = "(empty)" if e.get("value") is None else _one_line(e.get("value"))
                lines.append(f"  - {e.get('source')} {e.get('record')}, {e.get('field')}: {value}")
            if item["links"]:
                recs = "; ".join(f"{r['source']} {r['id']}" + (f" <{r['url']}>" if r["url"] else "") for r in item["links"])
                lines.append(f"  records: {recs}")
    if m["sources"]:
        lines += ["", "SOURCES", "======="]
        for s in m["sources"]:
            age = f" ({_days(s['age_days'])} old)" if s["age_days"] is not None else ""
            stale = " STALE" if s["stale"] else ""
            lines.append(f"  {s['name']} ({s['system']}, {s['role']}): {s['records']} records, newest {s.get('newest') or 'unknown'}{age}{stale}")
    if m["warnings"]:
        lines += ["", "WARNINGS", "========"]
        for w in m["warnings"]:
            where = ", ".join(str(p) for p in (w.get("file"), f"row {w['row']}" if w.get("row") else None) if p)
            lines.append(f"  {w['source']}: " + (f"{where}: " if where else "") + _one_line(w["message"]))
    if m["resolved"]:
        lines += ["", "RESOLVED SINCE THE LAST RUN", "==========================="]
        for r in m["resolved"]:
            lines.append(f"  {_one_line(r.get('customer'))} (job {r.get('job')}) · {r.get('rule')}")
    lines += ["", "-- ", f"driftcheck {m['version']}. It only reads your systems; nothing was changed."]
    return "\n".join(lines) + "\n"


@priced
def render_email_html(scan: Mapping[str, Any], *, web: Mapping[str, Any] | None = None) -> str:
    """The text/html part: inline styles, no script, no image (mail clients block both)."""
    return str(jinja_env().get_template("email.html.j2").render(m=page_model(scan, web=web)))


def _attachment_name(scan: Mapping[str, Any]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", str(scan.get("business") or "").lower()).strip("-")[:40]
    return "-".join(p for p in ("driftcheck", slug, str(scan.get("as_of") or "")) if p) + ".csv"


def build_message(
    scan: Mapping[str, Any],
    settings: EmailSettings,
    recipients: Sequence[str],
    *,
    csv_text: str,
    html_text: str | None = None,
    web: Mapping[str, Any] | None = None,
) -> EmailMessage:
    """The report email (structure in the module docstring).

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        settings: SMTP settings (for From and the subject prefix).
        recipients: To addresses; empty means ``settings.to``.
        csv_text: the CSV report (:func:`driftcheck.report.csvout.render_csv`), attached.
        html_text: the HTML alternative; None renders the email template.
        web: validated ``[web]`` settings for vendor links. Defaults to None.

    Raises:
        UsageError: no recipient at all, or a malformed address.
    """
    to = check_recipients(list(recipients) or list(settings.to))
    if not to:
        raise UsageError("no recipient: give --email ADDRESS or set 'to' in the [email] table of driftcheck.toml")
    msg = EmailMessage()
    msg["Subject"] = subject_for(scan, settings.subject_prefix)
    msg["From"] = settings.from_addr
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(settings.from_addr)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid("driftcheck", domain=domain)
    # RFC 3834: a machine sent this; out-of-office robots should not answer it
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(plain_body(scan, web=web))
    msg.add_alternative(html_text if html_text is not None else render_email_html(scan, web=web), subtype="html")
    msg.add_attachment(csv_text.encode("utf-8"), maintype="text", subtype="csv", filename=_attachment_name(scan))
    return msg


def _reply(code: Any, text: Any) -> str:
    """An SMTP reply as one line: ``535 5.7.8 Authentication credentials invalid``."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text or "")
    return " ".join(str(p) for p in (code, _one_line(text)) if p)


def _smtp_reply(exc: Any) -> str:
    return _reply(getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", b""))


def _refused(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} ({_reply(code, text)})" for addr, (code, text) in recipients.items())


def _login(smtp: Any, user: str, password: str) -> None:
    """Log in with the first mechanism both sides know; stop at a credentials refusal.

    ``smtplib.SMTP.login`` retries every mechanism after any refusal, so a wrong
    password shows up as the last mechanism's error, or as a hang on servers
    whose LOGIN exchange differs (CPython gh-100331). 535 (bad credentials) and
    454 (temporary failure) are answers, not reasons to try another mechanism.
    """
    import smtplib

    advertised = str(smtp.esmtp_features.get("auth", "")).upper().split()
    methods = (("CRAM-MD5", smtp.auth_cram_md5), ("PLAIN", smtp.auth_plain), ("LOGIN", smtp.auth_login))
    last: smtplib.SMTPAuthenticationError | None = None
    smtp.user, smtp.password = user, password
    for name, method in methods:
        if name not in advertised:
            continue
        try:
            smtp.auth(name, method)
            return
        except smtplib.SMTPAuthenticationError as exc:
            if exc.smtp_code in (535, 454):
                raise
            last = exc
    if last is not None:
        raise last
    raise smtplib.SMTPException(f"no login mechanism in common (the server offers {' '.join(advertised) or 'none'})")


def _deliver(msg: EmailMessage, settings: EmailSettings, password: str | None) -> None:
    """One SMTP session; every failure becomes a DeliveryError naming host:port and the reason."""
    import smtplib
    import socket
    import ssl

    def fail(reason: str) -> DeliveryError:
        return DeliveryError(f"could not email the report through {settings.server}: {reason}")

    context = ssl.create_default_context(cafile=settings.ca_file) if settings.security != "none" else None
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise fail("the server does not offer STARTTLS; set security = 'ssl' (port 465) or ask your provider")
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.user:
                if not smtp.has_extn("auth"):
                    raise fail("the server does not offer a login (AUTH) on this connection")
                _login(smtp, settings.user, password or "")
            refused = smtp.send_message(msg)
            if refused:
                raise fail(f"the server refused some recipients: {_refused(refused)}")
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise fail(f"the server refused the login for user '{settings.user}' ({_smtp_reply(exc)})") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise fail(f"the server refused every recipient: {_refused(exc.recipients)}") from exc
    except smtplib.SMTPSenderRefused as exc:
        raise fail(f"the server refused the sender {settings.from_addr} ({_smtp_reply(exc)})") from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise fail(f"the server closed the connection ({_one_line(exc) or 'no reason given'})") from exc
    except smtplib.SMTPException as exc:
        reply = _smtp_reply(exc)
        raise fail(f"the server answered {reply}" if reply else f"SMTP error: {_one_line(exc)}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise fail(
            f"its TLS certificate was not accepted ({exc.verify_message}); for a private relay, set ca_file in [email]"
        ) from exc
    except ssl.SSLError as exc:
        raise fail(f"the TLS handshake failed ({exc.reason or _one_line(exc)}); check port and security") from exc
    except TimeoutError as exc:
        raise fail(f"no answer within {settings.timeout:g} s") from exc
    except ConnectionRefusedError as exc:
        raise fail("connection refused (no mail server listens there; check host and port)") from exc
    except socket.gaierror as exc:
        raise fail(f"the host name could not be resolved ({exc.strerror})") from exc
    except OSError as exc:
        raise fail(f"network error ({exc.strerror or _one_line(exc)})") from exc


def send_report(
    scan: Mapping[str, Any],
    settings: EmailSettings,
    recipients: Sequence[str],
    *,
    when: str = "findings",
    password: str | None = None,
    web: Mapping[str, Any] | None = None,
) -> bool:
    """Email the report if ``when`` asks for it.

    Args:
        scan: a ``driftcheck.scan/1`` dict.
        settings: SMTP settings from driftcheck.toml.
        recipients: ``--email`` addresses; empty means ``settings.to``.
        when: ``always``, ``findings`` or ``high``. Defaults to ``findings``.
        password: the SMTP password; None reads the ``smtp`` secret (keyring or
            ``DRIFTCHECK_SMTP_PASSWORD``) when ``settings.user`` is set.
        web: validated ``[web]`` settings for vendor links. Defaults to None.

    Returns:
        True when a message was sent, False when ``when`` said not to.

    Raises:
        DeliveryError: the message could not be delivered (names host:port and why).
        UsageError: no recipient, a malformed address, or a bad ``when``.
    """
    if not should_send(scan, when):
        return False
    from .csvout import render_csv

    msg = build_message(scan, settings, recipients, csv_text=render_csv(scan), web=web)
    if settings.user and password is None:
        from ..secrets import get_secret

        try:
            password = get_secret("smtp")
        except AuthError as exc:
            raise DeliveryError(f"could not email the report through {settings.server}: {exc}") from exc
        if not password:
            raise DeliveryError(
                f"could not email the report through {settings.server}: no SMTP password for user "
                f"'{settings.user}'. Store it with `driftcheck auth set smtp` or set DRIFTCHECK_SMTP_PASSWORD."
            )
    _deliver(msg, settings, password)
    return True
