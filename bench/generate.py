"""Synthetic contractor businesses, written as the vendor exports driftcheck reads.

``python bench/generate.py --jobs 100000 --out bench/data/jobs-100000-seed-1`` writes one
business of N jobs as five exports in the layouts of
``shared/reference/vendor-formats.md`` (sections 1A, 4A, 7A):

* ``hubspot-crm-exports-all-deals-<as_of>.csv``: HubSpot deals view, every cell quoted,
  a custom "Jobber Job #" property and "Associated Contact" as ``Jane Doe (jane@x.com)``;
* ``Invoice List by Date.csv``: QuickBooks Online report (company, title, period, blank,
  header, M/D/YYYY dates, quoted thousands, TOTAL row, three blank lines, timestamp; CRLF);
* ``Transaction List by Date.csv``: QuickBooks Online report of the Payment rows;
* ``Jobber Jobs.csv``: Jobber's full jobs export (33 columns + 4 custom fields; no status;
  "Nov 20, 2025" dates, ``-`` for none);
* ``Jobber Invoices.csv``: Jobber invoices export (UTF-8 BOM).

The money flow of a job: the deal is won in HubSpot; a 30% deposit invoice is raised in
QuickBooks (memo "Deposit 30% – Job #N") and paid; the job is scheduled and completed in
Jobber; the final invoice is raised in Jobber (``Job #s``) and synced to QuickBooks under the
same number; it is paid. Customers are spelt differently across tools ("John Smith" in
Jobber, "Smith, John" in QuickBooks, deal "Smith – Kitchen remodel" with the contact's email
in another case), phones are typed in several styles, some emails are missing.

A few percent of jobs carry planted drift, one default rule each (see ``PLANTED``); the
``manifest.json`` beside the exports says how many of each, with example references, and the
``driftcheck.toml`` pins ``as_of`` so a scan of the folder is reproducible.

Everything is built column-wise with numpy and pyarrow.compute, and CSV text is assembled
from Arrow string arrays (a row per array element), so a million-job business takes well
under a minute. The output is byte-identical for the same ``--jobs`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["AS_OF", "FILES", "GENERATOR", "PLANTED", "generate", "main"]

#: names the generator's code: a cached business made by other code is rebuilt (bench/run.py)
GENERATOR = "driftcheck-bench/1+" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
#: the audit date every business is generated against (pinned in its driftcheck.toml)
AS_OF = dt.date(2026, 11, 20)
COMPANY = "Harbor & Pine Renovations, LLC"

#: file kind -> file name (the HubSpot name carries the export date, as the UI writes it)
FILES = {
    "hubspot_deals": f"hubspot-crm-exports-all-deals-{AS_OF.isoformat()}.csv",
    "qbo_invoices": "Invoice List by Date.csv",
    "qbo_payments": "Transaction List by Date.csv",
    "jobber_jobs": "Jobber Jobs.csv",
    "jobber_invoices": "Jobber Invoices.csv",
}

#: planted drift: rule id -> share of the business's jobs (orphan-invoice: extra invoices)
PLANTED: dict[str, float] = {
    "won-not-invoiced": 0.004,
    "paid-not-scheduled": 0.003,
    "schedule-passed-not-complete": 0.004,
    "complete-not-invoiced": 0.004,
    "invoice-overdue": 0.006,
    "paid-crm-open": 0.003,
    "lost-but-active": 0.002,
    "amount-mismatch": 0.004,
    "orphan-job": 0.003,
    "orphan-invoice": 0.002,
}
_JOB_RULES = [r for r in PLANTED if r != "orphan-invoice"]  # category codes 1.. in this order
_CAT = {rule: i + 1 for i, rule in enumerate(_JOB_RULES)}

NEVER = 1 << 30  #: an event that never happens (day offsets are relative to AS_OF, <= 0 = happened)
_EPOCH_DAY = (AS_OF - dt.date(1970, 1, 1)).days

# ----------------------------------------------------------------------------- pools

FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty "
    "Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua "
    "Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald "
    "Rebecca Jason Laura Edward Helen Jeffrey Sharon Ryan Cynthia Jacob Kathleen Gary Amy Nicholas "
    "Shirley Eric Angela Jonathan Anna Stephen Ruth Larry Brenda Justin Pamela Scott Nicole Brandon "
    "Katherine Benjamin Virginia Samuel Catherine Gregory Christine Alexander Samantha Patrick Debra "
    "Frank Janet Raymond Rachel Jack Carolyn Dennis Emma Jerry Maria Tyler Heather Aaron Diane Jose "
    "Julie Adam Joyce Nathan Evelyn Henry Victoria Zachary Kelly Douglas Christina Peter Lauren Kyle "
    "Joan Noah Ashley Ethan Judith Jeremy Olivia Walter Martha Christian Cheryl Keith Megan Roger "
    "Andrea Terry Hannah Austin Jacqueline Sean Ann Gerald Jean Carl Alice Harold Kathryn Dylan "
    "Gloria Arthur Teresa Lawrence Doris Jordan Sara Jesse Janice Bryan Julia Billy Marie Bruce "
    "Madison Gabriel Grace Joe Judy Logan Theresa Alan Beverly Juan Denise Albert Marilyn Willie "
    "Amber Elijah Danielle Wayne Abigail Randy Brittany Vincent Rose Mason Diana Roy Natalie Ralph "
    "Sophia Bobby Alexis Russell Lori Bradley Kayla Philip Jane Eugene Priya Wei Mei Hiroshi Yuki "
    "Ahmed Fatima Omar Leila Carlos Lucia Diego Sofia Mateo Valeria Ivan Olga Dmitri Anya Kwame Ama"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders "
    "Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton "
    "Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina "
    "Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington "
    "Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter "
    "Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black "
    "Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson "
    "Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce "
    "Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson "
    "Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena "
    "Richards Contreras Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada "
    "Ortega Watkins Greene Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison "
    "Franklin Carlson Austin Dominguez Carr Lawson Jacobs Obrien Lynch Singh Vega Bishop Montgomery "
    "Oliver Jensen Harvey Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy "
    "Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez Fields Park Yang Little Banks Padilla "
    "Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May Holland Juarez Newman "
    "Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade Molina "
    "Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala "
    "Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris "
    "Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt Deleon Barker "
    "Terry Hale Leon Hail Benson Haynes Horton Miles Lyons Pham Graves Bush Thornton Wolfe Warner "
    "Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy Love Robles Cervantes Solis "
    "Erickson Reeves Chang Klein Salinas Fuentes Baldwin Daniel Simon Velasquez Hardy Higgins Aguirre"
).split()
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "comcast.net", "proton.me")
#: (city, state code, state name, ZIP prefix)
CITIES = (
    ("Portland", "OR", "Oregon", 972), ("Beaverton", "OR", "Oregon", 970), ("Hillsboro", "OR", "Oregon", 971),
    ("Lake Oswego", "OR", "Oregon", 970), ("Tigard", "OR", "Oregon", 972), ("Gresham", "OR", "Oregon", 970),
    ("Salem", "OR", "Oregon", 973), ("Eugene", "OR", "Oregon", 974), ("Bend", "OR", "Oregon", 977),
    ("Vancouver", "WA", "Washington", 986), ("Camas", "WA", "Washington", 986), ("Seattle", "WA", "Washington", 981),
    ("Tacoma", "WA", "Washington", 984), ("Bellevue", "WA", "Washington", 980), ("Olympia", "WA", "Washington", 985),
    ("Spokane", "WA", "Washington", 992), ("Boise", "ID", "Idaho", 837), ("Meridian", "ID", "Idaho", 836),
    ("Sacramento", "CA", "California", 958), ("Redding", "CA", "California", 960),
)
STREETS = (
    "Oak Maple Cedar Pine Elm Birch Willow Aspen Spruce Alder Hemlock Juniper Laurel Magnolia Chestnut "
    "Walnut Hickory Cherry Sycamore Poplar Main Park Lake Hill River Forest Meadow Ridge Valley Sunset "
    "Highland Lincoln Washington Jefferson Madison Franklin Adams Jackson Grant Division Burnside Alberta "
    "Fremont Hawthorne Belmont Stark Broadway Mississippi Killingsworth Holgate Woodstock Powell Foster"
).split()
STREET_TYPES = ("St", "Ave", "Rd", "Dr", "Ln", "Ct", "Way", "Blvd", "Pl", "Street", "Avenue")
#: job type -> typical value in dollars
JOB_TYPES = (
    ("Kitchen remodel", 28000), ("Bathroom remodel", 14000), ("Basement finish", 22000), ("Deck build", 11000),
    ("Roof replacement", 16000), ("Roof repair", 2400), ("Siding replacement", 13000), ("Window replacement", 7500),
    ("Interior painting", 4200), ("Exterior painting", 6800), ("Fence installation", 4800), ("Flooring install", 6200),
    ("Gutter replacement", 2100), ("Gutter cleaning", 320), ("Furnace service", 260), ("Water heater install", 2300),
    ("Drywall repair", 650), ("Electrical panel upgrade", 3800), ("Plumbing repair", 480), ("Garage door install", 2600),
    ("Patio install", 9000), ("Landscape design", 5400), ("Tree removal", 1500), ("Pressure washing", 420),
)
LEAD_SOURCES = ("Google", "Referral", "Website", "Facebook", "Yelp", "Repeat customer", "Nextdoor", "Angi", "Yard sign", "")
SALES = ("Maria Lopez", "Dan Whitaker", "Priya Shah", "Tom Becker", "Alicia Grant", "Kevin Osei", "Rachel Kim", "Luis Ortega")
CREWS = ("Alex Kim", "Sam Ortiz", "Jordan Lee", "Chris Patel", "Taylor Brooks", "Morgan Diaz", "Jamie Fox", "Riley Chen",
         "Casey Nguyen", "Drew Walsh", "Pat Moreno", "Robin Hale")
OPEN_STAGES = ("Appointment Scheduled", "Qualified to Buy", "Presentation Scheduled", "Decision Maker Bought-In", "Contract Sent")
#: companies: orphan invoices bill one pool, orphan jobs serve another, so the two never match each other
INV_CO = (("Northgate", "Silverline", "Bluewater", "Ironwood", "Granite Peak", "Harborview", "Summit", "Redwood",
           "Clearbrook", "Westhaven", "Stonegate", "Lakeshore"),
          ("Dental", "Veterinary", "Chiropractic", "Law Group", "Insurance", "Realty", "Bakery", "Fitness"),
          ("LLC", "Inc.", "Co.", "Group", "PC"))
JOB_CO = (("Cascade", "Evergreen", "Timberline", "Riverbend", "Foxhollow", "Brightwater", "Oak Hollow", "Pinecrest",
           "Meadowbrook", "Kingsgate", "Copperfield", "Sandpiper"),
          ("Apartments", "Property Management", "Townhomes", "Senior Living", "HOA", "Storage", "Plaza", "Commons"),
          ("", "II", "East", "West", "North"))
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")

# ----------------------------------------------------------------------------- headers

HUBSPOT_HEADER = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date",
                  "Deal owner", "Jobber Job #", "Associated Contact"]
QBO_INVOICE_HEADER = ["Date", "Transaction type", "Num", "Name", "Memo", "Due date", "Amount", "Open balance"]
QBO_PAYMENT_HEADER = ["Date", "Transaction type", "Num", "Posting (Y/N)", "Name", "Memo", "Account name", "Split", "Amount"]
JOBBER_JOB_HEADER = [
    "Job #", "Client name", "Lead source", "Client email", "Client phone", "Billing street", "Billing city",
    "Billing province", "Billing ZIP", "Service property name", "Service street", "Service city", "Service province",
    "Service ZIP", "Title", "Created date", "Schedule start date", "Closed date", "Salesperson", "Line items",
    "Visits assigned to", "Invoice #s", "Quote #", "Online booking", "Expenses total ($)", "Time tracked",
    "Labour cost total ($)", "Line item cost total ($)", "Total costs ($)", "Quote discount ($)", "Total revenue ($)",
    "Profit ($)", "Profit %",
    # the customer's custom fields, appended after the standard columns
    "Crew", "Permit #", "Gate code", "Warranty (months)",
]
JOBBER_INVOICE_HEADER = ["Invoice #", "Client name", "Client email", "Client phone", "Service street", "Service city",
                         "Service province", "Service ZIP", "Issued date", "Due date", "Job #s", "Status", "Total ($)",
                         "Balance ($)"]

_CHUNK = 200_000  #: rows per block of CSV text (keeps Arrow string arrays far below 2 GiB)

# ----------------------------------------------------------------------------- Arrow text helpers

Text = pa.Array | str


def _s(values: np.ndarray) -> pa.Array:
    """Integers as decimal text."""
    return pc.cast(pa.array(values), pa.string())


def _pad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_s(values), width=width, padding="0")


def _cat(*parts: Text) -> pa.Array:
    """Element-wise concatenation of text arrays and literals (null if any part is null)."""
    return pc.binary_join_element_wise(*parts, "")


def _pick(pool: Sequence[str], idx: np.ndarray) -> pa.Array:
    return pc.take(pa.array(pool, pa.string()), pa.array(idx))


def _when(mask: np.ndarray, a: Text, b: Text) -> pa.Array:
    return pc.if_else(pa.array(mask), a, b)


def _null_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day offsets from AS_OF -> (year, month, day) integer arrays."""
    d = pa.array((days + _EPOCH_DAY).astype(np.int32)).cast(pa.date32())
    return (pc.year(d).to_numpy(), pc.month(d).to_numpy(), pc.day(d).to_numpy())


