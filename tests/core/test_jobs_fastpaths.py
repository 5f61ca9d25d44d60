"""The job table numbers jobs the same way from the linker's integer job codes as from the keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftcheck.jobs import _job_ids


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("spread", ["dense", "sparse", "negative"])
def test_job_ids_from_codes_equal_factorising_the_keys(seed, spread, monkeypatch):
    rng = np.random.default_rng(seed)
    n_jobs = int(rng.integers(1, 40))
    group = rng.integers(0, n_jobs, size=200)  # each record's job, in no particular order
    keys = pd.Series([f"J-{g * 3 + 1}" for g in group], dtype="string[pyarrow]")
    codes = {"dense": group, "sparse": group * 1000 + 7, "negative": group - 5}[spread]
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "1")
    got_codes, got_keys = _job_ids(keys, codes)
    want_codes, want_keys = pd.factorize(keys, sort=False)
    assert got_codes.tolist() == want_codes.tolist()
    assert list(got_keys) == list(want_keys)


def test_without_codes_the_keys_are_factorised():
    keys = pd.Series(["D-2", "J-1", "D-2"], dtype="string[pyarrow]")
    codes, uniques = _job_ids(keys, None)
    assert codes.tolist() == [0, 1, 0] and list(uniques) == ["D-2", "J-1"]


@pytest.mark.parametrize("folder", ["sample_exports", "tests/fixtures/sample_week2"])
def test_the_linkers_job_codes_correspond_one_to_one_with_the_job_keys(folder):
    """Two records share a job code exactly when they share a job key, so the job table may
    number jobs from the codes."""
    from pathlib import Path

    from driftcheck.pipeline import load
    from driftcheck.scan import link

    root = Path(__file__).resolve().parents[2] / folder
    result = link(load([root]), [root])
    assert result.job_codes is not None
    by_key = pd.factorize(result.records["job"], sort=False)[0]
    by_code = pd.factorize(result.job_codes, sort=False)[0]
    assert by_key.tolist() == by_code.tolist()
    assert by_key.max() > 10
