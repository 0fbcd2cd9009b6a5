"""Teachers: initial staffing, ageing, retirement, attrition, staffing need and hiring."""

from __future__ import annotations

import numpy as np

from sim.behaviour.schools import ClassStructure, staffing_need, teacher_counts
from sim.state import (
    ACTIVE,
    COUNTY_TOWN_TIER,
    OPEN,
    RETIRED,
    ROTATING,
    TEACHER_LEFT,
    TOWNSHIP_TIER,
    on_duty,
)


def _new_teachers(
    model, school: np.ndarray, age: np.ndarray, skill_shift: np.ndarray
) -> np.ndarray:
    """Append active teachers at ``school`` (rows) with the given ages (years)."""
    cfg, rng = model.scenario.teachers, model.rng
    skill = np.clip(rng.normal(cfg.skill_mean, cfg.skill_sd, school.size) + skill_shift, 0.0, 1.0)
    backbone = (
        rng.random(school.size) < cfg.backbone_share * 2 * skill
    )  # skilled teachers more often
    rows = model.teachers.add(
        school.size,
        school=school,
        home_school=school,
        age=age,
        experience=np.maximum(age - cfg.hire_age, 0),
        skill=skill,
        backbone=backbone,
        status=ACTIVE,
        hired_year=model.year,
    )
    model.add_teacher_agents(rows)
    return rows


def _tier_skill_shift(model, school: np.ndarray) -> np.ndarray:
    gap = model.scenario.teachers.skill_gap_town_village
    tier = model.schools.tier[school]
    return np.select([tier == COUNTY_TOWN_TIER, tier == TOWNSHIP_TIER], [gap / 2, 0.0], -gap / 2)


def initial_teachers(model, cs: ClassStructure) -> None:
    """Staff every open school at ``teachers.initial_staffing`` x its need; fix the county quota.

    Parameters
    ----------
    model : EducationModel
        The model, before the first step; its teachers table and ``teacher_quota`` are set.
    cs : ClassStructure
        The year's classes.
    """
    cfg, rng = model.scenario.teachers, model.rng
    need = staffing_need(model, cs)
    count = np.round(need * cfg.initial_staffing).astype(np.int64)
    school = np.repeat(np.arange(model.schools.n), count).astype(np.int32)
    age = np.clip(
        rng.normal(cfg.age_mean, cfg.age_sd, school.size), cfg.hire_age, cfg.retirement_age - 1
    )
    _new_teachers(model, school, age, _tier_skill_shift(model, school))
    model.teacher_quota = int(np.ceil(need.sum() * cfg.quota_factor))


def hours_from_county_town(model, school: np.ndarray) -> np.ndarray:
    """Travel time from the county town to each school's settlement (hours).

    Parameters
    ----------
    model : EducationModel
        The model.
    school : numpy.ndarray
        Schools-table row indices.

    Returns
    -------
    numpy.ndarray
        Hours per school (0 in the county town).
    """
    town = model.county_town
    here = model.schools.settlement[school]
    return np.where(here == town, 0.0, model.travel.minutes[town, here] / 60.0)


def attrition_probability(model, school: np.ndarray, pupils: np.ndarray) -> np.ndarray:
    """Yearly chance that a teacher at ``school`` quits.

    The base rate, plus a rural extra, plus terms rising with remoteness (per hour from the
    county town), in small schools (under ``small_school_pupils``) and in low-quality schools
    (linear below quality 0.7); the hardship terms of rural schools are multiplied by
    ``effects.rural_attrition_factor``.

    Parameters
    ----------
    model : EducationModel
        The model.
    school : numpy.ndarray
        The school of each teacher (schools-table row indices).
    pupils : numpy.ndarray
        Enrolled pupils per school (all schools, indexed by row).

    Returns
    -------
    numpy.ndarray
        The chance per teacher, in [0, 1].
    """
    cfg = model.scenario.teachers
    s = model.schools
    rural = s.tier[school] != COUNTY_TOWN_TIER
    junior = s.grade_max[school] > 6
    extra = np.where(junior, cfg.rural_attrition_extra.junior, cfg.rural_attrition_extra.primary)
    hardship = (
        rural * extra
        + cfg.attrition_remote_per_hour * hours_from_county_town(model, school)
        + cfg.attrition_small_school * (pupils[school] < cfg.small_school_pupils)
        + cfg.attrition_low_quality * np.clip((0.7 - s.quality[school]) / 0.7, 0.0, 1.0)
    )
    # A rural subsidy shrinks the hardship part outside the county town (effects are set by policy).
    factor = np.where(rural, model.effects.rural_attrition_factor, 1.0)
    return np.clip(cfg.attrition_rate + factor * hardship, 0.0, 1.0)


