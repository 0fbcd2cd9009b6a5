"""Schools: classes per grade, multigrade classes (复式班), staffing need and quality."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.state import (
    ENROLLED,
    GRADES,
    JUNIOR,
    OPEN,
    POOLS_PER_SCHOOL,
    PRIMARY_TOP_GRADE,
    on_duty,
)

# Class-size bands (facts.md): large 46-55, 大班额 56-65, 超大班额 66+.
BIG_CLASS, LARGE_CLASS, SUPERLARGE_CLASS = 46, 56, 66


@dataclass(frozen=True)
class ClassStructure:
    """The year's classes, per school (arrays of length n_schools unless noted).

    Attributes
    ----------
    pupils_by_grade : numpy.ndarray
        Shape (n_schools, GRADES + 1): enrolled pupils per grade; column 0 unused.
    classes : numpy.ndarray
        Classes taught.
    multigrade_classes : numpy.ndarray
        Classes mixing two or more grades (复式班).
    classes_primary : numpy.ndarray
        Classes of primary grades (a multigrade class counts with the stage of its grades).
    classes_junior : numpy.ndarray
        Classes of junior grades (likewise).
    large_classes : numpy.ndarray
        Classes of 56+ pupils (大班额).
    superlarge_classes : numpy.ndarray
        Classes of 66+ pupils (超大班额).
    pupils_over_cap : numpy.ndarray
        Pupils in classes above the standard cap (45 primary, 50 junior).
    big_classes : numpy.ndarray or None
        Classes of 46+ pupils (the "large" band 46-55 and above); None when not computed.
    pupils : numpy.ndarray
        Enrolled pupils per school (read only).
    """

    pupils_by_grade: np.ndarray
    classes: np.ndarray
    multigrade_classes: np.ndarray
    classes_primary: np.ndarray
    classes_junior: np.ndarray
    large_classes: np.ndarray
    superlarge_classes: np.ndarray
    pupils_over_cap: np.ndarray
    big_classes: np.ndarray | None = None

    @property
    def pupils(self) -> np.ndarray:
        """Enrolled pupils per school: ``pupils_by_grade`` summed over the grades."""
        return self.pupils_by_grade.sum(axis=1)


def pupils_by_grade(model) -> np.ndarray:
    """Count the enrolled pupils of each school and grade.

    Parameters
    ----------
    model : EducationModel
        The model.

    Returns
    -------
    numpy.ndarray
        Shape (n_schools, GRADES + 1): enrolled pupils; column 0 unused.
    """
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    pools = c.school[enrolled].astype(np.int64) * POOLS_PER_SCHOOL + c.grade[enrolled]
    counts = np.bincount(pools, minlength=model.schools.n * POOLS_PER_SCHOOL)
    return counts.reshape(model.schools.n, POOLS_PER_SCHOOL)


def class_structure(model) -> ClassStructure:
    """Form classes from this year's enrolment.

    Small adjacent grades share a class while their total stays within
    ``schools.multigrade_max``; other grades are split evenly into classes of at most the cap,
    limited by the classrooms of that grade (then classes grow beyond the cap, past 65 when
    catchment pupils admitted by right need it: nothing bounds a class's size here).

    Parameters
    ----------
    model : EducationModel
        The model, after placement.

    Returns
    -------
    ClassStructure
        The classes of every school.
    """
    scn, s = model.scenario, model.schools
    p = pupils_by_grade(model)
    n = s.n
    cap = np.array(
        [scn.schools.class_cap.primary] * (PRIMARY_TOP_GRADE + 1)
        + [scn.schools.class_cap.junior] * (GRADES - PRIMARY_TOP_GRADE)
    )
    rooms = np.maximum(np.ceil(s.classrooms / s.grades_served()), 1).astype(np.int64)
    mg_max = scn.schools.multigrade_max
    classes = np.zeros(n, np.int64)
    multigrade = np.zeros(n, np.int64)
    by_stage = np.zeros((n, 2), np.int64)
    big = np.zeros(n, np.int64)
    large = np.zeros(n, np.int64)
    superlarge = np.zeros(n, np.int64)
    over_cap = np.zeros(n, np.int64)
    group_total = np.zeros(n, np.int64)
    group_grades = np.zeros(n, np.int64)
    group_stage = np.zeros(n, np.int64)

    def close(mask):
        classes[mask] += 1
        multigrade[mask & (group_grades >= 2)] += 1
        np.add.at(by_stage, (np.flatnonzero(mask), group_stage[mask]), 1)

    for g in range(1, GRADES + 1):
        pg = p[:, g]
        stage = int(g > PRIMARY_TOP_GRADE)
        small = (pg > 0) & (pg <= mg_max)
        # Groups never mix primary and junior grades.
        join = small & (group_grades > 0) & (group_total + pg <= mg_max) & (group_stage == stage)
        close((group_grades > 0) & ~join)
        group_total = np.where(join, group_total + pg, np.where(small, pg, 0))
        group_grades = np.where(join, group_grades + 1, small.astype(np.int64))
        group_stage = np.where(small, stage, group_stage)
        whole = pg > mg_max
        c_g = np.where(whole, np.minimum(np.ceil(pg / cap[g]).astype(np.int64), rooms), 0)
        c_g = np.where(whole, np.maximum(c_g, 1), 0)
        classes += c_g
        by_stage[:, stage] += c_g
        safe = np.maximum(c_g, 1)
        base, extra = pg // safe, pg % safe  # `extra` classes hold base + 1 pupils
        for threshold, out in ((BIG_CLASS, big), (LARGE_CLASS, large),
                               (SUPERLARGE_CLASS, superlarge)):
            out += np.where(
                whole, np.where(base >= threshold, c_g,
                                np.where(base + 1 >= threshold, extra, 0)), 0
            )
        over_cap += np.where(
            whole & (base + (extra > 0) > cap[g]),
            np.where(base > cap[g], pg, extra * (base + 1)), 0
        )
    close(group_grades > 0)
    return ClassStructure(
        p, classes, multigrade, by_stage[:, 0], by_stage[:, 1], large, superlarge, over_cap, big
    )


def staffing_need(model, cs: ClassStructure) -> np.ndarray:
    """Teachers each school needs under the 2014 unified standard (DESIGN §5).

    max(ceil(pupils / PTR), ceil(classes x CTR)) per stage, summed over the stages it teaches.

    Parameters
    ----------
    model : EducationModel
        The model.
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    numpy.ndarray
        Teachers needed per school (int); 0 for empty schools and schools not open.
    """
    return staffing_need_by_stage(model, cs).sum(axis=1)


def staffing_need_by_stage(model, cs: ClassStructure) -> np.ndarray:
    """Teachers each school needs for its primary and its junior grades (see staffing_need).

    Parameters
    ----------
    model : EducationModel
        The model.
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    numpy.ndarray
        Shape (n_schools, 2), int: need for primary (column 0) and junior (column 1) grades;
        0 for schools not open.
    """
    t = model.scenario.teachers
    primary = cs.pupils_by_grade[:, 1 : PRIMARY_TOP_GRADE + 1].sum(axis=1)
    junior = cs.pupils_by_grade[:, PRIMARY_TOP_GRADE + 1 :].sum(axis=1)
    need_p = np.maximum(
        np.ceil(primary / t.pupil_teacher_ratio.primary),
        np.ceil(cs.classes_primary * t.class_teacher_ratio.primary),
    )
    need_j = np.maximum(
        np.ceil(junior / t.pupil_teacher_ratio.junior),
        np.ceil(cs.classes_junior * t.class_teacher_ratio.junior),
    )
    need = np.stack([need_p, need_j], axis=1).astype(np.int64)
    return np.where((model.schools.status == OPEN)[:, None], need, 0)


def teacher_counts(model) -> tuple[np.ndarray, np.ndarray]:
    """Count the teachers on duty at each school and their mean skill.

    Parameters
    ----------
    model : EducationModel
        The model.

    Returns
    -------
    teachers : numpy.ndarray
        Active teachers (on duty: active or rotating in) per school.
    skill : numpy.ndarray
        Mean skill of those teachers, in [0, 1]; 0 where a school has none.
    """
    t = model.teachers
    active = on_duty(t)
    n = np.bincount(t.school[active], minlength=model.schools.n)
    skill = np.bincount(t.school[active], weights=t.skill[active], minlength=model.schools.n)
    return n, np.divide(skill, n, out=np.zeros(model.schools.n), where=n > 0)


def quality_target(model, cs: ClassStructure) -> np.ndarray:
    """Quality each school tends to, in [0, 1].

    A weighted mean of teacher skill, staffing against need, subject coverage (开齐开足; at
    least ``effects.coverage_floor``, which remote classrooms raise) and the share of pupils in
    classes within the cap, plus ``effects.quality_bonus`` (extra funding).

    Parameters
    ----------
    model : EducationModel
        The model.
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    numpy.ndarray
        The target quality per school, clipped to [0, 1].
    """
    q = model.scenario.quality
    s = model.schools
    teachers, skill = teacher_counts(model)
    need = staffing_need(model, cs)
    staffing = np.where(need > 0, np.minimum(teachers / np.maximum(need, 1), 1.0), 1.0)
    subjects = np.where(
        s.level == JUNIOR,
        q.subject_teachers.junior,
        np.where(
            s.grade_max > PRIMARY_TOP_GRADE, q.subject_teachers.junior, q.subject_teachers.primary
        ),
    )
    coverage = np.maximum(np.minimum(teachers / subjects, 1.0), model.effects.coverage_floor)
    pupils = cs.pupils
    within_cap = np.where(pupils > 0, 1.0 - cs.pupils_over_cap / np.maximum(pupils, 1), 1.0)
    weights = np.array([q.weight_skill, q.weight_staffing, q.weight_coverage, q.weight_class_size])
    parts = np.stack([skill, staffing, coverage, within_cap])
    target = (weights[:, None] * parts).sum(axis=0) / max(
        weights.sum(), 1e-12
    ) + model.effects.quality_bonus
    return np.clip(target, 0.0, 1.0)


def update_quality(model, cs: ClassStructure, *, immediate: bool = False) -> None:
    """Move each open school's quality a share ``quality.adjustment_rate`` toward its target.

    Parameters
    ----------
    model : EducationModel
        The model; the schools table's quality is changed in place.
    cs : ClassStructure
        The year's classes.
    immediate : bool, default False
        Whether quality jumps to its target at once (rate 1), as in the first year.
    """
    s = model.schools
    target = quality_target(model, cs)
    rate = 1.0 if immediate else model.scenario.quality.adjustment_rate
    open_ = s.status == OPEN
    s.quality[open_] = (s.quality + rate * (target - s.quality))[open_]
