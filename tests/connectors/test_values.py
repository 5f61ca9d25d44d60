"""Value parsers: money, dates, references, contacts, as vendors write them."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import _values as V


def S(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=pd.StringDtype("pyarrow"))


# ----------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1,234.56", 1234.56),
        ("$1,234.56", 1234.56),
        ("-$15,224.75", -15224.75),
        ("$-15.00", -15.0),
        ("(420.81)", -420.81),
        ("($1,000.00)", -1000.0),
        ("1495.0000", 1495.0),
        ("210.0", 210.0),
        ("43,000,000.00", 43000000.0),
        ("USD 12.00", 12.0),
        ("12.00 NZD", 12.0),
        ("€99", 99.0),
        (" 7 ", 7.0),
        (".5", 0.5),
    ],
)
def test_money_reads_vendor_spellings(cell: str, value: float) -> None:
    values, bad = V.parse_money(S([cell]))
    assert values.tolist() == [value]
    assert not bad.any()


@pytest.mark.parametrize("cell", ["", "-", "\u2014", None, "   "])
def test_money_empty_spellings_are_missing_not_bad(cell: str | None) -> None:
    values, bad = V.parse_money(S([cell]))
    assert math.isnan(values.iloc[0])
    assert not bad.iloc[0]


@pytest.mark.parametrize("cell", ["abc", "12abc", "1.2.3", "$", "12 apples", "approx 40"])
def test_money_flags_cells_that_are_not_amounts(cell: str) -> None:
    values, bad = V.parse_money(S(["1.00", cell]))
    assert bad.tolist() == [False, True]
    assert math.isnan(values.iloc[1])


def test_money_decimal_comma_only_when_asked() -> None:
    cells = S(["1.234,56", "-15,00", "(2.000,10)"])
    assert V.parse_money(cells, decimal=",")[0].tolist() == [1234.56, -15.0, -2000.1]
    # Without the option "," is a thousands separator: 1.234,56 is not an amount.
    assert V.parse_money(S(["1.234,56"]))[1].tolist() == [True]


@settings(max_examples=200, deadline=None)
@given(
    cents=st.integers(min_value=-10**11, max_value=10**11),
    style=st.sampled_from(["plain", "thousands", "dollar", "parens", "four", "quoted_dollar_neg"]),
)
def test_money_round_trips_every_vendor_style(cents: int, style: str) -> None:
    value = cents / 100
    a = abs(value)
    sign = "-" if value < 0 else ""
    cell = {
        "plain": f"{value:.2f}",  # QBO data rows, HubSpot
        "thousands": f"{sign}{a:,.2f}",  # QBO "1,000.00"
        "dollar": f"{sign}${a:,.2f}",  # Jobber "-$15,224.75"
        "parens": f"({a:,.2f})" if value < 0 else f"{a:,.2f}",  # QBO General Ledger
        "four": f"{value:.4f}",  # Xero "1495.0000"
        "quoted_dollar_neg": f"${sign}{a:,.2f}",
    }[style]
    parsed, bad = V.parse_money(S([cell]))
    assert not bad.iloc[0], cell
    assert parsed.iloc[0] == pytest.approx(value, abs=1e-9), cell


# ----------------------------------------------------------------------------- dates


def _dates(cells: list[str | None], dayfirst: bool = False) -> tuple[list[str | None], list[bool]]:
    scan = V.scan_dates(S(cells))
    parsed, bad = V.parse_dates(scan, dayfirst=dayfirst)
    return [None if pd.isna(d) else d.date().isoformat() for d in parsed], bad.tolist()


@pytest.mark.parametrize(
    ("cell", "dayfirst", "iso"),
    [
        ("1/19/2026", False, "2026-01-19"),  # QBO US, unpadded
        ("01/19/2026", False, "2026-01-19"),
        ("19/01/2026", True, "2026-01-19"),  # QBO non-US, Xero, Pipedrive en-GB
        ("29/09/2024 10:44", True, "2024-09-29"),
        ("2025-11-20", False, "2025-11-20"),  # HubSpot, Jobber transactions
        ("2025-11-20 14:05", False, "2025-11-20"),
        ("2024-03-31T00:00:00.000Z", False, "2024-03-31"),
        ("Nov 20, 2025", False, "2025-11-20"),  # Jobber
        ("November 3, 2025", False, "2025-11-03"),
        ("Sept 3, 2025", False, "2025-09-03"),
        ("Thu, Nov 20, 2025", False, "2025-11-20"),
        ("20 Nov 2025", True, "2025-11-20"),  # Xero UI
        ("20-Nov-25", False, "2025-11-20"),
        ("45631", False, "2024-12-05"),  # Excel serial
        ("45944.5", False, "2025-10-14"),
        ("3/4/26", False, "2026-03-04"),
        ("3.4.2026", True, "2026-04-03"),
    ],
)
def test_dates_in_every_vendor_format(cell: str, dayfirst: bool, iso: str) -> None:
    assert _dates([cell], dayfirst) == ([iso], [False])


@pytest.mark.parametrize("cell", ["-", "", None, "\u2013"])
def test_date_null_spellings(cell: str | None) -> None:
    assert _dates([cell]) == ([None], [False])


@pytest.mark.parametrize("cell", ["13/13/2025", "Smarch 3, 2025", "2025-02-30", "soon", "12/2025"])
def test_unreadable_dates_are_flagged(cell: str) -> None:
    assert _dates(["1/2/2025", cell]) == (["2025-01-02", None], [False, True])


def test_day_first_inference() -> None:
    day = V.scan_dates(S(["01/02/2026", "29/09/2026"]))
    month = V.scan_dates(S(["01/02/2026", "09/29/2026"]))
    neither = V.scan_dates(S(["01/02/2026", "2026-11-20", "Nov 1, 2026"]))
    assert V.infer_dayfirst([day]) == (True, "29/09/2026", None)
    assert V.infer_dayfirst([month]) == (False, None, "09/29/2026")
    assert V.infer_dayfirst([neither]) == (None, None, None)
    # Evidence in any column of the file decides for all of them.
    assert V.infer_dayfirst([neither, day])[0] is True
    # Both at once: the caller must refuse the file.
    assert V.infer_dayfirst([day, month]) == (None, "29/09/2026", "09/29/2026")


@settings(max_examples=150, deadline=None)
@given(
    d=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    style=st.sampled_from(["mdy", "dmy", "iso", "mon", "dmon", "serial"]),
)
def test_dates_round_trip(d: date, style: str) -> None:
    mon = d.strftime("%b")
    cell = {
        "mdy": f"{d.month}/{d.day}/{d.year}",
        "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}",
        "iso": d.isoformat(),
        "mon": f"{mon} {d.day}, {d.year}",
        "dmon": f"{d.day} {mon} {d.year}",
        "serial": str((d - date(1899, 12, 30)).days),
    }[style]
    scan = V.scan_dates(S([cell]))
    dayfirst = style == "dmy"
    if style in ("mdy", "dmy"):
        # A day above 12 proves the order; otherwise the data cannot tell.
        assert V.infer_dayfirst([scan])[0] is (dayfirst if d.day > 12 else None)
    assert _dates([cell], dayfirst) == ([d.isoformat()], [False])


# ----------------------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("cell", "refs"),
    [
        ("101, 102", "101,102"),
        ("#1042", "1042"),
        ("Job 1042", "1042"),
        ("Job #1042", "1042"),
        ("JOB-1042", "JOB-1042"),  # a dash prefix is part of the id, as in "INV-2001"
        ("INV-2001, INV-2002", "INV-2001,INV-2002"),
        ("Job no. 7", "7"),
        ("Job: 7", "7"),
        ("9001 and 9002", "9001,9002"),
        ("#9001; #9002", "9001,9002"),
        ("0042", "0042"),
        ('="501"', "501"),
        ("-", None),
        ("", None),
    ],
)
def test_normalise_refs(cell: str, refs: str | None) -> None:
    assert V.normalise_refs(S([cell])).tolist() == [refs if refs is not None else pd.NA]


@pytest.mark.parametrize(
    ("text", "kind", "refs"),
    [
        ("Kitchen remodel - Job #1042", "job", "1042"),
        ("Jobber job 1042 deposit", "job", "1042"),
        ("JOB-1050", "job", "1050"),
        ("Smith:Job 1042", "job", "1042"),
        ("Jobs 1042 & 1043", "job", "1042,1043"),
        ("Job #5, then Job #6", "job", "5,6"),
        ("Kitchen remodel", "job", None),
        ("Inv 1001", "invoice", "1001"),
        ("Invoice #1002 partial", "invoice", "1002"),
        ("INV-88", "invoice", "88"),
        ("Payment applied to Invoice #9001 and Invoice #9002", "invoice", "9001,9002"),
        ("Payment applied to Estimate #77", "quote", "77"),
        ("Payment applied to Quote #78", "quote", "78"),
        ("Payment applied to Invoice #2001", "quote", None),
        ("Jobber job 1042", "invoice", None),
    ],
)
def test_extract_refs_from_free_text(text: str, kind: str, refs: str | None) -> None:
    assert V.extract_refs(S([text]), kind).tolist() == [refs if refs is not None else pd.NA]


def test_merge_refs_unions_without_repeats() -> None:
    merged = V.merge_refs(S(["101,102", None, "7", None]), S(["102,103", "5", None, None]))
    assert merged.tolist() == ["101,102,103", "5", "7", pd.NA]


# ----------------------------------------------------------------------------- people


def test_split_contact() -> None:
    name, email = V.split_contact(S(["Jane Doe (jane@x.com)", "bob@y.com", "Sam Smith", "A (a@b.co);B (b@c.co)", None]))
    assert name.tolist() == ["Jane Doe", pd.NA, "Sam Smith", "A", pd.NA]
    assert email.tolist() == ["jane@x.com", "bob@y.com", pd.NA, "a@b.co", pd.NA]


def test_name_prefix_of_deal_names() -> None:
    titles = S(["Smith – Kitchen remodel", "Jones - Deck", "Acme: roof", "Kitchen remodel", "Lee — Fence", "Acme: roof - phase 2", "A-B Ltd - deck"])
    assert V.name_prefix(titles).tolist() == ["Smith", "Jones", "Acme", pd.NA, "Lee", "Acme", "A-B Ltd"]


def test_header_keys_ignore_case_and_punctuation() -> None:
    assert V.norm_header("Total ($)") == V.norm_header("total $") == "total$"
    assert V.norm_header("Due Date") == V.norm_header("Due date") == V.norm_header("due_date")
    assert V.norm_header("\ufeffInvoice #") == "invoice#"
    assert V.norm_header("*ContactName") != V.norm_header("ContactName")