def teachers_phase(model, cs: ClassStructure) -> dict[str, int]:
    """One year of teacher careers: rotations ending, ageing, skill, retirement, attrition, hiring.

    Rotations whose term ended return home first (:func:`end_rotations`): a rotation ends
    with its term whether or not the teachers policy that started it is still in force (in
    force, the policy has already ended them in the calendar phase, and none is left here).

    Parameters
    ----------
    model : EducationModel
        The model; its teachers table is changed in place.
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    dict of str to int
        Teachers ``retired``, ``quit``, ``quit_rural`` (quit from village and township
        schools), ``rural_at_start`` (on duty in village and township schools before the year)
        and ``hired``.
    """
    cfg, rng, t = model.scenario.teachers, model.rng, model.teachers
    end_rotations(model)
    active = np.flatnonzero(on_duty(t))
    rural_at_start = int((model.schools.tier[t.school[active]] != COUNTY_TOWN_TIER).sum())
    t.age[active] += 1
    t.experience[active] += 1
    t.skill[active] = np.minimum(
        t.skill[active] + cfg.skill_gain_per_year * (1 - t.skill[active]), 1.0
    )
    retire = active[t.age[active] >= cfg.retirement_age]
    t.status[retire] = RETIRED
    staying = active[t.age[active] < cfg.retirement_age]
    p_quit = attrition_probability(model, t.school[staying], cs.pupils)
    quit_ = staying[rng.random(staying.size) < p_quit]
    t.status[quit_] = TEACHER_LEFT
    quit_rural = int((model.schools.tier[t.school[quit_]] != COUNTY_TOWN_TIER).sum())
    hired = hire(model, cs)
    return {
        "retired": int(retire.size),
        "quit": int(quit_.size),
        "quit_rural": quit_rural,
        "rural_at_start": rural_at_start,
        "hired": hired,
    }


def vacancies(model, cs: ClassStructure) -> np.ndarray:
    """Unfilled posts per school: need minus active teachers, at least 0.

    Parameters
    ----------
    model : EducationModel
        The model.
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    numpy.ndarray
        Vacancies per school (int).
    """
    teachers, _ = teacher_counts(model)
    return np.maximum(staffing_need(model, cs) - teachers, 0)


def hire(model, cs: ClassStructure) -> int:
    """Fill a share of vacancies within the county quota.

    Each hire goes to a vacancy drawn at random among all vacancies (so larger gaps get more
    hires), and may refuse a village or township post with chance ``refusal_remote_per_hour`` x
    hours from the county town (the post stays vacant).

    Parameters
    ----------
    model : EducationModel
        The model; its teachers table and the year's count of refused hires are changed.
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    int
        The number of teachers hired.
    """
    cfg, rng = model.scenario.teachers, model.rng
    gaps = vacancies(model, cs)
    active = int(on_duty(model.teachers).sum())
    n = min(
        int(np.floor(gaps.sum() * cfg.hire_share_of_vacancies)),
        max(model.teacher_quota - active, 0),
    )
    if n <= 0:
        return 0
    slots = np.repeat(np.arange(model.schools.n), gaps)
    school = rng.choice(slots, size=n, replace=False).astype(np.int32)
    p_refuse = (
        cfg.refusal_remote_per_hour
        * model.effects.remote_refusal_factor
        * hours_from_county_town(model, school)
    )
    refuse = rng.random(n) < np.clip(p_refuse, 0, 1)
    model.counts.hires_refused += int(refuse.sum())
    school = school[~refuse]
    n = int(school.size)
    _new_teachers(
        model,
        school,
        np.full(n, cfg.hire_age, dtype=np.float32),
        _tier_skill_shift(model, school) - 0.05,
    )
    return n


def _pick_per_group(groups: np.ndarray, counts: np.ndarray, rng) -> np.ndarray:
    """Indices into ``groups`` choosing ``counts[g]`` random members of each group g."""
    order = np.lexsort((rng.random(groups.size), groups))
    sorted_groups = groups[order]
    start = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.arange(groups.size) - start
    return order[rank < counts[sorted_groups]]


