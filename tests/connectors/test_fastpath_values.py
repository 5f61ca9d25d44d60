"""The optimised value parsers give exactly what their plain twins give, on columns big enough to use them.

The shortcuts (work on distinct values, skip bare numbers, test a column only on rows still
undecided, number synthetic ids by integer codes) only start above a few thousand rows, which
the small fixture exports never reach. Each test builds a column of 20,000 cells mixing the
repeats, blanks, null tokens, padding and odd values real exports hold, and requires the
result with ``DRIFTCHECK_FASTPATHS`` on to equal the result with it off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from connectors import _values as V

N = 20_000


def _column(values: list[str | None], *, unique: int = 0, seed: int = 7) -> pd.Series:
    """``N`` cells drawn from ``values`` plus ``unique`` distinct generated ones."""
    rng = np.random.default_rng(seed)
    pool = values + [f"v{i}" for i in range(unique)]
    picks = rng.integers(0, len(pool), N)
    return pd.Series([pool[i] for i in picks], dtype=pd.StringDtype("pyarrow"))


def _both(monkeypatch: pytest.MonkeyPatch, fn: Callable[[], Any]) -> tuple[Any, Any]:
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = fn()
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = fn()
    return fast, plain


def _same(fast: Any, plain: Any) -> None:
    if isinstance(fast, tuple):
        for f, p in zip(fast, plain, strict=True):
            _same(f, p)
        return
    pd.testing.assert_series_equal(fast, plain)


CELLS = ["Paid", " Paid ", "paid", "-", "", "  ", "n/a", None, "Awaiting Payment", "\u2013", "Draft\t"]
REFS = ["1042", " 1042", "#1042", "101, 102", "Job 7", "0042", "INV-2001", "", None, "-", "9001 and 9002", "12/13"]
CONTACTS = ["x  (a@b.c)", "(a@b.c)", "- (a@b.c)", "Jane (Janie) Doe (j@x.com)", "Ann (a@b@c)", "Bo ( b@c.d )", "Cy\t(c@d.e)", "Di [d@e.f]", "Jane Doe (jane@x.com)", "jane@x.com", "Jane Doe", " Bob <b@y.org> ", "A (a@b.c); C (c@d.e)", "", None, "-"]
TITLES = ["Smith \u2013 Kitchen remodel", "Acme: roof - phase 2", "Plain title", "", None, "Lee - Deck", "X:Y"]


@pytest.mark.parametrize("unique", [0, 300, N])
def test_clean_text_matches_plain(monkeypatch: pytest.MonkeyPatch, unique: int) -> None:
    s = _column(CELLS, unique=unique)
    _same(*_both(monkeypatch, lambda: V.clean_text(s)))


@pytest.mark.parametrize("unique", [0, N])
def test_ids_and_refs_match_plain(monkeypatch: pytest.MonkeyPatch, unique: int) -> None:
    s = _column(REFS, unique=unique)
    _same(*_both(monkeypatch, lambda: V.normalise_ids(s)))
    _same(*_both(monkeypatch, lambda: V.normalise_refs(s)))


def test_all_digit_ids_are_kept_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    s = pd.Series([str(1000 + i) for i in range(N)], dtype=pd.StringDtype("pyarrow"))
    fast, plain = _both(monkeypatch, lambda: V.normalise_ids(s))
    _same(fast, plain)
    assert fast.tolist() == s.tolist()


@pytest.mark.parametrize("lists", [True, False])
def test_contacts_and_name_prefix_match_plain(monkeypatch: pytest.MonkeyPatch, lists: bool) -> None:
    # without any ";" list or ":" prefix in the column, the fast path skips those patterns
    keep = (lambda v: True) if lists else (lambda v: v is None or (";" not in v and ":" not in v))
    contacts = _column([c for c in CONTACTS if keep(c)] + [f"P{i} Q (p{i}@x.com)" for i in range(300)], unique=50)
    _same(*_both(monkeypatch, lambda: V.split_contact(contacts)))
    titles = _column([t for t in TITLES if keep(t)], unique=50)
    _same(*_both(monkeypatch, lambda: V.name_prefix(titles)))


def test_synth_ids_match_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    days = pd.date_range("2025-01-01", periods=40).append(pd.DatetimeIndex([pd.NaT]))
    when = pd.Series(days[rng.integers(0, len(days), N)], index=pd.RangeIndex(5, N + 5))
    # a name holding ":" and amounts of 0.0 and -0.0 keep their ids apart as the joined text does
    who = pd.Series(_column(["Ann", "B: Co", "", None], seed=4).to_numpy(), index=when.index, dtype=pd.StringDtype("pyarrow"))
    amount = pd.Series(rng.choice([0.0, -0.0, 12.5, np.nan, 99.999, 1e7], N), index=when.index)
    fast, plain = _both(monkeypatch, lambda: V.synth_ids("payment", when, who, amount))
    _same(fast, plain)
    assert fast.is_unique
    _same(*_both(monkeypatch, lambda: V.synth_ids("payment", when, None, amount)))


def test_any_cell_finds_rows_with_a_value_in_any_column() -> None:
    a = _column(["x", "", None, " "], seed=1)
    b = _column(["", "-", "y", None], seed=2)
    got = V.any_cell([a, b], V.has_value, N)
    want = (V.clean_text(a).notna() | V.clean_text(b).notna()).to_numpy()
    assert (got == want).all()
    assert 0 < got.sum() < N
    # no columns to look at (a one-column report's "other cells"): no row has a value
    assert not V.any_cell([], V.has_value, N).any()


MEMOS = ["Deposit 30% \u2013 Job #3", "Invoice #1001", "Payment for Invoice #1005", "-Job 12", "INV-2001", "jobber job 7", "Inv 7 and Invoice #9", "Job 1 then Job 2", "Jobs 4 & 5", "", None, "Kitchen", "Estimate #12"]


@pytest.mark.parametrize("kind", ["job", "invoice", "quote"])
def test_extract_refs_matches_plain(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    memos = _column(MEMOS, unique=200)
    fast, plain = _both(monkeypatch, lambda: V.extract_refs(memos, kind))
    _same(fast, plain)
    assert fast.notna().any()


@pytest.mark.parametrize("memos", [["Kitchen", "Deck", "", None, "-"], ["Job #3", "Job 4 & 5", "JOB-7 then job 8"]])
def test_extract_refs_of_columns_that_never_or_always_name_a_job_match_plain(monkeypatch: pytest.MonkeyPatch, memos: list[str | None]) -> None:
    column = _column(memos, unique=0)
    fast, plain = _both(monkeypatch, lambda: V.extract_refs(column, "job"))
    _same(fast, plain)
    assert fast.notna().any() == (memos[0] == "Job #3")


def test_extract_refs_of_memos_that_all_differ_matches_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    # a QBO payment memo names its own invoice: no two cells alike, so nothing is encoded
    memos = pd.Series(
        [f"Payment for Invoice #{i}" if i % 3 else f"Inv {i} and Invoice #{i + 1}" for i in range(N)], dtype=pd.StringDtype("pyarrow")
    )
    fast, plain = _both(monkeypatch, lambda: V.extract_refs(memos, "invoice"))
    _same(fast, plain)
    assert fast.iloc[3] == "3,4" and fast.iloc[4] == "4"


def test_repeated_rows_match_pandas_duplicated() -> None:
    from connectors._frame import _repeats

    rng = np.random.default_rng(5)
    # few values per column, so whole rows repeat; one column with missing cells
    data = pd.DataFrame(
        {
            "c0": _column(["1", "2", ""], seed=1),
            "c1": _column(["a", "b"], seed=2),
            "c2": _column(["x", None, "y"], seed=3),
            "c3": _column([], unique=40, seed=4),
        }
    )
    candidates = rng.random(N) < 0.7
    want = data[candidates].duplicated(keep="first").reindex(data.index, fill_value=False).to_numpy()
    got = _repeats(data, candidates)
    assert (got == want).all()
    assert 0 < got.sum() < candidates.sum()


EXPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "exports"


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.iterdir() if p.suffix == ".csv"))
def test_detection_scoring_only_possible_header_rows_matches_plain(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from connectors import detect_file
    from driftcheck.errors import UnknownFormatError

    def verdict() -> object:
        try:
            return detect_file(EXPORTS / name)
        except UnknownFormatError as exc:  # housecall-jobs.csv: the message names the closest formats
            return str(exc)

    fast, plain = _both(monkeypatch, verdict)
    assert fast == plain


@pytest.mark.parametrize(
    "raw",
    [b"abc", "\u00e9\u2013\u20ac\U0001f600".encode(), b"\xed\xa0\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf4\x90\x80\x80", b"\x80", b"a\xe2\x82", b"caf\xe9"],
)
def test_utf8_check_agrees_with_python_decoding(monkeypatch: pytest.MonkeyPatch, raw: bytes) -> None:
    from connectors._tabular import _is_utf8

    try:
        raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    fast, plain = _both(monkeypatch, lambda: _is_utf8(raw))
    assert fast is plain is valid


@pytest.mark.parametrize("name", ["Jobs.csv", "QBO Invoice List by Date.csv", "hubspot-crm-exports-all-deals-2026-11-20.csv"])
def test_reading_without_extras_gives_the_same_records_without_x_columns(name: str) -> None:
    from connectors import ReadOptions, read_file
    from driftcheck.model import RECORD_SCHEMA

    full = read_file(EXPORTS / name)
    lean = read_file(EXPORTS / name, ReadOptions(extras=False))
    assert any(c.startswith("x:") for c in full.frame.columns)
    assert list(lean.frame.columns) == list(RECORD_SCHEMA)
    pd.testing.assert_frame_equal(lean.frame, full.frame[list(RECORD_SCHEMA)])
    assert [str(w) for w in lean.warnings] == [str(w) for w in full.warnings]


def test_quote_count_matches_bytes_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors._tabular import _count_quotes

    data = b'a,"b, c",d\n' * 900_000 + b'"tail'
    for start, stop in [(0, len(data)), (3, len(data) - 1), (5, 5), (8_388_607, 8_388_610)]:
        fast, plain = _both(monkeypatch, lambda: _count_quotes(data, start, stop))  # noqa: B023
        assert fast == plain == data.count(b'"', start, stop)


# the two fixtures no format fits (a Housecall Pro jobs export, a Jobber quotes report) are
# compared by their error message in test_detection_scoring_only_possible_header_rows_matches_plain
READABLE = sorted(p.name for p in EXPORTS.iterdir() if p.name not in ("housecall-jobs.csv", "Quotes Report.csv"))


@pytest.mark.parametrize("name", READABLE)
def test_every_fixture_export_reads_the_same_on_both_paths(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from connectors import read_file

    fast, plain = _both(monkeypatch, lambda: read_file(EXPORTS / name))
    pd.testing.assert_frame_equal(fast.frame, plain.frame)
    assert [str(w) for w in fast.warnings] == [str(w) for w in plain.warnings]
    assert fast.meta == plain.meta
    assert fast.info == plain.info


def test_keyword_counts_ignore_case_like_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa

    from connectors._values import _count_words

    # ASCII cells any case; the Kelvin sign and long s fold to k and s in RE2, dotted I does not
    cells = ["JOB 1 job 2", "Invoice", "inv inv", "\u212a", "E\u017fTIMATE 7", "\u0130nv", "jöb", "", None, "Quotes"]
    arr = pa.array(cells * 500, type=pa.large_string())
    for words in [("job",), ("inv",), ("quote", "estimate")]:
        fast, plain = _both(monkeypatch, lambda: _count_words(arr, words))  # noqa: B023
        assert (fast == plain).all()
        assert fast.sum() > 0


def test_contact_split_matches_the_full_pattern_on_random_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa

    from connectors._values import _contact_parts

    rng = np.random.default_rng(11)
    # pieces contacts are made of, brackets, RE2 and non-RE2 whitespace and stray "@" included
    pieces = ["Jane", "Doe", " ", "  ", "\t", "\x0b", "\u00a0", "(", ")", "<", ">", "[", "]", "@", "a", "x.com", "-", ";", "\u00e9"]
    cells = ["".join(rng.choice(pieces, rng.integers(1, 9))).strip() for _ in range(N)]
    cells += [f"{n} ({e})" for n, e in [("Jane Doe", "j@x.com"), ("Jo  ", "j@x"), ("", "a@b"), ("A", "@b"), ("A", "b@"), ("A", "a@b@c")]]
    arr = pa.array(cells, type=pa.large_string())
    fast, plain = _both(monkeypatch, lambda: _contact_parts(arr))
    for f, p in zip(fast, plain, strict=True):
        assert f.equals(p)
    assert fast[1].null_count < len(arr)


@pytest.mark.parametrize("n", [0, 5, 1 << 16, (1 << 16) * 3 + 17])
def test_repeated_value_column_equals_plain_and_shares_one_block(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    import pyarrow as pa

    path = "/exports/Transaction List by Date.csv"
    index = pd.RangeIndex(n)
    _same(*_both(monkeypatch, lambda: V.repeat(path, index)))
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    before = pa.total_allocated_bytes()
    col = V.repeat(path, index)
    # the file path of every record costs one block of text, not one copy per row
    assert pa.total_allocated_bytes() - before <= (1 << 16) * (len(path) + 8) + 4096
    assert col.dtype == pd.StringDtype("pyarrow") and len(col) == n


@pytest.mark.parametrize("keep", ["first", False])
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("values", ["text", "numbers", "zeros"])
def test_duplicated_matches_pandas_with_missing_values_and_chunks(keep: str | bool, chunked: bool, values: str) -> None:
    import pyarrow as pa

    # repeats, missing cells and values seen once; ids as plain numbers (compared as integers),
    # or with leading zeros ("042" is not "42": compared as text)
    pool = {"text": CELLS, "numbers": ["1042", "7", None, "123456789012345678"], "zeros": ["042", "42", None, "0"]}[values]
    s = _column(pool, unique=N)
    if values != "text":
        s = s.str.replace("v", "9", regex=False)
    if chunked:  # as a CSV body or a concatenation holds it: the same values in several chunks
        arr = pa.array(s.array).combine_chunks() if isinstance(pa.array(s.array), pa.ChunkedArray) else pa.array(s.array)
        parts = pa.chunked_array([arr.slice(0, 7000), arr.slice(7000, 5000), arr.slice(12000)])
        s = pd.Series(pd.arrays.ArrowStringArray(parts))
    got = V.duplicated(s, keep=keep)
    pd.testing.assert_series_equal(got, s.duplicated(keep=keep))
    assert 0 < got.sum() < N


@pytest.mark.parametrize("times", [["14:12", "09:05:59"], ["14:12", "2:05 PM"], ["14:12", "blank"], ["14:12 ", "09:05"]])
def test_datetime_columns_give_the_dates_of_the_plain_path(monkeypatch: pytest.MonkeyPatch, times: list[str]) -> None:
    # HubSpot writes "2023-12-03 14:12" (and nothing for an open deal's close date): the date
    # is read from the first ten characters when every cell has that shape, by the general
    # time pattern otherwise; a padded cell is trimmed first
    rng = np.random.default_rng(3)
    days = pd.date_range("2023-01-01", periods=900).strftime("%Y-%m-%d")
    cells = [
        "" if times[i % 2] == "blank" else f"{days[i]}{'T' if i % 5 == 0 else ' '}{times[i % 2]}" for i in rng.integers(0, 900, N)
    ]
    s = pd.Series(cells, dtype=pd.StringDtype("pyarrow"))

    def read() -> tuple[pd.Series, pd.Series]:
        return V.parse_dates(V.scan_dates(s), dayfirst=False)

    fast, plain = _both(monkeypatch, read)
    _same(fast, plain)
    assert fast[0].notna().sum() > N // 3 and not fast[1].any()


def test_plain_numbers_read_ids_as_integers_only_when_text_and_number_correspond() -> None:
    """Equal ids must stay equal and different ids different: "0" is a number, "0042" is not,
    and a missing id is -1."""
    import pyarrow as pa

    def read(values, **kw):
        got = V.plain_numbers(pa.array(values, type=pa.large_string()), **kw)
        return None if got is None else got.tolist()

    assert read(["1042", "0", None, "7"]) == [1042, 0, -1, 7]
    assert read(["1042", "0042"]) is None
    assert read(["1042", "#7"]) is None
    assert read(["1234567890123456789"]) is None  # past 18 digits
    assert read(["1234567890123456"], max_digits=15) is None
