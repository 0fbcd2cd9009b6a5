"""The vectorised choice-and-assignment step equals the per-pupil reference (DESIGN §11)."""

from __future__ import annotations

import numpy as np
import pytest
from reference_choice import choice_step_reference, everyone_chooses

import sim
from sim.behaviour.choice import free_capacity, intake_bit, rank_and_assign, utility_terms
from sim.model import EducationModel
from sim.state import ENROLLED, OPEN, POOLS_PER_SCHOOL


@pytest.mark.parametrize("overrides, strictness, barrier", [
    ({}, 0.0, None),
    ({"schools.max_class_size": 46, "schools.capacity_slack": 0.8}, 0.0, None),  # seats bind
    ({"boarding.min_grade": 1, "boarding.threshold_min": 15.0,
      "policies.boarding": {"young_penalty": 2.0, "penalty_below_grade": 4}}, 0.0, 0.3),
    ({}, 0.7, 0.5),  # strict catchment and a hukou check
])
def test_vectorised_step_equals_the_per_pupil_reference(overrides, strictness, barrier):
    model = EducationModel(sim.load_scenario("small_county", overrides), seed=5)
    model.step()
    model.effects.catchment_strictness = strictness
    idx, current, t, draws, seats, beds, admitted = everyone_chooses(model, barrier)
    ranked = rank_and_assign(t, model.children.grade[idx], draws, seats, beds, strictness,
                             model.scenario.choice.taste_scale)
    fast = ranked["pool_choice"]
    slow = choice_step_reference(model, idx, current, draws, seats, beds, admitted)
    assert (fast >= 0).mean() > 0.5
    np.testing.assert_array_equal(fast, slow)


def test_utility_terms_sum_to_utility_and_respect_feasibility():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    idx = np.flatnonzero(model.children.status == ENROLLED)[:500]
    t = utility_terms(model, idx)
    parts = sum(t[k] for k in ("quality", "time", "boarding", "young_boarding", "stay", "sib",
                               "choice_fee"))
    np.testing.assert_allclose(parts, t["utility"])
    far = t["commute_min"] > np.where(model.children.grade[idx] > 6, 90.0, 60.0)[:, None]
    assert not (t["feasible"] & far & ~t["board"] & ~t["bus"]).any()
    assert not (t["board"] & (model.children.grade[idx] < 4)[:, None]).any()


def test_a_closed_intake_bit_leaves_no_seat_for_new_pupils_in_that_grade_only():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    model.step()
    s = model.schools
    seats, _ = free_capacity(model)
    grade_one = seats.reshape(s.n, POOLS_PER_SCHOOL)[:, 1]
    school = int(np.flatnonzero((s.status == OPEN) & (grade_one > 0))[0])
    s.intake_closed[school] |= intake_bit(1)
    closed, _ = free_capacity(model)
    closed = closed.reshape(s.n, POOLS_PER_SCHOOL)
    assert closed[school, 1] == 0
    assert (closed[school, 2:] == seats.reshape(s.n, POOLS_PER_SCHOOL)[school, 2:]).all()
    assert intake_bit(1) == 2 and intake_bit(7) == 128


# ---- catchment (划片) ---------------------------------------------------------------------------

def test_county_town_zones_split_families_in_proportion_to_classrooms():
    from sim.behaviour.choice import catchment_of

    model = EducationModel(sim.load_scenario("baseline"), seed=1)
    s = model.schools
    families = np.arange(20_000)
    home = np.full(families.size, model.county_town)
    zone = catchment_of(model, families, home, np.full(families.size, 1))
    town = np.flatnonzero(s.serves(1) & (s.tier == 2))
    assert set(np.unique(zone)) == set(town.tolist())
    share = np.bincount(zone, minlength=s.n)[town] / families.size
    np.testing.assert_allclose(share, s.classrooms[town] / s.classrooms[town].sum(), atol=0.01)


