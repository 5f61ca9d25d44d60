"""HubSpot (CRM) reader: the deals export of any list view, labels or internal values.

``shared/reference/vendor-formats.md`` section 1A. Columns depend on the view; custom
properties are kept (as ``x:<label>``). The customer is, in order: the associated contact
(``"Jane Doe (jane@x.com)"`` is split into name and email), the associated company, or
the deal-name prefix (``"Smith – Kitchen remodel"`` -> ``"Smith"``). ``raw_status`` is the
Deal Stage as written: a label ("Closed Won") or, in an internal-values export, the stage
id (``closedwon``); both are in ``hubspot.toml``'s status map.
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
    """HubSpot deals export -> deal records."""
    fields, _ = deal_fields(ctx)
    name = email = None
    contact = ctx.col("contact")
    if contact is not None:
        name, email = V.split_contact(contact)
    title = fields["title"]
    fill_customer(fields, name, fields["company"], V.name_prefix(title) if title is not None else None)
    if email is not None:
        fields["email"] = email if fields["email"] is None else fields["email"].fillna(email)
    return ctx.finish("deal", fields)
