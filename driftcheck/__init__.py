"""driftcheck: see where a small business's tools disagree about the state of its work.

Importing this package does not import pandas. The library twins of the commands::

    import datetime as dt
    from pathlib import Path
    from driftcheck.scan import run_scan                 # driftcheck scan
    from driftcheck.discovery import discover            # driftcheck discover
    from driftcheck.linking import link_records          # what driftcheck links reports

    outcome = run_scan([Path("sample_exports")], as_of=dt.date(2026, 11, 20), history_path=None)
    outcome.scan["summary"]        # the driftcheck.scan/1 dict every report renders
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ConfigError,
    DeliveryError,
    DriftcheckError,
    ExitCode,
    InputError,
    SourceError,
    UsageError,
)

__all__ = [
    "ConfigError",
    "DeliveryError",
    "DriftcheckError",
    "ExitCode",
    "InputError",
    "SourceError",
    "UsageError",
    "__version__",
]
