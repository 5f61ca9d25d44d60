"""A fake of the five vendor APIs on 127.0.0.1, serving a :mod:`world` in the documented shapes.

One threaded HTTP server answers HubSpot, QuickBooks, Xero, Jobber and Pipedrive
paths at once (their paths do not collide), checks credentials like the vendor,
pages like the vendor, and injects faults on demand (:meth:`FakeVendor.inject`):

``status``      an HTTP error (429 with Retry-After, 503...)
``delay``       answer after ``seconds`` (client timeouts)
``drop``        close the connection without an answer (a crash mid-pull)
``qbo_fault``   QuickBooks ``Fault`` inside an HTTP 200
``throttled``   Jobber ``THROTTLED`` GraphQL error (cost bucket spent)
``expire``      revoke the system's access tokens (the next request gets 401)
``dup_page``    serve the previous page again in place of this one
``skip_page``   hand out a cursor that skips the next page

Every request is logged; any request that could write (PUT, PATCH, DELETE, a
POST outside the read endpoints, a GraphQL mutation) is recorded in
``writes`` and refused, and the ``fake`` fixture fails the test on it.

Response shapes follow shared/reference/vendor-formats.md sections 1B, 2B, 4B, 5B, 7B.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from world import Work, gid

STATIC_TOKENS = {
    "hubspot": "pat-na1-" + "3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b",
    "pipedrive": "659c9fddb16335e48cc67114694b52074e812e03",
}
CLIENT = {"client_id": "driftcheck-test-client", "client_secret": "cs-" + "Zk8qP2vN7xR4tY1wL9mB6hJ3"}
OAUTH_SYSTEMS = {"/oauth/v1/token": "hubspot", "/oauth2/v1/tokens/bearer": "quickbooks", "/connect/token": "xero", "/api/oauth/token": "jobber", "/oauth/token": "pipedrive"}
REALM = "9130357766112233"
TENANT = "6f5b3a2e-0c4d-4b8e-a1f2-3c4d5e6f7a8b"


def _ms(d: date | datetime) -> int:
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day, tzinfo=UTC)
    return int(d.timestamp() * 1000)


def _iso(d: date | datetime | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return d.isoformat()


def _net(d: date | datetime | None) -> str | None:
    return None if d is None else f"/Date({_ms(d)}+0000)/"


def new_token(prefix: str = "") -> str:
    """A token shaped like the real ones (long, random); the scan test must never find one."""
    return prefix + secrets.token_urlsafe(32)


@dataclass
class Fault:
    kind: str
    path: re.Pattern[str]
    times: int = 1
    skip: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    seen: int = 0
    fired: int = 0


# ---------------------------------------------------------------- vendor renderings of the world


def hubspot_deals(world: list[Work]) -> list[dict[str, Any]]:
    return [{
        "id": w.deal_id,
        "properties": {
            "dealname": f"{w.name} - kitchen renovation", "amount": f"{w.amount:.2f}", "dealstage": w.stage,
            "pipeline": "default", "closedate": _iso(datetime(w.created.year, w.created.month, w.created.day, tzinfo=UTC)),
            "createdate": _iso(datetime(w.created.year, w.created.month, w.created.day, 9, 15, 30, tzinfo=UTC)),
            "hs_lastmodifieddate": _iso(w.updated), "hs_object_id": w.deal_id, "deal_currency_code": "CAD",
        },
        "createdAt": _iso(w.created), "updatedAt": _iso(w.updated), "archived": False,
        "associations": {
            "contacts": {"results": [{"id": str(201 + w.n), "type": "deal_to_contact"}]},
            "companies": {"results": [{"id": str(801 + w.n), "type": "deal_to_company"}]} if w.n % 2 else {"results": []},
        },
        "_updated_ms": _ms(w.updated),
    } for w in world]


HUBSPOT_PIPELINES = {"results": [{
    "id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": False,
    "stages": [
        {"id": "appointmentscheduled", "label": "Appointment Scheduled", "displayOrder": 0, "metadata": {"isClosed": "false", "probability": "0.2"}, "archived": False},
        {"id": "contractsent", "label": "Contract Sent", "displayOrder": 4, "metadata": {"isClosed": "false", "probability": "0.9"}, "archived": False},
        {"id": "closedwon", "label": "Closed Won", "displayOrder": 5, "metadata": {"isClosed": "true", "probability": "1.0"}, "archived": False},
        {"id": "closedlost", "label": "Closed Lost", "displayOrder": 6, "metadata": {"isClosed": "true", "probability": "0.0"}, "archived": False},
    ],
}]}


def hubspot_contacts(world: list[Work]) -> dict[str, dict[str, Any]]:
    return {str(201 + w.n): {"id": str(201 + w.n), "properties": {"firstname": w.first, "lastname": w.last, "email": w.email, "phone": w.phone, "address": w.street, "city": w.city, "hs_object_id": str(201 + w.n)}, "archived": False} for w in world}


def hubspot_companies(world: list[Work]) -> dict[str, dict[str, Any]]:
    return {str(801 + w.n): {"id": str(801 + w.n), "properties": {"name": f"{w.last} Holdings", "phone": None, "address": None, "city": w.city, "hs_object_id": str(801 + w.n)}, "archived": False} for w in world}


def qbo_entities(world: list[Work]) -> dict[str, list[dict[str, Any]]]:
    customers, invoices, payments = [], [], []
    for w in world:
        upd = w.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")
        customers.append({"Id": str(60 + w.n), "DisplayName": w.name, "PrimaryEmailAddr": {"Address": w.email}, "PrimaryPhone": {"FreeFormNumber": w.phone},
                          "BillAddr": {"Id": str(400 + w.n), "Line1": w.street, "City": w.city}, "Active": True, "Balance": w.balance,
                          "MetaData": {"CreateTime": upd, "LastUpdatedTime": upd}, "domain": "QBO", "sparse": False, "SyncToken": "0"})
        if not w.invoiced:
            continue
        custom = [{"DefinitionId": "1", "Name": "Job #", "Type": "StringType", "StringValue": str(w.job_number)}] if w.n % 2 == 0 else [{"DefinitionId": "1", "Name": "Crew #", "Type": "StringType"}]
        note = None if w.n % 2 == 0 else f"Job #{w.job_number}" + (f" and Job #{w.extra_jobs[0]}" if w.extra_jobs else "")
        if w.n % 2 == 0 and w.extra_jobs:
            note = f"also Job #{w.extra_jobs[0]}"
        invoices.append({
            "Id": str(230 + w.n), "SyncToken": "0", "domain": "QBO", "sparse": False, "DocNumber": w.doc_number,
            "TxnDate": w.issued.isoformat(), "DueDate": w.due.isoformat(), "TotalAmt": w.amount, "Balance": w.balance, "Deposit": 0,
            "CustomerRef": {"value": str(60 + w.n), "name": w.name}, "BillEmail": {"Address": w.email},
            "EmailStatus": "EmailSent" if w.sent else "NeedToSend", "PrintStatus": "NotSet", "LinkedTxn": [],
            "Line": [{"Id": "1", "LineNum": 1, "Amount": w.amount, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Services"}, "TaxCodeRef": {"value": "NON"}}},
                     {"Amount": w.amount, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}],
            "TxnTaxDetail": {"TotalTax": 0}, "CustomField": custom, "PrivateNote": note,
            "CustomerMemo": {"value": "Thank you for your business"}, "CurrencyRef": {"value": "CAD", "name": "Canadian Dollar"},
            "ShipAddr": {"Id": str(500 + w.n), "Line1": w.street, "City": w.city},
            "MetaData": {"CreateTime": upd, "LastUpdatedTime": upd},
        })
        if w.payment:
            payments.append({
                "Id": str(700 + w.n), "SyncToken": "0", "domain": "QBO", "TxnDate": w.paid_on.isoformat(), "TotalAmt": w.payment, "UnappliedAmt": 0,
                "CustomerRef": {"value": str(60 + w.n), "name": w.name}, "DepositToAccountRef": {"value": "4"}, "PaymentRefNum": f"E{w.n:03d}",
                "CurrencyRef": {"value": "CAD"}, "ProcessPayment": False,
                "Line": [{"Amount": w.payment, "LinkedTxn": [{"TxnId": str(230 + w.n), "TxnType": "Invoice"}]}],
                "MetaData": {"CreateTime": upd, "LastUpdatedTime": upd},
            })
    return {"Customer": customers, "Invoice": invoices, "Payment": payments}


def xero_entities(world: list[Work]) -> dict[str, list[dict[str, Any]]]:
    contacts, invoices, payments = [], [], []
    for w in world:
        cid = f"c{w.n:07d}-0000-4000-8000-000000000000"
        contact = {"ContactID": cid, "Name": w.name}
        contacts.append({**contact, "ContactStatus": "ACTIVE", "EmailAddress": w.email, "UpdatedDateUTC": _net(w.updated),
                         "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": w.phone}],
                         "Addresses": [{"AddressType": "STREET", "AddressLine1": w.street, "City": w.city}]})
        if not w.invoiced:
            continue
        status = "PAID" if w.balance == 0 else "AUTHORISED"
        iid = f"i{w.n:07d}-0000-4000-8000-000000000000"
        invoices.append({
            "Type": "ACCREC", "InvoiceID": iid, "InvoiceNumber": w.xero_number, "Reference": f"Job #{w.job_number}",
            "Contact": contact, "Date": _net(w.issued), "DateString": f"{w.issued.isoformat()}T00:00:00",
            "DueDate": _net(w.due), "DueDateString": f"{w.due.isoformat()}T00:00:00", "Status": status, "LineAmountTypes": "Exclusive",
            "LineItems": [], "SubTotal": w.amount, "TotalTax": 0.0, "Total": w.amount, "AmountDue": w.balance,
            "AmountPaid": w.amount - w.balance, "AmountCredited": 0.0, "CurrencyCode": "CAD",
            "FullyPaidOnDate": _net(w.paid_on) if w.balance == 0 else None, "UpdatedDateUTC": _net(w.updated),
            "SentToContact": w.sent, "HasAttachments": False, "IsDiscounted": False, "HasErrors": False,
        })
        if w.payment:
            payments.append({
                "PaymentID": f"p{w.n:07d}-0000-4000-8000-000000000000", "Date": _net(w.paid_on), "Amount": w.payment, "Reference": f"EFT {w.n}",
                "Status": "AUTHORISED", "PaymentType": "ACCRECPAYMENT", "UpdatedDateUTC": _net(w.updated), "CurrencyRate": 1.0,
                "Invoice": {"InvoiceID": iid, "InvoiceNumber": w.xero_number, "Contact": contact, "Type": "ACCREC"},
            })
    return {"Contacts": contacts, "Invoices": invoices, "Payments": payments}


def jobber_entities(world: list[Work]) -> dict[str, list[dict[str, Any]]]:
    clients, jobs, invoices, payments = [], [], [], []
    for w in world:
        client = {"id": gid("Client", 40 + w.n), "name": w.name, "emails": [{"address": w.email, "primary": True}], "phones": [{"number": w.phone, "primary": True}]}
        clients.append({**client, "companyName": None, "updatedAt": _iso(w.updated), "billingAddress": {"street": w.street, "city": w.city}})
        jobs.append({
            "id": gid("Job", 900 + w.n), "jobNumber": w.job_number, "title": "Kitchen renovation", "jobStatus": w.job_status, "total": w.amount,
            "createdAt": _iso(w.created), "updatedAt": _iso(w.updated), "startAt": _iso(datetime.combine(w.scheduled, datetime.min.time(), UTC)),
            "endAt": None, "completedAt": _iso(datetime.combine(w.completed, datetime.min.time(), UTC)) if w.completed else None,
            "client": client, "property": {"address": {"street": w.street, "city": w.city, "province": "BC", "postalCode": "V5K 0A1"}},
            "quote": {"quoteNumber": w.quote_number},
            "visits": {"nodes": [{"id": gid("Visit", 5000 + w.n), "startAt": _iso(datetime.combine(w.scheduled, datetime.min.time(), UTC)), "endAt": None, "completedAt": None}]},
        })
        if w.invoiced:
            status = "paid" if w.balance == 0 else ("awaiting_payment" if w.sent else "draft")
            invoices.append({
                "id": gid("Invoice", 700 + w.n), "invoiceNumber": w.invoice_number, "invoiceStatus": status, "subject": f"For services rendered ({w.name})",
                "issuedDate": _iso(w.issued), "dueDate": _iso(w.due), "receivedDate": _iso(w.paid_on) if w.balance == 0 else None,
                "createdAt": _iso(w.issued), "updatedAt": _iso(w.updated),
                "amounts": {"subtotal": w.amount, "total": w.amount, "invoiceBalance": w.balance, "paymentsTotal": w.amount - w.balance, "taxAmount": 0.0, "tipsTotal": 0.0},
                "client": client, "jobs": {"nodes": [{"jobNumber": j} for j in [w.job_number, *w.extra_jobs]]},
            })
            if w.payment:
                payments.append({"id": gid("PaymentRecord", 3000 + w.n), "amount": w.payment, "entryDate": _iso(w.paid_on), "paymentType": "E_TRANSFER",
                                 "client": {"id": client["id"], "name": w.name}, "invoice": {"invoiceNumber": w.invoice_number}, "quote": None})
        if w.deposit:
            payments.append({"id": gid("PaymentRecord", 4000 + w.n), "amount": w.deposit, "entryDate": _iso(w.created), "paymentType": "CREDIT_CARD",
                             "client": {"id": client["id"], "name": w.name}, "invoice": None, "quote": {"quoteNumber": w.quote_number}})
    return {"clients": clients, "jobs": jobs, "invoices": invoices, "paymentRecords": payments}


def pipedrive_entities(world: list[Work]) -> dict[str, list[dict[str, Any]]]:
    status_of = {"closedwon": "won", "closedlost": "lost"}
    deals, persons, orgs = [], [], []
    for w in world:
        upd = w.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        st = status_of.get(w.stage, "open")
        persons.append({"id": 11 + w.n, "name": w.name, "emails": [{"value": w.email, "primary": True, "label": "work"}],
                        "phones": [{"value": w.phone, "primary": True, "label": "mobile"}], "update_time": upd, "add_time": upd})
        orgs.append({"id": 51 + w.n, "name": f"{w.last} Holdings", "address": {"value": f"{w.street}, {w.city}"}, "update_time": upd, "add_time": upd})
        deals.append({"id": 7000 + w.n, "title": f"{w.name} - kitchen renovation", "value": w.amount, "currency": "CAD", "status": st,
                      "add_time": f"{w.created.isoformat()}T09:15:30Z", "update_time": upd, "stage_id": 3, "pipeline_id": 1,
                      "person_id": 11 + w.n, "org_id": 51 + w.n, "won_time": f"{w.created.isoformat()}T12:00:00Z" if st == "won" else None,
                      "lost_time": f"{w.created.isoformat()}T12:00:00Z" if st == "lost" else None, "close_time": None,
                      "expected_close_date": None, "probability": None, "lost_reason": None, "visible_to": 3, "label_ids": []})
    return {"deals": deals, "persons": persons, "organizations": orgs}


# ---------------------------------------------------------------- the server


class FakeVendor:
    """The fake server. ``url`` is its base; ``clock`` (optional) drives Jobber's bucket refill."""

    def __init__(self, world: list[Work], *, clock: Any = None, rotate: bool = True, jobber_cost: int = 1200, jobber_bucket: int = 10000,
                 rate_limit: tuple[int, float] | None = None, search_cap: int = 10000):
        self.clock = clock
        self.rotate = rotate
        self.jobber_cost = jobber_cost
        self.jobber_max = jobber_bucket
        self.jobber_available = float(jobber_bucket)
        self.jobber_last = self._mono()
        self.rate_limit = rate_limit
        self.arrivals: list[float] = []
        self.rate_429 = 0
        self.search_cap = search_cap
        self.faults: list[Fault] = []
        self.log: list[dict[str, Any]] = []
        self.writes: list[str] = []
        self.lock = threading.Lock()
        self.access: dict[str, set[str]] = {s: set() for s in OAUTH_SYSTEMS.values()}
        self.refresh: dict[str, str] = {s: new_token("rt-") for s in OAUTH_SYSTEMS.values()}
        #: every token this server ever handed out (the token-scan test looks for each)
        self.issued: list[str] = list(self.refresh.values())
        self.codes: dict[str, str] = {}
        self.refreshes: dict[str, int] = {s: 0 for s in OAUTH_SYSTEMS.values()}
        self.auth_mode: dict[str, str] = {"hubspot": "token", "pipedrive": "token"}
        self.set_world(world)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def set_world(self, world: list[Work]) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.world = world
            self.hs_deals = hubspot_deals(world)
            self.hs_contacts = hubspot_contacts(world)
            self.hs_companies = hubspot_companies(world)
            self.qbo = qbo_entities(world)
            self.xero = xero_entities(world)
            self.jobber = jobber_entities(world)
            self.pipedrive = pipedrive_entities(world)

    def _mono(self) -> float:
        return self.clock.monotonic() if self.clock is not None else time.monotonic()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeVendor:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, kind: str, path: str = ".*", *, times: int = 1, skip: int = 0, **params: Any) -> Fault:
        f = Fault(kind=kind, path=re.compile(path), times=times, skip=skip, params=params)
        self.faults.append(f)
        return f

    def issue_access(self, system: str) -> str:
        tok = new_token("at-")
        self.access[system].add(tok)
        self.issued.append(tok)
        return tok

    def requests_to(self, pattern: str) -> list[dict[str, Any]]:
        rx = re.compile(pattern)
        return [r for r in self.log if rx.search(r["path"])]

    def fault_for(self, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.fired >= f.times or not f.path.search(path):
                    continue
                f.seen += 1
                if f.seen <= f.skip:
                    continue
                f.fired += 1
                return f
        return None


def _handler(fake: FakeVendor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def setup(self) -> None:
            super().setup()
            # headers and body go out as two writes: without this, Nagle + delayed ACK add 40 ms a request
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        # ------------------------------------------------------------ plumbing
        def _body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _write_attempt(self, why: str) -> None:
            fake.writes.append(f"{self.command} {urlsplit(self.path).path}: {why}")
            self._send(405, {"status": "error", "message": "driftcheck must not write"})

        def do_PUT(self) -> None:
            self._body()
            self._write_attempt("write method")

        do_PATCH = do_PUT
        do_DELETE = do_PUT

        def do_GET(self) -> None:
            self._dispatch(b"")

        def do_POST(self) -> None:
            self._dispatch(self._body())

        # ------------------------------------------------------------ dispatch
        def _dispatch(self, raw: bytes) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            fake.log.append({"method": self.command, "path": path, "query": query, "headers": dict(self.headers), "time": fake._mono()})
            if self.command == "POST" and path in OAUTH_SYSTEMS:
                return self._token(OAUTH_SYSTEMS[path], raw)
            if fake.rate_limit is not None:
                n, period = fake.rate_limit
                now = time.monotonic()
                with fake.lock:
                    fake.arrivals = [t for t in fake.arrivals if t > now - period]
                    if len(fake.arrivals) >= n:
                        fake.rate_429 += 1
                        wait = fake.arrivals[0] + period - now
                        return self._send(429, {"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT",
                                                "correlationId": "c0ffee", "policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": f"{max(1, int(wait + 0.999))}"})
                    fake.arrivals.append(now)
            fault = fake.fault_for(path)
            if fault is not None:
                done = self._fault(fault, path)
                if done:
                    return
            body = json.loads(raw) if raw else None
            routes = [
                (r"^/crm/v3/pipelines/deals$", "GET", self._hs_pipelines),
                (r"^/crm/v3/objects/deals$", "GET", self._hs_list),
                (r"^/crm/v3/objects/deals/search$", "POST", self._hs_search),
                (r"^/crm/v3/objects/deals/(\d+)$", "GET", self._hs_one),
                (r"^/crm/v3/objects/(contacts|companies)/search$", "POST", self._hs_lookup),
                (r"^/v3/company/(\d+)/query$", "GET", self._qbo),
                (r"^/api\.xro/2\.0/(Invoices|Payments|Contacts)$", "GET", self._xero),
                (r"^/api/graphql$", "POST", self._jobber),
                (r"^/api/v2/(deals|persons|organizations)$", "GET", self._pipedrive),
                (r"^/connections$", "GET", self._xero_connections),
            ]
            for rx, method, fn in routes:
                m = re.match(rx, path)
                if m and self.command == method:
                    return fn(m, query, body, fault)
            if self.command == "POST":
                return self._write_attempt("POST outside the read endpoints")
            self._send(404, {"message": "not found"})

        def _fault(self, f: Fault, path: str) -> bool:
            p = f.params
            if f.kind == "status":
                self._send(p.get("status", 503), p.get("body", {"message": "Service Unavailable"}), p.get("headers"))
                return True
            if f.kind == "delay":
                time.sleep(p.get("seconds", 1.0))
                return False
            if f.kind == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return True
            if f.kind == "qbo_fault":
                self._send(200, {"Fault": {"Error": [{"Message": p.get("message", "A business validation error has occurred while processing your request"),
                                                      "Detail": p.get("detail", "Business Validation Error: Unexpected Internal Error. (-30000)"),
                                                      "code": p.get("code", "6000"), "element": ""}], "type": p.get("type", "ValidationFault")},
                                 "time": "2026-11-20T09:17:31.892-08:00"})
                return True
            if f.kind == "throttled":
                self._send(200, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits"}}],
                                 "extensions": {"cost": {"requestedQueryCost": fake.jobber_cost, "actualQueryCost": 0,
                                                         "throttleStatus": {"maximumAvailable": fake.jobber_max, "currentlyAvailable": p.get("available", 200), "restoreRate": 500}}}})
                return True
            if f.kind == "expire":
                for system in fake.access:
                    fake.access[system].clear()
                return False
            return False  # dup_page / skip_page are applied by the pager

        def _auth_ok(self, system: str) -> bool:
            if system in ("hubspot", "pipedrive") and fake.auth_mode.get(system) == "token":
                hdr = self.headers.get("x-api-token") if system == "pipedrive" else (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                ok = hdr == STATIC_TOKENS[system]
            else:
                ok = (self.headers.get("Authorization") or "").removeprefix("Bearer ") in fake.access[system]
            if not ok:
                if system == "quickbooks":
                    self._send(401, {"Fault": {"Error": [{"Message": "message=AuthenticationFailed; errorCode=003200; statusCode=401", "Detail": "Token expired", "code": "3200"}], "type": "AUTHENTICATION"}, "time": "2026-11-20T09:17:31.892-08:00"})
                elif system == "jobber":
                    self._send(401, {"message": "invalid_request"})
                else:
                    self._send(401, {"status": "error", "message": "Authentication credentials not found.", "category": "INVALID_AUTHENTICATION"})
            return ok

        # ------------------------------------------------------------ paging helper
        def _page(self, items: list[Any], offset: int, size: int, fault: Fault | None) -> tuple[list[Any], int | None]:
            start = offset
            if fault is not None and fault.kind == "dup_page" and offset >= size:
                start = offset - size
            chunk = items[start:start + size]
            nxt = offset + size
            if fault is not None and fault.kind == "skip_page":
                nxt += size
            return chunk, (nxt if nxt < len(items) else None)

        # ------------------------------------------------------------ HubSpot
        def _hs_pipelines(self, m, q, body, fault) -> None:
            if self._auth_ok("hubspot"):
                self._send(200, HUBSPOT_PIPELINES, {"X-HubSpot-RateLimit-Remaining": "99", "X-HubSpot-RateLimit-Max": "100"})

        def _hs_clean(self, d: dict[str, Any], assoc: bool) -> dict[str, Any]:
            out = {k: v for k, v in d.items() if not k.startswith("_")}
            if not assoc:
                out.pop("associations", None)
            return out

        def _hs_list(self, m, q, body, fault) -> None:
            if not self._auth_ok("hubspot"):
                return
            size = min(int(q.get("limit", ["10"])[0]), 100)
            offset = int(q.get("after", ["0"])[0])
            chunk, nxt = self._page(fake.hs_deals, offset, size, fault)
            out: dict[str, Any] = {"results": [self._hs_clean(d, "associations" in q) for d in chunk]}
            if nxt is not None:
                out["paging"] = {"next": {"after": str(nxt), "link": f"{fake.url}/crm/v3/objects/deals?after={nxt}"}}
            self._send(200, out)

        def _hs_search(self, m, q, body, fault) -> None:
            if not self._auth_ok("hubspot"):
                return
            deals = fake.hs_deals
            for group in body.get("filterGroups", []):
                for f in group.get("filters", []):
                    v = int(f["value"])
                    if f["operator"] == "GTE":
                        deals = [d for d in deals if d["_updated_ms"] >= v]
                    elif f["operator"] == "LT":
                        deals = [d for d in deals if d["_updated_ms"] < v]
            deals = sorted(deals, key=lambda d: (d["_updated_ms"], d["id"]))
            size = min(int(body.get("limit", 10)), 200)
            offset = int(body.get("after", 0))
            if offset + size > fake.search_cap:
                return self._send(400, {"status": "error", "message": f"There was a problem with the request. Search results are limited to {fake.search_cap}.", "category": "VALIDATION_ERROR"})
            chunk, nxt = self._page(deals, offset, size, fault)
            out: dict[str, Any] = {"total": len(deals), "results": [self._hs_clean(d, False) for d in chunk]}
            if nxt is not None and nxt < fake.search_cap:
                out["paging"] = {"next": {"after": str(nxt)}}
            self._send(200, out)

        def _hs_one(self, m, q, body, fault) -> None:
            if not self._auth_ok("hubspot"):
                return
            d = next((d for d in fake.hs_deals if d["id"] == m.group(1)), None)
            if d is None:
                return self._send(404, {"status": "error", "message": "Object not found", "category": "OBJECT_NOT_FOUND"})
            self._send(200, self._hs_clean(d, True))

        def _hs_lookup(self, m, q, body, fault) -> None:
            if not self._auth_ok("hubspot"):
                return
            table = fake.hs_contacts if m.group(1) == "contacts" else fake.hs_companies
            ids = body["filterGroups"][0]["filters"][0]["values"]
            results = [table[i] for i in ids if i in table]
            self._send(200, {"total": len(results), "results": results})

        # ------------------------------------------------------------ QuickBooks
        def _qbo(self, m, q, body, fault) -> None:
            if not self._auth_ok("quickbooks"):
                return
            if m.group(1) != REALM:
                return self._send(403, {"Fault": {"Error": [{"Message": "ApplicationAuthorizationFailed", "code": "003100"}], "type": "AUTHORIZATION"}})
            if "minorversion" not in q:
                return self._send(400, {"Fault": {"Error": [{"Message": "minorversion missing"}], "type": "ValidationFault"}})
            sql = q["query"][0]
            mm = re.match(r"SELECT (\*|COUNT\(\*\)) FROM (\w+)(?: WHERE MetaData\.LastUpdatedTime >= '([^']+)')?(?: ORDERBY [\w.]+)?(?: STARTPOSITION (\d+))?(?: MAXRESULTS (\d+))?$", sql)
            if not mm:
                return self._send(400, {"Fault": {"Error": [{"Message": "Error parsing query", "code": "4000"}], "type": "ValidationFault"}})
            what, entity, since, start, maxr = mm.groups()
            rows = fake.qbo[entity]
            if since:
                rows = [r for r in rows if r["MetaData"]["LastUpdatedTime"] >= since]
            rows = sorted(rows, key=lambda r: (r["MetaData"]["LastUpdatedTime"], int(r["Id"])))
            if what != "*":
                return self._send(200, {"QueryResponse": {"totalCount": len(rows)}, "time": "2026-11-20T09:17:31.892-08:00"})
            size = min(int(maxr or 100), 1000)
            chunk, _ = self._page(rows, int(start or 1) - 1, size, fault)
            resp: dict[str, Any] = {"startPosition": int(start or 1), "maxResults": len(chunk)}
            if chunk:
                resp[entity] = chunk  # absent when nothing matches, as QuickBooks does
            self._send(200, {"QueryResponse": resp, "time": "2026-11-20T09:17:31.892-08:00"})

        # ------------------------------------------------------------ Xero
        def _xero(self, m, q, body, fault) -> None:
            if not self._auth_ok("xero"):
                return
            if self.headers.get("Xero-tenant-id") != TENANT:
                return self._send(403, {"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"})
            name = m.group(1)
            rows = fake.xero[name]
            since = self.headers.get("If-Modified-Since")
            if since:
                cut = _ms(datetime.fromisoformat(since).replace(tzinfo=UTC))
                rows = [r for r in rows if int(re.search(r"\d+", r["UpdatedDateUTC"]).group()) >= cut]
            size = int(q.get("pageSize", ["100"])[0])
            page = int(q.get("page", ["1"])[0])
            chunk, _ = self._page(rows, (page - 1) * size, size, fault)
            self._send(200, {"Id": "7c1f4f4e-0000-4000-8000-000000000000", "Status": "OK", "ProviderName": "driftcheck", "DateTimeUTC": "/Date(1763629051000)/",
                             "pagination": {"page": page, "pageSize": size, "pageCount": max(1, -(-len(rows) // size)), "itemCount": len(rows)}, name: chunk},
                       {"X-MinLimit-Remaining": "59", "X-DayLimit-Remaining": "4990", "X-AppMinLimit-Remaining": "9990"})

        def _xero_connections(self, m, q, body, fault) -> None:
            if self._auth_ok("xero"):
                self._send(200, [{"id": "e1eede29-0000-4000-8000-000000000000", "authEventId": "d99ecdfe-0000-4000-8000-000000000000",
                                  "tenantId": TENANT, "tenantType": "ORGANISATION", "tenantName": "Acme Renovations",
                                  "createdDateUtc": "2026-11-20T09:00:00.0000000", "updatedDateUtc": "2026-11-20T09:00:00.0000000"}])

        # ------------------------------------------------------------ Jobber
        def _jobber(self, m, q, body, fault) -> None:
            query = (body or {}).get("query", "")
            if re.match(r"\s*mutation\b", query):
                return self._write_attempt("GraphQL mutation")
            if not self._auth_ok("jobber"):
                return
            with fake.lock:
                now = fake._mono()
                fake.jobber_available = min(fake.jobber_max, fake.jobber_available + (now - fake.jobber_last) * 500)
                fake.jobber_last = now
                if fake.jobber_available < fake.jobber_cost:
                    return self._send(200, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                                            "extensions": {"cost": {"requestedQueryCost": fake.jobber_cost, "actualQueryCost": 0, "throttleStatus": {
                                                "maximumAvailable": fake.jobber_max, "currentlyAvailable": int(fake.jobber_available), "restoreRate": 500}}}})
                fake.jobber_available -= fake.jobber_cost
                available = int(fake.jobber_available)
            root = re.search(r"\b(jobs|invoices|clients|paymentRecords)\(", query).group(1)
            v = body.get("variables") or {}
            rows = fake.jobber[root]
            flt = (v.get("filter") or {}).get("updatedAt", {}).get("after")
            if flt:
                rows = [r for r in rows if r["updatedAt"] > flt]
            if root == "jobs":
                rows = sorted(rows, key=lambda r: (r["updatedAt"], r["jobNumber"]), reverse=True)
            offset = int(v["after"]) if v.get("after") else 0
            chunk, nxt = self._page(rows, offset, int(v.get("first", 10)), fault)
            self._send(200, {"data": {root: {"nodes": chunk, "pageInfo": {"hasNextPage": nxt is not None, "endCursor": str(nxt) if nxt is not None else None}, "totalCount": len(rows)}},
                             "extensions": {"cost": {"requestedQueryCost": fake.jobber_cost, "actualQueryCost": fake.jobber_cost - 100,
                                                     "throttleStatus": {"maximumAvailable": fake.jobber_max, "currentlyAvailable": available, "restoreRate": 500}},
                                            "versioning": {"version": self.headers.get("X-JOBBER-GRAPHQL-VERSION")}}})

        # ------------------------------------------------------------ Pipedrive
        def _pipedrive(self, m, q, body, fault) -> None:
            if not self._auth_ok("pipedrive"):
                return
            rows = fake.pipedrive[m.group(1)]
            since = q.get("updated_since", [None])[0]
            if since:
                rows = [r for r in rows if r["update_time"] >= since]
            size = min(int(q.get("limit", ["100"])[0]), 500)
            offset = int(q.get("cursor", ["0"])[0])
            chunk, nxt = self._page(rows, offset, size, fault)
            self._send(200, {"success": True, "data": chunk, "additional_data": {"next_cursor": str(nxt) if nxt is not None else None}},
                       {"x-ratelimit-limit": "80", "x-ratelimit-remaining": "79", "x-ratelimit-reset": "2", "x-daily-requests-left": "9000"})

        # ------------------------------------------------------------ OAuth token endpoints
        def _token(self, system: str, raw: bytes) -> None:
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            cid, secret = form.get("client_id"), form.get("client_secret")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                import base64

                cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            if cid != CLIENT["client_id"] or secret != CLIENT["client_secret"]:
                return self._send(401, {"error": "invalid_client"})
            grant = form.get("grant_type")
            if grant == "refresh_token":
                if form.get("refresh_token") != fake.refresh[system]:
                    return self._send(400, {"error": "invalid_grant", "error_description": "refresh token is invalid or expired"})
            elif grant == "authorization_code":
                if fake.codes.pop(form.get("code", ""), None) != system:
                    return self._send(400, {"error": "invalid_grant"})
            else:
                return self._send(400, {"error": "unsupported_grant_type"})
            fake.refreshes[system] += 1
            if fake.rotate and system != "hubspot":
                fake.refresh[system] = new_token("rt-")  # the old one dies at once (Jobber after 2 Jan 2024)
                fake.issued.append(fake.refresh[system])
            token = fake.issue_access(system)
            out = {"access_token": token, "refresh_token": fake.refresh[system], "token_type": "bearer", "expires_in": 3600}
            if system == "quickbooks":
                out["x_refresh_token_expires_in"] = 8726400
            self._send(200, out)

    return Handler
