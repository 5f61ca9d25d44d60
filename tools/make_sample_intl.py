#!/usr/bin/env python3
"""Write the Thornbury Build & Joinery demo exports (Pipedrive, Xero, Jobber; UK), byte for byte.

This module owns ``sample_exports/intl/``: the second bundled business, the one the
README's consultant walkthrough runs on (``driftcheck discover`` -> ``driftcheck init`` ->
edit one mapping -> ``driftcheck scan``). Like ``tools/make_sample.py`` it simulates a
business as dated events and renders what each tool's export shows on the audit morning
(Friday 13 November 2026), then checks that the data tells exactly its story.

What makes this business different from the main sample:

* **Pipedrive** with a custom pipeline ("Enquiry", "Site Survey", "Quote Sent",
  "Deposit Paid", "Booked In", "Job Complete"). Deals stay *Open* while they move through
  the stages and are marked **Won only once the customer has paid in full**: in this
  business "Won" means paid. en-GB export: ``DD/MM/YYYY HH:MM`` dates, ``12,500.00`` values.
* **Xero** ``SalesInvoices.csv`` (44 columns, one row per invoice line, ``DD/MM/YYYY``):
  Jobber's Xero integration copies each Jobber invoice under the same number, with the job
  number in ``Reference``; the bookkeeper reconciles bank transfers in Xero.
* **Jobber** jobs, invoices (UTF-8 BOM) and transaction list, ``Mon DD, YYYY`` dates
  whatever the account's locale. Deposits (25% on jobs from £1,500) are taken online
  on the Jobber quote; bank transfers are marked paid in Jobber days after Xero has them.
* Extensions and loft conversions take three to four weeks on site, so the default
  three days of ``schedule-passed-not-complete`` flags normal work here: ``driftcheck
  init`` raises it from the business's own timing.

The planted drift is in :func:`planted`; ``story.toml`` lists the findings a zero-config
scan must report (``normal = true`` marks the long jobs ``init``'s threshold calls normal)
and, under ``[[after_edit]]``, the one finding the walkthrough's edited mapping
(``"Won" = "paid"``) adds.

The self-check runs driftcheck's own scan on the written files (zero-config, and with the
walkthrough's mapping) and fails unless the findings equal the story exactly.

Usage::

    python tools/make_sample_intl.py            # writes sample_exports/intl/
    python tools/make_sample_intl.py --check    # compare with the files on disk, write nothing

Deterministic: fixed seeds, no clock, no set ordering in output.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

SEED = 20261113
BUSINESS = "Thornbury Build & Joinery Ltd"
AS_OF = date(2026, 11, 13)  # Friday; the exports were downloaded that morning
START = date(2026, 6, 1)  # the business moved onto Pipedrive + Xero + Jobber in June
DAY = timedelta(days=1)
DEPOSIT_FROM = 1_500_00  # pence: jobs from £1,500 take a 25% deposit on the quote
TERMS = 14  # days

OWEN, KWAME = "Owen Pryce", "Kwame Asante"
CREWS = ("Dylan Hughes", "Rhys Morgan")

STAGES = ("Enquiry", "Site Survey", "Quote Sent", "Deposit Paid", "Booked In", "Job Complete")

PIPEDRIVE_COLUMNS = (
    "Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency of value", "Deal - Status", "Deal - Stage",
    "Deal - Pipeline", "Deal - Owner", "Deal - Deal created", "Deal - Update time", "Deal - Won time",
    "Deal - Lost time", "Deal - Lost reason", "Deal - Expected close date", "Deal - Organization",
    "Deal - Contact person", "Person - Email", "Person - Phone", "Deal - Jobber Job #",
)
XERO_COLUMNS = (
    "ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "SAAddressLine1", "SAAddressLine2", "SAAddressLine3",
    "SAAddressLine4", "SACity", "SARegion", "SAPostalCode", "SACountry", "InvoiceNumber", "Reference",
    "InvoiceDate", "DueDate", "PlannedDate", "Total", "TaxTotal", "InvoiceAmountPaid", "InvoiceAmountDue",
    "InventoryItemCode", "Description", "Quantity", "UnitAmount", "Discount", "LineAmount", "AccountCode",
    "TaxType", "TaxAmount", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
    "Type", "Sent", "Status",
)
JOBBER_JOB_COLUMNS = (
    "Job #", "Client name", "Lead source", "Client email", "Client phone", "Billing street", "Billing city",
    "Billing province", "Billing ZIP", "Service property name", "Service street", "Service city",
    "Service province", "Service ZIP", "Title", "Created date", "Schedule start date", "Closed date",
    "Salesperson", "Line items", "Visits assigned to", "Invoice #s", "Quote #", "Online booking",
    "Expenses total ($)", "Time tracked", "Labour cost total ($)", "Line item cost total ($)", "Total costs ($)",
    "Quote discount ($)", "Total revenue ($)", "Profit ($)", "Profit %", "Building control ref",
)
JOBBER_INVOICE_COLUMNS = (
    "Invoice #", "Client name", "Client email", "Client phone", "Service street", "Service city",
    "Service province", "Service ZIP", "Issued date", "Due date", "Job #s", "Status", "Total ($)", "Balance ($)",
)
JOBBER_TXN_COLUMNS = (
    "Client name", "Date", "Type", "Total $", "Tip $", "Note", "Cheque #", "Invoice #", "Method",
    "Transaction ID", "Transaction #", "Confirmation #", "Job #", "Postal code", "Paid - Tax $", "Refunded on",
)
PIPEDRIVE_FILE = "pipedrive-deals-2026-11-13.csv"
XERO_FILE = "SalesInvoices.csv"
JOBS_FILE, INVOICES_FILE, TXN_FILE = "Jobs.csv", "Invoices.csv", "Transaction List.csv"


# one shape of "a kind of work" for both demo generators (prices here are in pounds)
from make_sample import Kind  # noqa: E402  (tools/ is on sys.path: both run as scripts)

KINDS = (
    Kind("Door fitting", 450, 1_200, (1, 1), 0.10, "Internal doors, Ironmongery, Fitting"),
    Kind("Sash window repair", 600, 1_400, (1, 2), 0.10, "Sash cords, Draught proofing, Redecoration"),
    Kind("Flooring", 1_600, 4_000, (2, 3), 0.10, "Engineered oak, Underlay, Skirting"),
    Kind("Fitted wardrobes", 1_800, 6_000, (2, 4), 0.12, "Carcasses, Doors, Installation"),
    Kind("Bathroom refit", 4_500, 11_000, (6, 10), 0.14, "Strip out, Plumbing first fix, Tiling, Sanitaryware"),
    Kind("Kitchen fitting", 6_000, 18_000, (6, 12), 0.14, "Units, Worktops, Plumbing, Electrics, Tiling"),
    Kind("Garden room", 12_000, 24_000, (9, 14), 0.10, "Groundworks, Timber frame, Cladding, Electrics"),
    Kind("Single-storey extension", 28_000, 65_000, (18, 30), 0.11, "Groundworks, Blockwork, Roof, Steelwork, Finishes"),
    Kind("Loft conversion", 32_000, 55_000, (20, 30), 0.09, "Steelwork, Dormer, Insulation, Staircase, Finishes"),
)
KIND = {k.name: k for k in KINDS}

FIRST = (
    "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Freya", "Jack", "Ivy", "Noah", "Florence", "Arthur",
    "Poppy", "Leo", "Rosie", "Alfie", "Evie", "Theo", "Millie", "Oscar", "Grace", "Finley", "Elsie", "Henry",
    "Chloe", "Archie", "Matilda", "Reuben", "Ffion", "Callum", "Niamh", "Tariq", "Priya", "Joseph", "Hannah",
    "Samuel", "Megan", "Dafydd", "Zara", "Lewis", "Imogen", "Rohan", "Bethan", "Ciaran", "Lucy", "Kofi",
)
LAST = (
    "Ashworth", "Bennett", "Carver", "Davies", "Ellison", "Fairclough", "Gough", "Hartley", "Iqbal", "Jenkins",
    "Kershaw", "Lloyd", "Merriman", "Nwosu", "Okafor", "Pritchard", "Quinlan", "Rees", "Sandhu", "Thackeray",
    "Underwood", "Vaughan", "Whitlock", "Yeo", "Abbott", "Blackmore", "Cartwright", "Dunmore", "Evans",
    "Fenwick", "Griffiths", "Holloway", "Ingram", "Jowett", "Kavanagh", "Lister", "Marchetti", "Northcott",
    "Osei", "Penhaligon", "Radley", "Sheridan", "Tolley", "Upton", "Venables", "Wainwright", "Yardley",
)
STREETS = (
    "Gloucester Rd", "Cotham Hill", "Whiteladies Rd", "North Rd", "Coronation Rd", "Church Rd", "Redland Grove",
    "Ashley Down Rd", "Sefton Park Rd", "Cranbrook Rd", "Chesterfield Rd", "Wells Rd", "St Johns Lane",
    "Brynland Ave", "Kellaway Ave", "Filton Ave", "Stackpool Rd", "Greenbank Rd", "Belmont Rd", "Zetland Rd",
)
AREAS = (("Bristol", "BS6"), ("Bristol", "BS7"), ("Bristol", "BS3"), ("Bristol", "BS5"), ("Bristol", "BS4"),
         ("Bristol", "BS8"), ("Keynsham", "BS31"), ("Portishead", "BS20"))
LEAD_SOURCES = ("Google", "Google", "Referral", "Referral", "Checkatrade", "Website", "Instagram", "")
LOST_REASONS = ("Went with another builder", "Too expensive", "No response", "Project postponed")


# --------------------------------------------------------------------------- formats


def money(p: int) -> str:
    """Pence as ``1234.50``."""
    sign = "-" if p < 0 else ""
    return f"{sign}{abs(p) // 100}.{abs(p) % 100:02d}"


def money_sep(p: int) -> str:
    """Pence as ``1,234.50`` (Pipedrive en-GB values, Jobber transactions)."""
    sign = "-" if p < 0 else ""
    return f"{sign}{abs(p) // 100:,}.{abs(p) % 100:02d}"


def money_float(p: int) -> str:
    """Jobber's invoice export writes money like floats: ``210.0``, ``52.5``."""
    s = money(p)
    return s[:-1] if s.endswith("0") else s


