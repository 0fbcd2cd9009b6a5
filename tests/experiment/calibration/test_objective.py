"""Simulated moments and the objective: levels and relative changes, common random numbers, the
penalty for undefined moments, the fit table, and the series a calibration run adds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment.calibration import (
    DERIVED,
    PENALTY,
    Moment,
    evaluate_calibration_run,
    fit_table,
    moment_values,
    objective,
)
from sim.experiment.tasks import Task
from sim.metrics import COUNTY_COLUMNS


def test_objective_is_zero_at_the_truth_with_common_random_numbers(synthetic, truth):
    scenario, targets = synthetic(years=3)
    base = scenario.model_dump(mode="json")
    county = pd.concat(
        [evaluate_calibration_run(Task("t", 0, r, 0, truth, base)) for r in range(2)]
    )
    assert objective(moment_values(county, targets.moments), targets.moments) == 0.0
    off = {**truth, "migration.town_constant": -5.0}
    county = pd.concat([evaluate_calibration_run(Task("t", 0, r, 0, off, base)) for r in range(2)])
    assert objective(moment_values(county, targets.moments), targets.moments) > 0.001


def test_moments_levels_and_relative_changes():
    county = pd.DataFrame(
        {
            "replicate": [0, 0, 1, 1],
            "year": [2001, 2010, 2001, 2010],
            "pupils": [100.0, 60.0, 100.0, 70.0],
            "teaching_points": [10, 0, 0, 0],
        }
    )
    moments = [
        Moment(metric="pupils", year=2010, observed=65, source="s"),
        Moment(metric="pupils", change=(2001, 2010), observed=-0.35, source="s"),
        Moment(metric="teaching_points", change=(2001, 2010), observed=-0.5, source="s"),
    ]
    values = moment_values(county, moments)
    np.testing.assert_allclose(values[:, :2], [[60, -0.4], [70, -0.3]])
    assert values[0, 2] == -1 and np.isnan(values[1, 2])  # 0/0: undefined
    assert objective(values[:, :2], moments[:2]) == pytest.approx(0.0)
    assert objective(values, moments) == PENALTY


def test_objective_weighs_relative_errors():
    moments = [
        Moment(metric="pupils", year=2010, observed=100, weight=3, source="s"),
        Moment(metric="schools_open", year=2010, observed=10, weight=1, source="s"),
    ]
    simulated = np.array([[110.0, 10.0], [90.0, 14.0]])  # means 100 (no error) and 12 (+20%)
    assert objective(simulated, moments) == pytest.approx(1 * 0.2**2 / 4)


def test_a_range_moment_costs_nothing_inside_and_the_distance_to_its_edge_outside():
    moments = [Moment(metric="boarders", year=2010, range=(40, 60), source="pattern")]
    for inside in (40.0, 51.0, 60.0):
        assert objective(np.array([[inside]]), moments) == 0
    # 70 is 10 above the top, 10 / 50 (the middle) = 20%; 30 is 20% below the bottom
    assert objective(np.array([[70.0]]), moments) == pytest.approx(0.2**2)
    assert objective(np.array([[30.0]]), moments) == pytest.approx(0.2**2)
    table = fit_table(np.array([[70.0], [70.0]]), moments)
    assert table.loc[0, ["observed", "observed_low", "observed_high"]].tolist() == [50, 40, 60]
    assert table.loc[0, "error"] == pytest.approx(10) and table.loc[0, "relative_error"] == (
        pytest.approx(0.2))


@pytest.mark.parametrize("fields, words", [
    ({"observed": 1.0, "range": (0.0, 2.0)}, "exactly one of 'observed'"),
    ({}, "exactly one of 'observed'"),
    ({"range": (2.0, 1.0)}, "low below high"),
    ({"range": (-1.0, 1.0)}, "middle must be non-zero"),
])
def test_a_moment_has_a_value_or_a_proper_range(fields, words):
    with pytest.raises(ValueError, match=words):
        Moment(metric="pupils", year=2010, source="s", **fields)


def test_a_range_of_a_relative_change_stays_above_minus_one():
    with pytest.raises(ValueError, match="a relative change is above -1"):
        Moment(metric="pupils", change=(2001, 2010), range=(-1.2, -0.5), source="s")


def test_fit_table_has_one_row_per_moment_with_errors():
    moments = [
        Moment(name="kids", metric="pupils", year=2010, observed=100, source="census"),
        Moment(metric="pupils", change=(2001, 2010), observed=-0.5, source="s"),
    ]
    table = fit_table(np.array([[110.0, -0.4], [130.0, -0.4]]), moments)
    assert list(table["moment"]) == ["kids", "pupils 2001-2010"]
    assert list(table["kind"]) == ["level 2010", "change 2001-2010"]
    assert table.loc[0, "simulated"] == 120 and table.loc[0, "error"] == 20
    assert (
        table.loc[0, "relative_error"] == pytest.approx(0.2) and table.loc[0, "source"] == "census"
    )
    assert (
        table.loc[1, "relative_error"] == pytest.approx(0.2)
        and table.loc[1, "lo"] == table.loc[1, "hi"]
    )
    assert (table["replicates"] == 2).all() and table.loc[0, "lo"] < 120 < table.loc[0, "hi"]


def test_a_calibration_run_adds_the_derived_series_to_the_county_table():
    scenario = sim.load_scenario("small_county", ["years=2"])
    base = scenario.model_dump(mode="json")
    county = evaluate_calibration_run(Task("t", 0, 1, 5, {}, base))
    assert list(county.columns) == ["replicate", *COUNTY_COLUMNS, *DERIVED]
    assert list(county["year"]) == [2024, 2025] and (county["replicate"] == 1).all()
    # the county metrics are those of an ordinary run of the same replicate
    run = sim.run(scenario, seed=5, replicates=2)
    expected = run.county[run.county["replicate"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(county[expected.columns], expected, check_dtype=False)
    # rural pupils are a part of all pupils; the town share is a fraction
    rural = county["rural_pupils_primary"] + county["rural_pupils_junior"]
    assert (rural <= county["pupils"]).all() and (rural > 0).all()
    assert county["urban_town_pupil_share"].between(0, 1).all()
    assert (county["village_primary_schools"] <= county["rural_primary_schools"]).all()
    shares = ["village_pupil_share", "boarding_share_primary", "boarding_share_junior",
              "dropout_rate_primary", "migrant_child_share", "left_behind_child_share"]
    assert county[shares].apply(lambda col: col.between(0, 1)).all().all()
    assert (county["village_pupil_share"] <= 1 - county["county_town_pupil_share"] + 1e-9).all()
    boarders = county["boarding_share_primary"] * county["pupils_primary"] + county[
        "boarding_share_junior"] * county["pupils_junior"]
    assert np.allclose(boarders, county["boarders"])
