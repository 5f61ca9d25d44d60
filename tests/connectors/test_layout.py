"""File layout the readers survive: footers, narrow lines, delimiters hints, long files."""

from __future__ import annotations

import pytest

from connectors import read_file

INVOICES_HEADER = "Invoice #,Client name,Issued date,Due date,Job #s,Status,Total ($),Balance ($)"


def _invoice_lines(n: int, first: int = 1) -> list[str]:
    return [f'{i},Client {i},"Nov {1 + i % 28}, 2025","Dec {1 + i % 28}, 2025",{i},Paid,{i}.50,0' for i in range(first, first + n)]


def test_totals_row_saved_from_a_spreadsheet_is_not_a_record(make_csv) -> None:
    text = "\n".join([INVOICES_HEADER, *_invoice_lines(2), ",,,,,,,", "Totals,,,,,,3.00,0.00"])
    result = read_file(make_csv("Invoices.csv", text))
    assert result.frame["record_id"].tolist() == ["1", "2"]
    assert result.meta["totals"] == ["Totals 3.00 0.00"]
    assert [(w.message, w.row) for w in result.warnings] == [("fully blank rows skipped", 4)]


@pytest.mark.parametrize(
    "stamp",
    [
        '" Friday, November 20, 2026 04:19 PM GMT-06:00"',  # quoted, not padded to the header width
        " Friday, November 20, 2026 04:19 PM GMT-06:00",  # re-saved without quotes: split at commas
    ],
)
def test_long_qbo_report_with_unpadded_footer(make_csv, stamp: str) -> None:
    # Footer lines narrower than the header, after more rows than the tail window.
    lines = ["Harbor LLC", "Invoice List by Date", "All Dates", "", "Date,Num,Customer,Due Date,Amount,Open Balance"]
    lines += [f"1/{1 + i % 28}/2026,{1000 + i},Cust {i},2/{1 + i % 28}/2026,{i}.00,0.00" for i in range(60)]
    lines += ['TOTAL,,,,"$1,770.00",$0.00', "", "", "", stamp]
    result = read_file(make_csv("Invoice List.csv", "\n".join(lines), newline="\r\n"))
    assert result.info.records == 60
    assert result.frame["row"].tolist() == list(range(6, 66))
    assert result.meta["exported"] == "Friday, November 20, 2026 04:19 PM GMT-06:00"
    assert result.warnings == []


def test_wide_row_in_a_long_file_keeps_row_numbers(make_csv) -> None:
    lines = [INVOICES_HEADER, *_invoice_lines(40)]
    lines[10] += ",stray"  # row 11 has a cell past the header
    lines.append("")
    lines += _invoice_lines(40, first=41)
    result = read_file(make_csv("Invoices.csv", "\n".join(lines)))
    assert result.info.records == 80
    rows = dict(zip(result.frame["record_id"], result.frame["row"]))
    assert (rows["10"], rows["40"], rows["41"], rows["80"]) == (11, 41, 43, 82)
    assert [(w.message, w.row) for w in result.warnings] == [
        ("rows have more cells than the header; the extra cells were ignored", 11),
        ("fully blank rows skipped", 42),
    ]


def test_sep_hint_line(make_csv) -> None:
    text = "sep=;\nInvoice #;Client name;Issued date;Due date;Job #s;Status;Total ($);Balance ($)\n7;Ann;Nov 2, 2025;Dec 2, 2025;5;Paid;10.00;0\n"
    result = read_file(make_csv("Invoices.csv", text))
    assert (result.detection.format, result.frame["record_id"].tolist(), result.frame["row"].tolist()) == ("jobber.invoices", ["7"], [3])


def test_utf16_tab_separated_export(tmp_path) -> None:
    # Excel's "Unicode text" save: UTF-16 with BOM, tab-separated.
    text = "Job #\tClient name\tTitle\tJob status\tJob type\tCreated date\tStart date\tCompleted date\tTotal ($)\r\n9\tZoë\tDeck\tActive\tOne-off\tNov 2, 2025\t-\t-\t100.00\r\n"
    path = tmp_path / "Jobs Report.txt"
    path.write_bytes(text.encode("utf-16"))
    result = read_file(path)
    assert (result.detection.format, result.frame["customer"].tolist(), result.meta["encoding"]) == ("jobber.jobs_report", ["Zoë"], "utf-16")


def test_semicolons_in_a_memo_do_not_change_the_delimiter(make_csv, records) -> None:
    text = "\n".join([INVOICES_HEADER, '1,Ann,"Nov 2, 2025","Dec 2, 2025",5,Paid,10.00,0', '2,Bo;Jo;Al;Ed;Cy;Di;Fa;Gu;Hi;Io,"Nov 3, 2025","Dec 3, 2025",6,Paid,12.00,0'])
    got = records(read_file(make_csv("Invoices.csv", text)))
    assert got["2"]["customer"] == "Bo;Jo;Al;Ed;Cy;Di;Fa;Gu;Hi;Io"