def uk_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def uk_datetime(d: datetime | None) -> str:
    return d.strftime("%d/%m/%Y %H:%M") if d else ""


def jobber_date(d: date | None) -> str:
    return d.strftime("%b %d, %Y") if d else "-"


def csv_line(values: list[str], *, quote_empty: bool = False) -> str:
    out = []
    for v in values:
        if (quote_empty and v == "") or any(ch in v for ch in ',"\n\r'):
            out.append('"' + v.replace('"', '""') + '"')
        else:
            out.append(v)
    return ",".join(out)


def join(lines: list[str], eol: str = "\n") -> bytes:
    return (eol.join(lines) + eol).encode("utf-8")


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------- the model


@dataclass
class Client:
    name: str
    email: str
    phone: str
    street: str
    city: str
    postcode: str
    company: str = ""


@dataclass
class Opp:
    """One enquiry, from the Pipedrive deal to the last payment (dates; None = never)."""

    key: str
    client: Client
    kind: str
    value: int  #: pence, the quote (the deal's value)
    created: datetime
    owner: str
    has_deal: bool = True
    survey: date | None = None
    quoted: date | None = None
    quote_no: int | None = None
    lost: datetime | None = None
    lost_reason: str = ""
    accepted: date | None = None
    deposit: int = 0
    deposit_on: date | None = None
    job_on: date | None = None
    job_no: int | None = None
    booked: date | None = None
    start: date | None = None
    days: int = 0
    closed: date | None = None
    final_value: int | None = None  #: the job's value when a variation changed it
    invoiced: date | None = None
    invoice_no: int | None = None
    paid_on: date | None = None  #: the customer paid (the date on the payment)
    method: str = ""
    xero_paid: date | None = None  #: Xero shows it paid (card: same day; transfer: reconciled)
    jobber_paid: date | None = None  #: the payment appears in Jobber
    won: datetime | None = None
    ref_on: date | None = None  #: "Deal - Jobber Job #" filled on
    xero_ref: bool = True
    lead: str = ""
    crew: str = ""
    cash_on_site: bool = False  #: paid in cash to the crew, recorded in Jobber only
    deal_id: int = 0

    @property
    def job_value(self) -> int:
        return self.final_value if self.final_value is not None else self.value


