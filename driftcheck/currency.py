"""Which currency a business's amounts are in, and how to write an amount in it.

Exports rarely say: QuickBooks and Jobber write bare numbers, while Xero, Pipedrive and
multi-currency QuickBooks files carry an ISO code per row (``NZD``, ``GBP``). A scan takes
the business's currency from ``currency = "GBP"`` in driftcheck.toml, else from the codes
its records carry, else writes amounts in dollars, as it always did.

Amounts are compared as plain numbers: a business whose records hold several currencies
gets a warning saying so, since driftcheck converts nothing.

Reports and finding messages write amounts with :func:`driftcheck.report.common.money`,
which reads the currency set here by :func:`using_currency` (a context variable, so the
renderers and the rule engine need not pass it through every helper).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CODE", "business_currency", "priced", "symbol", "using_currency"]

#: An ISO 4217 code, as the config and the exports write it.
CODE = re.compile(r"^[A-Z]{3}$")

#: Symbols people expect in front of an amount; any other code is written before it ("CHF 1,250.00").
_SYMBOLS = {
    "USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "SGD": "$", "HKD": "$", "MXN": "$",
    "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹", "ZAR": "R", "PHP": "₱", "ILS": "₪",
}

_CURRENT: ContextVar[str | None] = ContextVar("driftcheck_currency", default=None)

F = TypeVar("F", bound=Callable[..., Any])


def symbol(code: str | None = None) -> str:
    """What goes in front of an amount in ``code`` (default: the current currency; none set: ``$``)."""
    code = code or _CURRENT.get()
    if not code:
        return "$"
    return _SYMBOLS.get(code, f"{code} ")


@contextmanager
def using_currency(code: str | None) -> Iterator[None]:
    """Write amounts in ``code`` inside the block (None: leave the current currency as it is)."""
    if not code:
        yield
        return
    token = _CURRENT.set(code)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def priced(fn: F) -> F:
    """Decorate a renderer whose first argument is a scan dict: its amounts are written in the
    scan's ``currency``."""

    @wraps(fn)
    def wrapper(scan: Any, *args: Any, **kwargs: Any) -> Any:
        with using_currency(scan.get("currency") if hasattr(scan, "get") else None):
            return fn(scan, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def business_currency(configured: str | None, records: pd.DataFrame) -> tuple[str | None, str | None]:
    """The business's currency, and a warning when its records hold several.

    Args:
        configured: ``currency`` from driftcheck.toml (already checked to be an ISO code).
        records: the loaded records; their ``currency`` column holds what the exports said.

    Returns:
        ``(code, warning)``: the configured code, else the code most records carry (None when
        no record carries one); the warning names the codes when there are several.
    """
    counts: dict[str, int] = {}
    if "currency" in records:
        # counted per distinct cell first: a million-job business has millions of cells, a few codes
        for cell, n in records["currency"].value_counts(dropna=True).items():
            c = str(cell).strip().upper()
            if c:
                counts[c] = counts.get(c, 0) + int(n)
    codes = sorted(counts, key=lambda c: (-counts[c], c))
    code = configured or (codes[0] if codes else None)
    warning = None
    if len(codes) > 1 or (configured and codes and codes != [configured]):
        found = ", ".join(f"{c} ({counts[c]} records)" for c in codes)
        warning = (
            f"records are in several currencies: {found}; amounts are compared as plain numbers "
            f"and written in {code}, nothing is converted"
        )
    return code, warning
