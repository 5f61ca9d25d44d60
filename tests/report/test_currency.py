"""Amounts are written in the business's currency: from driftcheck.toml, else from the exports'
own currency codes, else dollars (what a business whose exports name none always saw)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from driftcheck.errors import ConfigError
from driftcheck.report.common import money
from driftcheck.report.markdown import render_markdown
from driftcheck.report.text import render_text
from driftcheck.scan import run_scan

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
AS_OF = dt.date(2026, 11, 20)


def _folder(tmp_path: Path, *files: str, config: str = "") -> Path:
    for f in files:
        shutil.copy(EXPORTS / f, tmp_path)
    if config:
        (tmp_path / "driftcheck.toml").write_text(config, encoding="utf-8")
    return tmp_path


def _amount_texts(scan: dict) -> list[str]:
    return [f["message"] for f in scan["findings"] if f.get("amount")]


def test_money_writes_the_symbol_people_expect_or_the_code():
    assert money(12500) == "$12,500.00"  # no currency known: dollars, as before
    assert money(12500, currency="GBP") == "£12,500.00"
    assert money(-40.5, currency="EUR") == "-€40.50"
    assert money(1250, currency="CHF", cents=False) == "CHF 1,250"
    assert money(None, currency="GBP") == "—"


def test_a_uk_pipedrive_export_gives_pounds_in_messages_and_reports(tmp_path: Path):
    scan = run_scan([_folder(tmp_path, "pipedrive-deals-en-gb.csv")], as_of=AS_OF).scan
    assert scan["currency"] == "GBP"
    messages = _amount_texts(scan)
    assert messages and all("£" in m and "$" not in m for m in messages)
    text = render_text(scan)
    assert "£12,500.00 at stake" in text and "$" not in text
    assert "£12,500" in render_markdown(scan) and "$" not in render_markdown(scan)
    assert not [w for w in scan["warnings"] if w["source"] == "currency"]


def test_the_config_names_the_currency_and_a_disagreeing_export_is_warned_about(tmp_path: Path):
    folder = _folder(tmp_path, "pipedrive-deals-en-gb.csv", config='currency = "eur"\n')
    scan = run_scan([folder], as_of=AS_OF).scan
    assert scan["currency"] == "EUR"
    assert all("€" in m for m in _amount_texts(scan))
    (warning,) = [w for w in scan["warnings"] if w["source"] == "currency"]
    assert "GBP (3 records)" in warning["message"] and "nothing is converted" in warning["message"]


def test_exports_in_several_currencies_are_named_in_a_warning(tmp_path: Path):
    scan = run_scan([_folder(tmp_path, "pipedrive-deals-en-gb.csv", "SalesInvoices.csv")], as_of=AS_OF).scan
    (warning,) = [w for w in scan["warnings"] if w["source"] == "currency"]
    assert "GBP" in warning["message"] and "NZD" in warning["message"]
    assert scan["currency"] in ("GBP", "NZD")


def test_exports_without_currency_codes_stay_in_dollars_and_the_scan_names_none(sample_exports: Path):
    scan = run_scan([sample_exports], as_of=AS_OF, history_path=None).scan
    assert "currency" not in scan
    assert any("$" in m for m in _amount_texts(scan))


def test_a_bad_currency_in_the_config_names_the_key(tmp_path: Path):
    folder = _folder(tmp_path, "pipedrive-deals-en-gb.csv", config='currency = "pounds"\n')
    with pytest.raises(ConfigError) as err:
        run_scan([folder], as_of=AS_OF)
    assert "currency" in str(err.value) and "'pounds'" in str(err.value)
