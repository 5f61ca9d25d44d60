"""The benchmark's synthetic business: vendor layouts, determinism, and the drift it promises.

A benchmark is only as honest as its data: these tests check that ``bench/generate.py``
writes the export layouts of ``shared/reference/vendor-formats.md`` (1A, 4A, 7A), that a
seed gives the same bytes, that the manifest counts what is in the files, and that each
planted drift case can be seen in the exports (and no clean job looks like one).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from bench.generate import (
    AS_OF,
    FILES,
    HUBSPOT_HEADER,
    JOBBER_INVOICE_HEADER,
    JOBBER_JOB_HEADER,
    PLANTED,
    QBO_INVOICE_HEADER,
    QBO_PAYMENT_HEADER,
    generate,
)
from driftcheck.config import load_config

N_JOBS = 300


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("business")
    return folder, generate(N_JOBS, folder, seed=7)


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8-sig").split("\r\n" if b"\r\n" in path.read_bytes() else "\n")


def _frame(folder: Path, kind: str) -> pd.DataFrame:
    """The data rows of one export as text (QBO: between the header and the TOTAL row)."""
    text = (folder / FILES[kind]).read_bytes().decode("utf-8-sig")
    if kind.startswith("qbo"):
        lines = text.split("\r\n")
        end = next(i for i, ln in enumerate(lines) if ln.startswith("TOTAL,"))
        text = "\r\n".join(lines[4:end])
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _money(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.str.replace(",", "").str.lstrip("$"))


def _qbo_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%m/%d/%Y")


def _jobber_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.where(s != "-"), format="%b %d, %Y")


def test_hubspot_deals_export_layout(business):
    folder, _ = business
    path = folder / FILES["hubspot_deals"]
    assert re.fullmatch(r"hubspot-crm-exports-all-deals-\d{4}-\d{2}-\d{2}\.csv", path.name)
    lines = _lines(path)
    assert lines[0] == ",".join(f'"{h}"' for h in HUBSPOT_HEADER)
    deals = _frame(folder, "hubspot_deals")
    # every value quoted; stages are labels; datetimes in the portal's "YYYY-MM-DD HH:MM"
    assert lines[1].startswith('"') and lines[1].count('"') % 2 == 0
    assert set(deals["Deal Stage"]) <= {"Appointment Scheduled", "Qualified to Buy", "Presentation Scheduled",
                                        "Decision Maker Bought-In", "Contract Sent", "Closed Won", "Closed Lost"}
    assert deals["Close Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all()
    assert deals["Amount"].str.fullmatch(r"\d+(\.\d{1,2})?").all()
    contact = deals["Associated Contact"].str.extract(r"^(?P<name>[^(]+?)(?: \((?P<email>[^)]+)\))?$")
    assert contact["name"].notna().all()
    # emails typed in another case than Jobber's, and deal names in several styles
    assert contact["email"].dropna().str.contains(r"[A-Z]").any()
    assert deals["Deal Name"].str.contains(" – ").any() and deals["Deal Name"].str.contains(r"\(").any()


@pytest.mark.parametrize(("kind", "title", "header"), [
    ("qbo_invoices", "Invoice List by Date", QBO_INVOICE_HEADER),
    ("qbo_payments", "Transaction List by Date", QBO_PAYMENT_HEADER),
])
def test_quickbooks_report_layout(business, kind, title, header):
    folder, _ = business
    raw = (folder / FILES[kind]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n"), "QuickBooks reports end every line with CRLF"
    lines = raw.decode().split("\r\n")
    pad = "," * (len(header) - 1)
    assert lines[0] == '"Harbor & Pine Renovations, LLC"' + pad
    assert lines[1] == title + pad
    assert re.fullmatch(r'"January 1, \d{4} - November 20, 2026"' + pad, lines[2])
    assert lines[3] == ""
    assert lines[4] == ",".join(header)
    total = next(i for i, ln in enumerate(lines) if ln.startswith("TOTAL,"))
    assert lines[total + 1: total + 4] == ["", "", ""]
    assert lines[total + 4].startswith('"Accrual Basis Friday, November 20, 2026 ') and lines[total + 4].endswith(pad)
    rows = _frame(folder, kind)
    assert rows["Date"].str.fullmatch(r"[1-9]\d?/[1-9]\d?/\d{4}").all(), "M/D/YYYY, unpadded"
    assert rows["Amount"].str.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}").all()
    assert rows["Amount"].str.contains(",").any(), "thousands separators (quoted in the file)"
    # the TOTAL row carries "$" and adds up the rows
    total_cells = next(csv.reader([lines[total]]))
    assert total_cells[-1].startswith("$")
    column = "Open balance" if kind == "qbo_invoices" else "Amount"
    assert _money(pd.Series([total_cells[-1]]))[0] == pytest.approx(_money(rows[column]).sum())


def test_jobber_exports_layout(business):
    folder, _ = business
    jobs_raw = (folder / FILES["jobber_jobs"]).read_bytes()
    assert jobs_raw.split(b"\n", 1)[0].decode() == ",".join(JOBBER_JOB_HEADER)
    assert len(JOBBER_JOB_HEADER) == 37 and "Job status" not in JOBBER_JOB_HEADER
    jobs = _frame(folder, "jobber_jobs")
    for col in ("Created date", "Schedule start date", "Closed date"):
        assert jobs[col].str.fullmatch(r"(?:[A-Z][a-z]{2} [1-9]\d?, \d{4})|-").all(), col
    assert (jobs["Closed date"] == "-").any() and (jobs["Schedule start date"] == "-").any()
    inv_raw = (folder / FILES["jobber_invoices"]).read_bytes()
    assert inv_raw.startswith(b"\xef\xbb\xbf"), "Jobber's invoice export starts with a UTF-8 BOM"
    assert inv_raw[3:].split(b"\n", 1)[0].decode() == ",".join(JOBBER_INVOICE_HEADER)
    invoices = _frame(folder, "jobber_invoices")
    assert set(invoices["Status"]) <= {"Paid", "Past Due", "Awaiting Payment"}
    assert invoices["Total ($)"].str.fullmatch(r"\d+\.\d{1,2}").all()
    assert set(invoices["Job #s"]) <= set(jobs["Job #"])
    # phones typed in several styles; some clients without an email
    assert jobs["Client phone"].str.startswith("(").any() and jobs["Client phone"].str.fullmatch(r"\d{10}").any()
    assert (jobs["Client email"] == "").any()


def test_config_pins_the_audit_date(business):
    folder, _ = business
    raw = tomllib.loads((folder / "driftcheck.toml").read_text())
    assert raw["as_of"] == AS_OF.isoformat()
    assert load_config(folder / "driftcheck.toml").as_of == AS_OF


def test_same_seed_same_bytes_other_seed_other_business(business, tmp_path):
    folder, manifest = business
    again = generate(N_JOBS, tmp_path / "again", seed=7)
    for name in [*FILES.values(), "driftcheck.toml"]:
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes(), name
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in manifest.items() if k != "seconds"}
    generate(N_JOBS, tmp_path / "other", seed=8)
    assert (tmp_path / "other" / FILES["jobber_jobs"]).read_bytes() != (folder / FILES["jobber_jobs"]).read_bytes()


def test_manifest_counts_add_up(business):
    folder, m = business
    frames = {kind: _frame(folder, kind) for kind in FILES}
    for kind, info in m["files"].items():
        assert info["rows"] == len(frames[kind]), kind
        assert info["bytes"] == (folder / info["name"]).stat().st_size
    r = m["records"]
    assert r["deals_won"] + r["deals_lost"] + r["deals_open"] == r["deals"] == len(frames["hubspot_deals"])
    assert r["qbo_deposit_invoices"] + r["qbo_final_invoices"] + r["qbo_orphan_invoices"] == r["qbo_invoices"]
    # every Jobber invoice is in QuickBooks under the same number, for the same amount
    qbo = frames["qbo_invoices"].set_index("Num")
    jobber = frames["jobber_invoices"].set_index("Invoice #")
    assert r["jobber_invoices"] == r["qbo_final_invoices"] and jobber.index.isin(qbo.index).all()
    assert (_money(qbo.loc[jobber.index, "Amount"]).to_numpy() == _money(jobber["Total ($)"]).to_numpy()).all()
    assert m["planted"] == {rule: max(1, round(share * N_JOBS)) for rule, share in PLANTED.items()}
    assert m["planted_total"] == sum(m["planted"].values())
    assert 0.02 <= m["planted_share_of_jobs"] <= 0.05


def test_each_planted_case_shows_in_the_exports(business):
    """Recount every planted rule from the files alone: exactly the planted cases match."""
    folder, m = business
    as_of = pd.Timestamp(AS_OF)
    day = dt.timedelta(days=1)
    deals, qbo, pay = (_frame(folder, k) for k in ("hubspot_deals", "qbo_invoices", "qbo_payments"))
    jobs, jinv = _frame(folder, "jobber_jobs"), _frame(folder, "jobber_invoices")
    start, closed = _jobber_date(jobs["Schedule start date"]), _jobber_date(jobs["Closed date"])
    value = _money(jobs["Total revenue ($)"])
    deposit_job = qbo["Memo"].str.extract(r"^Deposit 30% – Job #(\d+)$")[0]
    paid_on = pay.assign(inv=pay["Memo"].str.extract(r"(\d+)$")[0], date=_qbo_date(pay["Date"])).groupby("inv")["date"].max()
    dep = qbo[deposit_job.notna()].assign(job=deposit_job.dropna(), paid=lambda f: f["Num"].map(paid_on))
    email_of_contact = deals["Associated Contact"].str.extract(r"\(([^)]+)\)$")[0].str.lower()
    # Won deals without the job number belong to customers with one deal and one job: match
    # those by email. (A repeat customer's newest deal may have no job yet, whatever its
    # email matches.)
    with_email = jobs[jobs["Client email"] != ""].drop_duplicates("Client email", keep=False)
    job_of_email = with_email.set_index("Client email")["Job #"]
    one_deal = ~email_of_contact.duplicated(keep=False)
    by_email = email_of_contact.map(job_of_email).where(one_deal & (deals["Deal Stage"] == "Closed Won"))
    deal_job = deals["Jobber Job #"].where(deals["Jobber Job #"] != "", by_email)
    by_job = jobs.set_index("Job #")
    open_stage = ~deals["Deal Stage"].isin(["Closed Won", "Closed Lost"])

    seen = {
        "schedule-passed-not-complete": int(((start <= as_of - 4 * day) & closed.isna()).sum()),
        "complete-not-invoiced": int(((closed <= as_of - 4 * day) & (jobs["Invoice #s"] == "")).sum()),
        "invoice-overdue": int(((_money(qbo["Open balance"]) > 0) & (_qbo_date(qbo["Due date"]) < as_of - 14 * day)).sum()),
        "orphan-invoice": int((deposit_job.isna() & ~qbo["Num"].isin(jinv["Invoice #"])).sum()),
        "orphan-job": int((~jobs["Job #"].isin(deal_job.dropna())).sum()),
        "lost-but-active": int(((deals["Deal Stage"] == "Closed Lost") & deal_job.isin(jobs["Job #"])).sum()),
        "paid-not-scheduled": int(dep[dep["job"].map(by_job["Schedule start date"]).eq("-")
                                      & (dep["paid"] <= as_of - 4 * day)].shape[0]),
        "won-not-invoiced": int(((deals["Deal Stage"] == "Closed Won")
                                 & (pd.to_datetime(deals["Close Date"]).dt.normalize() <= as_of - 8 * day)
                                 & ~deal_job.isin(dep["job"])).sum()),
    }
    linked = deals[deal_job.notna()]
    job_value = linked["Jobber Job #"].where(linked["Jobber Job #"] != "", deal_job[deal_job.notna()]).map(value.set_axis(jobs["Job #"]))
    gap = (job_value - _money(linked["Amount"])).abs()
    done = deal_job[deal_job.notna()].map(closed.set_axis(jobs["Job #"])).notna()
    seen["amount-mismatch"] = int(((gap > (job_value * 0.02).clip(lower=50)) & done).sum())
    fully_paid = jinv.set_index("Job #s")["Status"].eq("Paid")
    seen["paid-crm-open"] = int((open_stage & deal_job.map(fully_paid).fillna(False).astype(bool)).sum())
    assert seen == {rule: m["planted"][rule] for rule in seen}
    assert set(seen) == set(PLANTED)
