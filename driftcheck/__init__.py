"""driftcheck: see where a small business's tools disagree about the state of its work.

Public API (importing this package does not import pandas)::

    from driftcheck import scan
    result = scan(["sample_exports/"], as_of="2026-11-20")
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
