"""JSON: the ``driftcheck.scan/1`` dict, stable for scripts."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["render_json"]


def render_json(scan: dict[str, Any]) -> str:
    """Serialise the scan dict (UTF-8 text, two-space indent, trailing newline)."""
    return json.dumps(scan, indent=2, ensure_ascii=False, default=str) + "\n"