@dataclass
class Planted:
    rule: str
    target: str  #: an Opp key, or "xero:<number>"
    since: date
    note: str
    normal: bool = False
    after_edit: bool = False


@dataclass
class World:
    opps: list[Opp] = field(default_factory=list)
    orphan_invoices: list[dict] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)


class People:
    """Unique invented customers: names, ``example.*`` emails, Ofcom drama-range phones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.emails: set[str] = set()
        self.phones = iter(range(100, 1000))
        self.mobiles = iter(range(100, 1000))

    def client(self) -> Client:
        rng = self.rng
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            domain = rng.choice(("example.com", "example.org", "example.net"))
            email = rng.choice((f"{first}.{last}@{domain}", f"{first[0]}{last}@{domain}", f"{last}.{first}@{domain}")).lower()
            # one person, one name, one email: a shared one would be a duplicate customer nobody planted
            if f"{first} {last}" not in self.names and email not in self.emails:
                break
        name = f"{first} {last}"
        self.names.add(name)
        self.emails.add(email)
        if rng.random() < 0.55:
            n = next(self.mobiles)
            phone = rng.choice((f"07700 900{n:03d}", f"+44 7700 900{n:03d}", f"07700900{n:03d}"))
        else:
            n = next(self.phones)
            phone = rng.choice((f"0117 496 0{n:03d}", f"+44 117 496 0{n:03d}"))
        city, district = rng.choice(AREAS)
        street = f"{rng.randint(2, 180)} {rng.choice(STREETS)}"
        postcode = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        return Client(name, email, phone, street, city, postcode)


def at(d: date, rng: random.Random, lo: int = 8, hi: int = 18) -> datetime:
    return datetime.combine(d, time(rng.randint(lo, hi - 1), rng.choice((0, 5, 12, 20, 30, 41, 45, 50))))


def biz(d: date) -> date:
    """The next weekday on or after ``d``."""
    while d.weekday() >= 5:
        d += DAY
    return d


def price(rng: random.Random, kind: Kind) -> int:
    pounds = rng.randint(kind.low, kind.high)
    step = 50 if pounds < 5_000 else 250
    return (pounds // step) * step * 100


def deposit_of(value: int) -> int:
    return 0 if value < DEPOSIT_FROM else (value * 25 // 100 // 1000) * 1000  # 25%, to the £10


# --------------------------------------------------------------------------- timelines


def run_clean(rng: random.Random, o: Opp) -> None:
    """The clean path after the deal is created: survey, quote, deposit, booking, work, invoice, payment."""
    o.survey = biz(o.created.date() + rng.randint(2, 6) * DAY)
    o.quoted = biz(o.survey + rng.randint(2, 5) * DAY)
    o.accepted = biz(o.quoted + rng.randint(2, 10) * DAY)
    o.deposit = deposit_of(o.value)
    o.deposit_on = o.accepted if o.deposit else None
    o.job_on = o.accepted
    o.booked = o.job_on + rng.randint(0, 2) * DAY  # booked within two days: paid-not-scheduled stays quiet
    kind = KIND[o.kind]
    o.start = biz(o.booked + rng.randint(7, 24) * DAY)
    o.days = rng.randint(*kind.days)
    # a clean job in progress on the audit morning has been on site at most 16 days
    if o.start < AS_OF <= o.start + o.days * DAY and (AS_OF - o.start).days > 16:
        o.days = (AS_OF - o.start).days - rng.randint(2, 5)
    o.closed = o.start + o.days * DAY
    o.invoiced = o.closed + rng.randint(0, 1) * DAY
    o.paid_on = o.invoiced + rng.randint(2, TERMS + 9) * DAY
    pay_by_card(rng, o) if rng.random() < 0.55 else pay_by_transfer(rng, o)
    o.ref_on = o.job_on + rng.randint(0, 3) * DAY if rng.random() < 0.82 else None
    o.xero_ref = rng.random() < 0.88
    o.crew = rng.choice(CREWS)


def pay_by_card(rng: random.Random, o: Opp) -> None:
    """Jobber Payments: Jobber and (by the sync) Xero have it the same day; the deal is marked Won then."""
    o.method = "Jobber Payments"
    o.xero_paid = o.jobber_paid = o.paid_on
    o.won = at(o.paid_on, rng, 9, 19) if o.paid_on else None


def pay_by_transfer(rng: random.Random, o: Opp) -> None:
    """Bank transfer: the bookkeeper reconciles it in Xero (the deal is marked Won that day); the
    office marks the Jobber invoice paid a few days later, dated the day the money arrived."""
    o.method = "Bank Transfer"
    assert o.paid_on is not None
    o.xero_paid = o.paid_on + rng.randint(0, 2) * DAY
    o.jobber_paid = o.xero_paid + rng.randint(1, 5) * DAY
    o.won = at(o.xero_paid, rng, 9, 19)


def background(rng: random.Random, people: People, world: World, n: int) -> None:
    kinds = [k.name for k in KINDS]
    weights = [k.weight for k in KINDS]
    days = [START + i * DAY for i in range((AS_OF - START).days - 2) if (START + i * DAY).weekday() < 5]
    for i in range(n):
        created = at(rng.choice(days), rng)
        kind = rng.choices(kinds, weights)[0]
        o = Opp(f"bg{i:03d}", people.client(), kind, price(rng, KIND[kind]), created, rng.choice((OWEN, KWAME, KWAME)),
                lead=rng.choice(LEAD_SOURCES))
        roll = rng.random()
        if roll < 0.16:  # lost after the survey or the quote
            o.survey = biz(created.date() + rng.randint(2, 6) * DAY)
            if rng.random() < 0.6:
                o.quoted = biz(o.survey + rng.randint(2, 5) * DAY)
            o.lost = at((o.quoted or o.survey) + rng.randint(4, 20) * DAY, rng)
            o.lost_reason = rng.choice(LOST_REASONS)
        else:
            run_clean(rng, o)
        world.opps.append(o)


def planted(rng: random.Random, people: People, world: World) -> None:
    """The drift, each case written out by hand, with the finding it must produce."""

    def case(key: str, kind: str, value: int, created: date, steps: tuple[date, date, date], *, owner: str = KWAME,
             start: date | None = None, days: int = 0, closed: date | None = None, invoiced: date | None = None,
             paid: date | None = None, booked: bool = True) -> Opp:
        """A deal surveyed, quoted and accepted on ``steps``, then carried as far as the dates given
        (paid by card; a deposit when the value calls for one; booked the day it was accepted)."""
        o = Opp(key, people.client(), kind, value, at(created, rng), owner, lead="Referral", crew=rng.choice(CREWS))
        o.survey, o.quoted, o.accepted = steps
        o.deposit = deposit_of(value)
        o.deposit_on = o.accepted if o.deposit else None
        o.job_on, o.booked = o.accepted, (o.accepted if booked else None)
        o.start, o.days, o.closed, o.invoiced = start, days, closed, invoiced
        o.ref_on = o.accepted
        if paid is not None:
            o.paid_on = paid
            pay_by_card(rng, o)
        world.opps.append(o)
        return o

    def plant(rule: str, target: str, since: date, note: str, **kw: bool) -> None:
        world.planted.append(Planted(rule, target, since, note, **kw))

    def d(month: int, day: int) -> date:
        return date(2026, month, day)

    # paid-not-scheduled: deposit paid online Oct 30; the kitchen units are on back-order and
    # nobody booked the fit, so the job sits unscheduled.
    case("pns", "Kitchen fitting", 14_750_00, d(10, 19), (d(10, 21), d(10, 26), d(10, 30)), booked=False)
    plant("paid-not-scheduled", "pns", d(10, 30),
          "Paid the £3,680 deposit online on Oct 30; the units are on back-order and nobody booked the fit.")

    # schedule-passed-not-complete, for real: an extension started Sep 21; the crew was moved to
    # a loft in October and never went back. Nothing is closed, nothing invoiced.
    case("stalled", "Single-storey extension", 46_500_00, d(8, 10), (d(8, 12), d(8, 19), d(8, 28)), owner=OWEN,
         start=d(9, 21), days=26)
    plant("schedule-passed-not-complete", "stalled", d(9, 21),
          "Extension started Sep 21; the crew was moved to a loft in October and never went back.")

    # complete-not-invoiced: a bathroom finished Nov 3 while Sian was off sick; no invoice.
    case("noinv", "Bathroom refit", 8_900_00, d(9, 14), (d(9, 16), d(9, 22), d(9, 29)), start=d(10, 26), days=8,
         closed=d(11, 3))
    plant("complete-not-invoiced", "noinv", d(11, 3),
          "Bathroom finished Nov 3 while Sian was off sick; the final invoice was never raised.")

    # invoice-overdue: final invoice Sep 28, due Oct 12; the customer disputes the tiling.
    case("overdue", "Kitchen fitting", 11_200_00, d(8, 3), (d(8, 5), d(8, 11), d(8, 18)), start=d(9, 16), days=10,
         closed=d(9, 26), invoiced=d(9, 28))
    plant("invoice-overdue", "overdue", d(10, 12),
          "Final invoice due Oct 12 is unpaid: the customer disputes the tiling and nobody has chased it.")

    # status-conflict: Dylan took the balance in cash on site and marked the Jobber invoice paid;
    # the cash never reached the bank, so Xero still shows it owed.
    o = case("cash", "Fitted wardrobes", 3_450_00, d(9, 28), (d(9, 30), d(10, 6), d(10, 12)), start=d(11, 2), days=2,
             closed=d(11, 4), invoiced=d(11, 4))
    o.paid_on = o.jobber_paid = d(11, 5)
    o.method, o.cash_on_site, o.crew = "Cash", True, CREWS[0]
    plant("status-conflict", "cash", d(11, 5),
          "Dylan took the £2,590 balance in cash on Nov 5 and marked the Jobber invoice paid; it never reached the bank.")

    # paid-crm-open: paid in full by card Oct 16; Kwame never marked the deal Won.
    o = case("crmopen", "Garden room", 16_800_00, d(7, 20), (d(7, 22), d(7, 28), d(8, 4)), start=d(9, 14), days=12,
             closed=d(9, 26), invoiced=d(9, 28), paid=d(10, 16))
    o.won = None
    plant("paid-crm-open", "crmopen", d(9, 28),
          "Paid in full by card on Oct 16; the deal still sits Open at 'Job Complete'. (Xero's export has no payment "
          "date, so the clock starts at the invoice.)")

    # lost-but-active: told Kwame on Nov 2 they had gone with another builder; the (small, no
    # deposit) job is still booked for Nov 23.
    o = case("lostbooked", "Sash window repair", 1_150_00, d(10, 12), (d(10, 14), d(10, 19), d(10, 23)),
             start=d(11, 23), days=1)
    o.lost, o.lost_reason = at(d(11, 2), rng), "Went with another builder"
    plant("lost-but-active", "lostbooked", d(11, 2),
          "Marked Lost on Nov 2 (went with another builder); the job is still booked in Jobber for Nov 23.")

    # amount-mismatch: steelwork variation on a loft (+£2,400), invoiced and paid; the deal still
    # carries the quote.
    o = case("variation", "Loft conversion", 41_500_00, d(6, 8), (d(6, 10), d(6, 17), d(6, 26)), owner=OWEN,
             start=d(7, 20), days=27, closed=d(8, 16), invoiced=d(8, 17), paid=d(8, 27))
    o.final_value = 43_900_00
    plant("amount-mismatch", "variation", d(8, 17),
          "A steel-beam variation took the loft from £41,500 to £43,900; invoiced and paid, the deal still says £41,500.")

    # orphan-job: a neighbour of a past customer rang Sian; booked, done, invoiced and paid in Jobber,
    # and nobody opened a deal.
    o = case("nodeal", "Door fitting", 780_00, d(10, 8), (d(10, 8), d(10, 8), d(10, 8)), start=d(10, 15), days=1,
             closed=d(10, 16), invoiced=d(10, 16), paid=d(10, 21))
    o.has_deal, o.survey, o.quoted = False, None, None
    plant("orphan-job", "nodeal", d(10, 8),
          "A neighbour of a past customer rang Sian; booked, fitted, invoiced and paid in Jobber, and no deal was opened.")

    # orphan-invoice: an emergency call-out for a letting agent, billed straight from Xero.
    world.orphan_invoices.append({
        "number": "INV-0058", "contact": "Redcliffe Property Services Ltd", "email": "accounts@redcliffe-ps.example.com",
        "reference": "Call-out 19/10", "date": d(10, 20), "amount": 420_00,
        "description": "Emergency call-out: make safe front door, 14 Stokes Croft",
    })
    plant("orphan-invoice", "xero:INV-0058", d(10, 20),
          "Owen billed a letting agent's emergency call-out straight from Xero: no deal, no Jobber job.")

    # The walkthrough's case: Kwame marked the deal Won on Nov 6 because the customer said the
    # transfer had gone; it has not arrived. Nothing fires with the default maps (the invoice is not
    # overdue yet); once "Won" maps to "paid", Pipedrive contradicts Xero.
    o = case("wonunpaid", "Bathroom refit", 6_350_00, d(9, 7), (d(9, 9), d(9, 15), d(9, 21)), start=d(10, 21), days=8,
             closed=d(10, 29), invoiced=d(10, 30))
    o.won = at(d(11, 6), rng)
    plant("status-conflict", "wonunpaid", d(11, 6),
          "Kwame marked the deal Won on Nov 6 when the customer said the transfer had gone; it never arrived.",
          after_edit=True)


def number(world: World) -> None:
    """Native numbers: deal ids by creation, quote, job and invoice numbers by date."""
    deals = sorted((o for o in world.opps if o.has_deal), key=lambda o: (o.created, o.key))
    for i, o in enumerate(deals):
        o.deal_id = 1042 + i * 3 + (i % 2)
    quotes = sorted((o for o in world.opps if o.quoted), key=lambda o: (o.quoted, o.key))
    for i, o in enumerate(quotes):
        o.quote_no = 480 + i
    jobs = sorted((o for o in world.opps if o.job_on), key=lambda o: (o.job_on, o.key))
    for i, o in enumerate(jobs):
        o.job_no = 310 + i
    invs = sorted((o for o in world.opps if o.invoiced and o.job_on), key=lambda o: (o.invoiced, o.key))
    for i, o in enumerate(invs):
        o.invoice_no = 1201 + i


def build() -> World:
    world = World()
    people = People(random.Random(SEED + 1))
    planted(random.Random(SEED + 2), people, world)
    background(random.Random(SEED), people, world, 96)
    number(world)
    return world


# --------------------------------------------------------------------------- snapshot


def seen(d: date | datetime | None, t: date = AS_OF) -> bool:
    """Happened before the audit morning (the exports were downloaded first thing)."""
    if d is None:
        return False
    return (d.date() if isinstance(d, datetime) else d) < t


def stage_of(o: Opp) -> tuple[str, datetime]:
    """The deal's pipeline stage on the audit morning and when it moved there."""
    moves: list[tuple[date | datetime, str]] = [(o.created, "Enquiry")]
    for d, stage in ((o.survey, "Site Survey"), (o.quoted, "Quote Sent"), (o.deposit_on, "Deposit Paid"),
                     (o.booked, "Booked In"), (o.closed, "Job Complete")):
        if seen(d):
            moves.append((d, stage))  # type: ignore[arg-type]
    when, stage = moves[-1]
    stamp = when if isinstance(when, datetime) else datetime.combine(when, time(17, 5))
    return stage, stamp


