"""Births from resident families and incomes on their paths, on whole models over seeds."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import incomes, migration
from sim.model import EducationModel
from sim.scenario.derived import births
from sim.state import FAMILY_LEFT

SEEDS = (0, 1, 2)


def births_by_settlement(model, before: int) -> np.ndarray:
    """Children born since row ``before``, counted by their family's settlement."""
    fam = model.children.family[before:]
    return np.bincount(model.families.settlement[fam], minlength=model.settlements.n)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_village_that_empties_stops_producing_births(seed):
    model = EducationModel(sim.load_scenario("small_county"), seed=seed)
    f = model.families
    village = int(np.bincount(f.settlement, minlength=model.settlements.n)[
        model.settlements.kind == 2].argmax())
    village = int(np.flatnonzero(model.settlements.kind == 2)[village])
    assert model.settlements.population[village] > 0
    first = model.children.n
    model.step()
    assert births_by_settlement(model, first)[village] > 0  # it had births while people lived there
    for _ in range(3):
        # everyone living there or coming from there leaves (new migrants may be drawn as from
        # the village and return to it later: they leave too, so the village stays empty)
        everyone = np.flatnonzero((f.settlement == village) | (f.home_settlement == village))
        migration.leave_county(model, everyone[f.status[everyone] != FAMILY_LEFT])
        before = model.children.n
        model.step()
        newborn_family = model.children.family[before:]
        lived_there = (f.settlement[newborn_family] == village) & (
            f.moved_year[newborn_family] != model.year  # not a family that moved in this year
        )
        assert not lived_there.any()
        assert model.children.n > before  # the rest of the county still has births


@pytest.mark.parametrize("seed", SEEDS)
def test_county_births_follow_the_births_path(seed):
    scn = sim.load_scenario("small_county", ["migration.enabled=false", "years=6"])
    model = EducationModel(scn, seed=seed)
    residents = int(model.settlements.population.sum())
    born = []
    for _ in range(6):
        before = model.children.n
        model.step()
        born.append(model.children.n - before)
    years = np.arange(scn.start_year, scn.start_year + 6)
    expected = births(scn, years, residents)
    assert abs(sum(born) - expected.sum()) < 4 * np.sqrt(expected.sum())
    # the path's direction shows year on year: first vs last two years
    if expected[:2].sum() > 1.1 * expected[-2:].sum():
        assert sum(born[:2]) > sum(born[-2:])


def test_families_that_leave_take_their_births_with_them():
    """Over seeds, emptying a third of the families cuts births by about a third."""
    ratios = []
    for seed in SEEDS:
        scn = sim.load_scenario("small_county", ["migration.enabled=false"])
        kept, emptied = EducationModel(scn, seed=seed), EducationModel(scn, seed=seed)
        f = emptied.families
        gone = np.flatnonzero(np.random.default_rng(seed).random(f.n) < 1 / 3)
        migration.leave_county(emptied, gone)
        counts = []
        for m in (kept, emptied):
            before = m.children.n
            m.step()
            counts.append(m.children.n - before)
        ratios.append(counts[1] / counts[0])
    assert np.mean(ratios) == pytest.approx(2 / 3, abs=0.08)


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
