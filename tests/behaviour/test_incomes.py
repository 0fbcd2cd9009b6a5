"""Incomes on the NBS paths and the county-town housing cost (sim/behaviour/incomes.py)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import incomes
from sim.model import EducationModel


def test_path_values_interpolate_and_extend_by_the_trend():
    path = {2000: 100.0, 2010: 200.0}
    np.testing.assert_allclose(incomes.path_value(path, [1990, 2000, 2005, 2010, 2012], 0.1),
                               [100, 100, 150, 200, 242])
    np.testing.assert_allclose(incomes.path_value({}, [2000, 2030]), [1, 1])


@pytest.mark.parametrize("start_year", [2005, 2024])
def test_incomes_follow_the_income_paths(start_year):
    scn = sim.load_scenario("small_county", [f"start_year={start_year}"])
    model = EducationModel(scn, seed=1)
    f = model.families
    for _ in range(3):
        rows = f.n
        before = f.income.copy()
        model.step()
        year = model.year
        for urban in (0, 1):
            mine = np.flatnonzero(f.hukou[:rows] == urban)
            ratio = (incomes.income_index(scn, year, bool(urban))
                     / incomes.income_index(scn, year - 1, bool(urban)))[0]
            np.testing.assert_allclose(f.income[mine] / before[mine], ratio, rtol=1e-5)
        assert ratio > 1.0  # incomes grow on the NBS paths
        new = np.arange(rows, f.n)
        rural = new[f.hukou[new] == 0]
        median = incomes.income_median(scn, year, False)[0]
        assert np.median(f.income[rural]) == pytest.approx(median, rel=0.15)
    # ten years on the NBS rural path, incomes grow by its ratio
    grown = incomes.income_index(scn, start_year + 10, False)[0]
    nbs = scn.families.rural_income_path
    if start_year == 2005:
        assert grown == pytest.approx(np.interp(2015, sorted(nbs), [nbs[k] for k in sorted(nbs)])
                                      / np.interp(2005, sorted(nbs), [nbs[k] for k in sorted(nbs)]))


def test_housing_cost_follows_its_path():
    scn = sim.load_scenario("small_county", ["start_year=2020"])
    assert incomes.housing_cost(scn, 2030, 8_000.0) == 8_000.0  # flat by default (one entry)
    index = {2020: 1.0, 2030: 2.0}
    scn = sim.load_scenario("small_county", {"start_year": 2020,
                                             "migration.housing_cost_index": index})
    assert incomes.housing_cost(scn, 2025, 8_000.0) == pytest.approx(12_000.0)
