"""Unit tests of the migration logit, the moves and the county-town admission check."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import demography, layout, migration
from sim.model import EducationModel
from sim.state import (
    CHILD_LEFT,
    ENROLLED,
    FAMILY_LEFT,
    HOME,
    IN_TOWN,
    PARENTS_AWAY,
    TOWN,
    VILLAGE,
)


@pytest.fixture
def model():
    return EducationModel(sim.load_scenario("small_county"), seed=3)


def test_logit_draws_follow_softmax_probabilities():
    rng = np.random.default_rng(0)
    u = np.tile(np.array([[0.0, 1.0, -np.inf, np.log(0.5), -1.0]]), (200_000, 1))
    draws = migration._draw_logit(u, rng)
    p = np.exp(np.where(np.isfinite(u[0]), u[0], -np.inf))
    p /= p.sum()
    freq = np.bincount(draws, minlength=5) / draws.size
    assert freq[2] == 0.0
    np.testing.assert_allclose(freq, p, atol=0.005)


def test_alternatives_depend_on_where_the_family_is(model):
    u = migration.utilities(model, migration.family_terms(model))
    f = model.families
    in_town, home, away = f.status == IN_TOWN, f.status == HOME, f.status == PARENTS_AWAY
    assert in_town.any() and away.any()
    assert np.isneginf(u[f.settlement == model.county_town, migration.TOWN]).all()
    assert np.isneginf(u[home, migration.RETURN]).all()
    assert np.isfinite(u[in_town, migration.RETURN]).all()
    assert np.isfinite(u[away, migration.RETURN]).all()
    assert np.isneginf(u[in_town | away, migration.AWAY]).all()
    assert (u[:, migration.STAY] == 0).all()


def test_a_larger_quality_gap_makes_town_more_attractive(model):
    terms = migration.family_terms(model)
    base = migration.utilities(model, terms)[:, migration.TOWN]
    terms["gap"] = terms["gap"] + 0.2
    raised = migration.utilities(model, terms)[:, migration.TOWN]
    finite = np.isfinite(base)
    assert (raised[finite] > base[finite]).all()


def test_families_leaving_take_their_children_and_free_their_seats(model):
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    families = np.unique(c.family[enrolled[:50]])
    migration.leave_county(model, families)
    kids = np.isin(c.family, families)
    assert (model.families.status[families] == FAMILY_LEFT).all()
    assert not (kids & (c.status == ENROLLED)).any()
    assert (c.school[kids & (c.status == CHILD_LEFT)] == -1).all()
    model.check()


def test_moving_to_town_sends_children_to_choose_a_school(model):
    f = model.families
    choice = np.zeros(f.n, dtype=np.int64)
    rural_home = np.flatnonzero((f.status == HOME) & (f.settlement != model.county_town))[:20]
    choice[rural_home] = migration.TOWN
    movers = migration.apply_moves(model, choice)
    assert (f.settlement[rural_home] == model.county_town).all()
    assert (f.status[rural_home] == IN_TOWN).all()
    assert set(model.children.family[movers]) <= set(rural_home)


@pytest.mark.parametrize("barrier", [0.0, 1.0])
def test_hukou_barrier_admits_or_refuses_rural_children(barrier):
    scn = sim.load_scenario("small_county", {"admission.hukou_barrier": barrier})
    model = EducationModel(scn, seed=1)
    c, f = model.children, model.families
    idx = np.flatnonzero(c.status == ENROLLED)
    urban = f.hukou[c.family[idx]] == 1
    was_in_town = f.status[c.family[idx]] == IN_TOWN
    children, admitted = migration.town_admission(model, idx)
    urban_now = f.hukou[c.family[children]] == 1
    assert admitted[urban_now].all()
    if barrier == 0.0:
        assert admitted.all() and np.array_equal(children, idx)
    else:
        assert not admitted[~urban_now].any()
        refused = idx[was_in_town & ~urban]
        assert refused.size and (f.status[c.family[refused]] != IN_TOWN).all()


def test_disabled_migration_moves_nobody():
    model = EducationModel(sim.load_scenario("small_county", {"migration.enabled": False}), seed=0)
    before = model.families.status.copy(), model.families.settlement.copy()
    assert migration.migration_phase(model).size == 0
    assert np.array_equal(model.families.status, before[0])
    assert np.array_equal(model.families.settlement, before[1])
    assert (model.families.status == HOME).all()


# ---- moves to township seats (进镇) ------------------------------------------------------------

SEEDS = (0, 1, 2)


def village_families_with_a_seat(model):
    f = model.families
    seat = migration.seat_of_settlement(model)[f.settlement]
    kind = model.settlements.kind[f.settlement]
    return np.flatnonzero((f.status == HOME) & (kind == VILLAGE) & (seat >= 0))


def test_every_village_has_its_township_seat_or_none(model):
    st = model.settlements
    seat = migration.seat_of_settlement(model)
    has = seat >= 0
    assert (st.kind[seat[has]] == TOWN).all()
    assert (st.township[seat[has]] == st.township[has]).all()
    # the county town's own township has no seat of its own: its villages can only go to town
    assert (seat[st.township == st.township[model.county_town]] == -1).all()
    u = migration.utilities(model, migration.family_terms(model))
    no_seat = seat[model.families.settlement] < 0
    assert np.isneginf(u[no_seat, migration.SEAT]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_families_move_to_their_township_seat(seed):
    model = EducationModel(sim.load_scenario("small_county"), seed=seed)
    f = model.families
    home_before = f.settlement.copy()
    model.year += 1
    movers = migration.migration_phase(model)
    seat_kind = model.settlements.kind[f.settlement[: home_before.size]] == TOWN
    moved = np.flatnonzero(seat_kind & (f.settlement[: home_before.size] != home_before))
    assert moved.size > 0  # 进镇 happens at the defaults
    assert (f.status[moved] == IN_TOWN).all() and (f.moved_year[moved] == model.year).all()
    seat = migration.seat_of_settlement(model)
    np.testing.assert_array_equal(f.settlement[moved], seat[home_before[moved]])
    np.testing.assert_array_equal(f.home_settlement[moved], home_before[moved])
    enrolled = np.isin(model.children.family, moved) & (model.children.status == ENROLLED)
    assert set(np.flatnonzero(enrolled)) <= set(movers)  # their pupils choose a school


def test_families_in_a_seat_can_move_on_to_the_county_town_or_back(model):
    f = model.families
    rows = village_families_with_a_seat(model)[:30]
    home = f.settlement[rows].copy()
    choice = np.zeros(f.n, dtype=np.int64)
    choice[rows] = migration.SEAT
    migration.apply_moves(model, choice)
    assert (model.settlements.kind[f.settlement[rows]] == TOWN).all()
    u = migration.utilities(model, migration.family_terms(model))
    assert np.isfinite(u[rows, migration.TOWN]).all()
    assert np.isfinite(u[rows, migration.RETURN]).all()
    assert np.isneginf(u[rows, migration.SEAT]).all() and np.isneginf(u[rows, migration.AWAY]).all()
    choice[:] = migration.STAY
    choice[rows[:15]] = migration.TOWN
    choice[rows[15:]] = migration.RETURN
    model.year += 1
    migration.apply_moves(model, choice)
    assert (f.settlement[rows[:15]] == model.county_town).all()
    assert (f.status[rows[:15]] == IN_TOWN).all()
    assert (f.home_settlement[rows[:15]] == home[:15]).all()
    assert (f.settlement[rows[15:]] == home[15:]).all() and (f.status[rows[15:]] == HOME).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_seat_families_move_on_over_the_years(seed):
    scn = sim.load_scenario("small_county", {"migration.seat_constant": -2.5})
    model = EducationModel(scn, seed=seed)
    model.step()
    f, kind = model.families, model.settlements.kind
    at_seat = np.flatnonzero((f.status == IN_TOWN) & (kind[f.settlement] == TOWN))
    assert at_seat.size > 0
    for _ in range(4):
        model.step()
    where = f.settlement[at_seat]
    onward = (where == model.county_town) & (f.status[at_seat] == IN_TOWN)
    back = (where == f.home_settlement[at_seat]) & (f.status[at_seat] != FAMILY_LEFT)
    assert onward.any() and back.any()


def test_the_seat_quality_gap_raises_the_pull_of_the_seat(model):
    terms = migration.family_terms(model)
    base = migration.utilities(model, terms)[:, migration.SEAT]
    terms["seat_gap"] = terms["seat_gap"] + 0.2
    raised = migration.utilities(model, terms)[:, migration.SEAT]
    finite = np.isfinite(base)
    assert finite.any() and (raised[finite] > base[finite]).all()


def test_seat_families_are_not_refused_by_the_county_town_check():
    model = EducationModel(sim.load_scenario("small_county", {"admission.hukou_barrier": 1.0}),
                           seed=1)
    f = model.families
    rows = village_families_with_a_seat(model)
    rows = rows[f.hukou[rows] == 0][:40]
    choice = np.zeros(f.n, dtype=np.int64)
    choice[rows] = migration.SEAT
    idx = migration.apply_moves(model, choice)
    seat = f.settlement[rows].copy()
    migration.town_admission(model, idx)
    assert (f.settlement[rows] == seat).all() and (f.status[rows] == IN_TOWN).all()


# ---- the school-closed term ---------------------------------------------------------------------


def test_closed_term_fires_when_a_school_stops_teaching_the_grade(small_scenario):
    model = EducationModel(small_scenario, seed=4)
    model.step()
    c, s = model.children, model.schools
    enrolled = c.status == ENROLLED
    grade4 = np.bincount(c.school[enrolled & (c.grade == 4)], minlength=s.n)
    grade6 = np.bincount(c.school[enrolled & (c.grade == 6)], minlength=s.n)
    primaries = (s.grade_min == 1) & (s.grade_max == 6) & (s.status == 1)
    school = int(np.argmax(np.where(primaries, grade4, -1)))
    assert grade4[school] > 0
    other = int(np.argmax(np.where(primaries & (np.arange(s.n) != school), grade6, -1)))
    fourth = np.flatnonzero(enrolled & (c.school == school) & (c.grade == 4))
    sixth = np.flatnonzero(enrolled & (c.school == other) & (c.grade == 6))
    model.year += 1
    layout.downgrade_school(model, school, 4)  # the calendar phase: grade 5 no longer taught
    demography.progression_phase(model)
    terms = migration.family_terms(model)
    assert terms["closed"][c.family[fourth]].all()
    # moving on from a school's top grade as usual (grade 6 to 7) is a transition, not a closure
    only_sixth = np.setdiff1d(c.family[sixth], c.family[np.flatnonzero(
        (c.displaced_year == model.year) | (s.status[np.maximum(c.school, 0)] != 1))])
    assert only_sixth.size and not terms["closed"][only_sixth].any()
    assert terms["transition"][only_sixth].all()
