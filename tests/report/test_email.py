"""The report by email: real SMTP sessions against an aiosmtpd server on 127.0.0.1.

Each test starts its own server (plain, STARTTLS with a throw-away trustme CA,
implicit TLS, with or without AUTH), sends through driftcheck.report.email, and
parses the message the server received: subject, plain body, HTML alternative,
CSV attachment. Failures (refused login, nothing listening, untrusted
certificate, refused recipient) must be DeliveryError (exit 3) naming host:port.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from driftcheck.errors import ConfigError, DeliveryError, ExitCode, UsageError
from driftcheck.report.csvout import render_csv
from driftcheck.report.email import EmailSettings, build_message, send_report, should_send, subject_for

USER, PASSWORD = "office@harborpine.example", "correct horse battery staple"


@dataclass
class Sink:
    """aiosmtpd handler that keeps every message it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    sessions: list[tuple[bool, bool]] = field(default_factory=list)  #: (logged in, over TLS) per message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        self.envelopes.append(envelope)
        # STARTTLS sets session.ssl; implicit TLS shows on the transport
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.sessions.append((bool(session.authenticated), tls))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    # handled=False: aiosmtpd then answers 535 itself (handled=True would mean "I replied")
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A port nothing listens on (aiosmtpd's Controller(port=0) cannot report the port it got)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def smtp_server(**smtp_kwargs: Any) -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **smtp_kwargs)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, str]:
    """A server TLS context for 127.0.0.1 signed by a throw-away CA, and that CA's PEM path."""
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return ctx, str(pem)


def settings(port: int, **table: Any) -> EmailSettings:
    base = {"host": "127.0.0.1", "port": port, "security": "none", "from": "driftcheck <reports@harborpine.example>", "timeout": 5}
    base.update(table)
    return EmailSettings.from_config(base, "driftcheck.toml")


def _parts(msg: EmailMessage) -> tuple[str, str, EmailMessage]:
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    attachments = list(msg.iter_attachments())
    assert plain is not None and html is not None and len(attachments) == 1
    return plain.get_content(), html.get_content(), attachments[0]


def test_plain_smtp_delivers_subject_both_bodies_and_the_csv(make_scan) -> None:
    scan = make_scan(30)
    with smtp_server() as (sink, port):
        sent = send_report(scan, settings(port), ["owner@harborpine.example", "Consultant <c@firm.example>"], when="always")
    assert sent is True
    assert sink.sessions == [(False, False)]
    msg = sink.messages[0]
    assert sorted(sink.envelopes[0].rcpt_tos) == ["c@firm.example", "owner@harborpine.example"]
    assert msg.get_content_type() == "multipart/mixed"
    assert msg["Auto-Submitted"] == "auto-generated"

    by = scan["summary"]["by_severity"]
    assert msg["Subject"] == (
        f"driftcheck: {by['high']} high, {by['medium']} medium, {by['low']} low, {scan['summary']['new']} new"
        f" · ${scan['summary']['amount_at_stake']:,.0f} at stake · Harbor & Pine <Renovations> · 2026-11-20"
    )

    plain, html, attachment = _parts(msg)
    # plain text: grouped by owner, each group lists exactly its findings
    owners = {f["owner"] for f in scan["findings"]}
    positions = {o: plain.index(f"\n{o.upper()}: ") for o in owners}
    ordered = sorted(owners, key=positions.get)
    for i, owner in enumerate(ordered):
        end = positions[ordered[i + 1]] if i + 1 < len(ordered) else plain.index("\nSOURCES")
        section = plain[positions[owner] : end]
        jobs = {f["job"] for f in scan["findings"] if f["owner"] == owner}
        assert {j for j in (f["job"] for f in scan["findings"]) if f"(job {j})" in section} == jobs

    # HTML: inline styles only, nothing a mail client would block or run
    lowered = html.lower()
    assert "<script" not in lowered and "<style" not in lowered and "<img" not in lowered and " src=" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Roofing" in html
    assert 'style="' in html
    for f in scan["findings"]:
        assert f"job {f['job']} " in html

    # the attachment is the CSV report, byte for byte
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == "driftcheck-harbor-pine-renovations-2026-11-20.csv"
    data = attachment.get_payload(decode=True)
    assert data.decode("utf-8") == render_csv(scan)
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame["id"]) == [f["id"] for f in scan["findings"]]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_with_login_over_a_trusted_certificate(make_scan, tls, monkeypatch: pytest.MonkeyPatch, mechanism: str) -> None:
    ctx, ca_pem = tls
    monkeypatch.setenv("DRIFTCHECK_SMTP_PASSWORD", PASSWORD)  # the cron way: no keyring needed
    scan = make_scan(8)
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    with smtp_server(
        tls_context=ctx, require_starttls=True, authenticator=_authenticator, auth_require_tls=True, auth_exclude_mechanism=[other]
    ) as (sink, port):
        s = settings(port, security="starttls", user=USER, ca_file=ca_pem, to=["owner@harborpine.example"])
        assert send_report(scan, s, []) is True  # recipients from [email] to
    assert len(sink.messages) == 1
    assert sink.sessions == [(True, True)]
    assert sink.envelopes[0].rcpt_tos == ["owner@harborpine.example"]
    plain, html, _ = _parts(sink.messages[0])
    assert "findings" in plain and "<html" in html