def reallocate(model, cs: ClassStructure, share: float) -> int:
    """County-held posts (县管校聘): move surplus teachers to schools with vacancies.

    Up to ``share`` of each school's surplus teachers (teachers over need) move, to the largest
    vacancies first.

    Parameters
    ----------
    model : EducationModel
        The model; its teachers table is changed in place.
    cs : ClassStructure
        The year's classes.
    share : float
        Share of each school's surplus that may move, in [0, 1].

    Returns
    -------
    int
        The number of teachers moved.
    """
    t, rng = model.teachers, model.rng
    teachers, _ = teacher_counts(model)
    need = staffing_need(model, cs)
    surplus = np.floor(np.maximum(teachers - need, 0) * share).astype(np.int64)
    gaps = np.maximum(need - teachers, 0)
    movable = np.flatnonzero((t.status == ACTIVE) & (surplus[t.school] > 0))
    chosen = movable[_pick_per_group(t.school[movable], surplus, rng)]
    slots = np.repeat(np.arange(model.schools.n), gaps)
    slots = slots[np.argsort(-gaps[slots], kind="stable")]
    n = min(chosen.size, slots.size)
    movers = rng.permutation(chosen)[:n]
    t.school[movers] = slots[:n]
    t.home_school[movers] = slots[:n]
    return int(n)


def end_rotations(model) -> int:
    """Rotating teachers whose term ended go back to their home school (or stay, if it closed).

    Parameters
    ----------
    model : EducationModel
        The model; its teachers table is changed in place.

    Returns
    -------
    int
        The number of rotations ended.
    """
    t, s = model.teachers, model.schools
    done = np.flatnonzero((t.status == ROTATING) & (t.rotation_until < model.year))
    home = t.home_school[done]
    back = s.status[home] == OPEN
    t.school[done[back]] = home[back]
    t.home_school[done[~back]] = t.school[done[~back]]
    t.status[done] = ACTIVE
    t.rotation_until[done] = -1
    return int(done.size)


def start_rotations(
    model,
    cs: ClassStructure,
    share: float,
    backbone_share: float,
    years: int,
    min_experience: float,
) -> int:
    """交流轮岗: send county-town teachers to village and township schools for some years.

    ``share`` of eligible county-town teachers (experience ≥ ``min_experience`` years) go for
    ``years`` years, at least ``backbone_share`` of them backbone teachers; hosts are the rural
    schools with the fewest teachers per pupil (the staffing measure of the 优质均衡 standard),
    one teacher each in turn.

    Parameters
    ----------
    model : EducationModel
        The model; its teachers table is changed in place.
    cs : ClassStructure
        The year's classes.
    share : float
        Share of the eligible county-town teachers sent, in [0, 1].
    backbone_share : float
        Least share of backbone teachers (骨干) among those sent, in [0, 1].
    years : int
        Length of a rotation (years).
    min_experience : float
        Teaching experience a teacher needs to be sent (years).

    Returns
    -------
    int
        The number of teachers sent.
    """
    t, s, rng = model.teachers, model.schools, model.rng
    eligible = np.flatnonzero(
        (t.status == ACTIVE)
        & (s.tier[t.school] == COUNTY_TOWN_TIER)
        & (t.experience >= min_experience)
    )
    n = int(round(share * eligible.size))
    if n == 0:
        return 0
    backbone = eligible[t.backbone[eligible]]
    others = eligible[~t.backbone[eligible]]
    n_backbone = min(int(np.ceil(backbone_share * n)), backbone.size)
    sent = np.concatenate(
        [rng.permutation(backbone)[:n_backbone], rng.permutation(others)[: n - n_backbone]]
    )
    teachers, _ = teacher_counts(model)
    pupils = cs.pupils
    rural = np.flatnonzero((s.status == OPEN) & (s.tier != COUNTY_TOWN_TIER) & (pupils > 0))
    if rural.size == 0 or sent.size == 0:
        return 0
    # Water-filling: each teacher in turn goes to the rural school with the fewest teachers per
    # pupil so far (a few dozen teachers a year, so a plain loop is clearest).
    staff = teachers[rural].astype(float)
    host = np.empty(sent.size, dtype=np.int64)
    for i in range(sent.size):
        j = int(np.argmin(staff / pupils[rural]))
        host[i] = rural[j]
        staff[j] += 1
    t.home_school[sent] = t.school[sent]
    t.school[sent] = host
    t.status[sent] = ROTATING
    t.rotation_until[sent] = model.year + years - 1
    return int(sent.size)