def render_pipedrive(world: World) -> bytes:
    rng = random.Random(SEED + 5)
    lines = [",".join(PIPEDRIVE_COLUMNS)]
    for o in sorted((o for o in world.opps if o.has_deal and seen(o.created)), key=lambda o: o.deal_id):
        c = o.client
        stage, moved = stage_of(o)
        status, updated = "Open", moved
        won = lost = None
        if seen(o.lost):
            status, lost, updated = "Lost", o.lost, o.lost  # type: ignore[assignment]
        elif seen(o.won):
            status, won, updated = "Won", o.won, o.won  # type: ignore[assignment]
        expected = None if status != "Open" else (o.quoted or o.created.date()) + 30 * DAY
        job_ref = str(o.job_no) if o.job_no and o.ref_on and seen(o.ref_on) else ""
        surname = c.name.split()[-1]
        title = f"{surname} – {o.kind}" if rng.random() < 0.8 else f"{o.kind}, {c.street.split(' ', 1)[1]}"
        lines.append(csv_line([
            str(o.deal_id), title, money_sep(o.value), "GBP", status, stage, "Residential", o.owner,
            uk_datetime(o.created), uk_datetime(updated), uk_datetime(won), uk_datetime(lost),
            o.lost_reason if lost else "", uk_date(expected), c.company, c.name,
            c.email if rng.random() < 0.9 else "", c.phone if rng.random() < 0.7 else "", job_ref,
        ]))
    return join(lines)


