"""Links from a finding's native record ids to the record in the vendor's web app.

A link is made only where the id a source carries is the id the vendor's web
app puts in its URL. What each vendor allows, and why:

* **HubSpot**: the deals export's ``Record ID`` is the deal's object id, and the
  web app opens a deal at ``https://app.hubspot.com/contacts/<portal>/record/0-3/<id>``
  (``0-3`` is HubSpot's object type id for deals; EU portals are served from
  ``app-eu1.hubspot.com``). Needs ``[web] hubspot_portal_id``.
* **Pipedrive**: the ``Deal - ID`` column is the deal id, opened at
  ``https://<company>.pipedrive.com/deal/<id>``. Needs ``[web] pipedrive_domain``.
* **Xero**: an invoice opens at
  ``https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=<uuid>``; the
  ``InvoiceID`` is a UUID that only API pulls carry. An export's
  ``InvoiceNumber`` (``INV-0042``) cannot be turned into that URL, so only
  UUID-shaped ids get a link.
* **QuickBooks Online**: the web app opens ``/app/invoice?txnId=<Id>`` with the
  internal transaction ``Id``, not the ``Num``/``DocNumber`` the exports carry.
  No link.
* **Jobber**: the web app opens ``/work_orders/<internal id>``; the ``Job #``
  of an export is a per-account sequence number, a different thing. No link.

Nothing here fetches anything: a link is only an ``href`` the reader may click.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import ConfigError

__all__ = ["WEB_KEYS", "finding_links", "record_url", "source_systems", "web_settings"]

#: Keys of the ``[web]`` table of driftcheck.toml and what each one means.
WEB_KEYS: dict[str, str] = {
    "hubspot_portal_id": "HubSpot account (Hub) id, the number in app.hubspot.com/contacts/<id>/...",
    "hubspot_app_host": "HubSpot web host: app.hubspot.com (default) or app-eu1.hubspot.com for EU portals",
    "pipedrive_domain": "Pipedrive company domain: 'harborpine' for harborpine.pipedrive.com",
}

_DIGITS = re.compile(r"^[0-9]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HUBSPOT_HOST = re.compile(r"^app(-[a-z0-9]+)?\.hubspot\.com$")
_PIPEDRIVE_SUB = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def web_settings(table: Mapping[str, Any] | None, file: str | Path | None = None) -> dict[str, str]:
    """Validate the ``[web]`` table of driftcheck.toml.

    Args:
        table: the parsed ``[web]`` table (or None when absent).
        file: the config file, named in errors.

    Returns:
        A normalised copy: ``pipedrive_domain`` reduced to the subdomain,
        ``hubspot_portal_id`` as a string of digits.

    Raises:
        ConfigError: an unknown key, or a value of the wrong shape.
    """
    out: dict[str, str] = {}
    for key, value in (table or {}).items():
        if key not in WEB_KEYS:
            known = ", ".join(sorted(WEB_KEYS))
            hint = ""
            if key.startswith(("quickbooks", "jobber")):
                hint = (
                    " QuickBooks and Jobber exports carry invoice and job numbers, not the internal ids "
                    "their web apps use in links, so driftcheck makes no links for them."
                )
            raise ConfigError(f"unknown key; known keys are {known}.{hint}", file=file, key=f"web.{key}")
        text = str(value).strip()
        if key == "hubspot_portal_id":
            if isinstance(value, bool) or not _DIGITS.match(text):
                raise ConfigError(f"expected the HubSpot account id (digits only), found {value!r}", file=file, key=f"web.{key}")
        elif key == "hubspot_app_host":
            text = text.lower().removeprefix("https://").rstrip("/")
            if not _HUBSPOT_HOST.match(text):
                raise ConfigError(
                    f"expected app.hubspot.com or a regional host such as app-eu1.hubspot.com, found {value!r}",
                    file=file,
                    key=f"web.{key}",
                )
        elif key == "pipedrive_domain":
            text = text.lower().removeprefix("https://").removeprefix("http://").rstrip("/")
            text = text.removesuffix(".pipedrive.com")
            if not _PIPEDRIVE_SUB.match(text):
                raise ConfigError(
                    f"expected the company domain ('harborpine' for harborpine.pipedrive.com), found {value!r}",
                    file=file,
                    key=f"web.{key}",
                )
        out[key] = text
    return out


def record_url(system: str, record_id: str, web: Mapping[str, Any] | None = None) -> str | None:
    """The web-app URL of one native record, or None where the id does not allow one.

    Args:
        system: the source's vendor system (``hubspot``, ``pipedrive``, ``xero``...).
        record_id: the native id as the finding carries it.
        web: the validated ``[web]`` settings (see :func:`web_settings`).

    Example:
        >>> record_url("pipedrive", "118", {"pipedrive_domain": "harborpine"})
        'https://harborpine.pipedrive.com/deal/118'
        >>> record_url("quickbooks", "1042", {}) is None
        True
    """
    web = web or {}
    rid = str(record_id).strip()
    if system == "hubspot":
        portal = str(web.get("hubspot_portal_id") or "")
        if portal and _DIGITS.match(portal) and _DIGITS.match(rid):
            host = web.get("hubspot_app_host") or "app.hubspot.com"
            return f"https://{host}/contacts/{portal}/record/0-3/{quote(rid)}"
        return None
    if system == "pipedrive":
        domain = str(web.get("pipedrive_domain") or "")
        if domain and _PIPEDRIVE_SUB.match(domain) and _DIGITS.match(rid):
            return f"https://{domain}.pipedrive.com/deal/{quote(rid)}"
        return None
    if system == "xero" and _UUID.match(rid):
        return f"https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={rid.lower()}"
    return None


def source_systems(scan: Mapping[str, Any]) -> dict[str, str]:
    """Source name -> vendor system, from ``scan["sources"]``."""
    return {str(s.get("name")): str(s.get("system") or "") for s in scan.get("sources") or []}


def finding_links(
    finding: Mapping[str, Any], systems: Mapping[str, str], web: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every native record of a finding with its URL (None where no link is possible).

    Returns:
        ``[{"source", "system", "id", "url"}]`` in the order the finding lists them.
    """
    out = []
    for source, ids in (finding.get("records") or {}).items():
        system = systems.get(source, "")
        for rid in ids or []:
            out.append({"source": source, "system": system, "id": str(rid), "url": record_url(system, str(rid), web)})
    return out
