"""The linker's compact per-node state reads back exactly what the plain forms held.

At a million jobs the linker holds texts as codes (:class:`_Vocab`), dates as int16 days
(:class:`_Days`), reference details as codes built only when read (:class:`_Joined` in the
:class:`_Texts` pool) and pairs as int32: each must give the same values as the object
arrays, floats and strings it replaced, or a report would change.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from driftcheck.linking import _Days, _first_per, _Joined, _pairs_within, _Texts, _Vocab, link_records
from tests.matching.helpers import records, row_of

JOHN = {"customer": "John Smith", "email": "jsmith@gmail.com", "phone": "(555) 201-3344"}


def test_a_records_reference_detail_is_the_one_its_link_edge_describes():
    # the record's detail is built from the kept codes; the edge's from the whole pool
    recs = records(
        ("job", {"record_id": "101", **JOHN}),
        ("jinv", {"record_id": "2001", **JOHN, "job_refs": "101"}),
        ("jpay", {"record_id": "TX1", "customer": "John Smith", "invoice_refs": "2001"}),
    )
    res = link_records(recs)
    assert row_of(res, "jinv", "2001")["link_detail"] == "names job 101"
    assert row_of(res, "jpay", "TX1")["link_detail"] == "pays invoice 2001"
    edges = res.links.set_index("record_a")["detail"]
    assert edges["2001"] == "names job 101"
    assert edges["TX1"] == "pays invoice 2001"


def test_texts_pool_take_reads_the_same_texts_as_the_whole_pool():
    words = pa.array(["101", "2001", "77"], type=pa.large_string())
    pool = _Texts()
    pool.add(np.array(["amount = job total", "only job"], dtype=object))
    pool.add_joined("names job ", np.array([0, 2, 0], dtype=np.int32), words)
    pool.add("the customer's only open job")  # a note added on its own
    pool.add_joined("pays invoice ", np.array([1], dtype=np.int32), words)
    every = [
        "amount = job total",
        "only job",
        "names job 101",
        "names job 77",
        "names job 101",
        "the customer's only open job",
        "pays invoice 2001",
    ]
    assert [pool.get(i) for i in range(len(every))] == every
    assert pool.get(-1) is None
    ids = np.array([6, -1, 3, 3, 0, 5, -1, 2])
    assert pool.take(ids).to_pylist() == [every[i] if i >= 0 else None for i in ids]
    assert pool.flat().to_pylist() == every  # (what the link edges read)
    assert _Joined("x ", np.array([2], dtype=np.int32), words)[0].as_py() == "x 77"


@pytest.mark.parametrize(
    "days",
    [
        [np.nan, 20454.0, -3.0, 32767.0, -32767.0],  # int16 days
        [np.nan, 40000.0, 1.0],  # a date after 2059: float32
        [1e9, np.nan],  # beyond float32's exact integers: float64
        [np.nan, np.nan],
    ],
)
def test_days_read_back_as_the_floats_they_were(days):
    v = np.array(days)
    got = _Days(v)[np.arange(len(v))]
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, v)


def test_vocab_reads_text_and_tests_it_without_object_arrays():
    v = _Vocab(np.array(["job", "", "deal", "job", "payment"], dtype=object))
    assert v.codes.dtype == np.int8
    assert list(v[np.array([0, 2, 1])]) == ["job", "deal", ""]
    assert (v == "job").tolist() == [True, False, False, True, False]
    assert (v != "").tolist() == [True, False, True, True, True]
    assert v.isin(["deal", "payment"]).tolist() == [False, False, True, False, True]
    # over codes as _coded gives them: -1 reads the last word, ""
    w = _Vocab.of(np.array([1, -1, 0], dtype=np.int32), np.array(["Lee", "Kim", ""], dtype=object))
    assert list(w.text()) == ["Kim", "", "Lee"]
    assert (w == "").tolist() == [False, True, False]


def test_pairs_within_gives_every_pair_of_equal_keys_once_both_ways(monkeypatch):
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 40, size=300)

    def pairs() -> set[frozenset[int]]:
        x, y = _pairs_within(keys)
        assert (keys[x] == keys[y]).all() and (x != y).all()
        return {frozenset((int(a), int(b))) for a, b in zip(x, y, strict=True)}

    fast = pairs()
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = pairs()
    expected = {frozenset((i, j)) for i in range(300) for j in range(i + 1, 300) if keys[i] == keys[j]}
    assert fast == plain == expected


def test_first_per_finds_each_keys_first_row():
    keys = np.array([5, 3, 5, 9, 3, 0, 9], dtype=np.int32)
    assert _first_per(keys).tolist() == [0, 1, 3, 5]
    order = np.array([6, 5, 4, 3, 2, 1, 0])
    assert _first_per(keys, order).tolist() == [6, 5, 4, 2]
    wide = np.array([10**12, 7, 10**12, -1])  # keys too large to count: the sorting path
    assert _first_per(wide).tolist() == [0, 1, 3]
