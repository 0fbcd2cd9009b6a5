"""Demography (sim.behaviour.demography): initial population, births, progression, drop-out."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.behaviour import demography
from sim.scenario.derived import births
from sim.state import (
    COMPLETED,
    DROPPED_OUT,
    ENROLLED,
    FAMILY_LEFT,
    GRADES,
    HOME,
    NO_SCHOOL,
    PRESCHOOL,
    TOWN,
    VILLAGE,
    Children,
    Families,
    Settlements,
    YearCounts,
)


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario("small_county", ["years=1", "migration.enabled=false"])


def hand_model(scenario, population=(100_000, 50_000, 0), year=None, seed=0):
    """Three settlements (a town, two villages; the last one empty) and no one living there."""
    settlements = Settlements()
    settlements.add(3, kind=[TOWN, VILLAGE, VILLAGE], population=list(population))
    return SimpleNamespace(
        scenario=scenario, rng=np.random.default_rng(seed), settlements=settlements,
        families=Families(), children=Children(), counts=YearCounts(),
        year=scenario.start_year if year is None else year,
        add_family_agents=lambda rows: None,
    )


def add_family(model, settlement, birth_years, status=HOME, mother_age=28):
    """A family whose mother is ``mother_age`` this year (fertile by default)."""
    (family,) = model.families.add(1, settlement=settlement, home_settlement=settlement,
                                   status=status, mother_birth_year=model.year - mother_age)
    model.children.add(len(birth_years), family=family, birth_year=list(birth_years))
    return family


# ---- initial population -----------------------------------------------------------------------


def test_initial_population_covers_preschool_to_grade_9(scenario):
    model = hand_model(scenario, year=scenario.start_year - 1)
    demography.initial_population(model)
    c, entry = model.children, scenario.demography.school_entry_age
    age = model.year - c.birth_year
    assert age.min() == 0 and age.max() == entry + GRADES - 1
    np.testing.assert_array_equal(c.grade, np.clip(age - entry + 1, 0, GRADES))
    np.testing.assert_array_equal(c.status == ENROLLED, c.grade >= 1)
    np.testing.assert_array_equal(c.status[c.grade == 0], PRESCHOOL)
    enrolled = c.grade >= 1
    np.testing.assert_array_equal(c.entry_year[enrolled], c.birth_year[enrolled] + entry)
    assert (c.school == NO_SCHOOL).all()  # placement comes later


def test_initial_families_live_where_their_children_are_counted(scenario):
    model = hand_model(scenario, year=scenario.start_year - 1)
    demography.initial_population(model)
    c, f = model.children, model.families
    assert f.n == c.family.max() + 1 and (np.bincount(c.family) >= 1).all()
    # no one in the empty settlement, and children in proportion to residents
    assert not (f.settlement == 2).any()
    per_settlement = np.bincount(f.settlement[c.family], minlength=3)
    assert per_settlement[0] == pytest.approx(2 * per_settlement[1], rel=0.15)


def test_initial_mothers_were_of_first_birth_age_at_their_eldest_child(scenario):
    model = hand_model(scenario, year=scenario.start_year - 1)
    demography.initial_population(model)
    c, f = model.children, model.families
    eldest = np.full(f.n, 10_000)
    np.minimum.at(eldest, c.family, c.birth_year.astype(int))
    age_at_first = eldest - f.mother_birth_year
    lo, hi = demography.FIRST_BIRTH_AGE_RANGE
    assert age_at_first.min() >= lo and age_at_first.max() <= hi
    assert age_at_first.mean() == pytest.approx(
        scenario.families.mother_age_at_first_birth_mean, abs=0.3)
    # every family's mother was of child-bearing age when each of its children was born
    age_at_birth = c.birth_year - f.mother_birth_year[c.family]
    assert (demography.fertility(scenario, age_at_birth) > 0).all()


def test_fertility_schedule_is_zero_outside_child_bearing_ages(scenario):
    rates = demography.fertility(scenario, np.array([10, 14, 15, 22, 27, 49, 50, 70]))
    schedule = scenario.demography.fertility_by_age_group
    np.testing.assert_array_equal(rates, [0, 0, schedule[0], schedule[1], schedule[2],
                                          schedule[6], 0, 0])


# ---- births ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2016, 2024])
def test_births_follow_the_births_path(scenario, year):
    model = hand_model(scenario, year=year)
    add_family(model, 0, [year - 12])
    add_family(model, 1, [year - 12])
    expected = births(scenario, year, 150_000)[0]
    assert scenario.demography.births_index[2016] > 1.8 * scenario.demography.births_index[2024]
    before = model.children.n
    n = demography.births_phase(model)
    assert abs(n - expected) < 5 * np.sqrt(expected)
    assert model.children.n == before + n


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_no_family_births_follow_residents_in_full(scenario, seed):
    model = hand_model(scenario, seed=seed)
    expected = births(scenario, model.year, 150_000)[0]
    n = demography.births_phase(model)
    c = model.children
    assert abs(n - expected) < 5 * np.sqrt(expected)  # not halved (the old 0.5/0.5 blend)
    assert (c.birth_year == model.year).all() and (c.status == PRESCHOOL).all()
    assert (c.grade == 0).all() and (c.school == NO_SCHOOL).all()
    # with no family living there yet, every birth starts a family in the settlement it is in
    assert model.families.n == n
    assert not (model.families.settlement == 2).any()  # nobody lives in the empty settlement


def test_births_join_only_resident_families_with_a_fertile_mother(scenario):
    model = hand_model(scenario)
    year = model.year
    toddler = [add_family(model, 0, [year - 2]) for _ in range(300)]
    newborn = [add_family(model, 0, [year]) for _ in range(300)]
    too_old = [add_family(model, 0, [year - 8], mother_age=52) for _ in range(300)]
    left = [add_family(model, 0, [year - 2], status=FAMILY_LEFT) for _ in range(300)]
    full = [add_family(model, 0, [year - 2, year - 4, year - 6]) for _ in range(300)]
    before = model.children.n
    n = demography.births_phase(model)
    born = np.arange(before, before + n)
    parents = model.children.family[born]
    joined = parents[parents < 1500]
    assert joined.size > 0  # some births are younger siblings
    assert np.isin(joined, toddler).all()
    assert not np.isin(parents, newborn + too_old + left + full).any()
    # the rest start new families, with young mothers, where the births are
    new = np.arange(1500, model.families.n)
    assert (parents >= 1500).sum() == new.size
    mother_age = year - model.families.mother_birth_year[new]
    assert (demography.fertility(scenario, mother_age) > 0).all()


def test_births_happen_only_where_mothers_live(scenario):
    # residents in both the town and a village, but families only in the town
    model = hand_model(scenario, population=(100_000, 100_000, 0))
    for _ in range(200):
        add_family(model, 0, [model.year - 3])
    n = demography.births_phase(model)
    where = model.families.settlement[model.children.family[-n:]]
    assert n > 0 and (where == 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("status", [HOME, FAMILY_LEFT])
def test_a_family_that_left_takes_its_births_with_it(scenario, status, seed):
    # residents only in the town; mothers alike in the town and (home or gone) in a village
    model = hand_model(scenario, population=(100_000, 0, 0), seed=seed)
    for _ in range(200):
        add_family(model, 0, [model.year - 9])
        add_family(model, 1, [model.year - 9], status=status)
    expected = births(scenario, model.year, 100_000)[0]
    n = demography.births_phase(model)
    where = model.families.settlement[model.children.family[-n:]]
    if status == HOME:  # births follow where the mothers live, the county total the path
        assert (where == 1).mean() == pytest.approx(0.5, abs=0.08)
        assert abs(n - expected) < 5 * np.sqrt(expected)
    else:  # the village's mothers left: no births there, and the county has half its births
        assert not (where == 1).any()
        assert abs(n - expected / 2) < 5 * np.sqrt(expected / 2)


# ---- progression -------------------------------------------------------------------------------


def pupils(scenario, grades, status=ENROLLED, year=None):
    children = Children()
    school = 0 if status == ENROLLED else NO_SCHOOL
    children.add(len(grades), grade=list(grades), school=school, status=status,
                 boarding=status == ENROLLED)
    return SimpleNamespace(scenario=scenario, rng=np.random.default_rng(1), children=children,
                           year=scenario.start_year if year is None else year, counts=YearCounts())


def test_pupils_move_up_a_grade(scenario):
    model = pupils(scenario, [1, 3, 6, 8])
    out = demography.progression_phase(model)
    np.testing.assert_array_equal(model.children.grade, [2, 4, 7, 9])
    assert (model.children.status == ENROLLED).all() and (model.children.school == 0).all()
    assert out["completed"].size == 0 and out["entrants"].size == 0


def test_grade_9_pupils_complete_and_leave_their_school(scenario):
    model = pupils(scenario, [9, 5, 9])
    out = demography.progression_phase(model)
    c = model.children
    np.testing.assert_array_equal(out["completed"], [0, 2])
    np.testing.assert_array_equal(c.status, [COMPLETED, ENROLLED, COMPLETED])
    np.testing.assert_array_equal(c.school, [NO_SCHOOL, 0, NO_SCHOOL])
    assert not c.boarding[[0, 2]].any()
    np.testing.assert_array_equal(c.exit_year[[0, 2]], model.year - 1)  # finished last school year
    assert c.grade[1] == 6


def test_children_reaching_school_age_become_grade_1_entrants(scenario):
    entry = scenario.demography.school_entry_age
    model = pupils(scenario, [0, 0, 0], status=PRESCHOOL)
    born = model.year - entry
    model.children.birth_year[:] = [born, born + 1, born - 1]
    out = demography.progression_phase(model)
    c = model.children
    np.testing.assert_array_equal(out["entrants"], [0, 2])  # a child who waited a year enters too
    np.testing.assert_array_equal(c.grade, [1, 0, 1])
    np.testing.assert_array_equal(c.entry_year, [model.year, -1, model.year])
    assert (c.status == PRESCHOOL).all()  # enrolled only once placed


def test_repeaters_stay_in_their_grade_and_do_not_complete():
    scenario = sim.load_scenario("small_county", ["years=1", "demography.repetition_rate=0.5"])
    model = pupils(scenario, [2] * 400 + [9] * 400)
    out = demography.progression_phase(model)
    c = model.children
    stayed = c.grade[:400] == 2
    assert stayed.mean() == pytest.approx(0.5, abs=0.1)
    assert (c.grade[:400][~stayed] == 3).all()
    repeaters = np.arange(400, 800)[c.status[400:] == ENROLLED]
    assert (c.grade[repeaters] == 9).all() and (c.school[repeaters] == 0).all()
    assert out["completed"].size + repeaters.size == 400
    assert out["completed"].size == pytest.approx(200, abs=40)


def test_progression_on_a_small_model(small_model):
    m = small_model
    c = m.children
    enrolled = np.flatnonzero((c.status == ENROLLED) & (c.grade < GRADES))[:5]
    c.grade[enrolled] = 3
    nine = np.flatnonzero((c.status == ENROLLED) & (c.grade == GRADES))
    m.year += 1
    out = demography.progression_phase(m)
    assert (c.grade[enrolled] == 4).all()
    np.testing.assert_array_equal(np.sort(out["completed"]), nine)
    assert (c.status[nine] == COMPLETED).all()


# ---- drop out ----------------------------------------------------------------------------------


def test_drop_out_marks_status_and_counts(scenario):
    model = pupils(scenario, [4, 7, 8])
    model.children.bus[:] = True
    demography.drop_out(model, np.array([1, 2]))
    c = model.children
    np.testing.assert_array_equal(c.status, [ENROLLED, DROPPED_OUT, DROPPED_OUT])
    np.testing.assert_array_equal(c.school, [0, NO_SCHOOL, NO_SCHOOL])
    np.testing.assert_array_equal(c.boarding, [True, False, False])
    np.testing.assert_array_equal(c.bus, [True, False, False])
    np.testing.assert_array_equal(c.exit_year, [-1, model.year, model.year])
    assert model.counts.dropouts == 2
    demography.drop_out(model, np.array([], dtype=np.int64))
    assert model.counts.dropouts == 2
