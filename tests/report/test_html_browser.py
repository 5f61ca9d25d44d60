"""The HTML report in headless Chromium, as a reader opens it from a file.

It must render with no console error and no request to anything but the file
itself, show its charts, let the reader filter and sort, stay readable with
scripts off, fit a phone, and show hostile customer names as text.
Screenshots land in tests/_artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.report.html import render_html
from tests.report.browser import Browser
from tests.report.conftest import HISTORY, build_scan


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    scan = build_scan(42)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(scan, history=HISTORY, web={"hubspot_portal_id": "4411"}), encoding="utf-8")
    return scan, path


def test_renders_offline_with_charts_and_no_errors(browser: Browser, report) -> None:
    scan, path = report
    with browser.open(path) as run:
        assert run.console_errors == []
        assert run.external_requests == []
        assert run.requests == [path.resolve().as_uri()]
        assert run.visible_count("svg.chart") == 5
        box = run.page.locator("#chart-rules svg.chart").bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        assert run.page.locator("#shown").inner_text() == str(len(scan["findings"]))
        shot = run.screenshot("report-desktop")
    assert shot.stat().st_size > 50_000


def test_filters_hide_rows_and_empty_owner_groups(browser: Browser, report) -> None:
    scan, path = report
    highs = [f for f in scan["findings"] if f["severity"] == "high"]
    with browser.open(path) as run:
        page = run.page
        assert page.locator("form#filters").is_visible()
        page.select_option("#f-severity", "high")
        assert run.visible_count("tr.finding") == len(highs)
        assert page.locator("#shown").inner_text() == str(len(highs))
        assert set(page.eval_on_selector_all("tr.finding:not([hidden])", "rs => rs.map(r => r.dataset.severity)")) == {"high"}
        # owners with no high finding disappear as a whole
        owners = {f["owner"] for f in highs}
        visible_groups = page.eval_on_selector_all("section.owner:not([hidden])", "ss => ss.map(s => s.dataset.owner)")
        assert set(visible_groups) == owners
        page.select_option("#f-severity", "")
        page.fill("#f-q", "<script>alert(1)</script>")
        matching = [f for f in scan["findings"] if f["customer"].startswith("<script>")]
        assert run.visible_count("tr.finding") == len(matching) > 0
        page.click("button[type=reset]")
        assert run.visible_count_settled("tr.finding", len(scan["findings"])) == len(scan["findings"])
        page.select_option("#f-rule", "invoice-overdue")
        page.select_option("#f-owner", "accounting")
        assert run.visible_count("tr.finding") == sum(1 for f in scan["findings"] if f["rule"] == "invoice-overdue") > 0
        page.select_option("#f-owner", "operations")
        assert run.visible_count("tr.finding") == 0 and run.visible_count("section.owner") == 0
        assert run.console_errors == []


def test_sorting_a_column(browser: Browser, report) -> None:
    _, path = report
    with browser.open(path) as run:
        table = "#owner-1 table.findings"
        amounts = lambda: run.page.eval_on_selector_all(f"{table} tbody tr", "rs => rs.map(r => parseFloat(r.cells[4].dataset.v))")  # noqa: E731
        run.page.click(f"{table} th:nth-child(5) button")
        assert amounts() == sorted(amounts())
        run.page.click(f"{table} th:nth-child(5) button")
        assert amounts() == sorted(amounts(), reverse=True)
        assert run.page.get_attribute(f"{table} th:nth-child(5)", "aria-sort") == "descending"
        assert run.console_errors == []


def test_hostile_names_render_as_text(browser: Browser, report) -> None:
    _, path = report
    with browser.open(path) as run:
        page = run.page
        # the injected <script> did not run: no alert dialog, no extra element
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.reload()
        assert dialogs == []
        assert page.locator("script").count() == 1
        assert page.locator("td b").count() == 0
        customers = page.locator(".customer").all_inner_texts()
        assert "<script>alert(1)</script> Roofing" in customers
        assert 'O\'Brien & "Sons" <b>Ltd</b>' in customers
        assert page.locator("h1").inner_text().startswith("Drift report: Harbor & Pine <Renovations>")


def test_readable_with_scripts_off(browser: Browser, report) -> None:
    scan, path = report
    with browser.open(path, javascript=False) as run:
        assert run.visible_count("tr.finding") == len(scan["findings"])
        assert run.page.locator("form#filters").is_hidden()  # controls that cannot work are not shown
        assert run.visible_count("svg.chart") == 5


def test_fits_a_phone(browser: Browser, report) -> None:
    _, path = report
    with browser.open(path, width=390, height=844) as run:
        overflow = run.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        # findings become cards: one column, each cell labelled
        assert run.page.eval_on_selector("tr.finding td", "td => getComputedStyle(td, '::before').content") == '"Severity"'
        run.screenshot("report-phone", full_page=False)
        assert run.console_errors == []


def test_print_layout_drops_the_controls(browser: Browser, report) -> None:
    _, path = report
    with browser.open(path, print_media=True) as run:
        assert run.page.locator("form#filters").is_hidden()
        assert run.visible_count("tr.finding") > 0
        pdf = run.page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
