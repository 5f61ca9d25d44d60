"""The CSV report read back the way a user's tools read it: pandas, and the csv module as Excel would.

Every finding must round-trip (all fields, records per source, evidence), and
no cell may start with a character that makes a spreadsheet run a formula.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftcheck.report.csvout import BOM, TRIGGERS, neutralise, render_csv, unneutralise

_NUMERIC = {"age_days": int, "amount": float}


def findings_from_csv(text: str) -> list[dict[str, Any]]:
    """Rebuild scan/1 findings from the CSV with pandas (what a consultant's notebook would do)."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    out = []
    for row in frame.to_dict(orient="records"):
        f: dict[str, Any] = {"records": {}}
        for col, raw in row.items():
            value = unneutralise(raw)
            if col.startswith("records."):
                if value:
                    f["records"][col.removeprefix("records.")] = value.split(";")
            elif col == "evidence":
                f["evidence"] = json.loads(value)
            elif value == "":
                f[col] = None
            else:
                f[col] = _NUMERIC.get(col, str)(value)
        out.append(f)
    return out


def test_every_finding_round_trips_through_pandas(make_scan) -> None:
    scan = make_scan(60)
    text = render_csv(scan)
    assert text.startswith(BOM)
    back = findings_from_csv(text.removeprefix(BOM))
    assert len(back) == len(scan["findings"])
    for original, got in zip(scan["findings"], back, strict=True):
        assert {k: v for k, v in got.items() if v is not None} == {k: v for k, v in original.items() if v is not None}


def test_header_has_every_source_and_field(make_scan) -> None:
    scan = make_scan(5)
    header = next(csv.reader(io.StringIO(render_csv(scan, bom=False))))
    assert header[:12] == ["id", "rule", "severity", "owner", "job", "customer", "message", "since", "age_days", "amount", "status", "first_seen"]
    assert header[12:] == ["records.hubspot-deals", "records.qbo-invoices", "records.jobber-jobs", "evidence"]
    extra = make_scan(2)
    extra["findings"][0]["title"] = "Kitchen remodel"
    extra["findings"][1]["detail"] = {"expected": 1200.0, "found": 1100.0}
    header = next(csv.reader(io.StringIO(render_csv(extra, bom=False))))
    assert header[12:15] == ["detail.expected", "detail.found", "title"]


def test_formula_cells_are_neutralised_for_spreadsheets(make_scan) -> None:
    scan = make_scan(40)
    text = render_csv(scan)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    texts = frame.drop(columns=["age_days", "amount"]).to_numpy().ravel()
    assert not [c for c in texts if c.startswith(TRIGGERS)]
    customers = set(frame["customer"])
    assert "'=HYPERLINK(\"http://evil.example/x\",\"click me\")" in customers
    assert {"'+61 Plumbing", "'-5 Degrees Cooling", "'@Home Renovations", "'\tTabbed Landscaping"} <= customers
    # names that are not formulas are left exactly as typed
    assert {"'Tis the Season Decor", 'O\'Brien & "Sons" <b>Ltd</b>', "Pipe | Bar | Builders"} <= customers
    # numbers stay numbers, even negative ones
    scan["findings"][0]["amount"] = -120.5
    frame = pd.read_csv(io.StringIO(render_csv(scan, bom=False)))
    assert frame["amount"].iloc[0] == -120.5


def test_excel_reads_the_bom_and_quoted_newlines(make_scan) -> None:
    scan = make_scan(3)
    scan["findings"][0]["message"] = "Line one\nline two, with a comma"
    data = render_csv(scan).encode("utf-8")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "id"
    assert rows[1][6] == "Line one\nline two, with a comma"
    assert len(rows) == 4


def test_no_findings_gives_the_header_only(make_scan) -> None:
    text = render_csv(make_scan(0), bom=False)
    assert text.count("\n") == 1 and text.startswith("id,rule,severity")


@given(st.text(max_size=12))
def test_neutralise_is_reversible_and_safe(text: str) -> None:
    out = neutralise(text)
    assert unneutralise(out) == text
    assert not out.startswith(TRIGGERS)


@pytest.mark.parametrize(("text", "cell"), [("=1+1", "'=1+1"), ("'=1+1", "''=1+1"), ("'Tis", "'Tis"), ("", ""), ("J-1042", "J-1042")])
def test_neutralise_examples(text: str, cell: str) -> None:
    assert neutralise(text) == cell
