"""Quantities derived from a scenario: the births index, expected births and cohorts."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario.derived import births, births_index, expected_pupils_per_resident, initial_cohort


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(
        "small_county",
        ["demography.births_index={2000 = 1.0, 2010 = 2.0}", "demography.births_trend_per_year=0.1",
         "start_year=2010"],
    )


def test_births_index_interpolates_holds_and_extends_by_the_trend(scenario):
    index = births_index(scenario, np.array([1990, 2000, 2005, 2010, 2012]))
    np.testing.assert_allclose(index, [1.0, 1.0, 1.5, 2.0, 2.0 * 1.1**2])


def test_births_scale_with_residents_and_the_index(scenario):
    d = scenario.demography
    at_start = scenario.county.residents * d.birth_rate_per_1000 / 1000
    np.testing.assert_allclose(births(scenario, 2010), [at_start])
    np.testing.assert_allclose(births(scenario, 2005), [at_start * 0.75])
    np.testing.assert_allclose(births(scenario, 2010, residents=2 * scenario.county.residents),
                               [2 * at_start])


def test_initial_cohort_and_pupils_per_resident(scenario):
    share = scenario.demography.resident_cohort_share
    np.testing.assert_allclose(initial_cohort(scenario, 2005), births(scenario, 2005) * share)
    per_resident = expected_pupils_per_resident(scenario)
    assert per_resident.shape == (9,) and (per_resident > 0).all()
    # older grades were born earlier, when the index was lower here
    assert per_resident[0] > per_resident[-1]
