"""The HTML report's structure, parsed: self-contained, escaped, grouped, deterministic.

What a browser does with it is in test_html_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest

from driftcheck.errors import UsageError
from driftcheck.report import charts
from driftcheck.report.html import render_html
from driftcheck.report.registry import format_for_path, render, write_report
from tests.report.conftest import HISTORY



class Page(HTMLParser):
    """Every element with its attributes, script bodies, and the text outside scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture
def page(make_scan) -> tuple[dict[str, Any], str, Page]:
    scan = make_scan(42)
    html = render_html(scan, history=HISTORY, web={"hubspot_portal_id": "4411"})
    return scan, html, Page(html)


def test_self_contained_no_reference_to_another_host(page) -> None:
    _, html, p = page
    assert p.all("link") == [] and p.all("img") == [] and p.all("iframe") == []
    assert not [a for _, a in p.elements if "src" in a]
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    # the only hrefs are links into vendor web apps, opened by a click, never fetched
    hrefs = [a["href"] for _, a in p.elements if "href" in a]
    assert hrefs and all(h.startswith("https://app.hubspot.com/contacts/4411/record/0-3/") for h in hrefs)
    csp = p.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"]
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp


def test_one_script_allowed_by_hash(page) -> None:
    _, _, p = page
    assert len(p.scripts) == 1
    csp = p.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"]
    digest = base64.b64encode(hashlib.sha256(p.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_hostile_customer_names_are_text(page) -> None:
    scan, html, p = page
    text = "".join(p.text)
    for name in ('<script>alert(1)</script> Roofing', 'O\'Brien & "Sons" <b>Ltd</b>', '=HYPERLINK("http://evil.example/x","click me")'):
        assert name in text
    assert "<b>" not in html and "&lt;script&gt;alert(1)" in html
    assert [t for t, _ in p.elements].count("b") == 0
    assert "Harbor & Pine <Renovations>" in text


def test_headline_figures(page) -> None:
    scan, _, p = page
    text = " ".join(" ".join(p.text).split())
    s = scan["summary"]
    for sev in ("high", "medium", "low"):
        assert f"{s['by_severity'][sev]} {sev}" in text
    assert f"{s['findings']} findings" in text
    assert f"${s['amount_at_stake']:,.0f} at stake" in text
    assert "164 jobs checked" in text and f"{s['new']} new since last run" in text and "1 resolved since last run" in text
    assert "21 days old stale" in text  # jobber-jobs' newest record is three weeks old


def test_findings_grouped_by_owner_each_with_evidence_and_records(page) -> None:
    scan, _, p = page
    rows = p.all("tr", **{"class": "finding"})
    assert sorted(r["id"] for r in rows) == sorted(f"finding-{f['id']}" for f in scan["findings"])
    sections = p.all("section", **{"class": "owner"})
    assert Counter(r["data-owner"] for r in rows) == Counter(f["owner"] for f in scan["findings"])
    assert {s["data-owner"] for s in sections} == {f["owner"] for f in scan["findings"]}
    by_id = {f"finding-{f['id']}": f for f in scan["findings"]}
    for r in rows:
        f = by_id[r["id"]]
        assert (r["data-owner"], r["data-severity"], r["data-rule"]) == (f["owner"], f["severity"], f["rule"])
    ev = scan["findings"][0]["evidence"][0]
    assert f"{ev['field']}: " in "".join(p.text)


def test_charts_are_inline_svg_with_unique_ids(page) -> None:
    _, html, p = page
    svgs = p.all("svg")
    assert [s["aria-labelledby"] for s in svgs] == ["lifecycle-title", "rules-title", "owners-title", "ageing-title", "trend-title"]
    ids = [a["id"] for _, a in p.elements if a.get("id")]
    assert len(ids) == len(set(ids))
    # every url(#id) / href="#id" inside the charts points at an id that exists
    refs = set(re.findall(r'url\(#([^)]+)\)|xlink:href="#([^"]+)"', html))
    assert {r for pair in refs for r in pair if r} <= set(ids)
    # text stays text: rule names are searchable in the SVG
    assert re.search(r"<text[^>]*>won-not-invoiced</text>", html)


def test_rendering_is_deterministic(make_scan) -> None:
    scan = make_scan(15)
    assert render_html(scan, history=HISTORY) == render_html(scan, history=HISTORY)


def test_without_history_there_is_no_trend(make_scan) -> None:
    p = Page(render_html(make_scan(10)))
    assert [s["aria-labelledby"] for s in p.all("svg")] == ["lifecycle-title", "rules-title", "owners-title", "ageing-title"]


def test_without_matplotlib_the_numbers_show_as_tables(make_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "available", lambda: False)
    p = Page(render_html(make_scan(10)))
    assert p.all("svg") == []
    assert "Charts need matplotlib" in "".join(p.text)
    assert sum("open" in d for d in p.all("details")) == 4  # lifecycle, rules, owners, ageing tables unfolded


def test_no_findings_still_reports_sources_and_says_so(make_scan) -> None:
    p = Page(render_html(make_scan(0)))
    text = " ".join(p.text)
    assert "No findings: the tools agree on every job checked." in text
    assert "hubspot-deals" in text and p.scripts == []  # no filter to drive


def test_registry_picks_the_format_from_the_extension(make_scan) -> None:
    assert [format_for_path(p) for p in ("r.html", "R.HTM", "r.md", "r.csv", "r.json", "r.txt", "r.pdf", "report")] == [
        "html", "html", "md", "csv", "json", "text", None, None,
    ]
    scan = make_scan(3)
    assert render(scan, "html").startswith("<!doctype html>")
    assert render(scan, "md").startswith("# Drift report")
    assert render(scan, "csv").lstrip("\ufeff").startswith("id,rule,")
    with pytest.raises(UsageError, match="rendered by the scan command"):
        render(scan, "json")
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render(scan, "pdf")


def test_write_report_infers_the_format_and_keeps_bytes(make_scan, tmp_path) -> None:
    scan = make_scan(4)
    scan["findings"][0]["message"] = "two\nlines"
    assert write_report(scan, tmp_path / "weekly.csv") == "csv"
    assert (tmp_path / "weekly.csv").read_bytes() == render(scan, "csv").encode("utf-8")
    assert write_report(scan, tmp_path / "weekly.txt", fmt="md") == "md"
    assert (tmp_path / "weekly.txt").read_text(encoding="utf-8").startswith("# Drift report")
    with pytest.raises(UsageError, match="add --format"):
        write_report(scan, tmp_path / "weekly.pdf")
    with pytest.raises(UsageError, match="cannot write the report to"):
        write_report(scan, tmp_path / "missing" / "weekly.html")