def test_implicit_tls_with_auth_plain(make_scan, tls) -> None:
    ctx, ca_pem = tls
    with smtp_server(ssl_context=ctx, authenticator=_authenticator, auth_require_tls=False) as (sink, port):
        sent = send_report(make_scan(5), settings(port, security="ssl", user=USER, ca_file=ca_pem), ["o@harborpine.example"], when="always", password=PASSWORD)
    assert sent and len(sink.messages) == 1
    assert sink.sessions == [(True, True)]


def test_refused_login_is_a_delivery_error_naming_the_server(make_scan, tls) -> None:
    ctx, ca_pem = tls
    with smtp_server(tls_context=ctx, require_starttls=True, authenticator=_authenticator, auth_require_tls=True) as (sink, port):
        s = settings(port, security="starttls", user=USER, ca_file=ca_pem)
        with pytest.raises(DeliveryError) as err:
            send_report(make_scan(5), s, ["o@harborpine.example"], password="wrong")
    assert sink.messages == []
    assert err.value.exit_code == ExitCode.DELIVERY_FAILED == 3
    text = str(err.value)
    assert f"127.0.0.1:{port}" in text and "refused the login" in text and USER in text and "535" in text
    assert "wrong" not in text  # never the password


def test_unreachable_server_is_a_delivery_error_naming_host_and_port(make_scan) -> None:
    port = free_port()
    with pytest.raises(DeliveryError) as err:
        send_report(make_scan(3), settings(port), ["o@harborpine.example"])
    assert err.value.exit_code == 3
    assert f"127.0.0.1:{port}" in str(err.value) and "connection refused" in str(err.value)


def test_untrusted_certificate_is_a_delivery_error(make_scan, tls) -> None:
    ctx, _ = tls
    with smtp_server(tls_context=ctx, require_starttls=True) as (sink, port):
        with pytest.raises(DeliveryError) as err:
            # no ca_file: the system store does not know the throw-away CA
            send_report(make_scan(3), settings(port, security="starttls"), ["o@harborpine.example"])
    assert sink.messages == []
    assert f"127.0.0.1:{port}" in str(err.value) and "certificate" in str(err.value)


def test_starttls_required_but_not_offered(make_scan) -> None:
    with smtp_server() as (sink, port), pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_report(make_scan(3), settings(port, security="starttls"), ["o@harborpine.example"])


def test_refused_recipient_names_the_address(make_scan) -> None:
    with smtp_server() as (sink, port):
        sink.refuse.add("gone@harborpine.example")
        with pytest.raises(DeliveryError) as err:
            send_report(make_scan(3), settings(port), ["gone@harborpine.example"])
        assert "gone@harborpine.example" in str(err.value) and "550" in str(err.value)
        # one refused, one accepted: delivered, but still a failure for the refused one
        with pytest.raises(DeliveryError, match="refused some recipients"):
            send_report(make_scan(3), settings(port), ["o@harborpine.example", "gone@harborpine.example"])
        assert len(sink.messages) == 1


