"""A switch for the optimised code paths, so a test can show they change nothing.

Where a faster implementation replaced a plain one, the plain one stays beside it, and
``DRIFTCHECK_FASTPATHS=0`` in the environment runs it instead. ``tests/e2e/test_fastpaths.py``
scans a generated 20,000-job business, and the demo weeks (whose drift the generator never
makes: status conflicts, unsent invoices, a stale source), both ways and requires identical
output. Users never
need this; it exists so every optimisation is checked against the straightforward code.
"""

from __future__ import annotations

import os

__all__ = ["enabled"]


def enabled() -> bool:
    """Whether the optimised paths run (the default)."""
    return os.environ.get("DRIFTCHECK_FASTPATHS", "1") != "0"
