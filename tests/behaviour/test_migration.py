"""Unit tests of the migration logit, the moves and the county-town admission check."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import migration
from sim.model import EducationModel
from sim.state import CHILD_LEFT, ENROLLED, FAMILY_LEFT, HOME, IN_TOWN, PARENTS_AWAY


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
    assert np.isfinite(u[in_town, migration.RETURN]).all() and np.isfinite(u[away, migration.RETURN]).all()
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
    model = EducationModel(sim.load_scenario("small_county", {"admission.hukou_barrier": barrier}), seed=1)
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
    assert np.array_equal(model.families.status, before[0]) and np.array_equal(model.families.settlement, before[1])
    assert (model.families.status == HOME).all()