def jobber_status(o: Opp) -> tuple[str, int]:
    """The Jobber invoice's status and balance on the audit morning."""
    balance = o.job_value - (o.deposit if seen(o.deposit_on) else 0)
    if seen(o.jobber_paid):
        return "Paid", 0
    assert o.invoiced is not None
    return ("Past Due" if AS_OF > o.invoiced + TERMS * DAY else "Awaiting Payment"), balance


def xero_status(o: Opp) -> tuple[str, int, int]:
    """Xero's status, amount paid and amount due on the audit morning."""
    paid = o.deposit if seen(o.deposit_on) else 0
    if seen(o.xero_paid):
        paid = o.job_value
    return ("Paid" if paid >= o.job_value else "Awaiting Payment"), paid, o.job_value - paid


def render_xero(world: World) -> bytes:
    rng = random.Random(SEED + 6)
    rows: list[tuple[date, str, list[list[str]]]] = []

    def lines_of(contact: str, email: str, street: str, city: str, postcode: str, number: str, reference: str,
                 on: date, total: int, paid: int, due_amt: int, status: str, items: list[tuple[str, int]]) -> list[list[str]]:
        tax_total = sum(round(a / 6) for _, a in items)
        out = []
        for desc, amount in items:
            unit = f"{money(amount)}00" if rng.random() < 0.3 else money(amount)  # Xero writes 2 or 4 places
            out.append([
                contact, email, street, "", "", "", city, "", postcode, "United Kingdom", "", "", "", "", "", "", "", "",
                number, reference, uk_date(on), uk_date(on + TERMS * DAY), "", money(total), money(tax_total),
                money(paid), money(due_amt), "", desc, "1.0000", unit, "", money(amount), "200",
                "20% (VAT on Income)", money(round(amount / 6)), "", "", "", "", "GBP", "Sales invoice", "Sent", status,
            ])
        return out

    for o in world.opps:
        if not (o.invoice_no and seen(o.invoiced)):
            continue
        c = o.client
        status, paid, due_amt = xero_status(o)
        labour = o.job_value * 55 // 100
        items = [(f"{o.kind}: labour", labour), (f"{o.kind}: materials", o.job_value - labour)]
        ref = f"Job #{o.job_no}" if o.xero_ref else ""
        rows.append((o.invoiced, str(o.invoice_no), lines_of(c.name, c.email, c.street, c.city, c.postcode,  # type: ignore[arg-type]
                                                             str(o.invoice_no), ref, o.invoiced, o.job_value, paid,  # type: ignore[arg-type]
                                                             due_amt, status, items)))
    for inv in world.orphan_invoices:
        rows.append((inv["date"], inv["number"], lines_of(inv["contact"], inv["email"], "PO Box 2217", "Bristol", "BS1 9AB",
                                                          inv["number"], inv["reference"], inv["date"], inv["amount"], 0,
                                                          inv["amount"], "Awaiting Payment", [(inv["description"], inv["amount"])])))
    rows.sort(key=lambda r: (r[0], r[1]))
    lines = [",".join(f'"{h}"' for h in XERO_COLUMNS)]  # Xero quotes every field
    lines += [",".join('"' + v.replace('"', '""') + '"' for v in row) for _, _, rs in rows for row in rs]
    return join(lines, "\r\n")


