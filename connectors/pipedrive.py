"""Pipedrive (CRM) reader: the deals list view export, ``Deal - <field>`` headers.

``shared/reference/vendor-formats.md`` section 2A. Spelling varies by account and version
(``Deal - Deal created`` / ``Deal - Creation date``), dates and numbers follow the user's
locale (en-GB ``29/09/2024``: inferred per file), and organisation and person are linked by
name. ``raw_status`` is ``Deal - Status`` (Open/Won/Lost). ``closed`` is the close date, or
else the won or lost time. The customer is the contact person, else the organisation, else
the deal-title prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _values as V
from ._crm import deal_fields, fill_customer

if TYPE_CHECKING:
    import pandas as pd

    from ._frame import ReadContext

__all__ = ["read_deals"]


def read_deals(ctx: ReadContext) -> pd.DataFrame:
    """Pipedrive deals export -> deal records."""
    fields, dates = deal_fields(ctx, date_fields=("won_time", "lost_time"))
    closed = fields["closed"]
    for f in ("won_time", "lost_time"):
        if f in dates:
            closed = dates[f] if closed is None else closed.fillna(dates[f])
    fields["closed"] = closed
    title = fields["title"]
    fill_customer(fields, ctx.text("customer"), fields["company"], V.name_prefix(title) if title is not None else None)
    return ctx.finish("deal", fields)