def _date_jobber(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """``Nov 5, 2025``; ``-`` where ``missing`` (Jobber's way of writing no date)."""
    y, m, d = _ymd(np.where(days >= NEVER, 0, days))
    text = _cat(_pick(MONTHS, m - 1), " ", _s(d), ", ", _s(y))
    return text if missing is None else _when(missing, "-", text)


def _date_qbo(days: np.ndarray) -> pa.Array:
    """``1/19/2026`` (US company, unpadded)."""
    y, m, d = _ymd(days)
    return _cat(_s(m), "/", _s(d), "/", _s(y))


def _datetime_hubspot(days: np.ndarray, minutes: np.ndarray) -> pa.Array:
    """``2026-03-01 14:22`` (a datetime property in the portal's time zone)."""
    y, m, d = _ymd(days)
    return _cat(_s(y), "-", _pad(m, 2), "-", _pad(d, 2), " ", _pad(minutes // 60, 2), ":", _pad(minutes % 60, 2))


def _money_qbo(cents: np.ndarray) -> pa.Array:
    """``1,234.56`` (two decimals, thousands separators; the CSV writer quotes it)."""
    d, c = cents // 100, cents % 100
    lo, mid, hi = d % 1000, (d // 1000) % 1000, d // 1_000_000
    whole = _when(d >= 1_000_000, _cat(_s(hi), ",", _pad(mid, 3), ",", _pad(lo, 3)),
                  _when(d >= 1000, _cat(_s(mid), ",", _pad(lo, 3)), _s(lo)))
    return _cat(whole, ".", _pad(c, 2))


def _money_float(cents: np.ndarray, *, drop_zero: bool = False) -> pa.Array:
    """``4250.0``, ``1234.5``, ``99.95`` (Ruby float text, as Jobber writes money); ``4250`` with drop_zero."""
    d, c = cents // 100, cents % 100
    frac = _when(c % 10 == 0, _s(c // 10), _pad(c, 2))
    text = _cat(_s(d), ".", frac)
    return _when(c == 0, _s(d), text) if drop_zero else text


def _money_total(cents: int) -> str:
    """``$1,234,567.89`` as QuickBooks writes TOTAL rows."""
    return f"${cents / 100:,.2f}"


# ----------------------------------------------------------------------------- CSV writer


def _quote_needed(arr: pa.Array) -> pa.Array:
    arr = pc.fill_null(arr, "")
    needs = pc.or_(pc.match_substring(arr, ","), pc.match_substring(arr, '"'))
    return pc.if_else(needs, _cat('"', pc.replace_substring(arr, '"', '""'), '"'), arr)


def _quote_all(arr: pa.Array) -> pa.Array:
    quoted = _cat('"', pc.replace_substring(arr, '"', '""'), '"')
    return pc.fill_null(quoted, "")


def _write_rows(fh: Any, columns: list[pa.Array], *, quote: Callable[[pa.Array], pa.Array], eol: str) -> None:
    """Write one block of rows: each column quoted as the vendor does, joined, written as one buffer."""
    line = pc.binary_join_element_wise(*[quote(c) for c in columns], ",")
    line = pc.binary_join_element_wise(line, eol, "")
    if len(line) == 0:
        return
    # The values buffer of a string array is the rows back to back: write it in one call.
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset: line.offset + len(line) + 1]
    fh.write(memoryview(line.buffers()[2])[offsets[0]: offsets[-1]])


def _csv_line(cells: Sequence[str], *, quote_all: bool = False) -> str:
    """One line of a preamble or footer, quoted like the body."""
    out = []
    for c in cells:
        if quote_all or "," in c or '"' in c:
            out.append('"' + c.replace('"', '""') + '"')
        else:
            out.append(c)
    return ",".join(out)


@dataclass
class _Table:
    """One export: header, a row count and a function building the columns of a block of rows."""

    header: list[str]
    rows: int
    block: Callable[[np.ndarray], list[pa.Array]]


def _write_table(
    path: Path,
    table: _Table,
    *,
    quote_all: bool = False,
    eol: str = "\n",
    bom: bool = False,
    preamble: Sequence[str] = (),
    footer: Sequence[str] = (),
) -> None:
    quote = _quote_all if quote_all else _quote_needed
    with open(path, "wb") as fh:
        if bom:
            fh.write(b"\xef\xbb\xbf")
        for line in preamble:
            fh.write((line + eol).encode())
        fh.write((_csv_line(table.header, quote_all=quote_all) + eol).encode())
        for start in range(0, table.rows, _CHUNK):
            idx = np.arange(start, min(start + _CHUNK, table.rows))
            _write_rows(fh, table.block(idx), quote=quote, eol=eol)
        for line in footer:
            fh.write((line + eol).encode())


# ----------------------------------------------------------------------------- the business model


@dataclass
class _People:
    """Customers (persons), one row per customer id."""

    first: np.ndarray
    last: np.ndarray
    middle: np.ndarray  #: -1 = no middle initial, else 0..25
    email_n: np.ndarray  #: the number in the email's local part
    domain: np.ndarray
    has_email: np.ndarray  #: Jobber has the client's email
    email_case: np.ndarray  #: how HubSpot shows it: 0 lower, 1 Title.Case, 2 UPPER
    qbo_style: np.ndarray  #: 0 "John Smith", 1 "Smith, John"
    phone_area: np.ndarray
    phone_num: np.ndarray
    phone_style: np.ndarray
    city: np.ndarray
    street_no: np.ndarray
    street: np.ndarray
    street_type: np.ndarray
    zip_tail: np.ndarray
    state_long: np.ndarray  #: Jobber province typed as "Oregon" instead of "OR"


@dataclass
class Business:
    """One synthetic business as arrays: jobs (work units), extra deals, orphan invoices.

    Day values are offsets from AS_OF (0 = the audit date, negative = past); an event with a
    value > 0 has not happened yet and is absent from the exports.
    """

    n_jobs: int
    seed: int
    span: int
    people: _People
    # jobs
    cat: np.ndarray  #: 0 clean, else 1 + index in _JOB_RULES
    cust: np.ndarray  #: person id, or company id for orphan jobs
    company: np.ndarray  #: -1, or the orphan job's company id
    jtype: np.ndarray
    value: np.ndarray  #: job value in cents (Jobber "Total revenue")
    deal_amount: np.ndarray
    deposit: np.ndarray  #: deposit invoice amount in cents (0: none)
    final: np.ndarray  #: final invoice amount in cents
    t_deal: np.ndarray
    t_won: np.ndarray
    t_lost: np.ndarray
    t_dep_inv: np.ndarray
    t_dep_pay: np.ndarray
    t_job: np.ndarray
    t_book: np.ndarray
    t_start: np.ndarray
    t_done: np.ndarray
    t_fin: np.ndarray
    t_fin_pay: np.ndarray
    deal_jobref: np.ndarray  #: the deal carries the "Jobber Job #" property
    deal_minute: np.ndarray
    sales: np.ndarray
    crew: np.ndarray
    lead: np.ndarray
    title_style: np.ndarray
    # extra pipeline deals (open or lost, never became jobs)
    x_cust: np.ndarray
    x_created: np.ndarray
    x_close: np.ndarray
    x_stage: np.ndarray  #: -1 lost, else index in OPEN_STAGES
    x_amount: np.ndarray
    x_jtype: np.ndarray
    # orphan invoices
    o_company: np.ndarray
    o_date: np.ndarray
    o_amount: np.ndarray


def _people(rng: np.random.Generator, n: int) -> _People:
    # A bijection id -> 7-digit number keeps every customer's phone distinct.
    ids = np.arange(n, dtype=np.int64)
    return _People(
        first=rng.integers(0, len(FIRST), n),
        last=rng.integers(0, len(LAST), n),
        middle=np.where(rng.random(n) < 0.25, rng.integers(0, 26, n), -1),
        email_n=ids + 10,
        domain=rng.integers(0, len(DOMAINS), n),
        has_email=rng.random(n) >= 0.05,
        email_case=rng.choice(3, n, p=[0.6, 0.3, 0.1]),
        qbo_style=(rng.random(n) < 0.4).astype(np.int8),
        phone_area=rng.choice(np.array([503, 971, 360, 541, 206, 425, 253, 208, 916]), n),
        phone_num=(ids * 7919 + 1_234_567) % 8_000_000 + 2_000_000,
        phone_style=rng.choice(5, n, p=[0.45, 0.25, 0.12, 0.1, 0.08]),
        city=rng.integers(0, len(CITIES), n),
        street_no=rng.integers(100, 19999, n),
        street=rng.integers(0, len(STREETS), n),
        street_type=rng.integers(0, len(STREET_TYPES), n),
        zip_tail=rng.integers(0, 100, n),
        state_long=rng.random(n) < 0.15,
    )


def _planted_counts(n_jobs: int) -> dict[str, int]:
    return {rule: max(1, round(share * n_jobs)) for rule, share in PLANTED.items()}


def build(n_jobs: int, seed: int = 1) -> Business:
    """The business model: who, what, how much, and the day each event happened."""
    if n_jobs < 50:
        raise ValueError("a business needs at least 50 jobs to hold one planted case per rule")
    rng = np.random.default_rng(seed)
    n = n_jobs
    span = int(min(3 * 365, max(120, n // 3)))
    counts = _planted_counts(n)

    # Planted categories: the first jobs of a random permutation, rule by rule.
    cat = np.zeros(n, dtype=np.int8)
    perm = rng.permutation(n)
    at = 0
    for rule in _JOB_RULES:
        cat[perm[at: at + counts[rule]]] = _CAT[rule]
        at += counts[rule]
    orphan = cat == _CAT["orphan-job"]

    # Customers: 85% of person jobs have a customer of their own, the rest are repeat customers.
    n_person_jobs = int((~orphan).sum())
    n_cust = max(1, round(0.85 * n_person_jobs))
    cust_person = np.concatenate([np.arange(n_cust), rng.integers(0, n_cust, n_person_jobs - n_cust)])
    rng.shuffle(cust_person)
    cust = np.zeros(n, dtype=np.int64)
    cust[~orphan] = cust_person
    company = np.full(n, -1, dtype=np.int64)
    company[orphan] = np.arange(int(orphan.sum()))
    cust[orphan] = -1

    n_open, n_lost = round(0.05 * n), round(0.10 * n)
    people = _people(rng, n_cust + n_open + n_lost)

    # What the work is worth.
    jtype = rng.integers(0, len(JOB_TYPES), n)
    base = np.array([v for _, v in JOB_TYPES], dtype=np.float64)[jtype]
    value = (np.round(base * rng.lognormal(0.0, 0.35, n) / 5.0) * 500).astype(np.int64)
    value = np.maximum(value, 9500)
    mismatch = cat == _CAT["amount-mismatch"]
    value[mismatch] = np.maximum(value[mismatch], 150_000)
    deal_amount = value.copy()
    # A change order invoiced but never put on the deal: the deal says 10-40% less (and at
    # least $75 less, past the rule's $50 tolerance).
    less = (np.round(value[mismatch] / rng.uniform(1.1, 1.4, int(mismatch.sum())) / 500) * 500).astype(np.int64)
    deal_amount[mismatch] = np.minimum(less, value[mismatch] - 7_500)
    deposit = np.where(orphan, 0, np.round(deal_amount * 0.3).astype(np.int64))
    final = value - deposit

    # The timeline of a clean job; every gap is inside the grace period of the rule watching it,
    # so a clean job cut off at AS_OF is never a finding.
    u = rng.integers
    t_deal = -u(0, span, n)
    t_won = t_deal + u(3, 31, n)
    t_job = t_won + u(0, 3, n)  # the deposit memo names the Jobber job, so the job comes first
    t_dep_inv = t_job + u(0, 4, n)  # won-not-invoiced waits 7 days
    t_dep_pay = t_dep_inv + u(1, 11, n)
    t_book = t_dep_pay + u(0, 3, n)  # paid-not-scheduled waits 3 days
    t_start = t_book + u(2, 31, n)
    t_done = t_start + u(0, 3, n)  # schedule-passed-not-complete waits 3 days
    t_fin = t_done + u(0, 3, n)  # complete-not-invoiced waits 3 days
    t_fin_pay = t_fin + u(0, 41, n)  # due in 30 days; invoice-overdue waits 14 more
    # Orphan jobs: walk-in work booked straight into Jobber, no deal and no deposit.
    no = int(orphan.sum())
    t_job[orphan] = t_deal[orphan]
    t_book[orphan] = t_job[orphan] + u(0, 3, no)
    t_start[orphan] = t_book[orphan] + u(1, 15, no)
    t_done[orphan] = t_start[orphan] + u(0, 2, no)
    t_fin[orphan] = t_done[orphan] + u(0, 3, no)
    t_fin_pay[orphan] = t_fin[orphan] + u(0, 41, no)
    t_lost = np.full(n, NEVER, dtype=np.int64)

    events = [t_deal, t_won, t_dep_inv, t_dep_pay, t_job, t_book, t_start, t_done, t_fin, t_fin_pay]

    def shift(rule: str, key: np.ndarray, latest: int) -> np.ndarray:
        """Move a planted job back in time so that its key event is old enough to be a finding."""
        m = cat == _CAT[rule]
        k = int(m.sum())
        delta = np.where(key[m] > latest, latest - key[m] - u(0, 30, k), 0)
        for e in events:
            e[m] += delta
        return m

    m = shift("won-not-invoiced", t_won, -8)
    for e in (t_dep_inv, t_dep_pay, t_book, t_start, t_done, t_fin, t_fin_pay):
        e[m] = NEVER
    t_job[m & (rng.random(n) < 0.5)] = NEVER  # half never reached Jobber at all
    m = shift("paid-not-scheduled", t_dep_pay, -4)
    for e in (t_book, t_start, t_done, t_fin, t_fin_pay):
        e[m] = NEVER
    m = shift("schedule-passed-not-complete", t_start, -4)
    for e in (t_done, t_fin, t_fin_pay):
        e[m] = NEVER
    m = shift("complete-not-invoiced", t_done, -4)
    for e in (t_fin, t_fin_pay):
        e[m] = NEVER
    m = shift("invoice-overdue", t_fin + 30, -15)
    t_fin_pay[m] = NEVER
    shift("paid-crm-open", t_fin_pay, -8)
    shift("amount-mismatch", t_fin, -1)
    shift("orphan-job", t_job, -8)
    # lost-but-active: booked in the last weeks, visit still ahead, and the deal marked lost since.
    m = cat == _CAT["lost-but-active"]
    k = int(m.sum())
    delta = -u(1, 21, k) - t_book[m]
    for e in events:
        e[m] += delta
    gap = np.maximum(u(1, 31, k) - t_start[m], 0)  # push the visit past AS_OF
    for e in (t_start, t_done, t_fin, t_fin_pay):
        e[m] += gap
    t_lost[m] = t_book[m] + (rng.random(k) * (-t_book[m] + 1)).astype(np.int64)

    # Deals carry the Jobber job number, except 10% of clean single-job customers with an
    # email, which the linker has to match by name and email. Planted cases always carry it,
    # so what the manifest promises does not hang on fuzzy matching.
    jobs_per_cust = np.bincount(cust[~orphan], minlength=n_cust)
    single = np.zeros(n, dtype=bool)
    single[~orphan] = (jobs_per_cust[cust[~orphan]] == 1) & people.has_email[cust[~orphan]]
    deal_jobref = ~(single & (cat == 0) & (rng.random(n) < 0.10))

    # Pipeline deals that never became jobs: open, or lost.
    nx = n_open + n_lost
    x_created = -u(0, span, nx)
    x_stage = np.concatenate([u(0, len(OPEN_STAGES), n_open), np.full(n_lost, -1)])
    x_close = np.where(x_stage >= 0, x_created + u(14, 61, nx), np.minimum(x_created + u(3, 41, nx), 0))
    x_jtype = u(0, len(JOB_TYPES), nx)
    x_amount = (np.round(np.array([v for _, v in JOB_TYPES])[x_jtype] * rng.lognormal(0, 0.35, nx) / 5) * 500).astype(np.int64)

    # Invoices no job or deal explains (a business customer billed straight from QuickBooks).
    n_oi = counts["orphan-invoice"]
    o_date = -u(10, 41, n_oi)

    return Business(
        n_jobs=n, seed=seed, span=span, people=people, cat=cat, cust=cust, company=company, jtype=jtype,
        value=value, deal_amount=deal_amount, deposit=deposit, final=final, t_deal=t_deal, t_won=t_won,
        t_lost=t_lost, t_dep_inv=t_dep_inv, t_dep_pay=t_dep_pay, t_job=t_job, t_book=t_book, t_start=t_start,
        t_done=t_done, t_fin=t_fin, t_fin_pay=t_fin_pay, deal_jobref=deal_jobref,
        deal_minute=u(7 * 60, 19 * 60, n), sales=u(0, len(SALES), n), crew=u(0, len(CREWS), n),
        lead=u(0, len(LEAD_SOURCES), n), title_style=rng.choice(3, n, p=[0.7, 0.2, 0.1]),
        x_cust=n_cust + np.arange(nx), x_created=x_created, x_close=x_close, x_stage=x_stage,
        x_amount=np.maximum(x_amount, 9500), x_jtype=x_jtype,
        o_company=np.arange(n_oi), o_date=o_date,
        o_amount=(np.round(rng.lognormal(np.log(1800), 0.6, n_oi) / 5) * 500).astype(np.int64),
    )


# ----------------------------------------------------------------------------- who, as each tool writes it


class _Names:
    """Text for customers, as each tool spells them (built once per business, taken per row)."""

    def __init__(self, b: Business) -> None:
        p = b.people
        first, last = _pick(FIRST, p.first), _pick(LAST, p.last)
        initial = _pick([chr(65 + i) for i in range(26)], np.maximum(p.middle, 0))
        has_mid = p.middle >= 0
        given = _when(has_mid, _cat(first, " ", initial, "."), first)
        #: Jobber: "John A. Smith"
        self.jobber = _cat(given, " ", last)
        #: QuickBooks display name: "John A. Smith" or "Smith, John A."
        self.qbo = _when(p.qbo_style == 1, _cat(last, ", ", given), self.jobber)
        local = _cat(pc.utf8_lower(first), ".", pc.utf8_lower(last), _s(p.email_n))
        domain = _pick(DOMAINS, p.domain)
        email = _cat(local, "@", domain)
        self.email = _null_where(email, ~p.has_email)
        # HubSpot shows the contact's email as it was typed into the form.
        titled = _cat(first, ".", last, _s(p.email_n), "@", pc.utf8_capitalize(domain))
        shown = _when(p.email_case == 1, titled, _when(p.email_case == 2, pc.utf8_upper(email), email))
        #: "Jane Doe (jane@example.com)"; 3% of contacts have no email in HubSpot ("Jane Doe")
        self.contact = _cat(first, " ", last, " (", shown, ")")
        self.contact_no_email = _cat(first, " ", last)
        self.hs_no_email = (np.arange(len(p.first)) * 2654435761 % 100) < 3
        self.last = last
        self.first_last = _cat(first, " ", last)
        area, num = _s(p.phone_area), p.phone_num
        exch, line = _s(num // 10000), _pad(num % 10000, 4)
        styles = [
            _cat("(", area, ") ", exch, "-", line), _cat(area, "-", exch, "-", line), _cat(area, ".", exch, ".", line),
            _cat(area, exch, line), _cat("+1 ", area, "-", exch, "-", line),
        ]
        phone = styles[4]
        for i in (3, 2, 1, 0):
            phone = _when(p.phone_style == i, styles[i], phone)
        self.phone = phone
        city = np.array(p.city)
        self.street = _cat(_s(p.street_no), " ", _pick(STREETS, p.street), " ", _pick(STREET_TYPES, p.street_type))
        self.city = _pick([c[0] for c in CITIES], city)
        self.province = _when(p.state_long, _pick([c[2] for c in CITIES], city), _pick([c[1] for c in CITIES], city))
        zip_prefix = np.array([c[3] for c in CITIES])[city]
        self.zip = _cat(_s(zip_prefix), _pad(p.zip_tail, 2))


def _company_names(n: int, pools: tuple[tuple[str, ...], ...], seed: int, salt: int) -> pa.Array:
    rng = np.random.default_rng([seed, salt])
    parts = [_pick(pool, rng.integers(0, len(pool), n)) for pool in pools]
    name = _cat(parts[0], " ", parts[1])
    return _when(pc.equal(parts[2], "").to_numpy(zero_copy_only=False), name, _cat(name, " ", parts[2]))


# ----------------------------------------------------------------------------- exports


@dataclass
class _Numbers:
    """Native numbers: Jobber job and quote numbers, HubSpot record ids, invoice numbers."""

    job_no: np.ndarray  #: per job, 0 = no Jobber job
    quote_no: np.ndarray
    dep_no: np.ndarray  #: per job, 0 = no deposit invoice
    fin_no: np.ndarray  #: per job, 0 = no final invoice
    orphan_no: np.ndarray  #: per orphan invoice


def _rank(keys: np.ndarray) -> np.ndarray:
    """1-based rank of each element in stable sorted order."""
    r = np.empty(len(keys), dtype=np.int64)
    r[np.argsort(keys, kind="stable")] = np.arange(1, len(keys) + 1)
    return r


def _numbers(b: Business) -> _Numbers:
    has_job = b.t_job <= 0
    job_no = np.zeros(b.n_jobs, dtype=np.int64)
    job_no[has_job] = _rank(b.t_job[has_job])
    quote_no = np.zeros(b.n_jobs, dtype=np.int64)
    quoted = has_job & (b.company < 0)
    quote_no[quoted] = 100 + _rank(b.t_won[quoted])
    # One invoice sequence in QuickBooks, in date order: deposits raised there, finals synced
    # from Jobber under their Jobber number, and the invoices nobody can explain.
    has_dep = (b.t_dep_inv <= 0) & (b.deposit > 0)
    has_fin = b.t_fin <= 0
    dates = np.concatenate([b.t_dep_inv[has_dep], b.t_fin[has_fin], b.o_date])
    no = 1000 + _rank(dates)
    n_dep, n_fin = int(has_dep.sum()), int(has_fin.sum())
    dep_no = np.zeros(b.n_jobs, dtype=np.int64)
    fin_no = np.zeros(b.n_jobs, dtype=np.int64)
    dep_no[has_dep] = no[:n_dep]
    fin_no[has_fin] = no[n_dep: n_dep + n_fin]
    return _Numbers(job_no=job_no, quote_no=quote_no, dep_no=dep_no, fin_no=fin_no, orphan_no=no[n_dep + n_fin:])


def _deal_rows(b: Business, names: _Names, nums: _Numbers) -> tuple[_Table, dict[str, Any]]:
    """HubSpot deals: one per job that has a deal, plus the pipeline deals that never became jobs."""
    jobs = np.flatnonzero(b.company < 0)
    nj, nx = len(jobs), len(b.x_cust)
    created = np.concatenate([b.t_deal[jobs], b.x_created])
    order = np.argsort(created, kind="stable")
    # per deal (in the concatenated order), then per row (in created order)
    cust = np.concatenate([b.cust[jobs], b.x_cust])
    jtype = np.concatenate([b.jtype[jobs], b.x_jtype])
    amount = np.concatenate([b.deal_amount[jobs], b.x_amount])
    cat = np.concatenate([b.cat[jobs], np.zeros(nx, dtype=np.int8)])
    won = np.concatenate([b.t_won[jobs] <= 0, np.zeros(nx, dtype=bool)])
    # stage: -1 lost, -2 won, else an open stage
    rng = np.random.default_rng([b.seed, 11])
    stage = np.concatenate([rng.integers(0, len(OPEN_STAGES), nj), b.x_stage])
    stage = np.where(won, -2, stage)
    stage = np.where(cat == _CAT["paid-crm-open"], OPEN_STAGES.index("Contract Sent"), stage)
    stage = np.where(cat == _CAT["lost-but-active"], -1, stage)
    close = np.concatenate([np.where(b.t_lost[jobs] < NEVER, b.t_lost[jobs], b.t_won[jobs]), b.x_close])
    jobref = np.concatenate([np.where(b.deal_jobref[jobs], nums.job_no[jobs], 0), np.zeros(nx, dtype=np.int64)])
    minute = np.concatenate([b.deal_minute[jobs], rng.integers(7 * 60, 19 * 60, nx)])
    sales = np.concatenate([b.sales[jobs], rng.integers(0, len(SALES), nx)])
    style = np.concatenate([b.title_style[jobs], rng.choice(3, nx, p=[0.7, 0.2, 0.1])])
    record_id = 15_300_000_000 + np.arange(nj + nx) * 13 + (np.arange(nj + nx) * 7) % 11

    stage_pool = [*OPEN_STAGES, "Closed Won", "Closed Lost"]  # -2 won, -1 lost: counted from the end

    def block(rows: np.ndarray) -> list[pa.Array]:
        k = order[rows]
        c = cust[k]
        title = _pick([t for t, _ in JOB_TYPES], jtype[k])
        last, full = pc.take(names.last, c), pc.take(names.first_last, c)
        st = style[k]
        deal_name = _when(st == 0, _cat(last, " – ", title),
                          _when(st == 1, _cat(full, " - ", title), _cat(title, " (", last, ")")))
        ref = jobref[k]
        return [
            _s(record_id[rows]),
            deal_name,
            _pick(stage_pool, np.where(stage[k] < 0, len(stage_pool) + stage[k], stage[k])),
            pa.array(["Sales Pipeline"] * len(k)),
            _money_float(amount[k], drop_zero=True),
            _datetime_hubspot(close[k], (minute[k] + 137) % (24 * 60)),
            _datetime_hubspot(created[k], minute[k]),
            _pick(SALES, sales[k]),
            _null_where(_s(ref), ref == 0),
            # A deal without the job number keeps its contact's email: that is what it is matched by.
            _when(names.hs_no_email[c] & (ref > 0), pc.take(names.contact_no_email, c), pc.take(names.contact, c)),
        ]

    position = np.empty(nj + nx, dtype=np.int64)
    position[order] = np.arange(nj + nx)
    deal_id = np.zeros(b.n_jobs, dtype=np.int64)
    deal_id[jobs] = record_id[position[:nj]]
    counts = {
        "_deal_id": deal_id,
        "deals": nj + nx,
        "deals_won": int((stage == -2).sum()),
        "deals_lost": int((stage == -1).sum()),
        "deals_open": int((stage >= 0).sum()),
        "deals_with_job_ref": int((jobref > 0).sum()),
    }
    return _Table(HUBSPOT_HEADER, nj + nx, block), counts


def _qbo_invoice_rows(b: Business, names: _Names, nums: _Numbers) -> tuple[_Table, dict[str, Any]]:
    """QuickBooks invoices: deposits, synced finals, orphans; in date (= number) order."""
    dep = np.flatnonzero(nums.dep_no > 0)
    fin = np.flatnonzero(nums.fin_no > 0)
    no = np.concatenate([nums.dep_no[dep], nums.fin_no[fin], nums.orphan_no])
    kind = np.concatenate([np.zeros(len(dep), np.int8), np.ones(len(fin), np.int8), np.full(len(nums.orphan_no), 2, np.int8)])
    job = np.concatenate([dep, fin, np.zeros(len(nums.orphan_no), np.int64)])
    date = np.concatenate([b.t_dep_inv[dep], b.t_fin[fin], b.o_date])
    due = np.concatenate([b.t_dep_inv[dep], b.t_fin[fin] + 30, b.o_date + 30])
    amount = np.concatenate([b.deposit[dep], b.final[fin], b.o_amount])
    paid = np.concatenate([b.t_dep_pay[dep] <= 0, b.t_fin_pay[fin] <= 0, np.zeros(len(nums.orphan_no), bool)])
    balance = np.where(paid, 0, amount)
    order = np.argsort(no, kind="stable")
    companies = _company_names(len(nums.orphan_no), INV_CO, b.seed, 21)
    job_companies = _company_names(int((b.company >= 0).sum()), JOB_CO, b.seed, 22)
    titles = [t for t, _ in JOB_TYPES]

    def block(rows: np.ndarray) -> list[pa.Array]:
        k = order[rows]
        kd, jb = kind[k], job[k]
        person = pc.take(names.qbo, np.maximum(b.cust[jb], 0))
        company_of_job = pc.take(job_companies, np.maximum(b.company[jb], 0))
        orphan_idx = np.maximum(k - len(dep) - len(fin), 0)
        name = _when(kd == 2, pc.take(companies, orphan_idx), _when(b.company[jb] >= 0, company_of_job, person))
        memo = _when(kd == 0, _cat("Deposit 30% – Job #", _s(nums.job_no[jb])),
                     _when(kd == 1, _pick(titles, b.jtype[jb]),
                           _pick(("Consultation", "Service call", "Materials", "Annual maintenance plan"), orphan_idx % 4)))
        return [
            _date_qbo(date[k]), pa.array(["Invoice"] * len(k)), _s(no[k]), name, memo,
            _date_qbo(due[k]), _money_qbo(amount[k]), _money_qbo(balance[k]),
        ]

    meta = {
        "qbo_invoices": len(no), "qbo_deposit_invoices": len(dep), "qbo_final_invoices": len(fin),
        "qbo_orphan_invoices": len(nums.orphan_no),
        "qbo_invoice_total_cents": int(amount.sum()), "qbo_open_balance_cents": int(balance.sum()),
        "first_day": int(date.min()),
    }
    return _Table(QBO_INVOICE_HEADER, len(no), block), meta


def _qbo_payment_rows(b: Business, names: _Names, nums: _Numbers) -> tuple[_Table, dict[str, Any]]:
    """QuickBooks Payment rows: deposits and finals paid by AS_OF, in date order."""
    dep = np.flatnonzero((nums.dep_no > 0) & (b.t_dep_pay <= 0))
    fin = np.flatnonzero((nums.fin_no > 0) & (b.t_fin_pay <= 0))
    job = np.concatenate([dep, fin])
    date = np.concatenate([b.t_dep_pay[dep], b.t_fin_pay[fin]])
    inv = np.concatenate([nums.dep_no[dep], nums.fin_no[fin]])
    amount = np.concatenate([b.deposit[dep], b.final[fin]])
    order = np.lexsort((inv, date))
    rng = np.random.default_rng([b.seed, 31])
    cheque = np.where(rng.random(len(job)) < 0.35, rng.integers(1001, 9999, len(job)), 0)
    account = rng.random(len(job)) < 0.7
    job_companies = _company_names(int((b.company >= 0).sum()), JOB_CO, b.seed, 22)

    def block(rows: np.ndarray) -> list[pa.Array]:
        k = order[rows]
        jb, n = job[k], inv[k]
        name = _when(b.company[jb] >= 0, pc.take(job_companies, np.maximum(b.company[jb], 0)),
                     pc.take(names.qbo, np.maximum(b.cust[jb], 0)))
        ns = _s(n)
        memo = _when(n % 3 == 0, _cat("Payment for Invoice #", ns), _when(n % 3 == 1, _cat("Inv ", ns), _cat("Invoice #", ns)))
        return [
            _date_qbo(date[k]), pa.array(["Payment"] * len(k)), _null_where(_s(cheque[k]), cheque[k] == 0),
            pa.array(["Yes"] * len(k)), name, memo,
            _when(account[k], "Undeposited Funds", "Checking"), pa.array(["Accounts Receivable (A/R)"] * len(k)),
            _money_qbo(amount[k]),
        ]

    meta = {"qbo_payments": len(job), "qbo_payment_total_cents": int(amount.sum()),
            "first_day": int(date.min()) if len(date) else 0}
    return _Table(QBO_PAYMENT_HEADER, len(job), block), meta


def _jobber_job_rows(b: Business, names: _Names, nums: _Numbers) -> tuple[_Table, dict[str, int]]:
    """Jobber jobs (full export): every job created by AS_OF, by job number."""
    jobs = np.flatnonzero(nums.job_no > 0)
    order = jobs[np.argsort(nums.job_no[jobs], kind="stable")]
    rng = np.random.default_rng([b.seed, 41])
    n = b.n_jobs
    r = rng.random((6, n))
    crew2 = rng.integers(0, len(CREWS), n)
    permit = rng.integers(10000, 99999, n)
    gate = rng.integers(1000, 9999, n)
    done = b.t_done <= 0
    v = b.value.astype(np.float64)
    expenses = np.where(done, np.round(v * r[0] * 0.1), 0).astype(np.int64)
    labour = np.where(done, np.round(v * (0.2 + 0.2 * r[1])), 0).astype(np.int64)
    items = np.where(done, np.round(v * (0.15 + 0.2 * r[2])), 0).astype(np.int64)
    costs = expenses + labour + items
    profit = b.value - costs
    pct10 = np.round(profit * 1000 / np.maximum(b.value, 1)).astype(np.int64)
    minutes = (labour * 60 // 5500) // 15 * 15
    job_companies = _company_names(int((b.company >= 0).sum()), JOB_CO, b.seed, 22)
    co_email = _cat("office@", pc.replace_substring(pc.utf8_lower(job_companies), " ", ""), ".com")
    rng_co = np.random.default_rng([b.seed, 42])
    n_co = len(job_companies)
    co_phone = _cat("(503) ", _s(rng_co.integers(200, 999, n_co)), "-", _pad(rng_co.integers(0, 9999, n_co), 4))
    co_street = _cat(_s(rng_co.integers(100, 9999, n_co)), " ", _pick(STREETS, rng_co.integers(0, len(STREETS), n_co)), " Blvd")
    titles = [t for t, _ in JOB_TYPES]

    def block(rows: np.ndarray) -> list[pa.Array]:
        k = order[rows]
        is_co = b.company[k] >= 0
        c, co = np.maximum(b.cust[k], 0), np.maximum(b.company[k], 0)

        def who(person: pa.Array, company: pa.Array) -> pa.Array:
            return _when(is_co, pc.take(company, co), pc.take(person, c))

        street = who(names.street, co_street)
        city = _when(is_co, "Portland", pc.take(names.city, c))
        province = _when(is_co, "OR", pc.take(names.province, c))
        zipc = _when(is_co, "97201", pc.take(names.zip, c))
        title = _pick(titles, b.jtype[k])
        booked, closed, fin = b.t_book[k] <= 0, done[k], nums.fin_no[k]
        visits = _when(r[3][k] < 0.4, _cat(_pick(CREWS, b.crew[k]), ", ", _pick(CREWS, crew2[k])), _pick(CREWS, b.crew[k]))
        return [
            _s(nums.job_no[k]),
            who(names.jobber, job_companies),
            _when(is_co, "", _pick(LEAD_SOURCES, b.lead[k])),
            who(names.email, co_email),
            who(names.phone, co_phone),
            street, city, province, zipc,
            _when(r[4][k] < 0.1, _pick(("Main house", "Rental unit", "Cabin", "Duplex A"), b.crew[k] % 4), ""),
            street, city, province, zipc,
            title,
            _date_jobber(b.t_job[k]),
            _date_jobber(b.t_start[k], ~booked),
            _date_jobber(b.t_done[k], ~closed),
            _pick(SALES, b.sales[k]),
            _when(r[5][k] < 0.6, _cat(title, ", Materials"), title),
            _when(booked, visits, ""),
            _null_where(_s(fin), fin == 0),
            _null_where(_s(nums.quote_no[k]), nums.quote_no[k] == 0),
            _when(r[5][k] > 0.97, "Yes", "No"),
            _money_float(expenses[k]),
            _cat(_s(minutes[k] // 60), "h ", _s(minutes[k] % 60), "m"),
            _money_float(labour[k]),
            _money_float(items[k]),
            _money_float(costs[k]),
            pa.array(["0.0"] * len(k)),
            _money_float(b.value[k]),
            _money_float(profit[k]),
            _cat(_s(pct10[k] // 10), ".", _s(pct10[k] % 10), "%"),
            _cat("Crew ", _pick(("A", "B", "C", "D"), b.crew[k] % 4)),
            _when(r[0][k] < 0.2, _cat("BP-", _s(2024 + b.crew[k] % 3), "-", _s(permit[k])), ""),
            _when(r[1][k] < 0.1, _s(gate[k]), ""),
            _when(r[2][k] < 0.5, "12", _when(r[2][k] < 0.7, "24", "")),
        ]

    meta = {"jobber_jobs": len(order), "jobber_jobs_scheduled": int((b.t_book[order] <= 0).sum()),
            "jobber_jobs_closed": int(done[order].sum())}
    return _Table(JOBBER_JOB_HEADER, len(order), block), meta


def _jobber_invoice_rows(b: Business, names: _Names, nums: _Numbers) -> tuple[_Table, dict[str, int]]:
    """Jobber invoices: the final invoice of every job invoiced by AS_OF, by number."""
    fin = np.flatnonzero(nums.fin_no > 0)
    order = fin[np.argsort(nums.fin_no[fin], kind="stable")]
    job_companies = _company_names(int((b.company >= 0).sum()), JOB_CO, b.seed, 22)
    paid = b.t_fin_pay <= 0
    past_due = ~paid & (b.t_fin + 30 < 0)

    def block(rows: np.ndarray) -> list[pa.Array]:
        k = order[rows]
        is_co = b.company[k] >= 0
        c, co = np.maximum(b.cust[k], 0), np.maximum(b.company[k], 0)

        def who(person: pa.Array, company: pa.Array | str) -> pa.Array:
            comp = pc.take(company, co) if isinstance(company, pa.Array) else company
            return _when(is_co, comp, pc.take(person, c))

        status = _when(paid[k], "Paid", _when(past_due[k], "Past Due", "Awaiting Payment"))
        return [
            _s(nums.fin_no[k]),
            who(names.jobber, job_companies),
            _when(is_co, "", pc.take(names.email, c)),
            _when(is_co, "", pc.take(names.phone, c)),
            _when(is_co, "-", pc.take(names.street, c)),
            _when(is_co, "-", pc.take(names.city, c)),
            _when(is_co, "-", pc.take(names.province, c)),
            _when(is_co, "-", pc.take(names.zip, c)),
            _date_jobber(b.t_fin[k]),
            _date_jobber(b.t_fin[k] + 30),
            _s(nums.job_no[k]),
            status,
            _money_float(b.final[k]),
            _money_float(np.where(paid[k], 0, b.final[k])),
        ]

    meta = {"jobber_invoices": len(order), "jobber_invoices_paid": int(paid[order].sum()),
            "jobber_invoices_past_due": int(past_due[order].sum())}
    return _Table(JOBBER_INVOICE_HEADER, len(order), block), meta


# ----------------------------------------------------------------------------- the folder


def _qbo_frame(title: str, width: int, first_day: int) -> tuple[list[str], Callable[[list[str]], list[str]]]:
    """The preamble of a QuickBooks report, and a function giving its footer after a TOTAL row."""
    pad = "," * (width - 1)
    start = AS_OF + dt.timedelta(days=first_day)
    period = f"January 1, {start.year} - {MONTHS_LONG[AS_OF.month - 1]} {AS_OF.day}, {AS_OF.year}"
    preamble = [_csv_line([COMPANY]) + pad, title + pad, _csv_line([period]) + pad, ""]
    stamp = f"Accrual Basis {AS_OF.strftime('%A')}, {MONTHS_LONG[AS_OF.month - 1]} {AS_OF.day}, {AS_OF.year} 04:19 PM GMT-08:00"

    def footer(total_row: list[str]) -> list[str]:
        return [_csv_line(total_row), "", "", "", _csv_line([stamp]) + pad]

    return preamble, footer


def _config_text(n_jobs: int, seed: int) -> str:
    return (
        "# A synthetic business written by bench/generate.py; the audit date is pinned so a scan of\n"
        "# this folder gives the same findings on any day.\n"
        f'business = "Harbor & Pine Renovations (synthetic, {n_jobs} jobs, seed {seed})"\n'
        f'as_of = "{AS_OF.isoformat()}"\n'
        'fail_on = "never"\n'
    )


def _examples(b: Business, nums: _Numbers, deal_id: np.ndarray, names: _Names, limit: int = 5) -> dict[str, list[dict[str, Any]]]:
    """A few planted cases per rule, to find them again in a report."""
    out: dict[str, list[dict[str, Any]]] = {}
    job_companies = _company_names(int((b.company >= 0).sum()), JOB_CO, b.seed, 22)
    for rule in _JOB_RULES:
        rows = []
        for j in np.flatnonzero(b.cat == _CAT[rule])[:limit]:
            who = job_companies[int(b.company[j])] if b.company[j] >= 0 else names.jobber[int(b.cust[j])]
            rows.append({
                "customer": who.as_py(),
                "jobber_job": int(nums.job_no[j]) or None,
                "hubspot_deal": int(deal_id[j]) or None,
                "invoices": [int(x) for x in (nums.dep_no[j], nums.fin_no[j]) if x],
            })
        out[rule] = rows
    out["orphan-invoice"] = [{"invoice": int(x)} for x in nums.orphan_no[:limit]]
    return out


def generate(n_jobs: int, out: Path, seed: int = 1) -> dict[str, Any]:
    """Write one business of ``n_jobs`` jobs into ``out`` and return its manifest.

    Args:
        n_jobs: how many jobs the business has done or has in flight (at least 50).
        out: the folder to write (created; existing exports in it are overwritten).
        seed: the random seed; the same (n_jobs, seed) gives byte-identical files.

    Returns:
        The manifest (also written as ``out/manifest.json``): files with rows and bytes,
        record counts, planted drift per rule with examples, and the generation time.
    """
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    b = build(n_jobs, seed)
    names = _Names(b)
    nums = _numbers(b)

    deals, deal_meta = _deal_rows(b, names, nums)
    deal_id = deal_meta.pop("_deal_id")
    _write_table(out / FILES["hubspot_deals"], deals, quote_all=True)

    inv, inv_meta = _qbo_invoice_rows(b, names, nums)
    pre, foot = _qbo_frame("Invoice List by Date", len(QBO_INVOICE_HEADER), inv_meta.pop("first_day"))
    total = ["TOTAL", "", "", "", "", "", _money_total(inv_meta["qbo_invoice_total_cents"]),
             _money_total(inv_meta["qbo_open_balance_cents"])]
    _write_table(out / FILES["qbo_invoices"], inv, eol="\r\n", preamble=pre, footer=foot(total))

    pay, pay_meta = _qbo_payment_rows(b, names, nums)
    pre, foot = _qbo_frame("Transaction List by Date", len(QBO_PAYMENT_HEADER), pay_meta.pop("first_day"))
    total = ["TOTAL", *[""] * 7, _money_total(pay_meta["qbo_payment_total_cents"])]
    _write_table(out / FILES["qbo_payments"], pay, eol="\r\n", preamble=pre, footer=foot(total))

    jobs, job_meta = _jobber_job_rows(b, names, nums)
    _write_table(out / FILES["jobber_jobs"], jobs)
    jinv, jinv_meta = _jobber_invoice_rows(b, names, nums)
    _write_table(out / FILES["jobber_invoices"], jinv, bom=True)

    (out / "driftcheck.toml").write_text(_config_text(n_jobs, seed), encoding="utf-8")
    planted = _planted_counts(n_jobs)
    rows = {"hubspot_deals": deals.rows, "qbo_invoices": inv.rows, "qbo_payments": pay.rows,
            "jobber_jobs": jobs.rows, "jobber_invoices": jinv.rows}
    manifest: dict[str, Any] = {
        "generator": GENERATOR,
        "jobs": n_jobs,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "span_days": b.span,
        "files": {
            kind: {"name": FILES[kind], "rows": rows[kind], "bytes": (out / FILES[kind]).stat().st_size}
            for kind in FILES
        },
        "records": {**deal_meta, **inv_meta, **pay_meta, **job_meta, **jinv_meta},
        "planted": planted,
        "planted_total": sum(planted.values()),
        "planted_share_of_jobs": round(sum(planted.values()) / n_jobs, 4),
        "examples": _examples(b, nums, deal_id, names),
    }
    manifest["seconds"] = round(time.perf_counter() - t0, 3)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """``python bench/generate.py --jobs N --out DIR [--seed S]``."""
    ap = argparse.ArgumentParser(description="Write a synthetic contractor business as HubSpot, QuickBooks and Jobber exports.")
    ap.add_argument("--jobs", type=int, required=True, help="number of jobs (at least 50)")
    ap.add_argument("--out", type=Path, required=True, help="folder to write the exports into")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    if args.jobs < 50:
        ap.error("--jobs must be at least 50")
    m = generate(args.jobs, args.out, args.seed)
    size = sum(f["bytes"] for f in m["files"].values())
    print(f"{args.out}: {m['jobs']} jobs, {sum(f['rows'] for f in m['files'].values())} rows, "
          f"{size / 1e6:.1f} MB, {m['planted_total']} planted drift cases, {m['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