def render_jobs(world: World) -> bytes:
    rng = random.Random(SEED + 7)
    lines = [",".join(JOBBER_JOB_COLUMNS)]
    for o in sorted((o for o in world.opps if o.job_no and seen(o.job_on)), key=lambda o: o.job_no or 0):
        c = o.client
        start = o.start if seen(o.booked) else None
        closed = o.closed if seen(o.closed) else None
        invoices = str(o.invoice_no) if o.invoice_no and seen(o.invoiced) else ""
        worked = o.days if closed else (max(0, (AS_OF - start).days) if start and start < AS_OF else 0)
        minutes = worked * 2 * 8 * 60
        labour = minutes * 28_00 // 60
        items_cost = o.job_value * 38 // 100
        costs = labour + items_cost
        profit = o.job_value - costs
        bc_ref = f"BC/{o.job_on.year}/{rng.randint(1000, 9999)}" if o.kind in ("Single-storey extension", "Loft conversion") else ""  # type: ignore[union-attr]
        lines.append(csv_line([
            str(o.job_no), c.name, o.lead, c.email, c.phone, c.street, c.city, "", c.postcode, "", c.street, c.city, "",
            c.postcode, o.kind, jobber_date(o.job_on), jobber_date(start), jobber_date(closed), o.owner,
            KIND[o.kind].items, o.crew if start else "", invoices, str(o.quote_no) if o.quote_no else "",
            "No", "0.00", f"{minutes // 60}h {minutes % 60}m", money(labour), money(items_cost), money(costs), "0.00",
            money(o.job_value), money(profit), f"{profit * 100 / o.job_value:.1f}", bc_ref,
        ]))
    return join(lines)


def render_jobber_invoices(world: World) -> bytes:
    lines = [",".join(JOBBER_INVOICE_COLUMNS)]
    for o in sorted((o for o in world.opps if o.invoice_no and seen(o.invoiced)), key=lambda o: o.invoice_no or 0):
        c = o.client
        status, balance = jobber_status(o)
        lines.append(csv_line([
            str(o.invoice_no), c.name, c.email, c.phone, c.street, c.city, "-", c.postcode, jobber_date(o.invoiced),
            jobber_date(o.invoiced + TERMS * DAY), str(o.job_no), status, money_float(o.job_value),  # type: ignore[operator]
            money_float(balance),
        ]))
    return b"\xef\xbb\xbf" + join(lines)


