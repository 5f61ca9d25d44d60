"""Loading's optimised steps (status maps, paid dates, label categoricals) equal their plain twins.

``pipeline.load`` turns the label columns into categoricals before the status maps and the
invoice paid dates run, and those then join on integer codes. These tests build a record frame
with the cases that matter (two systems sharing invoice numbers, payments naming several
invoices, a payment with no date, an unmapped status) and require the same frame with
``DRIFTCHECK_FASTPATHS`` on and off.
"""

from __future__ import annotations

import pandas as pd
import pytest

from driftcheck import pipeline
from driftcheck.config import Config
from driftcheck.records import conform
from driftcheck.statusmap import apply_status_maps


def _records(*, padded: bool = False) -> pd.DataFrame:
    rows = [
        # system, record_type, record_id, raw_status, invoice_refs, created, paid
        ("quickbooks", "invoice", "1001", "Paid", None, "2025-01-01", None),
        ("quickbooks", "invoice", "1002", "Paid", None, "2025-01-02", None),
        ("quickbooks", "invoice", "1003", "Partially paid", None, "2025-01-03", None),
        ("quickbooks", "invoice", "1004", "Open", None, "2025-01-04", None),
        ("quickbooks", "invoice", "1005", "Paid", None, "2025-01-05", "2025-02-05"),
        ("jobber", "invoice", "1001", "Paid", None, "2025-01-01", None),
        ("jobber", "invoice", "77", "Mystery status", None, "2025-01-01", None),
        ("quickbooks", "payment", "p1", None, "1001", "2025-03-01", None),
        ("quickbooks", "payment", "p2", None, "1001", "2025-03-09", "2025-03-10"),
        ("quickbooks", "payment", "p3", None, "1002,1003", "2025-04-01", None),
        ("quickbooks", "payment", "p4", None, "1003", None, None),
        ("jobber", "payment", "p5", None, "1001", "2025-05-01", None),
        ("jobber", "payment", "p6", None, "9999", "2025-05-02", None),
        ("quickbooks", "invoice", "1006", "Paid", None, "2025-01-06", None),
    ]
    if padded:
        # a reference padded with a no-break space: str.strip removes it on the plain path
        rows.append(("quickbooks", "payment", "p7", None, "1006\u00a0", "2025-06-01", None))
    frame = pd.DataFrame(rows, columns=["system", "record_type", "record_id", "raw_status", "invoice_refs", "created", "paid"])
    frame["source"] = frame["system"] + ".csv"
    frame["role"] = frame["system"].map({"quickbooks": "accounting", "jobber": "operations"})
    for col in ("created", "paid"):
        frame[col] = pd.to_datetime(frame[col])
    # enough rows that the shortcuts' size thresholds are passed
    return conform(pd.concat([frame] * 400, ignore_index=True))


