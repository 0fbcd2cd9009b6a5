"""Replicates: seeds from one root seed, t intervals over replicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiment.replicates import mean_interval, replicate_seeds, summarise
from sim.seeds import replicate_seed_sequence


def test_seeds_are_spawned_from_the_root():
    spawned = replicate_seeds(2024, 4)
    for r, seq in enumerate(spawned):
        assert np.array_equal(
            seq.generate_state(4), replicate_seed_sequence(2024, r).generate_state(4)
        )
    assert len({tuple(s.generate_state(2)) for s in spawned}) == 4


def test_interval_is_student_t():
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    mean, lo, hi, n = mean_interval(x)
    half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / np.sqrt(5)
    assert (mean, n) == (5.0, 5)
    assert lo == pytest.approx(5.0 - half) and hi == pytest.approx(5.0 + half)
    # matches scipy's own interval
    ref = stats.t.interval(0.95, 4, loc=5.0, scale=stats.sem(x))
    assert (lo, hi) == pytest.approx(ref)


def test_one_replicate_gives_the_point_and_nans_are_skipped():
    assert mean_interval([3.5]) == (3.5, 3.5, 3.5, 1)
    assert mean_interval([1.0, np.nan, 3.0])[3] == 2
    mean, lo, hi, n = mean_interval([np.nan])
    assert n == 0 and np.isnan(mean)


def test_summarise_per_year_and_metric():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "replicate": np.repeat(np.arange(6), 3),
            "year": np.tile([2024, 2025, 2026], 6),
            "hollow_share": rng.uniform(size=18),
            "pupils": rng.integers(100, 200, size=18),
        }
    )
    out = summarise(frame)
    assert list(out.columns) == ["year", "metric", "n", "mean", "sd", "lo", "hi"]
    assert len(out) == 6 and (out["n"] == 6).all()
    row = out[(out["year"] == 2025) & (out["metric"] == "pupils")].iloc[0]
    values = frame.loc[frame["year"] == 2025, "pupils"].to_numpy(float)
    expected = mean_interval(values)
    assert (row["mean"], row["lo"], row["hi"]) == pytest.approx(expected[:3])
    assert list(out["metric"].iloc[:2]) == ["hollow_share", "pupils"]  # column order kept


def test_summarise_single_replicate_is_a_point():
    frame = pd.DataFrame({"replicate": [0, 0], "year": [1, 2], "x": [1.0, 2.0]})
    out = summarise(frame)
    assert (out["lo"] == out["mean"]).all() and (out["hi"] == out["mean"]).all()
