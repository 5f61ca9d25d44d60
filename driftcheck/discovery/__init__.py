"""Discovery: a consultant's first hour with a client's exports.

``discover()`` profiles a folder of exports: what each source is and why we think so,
every status value with the lifecycle state it maps to (and a suggestion, with evidence,
for the values no map covers), how well records carry the keys that link them, how the
systems linked, which systems claim which truth and how often they disagree, and how
jobs flow through the lifecycle (jobs per stage, typical days between stages, where they
get stuck, the drift at each hand-off). ``write_config()`` turns what it learned into a
commented ``driftcheck.toml`` (``driftcheck init``).

Library first; the ``discover`` and ``init`` commands are thin layers over::

    from driftcheck.discovery import discover, write_config
    d = discover([Path("exports")], as_of=date(2026, 12, 4))
    d.as_dict()                          # driftcheck.discovery/1 JSON
    write_config(d, Path("exports/driftcheck.toml"))

Renderers: :func:`render_text`, :func:`render_markdown`, :func:`render_html`,
:class:`DiscoveryTable` (rich, for a terminal).
"""

from __future__ import annotations

from .configfile import render_config, write_config
from .model import Discovery
from .profile import discover
from .render import DiscoveryTable, render_html, render_markdown, render_text

__all__ = [
    "Discovery",
    "DiscoveryTable",
    "discover",
    "render_config",
    "render_html",
    "render_markdown",
    "render_text",
    "write_config",
]
