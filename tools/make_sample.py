#!/usr/bin/env python3
"""Write the Harbor & Pine Renovations demo exports, byte for byte, and check their story.

This module owns ``sample_exports/`` (the folder the README's first command scans) and
``tests/fixtures/sample_week2/`` (the same business one week later, for history tests).
Both are *snapshots* of one simulated business: every deal, job, invoice and payment is a
timeline of dated events, and a snapshot at an audit date renders what each tool's export
would show on that morning. Because both weeks come from one timeline, a job that is fine
on Nov 20 moves on by Nov 27 the way a real job would.

Most jobs are clean by construction: the timeline of a clean job keeps every hand-off
inside the default rule thresholds on *any* audit date (deposit invoice within 7 days of
the win, scheduled within 3 days of a payment, closed within 3 days of its start, final
invoice within 3 days of closing, paid within 14 days of its due date). The planted drift
cases are written out by hand in :func:`planted`, each with the findings it must produce.

The self-check (:func:`check_snapshot`) reads the written files back with nothing but
``csv``, links them with a small independent linker, runs the default rules as the brief
defines them, and fails unless the findings equal the story exactly. It runs on every
generation, so the story cannot drift from the data.

Usage::

    python tools/make_sample.py                       # writes sample_exports/
    python tools/make_sample.py --week2 tests/fixtures/sample_week2
    python tools/make_sample.py --check --week2 tests/fixtures/sample_week2   # compare, write nothing

Standard library only; deterministic (fixed seed, no clock, no set ordering in output).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20261120
BUSINESS = "Harbor & Pine Renovations LLC"
START = date(2026, 5, 1)  # the business moved onto HubSpot + QuickBooks Online + Jobber in May
LAST_DEAL = date(2026, 11, 24)  # simulated deals are created up to here (week 2 shows a few)
DAY = timedelta(days=1)
# Office closed: Memorial Day, Independence Day (observed), Labor Day, Thanksgiving.
HOLIDAYS = frozenset({date(2026, 5, 25), date(2026, 7, 3), date(2026, 9, 7), date(2026, 11, 26)})

DANA, MARCUS, PRIYA = "Dana Whitlock", "Marcus Bell", "Priya Raman"
CREWS = ("Luis Ortega", "Ben Tran")
# Marcus switched to the custom "Deposit Received" stage when it was added, on Aug 1.
DEPOSIT_STAGE_FROM = date(2026, 8, 1)
DEPOSIT_RATE = 30  # percent, invoiced in QuickBooks on the win
SMALL_JOB = 2_500_00  # cents: below this, no deposit; invoiced on completion

HUBSPOT_COLUMNS = (
    "Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount", "Pipeline",
    "Create Date", "Last Activity Date", "Jobber Job #", "Associated Contact",
    "Associated Company", "Associated Contact IDs", "Associated Company IDs",
)
QBO_INVOICE_COLUMNS = ("Date", "Transaction type", "Num", "Name", "Memo", "Due date", "Amount", "Open balance")
QBO_TXN_COLUMNS = ("Date", "Transaction type", "Num", "Posting (Y/N)", "Name", "Memo", "Account name", "Split", "Amount")
JOBBER_CUSTOM_FIELDS = ("Permit #", "Roof squares", "Gate code", "Warranty (years)")
JOBBER_JOB_COLUMNS = (
    "Job #", "Client name", "Lead source", "Client email", "Client phone", "Billing street",
    "Billing city", "Billing province", "Billing ZIP", "Service property name", "Service street",
    "Service city", "Service province", "Service ZIP", "Title", "Created date",
    "Schedule start date", "Closed date", "Salesperson", "Line items", "Visits assigned to",
    "Invoice #s", "Quote #", "Online booking", "Expenses total ($)", "Time tracked",
    "Labour cost total ($)", "Line item cost total ($)", "Total costs ($)", "Quote discount ($)",
    "Total revenue ($)", "Profit ($)", "Profit %", *JOBBER_CUSTOM_FIELDS,
)
JOBBER_INVOICE_COLUMNS = (
    "Invoice #", "Client name", "Client email", "Client phone", "Service street", "Service city",
    "Service province", "Service ZIP", "Issued date", "Due date", "Job #s", "Status", "Total ($)",
    "Balance ($)",
)
JOBBER_TXN_COLUMNS = (
    "Client name", "Date", "Type", "Total $", "Tip $", "Note", "Cheque #", "Invoice #", "Method",
    "Transaction ID", "Transaction #", "Confirmation #", "Job #", "Postal code", "Paid - Tax $",
    "Refunded on",
)
QBO_INVOICE_FILE = f"{BUSINESS}_Invoice List by Date.csv"
QBO_TXN_FILE = f"{BUSINESS}_Transaction List by Date.csv"
JOBBER_JOBS_FILE, JOBBER_INVOICES_FILE, JOBBER_TXN_FILE = "Jobs.csv", "Invoices.csv", "Transaction List.csv"


def hubspot_file(as_of: date) -> str:
    return f"hubspot-crm-exports-all-deals-{as_of.isoformat()}.csv"


# --------------------------------------------------------------------------- the business


@dataclass(frozen=True)
class Kind:
    """A kind of work: its price range (in the business's currency), crew days, and what Jobber lists."""

    name: str
    low: int
    high: int
    days: tuple[int, int]
    weight: float
    items: str


KINDS = (
    Kind("Roof repair", 800, 2_400, (1, 1), 0.15, "Shingle repair, Flashing reseal, Debris removal"),
    Kind("Chimney flashing", 900, 2_400, (1, 1), 0.05, "Step flashing, Counter flashing, Sealant"),
    Kind("Gutter replacement", 1_400, 4_800, (1, 1), 0.12, "Seamless aluminum gutters, Downspouts, Gutter guards"),
    Kind("Storm damage repair", 1_200, 6_500, (1, 2), 0.08, "Storm damage repair, Tarp removal, Debris removal"),
    Kind("Skylight install", 2_200, 5_800, (1, 1), 0.06, "Skylight unit, Flashing kit, Interior trim"),
    Kind("Porch repair", 2_600, 9_500, (1, 2), 0.05, "Porch framing repair, Decking boards, Railings"),
    Kind("Window replacement", 3_500, 18_000, (1, 2), 0.12, "Replacement windows, Exterior trim, Disposal"),
    Kind("Deck rebuild", 6_500, 28_000, (2, 3), 0.10, "Demolition, Pressure-treated framing, Composite decking, Railings"),
    Kind("Siding replacement", 9_000, 34_000, (2, 4), 0.09, "Siding removal, House wrap, Vinyl siding, Trim"),
    Kind("Roof replacement", 9_500, 45_000, (1, 3), 0.18,
         "Tear-off and disposal, Architectural shingles, Ice & water shield, Synthetic underlayment, Ridge vent"),
)
KIND = {k.name: k for k in KINDS}

FIRST = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Christopher", "Karen", "Charles", "Nancy", "Daniel", "Lisa", "Matthew", "Margaret",
    "Anthony", "Sandra", "Mark", "Ashley", "Donald", "Emily", "Paul", "Donna", "Andrew",
    "Michelle", "Joshua", "Carol", "Kenneth", "Amanda", "Kevin", "Melissa", "Brian", "Deborah",
    "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Laura", "Jeffrey", "Cynthia", "Ryan",
    "Amy", "Jacob", "Angela", "Gary", "Heather", "Nicholas", "Diane", "Eric", "Julie", "Scott",
    "Megan", "Nathan", "Ruth", "Keith", "Carla", "Gregory", "Wendy",
)
LAST = (
    "Thibodeau", "Cote", "Libby", "Morrison", "Cyr", "Dube", "Poulin", "Martin", "Murphy",
    "Sullivan", "Walsh", "Doyle", "Kennedy", "Carter", "Bennett", "Hayes", "Foster", "Bryant",
    "Russell", "Griffin", "Hamilton", "Graham", "Wallace", "Woods", "Cole", "West", "Jordan",
    "Reynolds", "Fisher", "Ellis", "Harrison", "Gibson", "McDonald", "Marshall", "Owens",
    "Kelley", "Hanson", "Curtis", "Greene", "Warren", "Fuller", "Lynch", "Dean", "Gilbert",
    "Garrett", "Romero", "Welch", "Larson", "Frazier", "Burke", "Hanscom", "Merrill", "Pike",
    "Emery", "Leavitt", "Chadbourne", "Hodgdon", "Morin", "Gendron", "Bergeron", "Lachance",
    "Plourde", "Paradis", "Boucher", "Lapointe", "Daigle", "Albert", "Theriault", "Jandreau",
    "Brochu", "Dumont", "Landry", "Hebert", "Nason", "Tibbetts", "Pinkham", "Soule", "Crockett",
    "Haskell", "Whitney", "Sawyer", "Goodwin", "Tarbox", "Strout", "Coffin", "Varney", "Wing",
)
NICKNAMES = {
    "Michael": "Mike", "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Jennifer": "Jen",
    "Christopher": "Chris", "Thomas": "Tom", "Richard": "Rick", "Susan": "Sue", "Daniel": "Dan",
    "Joseph": "Joe", "Anthony": "Tony", "Patricia": "Pat", "Margaret": "Peggy", "Kenneth": "Ken",
}
TOWNS = (
    ("Portland", "04101"), ("Portland", "04102"), ("Portland", "04103"), ("South Portland", "04106"),
    ("Cape Elizabeth", "04107"), ("Falmouth", "04105"), ("Scarborough", "04074"), ("Westbrook", "04092"),
    ("Yarmouth", "04096"), ("Gorham", "04038"), ("Windham", "04062"), ("Cumberland", "04021"),
    ("Freeport", "04032"), ("Saco", "04072"), ("Biddeford", "04005"),
)
STREETS = (
    "Ocean Ave", "Brackett St", "Forest Ave", "Stevens Ave", "Longfellow St", "Shore Rd",
    "Spurwink Ave", "Bucknam Rd", "Main St", "Elm St", "Highland Ave", "Pleasant St",
    "Woodford St", "Deering Ave", "Sawyer St", "Black Point Rd", "Gray Rd", "Middle Rd",
    "Tuttle Rd", "Winn Rd", "Pine St", "Cottage Rd", "Mitchell Rd", "Wescott Rd", "Foreside Rd",
    "Bowery Beach Rd", "Running Hill Rd", "Falmouth Rd", "Blackstrap Rd", "Lunt Rd",
)
LEAD_SOURCES = ("Google", "Google", "Referral", "Referral", "Facebook", "Angi", "Website", "Yard sign", "")


# --------------------------------------------------------------------------- small helpers