def render_jobber_txns(world: World) -> bytes:
    rows: list[tuple[date, int, str, list[str]]] = []
    for o in world.opps:
        c = o.client
        if seen(o.deposit_on) and o.deposit:
            rows.append((o.deposit_on, 2, c.name, [  # type: ignore[arg-type]
                c.name, o.deposit_on.isoformat(), "Deposit", money_sep(-o.deposit), "",  # type: ignore[union-attr]
                f"Payment applied to Estimate #{o.quote_no}", "", "", "Jobber Payments", f"ch_{o.quote_no}{o.deal_id:05d}",
                "", "", "", c.postcode, money_sep(-o.deposit), ""]))
        if o.invoice_no and seen(o.invoiced):
            rows.append((o.invoiced, 0, c.name, [  # type: ignore[arg-type]
                c.name, o.invoiced.isoformat(), "Invoice", money_sep(o.job_value), "", "", "", str(o.invoice_no), "",  # type: ignore[union-attr]
                "", "", "", str(o.job_no), c.postcode, money_sep(o.job_value), ""]))
            if seen(o.jobber_paid):
                due = o.job_value - o.deposit
                txn = f"ch_{o.invoice_no}{o.job_no:04d}" if o.method == "Jobber Payments" else ""
                rows.append((o.paid_on, 1, c.name, [  # type: ignore[arg-type]
                    c.name, o.paid_on.isoformat(), "Payment", money_sep(-due), "",  # type: ignore[union-attr]
                    f"Payment applied to Invoice #{o.invoice_no}", "", str(o.invoice_no), o.method, txn, "", "",
                    str(o.job_no), c.postcode, money_sep(-due), ""]))
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    total = sum(int(r[3][3].replace(",", "").replace(".", "")) for r in rows)
    lines = ["Totals", "", f"Total Transactions,{len(rows)}", csv_line(["Total Transaction Value", money_sep(total)]), "",
             ",".join(JOBBER_TXN_COLUMNS)]
    lines += [csv_line(r[3], quote_empty=True) for r in rows]
    return join(lines)


# --------------------------------------------------------------------------- story


def job_key(world: World, target: str) -> tuple[str, str]:
    """(driftcheck job key, customer) of a planted target."""
    if target.startswith("xero:"):
        inv = next(i for i in world.orphan_invoices if i["number"] == target[5:])
        return f"I-{inv['number']}", inv["contact"]
    o = next(o for o in world.opps if o.key == target)
    return (f"J-{o.job_no}" if o.job_no else f"D-{o.deal_id}"), o.client.name


def normal_jobs(world: World) -> list[Planted]:
    """Clean jobs on site for more than three days on the audit morning: zero-config flags them."""
    out = []
    for o in world.opps:
        if o.key.startswith("bg") and seen(o.booked) and o.start and o.start < AS_OF and not seen(o.closed):
            age = (AS_OF - o.start).days
            if age > 3:
                out.append(Planted("schedule-passed-not-complete", o.key, o.start,
                                   f"A {o.days}-day {o.kind.lower()} on site since {o.start:%b} {o.start.day} ({age} days): normal "
                                   "for this business, which the default three days cannot know.", normal=True))
    return sorted(out, key=lambda p: (p.since, p.target))


def story(world: World) -> list[dict]:
    entries = []
    for p in [*world.planted, *normal_jobs(world)]:
        job, customer = job_key(world, p.target)
        entries.append({"rule": p.rule, "job": job, "customer": customer, "since": p.since.isoformat(), "note": p.note,
                        "normal": p.normal, "after_edit": p.after_edit})
    return entries


def render_story(entries: list[dict]) -> bytes:
    out = [
        "# The drift planted in these exports. [[finding]]: exactly what `driftcheck scan` reports with no",
        "# driftcheck.toml (normal = true: long jobs a threshold raised by `driftcheck init` calls normal work).",
        "# [[after_edit]]: what the walkthrough's one edited mapping adds ([status_map.pipedrive.deal] \"Won\" = \"paid\").",
        "# job: J-<Jobber Job #> | D-<Pipedrive deal ID> | I-<Xero InvoiceNumber>.",
        "# Written by tools/make_sample_intl.py; do not edit by hand.",
        "",
        f'as_of = "{AS_OF.isoformat()}"',
        f"business = {toml_str(BUSINESS)}",
    ]
    for e in entries:
        out += ["", "[[after_edit]]" if e["after_edit"] else "[[finding]]"]
        out += [f"{k} = {toml_str(e[k])}" for k in ("rule", "job", "customer", "since", "note")]
        if e["normal"]:
            out.append("normal = true")
        if e["after_edit"]:
            out.append('edit = \'[status_map.pipedrive.deal] "Won" = "paid"\'')
    return join(out)