def test_outside_the_town_the_catchment_is_a_school_of_the_township():
    model = EducationModel(sim.load_scenario("baseline"), seed=1)
    s, st = model.schools, model.settlements
    for grade in (1, 7):
        catch = model.candidates.catchment[grade]
        has = np.array([(s.serves(grade) & (st.township[s.settlement] == t)).any()
                        for t in st.township])
        rows = np.flatnonzero(has & (catch >= 0))
        assert (st.township[s.settlement[catch[rows]]] == st.township[rows]).all()


def test_catchment_pupils_are_admitted_beyond_the_seats_and_others_are_not():
    model = EducationModel(sim.load_scenario("small_county"), seed=2)
    model.step()
    idx, current, t, draws, seats, beds, _ = everyone_chooses(model)
    no_seats = np.zeros_like(seats)
    ranked = rank_and_assign(t, model.children.grade[idx], draws, no_seats, beds, 0.0,
                             model.scenario.choice.taste_scale)
    got = ranked["pool_choice"] >= 0
    chosen = np.argmax(ranked["pools"] == ranked["pool_choice"][:, None], axis=1)
    rows = np.arange(idx.size)
    # With no free seat, only rights are honoured: every placed pupil holds one there.
    assert got.mean() > 0.9
    assert ranked["by_right"][rows, chosen][got].all()
    slow = choice_step_reference(model, idx, current, draws, no_seats, beds)
    np.testing.assert_array_equal(ranked["pool_choice"], slow)


def test_the_choice_fee_is_charged_only_outside_the_catchment():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    idx = np.flatnonzero(model.children.status == ENROLLED)[:800]
    t = utility_terms(model, idx, current=np.full(idx.size, -1))
    fee = model.scenario.choice.beta_fee * model.scenario.choice.choice_fee_yuan
    valid = t["school"] >= 0
    np.testing.assert_allclose(t["choice_fee"][valid & t["catchment"]], 0.0)
    np.testing.assert_allclose(t["choice_fee"][valid & ~t["catchment"] & ~t["sent"]], -fee)
    assert (t["catchment"].sum(axis=1) == 1).all()  # the catchment is always a candidate


def test_under_hard_caps_the_step_equals_the_reference_and_catchment_is_no_right():
    overrides = {"schools.max_class_size": 46, "schools.capacity_slack": 0.8,
                 "county.initial_roll_headroom": None}
    model = EducationModel(sim.load_scenario("small_county", overrides), seed=5)
    model.step()
    idx, current, t, draws, seats, beds, _ = everyone_chooses(model)
    ranked = rank_and_assign(t, model.children.grade[idx], draws, seats, beds, 0.0,
                             catchment_by_right=False)
    slow = choice_step_reference(model, idx, current, draws, seats, beds,
                                 catchment_by_right=False)
    np.testing.assert_array_equal(ranked["pool_choice"], slow)
    assert not (ranked["by_right"] & ~rank_current_or_sent(ranked, t)).any()
    # Beyond the seats only by right (own or sent pupils): others fit in the seats left.
    got = ranked["pool_choice"] >= 0
    col = np.argmax(ranked["pools"] == ranked["pool_choice"][:, None], axis=1)
    right = ranked["by_right"][np.arange(idx.size), col] & got
    pools = ranked["pool_choice"]
    rights = np.bincount(pools[right], minlength=seats.size)
    others = np.bincount(pools[got & ~right], minlength=seats.size)
    assert (others <= np.maximum(seats - rights, 0)).all()


def rank_current_or_sent(ranked, t):
    """The pupils' own and sent schools, ranked like ``ranked['pools']``."""
    return ranked["take"](t["current"] | t["sent"])


def test_candidate_width_does_not_grow_with_the_county():
    scale = {"county.residents": 1_000_000, "county.townships": 40, "county.villages": 600,
             "county.area_km2": 8000}
    small = EducationModel(sim.load_scenario("baseline"), seed=1)
    large = EducationModel(sim.load_scenario("baseline", scale), seed=1)
    from sim.state import COUNTY_TOWN_TIER

    s = large.schools
    assert ((s.tier == COUNTY_TOWN_TIER) & s.serves(1)).sum() > 4  # more than M town schools
    bound = small.scenario.choice.candidates + small.scenario.choice.county_town_candidates
    assert small.candidates.schools.shape[2] == large.candidates.schools.shape[2] == bound


