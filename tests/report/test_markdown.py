"""The Markdown report, rendered by a CommonMark parser (markdown-it, as ticket systems do)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from driftcheck.report.markdown import md_escape, render_markdown


def to_html(text: str) -> str:
    # "commonmark" passes raw HTML through, like GitHub before its sanitiser: the worst case
    return MarkdownIt("commonmark").enable("table").render(text)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs)["href"] or "")


def tags_of(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_hostile_names_stay_text(make_scan) -> None:
    html = to_html(render_markdown(make_scan(40)))
    tags = tags_of(html)
    assert "script" not in tags.tags and "b" not in tags.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Roofing" in html
    assert "O'Brien &amp; &quot;Sons&quot; &lt;b&gt;Ltd&lt;/b&gt;" in html
    assert "Harbor &amp; Pine &lt;Renovations&gt;" in html
    # only the links the report makes itself
    assert all(link.startswith("https://") for link in tags.links)


def test_findings_are_grouped_by_owner_with_their_evidence(make_scan) -> None:
    scan = make_scan(30)
    text = render_markdown(scan)
    headings = re.findall(r"^### (\S+) \((\d+) findings?", text, flags=re.M)
    expected = {}
    for f in scan["findings"]:
        expected[f["owner"]] = expected.get(f["owner"], 0) + 1
    assert {o: int(n) for o, n in headings} == expected
    # the owner with the most high findings comes first
    highs = {o: sum(1 for f in scan["findings"] if f["owner"] == o and f["severity"] == "high") for o in expected}
    assert highs[headings[0][0]] == max(highs.values())
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    for section in sections:
        owner = section.split(" ", 1)[0]
        for f in scan["findings"]:
            job_line = f"job {md_escape(f['job'])} · `{f['rule']}`"
            assert (job_line in section) == (f["owner"] == owner)
    f = scan["findings"][0]
    assert f"{md_escape(f['evidence'][0]['source'])} {f['evidence'][0]['record']}, {md_escape(f['evidence'][0]['field'])}" in text


def test_headline_and_tables(make_scan) -> None:
    scan = make_scan(20)
    html = to_html(render_markdown(scan))
    s = scan["summary"]
    assert f"{s['findings']} findings</strong> ({s['by_severity']['high']} high, {s['by_severity']['medium']} medium" in html
    assert f"${s['amount_at_stake']:,.0f} at stake" in html
    assert html.count("<table>") == 6  # sources, stages, hand-offs, by rule, by owner, age
    assert "21 days old <strong>stale</strong>" in html


def test_a_pipe_in_a_value_does_not_break_a_table(make_scan) -> None:
    scan = make_scan(6)
    for f in scan["findings"]:
        f["owner"] = "ops | field"
    html = to_html(render_markdown(scan))
    owner_table = html.split("Findings by owner")[1].split("</table>")[0]
    row = owner_table.split("<tbody>")[1].split("</tr>")[0]
    assert row.count("<td") == 5 and "ops | field" in row


def test_vendor_links_only_where_the_id_allows(make_scan) -> None:
    scan = make_scan(12)
    tags = tags_of(to_html(render_markdown(scan, web={"hubspot_portal_id": "4411"})))
    hub = [f["records"]["hubspot-deals"][0] for f in scan["findings"] if "hubspot-deals" in f["records"]]
    assert sorted(tags.links) == sorted(f"https://app.hubspot.com/contacts/4411/record/0-3/{i}" for i in hub)
    assert tags_of(to_html(render_markdown(scan))).links == []


def test_no_findings(make_scan) -> None:
    text = render_markdown(make_scan(0))
    assert "**0 findings** (0 high, 0 medium, 0 low)" in text
    assert "No findings: the tools agree on every job checked." in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [("- not a list", "- not a list"), ("1. not a list", "1. not a list"), ("# not a heading", "# not a heading"), ("*x* _y_ `z`", "*x* _y_ `z`"), ("a\nb", "a b")],
)
def test_escaped_values_render_as_typed(value: str, shown: str) -> None:
    html = to_html(md_escape(value))
    assert html == f"<p>{shown.replace('&', '&amp;')}</p>\n"
