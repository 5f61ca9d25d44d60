"""The terminal renderers: every section present, nothing wider than the terminal, the flow drawn as text."""

from __future__ import annotations

import pytest
from rich.console import Console

from driftcheck.discovery import DiscoveryTable, render_text

SECTIONS = ("Sources", "Status vocabularies", "Key coverage", "How the systems link", "Who claims which truth",
            "Lifecycle flow")


@pytest.mark.parametrize("width", [80, 120, 160])
def test_rich_table_fits_the_terminal(disc_main, width):
    console = Console(width=width, color_system=None)
    with console.capture() as cap:
        console.print(DiscoveryTable(disc_main))
    out = cap.get()
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    # a table either keeps its right border or is drawn as text: never cut off
    boxed = [line for line in lines if line.startswith(("│", "┃"))]
    assert all(line.rstrip().endswith(("│", "┃")) for line in boxed)
    for section in SECTIONS:
        assert section.lower() in out.lower(), section
    assert "Deposit Received" in out and "suggest won" in out


def test_plain_text_flow_follows_the_lifecycle_order(disc_main):
    out = render_text(disc_main)
    flow = out[out.index("LIFECYCLE FLOW"):]
    positions = [flow.index(f"  {stage}") for stage in ("won", "deposit", "scheduled", "completed", "invoiced", "paid")]
    assert positions == sorted(positions)
    assert flow.count("▼") == 5
    # the hand-off line under each stage names the rules whose drift it carries
    lines = flow.splitlines()
    won = next(i for i, line in enumerate(lines) if line.startswith("  won "))
    assert lines[won + 1].startswith("        │") and "won-not-invoiced" in lines[won + 1]
