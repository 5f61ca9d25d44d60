"""The views behind the history commands: the same data as a rich table and as plain text."""

from __future__ import annotations

import io

from rich.console import Console

from driftcheck.history import sparkline
from driftcheck.history.render import View, acks_view, history_view


def test_a_view_renders_as_a_rich_table_with_the_same_cells_as_plain_text():
    view = View(title="Two scans", columns=["Scan", "Findings"], numeric=("Scan", "Findings"), rows=[["1", "12"], ["2", "7"]], notes=["Trend: █▁"])
    console = Console(width=60, color_system=None, file=io.StringIO())
    console.print(view)

    assert [line.rstrip() for line in console.file.getvalue().splitlines()] == [
        "Two scans",
        "┏━━━━━━┳━━━━━━━━━━┓",
        "┃ Scan ┃ Findings ┃",
        "┡━━━━━━╇━━━━━━━━━━┩",
        "│    1 │       12 │",
        "│    2 │        7 │",
        "└──────┴──────────┘",
        "Trend: █▁",
    ]
    assert view.text() == "Two scans\n\nScan  Findings\n----  --------\n   1        12\n   2         7\n\nTrend: █▁\n"


def test_empty_views_say_what_to_do():
    assert history_view([]).text() == "Scan history: 0 scans\n\nNo scans recorded yet: each `driftcheck scan` adds one.\n"
    assert "driftcheck ack FINDING_ID --reason TEXT" in acks_view([]).text()


def test_sparkline_scales_from_lowest_to_highest():
    assert sparkline([3, 5, 8, 4, 0]) == "▄▅█▅▁"
    assert sparkline([0, 10]) == "▁█"
    assert sparkline([4, 4, 4]) == "▄▄▄"
    assert sparkline([]) == ""
