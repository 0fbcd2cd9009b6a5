"""Teacher careers (sim.behaviour.teachers): staffing, attrition, hiring, reallocation, rotation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.behaviour import teachers as careers
from sim.behaviour.schools import GRADES, ClassStructure
from sim.state import (
    ACTIVE,
    CLOSED,
    COUNTY_TOWN_TIER,
    OPEN,
    RETIRED,
    ROTATING,
    TEACHER_LEFT,
    TOWNSHIP_TIER,
    VILLAGE_TIER,
    PolicyEffects,
    Schools,
    Teachers,
    YearCounts,
)

YEAR = 2030


@pytest.fixture(scope="module")
def scenario():
    # STR 19 / CTR 1.7 for primary; retirement at 60; hire age 24; 80% of vacancies filled a year
    return sim.load_scenario("small_county", ["years=1"])


def structure(pupils, classes):
    """Primary-only classes: ``pupils[i]`` pupils (all in grade 1) in ``classes[i]`` classes."""
    pupils, classes = np.asarray(pupils), np.asarray(classes)
    by_grade = np.zeros((pupils.size, GRADES + 1), np.int64)
    by_grade[:, 1] = pupils
    zero = np.zeros(pupils.size, np.int64)
    return ClassStructure(by_grade, classes, zero, classes, zero, zero, zero, zero)


# need: max(ceil(190 / 19), ceil(6 x 1.7)) = 11; max(2, ceil(3.4)) = 4; max(1, ceil(1.7)) = 2
CS = structure([190, 38, 19], [6, 2, 1])
NEED = [11, 4, 2]


def hand_model(scenario, staff=(13, 1, 0), quota=100, seed=0):
    """A county-town school (settlement 0), a township school (1 h away), a village school (2 h)."""
    schools = Schools()
    schools.add(3, settlement=[0, 1, 2], tier=[COUNTY_TOWN_TIER, TOWNSHIP_TIER, VILLAGE_TIER],
                grade_min=1, grade_max=6, classrooms=6, status=OPEN, quality=[0.7, 0.7, 0.5])
    teachers = Teachers()
    school = np.repeat(np.arange(3), staff)
    teachers.add(school.size, school=school, home_school=school, age=40, experience=10,
                 status=ACTIVE)
    minutes = np.array([[15, 60, 120], [60, 10, 60], [120, 60, 8]], np.float32)
    return SimpleNamespace(
        scenario=scenario, rng=np.random.default_rng(seed), schools=schools, teachers=teachers,
        effects=PolicyEffects(), counts=YearCounts(), year=YEAR, teacher_quota=quota,
        county_town=0, travel=SimpleNamespace(minutes=minutes),
        add_teacher_agents=lambda rows: None,
    )


# ---- staffing ------------------------------------------------------------------------------------


def test_initial_teachers_staff_every_school_at_its_need(scenario):
    model = hand_model(scenario, staff=(0, 0, 0))
    careers.initial_teachers(model, CS)
    t, cfg = model.teachers, scenario.teachers
    expected = np.round(np.array(NEED) * cfg.initial_staffing)
    np.testing.assert_array_equal(np.bincount(t.school, minlength=3), expected)
    assert (t.status == ACTIVE).all() and (t.home_school == t.school).all()
    assert ((t.age >= cfg.hire_age) & (t.age < cfg.retirement_age)).all()
    assert ((t.skill >= 0) & (t.skill <= 1)).all()
    assert model.teacher_quota == int(np.ceil(sum(NEED) * cfg.quota_factor))


def test_vacancies_are_need_less_teachers_on_duty(scenario):
    model = hand_model(scenario)  # 13, 1 and 0 teachers
    np.testing.assert_array_equal(careers.vacancies(model, CS), [0, 3, 2])
    model.teachers.status[0] = RETIRED  # one county-town teacher off duty: 12 still >= 11
    np.testing.assert_array_equal(careers.vacancies(model, CS), [0, 3, 2])


def test_hours_from_the_county_town(scenario):
    model = hand_model(scenario)
    hours = careers.hours_from_county_town(model, np.array([0, 1, 2]))
    np.testing.assert_allclose(hours, [0, 1, 2])


# ---- attrition -----------------------------------------------------------------------------------


def test_attrition_adds_hardship_in_remote_small_and_weak_schools(scenario):
    cfg = scenario.teachers
    model = hand_model(scenario)
    p = careers.attrition_probability(model, np.array([0, 1, 2]), CS.pupils)
    assert p[0] == pytest.approx(cfg.attrition_rate)  # big enough, good enough, in town
    rural = cfg.attrition_rate + cfg.rural_attrition_extra.primary
    township = rural + cfg.attrition_remote_per_hour + cfg.attrition_small_school
    assert p[1] == pytest.approx(township)
    village = (rural + 2 * cfg.attrition_remote_per_hour + cfg.attrition_small_school
               + cfg.attrition_low_quality * 0.2 / 0.7)
    assert p[2] == pytest.approx(village, rel=1e-5)


def test_a_rural_subsidy_scales_only_the_rural_hardship(scenario):
    model = hand_model(scenario)
    model.effects.rural_attrition_factor = 0.0
    p = careers.attrition_probability(model, np.array([0, 1, 2]), CS.pupils)
    np.testing.assert_allclose(p, scenario.teachers.attrition_rate)
    model.effects.rural_attrition_factor = 1e6
    p = careers.attrition_probability(model, np.array([0, 1, 2]), CS.pupils)
    assert p[0] == pytest.approx(scenario.teachers.attrition_rate) and (p[1:] == 1.0).all()


# ---- the yearly phase and hiring -----------------------------------------------------------------


def test_teachers_age_and_retire(scenario):
    model = hand_model(scenario, quota=0)
    t = model.teachers
    t.age[:3] = [59.5, 58.0, 30.0]
    skill = t.skill.copy()
    out = careers.teachers_phase(model, CS)
    assert t.status[0] == RETIRED and out["retired"] == 1
    np.testing.assert_allclose(t.age[:3], [60.5, 59.0, 31.0])
    np.testing.assert_allclose(t.experience[1:], 11.0)
    assert (t.skill[1:] > skill[1:]).all() and (t.skill <= 1).all()
    assert out["rural_at_start"] == 1 and out["hired"] == 0
    assert out["quit"] == int((t.status == TEACHER_LEFT).sum())


def test_hires_fill_a_share_of_vacancies_with_young_teachers(scenario):
    model = hand_model(scenario)
    model.effects.remote_refusal_factor = 0.0
    before = model.teachers.n
    hired = careers.hire(model, CS)
    assert hired == int(np.floor(5 * scenario.teachers.hire_share_of_vacancies)) == 4
    new = np.arange(before, model.teachers.n)
    t = model.teachers
    assert new.size == 4 and np.isin(t.school[new], [1, 2]).all()
    assert (np.bincount(t.school[new], minlength=3) <= [0, 3, 2]).all()
    assert (t.age[new] == scenario.teachers.hire_age).all() and (t.hired_year[new] == YEAR).all()
    assert (t.status[new] == ACTIVE).all() and (t.home_school[new] == t.school[new]).all()


def test_hiring_stays_within_the_county_quota(scenario):
    model = hand_model(scenario, quota=14 + 2)  # 14 on duty: room for 2
    model.effects.remote_refusal_factor = 0.0
    assert careers.hire(model, CS) == 2
    model = hand_model(scenario, quota=14)
    assert careers.hire(model, CS) == 0 and model.teachers.n == 14


def test_refused_remote_posts_stay_vacant_and_are_counted(scenario):
    model = hand_model(scenario)
    model.effects.remote_refusal_factor = 1e6  # every rural post refused
    assert careers.hire(model, CS) == 0
    assert model.counts.hires_refused == 4 and model.teachers.n == 14


# ---- county reallocation and rotation ------------------------------------------------------------


def test_pick_per_group_takes_the_asked_number_of_each_group():
    groups = np.array([0, 1, 0, 2, 1, 0, 2, 2])
    picked = careers._pick_per_group(groups, np.array([2, 5, 0]), np.random.default_rng(3))
    assert len(set(picked.tolist())) == picked.size
    np.testing.assert_array_equal(np.bincount(groups[picked], minlength=3), [2, 2, 0])


@pytest.mark.parametrize("share, moved", [(1.0, 2), (0.5, 1), (0.0, 0)])
def test_reallocation_moves_surplus_teachers_to_vacancies(scenario, share, moved):
    model = hand_model(scenario)  # 13 teachers where 11 are needed: a surplus of 2
    assert careers.reallocate(model, CS, share) == moved
    t = model.teachers
    counts = np.bincount(t.school, minlength=3)
    assert counts[0] == 13 - moved and counts.sum() == 14
    assert counts[1] == 1 + moved  # the largest vacancy (3) first
    assert (t.home_school == t.school).all()  # the post moves with the teacher


def test_end_rotations_brings_teachers_home_or_keeps_them_where_home_closed(scenario):
    model = hand_model(scenario, staff=(2, 0, 1))
    t = model.teachers
    t.school[:2] = [2, 1]
    t.home_school[:2] = [0, 0]
    t.status[:2] = ROTATING
    t.rotation_until[:2] = [YEAR - 1, YEAR]  # the second one's term runs this year too
    assert careers.end_rotations(model) == 1
    assert (t.school[0], t.home_school[0], t.status[0], t.rotation_until[0]) == (0, 0, ACTIVE, -1)
    assert t.status[1] == ROTATING and t.school[1] == 1
    model.schools.status[0] = CLOSED
    model.year += 1
    assert careers.end_rotations(model) == 1
    assert (t.school[1], t.home_school[1], t.status[1]) == (1, 1, ACTIVE)  # home closed: stays


def test_rotation_sends_experienced_town_teachers_to_the_neediest_rural_schools(scenario):
    model = hand_model(scenario, staff=(10, 2, 0))
    cs = structure([190, 40, 19], [6, 2, 1])
    t = model.teachers
    t.experience[:10] = [1, 1, 10, 10, 10, 10, 10, 10, 10, 10]  # 8 eligible
    t.backbone[:10] = [True, False, True, False, False, False, False, False, False, False]
    sent = careers.start_rotations(model, cs, share=0.5, backbone_share=0.2, years=3,
                                   min_experience=5)
    assert sent == 4
    rotating = np.flatnonzero(t.status == ROTATING)
    assert rotating.size == 4 and (rotating >= 2).all() and rotating.max() < 10
    assert t.backbone[rotating].sum() >= 1
    assert (t.home_school[rotating] == 0).all() and (t.rotation_until[rotating] == YEAR + 2).all()
    # one at a time to the fewest teachers per pupil: village (0/19), township (2/40 < 1/19),
    # village (1/19 < 3/40), township (3/40 < 2/19)
    np.testing.assert_array_equal(np.bincount(t.school[rotating], minlength=3), [0, 2, 2])
    np.testing.assert_array_equal(np.bincount(t.school, minlength=3), [6, 4, 2])


def test_no_rotation_without_eligible_teachers(scenario):
    model = hand_model(scenario)
    sent = careers.start_rotations(model, CS, share=0.5, backbone_share=0.2, years=2,
                                   min_experience=20)
    assert sent == 0 and not (model.teachers.status == ROTATING).any()
