"""The search: differential evolution recovers known parameters, the budget sets population and
generations, and the same seed gives the same fit in this process and on a pool."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.experiment.calibration import (
    calibrate,
    de_settings,
    load_targets,
    plan_calibration,
    rerun_command,
)
from sim.experiment.errors import ExperimentError

SMALL = ["years=3"]  # small_county from 2024: years 2024-2026
#: Recovery tolerance: each fitted value within this share of its search range of the truth.
TOLERANCE = 0.10


def assert_recovered(params: dict, truth: dict, bounds: dict, tolerance: float) -> None:
    for key, true in truth.items():
        lo, hi = bounds[key]
        assert abs(params[key] - true) <= tolerance * (hi - lo), (key, params[key], true)


def test_calibration_recovers_known_parameters(synthetic, truth, bounds):
    """Targets generated at TRUTH; differential evolution with 240 runs (2 replicates, common
    random numbers) finds each parameter within 10% of its range (about 20 s)."""
    scenario, targets = synthetic()
    result = calibrate(
        scenario, targets, budget=240, replicates=2, seed=0, report_replicates=2, workers=0
    )
    assert_recovered(result.params, truth, bounds, TOLERANCE)
    assert result.runs <= 240 + 2 and result.failed_runs == 0
    assert result.objective < 0.01
    assert list(result.fit.columns[:9]) == [
        "moment",
        "metric",
        "kind",
        "observed",
        "observed_low",
        "observed_high",
        "simulated",
        "lo",
        "hi",
    ]


@pytest.mark.slow
def test_calibration_recovers_known_parameters_on_a_process_pool(synthetic, truth, bounds):
    """The same problem on two worker processes with a larger budget (900 runs): within 5% of
    the range."""
    scenario, targets = synthetic()
    result = calibrate(
        scenario, targets, budget=900, replicates=2, seed=0, report_replicates=2, workers=2
    )
    assert_recovered(result.params, truth, bounds, TOLERANCE / 2)


@pytest.mark.slow
def test_calibration_recovers_the_boarding_parameters(synthetic_boarding):
    """The boarding threshold and the value of boarding to left-behind children, from the
    boarding shares and the far boarders' share: within 10% of the range (600 runs)."""
    make, truth, bounds = synthetic_boarding
    scenario, targets = make()
    result = calibrate(
        scenario, targets, budget=600, replicates=2, seed=0, report_replicates=2, workers=2
    )
    assert_recovered(result.params, truth, bounds, TOLERANCE)


def test_same_seed_gives_the_same_fit_in_process_and_on_a_pool(targets_dir):
    targets = load_targets(targets_dir / "small_ok.toml")
    options = dict(overrides=SMALL, budget=20, replicates=2, seed=3, report_replicates=1)
    one = calibrate("small_county", targets, workers=0, **options)
    two = calibrate("small_county", targets, workers=2, **options)
    pd.testing.assert_frame_equal(one.evaluations, two.evaluations)
    assert one.params == two.params and one.history == two.history
    assert (
        len(one.evaluations) == 10 and one.runs == 21
    )  # population 5, 2 generations, 2 replicates; 1 report run
    # the history keeps the best candidate so far, generation by generation
    best = [h["objective"] for h in one.history]
    assert best == sorted(best, reverse=True) and best[-1] == one.evaluations["objective"].min()


def test_budget_sets_population_and_generations():
    popsize, maxiter, population = de_settings(600, 2, 5)
    assert (popsize, population, maxiter) == (3, 15, 19) and population * (maxiter + 1) * 2 <= 600
    with pytest.raises(ExperimentError, match="--budget 10: too small"):
        de_settings(10, 2, 3)
    with pytest.raises(ExperimentError, match="--replicates 0"):
        de_settings(600, 0, 3)


def test_plan_checks_seed_and_report_replicates_and_counts_the_runs(targets_dir):
    targets = targets_dir / "small_ok.toml"
    problem = plan_calibration(
        "small_county",
        targets,
        overrides=SMALL,
        budget=20,
        replicates=2,
        seed=3,
        report_replicates=1,
    )
    assert (problem.population, problem.maxiter, problem.fit_years) == (5, 1, 3)
    assert problem.total_runs == 5 * 2 * 2 + 1
    with pytest.raises(ExperimentError, match="--seed -1"):
        plan_calibration("small_county", targets, overrides=SMALL, budget=20, seed=-1)
    with pytest.raises(ExperimentError, match="--report-replicates 0"):
        plan_calibration("small_county", targets, overrides=SMALL, budget=20, report_replicates=0)


def test_rerun_command_repeats_every_option_that_changes_the_fit(targets_dir):
    targets = targets_dir / "small_ok.toml"
    problem = plan_calibration(
        "small_county",
        targets,
        overrides=SMALL,
        budget=20,
        replicates=2,
        seed=3,
        report_replicates=1,
    )
    assert rerun_command(problem) == (
        f"edusim calibrate small_county --targets {targets} --budget 20 --replicates 2 "
        "--report-replicates 1 --seed 3 --set years=3"
    )
