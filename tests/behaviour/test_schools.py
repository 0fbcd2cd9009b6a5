"""Schools (sim.behaviour.schools): classes, multigrade classes, staffing need and quality."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.behaviour import schools as sch
from sim.state import (
    CLOSED,
    ENROLLED,
    JUNIOR,
    NINE_YEAR,
    OPEN,
    PRESCHOOL,
    PRIMARY,
    RETIRED,
    Children,
    PolicyEffects,
    Schools,
    Teachers,
)


@pytest.fixture(scope="module")
def scenario():
    # class caps 45 (primary) / 50 (junior), multigrade_max 25; STR 19 / 13.5, CTR 1.7 / 3.0
    scn = sim.load_scenario("small_county", ["years=1"])
    assert (scn.schools.class_cap.primary, scn.schools.class_cap.junior) == (45, 50)
    assert scn.schools.multigrade_max == 25
    return scn


def one_school(scenario, by_grade, classrooms=6, grade_min=1, grade_max=6, level=PRIMARY,
               status=OPEN, teachers=()):
    """A model with one school holding ``by_grade[g - 1]`` enrolled pupils in grade g."""
    return hand_model(scenario, [dict(by_grade=by_grade, classrooms=classrooms, grade_min=grade_min,
                                      grade_max=grade_max, level=level, status=status,
                                      teachers=teachers)])


def hand_model(scenario, specs):
    schools, children, teachers = Schools(), Children(), Teachers()
    for i, spec in enumerate(specs):
        schools.add(1, classrooms=spec["classrooms"], grade_min=spec["grade_min"],
                    grade_max=spec["grade_max"], level=spec["level"], status=spec["status"])
        schools.name.append(f"S{i}")
        for g, count in enumerate(spec["by_grade"], start=1):
            children.add(count, school=i, grade=g, status=ENROLLED)
        skills = list(spec["teachers"])
        teachers.add(len(skills), school=i, skill=skills)
    return SimpleNamespace(scenario=scenario, schools=schools, children=children, teachers=teachers,
                           effects=PolicyEffects())


def counts(cs):
    return {k: int(getattr(cs, k)[0]) for k in ("classes", "multigrade_classes", "classes_primary",
                                                 "classes_junior", "large_classes",
                                                 "superlarge_classes", "pupils_over_cap")}


# ---- pupils and classes ------------------------------------------------------------------------


def test_pupils_by_grade_counts_enrolled_pupils_only(scenario):
    model = one_school(scenario, [3, 0, 5, 0, 0, 2])
    model.children.add(4, school=0, grade=1, status=PRESCHOOL)
    p = sch.pupils_by_grade(model)
    assert p.shape == (1, 10)
    np.testing.assert_array_equal(p[0], [0, 3, 0, 5, 0, 0, 2, 0, 0, 0])


def test_small_adjacent_grades_share_multigrade_classes(scenario):
    # grades 1-3 (5 + 6 + 7 = 18 <= 25) share a class; an empty grade 4 ends the group;
    # grades 5-6 (10 + 3) share another
    cs = sch.class_structure(one_school(scenario, [5, 6, 7, 0, 10, 3]))
    assert counts(cs) == dict(classes=2, multigrade_classes=2, classes_primary=2, classes_junior=0,
                              large_classes=0, superlarge_classes=0, pupils_over_cap=0)
    assert cs.pupils[0] == 31


def test_a_group_closes_when_the_next_grade_would_exceed_multigrade_max(scenario):
    # 20 + 10 > 25: grade 1 alone (not multigrade), grades 2-3 (10 + 15 = 25) together
    cs = sch.class_structure(one_school(scenario, [20, 10, 15, 0, 0, 0]))
    assert counts(cs)["classes"] == 2 and counts(cs)["multigrade_classes"] == 1


def test_a_small_grade_alone_is_one_plain_class(scenario):
    cs = sch.class_structure(one_school(scenario, [25, 0, 0, 0, 0, 0]))
    assert counts(cs)["classes"] == 1 and counts(cs)["multigrade_classes"] == 0


def test_multigrade_classes_never_mix_primary_and_junior(scenario):
    by_grade = [0, 0, 0, 0, 0, 5, 5, 0, 0]
    model = one_school(scenario, by_grade, classrooms=9, grade_max=9, level=NINE_YEAR)
    cs = sch.class_structure(model)
    c = counts(cs)
    assert (c["classes"], c["multigrade_classes"]) == (2, 0)
    assert (c["classes_primary"], c["classes_junior"]) == (1, 1)


def test_large_grades_split_evenly_up_to_the_cap(scenario):
    # 18 rooms over 6 grades = 3 a grade: 100 pupils in 3 classes of 34, 33, 33
    cs = sch.class_structure(one_school(scenario, [100, 0, 0, 0, 0, 0], classrooms=18))
    assert counts(cs) == dict(classes=3, multigrade_classes=0, classes_primary=3, classes_junior=0,
                              large_classes=0, superlarge_classes=0, pupils_over_cap=0)


def test_classes_bounded_by_classrooms_grow_beyond_the_cap(scenario):
    # 1 room a grade: 100 pupils would need 3 classes of 45 but sit in one class of 100
    c = counts(sch.class_structure(one_school(scenario, [100, 0, 0, 0, 0, 0])))
    assert c["classes"] == 1 and c["pupils_over_cap"] == 100
    assert (c["large_classes"], c["superlarge_classes"]) == (1, 1)


@pytest.mark.parametrize("pupils, large, superlarge, over_cap", [
    (120, 2, 0, 120),  # 60 + 60: large (56+), not superlarge (66+)
    (131, 2, 1, 131),  # 66 + 65: one superlarge
    (111, 1, 0, 111),  # 56 + 55: one large
    (91, 0, 0, 46),    # 46 + 45: only the pupils of the class above the cap of 45
    (90, 0, 0, 0),     # 45 + 45
])
def test_large_and_superlarge_classes(scenario, pupils, large, superlarge, over_cap):
    c = counts(sch.class_structure(one_school(scenario, [pupils, 0, 0, 0, 0, 0], classrooms=12)))
    assert c["classes"] == 2
    assert (c["large_classes"], c["superlarge_classes"]) == (large, superlarge)
    assert c["pupils_over_cap"] == over_cap


def test_junior_grades_use_the_junior_cap(scenario):
    # 3 rooms over grades 7-9 = 1 a grade; 50 pupils fit the junior cap of 50, 51 do not
    cs = sch.class_structure(one_school(scenario, [0] * 6 + [50, 51, 0], classrooms=3, grade_min=7,
                                        grade_max=9, level=JUNIOR))
    c = counts(cs)
    assert (c["classes"], c["classes_junior"], c["classes_primary"]) == (2, 2, 0)
    assert c["pupils_over_cap"] == 51


def test_class_structure_is_per_school(scenario):
    spec = dict(classrooms=6, grade_min=1, grade_max=6, level=PRIMARY, status=OPEN, teachers=())
    model = hand_model(scenario, [dict(spec, by_grade=[5, 5, 0, 0, 0, 0]),
                                  dict(spec, by_grade=[0, 0, 0, 0, 0, 0]),
                                  dict(spec, by_grade=[30, 30, 30, 30, 30, 30])])
    cs = sch.class_structure(model)
    np.testing.assert_array_equal(cs.classes, [1, 0, 6])
    np.testing.assert_array_equal(cs.multigrade_classes, [1, 0, 0])
    np.testing.assert_array_equal(cs.pupils, [10, 0, 180])


# ---- staffing need -----------------------------------------------------------------------------


def test_staffing_need_is_the_larger_of_pupil_and_class_ratios(scenario):
    # 100 pupils in 6 classes: max(ceil(100 / 19) = 6, ceil(6 x 1.7) = 11) = 11
    model = one_school(scenario, [17, 17, 17, 17, 16, 16])
    cs = sch.class_structure(model)
    assert cs.classes[0] == 6
    np.testing.assert_array_equal(sch.staffing_need(model, cs), [11])


def test_staffing_need_by_pupils_in_a_big_school(scenario):
    # 12 classes of 45: max(ceil(540 / 19) = 29, ceil(12 x 1.7) = 21) = 29
    model = one_school(scenario, [90] * 6, classrooms=12)
    cs = sch.class_structure(model)
    assert cs.classes[0] == 12
    np.testing.assert_array_equal(sch.staffing_need(model, cs), [29])


def test_staffing_need_sums_the_stages_of_a_nine_year_school(scenario):
    # primary 180 pupils in 6 classes of 30: max(ceil(180 / 19) = 10, ceil(6 x 1.7) = 11) = 11;
    # junior 150 in 3 classes of 50: max(ceil(150 / 13.5) = 12, 3 x 3 = 9) = 12
    model = one_school(scenario, [30] * 6 + [50] * 3, classrooms=9, grade_max=9, level=NINE_YEAR)
    cs = sch.class_structure(model)
    assert (cs.classes_primary[0], cs.classes_junior[0]) == (6, 3)
    np.testing.assert_array_equal(sch.staffing_need(model, cs), [23])


def test_empty_and_closed_schools_need_no_teachers(scenario):
    model = one_school(scenario, [0] * 6)
    np.testing.assert_array_equal(sch.staffing_need(model, sch.class_structure(model)), [0])
    model = one_school(scenario, [30] * 6)
    cs = sch.class_structure(model)
    model.schools.status[0] = CLOSED
    np.testing.assert_array_equal(sch.staffing_need(model, cs), [0])


# ---- teachers and quality ----------------------------------------------------------------------


def test_teacher_counts_count_teachers_on_duty(scenario):
    model = one_school(scenario, [10] * 6, teachers=[0.2, 0.6, 1.0])
    model.teachers.status[2] = RETIRED
    n, skill = sch.teacher_counts(model)
    np.testing.assert_array_equal(n, [2])
    assert skill[0] == pytest.approx(0.4)


def test_quality_target_is_bounded(scenario):
    model = one_school(scenario, [10] * 6, teachers=[1.0] * 11)
    cs = sch.class_structure(model)
    for bonus in (-5.0, 0.0, 5.0):
        model.effects.quality_bonus = bonus
        target = sch.quality_target(model, cs)
        assert ((target >= 0) & (target <= 1)).all()
    model.effects.quality_bonus = 5.0
    assert sch.quality_target(model, cs)[0] == 1.0
    model.effects.quality_bonus = -5.0
    assert sch.quality_target(model, cs)[0] == 0.0


def test_fully_staffed_skilled_school_within_the_cap_reaches_top_quality(scenario):
    model = one_school(scenario, [10] * 6, teachers=[1.0] * 11)
    cs = sch.class_structure(model)
    assert sch.quality_target(model, cs)[0] == pytest.approx(1.0)
    unstaffed = one_school(scenario, [10] * 6)
    q = scenario.quality
    # no teachers: only the class-size part (all pupils within the cap) counts
    share = q.weight_class_size / (q.weight_skill + q.weight_staffing + q.weight_coverage
                                   + q.weight_class_size)
    assert sch.quality_target(unstaffed, sch.class_structure(unstaffed))[0] == pytest.approx(share)


def test_coverage_floor_raises_the_quality_of_a_school_without_teachers(scenario):
    model = one_school(scenario, [10] * 6)
    cs = sch.class_structure(model)
    low = sch.quality_target(model, cs)[0]
    model.effects.coverage_floor = 1.0
    assert sch.quality_target(model, cs)[0] > low


def test_update_quality_moves_open_schools_toward_the_target(scenario):
    spec = dict(classrooms=6, grade_min=1, grade_max=6, level=PRIMARY, by_grade=[10] * 6,
                teachers=[1.0] * 11)
    model = hand_model(scenario, [dict(spec, status=OPEN), dict(spec, status=CLOSED)])
    model.schools.quality[:] = 0.2
    cs = sch.class_structure(model)
    target = sch.quality_target(model, cs)[0]
    sch.update_quality(model, cs)
    rate = scenario.quality.adjustment_rate
    assert model.schools.quality[0] == pytest.approx(0.2 + rate * (target - 0.2), rel=1e-6)
    assert model.schools.quality[1] == pytest.approx(0.2)  # a closed school keeps its quality
    sch.update_quality(model, cs, immediate=True)
    assert model.schools.quality[0] == pytest.approx(target, rel=1e-6)


def test_nothing_caps_a_class_at_65_and_the_46_plus_band_is_counted(scenario):
    # 1 room a grade, 80 catchment pupils admitted by right: one class of 80 (超大班额)
    cs = sch.class_structure(one_school(scenario, [80, 50, 40, 0, 0, 0]))
    assert cs.classes[0] == 3
    assert (cs.superlarge_classes[0], cs.large_classes[0], cs.big_classes[0]) == (1, 1, 2)
