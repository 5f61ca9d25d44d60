"""The scan log as rows, and the sparkline that draws its trend in a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._db import opened

__all__ = ["HISTORY_COLUMNS", "history_rows", "sparkline"]

#: Keys of each :func:`history_rows` dict, in display order.
HISTORY_COLUMNS = (
    "scan_id", "ran_at", "as_of", "findings", "high", "medium", "low",
    "new", "resolved", "acknowledged", "amount_at_stake", "jobs",
)

_BARS = "▁▂▃▄▅▆▇█"


def history_rows(db_path: Path, *, last: int | None = None) -> list[dict[str, Any]]:
    """Every recorded scan, oldest first, with its counts.

    ``findings``, ``high``, ``medium``, ``low`` count every finding present in
    that scan, acknowledged ones included (``acknowledged`` says how many), so
    acknowledging does not bend the trend. ``new`` were not open in the scan
    before; ``resolved`` were open before and gone in this one.

    Args:
        db_path: the history file.
        last: only the latest N scans. Defaults to None (all).

    Returns:
        One dict per scan with the keys of :data:`HISTORY_COLUMNS`.

    Raises:
        HistoryError: no history file, or it is unusable.
    """
    with opened(db_path) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(HISTORY_COLUMNS)} FROM scans ORDER BY scan_id DESC LIMIT ?",
            (-1 if last is None else last,),
        ).fetchall()
    return [dict(r) for r in reversed(rows)]


def sparkline(values: Sequence[float]) -> str:
    """A one-line chart of ``values``, one block character each, scaled from min to max.

    Example:
        >>> sparkline([3, 5, 8, 4, 0])
        '▄▅█▅▁'
    """
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _BARS[len(_BARS) // 2 - 1] * len(values)
    scale = (len(_BARS) - 1) / (high - low)
    return "".join(_BARS[round((v - low) * scale)] for v in values)