def _load_steps(records: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    from driftcheck import _fastpaths

    if _fastpaths.enabled():
        records = records.copy(deep=False)
        pipeline._categorise(records, pipeline._LABELS)
    records, warnings = apply_status_maps(records, Config())
    records = pipeline._invoice_paid_dates(records)
    for col in pipeline._CATEGORIES:
        records[col] = records[col].astype("category")
    return records, [str(w) for w in warnings]


@pytest.mark.parametrize("padded", [False, True])
def test_status_maps_and_paid_dates_match_plain(monkeypatch: pytest.MonkeyPatch, padded: bool) -> None:
    records = _records(padded=padded)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast, fast_warnings = _load_steps(records)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain, plain_warnings = _load_steps(records)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast_warnings == plain_warnings
    assert any("Mystery status" in w for w in fast_warnings)
    inv = fast["record_type"] == "invoice"
    paid = fast[inv].drop_duplicates(["system", "record_id"]).set_index(["system", "record_id"])["paid"]
    # the latest payment of the same system; a payment naming two invoices dates both
    assert paid[("quickbooks", "1001")] == pd.Timestamp("2025-03-10")
    assert paid[("quickbooks", "1002")] == pd.Timestamp("2025-04-01")
    assert paid[("quickbooks", "1003")] == pd.Timestamp("2025-04-01")
    assert paid[("jobber", "1001")] == pd.Timestamp("2025-05-01")
    # an open invoice gets no paid date; one with its own keeps it
    assert pd.isna(paid[("quickbooks", "1004")])
    assert paid[("quickbooks", "1005")] == pd.Timestamp("2025-02-05")
    if padded:
        assert paid[("quickbooks", "1006")] == pd.Timestamp("2025-06-01")
    else:
        assert pd.isna(paid[("quickbooks", "1006")])


def test_one_chunk_keeps_values_and_dtypes() -> None:
    records = pd.concat([_records(), _records()], ignore_index=True)
    assert records["record_id"].array._pa_array.num_chunks > 1
    out = records.copy(deep=False)
    pipeline._one_chunk(out)
    pd.testing.assert_frame_equal(out, records)
    assert out["record_id"].array._pa_array.num_chunks == 1


def test_text_columns_no_source_fills_share_one_empty_column() -> None:
    records = pd.concat([_records(), _records()], ignore_index=True)
    assert records["company"].isna().all() and records["currency"].isna().all()
    out = records.copy(deep=False)
    pipeline._one_chunk(out)
    pd.testing.assert_frame_equal(out, records)  # same values, same dtype
    company, currency = (out[c].array._pa_array.chunks[0] for c in ("company", "currency"))
    company.validate(full=True)
    # one allocation for both (and for every other empty text column), not 8 bytes a row each
    assert [b.address for b in company.buffers()] == [b.address for b in currency.buffers()]
    filled = out["record_id"].array._pa_array.chunks[0]
    assert filled.buffers()[1].address != company.buffers()[1].address


def test_labels_from_frame_runs_equal_astype_category() -> None:
    """Source, system and file are one value per reader frame: the categoricals load builds from
    the frames' lengths equal ``astype("category")`` of the concatenated text, including a
    frame with no file (an API pull), an empty frame, and a column that varies inside a frame
    (which falls back to reading its rows)."""
    from driftcheck.records import concat_records

    base = _records()
    quickbooks = base[base["system"] == "quickbooks"].assign(file="b/Invoice List.csv")
    jobber = base[base["system"] == "jobber"].assign(file=pd.NA, source="jobber-api")
    mixed = base.head(6).assign(file=["a.csv", "a.csv", "c.csv", "a.csv", "a.csv", "a.csv"])
    for frames in ([quickbooks, jobber], [jobber, quickbooks.head(0), quickbooks], [quickbooks, mixed]):
        frames = [conform(f) for f in frames]
        cols = (*pipeline._LABELS, "file")
        runs = pipeline._constant_columns(frames, cols)
        records = concat_records(frames)
        expected = {c: records[c].astype("category") for c in cols}
        pipeline._categorise(records, cols, runs=runs)
        for c in cols:
            pd.testing.assert_series_equal(records[c], expected[c])
    assert "file" not in pipeline._constant_columns([quickbooks, mixed], ("file",))
    assert pipeline._constant_columns([quickbooks, jobber], ("file",))["file"] == [
        ("b/Invoice List.csv", len(quickbooks)), (None, len(jobber))]


@pytest.mark.parametrize(
    ("texts", "numbers"),
    [
        (["1001", "7", "0", "123456789012345"], [1001, 7, 0, 123456789012345]),
        (["1001", "01001"], None),  # a leading zero: another text, the same number
        (["1001", "A-7"], None),
        (["1001", ""], None),
        (["1001", "1234567890123456"], None),  # past 15 digits
        (["1001", "\u0661\u0662"], None),  # Arabic-Indic digits are not ASCII
        (["1001", None], None),
    ],
)
def test_invoice_numbers_are_matched_as_numbers_only_when_that_changes_nothing(texts, numbers) -> None:
    import pyarrow as pa

    got = pipeline._plain_numbers(pa.array(texts, type=pa.large_string()))
    assert (None if got is None else got.tolist()) == numbers


def test_concatenation_column_by_column_equals_pandas_and_lets_the_frames_go() -> None:
    """``concat_records(consume=True)`` joins the readers' frames column by column: the same frame
    ``pd.concat`` makes (values, dtypes, index), and the caller's list of frames is emptied so
    each frame's column can be freed once joined."""
    from driftcheck.records import concat_records

    base = _records()
    frames = [base.iloc[:1000].reset_index(drop=True), base.iloc[:0], base.iloc[1000:].reset_index(drop=True)]
    expected = pd.concat([f for f in frames if len(f)], ignore_index=True)
    got = concat_records(frames, consume=True)
    assert frames == []
    pd.testing.assert_frame_equal(got, expected)
    # the readers' frames are untouched when the caller keeps them
    keep = [base.iloc[:5], base.iloc[5:9]]
    pd.testing.assert_frame_equal(concat_records(keep), pd.concat(keep, ignore_index=True))
    assert [len(f.columns) for f in keep] == [len(base.columns)] * 2


def test_conform_drops_times_of_day_and_keeps_midnights_as_they_are() -> None:
    """Record dates are midnights: a time of day is dropped (also before 1970 and next to a
    missing date), a column of midnights comes through unchanged."""
    from driftcheck.records import _SLICE

    times = pd.Series(pd.to_datetime(["2025-01-01", None, "1969-12-31 23:00", "2025-01-02 10:00:01"], format="mixed"))
    midnights = pd.Series(pd.to_datetime(["2025-01-01", None, "1960-03-01"])).astype("datetime64[ns]")
    # a time of day only in a later slice of a long column
    long = pd.concat([midnights.repeat(_SLICE // 3 + 1), times], ignore_index=True)
    for created in (times, midnights, long):
        got = conform(pd.DataFrame({"created": created}))["created"]
        expected = created.astype("datetime64[ns]").dt.normalize()
        pd.testing.assert_series_equal(got, expected, check_names=False)


def test_row_numbers_are_narrowed_only_when_every_record_has_one() -> None:
    """Export rows become int32 with the same numbers; records pulled from an API (no row)
    keep the column nullable, their missing rows intact."""
    records = _records()
    records["row"] = pd.array(range(2, len(records) + 2), dtype="Int64")
    narrowed = records.copy()
    pipeline._narrow_rows(narrowed)
    assert narrowed["row"].dtype == "int32"
    assert narrowed["row"].tolist() == records["row"].tolist()
    pulled = records.assign(row=records["row"].where(records.index % 2 == 0))
    kept = pulled.copy()
    pipeline._narrow_rows(kept)
    pd.testing.assert_series_equal(kept["row"], pulled["row"])


def test_a_date_column_no_record_fills_reads_the_same_and_copies_on_write() -> None:
    records = _records()
    assert records["updated"].isna().all() and records["created"].notna().any()
    out = records.copy()
    pipeline._no_dates(out)
    pd.testing.assert_frame_equal(out, records)
    assert out["updated"].to_numpy().strides == (0,)  # one value for every row
    assert out["created"].to_numpy().strides == (8,)  # a column with dates is left alone
    # taking rows gives an ordinary column; writing into it does not touch the shared value
    taken = out.take([0, 3])
    assert taken["updated"].isna().all()
    out.loc[[1], "updated"] = pd.Timestamp("2025-02-02")
    assert out["updated"].iloc[1] == pd.Timestamp("2025-02-02") and out["updated"].drop(index=1).isna().all()
    # ... nor any other frame's (every frame of that length shares it)
    again = records.copy()
    pipeline._no_dates(again)
    assert again["updated"].isna().all()
