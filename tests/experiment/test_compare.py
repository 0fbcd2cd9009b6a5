"""Compare: common random numbers, summary statistics, paired differences, frontier, files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.experiment.compare import compare, scenario_labels, write_comparison
from sim.experiment.errors import ExperimentError
from sim.scenario import load_scenario
from sim.seeds import replicate_rng

QUICK = ["years=2"]


def toy(task):
    """dropouts = 10 + replicate noise (+5 when beta_time is high); two years."""
    rng = replicate_rng(task.seed, task.replicate)
    shift = 5.0 if task.scenario["choice"]["beta_time"] > 0.1 else 0.0
    noise = rng.normal(size=2)
    return pd.DataFrame(
        {
            "replicate": task.replicate,
            "year": [2024, 2025],
            "dropouts": 10 + shift + noise,
            "hollow_share": 0.1 + 0.01 * noise,
            "hard_access_share": 0.2 - 0.01 * noise,
        }
    )


@pytest.fixture(scope="module")
def twins():
    return compare(["small_county", "small_county"], overrides=QUICK, replicates=3, workers=0)


def test_identical_scenarios_give_zero_differences(twins):
    assert twins.labels == ["small_county", "small_county-2"]
    second = twins.summary[twins.summary["scenario"] == "small_county-2"]
    finite = second.dropna(subset=["diff_mean"])
    assert len(finite) > 30
    assert (
        (finite["diff_mean"] == 0).all()
        and (finite["diff_lo"] == 0).all()
        and (finite["diff_hi"] == 0).all()
    )
    long = twins.county
    a = long[long["scenario"] == "small_county"].drop(columns="scenario").reset_index(drop=True)
    b = long[long["scenario"] == "small_county-2"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    frontier = twins.frontier
    assert frontier.iloc[0, 1:].equals(frontier.iloc[1, 1:])


def test_replicates_differ_within_a_scenario(twins):
    final = twins.county[
        (twins.county["metric"] == "pupils") & (twins.county["scenario"] == "small_county")
    ]
    assert final["value"].nunique() > 1  # replicates are not copies of each other


def test_summary_columns_and_statistics(twins):
    summary = twins.summary
    assert list(summary.columns) == [
        "scenario",
        "metric",
        "statistic",
        "n",
        "mean",
        "lo",
        "hi",
        "diff_mean",
        "diff_lo",
        "diff_hi",
    ]
    assert {"final", "cumulative"} == set(summary["statistic"])
    cumulative = set(summary.loc[summary["statistic"] == "cumulative", "metric"])
    assert {"dropouts", "pupils_hard_access"} <= cumulative
    assert "hard_access_share" in set(summary["metric"])
    assert (summary["n"] == 3).all()
    first = summary[summary["scenario"] == "small_county"].dropna(subset=["mean"])
    assert (first["diff_mean"].fillna(0) == 0).all()


def test_paired_difference_and_cumulative_flows():
    high = load_scenario("small_county", ["choice.beta_time=0.2"])
    result = compare(["small_county", high], replicates=4, workers=0, evaluate=toy, seed=3)
    assert result.labels == ["small_county", "small_county-2"]
    s = result.summary.set_index(["scenario", "metric", "statistic"])
    cum_a = s.loc[("small_county", "dropouts", "cumulative")]
    cum_b = s.loc[("small_county-2", "dropouts", "cumulative")]
    # common random numbers: the noise cancels, the difference is exactly 2 years x 5
    assert cum_b["diff_mean"] == pytest.approx(10.0)
    assert cum_b["diff_hi"] - cum_b["diff_lo"] == pytest.approx(0.0, abs=1e-9)
    assert cum_b["mean"] - cum_a["mean"] == pytest.approx(10.0)
    # cumulative = sum over the two years, per replicate, then averaged
    long = result.county
    per_rep = (
        long[(long["scenario"] == "small_county") & (long["metric"] == "dropouts")]
        .groupby("replicate")["value"]
        .sum()
    )
    assert cum_a["mean"] == pytest.approx(per_rep.mean())
    final = s.loc[("small_county", "dropouts", "final")]
    last = long[
        (long["scenario"] == "small_county")
        & (long["metric"] == "dropouts")
        & (long["year"] == 2025)
    ]
    assert final["mean"] == pytest.approx(last["value"].mean())


def test_frontier_at_final_year():
    result = compare(["small_county", "small_county"], replicates=5, workers=0, evaluate=toy)
    frontier = result.frontier
    assert list(frontier.columns) == [
        "scenario",
        "year",
        "n",
        "hollow_share_mean",
        "hollow_share_lo",
        "hollow_share_hi",
        "hard_access_share_mean",
        "hard_access_share_lo",
        "hard_access_share_hi",
    ]
    assert (frontier["year"] == 2025).all() and (frontier["n"] == 5).all()
    row = frontier.iloc[0]
    assert row["hollow_share_lo"] < row["hollow_share_mean"] < row["hollow_share_hi"]


def test_files_written(twins, tmp_path):
    out = write_comparison(twins, tmp_path / "cmp")
    names = {p.name for p in out.iterdir()}
    assert names == {
        "county_long.parquet",
        "county_long.csv",
        "summary.csv",
        "summary_wide.csv",
        "frontier.csv",
        "manifest.json",
    }
    long = pd.read_parquet(out / "county_long.parquet")
    assert list(long.columns) == ["scenario", "replicate", "year", "metric", "value"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicates"] == 3 and manifest["seed"] == 0
    assert set(manifest["scenarios"]) == {"small_county", "small_county-2"}
    assert manifest["scenarios"]["small_county"]["years"] == 2
    wide = pd.read_csv(out / "summary_wide.csv")
    assert {"metric", "statistic", "small_county", "small_county-2", "Δ small_county-2"} <= set(
        wide.columns
    )


def test_one_replicate_intervals_are_points():
    result = compare(["small_county"], replicates=1, workers=0, evaluate=toy)
    summary = result.summary.dropna(subset=["mean"])
    assert (summary["lo"] == summary["mean"]).all() and (summary["hi"] == summary["mean"]).all()


def test_bad_input():
    with pytest.raises(ExperimentError, match="--replicates"):
        compare(["small_county"], replicates=0, evaluate=toy)
    with pytest.raises(ScenarioError, match="nope"):
        compare(["small_county", "nope"], evaluate=toy)
    with pytest.raises(ScenarioError, match="choice.nope"):
        compare(["small_county"], overrides=["choice.nope=1"], evaluate=toy)


def test_labels(tmp_path):
    path = tmp_path / "my_policy.toml"
    path.write_text('extends = "small_county"\n')
    args = ["small_county", str(path), "small_county", "small_county"]
    resolved = [load_scenario(a) for a in args]
    assert scenario_labels(args, resolved) == [
        "small_county",
        "my_policy",
        "small_county-2",
        "small_county-3",
    ]


def test_pool_gives_the_same_numbers_as_in_process():
    inline = compare(["small_county"], overrides=QUICK, replicates=2, workers=0)
    pooled = compare(["small_county"], overrides=QUICK, replicates=2, workers=2)
    pd.testing.assert_frame_equal(inline.county, pooled.county)
    assert np.allclose(
        inline.summary["mean"].to_numpy(float),
        pooled.summary["mean"].to_numpy(float),
        equal_nan=True,
    )


def test_side_by_side_says_n_a_for_a_metric_missing_in_every_replicate():
    """cv is missing (NaN) with fewer than two eligible schools; the table must not break."""
    from sim.experiment.compare import side_by_side, summary_table

    county = pd.DataFrame(
        {
            "scenario": ["a", "a", "b", "b"],
            "replicate": [0, 1, 0, 1],
            "year": [2024] * 4,
            "pupils": [100.0, 110.0, 90.0, 95.0],
            "cv_primary": [0.2, 0.3, np.nan, np.nan],
        }
    )
    summary = summary_table(county, ["a", "b"])
    table = side_by_side(summary, ["a", "b"], metrics=[])
    cv = table[table["metric"] == "cv_primary"].iloc[0]
    assert cv["b"] == "n/a" and cv["Δ b"] == "n/a" and cv["a"] != "n/a"
