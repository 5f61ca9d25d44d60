"""read_paths folder expansion, source options, and the generic column-mapped reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors import ReadOptions, read_file, read_paths
from driftcheck.errors import InputError, MissingColumnError


def test_folder_expansion_skips_what_is_not_an_export(exports: Path, tmp_path: Path, make_xlsx) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(exports / "Invoices.csv", folder / "b-invoices.csv")
    shutil.copy(exports / "Jobs.csv", folder / "A-jobs.CSV")
    make_xlsx("deals.xlsx", [["Record ID", "Deal Name", "Deal Stage"], [1, "Ng – Fence", "Closed Won"]]).rename(folder / "c-deals.xlsx")
    (folder / ".hidden.csv").write_text("x\n")
    (folder / "~$c-deals.xlsx").write_bytes(b"lock")
    (folder / "links.csv").write_text("from,to\n")
    (folder / "notes.txt").write_text("not an export")
    (folder / "sub").mkdir()
    results = read_paths([folder])
    assert [Path(r.info.path).name for r in results] == ["A-jobs.CSV", "b-invoices.csv", "c-deals.xlsx"]
    assert [r.detection.format for r in results] == ["jobber.jobs", "jobber.invoices", "hubspot.deals"]


def test_files_and_folders_mix_and_options_apply(exports: Path, tmp_path: Path) -> None:
    folder = tmp_path / "accounting"
    folder.mkdir()
    shutil.copy(exports / "SalesInvoices.csv", folder)
    names = {"SalesInvoices.csv": "xero", "Jobs Report.csv": "ops"}
    results = read_paths([exports / "Jobs Report.csv", folder], options_for=lambda p: ReadOptions(name=names[p.name]))
    assert [(r.info.name, r.info.system, r.info.role) for r in results] == [("ops", "jobber", "operations"), ("xero", "xero", "accounting")]
    assert set(results[1].frame["source"]) == {"xero"}


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "links.csv").write_text("a,b\n")
    with pytest.raises(InputError) as info:
        read_paths([tmp_path])
    assert info.value.file == str(tmp_path)
    assert info.value.found == "no .csv, .xlsx or .xls file"


def test_source_info_and_role_override(read_export) -> None:
    result = read_export("Jobs Report.csv", name="Field ops", role="operations")
    info = result.info.as_dict()
    assert info == {
        "name": "Field ops",
        "system": "jobber",
        "role": "operations",
        "path": str(Path(result.info.path)),
        "records": 3,
        "newest": "2025-10-30",
        "format": "Jobber jobs report",
    }
    assert result.info.reason.startswith("matched 'Job #', 'Client name'")


HOUSECALL = dict(
    system="csv",
    role="operations",
    record_type="job",
    columns={
        "record_id": "Job #",
        "title": "Job description",
        "raw_status": "Job status",
        "customer": "Customer name",
        "address": "Address",
        "created": "Job created date",
        "scheduled": "Job scheduled start date",
        "amount": "Job amount",
        "balance": "Due amount",
    },
)


def test_generic_reader_with_a_column_map(read_export, records) -> None:
    result = read_export("housecall-jobs.csv", **HOUSECALL)
    got = records(result)
    assert list(got) == ["501", "502"]  # ="501" unwrapped
    job = got["501"]
    assert (job["system"], job["role"], job["record_type"], job["row"]) == ("csv", "operations", "job", 2)
    assert (job["raw_status"], job["customer"], job["address"]) == ("complete unrated", "Pat Doe", "10 Main St, Austin, TX 78701")
    assert (job["amount"], job["balance"], job["created"], job["scheduled"]) == (1399.0, 0.0, "2026-03-01", "2026-03-04")
    assert job["x:Assigned employees"] == "Lee"
    assert result.detection.format == "csv.generic"
    assert result.detection.reason.startswith("column map from the config: record_id='Job #'")


def test_generic_reader_finds_the_header_below_a_preamble(make_csv, records) -> None:
    path = make_csv("report.csv", "Acme Field Service\nExported 2026-11-20\n\nRef;Client;Status;Value\nA-1;Ann;done;1.234,50\n")
    got = records(read_file(path, ReadOptions(system="csv", role="operations", record_type="job", decimal=",", columns={"record_id": "Ref", "customer": "Client", "raw_status": "Status", "amount": "Value"})))
    assert (got["A-1"]["amount"], got["A-1"]["row"], got["A-1"]["customer"]) == (1234.5, 5, "Ann")


@pytest.mark.parametrize(
    ("override", "key"),
    [({"role": None}, "role"), ({"record_type": "ticket"}, "record_type"), ({"columns": {"customer": "Customer name"}}, "columns.record_id"), ({"columns": {"record_id": "Job #", "colour": "X"}}, "columns.colour")],
)
def test_generic_reader_needs_its_config(exports: Path, override: dict, key: str) -> None:
    options = {**HOUSECALL, **override}
    with pytest.raises(InputError) as info:
        read_file(exports / "housecall-jobs.csv", ReadOptions(**options))
    assert f"needs '{key}'" in str(info.value)
    assert info.value.file == str(exports / "housecall-jobs.csv")


def test_generic_reader_missing_mapped_column(exports: Path) -> None:
    options = {**HOUSECALL, "columns": {**HOUSECALL["columns"], "due": "Due date"}}
    with pytest.raises(MissingColumnError) as info:
        read_file(exports / "housecall-jobs.csv", ReadOptions(**options))
    assert (info.value.column, info.value.row) == ("Due date", 1)


@pytest.mark.parametrize("fast", ["1", "0"])
def test_files_read_side_by_side_keep_their_order_and_the_first_error(exports: Path, tmp_path: Path, monkeypatch, fast) -> None:
    """The exports of a folder are read in parallel threads (the plain twin reads them one by
    one): results come in name order, and of two unreadable files the first by name is the
    error reported, whichever thread finished first."""
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", fast)
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("Jobs.csv", "Invoices.csv", "SalesInvoices.csv"):
        shutil.copy(exports / name, folder / name)
    results = read_paths([folder])
    assert [Path(r.info.path).name for r in results] == ["Invoices.csv", "Jobs.csv", "SalesInvoices.csv"]
    assert [len(r.frame) for r in results] == [len(read_file(folder / n).frame) for n in ("Invoices.csv", "Jobs.csv", "SalesInvoices.csv")]
    (folder / "B-broken.csv").write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    (folder / "Z-broken.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_paths([folder])
    assert Path(str(info.value.file)).name == "B-broken.csv"


def test_read_side_by_side_reports_the_first_bad_file_by_name(tmp_path: Path) -> None:
    """Files are read largest first, but results and the error raised follow the names' order."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a-small.csv").write_text("Who,What\nx,y\n")
    (folder / "b-large.csv").write_text("Name,Thing\n" + "p,q\n" * 5000)
    with pytest.raises(InputError) as info:
        read_paths([folder])
    assert Path(info.value.file).name == "a-small.csv"