def test_the_county_town_candidates_are_the_best_ones_and_follow_quality():
    from sim.behaviour.choice import refresh_county_town
    from sim.state import COUNTY_TOWN_TIER

    model = EducationModel(sim.load_scenario("baseline", {"choice.county_town_candidates": 2}),
                           seed=1)
    s = model.schools
    town = np.flatnonzero((s.tier == COUNTY_TOWN_TIER) & s.serves(1))
    assert town.size == 4
    s.quality[town] = [0.2, 0.9, 0.5, 0.8]
    refresh_county_town(model)
    assert model.candidates.town[1].tolist() == [town[1], town[3]]  # the best two, row order
    village = int(np.argmax(model.travel.minutes[:, model.county_town]))  # the farthest
    listed = model.candidates.schools[1, village]
    assert not np.isin(model.candidates.nearest[1, village], town).any()
    assert set(town[[1, 3]]) <= set(listed) and town[0] not in listed


def test_the_nearest_columns_are_those_of_a_stable_sort():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    from sim.behaviour.choice import _nearest_columns

    @settings(max_examples=60, deadline=None)
    @given(arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 12)),
                  elements=st.sampled_from([0.0, 1.5, 3.0, 10.0, np.inf])),
           st.integers(1, 14))
    def check(minutes, k):
        expected = np.argsort(minutes, axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(_nearest_columns(minutes, k), expected)

    check()


def test_utilities_in_chunks_change_no_choice(monkeypatch):
    import sim.behaviour.choice as choice

    def county(chunk):
        monkeypatch.setattr(choice, "CHOICE_CHUNK", chunk)
        model = EducationModel(sim.load_scenario("small_county"), seed=4)
        for _ in range(3):
            model.step()
        return model.children.school.copy(), model.children.boarding.copy()

    whole, chunked = county(1 << 20), county(97)  # chunks that do not divide the roll
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_array_equal(whole[1], chunked[1])


def test_a_pupil_keeps_its_own_school_as_an_option_when_town_candidates_are_bounded():
    from sim.state import COUNTY_TOWN_TIER

    model = EducationModel(sim.load_scenario("baseline", {"choice.county_town_candidates": 2}),
                           seed=1)
    c, s = model.children, model.schools
    town = np.flatnonzero((s.tier == COUNTY_TOWN_TIER) & s.serves(1))
    s.quality[town] = [0.2, 0.9, 0.5, 0.8]  # town[0] and town[2] drop out of the best two
    model.step()  # the step re-picks the candidates on this quality
    assert model.candidates.town[1].tolist() == [town[1], town[3]]
    assert model.candidates.town_bounded
    pupils = np.flatnonzero((c.status == ENROLLED) & np.isin(c.school, town[[0, 2]])
                            & (model.families.settlement[c.family] != model.county_town))
    assert pupils.size
    t = utility_terms(model, pupils)
    assert t["school"].shape[1] == model.candidates.options
    assert t["current"].any(axis=1).all()  # its own school is among its options
    # Every option teaches the grade: an own school that does not (a pupil entering junior
    # school from a primary one) is not offered.
    everyone = np.flatnonzero(c.status == ENROLLED)

    def options_teach_the_grade() -> bool:
        t = utility_terms(model, everyone)
        grade = c.grade[everyone][:, None]
        school = np.maximum(t["school"], 0)
        teaches = (s.grade_min[school] <= grade) & (s.grade_max[school] >= grade)
        return bool(teaches[t["school"] >= 0].all())

    assert options_teach_the_grade()
    c.grade[everyone] = np.minimum(c.grade[everyone] + 1, 9)  # as if each moved up a grade
    assert options_teach_the_grade()
