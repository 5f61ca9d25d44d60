"""A labelled matching test set: a contractor's HubSpot, QuickBooks and Jobber records with the truth.

:func:`make_labelled_set` builds, from a fixed seed, the record frames three real
tools would hold for one home-services business over a year: CRM deals (some with
the contact, some named only "Smith – Kitchen remodel"), Jobber jobs, invoices,
payments and quote deposits, and QuickBooks invoices and payments (some synced from
Jobber with the same numbers, some typed by hand with their own numbering and a memo,
or none). Every record carries the true job it belongs to, held aside in ``truth``.

The difficulties the issue lists are built in on purpose, and listed in ``planted``:
name variants ("Smith, John", nicknames, honorifics, accents dropped), typos, missing
emails, shared surnames, relatives at one address, customers with two or three jobs,
a company and its owner sharing a phone, two different customers called "Chris Lee"
(and two "Maria Garcia"), a customer with two open jobs of equal value, and customers
entered twice in one system (the duplicates).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from driftcheck.records import conform

FIRST = [
    # (formal, nickname or None, gender)
    ("Robert", "Bob"), ("William", "Bill"), ("Katherine", "Kathy"), ("Michael", "Mike"), ("Elizabeth", "Liz"),
    ("James", "Jim"), ("Richard", "Rick"), ("Jennifer", "Jen"), ("Thomas", "Tom"), ("Margaret", "Maggie"),
    ("Joseph", "Joe"), ("Daniel", "Dan"), ("David", "Dave"), ("Susan", "Sue"), ("Steven", "Steve"),
    ("Anthony", "Tony"), ("Matthew", "Matt"), ("Andrew", "Andy"), ("Patricia", "Trish"), ("Deborah", "Debbie"),
    ("John", None), ("Mary", None), ("Linda", None), ("Karen", None), ("Brian", None), ("Kevin", None),
    ("Laura", None), ("Nancy", None), ("Paul", None), ("Mark", None), ("Sarah", None), ("Emily", None),
    ("José", None), ("Zoë", None), ("Renée", None), ("François", None), ("Chloé", None), ("Priya", None),
    ("Wei", None), ("Olivia", None), ("Ethan", None), ("Grace", None), ("Hannah", None), ("Noah", None),
    ("Aaron", None), ("Rachel", None), ("Helen", None), ("Carlos", None), ("Ana", None), ("Ivan", None),
]
# surnames with Zipf-like weights: a real customer list repeats Smith, Johnson, Lee...
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker",
    "Peña", "Müller", "O'Brien", "McDonald", "Nguyen", "Kowalski", "Schäfer", "Dubois", "Okafor", "Fitzgerald",
    "Van Dyke", "Hernández", "Rossi", "Novak", "Lindqvist", "Brennan", "Castillo", "Ibrahim", "Sato", "Walsh",
]
STREETS = [
    ("Oak", "Street"), ("Maple", "Avenue"), ("Cedar", "Lane"), ("Pine", "Road"), ("Elm", "Street"),
    ("Birch", "Drive"), ("Willow", "Court"), ("Lakeview", "Boulevard"), ("Hillcrest", "Drive"), ("Sunset", "Avenue"),
    ("Park", "Place"), ("River", "Road"), ("Chestnut", "Street"), ("Highland", "Avenue"), ("Meadow", "Lane"),
    ("Spruce", "Terrace"), ("Forest", "Circle"), ("Harbor", "Way"), ("Ridge", "Road"), ("Main", "Street"),
]
STREET_ABBR = {"Street": "St", "Avenue": "Ave", "Lane": "Ln", "Road": "Rd", "Drive": "Dr", "Court": "Ct",
               "Boulevard": "Blvd", "Place": "Pl", "Terrace": "Ter", "Circle": "Cir", "Way": "Way"}
WORK = [
    ("Kitchen remodel", 18000, 60000), ("Bathroom renovation", 9000, 30000), ("Deck rebuild", 6000, 22000),
    ("Roof repair", 900, 8000), ("Gutter cleaning", 200, 600), ("Fence installation", 2500, 9000),
    ("Basement waterproofing", 4000, 15000), ("Window replacement", 3000, 18000), ("Exterior painting", 3500, 12000),
    ("HVAC service", 250, 1200), ("Water heater install", 1400, 3500), ("Drywall repair", 300, 2500),
    ("Patio pavers", 4000, 16000), ("Siding repair", 1500, 7000), ("Electrical panel upgrade", 2200, 5500),
]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "comcast.net"]
START = date(2025, 1, 6)


@dataclass
class Customer:
    key: str
    first: str
    last: str
    nick: str | None
    email: str | None
    phone: str | None
    street: tuple[int, str, str]
    company: str | None = None  #: set for a business customer (the party is the company)
    sync: bool = True  #: invoices reach QuickBooks through the Jobber sync (same numbers)
    qbo_name: str = ""
    jobber_name: str = ""
    hubspot_name: str = ""


@dataclass
class LabelledSet:
    """The records, the true job of every row, and what was planted where."""

    records: pd.DataFrame
    truth: pd.Series
    planted: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def jobs(self) -> int:
        """Number of true jobs that reached operations (Jobber)."""
        return int(self.records.loc[self.records["record_type"] == "job", "record_id"].nunique())


class _Builder:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.rows: list[dict[str, Any]] = []
        self.truth: list[str] = []
        self.next_job = 1040
        self.next_jobber_inv = 2300
        self.next_qbo_inv = 5100
        self.next_deal = 7_400_100_000
        self.next_quote = 310
        self.phones: set[str] = set()
        self.qbo_keys: dict[str, str] = {}
        self.emails: set[str] = set()
        self.planted: dict[str, list[Any]] = {
            "ambiguous": [], "duplicates": [], "relatives": [], "company_owner": [], "same_name": []
        }

    # ---- small helpers
    def phone(self) -> str:
        while True:
            p = f"{self.r.randint(201, 989)}{self.r.randint(200, 989)}{self.r.randint(1000, 9999)}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def email_for(self, first: str, last: str) -> str:
        import unicodedata

        def plain(s: str) -> str:
            return "".join(c for c in unicodedata.normalize("NFKD", s) if c.isalnum()).lower()

        style = self.r.choice(["{f}.{l}", "{f}{l}", "{fi}{l}", "{f}{l}{n}", "{l}.{f}"])
        local = style.format(f=plain(first), l=plain(last), fi=plain(first)[0], n=self.r.randint(1, 99))
        email = f"{local}@{self.r.choice(DOMAINS)}"
        while email in self.emails:  # a mailbox has one owner (households are planted on purpose)
            email = f"{local}{self.r.randint(1, 999)}@{self.r.choice(DOMAINS)}"
        self.emails.add(email)
        return email

    def fmt_phone(self, p: str | None, style: str) -> str | None:
        if p is None:
            return None
        a, b, c = p[:3], p[3:6], p[6:]
        return {
            "paren": f"({a}) {b}-{c}",
            "dots": f"{a}.{b}.{c}",
            "intl": f"+1 {a}-{b}-{c}",
            "plain": p,
            "one": f"1-{a}-{b}-{c}",
            "ext": f"({a}) {b}-{c} ext. {self.r.randint(10, 99)}",
        }[style]

    def case_variant(self, email: str | None) -> str | None:
        if email is None:
            return None
        local, dom = email.split("@")
        return self.r.choice([email, email.upper(), local.capitalize() + "@" + dom, f" {email} ", local.title() + "@" + dom.upper()])

    def typo(self, s: str) -> str:
        i = self.r.randint(1, max(1, len(s) - 2))
        kind = self.r.choice(["swap", "drop", "double"])
        if kind == "swap" and i < len(s) - 1:
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if kind == "drop":
            return s[:i] + s[i + 1:]
        return s[:i] + s[i] + s[i:]

    @staticmethod
    def ascii(s: str) -> str:
        import unicodedata

        return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))

    def street_text(self, st: tuple[int, str, str], style: str) -> str:
        n, name, kind = st
        if style == "long":
            return f"{n} {name} {kind}"
        if style == "abbr":
            return f"{n} {name} {STREET_ABBR[kind]}."
        return f"{n} {name.upper()} {STREET_ABBR[kind].upper()}"

    def add(self, truth: str, **row: Any) -> None:
        self.rows.append(row)
        self.truth.append(truth)

    # ---- customers
    def customer(self, key: str, first: str | None = None, last: str | None = None, **kw: Any) -> Customer:
        r = self.r
        if first is None:
            first, nick = r.choice(FIRST)
        else:
            nick = dict(FIRST).get(first)
        if last is None:
            last = r.choices(LAST, weights=[1 / (i + 1) ** 0.9 for i in range(len(LAST))])[0]
        email = kw.pop("email", self.email_for(first, last) if r.random() < 0.85 else None)
        phone = kw.pop("phone", self.phone() if r.random() < 0.93 else None)
        street = kw.pop("street", (r.randint(10, 9800), *r.choice(STREETS)))
        c = Customer(key, first, last, nick, email, phone, street, **kw)
        c.sync = kw.get("sync", r.random() < 0.55)
        # how each system writes the name
        full = f"{first} {last}"
        c.jobber_name = full if r.random() < 0.9 else f"{r.choice(['Mr.', 'Mrs.', 'Ms.', 'Dr.'])} {full}"
        hs_first = nick if (nick and r.random() < 0.35) else first
        c.hubspot_name = f"{hs_first} {last}"
        qf, ql = first, last
        if r.random() < 0.3:
            qf, ql = self.ascii(qf), self.ascii(ql)
        if r.random() < 0.07:
            ql = self.typo(ql)
        elif r.random() < 0.05:
            qf = self.typo(qf)
        if nick and r.random() < 0.2:
            qf = nick
        c.qbo_name = r.choice([f"{ql}, {qf}", f"{ql}, {qf}", f"{qf} {ql}", f"{qf} {ql}"])
        if c.company:
            c.jobber_name = c.hubspot_name = c.company
            c.qbo_name = r.choice([c.company, c.company.replace(" LLC", ""), c.company.replace(" LLC", ", L.L.C.")])
        self.unique_qbo_name(c)
        return c

    def unique_qbo_name(self, c: Customer) -> None:
        """QuickBooks refuses a second customer with a display name in use; offices add the street."""
        from driftcheck.normalize import parse_names

        key = parse_names(pd.Series([c.qbo_name]))["name_key"].iloc[0]
        if key in self.qbo_keys and self.qbo_keys[key] != c.key:
            c.qbo_name = f"{c.qbo_name} ({c.street[1]} {c.street[2]})"
        else:
            self.qbo_keys[key] = c.key

    # ---- one job's records
    def job(
        self,
        c: Customer,
        when: date,
        *,
        work: tuple[str, int, int] | None = None,
        total: float | None = None,
        state: str | None = None,
        deal: bool | None = None,
        deposit: bool | None = None,
        qbo_memo: str | None = None,
        truth: str | None = None,
        street: tuple[int, str, str] | None = None,
    ) -> dict[str, Any]:
        r = self.r
        jid = str(self.next_job)
        self.next_job += 1
        t = truth or f"T-{jid}"
        work = work or r.choice(WORK)
        title, lo, hi = work
        if total is None:
            total = round(r.uniform(lo, hi) / 5) * 5.0
        state = state or r.choices(
            ["completed", "in_progress", "scheduled", "unscheduled", "cancelled"], weights=[62, 10, 15, 9, 4]
        )[0]
        street = street or c.street
        jobber_email = self.case_variant(c.email) if r.random() < 0.85 else None
        jobber_phone = self.fmt_phone(c.phone, r.choice(["paren", "paren", "dots", "plain", "ext"]))
        addr = self.street_text(street, r.choice(["long", "abbr", "upper"]))
        deal_close = when - timedelta(days=r.randint(2, 25))
        created = when
        scheduled = created + timedelta(days=r.randint(3, 30)) if state != "unscheduled" else None
        completed = scheduled + timedelta(days=r.randint(1, 20)) if state == "completed" and scheduled else None
        quote = None
        has_deal = deal if deal is not None else r.random() < 0.85
        if has_deal:
            self.hubspot_deal(c, t, title, total, deal_close, "won", job_ref=jid if r.random() < 0.12 else None)
        use_deposit = deposit if deposit is not None else (total >= 2000 and r.random() < 0.45)
        dep_amount = round(total * r.choice([0.25, 0.3, 0.5]), 2) if use_deposit else 0.0
        if use_deposit:
            quote = str(self.next_quote)
            self.next_quote += 1
        self.add(
            t, source="jobber_jobs.csv", system="jobber", role="operations", record_type="job", record_id=jid,
            customer=c.jobber_name, company=None, email=jobber_email, phone=jobber_phone, address=addr,
            title=title, quote_refs=quote, state=state, amount=total, created=created, scheduled=scheduled,
            completed=completed, closed=completed,
        )
        if use_deposit:
            dep_date = deal_close + timedelta(days=r.randint(1, 6))
            if c.sync or r.random() < 0.5:
                # a Jobber quote deposit (Transactions export: Type=Deposit, "Payment applied to Estimate #N")
                self.add(
                    t, source="jobber_transactions.csv", system="jobber", role="operations", record_type="deposit",
                    record_id=f"TX{r.randint(10000, 99999)}", customer=c.jobber_name, quote_refs=quote,
                    amount=dep_amount, created=dep_date, state="received",
                )
            else:
                # a deposit invoice raised in QuickBooks by the CRM app, memo = the deal name
                self.qbo_invoice(c, t, dep_amount, dep_date, memo=f"{c.last} - {title} deposit", paid=True)
        if state == "completed" and completed:
            rest = round(total - dep_amount, 2)
            inv_date = completed + timedelta(days=r.randint(0, 6))
            paid = r.random() < 0.75
            self.jobber_invoice(c, t, jid, rest, inv_date, paid, memo=qbo_memo)
        return {"job": jid, "truth": t, "total": total, "date": created}

    def hubspot_deal(self, c: Customer, t: str, title: str, amount: float, close: date, state: str,
                     job_ref: str | None = None, contact: bool | None = None, with_phone: bool | None = None) -> str:
        r = self.r
        did = str(self.next_deal)
        self.next_deal += r.randint(1, 4000)
        contact = contact if contact is not None else r.random() < 0.8
        deal_amount = amount if r.random() < 0.75 else round(amount * r.uniform(0.9, 1.08) / 5) * 5
        if c.company:
            name_part = c.company.replace(" LLC", "")
        else:
            name_part = c.last if r.random() < 0.6 else f"{c.first} {c.last}"
        sep = r.choice([" – ", " - ", ": ", " | "])
        self.add(
            t, source="hubspot-crm-exports-all-deals-2025-12-31.csv", system="hubspot", role="crm", record_type="deal",
            record_id=did, customer=(c.first + " " + c.last if c.company else c.hubspot_name) if contact else None,
            company=c.company if contact else None,
            email=(c.email.lower() if c.email else None) if contact else None,
            phone=self.fmt_phone(c.phone, r.choice(["intl", "dots", "one"]))
            if contact and (with_phone if with_phone is not None else r.random() < 0.6)
            else None,
            title=f"{name_part}{sep}{title}", job_refs=job_ref, state=state, amount=deal_amount,
            created=close - timedelta(days=r.randint(5, 60)), closed=close if state != "open" else None,
        )
        return did

    def jobber_invoice(self, c: Customer, t: str, jid: str | None, amount: float, when: date, paid: bool,
                       memo: str | None = None) -> None:
        r = self.r
        iid = str(self.next_jobber_inv)
        self.next_jobber_inv += 1
        self.add(
            t, source="jobber_invoices.csv", system="jobber", role="operations", record_type="invoice",
            record_id=iid, customer=c.jobber_name, email=self.case_variant(c.email) if r.random() < 0.8 else None,
            phone=self.fmt_phone(c.phone, "paren"), address=self.street_text(c.street, "long"),
            job_refs=jid if (jid and r.random() < 0.96) else None, state="paid" if paid else "invoiced",
            amount=amount, balance=0.0 if paid else amount, created=when, due=when + timedelta(days=30),
            paid=when + timedelta(days=r.randint(3, 25)) if paid else None,
        )
        pay_date = self.rows[-1]["paid"]
        if paid:
            self.add(
                t, source="jobber_transactions.csv", system="jobber", role="operations", record_type="payment",
                record_id=f"TX{r.randint(10000, 99999)}", customer=c.jobber_name, invoice_refs=iid,
                amount=amount, created=pay_date, state="received",
            )
        if c.sync:
            # the Jobber -> QuickBooks sync: same invoice number, same amount and date
            self.qbo_invoice(c, t, amount, when, number=iid, paid=paid, pay_date=pay_date, memo="")
        else:
            # typed into QuickBooks by the office: its own numbering, a memo sometimes
            if memo is None:
                job_title = next(x["title"] for x in reversed(self.rows) if x.get("record_id") == jid) if jid else ""
                memo = r.choice([f"Job #{jid}", f"Job {jid}", f"{c.last} - {job_title}", job_title, "", "", ""])
            self.qbo_invoice(c, t, amount, when + timedelta(days=r.randint(0, 3)), paid=paid, memo=memo,
                             pay_date=pay_date)

    def qbo_invoice(self, c: Customer, t: str, amount: float, when: date, *, number: str | None = None,
                    paid: bool = True, pay_date: date | None = None, memo: str | None = "") -> str:
        r = self.r
        if number is None:
            number = str(self.next_qbo_inv)
            self.next_qbo_inv += 1
        job_refs = None
        if memo and memo.startswith("Job"):
            job_refs = memo.split()[-1].lstrip("#")  # the reader pulls "Job #1043" out of a memo
        self.add(
            t, source="QBO Invoice List.xlsx", system="quickbooks", role="accounting", record_type="invoice",
            record_id=number, customer=c.qbo_name, title=memo or None, job_refs=job_refs,
            state="paid" if paid else "invoiced", amount=amount, balance=0.0 if paid else amount, created=when,
            due=when + timedelta(days=30),
        )
        if paid:
            pd_ = pay_date or when + timedelta(days=r.randint(3, 30))
            self.add(
                t, source="QBO Payments.xlsx", system="quickbooks", role="accounting", record_type="payment",
                record_id=str(r.randint(100, 99999)) if r.random() < 0.5 else None, customer=c.qbo_name,
                invoice_refs=number if r.random() < 0.7 else None, amount=amount, created=pd_, state="received",
            )
            self.rows[-2]["paid"] = pd_
        return number


def make_labelled_set(seed: int = 20251126, customers: int = 215) -> LabelledSet:
    """Build the labelled set (deterministic for a seed). About 330 jobs across three tools."""
    b = _Builder(seed)
    r = b.r
    day = lambda: START + timedelta(days=r.randint(0, 330))  # noqa: E731
    pool: list[Customer] = []

    # --- ordinary customers, one to three jobs each
    for i in range(customers):
        c = b.customer(f"C{i}")
        pool.append(c)
        n = r.choices([1, 2, 3], weights=[60, 30, 10])[0]
        dates = sorted(day() for _ in range(n))
        for k, d in enumerate(dates):
            if k and (d - dates[k - 1]).days < 30:
                d = dates[k - 1] + timedelta(days=30 + r.randint(0, 40))
            b.job(c, d)

    # --- deals that never became jobs: lost quotes and open pipeline
    for i in range(30):
        c = r.choice(pool)
        title, lo, hi = r.choice(WORK)
        state = r.choice(["lost", "lost", "open"])
        b.hubspot_deal(c, f"T-deal-{i}", title, round(r.uniform(lo, hi) / 5) * 5, day(), state)

    # --- won, deposit invoiced in QuickBooks, no job yet (won but not scheduled)
    for i in range(8):
        c = b.customer(f"W{i}", sync=False)
        title, lo, hi = r.choice(WORK[:3])
        total = round(r.uniform(lo, hi) / 5) * 5
        close = day()
        t = f"T-won-{i}"
        b.hubspot_deal(c, t, title, total, close, "won", contact=True)
        b.qbo_invoice(c, t, round(total * 0.3, 2), close + timedelta(days=2), memo=f"{c.last} - {title} deposit")

    # --- relatives at one address: different first names, emails, phones; each their own jobs
    for i in range(6):
        last = ["Smith", "Johnson", "Nguyen", "Walsh", "Kowalski", "Brown"][i]
        street = (r.randint(10, 999), *r.choice(STREETS))
        a = b.customer(f"R{i}a", first=["John", "David", "Wei", "Paul", "Mark", "James"][i], last=last, street=street)
        c2 = b.customer(f"R{i}b", first=["Mary", "Linda", "Laura", "Helen", "Karen", "Nancy"][i], last=last, street=street)
        for c in (a, c2):
            b.job(c, day())
        b.planted["relatives"].append((a.jobber_name, c2.jobber_name))

    # --- a company and its owner: one phone, different emails, separate jobs
    for i, (first, last, trade) in enumerate(
        [("Dave", "Patel", "Electric"), ("Sam", "Okafor", "Roofing"), ("Linda", "Rossi", "Properties"),
         ("Ivan", "Novak", "Construction"), ("Grace", "Sato", "Dental")]
    ):
        owner = b.customer(f"O{i}", first=first, last=last)
        comp = b.customer(
            f"O{i}c", first=first, last=last, company=f"{last} {trade} LLC", phone=owner.phone,
            email=f"office@{last.lower()}{trade.lower()}.com",
        )
        b.job(owner, day())
        b.job(comp, day())
        b.job(comp, day())
        b.planted["company_owner"].append((comp.company, owner.jobber_name))

    # --- two different customers with one name: their hand-typed QuickBooks invoices are ambiguous
    for first, last in (("Chris", "Lee"), ("Maria", "Garcia")):
        twins = [b.customer(f"S{last}{k}", first=first, last=last, sync=False) for k in range(2)]
        twins[0].qbo_name = f"{first} {last}"
        twins[1].qbo_name = f"{first} {last} 2"  # QuickBooks wants unique names; "2" says nothing about which
        for c in twins:
            c.jobber_name = c.hubspot_name = f"{first} {last}"
            before = len(b.rows)
            b.job(c, day(), state="completed", deposit=False, qbo_memo="")
            for row in b.rows[before:]:
                if row["system"] == "quickbooks" and row["record_type"] == "invoice":
                    b.planted["ambiguous"].append((row["source"], row["record_id"]))
        b.planted["same_name"].append(f"{first} {last}")

    # --- one customer, two open jobs of equal value, and an invoice and payment naming neither
    for i in range(2):
        c = b.customer(f"E{i}", sync=False)
        d = day()
        for k in range(2):
            b.job(c, d + timedelta(days=k), work=("Gutter cleaning", 300, 300), total=350.0, state="scheduled",
                  deal=False, deposit=False, truth=f"T-eq{i}-{k}")
        # which job this bill was for cannot be told; the truth is one of them, the linker must not guess
        number = b.qbo_invoice(c, f"T-eq{i}-0", 350.0, d + timedelta(days=3), memo="", paid=False)
        b.planted["ambiguous"].append(("QBO Invoice List.xlsx", number))

    # --- duplicates: one real customer under two identities inside one system
    dup = b.customer("D1", first="John", last="Fairbanks", email=None)
    dup.jobber_name = "John Fairbanks"
    b.job(dup, day())
    dup.jobber_name = "Jon Fairbanks"  # re-created in Jobber with a typo; same phone
    b.job(dup, day())
    b.planted["duplicates"].append(("jobber", {"John Fairbanks", "Jon Fairbanks"}))

    dup2 = b.customer("D2", first="Katherine", last="Whitcombe")
    b.job(dup2, day())
    dup2.jobber_name, dup2.email, dup2.phone = "Kathy Whitcombe", b.email_for("Kathy", "Whitcombe"), b.phone()
    b.job(dup2, day())  # same house, new email and phone: entered again
    b.planted["duplicates"].append(("jobber", {"Katherine Whitcombe", "Kathy Whitcombe"}))

    dup3 = b.customer("D3", first="Robert", last="Lindgren", sync=False)
    dup3.qbo_name = "Lindgren, Robert"
    b.job(dup3, day(), state="completed")
    dup3.qbo_name = "Bob Lindgren"
    b.job(dup3, day(), state="completed")
    b.planted["duplicates"].append(("quickbooks", {"Lindgren, Robert", "Bob Lindgren"}))

    dup4 = b.customer("D4", first="Thomas", last="Quintero")
    for name, email in (("Thomas Quintero", dup4.email), ("Tom Quintero", b.email_for("Tom", "Quintero"))):
        # a second HubSpot contact for the same man: new email, same phone
        dup4.hubspot_name, dup4.email = name, email
        job = b.job(dup4, day(), deal=False)
        b.hubspot_deal(dup4, job["truth"], "Window replacement", job["total"], job["date"] - timedelta(days=5), "won",
                       contact=True, with_phone=True)
    b.planted["duplicates"].append(("hubspot", {"Thomas Quintero", "Tom Quintero"}))

    frame = conform(pd.DataFrame(b.rows))
    truth = pd.Series(b.truth, name="truth")
    return LabelledSet(frame, truth, b.planted)


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision and recall of job links: pairs of records put in one job vs truly in one job."""

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    both = pd.DataFrame({"p": predicted.astype(str).to_numpy(), "t": truth.astype(str).to_numpy()})
    tp = pairs(both.groupby(["p", "t"]).size())
    pp = pairs(both.groupby("p").size())
    tt = pairs(both.groupby("t").size())
    return {
        "precision": tp / pp if pp else 1.0,
        "recall": tp / tt if tt else 1.0,
        "true_pairs": tt,
        "predicted_pairs": pp,
        "correct_pairs": tp,
    }
