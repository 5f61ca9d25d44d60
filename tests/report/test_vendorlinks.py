"""Links into vendor web apps: only where the native id is the id the web app's URL uses."""

from __future__ import annotations

import pytest

from driftcheck.errors import ConfigError
from driftcheck.report.vendorlinks import finding_links, record_url, source_systems, web_settings

WEB = web_settings({"hubspot_portal_id": 4411, "pipedrive_domain": "https://HarborPine.pipedrive.com/"})


@pytest.mark.parametrize(
    ("system", "rid", "web", "url"),
    [
        ("hubspot", "9000079190", WEB, "https://app.hubspot.com/contacts/4411/record/0-3/9000079190"),
        ("hubspot", "9000079190", {**WEB, "hubspot_app_host": "app-eu1.hubspot.com"}, "https://app-eu1.hubspot.com/contacts/4411/record/0-3/9000079190"),
        ("hubspot", "9000079190", {}, None),  # no portal id: no link
        ("hubspot", "D-17", WEB, None),  # not a HubSpot object id
        ("pipedrive", "118", WEB, "https://harborpine.pipedrive.com/deal/118"),
        ("pipedrive", "118", {}, None),
        ("xero", "INV-0042", WEB, None),  # export InvoiceNumber: the web app needs the InvoiceID
        ("xero", "0B0C1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D", {}, "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=0b0c1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"),
        ("quickbooks", "1042", WEB, None),  # Num is not the txnId
        ("jobber", "412", WEB, None),  # Job # is not the work order id
        ("csv", "42", WEB, None),
    ],
)
def test_record_url(system: str, rid: str, web: dict[str, str], url: str | None) -> None:
    assert record_url(system, rid, web) == url


def test_finding_links_use_each_source_system() -> None:
    scan = {"sources": [{"name": "crm", "system": "pipedrive"}, {"name": "books", "system": "quickbooks"}]}
    finding = {"records": {"crm": ["118", "119"], "books": ["1042"]}}
    links = finding_links(finding, source_systems(scan), WEB)
    assert [(r["source"], r["id"], r["url"]) for r in links] == [
        ("crm", "118", "https://harborpine.pipedrive.com/deal/118"),
        ("crm", "119", "https://harborpine.pipedrive.com/deal/119"),
        ("books", "1042", None),
    ]


def test_web_settings_normalise() -> None:
    assert WEB == {"hubspot_portal_id": "4411", "pipedrive_domain": "harborpine"}


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ({"hubspot_portal_id": "44-11"}, "web.hubspot_portal_id", "digits only"),
        ({"hubspot_app_host": "evil.example.com"}, "web.hubspot_app_host", "app-eu1.hubspot.com"),
        ({"pipedrive_domain": "harbor pine"}, "web.pipedrive_domain", "company domain"),
        ({"quickbooks_company": "123"}, "web.quickbooks_company", "internal ids"),
    ],
)
def test_bad_web_settings_name_the_key(table: dict[str, str], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        web_settings(table, "driftcheck.toml")
    assert err.value.key == key and words in str(err.value)