README = """\
# Sample exports: Thornbury Build & Joinery (UK)

The second demo business, for the consultant's walkthrough in the main README
(`driftcheck discover` -> `driftcheck init` -> edit one mapping -> `driftcheck scan`).
It has **no `driftcheck.toml`**: the walkthrough writes one. Pass `--as-of 2026-11-13`
(the morning the exports were downloaded) so every run tells the same story.

**Thornbury Build & Joinery Ltd** is a builder and joiner in Bristol: doors and sash windows,
wardrobes, kitchens and bathrooms, garden rooms, extensions and loft conversions (£450 to
£65,000). Since June 2026 it sells in **Pipedrive**, runs quotes, jobs and card payments in
**Jobber**, and keeps its books in **Xero** (Jobber's integration copies every invoice across
under the same number, the job number in `Reference`). Every name is invented; emails use
`example.*`, phones the Ofcom drama ranges (`0117 496 0xxx`, `07700 900xxx`).

| who | does what | in which tool |
|---|---|---|
| Owen Pryce (owner), Kwame Asante (estimator) | run the deals through the custom pipeline | Pipedrive |
| Sian Marsh (office) | converts accepted quotes into jobs, books the crews, raises final invoices | Jobber |
| Dylan Hughes, Rhys Morgan (crew leads) | run the work, close jobs from the app | Jobber |
| Priya Shah (bookkeeper) | reconciles bank transfers | Xero |

How a job moves: **Enquiry -> Site Survey -> Quote Sent -> Deposit Paid -> Booked In -> Job
Complete** are stages of Pipedrive's "Residential" pipeline. Jobs from £1,500 take a 25%
deposit, paid online on the Jobber quote; Sian books the crew within two days. The final
invoice goes out from Jobber when the job closes (14 days' terms). Customers pay by card
through Jobber (Xero has it the same day) or by bank transfer (Priya reconciles it in Xero;
Sian marks the Jobber invoice paid a few days later). **Deals stay Open all the way and are
marked Won only when the money is in: here "Won" means paid.** Extensions and lofts are three
to four weeks on site.

| file | tool | what it is |
|---|---|---|
| `pipedrive-deals-2026-11-13.csv` | Pipedrive | deals list view exported as CSV (en-GB: `13/11/2026 09:30`, `12,500.00`), with the custom field "Jobber Job #" |
| `SalesInvoices.csv` | Xero | Sales > Invoices > Export: 44 columns, one row per invoice line, `DD/MM/YYYY`, CRLF |
| `Jobs.csv` | Jobber | jobs export (full form, custom field "Building control ref") |
| `Invoices.csv` | Jobber | invoices export (UTF-8 BOM, `Nov 13, 2026` dates) |
| `Transaction List.csv` | Jobber | transaction list: deposits on quotes, invoices, payments (Totals block on top) |
| `story.toml` | | the planted findings, machine-readable |

## What went wrong (as of Nov 13)

{findings}

A scan without configuration also flags these jobs, which are simply long (the default allows
three days from the first visit to completion). `driftcheck init` raises the threshold from the
business's own 90th percentile and they drop out:

{normal}

## The one mapping the walkthrough edits

{after_edit}

## Regenerating

```
python tools/make_sample_intl.py            # writes sample_exports/intl/
python tools/make_sample_intl.py --check    # verify, write nothing
```
The generator re-reads what it wrote with driftcheck's own scan and fails unless the findings
are exactly the story (with no configuration, and with the walkthrough's mapping).
"""


def md_table(entries: list[dict]) -> str:
    rows = ["| rule | job | customer | since | what happened |", "|---|---|---|---|---|"]
    rows += [f"| `{e['rule']}` | `{e['job']}` | {e['customer']} | {e['since']} | {e['note']} |" for e in entries]
    return "\n".join(rows)


def render_readme(entries: list[dict]) -> bytes:
    edit = [e for e in entries if e["after_edit"]]
    text = README.format(
        findings=md_table([e for e in entries if not e["normal"] and not e["after_edit"]]),
        normal=md_table([e for e in entries if e["normal"]]),
        after_edit="Discovery shows that this business marks deals Won only once they are paid. Mapping "
        '`"Won" = "paid"` in `[status_map.pipedrive.deal]` makes Pipedrive a second version of the billing '
        "truth, checked against Xero, and one deal contradicts it:\n\n" + md_table(edit),
    )
    return text.encode("utf-8")


# --------------------------------------------------------------------------- check and orchestration


def render(world: World) -> dict[str, bytes]:
    entries = story(world)
    return {
        PIPEDRIVE_FILE: render_pipedrive(world),
        XERO_FILE: render_xero(world),
        JOBS_FILE: render_jobs(world),
        INVOICES_FILE: render_jobber_invoices(world),
        TXN_FILE: render_jobber_txns(world),
        "story.toml": render_story(entries),
        "README.md": render_readme(entries),
    }


def check(files: dict[str, bytes]) -> list[str]:
    """Scan the files with driftcheck (no config, then with the walkthrough's mapping); say what differs from the story."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from driftcheck.scan import run_scan

    st = tomllib.loads(files["story.toml"].decode())
    want = {(f["rule"], f["job"], f["since"]) for f in st["finding"]}
    edit = {(f["rule"], f["job"], f["since"]) for f in st.get("after_edit", [])}
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "intl"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        got = {(f["rule"], f["job"], f["since"]) for f in run_scan([folder], as_of=AS_OF).scan["findings"]}
        if got != want:
            problems.append(f"zero-config scan: found, not planted {sorted(got - want)}; planted, not found {sorted(want - got)}")
        cfg = Path(tmp) / "walkthrough.toml"
        cfg.write_text('[status_map.pipedrive.deal]\n"Won" = "paid"\n', encoding="utf-8")
        got_edit = {(f["rule"], f["job"], f["since"]) for f in run_scan([folder], config_path=cfg, as_of=AS_OF).scan["findings"]}
        if got_edit != want | edit:
            problems.append(f"with \"Won\" = \"paid\": found, not planted {sorted(got_edit - want - edit)}; "
                            f"planted, not found {sorted((want | edit) - got_edit)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="sample_exports/intl", type=Path, help="folder to write (default: sample_exports/intl)")
    ap.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing; exit 1 on a difference")
    args = ap.parse_args(argv)
    files = render(build())
    problems = check(files)
    if problems:
        print("the data does not tell the story:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.check:
        differ = [n for n, data in files.items() if not (args.out / n).exists() or (args.out / n).read_bytes() != data]
        if differ:
            print("out of date: " + ", ".join(differ), file=sys.stderr)
            return 1
        print("intl sample exports are up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    print(f"wrote {len(files)} files to {args.out}; the data tells the story")
    return 0


if __name__ == "__main__":
    sys.exit(main())
