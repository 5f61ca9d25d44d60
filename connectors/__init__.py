"""Connectors: one module per source system, turning its exports (and APIs) into records.

Every connector produces the normalised record frame of
:data:`driftcheck.model.RECORD_SCHEMA` (built with :func:`driftcheck.records.conform`).
The ``state`` column is left empty by readers: the status map in
``connectors/<system>.toml`` (``[status_map.<record_type>]``), overridable in
``driftcheck.toml``, is applied afterwards by :mod:`driftcheck.statusmap`.

Public API used by the core (kept stable)::

    from connectors import read_paths, detect_file, ReadOptions, ReadResult

    results = read_paths([Path("exports/")], options_for=lambda path: ReadOptions())
    # -> list[ReadResult], one per file; raises driftcheck.errors.InputError subclasses

    from connectors import load_status_map
    load_status_map("jobber")["job"]["requires invoicing"]   # -> "completed"

See :mod:`connectors.base` for the types and format ids, ``connectors/<system>.toml``
for header variants and status maps.
"""

from __future__ import annotations

from ._spec import load_status_map
from .base import Detection, ReadOptions, ReadResult, detect_file, read_file, read_paths

__all__ = ["Detection", "ReadOptions", "ReadResult", "detect_file", "load_status_map", "read_file", "read_paths"]
