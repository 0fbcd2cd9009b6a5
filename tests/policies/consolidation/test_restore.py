"""Restoring closed schools where they are needed (plan action ``restore``; 恢复教学点,
国办发〔2012〕48号): selection during the run, the reopened school, validation."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import layout
from sim.errors import ScenarioError
from sim.policies.consolidation import Consolidation, NeededSchool, YoungPupils, needed_schools
from sim.policies.consolidation.inputs import young_pupils
from sim.scenario.policies import RestoreSelector
from sim.state import ACTIVE, CLOSED, ENROLLED, OPEN, PRIMARY, TEACHING_POINT, Schools

SEED = 0
#: Close the twelve largest village schools in 2025 without safeguards, so that their villages'
#: young pupils travel far in 2025; restore up to two of them in 2026.
CLOSE = {"action": "close", "year": 2025,
         "select": {"levels": ["teaching_point", "primary"], "tiers": ["village"], "count": 12,
                    "order": "largest"}}
#: Hiring fills every vacancy and nobody refuses a remote post: the restored school is staffed
#: by the first teachers phase after it reopens.
STAFFED = {"teachers.hire_share_of_vacancies": 1.0, "teachers.refusal_remote_per_hour": 0.0,
           "teachers.quota_factor": 1.5}


def _restore(**select) -> dict:
    return {"action": "restore", "year": 2026,
            "select": {"count": 2, "min_far_pupils": 1, **select},
            "as_level": "teaching_point", "grade_max": 3}


def _run(plan, years=3, **overrides):
    values = {"years": years, "policies.consolidation.plan": plan,
              "policies.consolidation.plan_safeguards": False, **STAFFED, **overrides}
    m = sim.EducationModel(sim.load_scenario("small_county", values), seed=SEED)
    for _ in range(years):
        m.step()
        m.check()
    return m


def _events(m, kind):
    return [e for e in m.events if e[1] == kind]


def restore_needs(m, selector, grade_max, limit):
    """The closed schools the model's young pupils need (as the calendar phase asks)."""
    return needed_schools(young_pupils(m, grade_max), m.schools, len(m.settlement_names),
                          selector, limit)


def test_a_closed_village_school_is_restored_where_young_pupils_commute_far():
    m = _run([CLOSE, _restore()])
    closed = {e[2] for e in _events(m, "school_closed")}
    restored = _events(m, "school_restored")
    assert len(restored) == 2 and {e[0] for e in restored} == {2026}
    s, c, t = m.schools, m.children, m.teachers
    for _, _, school, detail in restored:
        assert school in closed and "commute over 40 min" in detail
        assert s.status[school] == OPEN and s.level[school] == TEACHING_POINT
        assert (s.grade_min[school], s.grade_max[school]) == (1, 3)
        assert s.opened_year[school] == 2026 and s.invested_year[school] == 2026
        assert s.closed_year[school] == 2025
        assert s.building_use[school] == layout.IN_USE and s.boarding_beds[school] == 0
        assert s.classrooms[school] >= 1
        # Staffed by the teachers phase (no teacher came with the reopening) and taking pupils.
        assert ((t.school == school) & (t.status == ACTIVE)).sum() >= 1
        pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
        assert pupils.size > 0 and (c.grade[pupils] <= 3).all()
    policy = next(p for p in m.policies if isinstance(p, Consolidation))
    assert {e[2] for e in restored} <= policy.protected  # not closed again by a rule


def test_the_most_needed_closed_schools_are_chosen_and_unneeded_ones_are_not():
    m = _run([CLOSE], years=2)  # state at the end of 2025, a year after the closures
    s = m.schools
    limit = m.scenario.access.commute_limit_min.primary
    needs = restore_needs(m, RestoreSelector(min_far_pupils=1), 3, limit)
    assert needs, "closing the largest village schools leaves some young pupils far from school"
    far = [n.far_pupils for n in needs]
    assert far == sorted(far, reverse=True) and min(far) >= 1
    assert all(s.status[n.school] == CLOSED for n in needs)
    assert len({n.settlement for n in needs}) == len(needs)  # one school per settlement
    chosen = {n.school for n in needs}
    c = m.children
    young = (c.status == ENROLLED) & (c.grade >= 1) & (c.grade <= 3)
    home = m.families.settlement[c.family]
    for school in np.flatnonzero(s.status == CLOSED):
        far_here = int((young & (home == s.settlement[school]) & (c.commute_min > limit)).sum())
        served = bool((s.serves(1) & (s.settlement == s.settlement[school])).any())
        if school not in chosen and s.tier[school] == 0:
            assert far_here == 0 or served
    # Ordered by mean commute instead: descending means.
    by_mean = restore_needs(m, RestoreSelector(min_far_pupils=1, order="mean_commute"), 3, limit)
    means = [n.mean_commute_min for n in by_mean]
    assert means == sorted(means, reverse=True) and {n.school for n in by_mean} == chosen
    # count caps the list, most needed first.
    first = restore_needs(m, RestoreSelector(min_far_pupils=1, count=1), 3, limit)
    assert [n.school for n in first] == [needs[0].school]


def test_nothing_is_restored_when_nobody_needs_a_school():
    m = _run([CLOSE, _restore(max_commute_min=600)])  # no young pupil travels ten hours
    assert _events(m, "school_restored") == []
    skipped = [e for e in _events(m, "plan_skipped") if "restore" in e[3]]
    assert len(skipped) == 1 and skipped[0][0] == 2026
    assert all(m.schools.status[e[2]] == CLOSED for e in _events(m, "school_closed"))


