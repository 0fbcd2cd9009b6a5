"""Births from resident families, on whole models over seeds."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import migration
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
