"""The discovery HTML: self-contained, escaped, and rendered by headless Chromium without errors or requests."""

from __future__ import annotations

import html
import re

from driftcheck.discovery import discover, render_html
from tests.discovery.conftest import INTL_AS_OF


def test_page_is_self_contained(disc_intl):
    page = render_html(disc_intl)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and html.unescape(csp.group(1)).startswith("default-src 'none';")  # the CSP forbids every fetch
    assert "<script" not in page  # the page needs no script at all
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert page.count('<svg class="chart"') == 1 and "The lifecycle flow of this business" in page


def test_values_from_the_data_are_text(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    rows = ["Record ID,Deal Name,Deal Stage,Close Date,Create Date,Amount,Pipeline"]
    rows += [f'{100 + i},<img src=x onerror=alert(1)> {i},"<script>alert(1)</script>",2026-10-01,2026-09-01,10,P' for i in range(3)]
    (folder / "hubspot-crm-exports-all-deals-2026-10-10.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    page = render_html(discover([folder], as_of=INTL_AS_OF))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_discovery_html_renders_offline_in_chromium(disc_intl, browser, tmp_path):
    path = tmp_path / "discovery.html"
    path.write_text(render_html(disc_intl), encoding="utf-8")
    with browser.open(path) as run:
        assert run.console_errors == []
        assert run.external_requests == []
        assert run.visible_count("#flow-chart svg.chart") == 1
        # every stage of the flow is drawn as text inside the SVG
        svg_text = run.page.inner_text("#flow-chart")
        for stage in ("won", "deposit", "scheduled", "completed", "invoiced", "paid"):
            assert stage in svg_text
        assert run.visible_count("section#vocabularies table") == len(disc_intl.vocabularies)
        assert run.visible_count("tr.flag-review") >= 1  # Won means paid here
        assert run.count("section#truths figure") == len(disc_intl.truths)
        run.screenshot("discovery-intl")
    with browser.open(path, width=390) as run:  # a phone: tables scroll inside their box, the page does not
        assert run.console_errors == []
        width = run.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
