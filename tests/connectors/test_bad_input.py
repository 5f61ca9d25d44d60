"""Bad input: every error names the file, row, column, what was found and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import ReadOptions, read_file, read_paths
from driftcheck.errors import BadValueError, InputError, MissingColumnError, UnknownFormatError

INVOICES_HEADER = "Invoice #,Client name,Issued date,Due date,Job #s,Status,Total ($),Balance ($)"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "Invoices.csv"
    with pytest.raises(InputError) as info:
        read_file(path)
    assert info.value.file == str(path)
    assert str(info.value) == f"{path}: file not found, expected an existing CSV or XLSX export"


def test_missing_path_in_read_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_paths([tmp_path / "exports"])
    assert str(info.value).startswith(f"{tmp_path / 'exports'}: no such file or folder")


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"   "])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "Invoices.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_file(path)
    assert str(info.value) == f"{path}: the file is empty; found '0 rows', expected an export with a header row"


def test_header_only_export_reads_as_no_records(make_csv) -> None:
    result = read_file(make_csv("Invoices.csv", INVOICES_HEADER + "\n", bom=True))
    assert (result.info.records, result.info.newest, result.detection.format) == (0, None, "jobber.invoices")
    assert list(result.frame.columns[:7]) == ["source", "system", "role", "record_type", "record_id", "file", "row"]


def test_unknown_format_via_read_file(exports: Path) -> None:
    with pytest.raises(UnknownFormatError) as info:
        read_file(exports / "housecall-jobs.csv")
    assert info.value.file == str(exports / "housecall-jobs.csv")
    assert "Closest: " in str(info.value)


def test_missing_required_column(make_csv) -> None:
    # A HubSpot view without the Deal Stage column is recognised, but cannot be read.
    path = make_csv("hubspot-crm-exports-my-view-2026-11-20.csv", '"Record ID","Deal Name","Pipeline","Deal owner"\n"1","Ng – Fence","Sales Pipeline","Dana"\n')
    with pytest.raises(MissingColumnError) as info:
        read_file(path)
    err = info.value
    assert (err.file, err.row, err.column) == (str(path), 1, "Deal Stage")
    assert err.found == "columns Record ID, Deal Name, Pipeline, Deal owner"
    assert err.expected == "a column named 'Deal Stage' or 'dealstage'"
    assert str(err).startswith(f"{path}, row 1, column 'Deal Stage': the HubSpot deals export has no 'Deal Stage' column")


def test_missing_required_column_below_a_report_title(make_csv) -> None:
    text = "Harbor LLC,,,\nA/R Aging Detail,,,\nAll Dates,,,\n\n,Date,Transaction type,Customer full name,Due date,Amount,Open balance\n"
    with pytest.raises(MissingColumnError) as info:
        read_file(make_csv("aging.csv", text))
    assert (info.value.row, info.value.column) == (5, "Num")


def test_unparseable_date(make_csv) -> None:
    path = make_csv(
        "Invoices.csv",
        f'{INVOICES_HEADER}\n1,Ann,"Nov 2, 2025","Dec 2, 2025",5,Paid,10.00,0\n2,Bo,"Smarch 3, 2025","Dec 3, 2025",6,Paid,10.00,0\n',
    )
    with pytest.raises(BadValueError) as info:
        read_file(path)
    err = info.value
    assert (err.file, err.row, err.column, err.found) == (str(path), 3, "Issued date", "Smarch 3, 2025")
    assert err.expected.startswith("a date like 11/20/2025")
    assert str(err).startswith(f"{path}, row 3, column 'Issued date': cannot read this value; found 'Smarch 3, 2025', expected a date like")


def test_unparseable_amount_counts_preamble_rows(exports: Path, tmp_path: Path) -> None:
    text = (exports / "QBO Invoice List by Date.csv").read_text().replace('"2,300.00"', "2300 approx")
    path = tmp_path / "Invoice List.csv"
    path.write_text(text)
    with pytest.raises(BadValueError) as info:
        read_file(path)
    err = info.value
    assert (err.row, err.column, err.found) == (7, "Open balance", "2300 approx")
    assert err.expected == "an amount like 1,234.56, $1,234.56, -15.00 or (420.81)"


def test_mixed_date_orders_are_refused(make_csv) -> None:
    path = make_csv(
        "deals.csv",
        "Deal - ID,Deal - Title,Deal - Status,Deal - Deal created\n1,A,Won,29/09/2026\n2,B,Open,09/30/2026\n",
    )
    with pytest.raises(BadValueError) as info:
        read_file(path)
    err = info.value
    assert (err.row, err.column, err.found) == (3, "Deal - Deal created", "09/30/2026")
    assert "day-first ('29/09/2026' at row 2)" in str(err)
    # The source option settles it; the value that does not fit is then the error.
    with pytest.raises(BadValueError) as info:
        read_file(path, ReadOptions(dayfirst=True))
    assert (info.value.row, info.value.found) == (3, "09/30/2026")


def test_row_numbers_survive_multiline_cells_and_blank_lines(make_csv) -> None:
    text = (
        "Client name,Date,Type,Total $,Note,Invoice #\n"
        'Ann,2026-01-02,Payment,-10.00,"first line\nsecond line",7\n'
        "\n"
        "Bo,2026-01-03,Payment,-ten,,8\n"
    )
    with pytest.raises(BadValueError) as info:
        read_file(make_csv("Transactions.csv", text), ReadOptions(format="jobber.transactions"))
    # Spreadsheet rows: header 1, Ann 2 (two lines), blank 3, Bo 4.
    assert (info.value.row, info.value.column) == (4, "Total $")


def test_rows_wider_than_the_header_are_read_and_reported(make_csv) -> None:
    text = f'{INVOICES_HEADER}\n1,Ann,"Nov 2, 2025","Dec 2, 2025",5,Paid,10.00,0,stray\n2,Bo,"Nov 3, 2025","Dec 3, 2025",6,Paid,oops,0\n'
    path = make_csv("Invoices.csv", text)
    with pytest.raises(BadValueError) as info:
        read_file(path)
    assert (info.value.row, info.value.found) == (3, "oops")
    ok = make_csv("Invoices2.csv", text.replace("oops", "12.00"))
    result = read_file(ok)
    assert result.frame["record_id"].tolist() == ["1", "2"]
    assert [(w.message, w.row) for w in result.warnings] == [("rows have more cells than the header; the extra cells were ignored", 2)]


def test_old_xls_workbook(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    with pytest.raises(InputError) as info:
        read_file(path)
    assert "save it as .xlsx or CSV" in str(info.value)


def test_broken_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as info:
        read_file(path)
    assert info.value.file == str(path)
    assert info.value.expected == "an .xlsx workbook"
