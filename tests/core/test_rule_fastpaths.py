"""The rule engine's optimised lookups equal their plain twins (``DRIFTCHECK_FASTPATHS=0``).

The engine finds the records a finding rests on by record number and by job. The fast paths
ask pyarrow (``is_in``) and a boolean per job; these tests require the same rows as pandas'
``isin`` in the cases that matter: missing numbers, a missing value among those asked for,
values that are not text, and nothing asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftcheck.engine import _in_jobs, _isin_text


@pytest.mark.parametrize(
    "values",
    [["1001", "77"], ["1001", pd.NA], ["1001", None], ["1001", np.nan], [1001, "77"], [], ["absent"]],
)
def test_text_lookup_finds_the_rows_pandas_finds(values, monkeypatch):
    ids = pd.Series(["1001", None, "77", "1001", "7"], dtype="string[pyarrow]")
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = _isin_text(ids, values)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = _isin_text(ids, values)
    assert fast.dtype == bool
    assert fast.tolist() == plain.tolist() == ids.isin(values).tolist()


def test_job_lookup_marks_the_records_of_the_hit_jobs(monkeypatch):
    rec_jid = np.array([0, 3, 3, 1, 4, 2, 0])
    hit_jobs = np.array([3, 0])
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    fast = _in_jobs(rec_jid, hit_jobs, n_jobs=5)
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")
    plain = _in_jobs(rec_jid, hit_jobs, n_jobs=5)
    assert fast.tolist() == plain.tolist() == [True, True, True, False, False, False, True]