def test_restore_acts_after_the_block_ends_and_the_other_modes_do_not():
    m = _run([CLOSE, _restore()], **{"policies.consolidation.end_year": 2025,
                                     "policies.consolidation.rule": {"consecutive_years": 1},
                                     "policies.consolidation.max_closures_per_year": 5})
    assert {e[0] for e in _events(m, "school_restored")} == {2026}
    assert max(e[0] for e in _events(m, "school_closed")) <= 2025
    assert max(e[0] for e in _events(m, "closure_scheduled")) <= 2025


def test_restored_school_refurbishment_is_charged():
    m = _run([CLOSE, _restore()], years=2)
    s = m.schools
    rooms = sum(int(s.classrooms[e[2]]) for e in _events(m, "school_restored"))
    cost = m.scenario.policies.consolidation.restore_classroom_cost_yuan
    assert m.counts.construction_yuan == pytest.approx(rooms * cost)  # the last year's (2026)


@pytest.mark.parametrize(("entry", "message"), [
    ({"colour": "red"}, r"unknown key 'policies\.consolidation\.plan\.0\.restore\.colour'"
                        r".*allowed keys here: action, year, select, as_level, grade_max"),
    ({"grade_max": 7}, r"grade_max.*less than or equal to 6"),
    ({"grade_max": 0}, r"grade_max.*greater than or equal to 1"),
    ({"grade_max": 6}, "a teaching point teaches at most grades 1-5"),
    ({"as_level": "primary", "grade_max": 4}, "a primary teaches grades 1-6"),
    ({"year": 2020}, r"plan\[0\]\.year = 2020: a plan entry must not be before the "
                     r"scenario's start_year 2024"),
    ({"select": {"count": 0}}, r"count.*greater than or equal to 1"),
    ({"select": {"levels": ["junior"]}}, r"levels"),
    ({"select": {"order": "smallest"}}, r"order"),
])
def test_bad_restore_entries_give_a_clear_error(entry, message):
    plan = [{"action": "restore", "year": 2026, **entry}]
    with pytest.raises(ScenarioError, match=message):
        sim.load_scenario("small_county", {"policies.consolidation.plan": plan})


def test_plan_entries_before_the_start_or_receiving_their_own_pupils_are_refused():
    with pytest.raises(ScenarioError,
                       match=r"plan\[0\]\.year = 1999: a plan entry must not be before"):
        sim.load_scenario("small_county", {"policies.consolidation.plan": [
            {"action": "close", "year": 1999, "school": "Village 0-1 Primary"}]})
    with pytest.raises(ScenarioError,
                       match=r"plan\[0\]\.receiving = 'A': a school cannot receive its own pupils"):
        sim.load_scenario("small_county", {"policies.consolidation.plan": [
            {"action": "close", "year": 2025, "school": "A", "receiving": "A"}]})


def _closed_schools(settlements, closed_years):
    """A school table of closed village teaching points with idle buildings."""
    s = Schools()
    s.add(len(settlements), settlement=settlements, level=TEACHING_POINT, status=CLOSED,
          closed_year=closed_years, building_use=layout.IDLE)
    return s


def test_needed_schools_on_a_hand_built_county():
    # Settlement 0: 3 young pupils, 2 far; settlement 1: 1 far of 1; settlement 2: none far.
    young = YoungPupils(home=np.array([0, 0, 0, 1, 2]), grade=np.array([1, 2, 2, 3, 1]),
                        commute_min=np.array([50.0, 45.0, 10.0, 70.0, 5.0]))
    # Two closed schools in settlement 0 (the one closed last counts), one in 1, one in 2.
    s = _closed_schools(np.array([0, 0, 1, 2]), np.array([2020, 2022, 2021, 2021]))
    needs = needed_schools(young, s, 3, RestoreSelector(min_far_pupils=1), limit_min=40)
    assert needs == [
        NeededSchool(school=1, settlement=0, far_pupils=2, young_pupils=3,
                     mean_commute_min=35.0, most_in_a_grade=2),
        NeededSchool(school=2, settlement=1, far_pupils=1, young_pupils=1,
                     mean_commute_min=70.0, most_in_a_grade=1),
    ]
    by_mean = needed_schools(young, s, 3, RestoreSelector(min_far_pupils=1, order="mean_commute"),
                             limit_min=40)
    assert [n.school for n in by_mean] == [2, 1]
    assert needed_schools(young, s, 3, RestoreSelector(min_far_pupils=2), limit_min=40) == needs[:1]


def test_a_settlement_with_an_open_grade_one_school_needs_none():
    young = YoungPupils(home=np.array([0, 0]), grade=np.array([1, 1]),
                        commute_min=np.array([90.0, 90.0]))
    s = _closed_schools(np.array([0]), np.array([2020]))
    s.add(1, settlement=0, level=PRIMARY, status=OPEN, grade_min=1, grade_max=6)
    assert needed_schools(young, s, 1, RestoreSelector(min_far_pupils=1), limit_min=40) == []


def test_a_restored_school_has_rooms_for_its_largest_grade():
    need = NeededSchool(school=0, settlement=0, far_pupils=5, young_pupils=60,
                        mean_commute_min=50.0, most_in_a_grade=30)
    assert need.classrooms(grade_max=3, class_cap=45) == 2  # ceil(30 x 3 / 45)
    small = NeededSchool(0, 0, 1, 1, 50.0, 1)
    assert small.classrooms(grade_max=3, class_cap=45) == 1
