"""Teachers: initial staffing, ageing, retirement, attrition, staffing need and hiring."""

from __future__ import annotations

import numpy as np

from sim.behaviour.schools import ClassStructure, staffing_need, teacher_counts
from sim.state import ACTIVE, COUNTY_TOWN_TIER, RETIRED, TEACHER_LEFT, TOWNSHIP_TIER


def _new_teachers(model, school: np.ndarray, age: np.ndarray, skill_shift: np.ndarray) -> np.ndarray:
    """Append active teachers at ``school`` (rows) with the given ages (years)."""
    cfg, rng = model.scenario.teachers, model.rng
    skill = np.clip(rng.normal(cfg.skill_mean, cfg.skill_sd, school.size) + skill_shift, 0.0, 1.0)
    backbone = rng.random(school.size) < cfg.backbone_share * 2 * skill  # skilled teachers more often
    rows = model.teachers.add(
        school.size, school=school, home_school=school, age=age, experience=np.maximum(age - cfg.hire_age, 0),
        skill=skill, backbone=backbone, status=ACTIVE, hired_year=model.year,
    )
    model.add_teacher_agents(rows)
    return rows


def _tier_skill_shift(model, school: np.ndarray) -> np.ndarray:
    gap = model.scenario.teachers.skill_gap_town_village
    tier = model.schools.tier[school]
    return np.select([tier == COUNTY_TOWN_TIER, tier == TOWNSHIP_TIER], [gap / 2, 0.0], -gap / 2)


def initial_teachers(model, cs: ClassStructure) -> None:
    """Staff every open school at ``teachers.initial_staffing`` x its need; fix the county quota."""
    cfg, rng = model.scenario.teachers, model.rng
    need = staffing_need(model, cs)
    count = np.round(need * cfg.initial_staffing).astype(np.int64)
    school = np.repeat(np.arange(model.schools.n), count).astype(np.int32)
    age = np.clip(rng.normal(cfg.age_mean, cfg.age_sd, school.size), cfg.hire_age, cfg.retirement_age - 1)
    _new_teachers(model, school, age, _tier_skill_shift(model, school))
    model.teacher_quota = int(np.ceil(need.sum() * cfg.quota_factor))


def hours_from_county_town(model, school: np.ndarray) -> np.ndarray:
    """Travel time from the county town to each school's settlement (hours)."""
    town = model.county_town
    here = model.schools.settlement[school]
    return np.where(here == town, 0.0, model.travel.minutes[town, here] / 60.0)


def attrition_probability(model, school: np.ndarray, pupils: np.ndarray) -> np.ndarray:
    """Yearly chance that a teacher at ``school`` quits: the base rate, plus a rural extra,
    plus terms rising with remoteness (per hour from the county town), in small schools
    (under ``small_school_pupils``) and in low-quality schools (linear below quality 0.7)."""
    cfg = model.scenario.teachers
    s = model.schools
    rural = s.tier[school] != COUNTY_TOWN_TIER
    junior = s.grade_max[school] > 6
    extra = np.where(junior, cfg.rural_attrition_extra.junior, cfg.rural_attrition_extra.primary)
    p = (cfg.attrition_rate + rural * extra
         + cfg.attrition_remote_per_hour * hours_from_county_town(model, school)
         + cfg.attrition_small_school * (pupils[school] < cfg.small_school_pupils)
         + cfg.attrition_low_quality * np.clip((0.7 - s.quality[school]) / 0.7, 0.0, 1.0))
    return np.clip(p, 0.0, 1.0)


def teachers_phase(model, cs: ClassStructure) -> dict[str, int]:
    """One year of teacher careers. Returns counts: retired, quit, quit_rural, rural_at_start, hired."""
    cfg, rng, t = model.scenario.teachers, model.rng, model.teachers
    active = np.flatnonzero(t.status == ACTIVE)
    rural_at_start = int((model.schools.tier[t.school[active]] != COUNTY_TOWN_TIER).sum())
    t.age[active] += 1
    t.experience[active] += 1
    t.skill[active] = np.minimum(t.skill[active] + cfg.skill_gain_per_year * (1 - t.skill[active]), 1.0)
    retire = active[t.age[active] >= cfg.retirement_age]
    t.status[retire] = RETIRED
    staying = active[t.age[active] < cfg.retirement_age]
    p_quit = attrition_probability(model, t.school[staying], cs.pupils)
    quit_ = staying[rng.random(staying.size) < p_quit]
    t.status[quit_] = TEACHER_LEFT
    quit_rural = int((model.schools.tier[t.school[quit_]] != COUNTY_TOWN_TIER).sum())
    hired = hire(model, cs)
    return {"retired": int(retire.size), "quit": int(quit_.size), "quit_rural": quit_rural,
            "rural_at_start": rural_at_start, "hired": hired}


def vacancies(model, cs: ClassStructure) -> np.ndarray:
    """Unfilled posts per school: need minus active teachers, at least 0."""
    teachers, _ = teacher_counts(model)
    return np.maximum(staffing_need(model, cs) - teachers, 0)


def hire(model, cs: ClassStructure) -> int:
    """Fill a share of vacancies within the county quota; each hire goes to a vacancy drawn at
    random among all vacancies (so larger gaps get more hires), and may refuse a village or
    township post with chance ``refusal_remote_per_hour`` x hours from the county town (the
    post stays vacant). Returns the number hired."""
    cfg, rng = model.scenario.teachers, model.rng
    gaps = vacancies(model, cs)
    active = int((model.teachers.status == ACTIVE).sum())
    n = min(int(np.floor(gaps.sum() * cfg.hire_share_of_vacancies)), max(model.teacher_quota - active, 0))
    if n <= 0:
        return 0
    slots = np.repeat(np.arange(model.schools.n), gaps)
    school = rng.choice(slots, size=n, replace=False).astype(np.int32)
    refuse = rng.random(n) < np.clip(cfg.refusal_remote_per_hour * hours_from_county_town(model, school), 0, 1)
    model.counters["hires_refused"] += int(refuse.sum())
    school = school[~refuse]
    n = int(school.size)
    _new_teachers(model, school, np.full(n, cfg.hire_age, dtype=np.float32), _tier_skill_shift(model, school) - 0.05)
    return n