def test_missing_password_is_a_delivery_error_with_the_fix(make_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DRIFTCHECK_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    s = settings(free_port(), user=USER)  # security none is allowed to loopback
    with pytest.raises(DeliveryError) as err:
        send_report(make_scan(3), s, ["o@harborpine.example"])
    assert "DRIFTCHECK_SMTP_PASSWORD" in str(err.value) and str(s.port) in str(err.value)


@pytest.mark.parametrize(
    ("when", "severities", "expected"),
    [
        ("always", [], True),
        ("findings", [], False),
        ("findings", ["low"], True),
        ("high", ["low", "medium"], False),
        ("high", ["medium", "high"], True),
    ],
)
def test_email_when(make_scan, when: str, severities: list[str], expected: bool) -> None:
    scan = make_scan(0)
    scan["findings"] = [{**make_scan(1)["findings"][0], "severity": s} for s in severities]
    scan["summary"] = {"findings": len(severities), "by_severity": {s: severities.count(s) for s in ("high", "medium", "low")}}
    assert should_send(scan, when) is expected


def test_nothing_is_sent_when_email_when_says_no(make_scan) -> None:
    with smtp_server() as (sink, port):
        assert send_report(make_scan(0), settings(port), ["o@harborpine.example"], when="findings") is False
    assert sink.messages == []
    with pytest.raises(UsageError, match="email-when"):
        should_send(make_scan(0), "sometimes")


def test_subject_without_findings_and_without_status(make_scan) -> None:
    assert subject_for(make_scan(0, with_status=False)) == "driftcheck: no findings · Harbor & Pine <Renovations> · 2026-11-20"
    scan = make_scan(0, business="Harbor\r\nBcc: victim@example.com")
    assert "\n" not in subject_for(scan)


def test_message_without_any_recipient_is_a_usage_error(make_scan) -> None:
    s = settings(25)
    with pytest.raises(UsageError, match="no recipient"):
        build_message(make_scan(2), s, [], csv_text="")
    with pytest.raises(UsageError, match="not an email address"):
        build_message(make_scan(2), s, ["not-an-address"], csv_text="")


def test_settings_defaults_and_ports() -> None:
    s = EmailSettings.from_config({"host": "smtp.example.com", "user": "office@example.com"})
    assert (s.port, s.security, s.from_addr, s.to, s.subject_prefix) == (587, "starttls", "office@example.com", (), "driftcheck")
    assert EmailSettings.from_config({"host": "smtp.example.com", "security": "ssl", "from": "a@example.com"}).port == 465
    assert EmailSettings.from_config({"host": "localhost", "security": "none", "from": "a@example.com", "to": "b@example.com"}).to == ("b@example.com",)


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ({"host": "smtp.example.com", "from": "a@example.com", "password": "hunter2"}, "email.password", "driftcheck auth set smtp"),
        ({"host": "smtp.example.com", "from": "a@example.com", "port": "587"}, "email.port", "port number"),
        ({"host": "smtp.example.com", "from": "a@example.com", "security": "tls"}, "email.security", "starttls, ssl, none"),
        ({"host": "smtp.example.com", "user": "bob"}, "email.from", "sender address"),
        ({"host": "", "from": "a@example.com"}, "email.host", "SMTP server"),
        ({"host": "smtp.example.com", "from": "a@example.com", "to": ["ok@example.com", "nope"]}, "email.to", "'nope'"),
        ({"host": "smtp.example.com", "from": "a@example.com", "tls": True}, "email.tls", "unknown key"),
        ({"host": "smtp.example.com", "from": "a@example.com", "user": "bob", "security": "none"}, "email.security", "unencrypted"),
        ({"host": "smtp.example.com", "from": "a@example.com", "ca_file": "missing.pem"}, "email.ca_file", "no such file"),
    ],
)
def test_bad_settings_name_the_key(table: dict[str, Any], key: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        EmailSettings.from_config(table, tmp_path / "driftcheck.toml")
    assert err.value.key == key
    assert words in str(err.value) and "driftcheck.toml" in str(err.value)
    assert "hunter2" not in str(err.value)