def is_biz(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def pick_biz(rng: random.Random, lo: date, hi: date) -> date:
    """A random office day in [lo, hi]; ``lo`` itself when the window holds none."""
    days = [lo + i * DAY for i in range((hi - lo).days + 1)]
    biz = [d for d in days if is_biz(d)]
    return rng.choice(biz) if biz else lo


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def cents_plain(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def cents_sep(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100:,}.{c % 100:02d}"


def cents_float(c: int) -> str:
    """Jobber's invoice export writes money like Python floats: ``210.0``, ``52.5``, ``53.55``."""
    s = cents_plain(c)
    return s[:-1] if s.endswith("0") else s


def cents_hubspot(c: int) -> str:
    return str(c // 100) if c % 100 == 0 else cents_float(c)


def qbo_date(x: date) -> str:
    return f"{x.month}/{x.day}/{x.year}"


def jobber_date(x: date | None) -> str:
    return x.strftime("%b %d, %Y") if x else "-"


def deposit_of(value: int) -> int:
    return (value * DEPOSIT_RATE + 50) // 100


# --------------------------------------------------------------------------- the model


@dataclass
class Client:
    """One customer as each tool knows it."""

    first: str
    last: str
    name: str  #: Jobber client name
    email: str = ""  #: Jobber client email ('' = none on file)
    phone: str = ""  #: Jobber client phone, as the office typed it
    street: str = ""
    city: str = ""
    province: str = "ME"
    zip: str = ""
    contacts: tuple[tuple[str, str], ...] = ()  #: HubSpot associated contacts: (name, email or '')
    company: str = ""  #: HubSpot associated company
    qbo_name: str = ""  #: QuickBooks customer the office created (deposit invoices)
    qbo_sync_name: str = ""  #: QuickBooks customer Jobber's sync files its invoices under
    billing: tuple[str, str, str, str] | None = None  #: billing address when not the service address
    property_name: str = ""
    terms: int = 15  #: final invoice terms, days


@dataclass
class Pay:
    """Money received against one invoice (or, for a Jobber deposit, against a quote)."""

    on: date
    cents: int
    method: str  #: Cheque | Jobber Payments | Cash | ACH
    qbo: bool = True  #: recorded in QuickBooks
    jobber: bool = True  #: recorded in Jobber
    memo: str = ""  #: QuickBooks memo; ``{inv}`` becomes the invoice number
    check_no: str = ""
    txn_id: str = ""


@dataclass
class Inv:
    """One invoice over its life."""

    kind: str  #: deposit (QuickBooks only) | final (Jobber, synced to QuickBooks) | other (QuickBooks only)
    cents: int
    created: date  #: QuickBooks invoice date; Jobber draft creation
    issued: date | None  #: date sent (Jobber: Draft until then); None = never sent
    terms: int
    memo: str = ""  #: QuickBooks memo; ``{job}`` becomes the Jobber job number
    pays: list[Pay] = field(default_factory=list)
    deposit_applied: int = 0  #: Jobber deposit (taken on the quote) applied to this invoice
    num: str = ""
    qbo_name: str = ""


@dataclass
class Opp:
    """A deal and, when it is won, its job: every date it passes through."""

    key: str
    client: Client
    owner: str
    kind: str
    value: int  #: job value in cents (Jobber Total revenue)
    c0: date  #: deal created
    created_at: datetime | None = None
    has_deal: bool = True
    deal_amount: int | None = None
    estimate: int | None = None  #: the rough amount entered at "Qualified to Buy"
    stages: list[tuple[date, str]] = field(default_factory=list)
    expected_close: date | None = None
    activity: list[datetime] = field(default_factory=list)
    ref_on: date | None = None  #: when the rep filled "Jobber Job #"
    ref_style: str = ""  #: "" -> 1042, "#" -> #1042
    quote_on: date | None = None
    job_on: date | None = None
    sched_on: date | None = None
    start: date | None = None
    closed: date | None = None
    cancelled_on: date | None = None
    days: int = 1
    path: str = "qbo"  #: qbo (deposit invoiced in QuickBooks) | jobber (deposit on the quote) | none
    jdeposit: Pay | None = None
    invs: list[Inv] = field(default_factory=list)
    crew: str = ""
    lead_source: str = ""
    online_booking: bool = False
    salesperson: str | None = None
    title: str = ""
    deal_title: str = ""
    custom: tuple[str, str, str, str] = ("", "", "", "")
    discount: int = 0
    cost_ratio: float = 0.4
    expenses: int = 0
    job_no: int = 0
    quote_no: int = 0
    record_id: int = 0


@dataclass
class Finding:
    """A planted finding: which rule, on which opp (or key), in which weeks, since when."""

    rule: str
    target: str  #: opp key, or a literal job key ("C-...", "S-...", "I-...")
    weeks: tuple[int, ...]
    since: dict[int, date]
    note: str
    customer: str = ""


# --------------------------------------------------------------------------- people


class People:
    """Makes customers with unique names, emails and phones, in every tool's spelling."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.emails: set[str] = set()
        pool = [f"({ac}) 555-01{n:02d}" for ac in ("207", "603", "978") for n in range(100)]
        rng.shuffle(pool)
        # Mainers first: 207 numbers before the out-of-state ones.
        pool.sort(key=lambda p: p[1:4] != "207")
        self.phones = pool

    def reserve(self, *names: str) -> None:
        self.names.update(names)

    def phone(self, fixed: str | None = None) -> str:
        """A new phone number, typed one of the five ways the office types them; ``fixed`` as given."""
        if fixed:
            self.phones = [p for p in self.phones if re.sub(r"\D", "", p) != re.sub(r"\D", "", fixed)]
            return fixed
        d10 = re.sub(r"\D", "", self.phones.pop(0))
        a, b, c = d10[:3], d10[3:6], d10[6:]
        style = self.rng.choices(range(5), weights=(50, 25, 10, 10, 5))[0]
        return (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"{a}{b}{c}", f"+1 {a}-{b}-{c}")[style]

    def email(self, first: str, last: str) -> str:
        rng = self.rng
        f, l = first.lower(), last.lower()
        for _ in range(20):
            local = rng.choice((f"{f}.{l}", f"{f[0]}{l}", f"{f}{l}{rng.randint(2, 99)}", f"{l}{f[0]}", f"{f}{l[0]}", f"{f}_{l}"))
            addr = f"{local}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
            if addr not in self.emails:
                self.emails.add(addr)
                return addr
        raise AssertionError("email pool exhausted")

    def person(
        self,
        first: str | None = None,
        last: str | None = None,
        *,
        jobber: bool = True,
        email: str | None = None,
        phone: str | None = None,
        hs_email: str | None = None,
        hs_name: str | None = None,
        qbo_name: str | None = None,
        town: tuple[str, str] | None = None,
    ) -> Client:
        """A customer. ``None`` arguments are drawn; '' means 'none on file'."""
        rng = self.rng
        if first is None or last is None:
            while True:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                if f"{first} {last}" not in self.names:
                    break
        self.names.add(f"{first} {last}")
        name = f"{first} {last}"
        real_email = email if email is not None else self.email(first, last)
        if email is not None and email:
            self.emails.add(email)
        city, zip_ = town or rng.choice(TOWNS)
        street = f"{rng.randint(3, 480)} {rng.choice(STREETS)}"
        province = rng.choices(("ME", "Maine", "Me"), weights=(75, 18, 7))[0]
        # What each tool has: the office skips the email in Jobber for some phone-in customers;
        # HubSpot has the email typed by the customer on the web form (any capitalisation).
        u = rng.random()
        j_email = real_email if (email is not None or u > 0.09) else ""
        if hs_email is None:
            v = rng.random()
            if v < 0.07:
                hs_email = ""
            elif v < 0.22 and real_email:
                local, _, dom = real_email.partition("@")
                hs_email = f"{local[:1].upper()}{local[1:]}@{dom.capitalize()}"
            else:
                hs_email = real_email
        if hs_name is None:
            hs_name = f"{NICKNAMES[first]} {last}" if first in NICKNAMES and rng.random() < 0.4 else name
        if qbo_name is None:
            w = rng.random()
            qbo_name = f"{last}, {first}" if w < 0.4 else name
        return Client(
            first=first, last=last, name=name, email=j_email if jobber else real_email,
            phone=self.phone(phone) if jobber else "", street=street, city=city, province=province,
            zip=zip_, contacts=((hs_name, hs_email),), qbo_name=qbo_name,
            # Jobber's sync matches QuickBooks customers on first and last name.
            qbo_sync_name=qbo_name,
        )


# --------------------------------------------------------------------------- timelines


def deal_name(rng: random.Random, client: Client, kind: str) -> str:
    style = rng.choices(range(3), weights=(72, 15, 13))[0]
    short = kind.split()[0] if style == 2 else kind
    return (f"{client.last} – {kind}", f"{client.last} - {kind}", f"{client.last} {short}")[style]


def price(rng: random.Random, kind: Kind) -> int:
    dollars = rng.uniform(kind.low, kind.high)
    if kind.high > 10_000:
        dollars = rng.uniform(kind.low, kind.low + (kind.high - kind.low) * rng.random())
    step = 10 if dollars > 2_000 else 5
    return int(round(dollars / step) * step) * 100


def clean_won(
    rng: random.Random,
    key: str,
    client: Client,
    c0: date,
    *,
    owner: str | None = None,
    kind: str | None = None,
    value: int | None = None,
    path: str | None = None,
    ref: bool | None = None,
    amount_jitter: bool = True,
) -> Opp:
    """A won deal whose job runs cleanly from win to payment (inside every threshold)."""
    k = KIND[kind] if kind else rng.choices(KINDS, weights=[x.weight for x in KINDS])[0]
    value = value if value is not None else price(rng, k)
    owner = owner or rng.choices((DANA, MARCUS, PRIYA), weights=(20, 40, 40))[0]
    if path is None:
        path = "none" if value < SMALL_JOB else ("jobber" if value <= 6_000_00 and rng.random() < 0.25 else "qbo")
    o = Opp(key=key, client=client, owner=owner, kind=k.name, value=value, c0=c0, path=path)
    c1 = c0 + rng.randint(1, 4) * DAY
    c2 = c1 + rng.randint(2, 7) * DAY
    signed = pick_biz(rng, c2 + 2 * DAY, c2 + 12 * DAY)
    o.quote_on, o.job_on = c2, signed
    o.stages = [(c0, "Appointment Scheduled"), (c1, "Qualified to Buy"), (c2, "Contract Sent")]
    o.days = rng.randint(*k.days)
    if path == "qbo":
        dep = deposit_of(value)
        inv_on = pick_biz(rng, signed, signed + 3 * DAY)
        late = rng.random() < 0.1
        paid = pick_biz(rng, inv_on + (11 if late else 1) * DAY, inv_on + (18 if late else 10) * DAY)
        method = rng.choices(("Cheque", "ACH"), weights=(70, 30))[0]
        o.invs.append(deposit_invoice(rng, o, inv_on, [Pay(paid, dep, method, jobber=False)]))
        if owner == MARCUS and paid >= DEPOSIT_STAGE_FROM:
            # Marcus moves the deal the day Tess tells him the deposit cleared.
            o.stages.append((paid, "Deposit Received"))
        else:
            o.stages.append((signed + rng.randint(0, 2) * DAY, "Closed Won"))
        o.sched_on = pick_biz(rng, paid, paid + 2 * DAY)
        o.start = pick_biz(rng, o.sched_on + 3 * DAY, o.sched_on + 24 * DAY)
    else:
        stage = "Deposit Received" if (path == "jobber" and owner == MARCUS and signed >= DEPOSIT_STAGE_FROM) else "Closed Won"
        o.stages.append((signed + (0 if path == "jobber" else rng.randint(0, 1)) * DAY, stage))
        if path == "jobber":
            o.jdeposit = Pay(signed, deposit_of(value), "Jobber Payments", qbo=False)
        o.sched_on = signed
        o.start = pick_biz(rng, signed + DAY, signed + 3 * DAY)
    o.closed = min(o.start + (o.days - 1 + rng.randint(0, 1)) * DAY, o.start + 3 * DAY)
    issued = pick_biz(rng, o.closed, o.closed + (1 if path != "qbo" else 3) * DAY)
    if rng.random() < 0.12:
        paid = pick_biz(rng, issued + (client.terms + 1) * DAY, issued + (client.terms + 10) * DAY)
    else:
        paid = pick_biz(rng, issued + 2 * DAY, issued + 20 * DAY)
    o.invs.append(final_invoice(rng, o, issued, paid))
    finish(rng, o, ref=ref, amount_jitter=amount_jitter)
    return o


def deposit_invoice(rng: random.Random, o: Opp, on: date, pays: list[Pay], memo: str | None = None) -> Inv:
    if memo is None:
        memo = f"Deposit {DEPOSIT_RATE}% – Job #{{job}} – {o.kind}"
    return Inv("deposit", deposit_of(o.value if o.deal_amount is None else o.deal_amount), on, on, 10,
               memo=memo, pays=pays, qbo_name=o.client.qbo_name)


def final_invoice(
    rng: random.Random, o: Opp, issued: date | None, paid: date | None, *, created: date | None = None,
    partial: int | None = None, method: str | None = None, qbo: bool = True, memo: str | None = None,
) -> Inv:
    """The Jobber invoice for the rest of the job, synced to QuickBooks under the same number."""
    deposits = sum(i.cents for i in o.invs if i.kind == "deposit")
    cents = o.value - deposits
    inv = Inv("final", cents, created or issued or o.closed, issued, o.client.terms,
              memo=memo if memo is not None else rng.choice(("", "", "For Services Rendered", o.kind)),
              qbo_name=o.client.qbo_sync_name)
    method = method or rng.choices(("Cheque", "Jobber Payments", "Cash"), weights=(62, 33, 5 if cents < 1_500_00 else 0))[0]
    if o.jdeposit:
        # Jobber applies the quote deposit to the invoice; the sync posts it to QuickBooks
        # as a payment on the invoice date.
        inv.deposit_applied = o.jdeposit.cents
        inv.pays.append(Pay(issued, o.jdeposit.cents, "Jobber Payments", jobber=False, memo="Inv {inv}"))
    if paid:
        amount = partial if partial is not None else cents - inv.deposit_applied
        synced = method == "Jobber Payments"
        memo_ = "Inv {inv}" if (synced or rng.random() < 0.25) else ""
        inv.pays.append(Pay(paid, amount, method, qbo=qbo, memo=memo_))
    return inv


def finish(rng: random.Random, o: Opp, *, ref: bool | None = None, amount_jitter: bool = True) -> None:
    """Fill the details every opp needs: times, amounts, HubSpot ref, Jobber extras."""
    if o.created_at is None:
        o.created_at = datetime(o.c0.year, o.c0.month, o.c0.day, rng.randint(7, 20), rng.randint(0, 59))
    c = o.client
    # Without the "Jobber Job #" property a deal links by email or by name, so a rep may leave
    # it blank only where one of those agrees across the tools.
    linkable = bool(c.email and any(e.lower() == c.email.lower() for _, e in c.contacts)) or any(
        n == c.name for n, _ in c.contacts)
    if o.job_on and o.has_deal and o.ref_on is None and ref is not False:
        if not linkable:
            o.ref_on = o.job_on
        elif ref or rng.random() < 0.88:
            o.ref_on = o.job_on + rng.randint(0, 3) * DAY
    if o.deal_amount is None:
        o.deal_amount = o.value
        if amount_jitter and o.ref_on and rng.random() < 0.15:
            # The rep typed a round figure (within $50 of the quote, which no rule minds).
            rounded = (o.value + 50_00) // 100_00 * 100_00
            if abs(rounded - o.value) < 50_00:
                o.deal_amount = rounded
    if o.estimate is None:
        o.estimate = max(500_00, int(round(o.deal_amount / 500_00)) * 500_00) if rng.random() < 0.7 else 0
    if o.expected_close is None and rng.random() < 0.75:
        o.expected_close = o.c0 + rng.randint(21, 40) * DAY
    if not o.title:
        o.title = o.kind
    if not o.crew:
        o.crew = ", ".join(CREWS) if o.value > 20_000_00 else rng.choice(CREWS)
    if not o.lead_source:
        o.lead_source = rng.choice(LEAD_SOURCES)
    o.cost_ratio = rng.uniform(0.32, 0.46)
    o.expenses = rng.randint(0, 40) * 1000 if o.value > 3_000_00 else 0
    if o.kind == "Roof replacement":
        squares = max(12, o.value // 1_000_00 + rng.randint(-3, 3))
        permit = f"BP-26-{rng.randint(100, 999):04d}" if rng.random() < 0.6 else ""
        o.custom = (permit, str(squares), "", "10")
    elif o.kind in ("Deck rebuild", "Siding replacement") and rng.random() < 0.5:
        o.custom = (f"BP-26-{rng.randint(100, 999):04d}", "", "", "")
    elif rng.random() < 0.04:
        o.custom = ("", "", f"#{rng.randint(1000, 9999)}", "")
    if rng.random() < 0.08:
        o.discount = rng.choice((100_00, 150_00, 250_00))
    # Activity the rep logs: every stage change, plus a call or email now and then.
    times = [datetime(s.year, s.month, s.day, rng.randint(8, 18), rng.randint(0, 59)) for s, _ in o.stages[1:]]
    times.append(o.created_at + timedelta(minutes=rng.randint(0, 50)))
    for s, _ in o.stages:
        if rng.random() < 0.5:
            extra = s + rng.randint(1, 6) * DAY
            times.append(datetime(extra.year, extra.month, extra.day, rng.randint(8, 18), rng.randint(0, 59)))
    o.activity = sorted(times)


def lost_or_open(rng: random.Random, key: str, client: Client, c0: date, outcome: str) -> Opp:
    k = rng.choices(KINDS, weights=[x.weight for x in KINDS])[0]
    o = Opp(key=key, client=client, owner=rng.choices((DANA, MARCUS, PRIYA), weights=(20, 40, 40))[0],
            kind=k.name, value=price(rng, k), c0=c0)
    c1 = c0 + rng.randint(1, 5) * DAY
    o.stages = [(c0, "Appointment Scheduled"), (c1, "Qualified to Buy")]
    last = c1
    if rng.random() < 0.6:
        last = c1 + rng.randint(2, 8) * DAY
        o.stages.append((last, "Contract Sent"))
        o.quote_on = last
    if outcome == "lost":
        o.stages.append((last + rng.randint(4, 25) * DAY, "Closed Lost"))
    finish(rng, o)
    return o


def background(rng: random.Random, people: People, n: int) -> list[Opp]:
    """Ordinary business: deals won and run cleanly, deals lost, deals still open."""
    opps = []
    span = (LAST_DEAL - START).days
    for i in range(n):
        c0 = START + rng.randrange(span) * DAY
        u = rng.random()
        if u < 0.72:
            opps.append(clean_won(rng, f"bg{i}", people.person(), c0))
        else:
            outcome = "lost" if u < 0.95 else "open"
            opps.append(lost_or_open(rng, f"bg{i}", people.person(jobber=False), c0, outcome))
    return opps


# --------------------------------------------------------------------------- the planted story


def explicit(
    rng: random.Random,
    key: str,
    client: Client,
    owner: str,
    kind: str,
    value: int,
    stages: list[tuple[date, str]],
    **kw: object,
) -> Opp:
    """An opp written out by hand: every date given, nothing drawn but cosmetics."""
    o = Opp(key=key, client=client, owner=owner, kind=kind, value=value, c0=stages[0][0] if stages else kw.pop("c0"))  # type: ignore[arg-type]
    o.stages = stages
    for name, val in kw.items():
        setattr(o, name, val)
    o.days = max(1, (o.closed - o.start).days + 1) if (o.closed and o.start) else KIND[kind].days[0]
    return o


def pipeline(c0: date, c1: date, c2: date) -> list[tuple[date, str]]:
    return [(c0, "Appointment Scheduled"), (c1, "Qualified to Buy"), (c2, "Contract Sent")]


def planted(rng: random.Random, people: People) -> tuple[list[Opp], list[Inv], list[Finding]]:
    """The drift cases, each with the findings it must produce (week 1 = Nov 20, week 2 = Nov 27)."""
    opps: list[Opp] = []
    findings: list[Finding] = []
    P = people.person

    def add(o: Opp, ref: bool | None = None) -> Opp:
        finish(rng, o, ref=ref, amount_jitter=False)
        opps.append(o)
        return o

    def find(rule: str, target: str, weeks: tuple[int, ...], since: date, note: str, customer: str = "") -> None:
        findings.append(Finding(rule, target, weeks, {w: since for w in weeks}, note, customer))

    def same_email(first: str, last: str, email: str) -> Client:
        """A customer whose deal will link by email alone (no Jobber Job # on it)."""
        return P(first, last, email=email, hs_email=email)

    def deposit(o: Opp, on: date, paid: date, method: str = "Cheque", base: int | None = None) -> None:
        """The 30% deposit invoice raised in QuickBooks on ``on``, paid in full on ``paid``."""
        o.invs.append(deposit_invoice(rng, o, on, [Pay(paid, deposit_of(base or o.value), method, jobber=False)]))

    # 1. won-not-invoiced, with a Jobber job: the deposit invoice never went out.
    o = explicit(rng, "wni_job", P("Rachel", "Dubois"), PRIYA, "Siding replacement", 18_400_00,
                 pipeline(d(10, 5), d(10, 8), d(10, 14)) + [(d(10, 30), "Closed Won")],
                 quote_on=d(10, 14), job_on=d(10, 30), ref_on=d(11, 2))
    add(o)
    find("won-not-invoiced", "wni_job", (1, 2), d(10, 30),
         "Won Oct 30; Tess was out that week and the 30% deposit invoice was never raised, so the crew has not scheduled it.")

    # 2. won-not-invoiced, no Jobber job at all: the contract never reached the office.
    o = explicit(rng, "wni_deal", P("Thomas", "Hollis", jobber=False), PRIYA, "Roof replacement", 23_750_00,
                 pipeline(d(10, 12), d(10, 15), d(10, 21)) + [(d(11, 4), "Closed Won")], quote_on=d(10, 21))
    add(o, ref=False)
    find("won-not-invoiced", "wni_deal", (1, 2), d(11, 4),
         "Priya marked the deal won from the customer's kitchen table; no Jobber job and no deposit invoice followed.")

    # 3. paid-not-scheduled: deposit paid in QuickBooks, the job sits unscheduled (fixed in week 2).
    o = explicit(rng, "pns_qbo", P("Alan", "Fortier"), MARCUS, "Window replacement", 12_900_00,
                 pipeline(d(9, 28), d(10, 1), d(10, 9)) + [(d(11, 4), "Deposit Received")],
                 quote_on=d(10, 9), job_on=d(10, 26), ref_on=d(10, 27), sched_on=d(11, 23), start=d(12, 2))
    deposit(o, d(10, 27), d(11, 3))
    add(o)
    find("paid-not-scheduled", "pns_qbo", (1,), d(11, 3),
         "The $3,870 deposit cleared Nov 3; nobody put the job on the calendar until Nov 23.")

    # 4. paid-not-scheduled: deposit paid online on the Jobber quote (linked only by the quote
    #    number), job unscheduled; scheduled, done, invoiced and paid in week 2.
    o = explicit(rng, "pns_jobber", P("Nina", "Castellano"), MARCUS, "Skylight install", 4_860_00,
                 pipeline(d(10, 29), d(11, 2), d(11, 6)) + [(d(11, 16), "Deposit Received")],
                 quote_on=d(11, 6), job_on=d(11, 16), ref_on=d(11, 17), path="jobber",
                 sched_on=d(11, 23), start=d(11, 24), closed=d(11, 24), online_booking=False)
    o.jdeposit = Pay(d(11, 15), deposit_of(o.value), "Jobber Payments", qbo=False)
    o.invs.append(final_invoice(rng, o, d(11, 24), d(11, 25), method="Jobber Payments"))
    add(o)
    find("paid-not-scheduled", "pns_jobber", (1,), d(11, 15),
         "Paid a $1,458 deposit on the Jobber quote (Estimate) on a Sunday; the job stayed unscheduled all week.")

    # 5. schedule-passed-not-complete: started Nov 9, rained off, never rescheduled or closed.
    o = explicit(rng, "spnc_rain", P("Peter", "Gagnon"), DANA, "Roof replacement", 27_300_00,
                 pipeline(d(9, 14), d(9, 16), d(9, 24)) + [(d(10, 9), "Closed Won")],
                 quote_on=d(9, 24), job_on=d(10, 9), ref_on=d(10, 12), sched_on=d(10, 20), start=d(11, 9))
    deposit(o, d(10, 12), d(10, 20))
    add(o)
    find("schedule-passed-not-complete", "spnc_rain", (1, 2), d(11, 9),
         "Tear-off started Nov 9, the crew was rained off and pulled to another roof; the job is neither finished nor rescheduled.")

    # 6. schedule-passed-not-complete: the deck was finished but the job never closed in Jobber,
    #    so nothing prompted the final invoice either.
    o = explicit(rng, "spnc_unclosed", P("Laura", "Beaumont"), PRIYA, "Deck rebuild", 14_650_00,
                 pipeline(d(8, 31), d(9, 2), d(9, 10)) + [(d(9, 22), "Closed Won")],
                 quote_on=d(9, 10), job_on=d(9, 22), ref_on=d(9, 23), sched_on=d(9, 30), start=d(10, 26))
    deposit(o, d(9, 23), d(9, 30), "ACH")
    add(o)
    find("schedule-passed-not-complete", "spnc_unclosed", (1, 2), d(10, 26),
         "Luis finished the deck Oct 28 but never closed the job in the app, so it still reads as scheduled and was never invoiced.")

    # 7. complete-not-invoiced: closed Nov 5, only the 30% deposit is invoiced.
    o = explicit(rng, "cni_final", P("Daniel", "Roy"), PRIYA, "Roof replacement", 19_800_00,
                 pipeline(d(9, 8), d(9, 10), d(9, 17)) + [(d(9, 28), "Closed Won")],
                 quote_on=d(9, 17), job_on=d(9, 28), ref_on=d(9, 29), sched_on=d(10, 6), start=d(11, 3), closed=d(11, 5))
    deposit(o, d(9, 29), d(10, 6))
    add(o)
    find("complete-not-invoiced", "cni_final", (1, 2), d(11, 5),
         "Roof done and closed Nov 5; the final invoice for the remaining $13,860 was never created.")

    # 8. complete-not-invoiced + invoice-not-sent: the final invoice sits in Jobber as a Draft
    #    (no issued date, never synced). Sent Nov 23 in week 2, which resolves both.
    o = explicit(rng, "draft", P("Hannah", "Soucy"), MARCUS, "Siding replacement", 7_420_00,
                 pipeline(d(9, 20), d(9, 23), d(9, 30)) + [(d(10, 23), "Deposit Received")],
                 quote_on=d(9, 30), job_on=d(10, 13), ref_on=d(10, 14), sched_on=d(10, 22), start=d(11, 10), closed=d(11, 12))
    deposit(o, d(10, 14), d(10, 22))
    o.invs.append(final_invoice(rng, o, d(11, 23), None, created=d(11, 12)))
    add(o)
    find("complete-not-invoiced", "draft", (1,), d(11, 12),
         "Closed Nov 12; the final invoice exists only as a Jobber draft, so QuickBooks has just the deposit.")
    find("invoice-not-sent", "draft", (1,), d(11, 12),
         "Final invoice drafted in Jobber when the job closed (Nov 12) and never sent; Jobber drafts carry no issued date.")

    # 9. invoice-overdue: the final invoice, due Oct 23, unpaid (paid Nov 23 in week 2).
    o = explicit(rng, "overdue", P("George", "Levesque"), DANA, "Window replacement", 16_200_00,
                 pipeline(d(8, 10), d(8, 12), d(8, 19)) + [(d(8, 28), "Closed Won")],
                 quote_on=d(8, 19), job_on=d(8, 28), ref_on=d(8, 28), sched_on=d(9, 4), start=d(10, 5), closed=d(10, 6))
    deposit(o, d(8, 31), d(9, 4))
    o.invs.append(final_invoice(rng, o, d(10, 8), d(11, 23), method="Cheque"))
    add(o)
    find("invoice-overdue", "overdue", (1,), d(10, 23),
         "Final invoice of $11,340 due Oct 23, unpaid; Jobber shows it Past Due too, and nobody has called.")

    # 10. invoice-overdue with a partial payment: the customer holds back $1,850 over the railing.
    o = explicit(rng, "partial", P("Sandra", "Michaud"), PRIYA, "Deck rebuild", 22_480_00,
                 pipeline(d(7, 27), d(7, 29), d(8, 5)) + [(d(8, 14), "Closed Won")],
                 quote_on=d(8, 5), job_on=d(8, 14), ref_on=d(8, 14), sched_on=d(8, 24), start=d(9, 28), closed=d(9, 30))
    deposit(o, d(8, 17), d(8, 24))
    fin = final_invoice(rng, o, d(10, 2), d(10, 20), partial=13_886_00, method="Cheque")
    fin.pays[-1].memo = "Inv {inv} – holding $1,850 until railing fixed"
    o.invs.append(fin)
    add(o)
    find("invoice-overdue", "partial", (1, 2), d(10, 17),
         "Paid $13,886 of the $15,736 final invoice on Oct 20 and is holding $1,850 until the railing is fixed.")

    # 11. paid-crm-open: job done and fully paid, deal still at Contract Sent.
    o = explicit(rng, "crm_open_paid", same_email("Kevin", "Bouchard", "kbouchard@example.com"),
                 MARCUS, "Gutter replacement", 3_980_00,
                 pipeline(d(8, 10), d(8, 12), d(8, 19)), expected_close=d(9, 15),
                 quote_on=d(8, 19), job_on=d(9, 1), sched_on=d(9, 9), start=d(9, 21), closed=d(9, 21))
    deposit(o, d(9, 2), d(9, 9))
    o.invs.append(final_invoice(rng, o, d(9, 22), d(10, 16), method="Cheque"))
    add(o, ref=False)
    find("paid-crm-open", "crm_open_paid", (1, 2), d(10, 16),
         "Gutters installed Sep 21 and paid in full Oct 16; the HubSpot deal still says Contract Sent.")

    # 12. paid-crm-open on the deposit alone: Marcus forgot to move the deal to Deposit Received.
    o = explicit(rng, "crm_open_deposit", same_email("Olivia", "Pratt", "olivia.pratt@example.org"),
                 MARCUS, "Siding replacement", 31_500_00,
                 pipeline(d(9, 30), d(10, 2), d(10, 13)), expected_close=d(10, 31),
                 quote_on=d(10, 13), job_on=d(10, 29), sched_on=d(11, 6), start=d(12, 1))
    deposit(o, d(10, 30), d(11, 5), "ACH")
    add(o, ref=False)
    find("paid-crm-open", "crm_open_deposit", (1, 2), d(11, 5),
         "Paid the $9,450 deposit Nov 5 and is scheduled for Dec 1, but the deal still sits at Contract Sent.")

    # 13. lost-but-active: marked lost when the customer went quiet; he came back through the office.
    o = explicit(rng, "lost_done", same_email("Frank", "Desjardins", "fdesjardins@example.net"),
                 PRIYA, "Chimney flashing", 2_240_00,
                 [(d(8, 31), "Appointment Scheduled"), (d(9, 2), "Qualified to Buy"), (d(9, 8), "Contract Sent"),
                  (d(9, 18), "Closed Lost")],
                 quote_on=d(9, 8), job_on=d(9, 24), sched_on=d(9, 24), start=d(9, 28), closed=d(9, 28), path="none")
    o.invs.append(final_invoice(rng, o, d(9, 29), d(10, 9), method="Cheque"))
    add(o, ref=False)
    find("lost-but-active", "lost_done", (1, 2), d(9, 18),
         "Closed Lost Sep 18 when he stopped answering; he phoned the office a week later, the work was done and paid.")

    # 14. lost-but-active: the customer cancelled with Priya, the crew is still booked (the office
    #     cancels the job in week 2).
    o = explicit(rng, "lost_booked", P("Jill", "Harmon"), PRIYA, "Roof repair", 2_450_00,
                 pipeline(d(10, 19), d(10, 21), d(10, 27)) + [(d(11, 2), "Closed Won"), (d(11, 12), "Closed Lost")],
                 quote_on=d(10, 27), job_on=d(11, 2), ref_on=d(11, 3), sched_on=d(11, 2), start=d(11, 24),
                 cancelled_on=d(11, 23), path="none")
    add(o)
    find("lost-but-active", "lost_booked", (1,), d(11, 12),
         "Told Priya on Nov 12 she went with another roofer; the deal is lost but the crew is still booked for Nov 24.")

    # 15. status-conflict: the crew lead took a check on site and marked the invoice paid in Jobber;
    #     the check never reached the office, so QuickBooks still shows it open.
    o = explicit(rng, "conflict", P("Mark", "Thibodeau"), DANA, "Window replacement", 9_870_00,
                 pipeline(d(9, 21), d(9, 23), d(9, 30)) + [(d(10, 9), "Closed Won")],
                 quote_on=d(9, 30), job_on=d(10, 9), ref_on=d(10, 9), sched_on=d(10, 19), start=d(11, 5), closed=d(11, 6))
    deposit(o, d(10, 12), d(10, 19))
    o.invs.append(final_invoice(rng, o, d(11, 9), d(11, 11), method="Cheque", qbo=False))
    add(o)
    find("status-conflict", "conflict", (1, 2), d(11, 11),
         "Ben collected the $6,909 check on site Nov 11 and marked the invoice paid in Jobber; it never reached QuickBooks.")

    # 16. amount-mismatch: a change order (rotten decking) raised the job; the deal kept the old amount.
    o = explicit(rng, "amount_up", P("Brian", "Sirois"), DANA, "Roof replacement", 24_600_00,
                 pipeline(d(8, 24), d(8, 26), d(9, 2)) + [(d(9, 11), "Closed Won")], deal_amount=21_400_00,
                 quote_on=d(9, 2), job_on=d(9, 11), ref_on=d(9, 11), sched_on=d(9, 21), start=d(10, 12), closed=d(10, 14))
    deposit(o, d(9, 14), d(9, 21), "Cheque", base=21_400_00)
    o.invs.append(final_invoice(rng, o, d(10, 16), d(11, 2), method="Cheque"))
    add(o)
    find("amount-mismatch", "amount_up", (1, 2), d(10, 16),
         "Change order for rotten decking took the job from $21,400 to $24,600; invoiced and paid, the deal still says $21,400.")

    # 17. amount-mismatch: the customer dropped the stairs; the deal kept the quoted amount.
    o = explicit(rng, "amount_down", P("Erica", "Lavoie"), MARCUS, "Deck rebuild", 8_950_00,
                 pipeline(d(6, 29), d(7, 1), d(7, 8)) + [(d(7, 17), "Closed Won")], deal_amount=9_800_00,
                 quote_on=d(7, 8), job_on=d(7, 17), ref_on=d(7, 17), sched_on=d(7, 27), start=d(8, 17), closed=d(8, 19))
    deposit(o, d(7, 20), d(7, 27), "Cheque", base=9_800_00)
    o.invs.append(final_invoice(rng, o, d(8, 20), d(9, 4), method="Jobber Payments"))
    add(o)
    find("amount-mismatch", "amount_down", (1, 2), d(8, 20),
         "Customer dropped the stairs ($850) before the build; the job was invoiced at $8,950 while the deal still says $9,800.")

    # 19. orphan-job: a referral phoned the office; the job went straight into Jobber.
    o = explicit(rng, "orphan_job_done", P("Walter", "Nadeau"), "", "Roof repair", 1_650_00, [], c0=d(10, 6),
                 has_deal=False, job_on=d(10, 6), sched_on=d(10, 6), start=d(10, 8), closed=d(10, 8), path="none",
                 lead_source="Referral", salesperson="")
    o.invs.append(final_invoice(rng, o, d(10, 9), d(10, 21), method="Cheque"))
    add(o, ref=False)
    find("orphan-job", "orphan_job_done", (1, 2), d(10, 6),
         "A neighbour's referral phoned the office; Tess booked, invoiced and collected in Jobber, and nobody opened a deal.")

    # 20. orphan-job: an online booking request became a job with no deal (Marcus adds one in week 2).
    o = explicit(rng, "orphan_job_new", P("Priscilla", "Moody"), MARCUS, "Gutter replacement", 1_150_00,
                 [(d(11, 24), "Qualified to Buy")], job_on=d(11, 6), path="none", online_booking=True,
                 lead_source="Website", salesperson="", ref_on=d(11, 24), expected_close=d(12, 15))
    add(o)
    find("orphan-job", "orphan_job_new", (1,), d(11, 6),
         "Booked herself online Nov 6; the request became a Jobber job that no HubSpot deal knows about.")

    # 21/22. duplicate-customer: the same people under two names in Jobber.
    kat = P("Katherine", "Morales", email="kmorales@example.com", phone="(207) 555-0187", hs_email="kmorales@example.com",
            qbo_name="Morales, Katherine", town=("Scarborough", "04074"))
    opps.append(clean_won(rng, "dup_phone_a", kat, d(6, 1), owner=PRIYA, kind="Skylight install", value=3_450_00,
                          path="qbo", ref=True))
    kathy = Client(**{**kat.__dict__, "first": "Kathy", "name": "Kathy Morales", "email": "",
                      "phone": "207.555.0187", "qbo_sync_name": "Kathy Morales"})
    o = clean_won(rng, "dup_phone_b", kathy, d(10, 1), owner=PRIYA, kind="Gutter replacement", value=2_180_00, ref=True)
    opps.append(o)
    find("duplicate-customer", "C-Katherine Morales", (1, 2), o.job_on,  # type: ignore[arg-type]
         "Jobber has her twice: 'Katherine Morales' (June) and 'Kathy Morales' (October), one phone typed two ways.",
         customer="Katherine Morales")
    find("duplicate-customer", "C-Morales, Katherine", (1, 2), d(10, 9),
         "The Jobber sync carried the second identity into QuickBooks: her October invoice went to a new "
         "customer 'Kathy Morales' beside 'Morales, Katherine'.",
         customer="Morales, Katherine")
    bob = P("Bob", "Chen", email="rchen.home@example.net", hs_name="Robert Chen", hs_email="rchen.home@example.net",
            qbo_name="Chen, Robert", town=("Falmouth", "04105"))
    opps.append(clean_won(rng, "dup_email_a", bob, d(6, 22), owner=DANA, kind="Window replacement", value=8_400_00,
                          path="qbo", ref=True))
    robert = Client(**{**bob.__dict__, "first": "Robert", "name": "Robert Chen", "phone": people.phone()})
    o = clean_won(rng, "dup_email_b", robert, d(9, 28), owner=MARCUS, kind="Porch repair", value=5_600_00, path="qbo", ref=True)
    opps.append(o)
    find("duplicate-customer", "C-Bob Chen", (1, 2), o.job_on,  # type: ignore[arg-type]
         "He called in July as 'Bob Chen'; his wife booked the porch in October as 'Robert Chen'. Same email, two Jobber clients.",
         customer="Bob Chen")

    # New in week 2: an invoice that slides past the grace period, a job that overruns its
    # start, a win nobody invoices.
    o = explicit(rng, "overdue_new", P("Steven", "Caron"), DANA, "Siding replacement", 12_350_00,
                 pipeline(d(8, 31), d(9, 2), d(9, 9)) + [(d(9, 18), "Closed Won")],
                 quote_on=d(9, 9), job_on=d(9, 18), ref_on=d(9, 18), sched_on=d(9, 28), start=d(10, 21), closed=d(10, 23))
    deposit(o, d(9, 21), d(9, 28), "ACH")
    o.invs.append(final_invoice(rng, o, d(10, 26), None))
    add(o)
    find("invoice-overdue", "overdue_new", (2,), d(11, 10),
         "Final invoice due Nov 10: merely Past Due on Nov 20, more than two weeks overdue by Nov 27.")
    o = explicit(rng, "spnc_new", P("Monique", "Rioux"), PRIYA, "Roof replacement", 14_200_00,
                 pipeline(d(9, 28), d(9, 30), d(10, 7)) + [(d(10, 16), "Closed Won")],
                 quote_on=d(10, 7), job_on=d(10, 16), ref_on=d(10, 16), sched_on=d(10, 27), start=d(11, 19))
    deposit(o, d(10, 19), d(10, 27))
    add(o)
    find("schedule-passed-not-complete", "spnc_new", (2,), d(11, 19),
         "Started Nov 19 (fine on Nov 20); by Nov 27 the job is still open in Jobber.")
    o = explicit(rng, "wni_new", P("Gary", "Bissonnette"), PRIYA, "Window replacement", 8_900_00,
                 pipeline(d(10, 20), d(10, 23), d(10, 30)) + [(d(11, 17), "Closed Won")],
                 quote_on=d(10, 30), job_on=d(11, 17), ref_on=d(11, 18))
    add(o)
    find("won-not-invoiced", "wni_new", (2,), d(11, 17),
         "Won Nov 17 (three days old on Nov 20); still no deposit invoice by Nov 27.")

    # Messiness that must NOT be flagged.
    # The cancelled job: signed Aug 27, cancelled under the three-day right to cancel; the deal went
    # to Closed Lost and the office closed the Jobber job after deleting its visits and line items.
    o = explicit(rng, "cancelled", P("Joanne", "Ouellette"), PRIYA, "Roof replacement", 15_400_00,
                 pipeline(d(8, 3), d(8, 5), d(8, 12)) + [(d(8, 27), "Closed Won"), (d(8, 31), "Closed Lost")],
                 quote_on=d(8, 12), job_on=d(8, 27), ref_on=d(8, 27), cancelled_on=d(8, 31))
    add(o)
    # A customer with two jobs; the second deal has no Jobber Job # (links by email, amount and date).
    dot = P("Dorothy", "Pelletier", email="dot.pelletier@example.net", hs_email="dot.pelletier@example.net",
            qbo_name="Pelletier, Dorothy")
    opps.append(clean_won(rng, "repeat_a", dot, d(5, 20), owner=DANA, kind="Roof replacement", value=16_900_00, path="qbo", ref=True))
    opps.append(clean_won(rng, "repeat_b", dot, d(10, 5), owner=PRIYA, kind="Gutter replacement", value=3_150_00, path="qbo", ref=False))
    # A property manager (a company client, net 30, four rentals) and its owner as a private customer.
    people.reserve("Greg Baylor", "Jen Alvarez")
    baylor = Client(
        first="", last="Baylor PM", name="Baylor Property Mgmt LLC", email="office@baylorpm.example",
        phone=people.phone("(207) 555-0160"), street="", city="", province="ME", zip="",
        contacts=(("Greg Baylor", "greg@baylorpm.example"), ("Jen Alvarez", "jen@baylorpm.example")),
        company="Baylor Property Mgmt LLC", qbo_name="Baylor Property Management LLC",
        qbo_sync_name="Baylor Property Mgmt LLC", billing=("12 Exchange St, Suite 3", "Portland", "ME", "04101"),
        terms=30,
    )
    for i, (c0, kind, value, street, town) in enumerate((
        (d(7, 6), "Gutter replacement", 4_200_00, "41 Ocean Ave", ("Portland", "04103")),
        (d(8, 3), "Roof repair", 1_950_00, "88 Brackett St", ("Portland", "04102")),
        (d(9, 8), "Porch repair", 7_800_00, "15 Sawyer St", ("South Portland", "04106")),
        (d(10, 26), "Window replacement", 11_600_00, "41 Ocean Ave", ("Portland", "04103")),
    )):
        unit = Client(**{**baylor.__dict__, "street": street, "city": town[0], "zip": town[1],
                         "property_name": f"{street} (rental)"})
        o = clean_won(rng, f"baylor{i}", unit, c0, owner=DANA, kind=kind, value=value, ref=True,
                      path="none" if value < SMALL_JOB else "qbo")
        o.lead_source = "Repeat customer" if i else "Referral"
        opps.append(o)
    greg = P("Greg", "Baylor", email="gbaylor@example.net", hs_email="gbaylor@example.net", town=("Cape Elizabeth", "04107"))
    opps.append(clean_won(rng, "baylor_owner", greg, d(7, 13), owner=DANA, kind="Deck rebuild", value=19_500_00, path="qbo", ref=True))

    # Deposit invoices raised before the Jobber job existed: the memo has no job number, so
    # they link only by customer name (QuickBooks "Last, First") and date.
    for key, first, last, c0, kind, value in (
        ("memo_noref_a", "Harold", "Wentworth", d(6, 15), "Deck rebuild", 12_600_00),
        ("memo_noref_b", "Claire", "Fecteau", d(8, 17), "Window replacement", 7_350_00),
    ):
        o = clean_won(rng, key, P(first, last, qbo_name=f"{last}, {first}"), c0, owner=PRIYA, kind=kind,
                      value=value, path="qbo", ref=True)
        dep = o.invs[0]
        dep.memo = f"Deposit {DEPOSIT_RATE}% – {kind}"
        # Tess invoiced the deposit the day the contract came in and converted the quote the next
        # office day, so the job number did not exist yet.
        o.job_on = pick_biz(rng, dep.created + DAY, dep.created + 4 * DAY)
        assert o.sched_on and o.job_on <= o.sched_on
        o.ref_on = max(o.ref_on or o.job_on, o.job_on)
        opps.append(o)

    # 18. orphan-invoice: billed straight from QuickBooks for work that is in no deal and no job.
    other = Inv("other", 2_340_00, d(11, 6), d(11, 6), 30, memo="Ramp handrail repair – labour & materials",
                qbo_name="Portside Marina LLC")
    findings.append(Finding("orphan-invoice", "@other0", (1, 2), {1: d(11, 6), 2: d(11, 6)},
                            "Dana did a favour job for the marina and billed it from QuickBooks; it is in no deal and no Jobber job.",
                            "Portside Marina LLC"))
    findings.append(Finding("stale-source", f"S-{QBO_TXN_FILE}", (1,), {},
                            "Tess ran the Transaction List on Monday Nov 9 and re-used it for this audit; "
                            "nothing after {since:%b} {since.day} is in it.", "QuickBooks Online"))
    return opps, [other], findings


# --------------------------------------------------------------------------- numbering


def number(opps: list[Opp], others: list[Inv], rng: random.Random) -> None:
    """Give every record the number its tool would have given it, in date order."""
    jobs = sorted((o for o in opps if o.job_on), key=lambda o: (o.job_on, o.c0, o.key))
    for n, o in enumerate(jobs, start=1001):
        o.job_no = n
    quotes = sorted((o for o in opps if o.quote_on), key=lambda o: (o.quote_on, o.key))
    for n, o in enumerate(quotes, start=412):
        o.quote_no = n
    deals = sorted((o for o in opps if o.has_deal), key=lambda o: (o.created_at, o.key))
    rid = 20_480_123_456
    for o in deals:
        rid += rng.randint(1_200, 95_000)
        o.record_id = rid
    finals = sorted(((i.created, o.job_no, i) for o in opps for i in o.invs if i.kind == "final"), key=lambda t: t[:2])
    for n, (_, _, inv) in enumerate(finals, start=5101):
        inv.num = str(n)
    native = sorted(((i.created, o.job_no, i) for o in opps for i in o.invs if i.kind == "deposit"), key=lambda t: t[:2])
    native += [(i.created, 99_999, i) for i in others]
    native.sort(key=lambda t: t[:2])
    for n, (_, _, inv) in enumerate(native, start=3001):
        inv.num = str(n)
    used = {int(i.num) for o in opps for i in o.invs} | {int(i.num) for i in others}
    for pay in (p for o in opps for i in o.invs for p in i.pays):
        if pay.method == "Cheque":
            while True:
                no = rng.choice((rng.randint(201, 399), rng.randint(6000, 9999)))
                if no not in used:
                    used.add(no)
                    pay.check_no = str(no)
                    break
    for pay in [p for o in opps for i in o.invs for p in i.pays] + [o.jdeposit for o in opps if o.jdeposit]:
        if pay.method == "Jobber Payments":
            pay.txn_id = "ch_3" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(23))


def job_key(o: Opp) -> str:
    return f"J-{o.job_no}" if o.job_no else f"D-{o.record_id}"


# --------------------------------------------------------------------------- CSV writing


def csv_line(values: list[str], *, quote_all: bool = False, quote_empty: bool = False) -> str:
    out = []
    for v in values:
        if quote_all or (quote_empty and v == "") or any(ch in v for ch in ',"\n\r'):
            out.append('"' + v.replace('"', '""') + '"')
        else:
            out.append(v)
    return ",".join(out)


def join(lines: list[str], eol: str) -> bytes:
    return (eol.join(lines) + eol).encode("utf-8")


# --------------------------------------------------------------------------- snapshot rendering


@dataclass(frozen=True)
class Snapshot:
    """One audit morning: what each export shows."""

    week: int
    as_of: date
    qbo_invoices_run: datetime
    qbo_txn_run: datetime  #: when the Transaction List was run (week 1: 11 days before the audit)


WEEKS = {
    1: Snapshot(1, d(11, 20), datetime(2026, 11, 20, 8, 14), datetime(2026, 11, 9, 7, 52)),
    2: Snapshot(2, d(11, 27), datetime(2026, 11, 27, 8, 5), datetime(2026, 11, 27, 8, 7)),
}


def stage_at(o: Opp, t: date) -> tuple[str, date] | None:
    seen = [(s, when) for when, s in o.stages if when < t]
    return seen[-1] if seen else None


def render_hubspot(opps: list[Opp], contact_ids: dict[tuple[str, str], int], company_ids: dict[str, int], t: date) -> bytes:
    lines = [csv_line(list(HUBSPOT_COLUMNS), quote_all=True)]
    deals = [o for o in opps if o.has_deal and o.created_at and o.created_at.date() < t and stage_at(o, t)]
    for o in sorted(deals, key=lambda o: (o.created_at, o.record_id), reverse=True):
        stage, when = stage_at(o, t)  # type: ignore[misc]
        closed = stage in ("Closed Won", "Closed Lost", "Deposit Received")
        close = when if closed else o.expected_close
        if stage == "Appointment Scheduled":
            amount = ""
        elif stage == "Qualified to Buy":
            amount = cents_hubspot(o.estimate) if o.estimate else ""
        else:
            amount = cents_hubspot(o.deal_amount or 0)
        activity = [a for a in o.activity if a.date() < t]
        ref = ""
        if o.job_no and o.ref_on and o.ref_on < t:
            ref = f"{o.ref_style}{o.job_no}"
        contacts = ";".join(f"{n} ({e})" if e else n for n, e in o.client.contacts)
        ids = ";".join(str(contact_ids[c]) for c in o.client.contacts)
        name = f"Baylor PM – {o.client.street} {o.kind.lower()}" if o.client.company else o.deal_title
        lines.append(csv_line([
            str(o.record_id), name, stage, close.isoformat() if close else "", o.owner,
            amount, "Sales Pipeline", o.created_at.strftime("%Y-%m-%d %H:%M"),
            activity[-1].strftime("%Y-%m-%d %H:%M") if activity else "", ref, contacts,
            o.client.company, ids, str(company_ids[o.client.company]) if o.client.company else "",
        ], quote_all=True))
    return join(lines, "\n")


def qbo_paid(inv: Inv, t: date) -> int:
    return sum(p.cents for p in inv.pays if p.qbo and p.on < t)


def qbo_invoices(opps: list[Opp], others: list[Inv], t: date) -> list[tuple[Inv, Opp | None]]:
    rows: list[tuple[Inv, Opp | None]] = []
    for o in opps:
        for i in o.invs:
            shown = i.created < t if i.kind == "deposit" else (i.issued is not None and i.issued < t)
            if shown:
                rows.append((i, o))
    rows += [(i, None) for i in others if i.created < t]
    return sorted(rows, key=lambda r: (r[0].issued or r[0].created, r[0].num))


def qbo_preamble(title: str, period: str, width: int) -> list[str]:
    pad = "," * (width - 1)
    return [csv_line([BUSINESS]) + pad, title + pad, csv_line([period]) + pad, ""]


def qbo_footer(run: datetime, width: int) -> list[str]:
    # Measured: the Invoice List and Transaction List footers carry no basis, just a leading space.
    stamp = " " + run.strftime("%A, %B ") + str(run.day) + run.strftime(", %Y %I:%M %p") + " GMT-05:00"
    return ["", "", "", csv_line([stamp]) + "," * (width - 1)]


def qbo_period(run: datetime) -> str:
    return f"May 1-{run.strftime('%B')} {run.day}, {run.year}"


def render_qbo_invoices(opps: list[Opp], others: list[Inv], snap: Snapshot) -> bytes:
    t = snap.as_of
    lines = qbo_preamble("Invoice List by Date", qbo_period(snap.qbo_invoices_run), 8)
    lines.append(",".join(QBO_INVOICE_COLUMNS))
    total = open_total = 0
    for inv, o in qbo_invoices(opps, others, t):
        on = inv.issued or inv.created
        open_ = inv.cents - qbo_paid(inv, t)
        total += inv.cents
        open_total += open_
        memo = inv.memo.format(job=o.job_no if o else "")
        lines.append(csv_line([qbo_date(on), "Invoice", inv.num, inv.qbo_name, memo, qbo_date(on + inv.terms * DAY),
                               cents_sep(inv.cents), cents_sep(open_)]))
    lines.append(csv_line(["TOTAL", "", "", "", "", "", "$" + cents_sep(total), "$" + cents_sep(open_total)]))
    lines += qbo_footer(snap.qbo_invoices_run, 8)
    return join(lines, "\r\n")


def bank_side(opps: list[Opp], others: list[Inv], rng_seed: int, end: date) -> list[tuple[date, int, list[str]]]:
    """QuickBooks rows of the Transaction List (filtered to Checking and Undeposited Funds): payments,
    the weekly bank deposit of Undeposited Funds, and expenses paid from Checking."""
    rows: list[tuple[date, int, list[str]]] = []
    undeposited: dict[date, int] = defaultdict(int)
    invs = [(i, o) for o in opps for i in o.invs]
    for inv, o in invs:
        for p in inv.pays:
            if not p.qbo or p.on >= end:
                continue
            account = "Checking" if p.method == "ACH" else "Undeposited Funds"
            if account == "Undeposited Funds":
                friday = p.on + (4 - p.on.weekday()) * DAY
                while not is_biz(friday):
                    friday -= DAY
                undeposited[friday] += p.cents
            memo = p.memo.format(inv=inv.num)
            rows.append((p.on, 0, [qbo_date(p.on), "Payment", p.check_no, "Yes", inv.qbo_name, memo, account,
                                   "Accounts Receivable (A/R)", cents_sep(p.cents)]))
    for friday, cents in undeposited.items():
        if friday < end:
            rows.append((friday, 1, [qbo_date(friday), "Deposit", "", "Yes", "", "", "Checking", "Undeposited Funds",
                                     cents_sep(cents)]))
    rng = random.Random(rng_seed)
    vendors = (("Beacon Roofing Supply", "Job Materials"), ("Hammond Lumber", "Job Materials"),
               ("Home Depot", "Job Materials"), ("Irving Oil", "Fuel"), ("ecomaine", "Dump Fees"),
               ("Lowe's", "Job Materials"))
    monday = START + (7 - START.weekday()) % 7 * DAY
    while monday < end:
        for _ in range(rng.choice((1, 1, 2))):
            on = pick_biz(rng, monday, monday + 4 * DAY)
            vendor, split = rng.choice(vendors)
            amount = rng.randint(60_00, 3_800_00) if split == "Job Materials" else rng.randint(45_00, 420_00)
            if on < end:
                rows.append((on, 2, [qbo_date(on), "Expense", "", "Yes", vendor, "", "Checking", split,
                                     cents_sep(-amount)]))
        monday += 7 * DAY
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def render_qbo_txns(opps: list[Opp], others: list[Inv], snap: Snapshot) -> bytes:
    end = snap.qbo_txn_run.date()
    lines = qbo_preamble("Transaction List by Date", qbo_period(snap.qbo_txn_run), 9)
    lines.append(",".join(QBO_TXN_COLUMNS))
    total = 0
    for _, _, row in bank_side(opps, others, SEED + 7, end):
        lines.append(csv_line(row))
        total += int(row[-1].replace(",", "").replace(".", ""))
    lines.append(csv_line(["TOTAL", "", "", "", "", "", "", "", ("-$" if total < 0 else "$") + cents_sep(abs(total))]))
    lines += qbo_footer(snap.qbo_txn_run, 9)
    return join(lines, "\r\n")


def jobber_invoices(o: Opp, t: date) -> list[Inv]:
    return [i for i in o.invs if i.kind == "final" and i.created < t]


def jobber_balance(inv: Inv, t: date) -> int:
    return inv.cents - inv.deposit_applied - sum(p.cents for p in inv.pays if p.jobber and p.on < t)


def jobber_status(inv: Inv, t: date) -> str:
    if inv.issued is None or inv.issued >= t:
        return "Draft"
    if jobber_balance(inv, t) <= 0:
        return "Paid"
    return "Past Due" if inv.issued + inv.terms * DAY < t else "Awaiting Payment"


def job_state(o: Opp, t: date) -> str:
    if o.cancelled_on and o.cancelled_on < t:
        return "cancelled"
    if o.closed and o.closed < t:
        return "completed"
    if o.sched_on and o.sched_on < t:
        return "scheduled"
    return "unscheduled"


def render_jobs(opps: list[Opp], t: date) -> bytes:
    lines = [",".join(JOBBER_JOB_COLUMNS)]
    dup_of = None
    jobs = sorted((o for o in opps if o.job_on and o.job_on < t), key=lambda o: o.job_no)
    for o in jobs:
        c = o.client
        state = job_state(o, t)
        bill = c.billing or (c.street, c.city, c.province, c.zip)
        cancelled = state == "cancelled"
        value = 0 if cancelled else o.value
        worked = 0
        if state == "completed":
            worked = o.days
        elif state == "scheduled" and o.start and o.start < t:
            worked = min(o.days, (t - o.start).days)
        crew_size = 2 if "," not in o.crew else 4
        minutes = worked * crew_size * 8 * 60 + (worked and (o.value // 100) % 7 * 15)
        labour = minutes * 42_00 // 60
        items_cost = 0 if cancelled else int(o.value * o.cost_ratio)
        expenses = o.expenses if state == "completed" else 0
        costs = labour + items_cost + expenses
        profit = value - costs
        pct = f"{profit * 100 / value:.1f}" if value else "0.0"
        invoices = ", ".join(i.num for i in jobber_invoices(o, t)) if not cancelled else ""
        closed = o.cancelled_on if cancelled else (o.closed if state == "completed" else None)
        start = o.start if state in ("scheduled", "completed") else None
        salesperson = o.owner if o.salesperson is None else o.salesperson
        row = [
            str(o.job_no), c.name, o.lead_source, c.email, c.phone, bill[0], bill[1], bill[2], bill[3],
            c.property_name, c.street, c.city, c.province, c.zip, o.title, jobber_date(o.job_on),
            jobber_date(start), jobber_date(closed), salesperson, "" if cancelled else KIND[o.kind].items,
            o.crew if start else "", invoices, str(o.quote_no) if o.quote_no else "",
            "Yes" if o.online_booking else "No", cents_plain(expenses), f"{minutes // 60}h {minutes % 60}m",
            cents_plain(labour), cents_plain(items_cost), cents_plain(costs),
            cents_plain(0 if cancelled else o.discount), cents_plain(value), cents_plain(profit), pct,
            *(("", "", "", "") if cancelled else o.custom),
        ]
        lines.append(csv_line(row))
        if dup_of is None and state == "completed" and o.key.startswith("bg") and o.job_no % 10 == 7:
            # Jobber's jobs export repeats a row now and then (vendor-formats 7A).
            lines.append(csv_line(row))
            dup_of = o.job_no
    lines.append("," * (len(JOBBER_JOB_COLUMNS) - 1))  # and ends with a fully blank row
    return join(lines, "\n")


def render_jobber_invoices(opps: list[Opp], t: date) -> bytes:
    lines = [",".join(JOBBER_INVOICE_COLUMNS)]
    rows = [(i, o) for o in opps if job_state(o, t) != "cancelled" for i in jobber_invoices(o, t)]
    for inv, o in sorted(rows, key=lambda r: int(r[0].num)):
        c = o.client
        status = jobber_status(inv, t)
        issued = None if status == "Draft" else inv.issued
        lines.append(csv_line([
            inv.num, c.name, c.email, c.phone, c.street or "-", c.city or "-", c.province, c.zip,
            jobber_date(issued), jobber_date(issued + inv.terms * DAY if issued else None), str(o.job_no), status,
            cents_float(inv.cents), cents_float(jobber_balance(inv, t)),
        ]))
    return b"\xef\xbb\xbf" + join(lines, "\n")


def render_jobber_txns(opps: list[Opp], t: date) -> bytes:
    rows: list[tuple[date, int, list[str]]] = []
    for o in opps:
        c = o.client
        if o.jdeposit and o.jdeposit.on < t:
            p = o.jdeposit
            rows.append((p.on, 2, [c.name, p.on.isoformat(), "Deposit", cents_sep(-p.cents), "",
                                   f"Payment applied to Estimate #{o.quote_no}", "", "", p.method, p.txn_id, "", "",
                                   "", c.zip, cents_sep(-p.cents), ""]))
        for inv in jobber_invoices(o, t):
            if jobber_status(inv, t) == "Draft":
                continue
            rows.append((inv.issued, 0, [c.name, inv.issued.isoformat(), "Invoice", cents_sep(inv.cents), "", "", "",  # type: ignore[union-attr]
                                         inv.num, "", "", "", "", str(o.job_no), c.zip, cents_sep(inv.cents), ""]))
            for p in inv.pays:
                if p.jobber and p.on < t:
                    rows.append((p.on, 1, [c.name, p.on.isoformat(), "Payment", cents_sep(-p.cents), "",
                                           f"Payment applied to Invoice #{inv.num}", p.check_no, inv.num, p.method,
                                           p.txn_id, "", "", str(o.job_no), c.zip, cents_sep(-p.cents), ""]))
    rows.sort(key=lambda r: (r[0], r[1], r[2][7], r[2][0]), reverse=True)
    total = sum(int(r[2][3].replace(",", "").replace(".", "")) for r in rows)
    lines = ["Totals", "", f"Total Transactions,{len(rows)}", csv_line(["Total Transaction Value", cents_sep(total)]), "",
             ",".join(JOBBER_TXN_COLUMNS)]
    lines += [csv_line(r[2], quote_empty=True) for r in rows]
    return join(lines, "\n")


# --------------------------------------------------------------------------- config, story, README


def render_config(snap: Snapshot) -> bytes:
    return f"""# driftcheck settings for the Harbor & Pine Renovations demo exports.
# A driftcheck.toml in a scanned folder applies to that folder.

business = "{BUSINESS}"

# The exports were downloaded on the morning of {snap.as_of:%B} {snap.as_of.day}, {snap.as_of.year}: pin the audit date so
# the scan tells the same story on any day it is run.
as_of = "{snap.as_of.isoformat()}"

# A demo: exit 0 whatever it finds. A cron setup keeps the default, so findings fail the run.
fail_on = "never"

# Harbor & Pine added a custom HubSpot stage in August; Marcus moves deals there when the
# deposit clears, instead of to Closed Won. It means the deal is won.
[status_map.hubspot.deal]
"Deposit Received" = "won"
""".encode()


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def resolve(f: Finding, by_key: dict[str, Opp], others: list[Inv]) -> tuple[str, str]:
    if f.target.startswith("@other"):
        inv = others[int(f.target[6:])]
        return f"I-{inv.num}", inv.qbo_name
    if f.target in by_key:
        o = by_key[f.target]
        return job_key(o), f.customer or o.client.name
    return f.target, f.customer


def story_entries(findings: list[Finding], by_key: dict[str, Opp], others: list[Inv], week: int) -> list[dict[str, str]]:
    out = []
    for f in findings:
        if week in f.weeks:
            key, customer = resolve(f, by_key, others)
            since = f.since[week]
            out.append({"rule": f.rule, "job": key, "customer": customer, "since": since.isoformat(),
                        "note": f.note.format(since=since)})
    return out


def render_story(entries: list[dict[str, str]], snap: Snapshot, resolved: list[dict[str, str]] | None, previous: set[tuple[str, str]] | None) -> bytes:
    head = [
        "# The drift planted in these exports: exactly the findings `driftcheck scan` must report",
        "# with the default rules (and the folder's driftcheck.toml), no more and no fewer.",
        "# job: J-<Jobber Job #> | D-<HubSpot Record ID> (deal, no job) | I-<QuickBooks invoice Num>",
        "#      (invoice in no job and no deal) | C-<customer name> | S-<file name>.",
        "# since: the date the rule's clock starts. Written by tools/make_sample.py; do not edit by hand.",
        "",
        f'as_of = "{snap.as_of.isoformat()}"',
        f"business = {toml_str(BUSINESS)}",
        "",
    ]
    for e in entries:
        head.append("[[finding]]")
        head.append(f"rule = {toml_str(e['rule'])}")
        head.append(f"job = {toml_str(e['job'])}")
        if previous is not None:
            head.append(f"status = {toml_str('open' if (e['rule'], e['job']) in previous else 'new')}")
        head.append(f"customer = {toml_str(e['customer'])}")
        head.append(f"since = {toml_str(e['since'])}")
        head.append(f"note = {toml_str(e['note'])}")
        head.append("")
    for r in resolved or []:
        head.append("[[resolved]]")
        head.append(f"rule = {toml_str(r['rule'])}")
        head.append(f"job = {toml_str(r['job'])}")
        head.append(f"customer = {toml_str(r['customer'])}")
        head.append(f"note = {toml_str(r['note'])}")
        head.append("")
    return ("\n".join(head).rstrip("\n") + "\n").encode()


def md_table(entries: list[dict[str, str]], with_status: set[tuple[str, str]] | None = None) -> str:
    rows = ["| rule | job | customer | since | what happened |", "|---|---|---|---|---|"]
    if with_status is not None:
        rows = ["| rule | job | customer | since | status | what happened |", "|---|---|---|---|---|---|"]
    for e in entries:
        cells = [f"`{e['rule']}`", f"`{e['job']}`", e["customer"], e["since"]]
        if with_status is not None:
            cells.append("open" if (e["rule"], e["job"]) in with_status else "**new**")
        cells.append(e["note"])
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def render_readme(w1: list[dict[str, str]], w2: list[dict[str, str]], resolved: list[dict[str, str]], facts: dict) -> bytes:
    prev = {(e["rule"], e["job"]) for e in w1}
    return f"""# Sample exports: Harbor & Pine Renovations

```
driftcheck scan sample_exports/
```

These are the exports of a made-up business, downloaded the way each tool writes them, on the
morning of Friday, November 20, 2026. The folder's `driftcheck.toml` pins that date, so the scan
tells the same story whenever you run it. Every name, address, email (all `example.*`) and phone
(all `555-01xx`) is invented.

## The business

**{BUSINESS}** is a roofing and exterior contractor in Portland, Maine: roofs, siding,
windows, decks, gutters and storm repairs, $800 to $45,000 a job. In May 2026 it moved onto three
tools, and between {facts['first_job']} and {facts['last_job']} it ran {facts['jobs']} jobs through them
({facts['deals']} deals in HubSpot, {facts['qbo_invoices']} invoices in QuickBooks).

| who | does what | in which tool |
|---|---|---|
| Dana Whitlock (owner) | sells the big jobs | HubSpot |
| Marcus Bell, Priya Raman (sales) | run the deals; fill the custom deal property "Jobber Job #" once the job exists | HubSpot |
| Tess Kowalski (office) | turns signed quotes into Jobber jobs, raises the 30% deposit invoice, records payments, sends final invoices | QuickBooks Online, Jobber |
| Luis Ortega, Ben Tran (crew leads) | schedule and run the work, close jobs from the app, sometimes collect a check on site | Jobber |

How money moves: when a contract is signed, Tess converts the Jobber quote into a job and raises a
30% deposit invoice in QuickBooks (memo `Deposit 30% – Job #1042 – Roof replacement`; her own
3000-series numbers). The crew schedules the job once the deposit clears. When the job closes,
Tess sends the final invoice from Jobber for the remaining 70% (Jobber's own 5100-series numbers;
the job's line items plus a "deposit received" credit line). Jobber's QuickBooks sync copies it to
QuickBooks under the same number. Payments are recorded in QuickBooks and marked in Jobber.
Small repairs (under $2,500) take no deposit and are invoiced on completion. Some customers pay
the deposit online on the Jobber quote instead; Jobber applies it to the final invoice.

## What is in the folder

| file | tool | what it is |
|---|---|---|
| `{hubspot_file(WEEKS[1].as_of)}` | HubSpot | Deals view "All deals", exported with labels (not internal values) |
| `{QBO_INVOICE_FILE}` | QuickBooks Online | Invoice List by Date report, May 1 to Nov 20, exported to CSV |
| `{QBO_TXN_FILE}` | QuickBooks Online | Transaction List by Date, filtered to the Checking and Undeposited Funds accounts (payments, bank deposits, expenses) |
| `{JOBBER_JOBS_FILE}` | Jobber | Jobs export (full form, four custom job fields) |
| `{JOBBER_INVOICES_FILE}` | Jobber | Invoices export |
| `{JOBBER_TXN_FILE}` | Jobber | Transaction List export (invoices issued, payments, quote deposits) |
| `driftcheck.toml` | | business name, pinned audit date, `fail_on = "never"`, and the custom stage mapping |
| `story.toml` | | the planted findings, machine-readable (the end-to-end tests assert the scan reports exactly these) |

## What went wrong (planted drift, as of Nov 20)

{md_table(w1)}

Everything else is meant to be clean: {facts['clean']} of the {facts['units']} jobs the scan should
build have no finding.

## The messiness a reader has to cope with (none of it is drift)

- **Names differ by tool.** Jobber "Harold Wentworth" is "Wentworth, Harold" in QuickBooks and the deal
  "{facts['wentworth_deal']}" with contact "{facts['wentworth_contact']}" in HubSpot. Jobber
  "{facts['nick'][0]}" is "{facts['nick'][1]}" in HubSpot (and Jobber "Bob Chen" is HubSpot "Robert Chen"); some
  emails differ in capitalisation; {facts['no_email']} customers have no email in Jobber, {facts['hs_no_email']} none in HubSpot.
  Phones are typed five ways in Jobber.
- **HubSpot associations.** Deals show their contacts in "Associated Contact" as `Name (email)`,
  several joined with `;` (assumed from how HubSpot labels associated records; the contact's email is
  not a deal property). Most deals carry the custom property "Jobber Job #" ({facts['hashref']} typed as
  `#1042`); {facts['noref']} deals with a job do not (filled late or never) and must link by email, name,
  amount and date.
- **The custom stage.** "Deposit Received" is a stage Harbor & Pine added; `driftcheck.toml` maps it to won.
- **A customer with two jobs** (Dorothy Pelletier: a roof in June, gutters in October; the second deal
  has no Jobber Job #) and **a company client**: Baylor Property Mgmt LLC, a property manager with four
  rentals on net-30 terms, whose owner Greg Baylor is also a private customer with his own email and phone.
  QuickBooks has the company twice, "Baylor Property Management LLC" (typed by Tess, deposit
  invoices) and "Baylor Property Mgmt LLC" (created by Jobber's sync, final invoices); the reports
  carry no email or phone, so that cannot be checked.
- **Deposit invoices without a job number.** Two deposit invoices were raised before the Jobber job
  existed (memo `Deposit 30% – Deck rebuild`): they link by customer name and date only.
- **A partial payment** (Sandra Michaud, memo `Inv … – holding $1,850 until railing fixed`).
- **A cancelled job.** Jobber has no "cancelled" status and its jobs export has no status column at
  all. Joanne Ouellette signed on Aug 27 and cancelled two days later (three-day right to cancel):
  Priya moved the deal to Closed Lost and Tess deleted the job's visits and line items and closed
  it. In `Jobs.csv` it is a job with a **Closed date, $0.00 total revenue, no line items and no
  invoice**. Read that as *cancelled*, not *completed*: otherwise it looks like a finished job
  nobody invoiced and an active job on a lost deal.
- **QuickBooks quirks.** Report preamble and footer lines; `M/D/YYYY` dates; amounts with thousands
  separators in quotes; `$` only on the TOTAL row; CRLF line endings. The Transaction List also
  holds bank **Deposit** rows (moving Undeposited Funds to Checking; not customer deposits) and
  **Expense** rows (suppliers in the Name column): skip both. Payment memos name the invoice
  (`Inv 5123`) about a quarter of the time; the rest match by customer and amount. A payment's Num is
  the customer's check number.
- **Jobber quirks.** The invoices export starts with a UTF-8 byte-order mark, dates read `Nov 20, 2026`,
  money is written like `4830.0`, and a **Draft** invoice has `-` for its issued and due dates. The
  Transaction List starts with a Totals block; payments and deposits are negative, and a deposit
  taken on a quote names only the quote (`Payment applied to Estimate #N`, the job's `Quote #`), not
  the job or invoice. The jobs export repeats one row verbatim and ends with a blank row.

## One week later

`tests/fixtures/sample_week2/` holds the same business on Friday, November 27 (its own
`driftcheck.toml` and `story.toml`), for history tests. Fixed during the week:

{md_table(resolved)}

Still open, and new:

{md_table(w2, with_status=prev)}

## Regenerating

The files are written by `tools/make_sample.py` (fixed seed, byte for byte), which also re-reads
them and checks that the default rules find exactly the story above:

```
python tools/make_sample.py --week2 tests/fixtures/sample_week2
python tools/make_sample.py --check --week2 tests/fixtures/sample_week2   # verify, write nothing
```
""".encode()


def render_week2_readme() -> bytes:
    return f"""# Harbor & Pine Renovations, one week later

The exports of `sample_exports/` as they stood on the morning of Friday, November 27, 2026
(Thanksgiving was the day before). Some drift was fixed during the week, some is still open,
three items are new; `story.toml` lists the findings (`status = "new"` or `"open"`) and the
`[[resolved]]` ones. See `sample_exports/README.md` for the business and the tables.
Written by `tools/make_sample.py`; do not edit by hand.
""".encode()


# --------------------------------------------------------------------------- the self-check


def _read_csv(data: bytes, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def _norm_name(s: str) -> str:
    s = s.strip()
    if "," in s:
        last, _, first = s.partition(",")
        s = f"{first} {last}"
    return " ".join(re.sub(r"[^a-z ]", " ", s.lower()).split())


def _money(s: str) -> int:
    s = s.strip().replace("$", "").replace(",", "")
    if not s or s == "-":
        return 0
    neg = s.startswith("-")
    s = s.lstrip("-")
    whole, _, frac = s.partition(".")
    c = int(whole or 0) * 100 + int((frac + "00")[:2])
    return -c if neg else c


def _qbo_rows(data: bytes) -> list[list[str]]:
    rows = _read_csv(data)
    i = next(n for n, r in enumerate(rows) if r and r[0] == "Date")
    out = []
    for r in rows[i + 1:]:
        if not r or not r[0] or r[0] == "TOTAL":
            break
        out.append(r)
    return out


def _us(s: str) -> date:
    m, dd, y = s.split("/")
    return date(int(y), int(m), int(dd))


def _jd(s: str) -> date | None:
    return None if s in ("-", "") else datetime.strptime(s, "%b %d, %Y").date()


def check_snapshot(files: dict[str, bytes], as_of: date, truth: dict[str, dict[str, str | None]]) -> dict[tuple[str, str], date]:
    """Read the exports back, link them, run the default rules; return {(rule, key): since}."""
    # --- read
    hs = list(csv.DictReader(io.StringIO(files[hubspot_file(as_of)].decode())))
    qi = [dict(zip(QBO_INVOICE_COLUMNS, r)) for r in _qbo_rows(files[QBO_INVOICE_FILE])]
    qt = [dict(zip(QBO_TXN_COLUMNS, r)) for r in _qbo_rows(files[QBO_TXN_FILE])]
    jobs: dict[str, dict[str, str]] = {}
    for r in csv.DictReader(io.StringIO(files[JOBBER_JOBS_FILE].decode())):
        if any(r.values()) and r["Job #"] not in jobs:
            jobs[r["Job #"]] = r
    ji = list(csv.DictReader(io.StringIO(files[JOBBER_INVOICES_FILE].decode("utf-8-sig"))))
    jt_lines = files[JOBBER_TXN_FILE].decode().splitlines()
    jt = list(csv.DictReader(io.StringIO("\n".join(jt_lines[jt_lines.index(",".join(JOBBER_TXN_COLUMNS)):]))))

    # --- job states (cancelled: closed with nothing left to bill)
    state: dict[str, str] = {}
    for n, r in jobs.items():
        closed = _jd(r["Closed date"])
        if closed and _money(r["Total revenue ($)"]) == 0 and not r["Invoice #s"]:
            state[n] = "cancelled"
        elif closed:
            state[n] = "completed"
        elif _jd(r["Schedule start date"]):
            state[n] = "scheduled"
        else:
            state[n] = "unscheduled"

    # --- link: Jobber invoices and transactions
    jinv_job = {r["Invoice #"]: r["Job #s"] for r in ji}
    quote_job = {r["Quote #"]: n for n, r in jobs.items() if r["Quote #"]}
    unit_pay: dict[str, list[date]] = defaultdict(list)
    for r in jt:
        if r["Type"] == "Invoice":
            continue
        job = r["Job #"] or jinv_job.get(r["Invoice #"].split(",")[0].strip(), "")
        if not job:
            m = re.search(r"Estimate #(\d+)", r["Note"])
            job = quote_job[m.group(1)] if m else ""
        assert job, f"Jobber transaction links to nothing: {r}"
        unit_pay[f"J-{job}"].append(date.fromisoformat(r["Date"]))

    # --- link: QuickBooks invoices -> jobs
    qinv_job: dict[str, str | None] = {}
    for r in qi:
        num, memo = r["Num"], r["Memo"]
        if num in jinv_job:
            qinv_job[num] = jinv_job[num]
            continue
        m = re.search(r"Job #(\d+)", memo)
        if m:
            qinv_job[num] = m.group(1)
            continue
        on = _us(r["Date"])
        cands = [n for n, j in jobs.items() if _norm_name(j["Client name"]) == _norm_name(r["Name"])
                 and -7 <= (on - _jd(j["Created date"])).days <= 14]  # type: ignore[operator]
        assert len(cands) <= 1, f"QuickBooks invoice {num} matches several jobs {cands}"
        qinv_job[num] = cands[0] if cands else None
    assert qinv_job == truth["qbo"], f"QuickBooks invoice links differ: {sorted(set(qinv_job.items()) ^ set(truth['qbo'].items()))}"

    # --- link: QuickBooks payments -> invoices
    # by memo ("Inv 5123"), else the one invoice of that customer, dated on or before the payment,
    # whose amount still open at that point equals the payment
    remaining = {r["Num"]: _money(r["Amount"]) for r in qi}
    qpay_inv: list[tuple[str, date]] = []
    for r in sorted((x for x in qt if x["Transaction type"] == "Payment"), key=lambda x: _us(x["Date"])):
        on, amount = _us(r["Date"]), _money(r["Amount"])
        m = re.search(r"\bInv\.? ?#?(\d+)", r["Memo"])
        if m:
            num = m.group(1)
        else:
            cands = [x["Num"] for x in qi if x["Name"] == r["Name"] and remaining[x["Num"]] == amount
                     and _us(x["Date"]) <= on]
            assert len(cands) == 1, f"QuickBooks payment {r} matches {cands}"
            num = cands[0]
        remaining[num] -= amount
        qpay_inv.append((num, on))

    # --- link: deals -> jobs
    by_email: dict[str, list[str]] = defaultdict(list)
    by_name: dict[str, list[str]] = defaultdict(list)
    for n, j in jobs.items():
        if j["Client email"]:
            by_email[j["Client email"].lower()].append(n)
        by_name[_norm_name(j["Client name"])].append(n)
    deal_job: dict[str, str | None] = {}
    ref_claimed = {re.sub(r"\D", "", r["Jobber Job #"]) for r in hs if r["Jobber Job #"]}
    for r in hs:
        rid = r["Record ID"]
        ref = re.sub(r"\D", "", r["Jobber Job #"])
        if ref:
            deal_job[rid] = ref
            continue
        contacts = [re.match(r"(.*?)(?: \((.*)\))?$", c.strip()).groups() for c in r["Associated Contact"].split(";")]  # type: ignore[union-attr]
        cands: list[str] = []
        for name, email in contacts:
            if email:
                cands += by_email.get(email.lower(), [])
        if not cands:
            for name, _ in contacts:
                cands += by_name.get(_norm_name(name), [])
        cands = [n for n in dict.fromkeys(cands) if n not in ref_claimed]
        amount = _money(r["Amount"])
        if len(cands) > 1:
            cands = [n for n in cands if _money(jobs[n]["Total revenue ($)"]) == amount]
        assert len(cands) <= 1, f"deal {rid} matches several jobs {cands}"
        deal_job[rid] = cands[0] if cands else None
    assert deal_job == truth["deal"], f"deal links differ: {sorted(set(deal_job.items()) ^ set(truth['deal'].items()), key=str)}"

    # --- units
    job_deal = {j: rid for rid, j in deal_job.items() if j}
    deals = {r["Record ID"]: r for r in hs}

    def unit_of_qinv(num: str) -> str:
        j = qinv_job[num]
        return f"J-{j}" if j else f"I-{num}"

    unit_invs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in qi:
        unit_invs[unit_of_qinv(r["Num"])].append(r)
    for num, on in qpay_inv:
        unit_pay[unit_of_qinv(num)].append(on)
    units = {f"J-{n}" for n in jobs} | {f"D-{rid}" for rid, j in deal_job.items() if not j} | set(unit_invs)

    def deal_of(u: str) -> dict[str, str] | None:
        if u.startswith("D-"):
            return deals[u[2:]]
        rid = job_deal.get(u[2:]) if u.startswith("J-") else None
        return deals[rid] if rid else None

    def stage_state(stage: str) -> str:
        return {"Closed Won": "won", "Deposit Received": "won", "Closed Lost": "lost"}.get(stage, "open")

    found: dict[tuple[str, str], date] = {}

    def fire(rule: str, key: str, since: date | None, threshold: int | None) -> None:
        assert since is not None, (rule, key)
        age = (as_of - since).days
        if threshold is None or age > threshold:
            found[(rule, key)] = since

    for u in sorted(units):
        job = jobs.get(u[2:]) if u.startswith("J-") else None
        st = state[u[2:]] if job else None
        deal = deal_of(u)
        dstate = stage_state(deal["Deal Stage"]) if deal else None
        dclose = date.fromisoformat(deal["Close Date"]) if deal and deal["Close Date"] else None
        invs = unit_invs.get(u, [])
        invoiced = sum(_money(r["Amount"]) for r in invs)
        open_ = sum(_money(r["Open balance"]) for r in invs)
        pays = sorted(unit_pay.get(u, []))
        value = _money(job["Total revenue ($)"]) if job else (_money(deal["Amount"]) if deal else 0)
        if dstate == "won" and not invs and st != "cancelled":
            fire("won-not-invoiced", u, dclose, 7)
        if pays and st in (None, "unscheduled"):
            fire("paid-not-scheduled", u, pays[0], 3)
        if st == "scheduled":
            fire("schedule-passed-not-complete", u, _jd(job["Schedule start date"]), 3)  # type: ignore[index]
        short = value - invoiced
        fully = not (short > value * 2 / 100 and short > 50_00)
        if st == "completed" and (invoiced == 0 or not fully):
            fire("complete-not-invoiced", u, _jd(job["Closed date"]), 3)  # type: ignore[index]
        if dstate == "open" and invoiced > 0 and open_ == 0:
            fire("paid-crm-open", u, pays[-1] if pays else None, 7)
        if dstate == "lost" and ((job and st != "cancelled") or invs or pays):
            fire("lost-but-active", u, dclose, None)
        if st == "completed" and invoiced and fully and deal and deal["Amount"]:
            diff = abs(_money(deal["Amount"]) - invoiced)
            if diff > invoiced * 2 / 100 and diff > 50_00:
                fire("amount-mismatch", u, max(_us(r["Date"]) for r in invs), None)
        if u.startswith("I-"):
            fire("orphan-invoice", u, _us(invs[0]["Date"]), 7)
        if job and not deal:
            fire("orphan-job", u, _jd(job["Created date"]), 7)
    for r in qi:
        if _money(r["Open balance"]) > 0 and (as_of - _us(r["Due date"])).days > 14:
            fire("invoice-overdue", unit_of_qinv(r["Num"]), _us(r["Due date"]), 14)
    qopen = {r["Num"]: _money(r["Open balance"]) for r in qi}
    for r in ji:
        if r["Status"] == "Draft":
            since = _jd(r["Issued date"]) or _jd(jobs[r["Job #s"]]["Closed date"])
            fire("invoice-not-sent", f"J-{r['Job #s']}", since, 2)
        if r["Status"] == "Paid" and qopen.get(r["Invoice #"], 0) > 0:
            paid_on = max(date.fromisoformat(t["Date"]) for t in jt if t["Invoice #"] == r["Invoice #"] and t["Type"] == "Payment")
            fire("status-conflict", f"J-{r['Job #s']}", paid_on, None)
        assert not (r["Invoice #"] in qopen and qopen[r["Invoice #"]] == 0 and r["Status"] in ("Past Due", "Awaiting Payment")), r
    # duplicate-customer: one email or phone under two names in Jobber
    first_seen: dict[str, date] = {}
    groups: dict[str, set[str]] = defaultdict(set)
    for n, j in jobs.items():
        name = j["Client name"]
        created = _jd(j["Created date"])
        first_seen[name] = min(first_seen.get(name, created), created)  # type: ignore[type-var, arg-type]
        if j["Client email"]:
            groups["e:" + j["Client email"].lower()].add(name)
        if j["Client phone"]:
            groups["p:" + re.sub(r"\D", "", j["Client phone"])[-10:]].add(name)
    for names in groups.values():
        if len(names) > 1:
            ordered = sorted(names, key=lambda x: (first_seen[x], x))
            fire("duplicate-customer", f"C-{ordered[0]}", first_seen[ordered[-1]], None)
            # the same person's invoices, synced to QuickBooks by number: under two QuickBooks names too?
            nums = {r["Invoice #"] for r in ji if r["Client name"] in names}
            qbo_names = {r["Name"] for r in qi if r["Num"] in nums}
            if len(qbo_names) > 1:
                qbo_first: dict[str, date] = {}
                for r in qi + [t for t in qt if t["Transaction type"] == "Payment"]:
                    if r["Name"] in qbo_names:
                        when = _us(r["Date"])
                        qbo_first[r["Name"]] = min(qbo_first.get(r["Name"], when), when)
                q_ordered = sorted(qbo_names, key=lambda x: (qbo_first[x], x))
                fire("duplicate-customer", f"C-{q_ordered[0]}", qbo_first[q_ordered[-1]], None)
    # stale-source
    newest = {
        hubspot_file(as_of): max(date.fromisoformat(r["Create Date"][:10]) for r in hs),
        QBO_INVOICE_FILE: max(_us(r["Date"]) for r in qi),
        QBO_TXN_FILE: max(_us(r["Date"]) for r in qt),
        JOBBER_JOBS_FILE: max(_jd(j["Created date"]) for j in jobs.values()),  # type: ignore[type-var]
        JOBBER_INVOICES_FILE: max(_jd(r["Issued date"]) for r in ji if _jd(r["Issued date"])),  # type: ignore[type-var]
        JOBBER_TXN_FILE: max(date.fromisoformat(r["Date"]) for r in jt),
    }
    for name, when in newest.items():
        fire("stale-source", f"S-{name}", when, 7)
    return found


# --------------------------------------------------------------------------- orchestration


def build() -> tuple[list[Opp], list[Inv], list[Finding], dict[tuple[str, str], int], dict[str, int]]:
    rng = random.Random(SEED)
    people = People(random.Random(SEED + 1))
    people.reserve("Portside Marina")
    opps, others, findings = planted(random.Random(SEED + 2), people)
    opps += background(rng, people, 172)
    hs_rng = random.Random(SEED + 3)
    for o in opps:
        o.deal_title = deal_name(hs_rng, o.client, o.kind)
    number(opps, others, random.Random(SEED + 4))
    # "#1042" typed into the property on a few deals
    for o in [o for o in opps if o.ref_on and o.key.startswith("bg")][5:40:13]:
        o.ref_style = "#"
    contact_ids: dict[tuple[str, str], int] = {}
    company_ids: dict[str, int] = {}
    cid = 101_004_551
    for o in sorted((o for o in opps if o.has_deal), key=lambda o: o.record_id):
        for c in o.client.contacts:
            if c not in contact_ids:
                cid += hs_rng.randint(40, 3_900)
                contact_ids[c] = cid
        if o.client.company and o.client.company not in company_ids:
            company_ids[o.client.company] = 18_733_402_551
    return opps, others, findings, contact_ids, company_ids


def truth_at(opps: list[Opp], others: list[Inv], t: date) -> dict[str, dict[str, str | None]]:
    deal = {}
    for o in opps:
        if o.has_deal and o.created_at and o.created_at.date() < t and stage_at(o, t):
            deal[str(o.record_id)] = str(o.job_no) if (o.job_no and o.job_on and o.job_on < t) else None
    qbo = {i.num: (str(o.job_no) if o else None) for i, o in qbo_invoices(opps, others, t)}
    return {"deal": deal, "qbo": qbo}


def render_week(opps: list[Opp], others: list[Inv], snap: Snapshot, contact_ids: dict, company_ids: dict) -> dict[str, bytes]:
    t = snap.as_of
    return {
        hubspot_file(t): render_hubspot(opps, contact_ids, company_ids, t),
        QBO_INVOICE_FILE: render_qbo_invoices(opps, others, snap),
        QBO_TXN_FILE: render_qbo_txns(opps, others, snap),
        JOBBER_JOBS_FILE: render_jobs(opps, t),
        JOBBER_INVOICES_FILE: render_jobber_invoices(opps, t),
        JOBBER_TXN_FILE: render_jobber_txns(opps, t),
        "driftcheck.toml": render_config(snap),
    }


def generate() -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Both snapshots, checked: (sample_exports files, week-2 files)."""
    opps, others, findings, contact_ids, company_ids = build()
    by_key = {o.key: o for o in opps}
    for f in findings:
        if f.rule == "stale-source":
            # The stale export's clock starts at its newest row, whatever kind of row that is.
            end = WEEKS[1].qbo_txn_run.date()
            f.since = {w: max(r[0] for r in bank_side(opps, others, SEED + 7, end)) for w in f.weeks}
    out: dict[int, dict[str, bytes]] = {}
    entries: dict[int, list[dict[str, str]]] = {}
    for week, snap in WEEKS.items():
        files = render_week(opps, others, snap, contact_ids, company_ids)
        found = check_snapshot(files, snap.as_of, truth_at(opps, others, snap.as_of))
        entries[week] = story_entries(findings, by_key, others, week)
        expected = {(e["rule"], e["job"]): date.fromisoformat(e["since"]) for e in entries[week]}
        if found != expected:
            extra = {k: v for k, v in found.items() if expected.get(k) != v}
            missing = {k: v for k, v in expected.items() if found.get(k) != v}
            raise SystemExit(f"week {week}: the data does not tell the story.\n  found, not planted: {extra}\n"
                             f"  planted, not found: {missing}")
        out[week] = files
    prev = {(e["rule"], e["job"]) for e in entries[1]}
    now = {(e["rule"], e["job"]) for e in entries[2]}
    resolved = [dict(e) for e in entries[1] if (e["rule"], e["job"]) not in now]
    fixes = {
        "overdue": "Paid Nov 23.", "pns_qbo": "Scheduled Nov 23 for Dec 2.",
        "pns_jobber": "Scheduled, done Nov 24, invoiced and paid.", "lost_booked": "Tess cancelled the job Nov 23 (closed, $0, visits removed).",
        "draft": "Final invoice sent Nov 23; it synced to QuickBooks.", "orphan_job_new": "Marcus opened a deal with the Jobber Job # on Nov 24.",
    }
    for r in resolved:
        key = next((f.target for f in findings if (f.rule, resolve(f, by_key, others)[0]) == (r["rule"], r["job"])), "")
        r["note"] = fixes.get(key, "Transaction List re-run on Nov 27." if r["rule"] == "stale-source" else "Fixed.")
    w1_units = len({job_key(o) for o in opps if o.job_on and o.job_on < WEEKS[1].as_of}
                   | {job_key(o) for o in opps if o.has_deal and o.created_at and o.created_at.date() < WEEKS[1].as_of}) + 1
    qbo1 = len(qbo_invoices(opps, others, WEEKS[1].as_of))
    noref = [o for o in opps if o.job_on and o.has_deal and o.job_on < WEEKS[1].as_of and not (o.ref_on and o.ref_on < WEEKS[1].as_of)]
    job_days = sorted(o.job_on for o in opps if o.job_on and o.job_on < WEEKS[1].as_of)
    facts = {
        "first_job": f"{job_days[0]:%B} {job_days[0].day}",
        "last_job": f"{job_days[-1]:%B} {job_days[-1].day}",
        "jobs": str(sum(1 for o in opps if o.job_on and o.job_on < WEEKS[1].as_of)),
        "deals": str(sum(1 for o in opps if o.has_deal and o.created_at and o.created_at.date() < WEEKS[1].as_of and stage_at(o, WEEKS[1].as_of))),
        "qbo_invoices": str(qbo1),
        "units": str(w1_units),
        "clean": str(w1_units - len({e["job"] for e in entries[1] if e["job"][:2] in ("J-", "D-", "I-")})),
        "noref": str(len(noref)),
        "hashref": str(sum(1 for o in opps if o.ref_style and o.ref_on and o.ref_on < WEEKS[1].as_of)),
        "nick": next((o.client.name, n) for o in opps if o.key.startswith("bg") and o.job_on
                     for n, _ in o.client.contacts if n != o.client.name),  # type: ignore[dict-item]
        "no_email": str(len({o.client.name for o in opps if o.job_on and o.job_on < WEEKS[1].as_of and not o.client.email})),
        "hs_no_email": str(len({o.client.contacts for o in opps if o.has_deal and o.created_at
                                and o.created_at.date() < WEEKS[1].as_of and any(not e for _, e in o.client.contacts)})),
        "wentworth_deal": by_key["memo_noref_a"].deal_title,
        "wentworth_contact": "".join(f"{n} ({e})" if e else n for n, e in by_key["memo_noref_a"].client.contacts),
    }
    out[1]["story.toml"] = render_story(entries[1], WEEKS[1], None, None)
    out[1]["README.md"] = render_readme(entries[1], entries[2], resolved, facts)
    out[2]["story.toml"] = render_story(entries[2], WEEKS[2], resolved, prev)
    out[2]["README.md"] = render_week2_readme()
    return out[1], out[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="sample_exports", type=Path, help="folder for the Nov 20 exports (default: sample_exports)")
    ap.add_argument("--week2", type=Path, help="also write the Nov 27 snapshot to this folder")
    ap.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing; exit 1 on a difference")
    args = ap.parse_args(argv)
    week1, week2 = generate()
    targets = [(args.out, week1)] + ([(args.week2, week2)] if args.week2 else [])
    differ = []
    for folder, files in targets:
        for name, data in files.items():
            path = folder / name
            if args.check:
                if not path.exists() or path.read_bytes() != data:
                    differ.append(str(path))
            else:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    if args.check:
        if differ:
            print("out of date: " + ", ".join(differ), file=sys.stderr)
            return 1
        print("sample exports are up to date")
    else:
        print(f"wrote {sum(len(f) for _, f in targets)} files; the data tells the story")
    return 0


if __name__ == "__main__":
    sys.exit(main())
