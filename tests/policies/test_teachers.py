"""Teacher policy: subsidy, rotation, county reallocation (issue: people and town policies)."""

from __future__ import annotations

import numpy as np

import sim
from sim.model import EducationModel
from sim.state import ROTATING, on_duty

SEEDS = (0, 1, 2)
NO_TOOLS = {"reallocation": False, "rotation_share": 0.0, "rural_subsidy_yuan_per_month": 0.0}


def mean_over(overrides: dict, metric: str, years: int = 10) -> float:
    values = []
    for seed in SEEDS:
        r = sim.run(sim.load_scenario("small_county", {**overrides, "years": years}), seed=seed)
        values.append(r.county[metric].mean())
    return float(np.mean(values))


def teachers_block(**fields) -> dict:
    return {"policies.teachers": {**NO_TOOLS, **fields}}


def test_rural_subsidy_lowers_rural_teacher_attrition():
    without = mean_over(teachers_block(), "rural_teacher_attrition")
    with_subsidy = mean_over(teachers_block(rural_subsidy_yuan_per_month=400),
                             "rural_teacher_attrition")
    assert with_subsidy < without - 0.01, (with_subsidy, without)


def test_rotation_raises_the_quality_of_rural_schools():
    """交流轮岗 sends experienced and backbone county-town teachers to the rural schools with the
    fewest teachers per pupil: their quality rises. (The staffing CV is no test of it: the
    teachers leave crowded county-town schools, so it moves either way from seed to seed.)"""
    without = mean_over(teachers_block(), "quality_rural")
    rotating = mean_over(teachers_block(rotation_share=0.1), "quality_rural")
    assert rotating > without + 0.002, (rotating, without)


def test_rotation_sends_backbone_teachers_for_a_term_and_brings_them_back():
    scenario = sim.load_scenario("small_county", {"policies.teachers": {
        **NO_TOOLS, "rotation_share": 0.2, "rotation_years": 2}})
    model = EducationModel(scenario, seed=4)
    model.step()
    t, s = model.teachers, model.schools
    rotating = np.flatnonzero(t.status == ROTATING)
    assert rotating.size > 0
    assert (s.tier[t.school[rotating]] != 2).all() and (s.tier[t.home_school[rotating]] == 2).all()
    assert t.backbone[rotating].mean() >= 0.2 - 1e-9  # backbone ≥ 20% of those rotated
    first = set(rotating.tolist())
    for _ in range(2):
        model.step()
    back = np.array(sorted(first))
    still = back[model.teachers.status[back] == ROTATING]
    assert still.size == 0 or (model.teachers.rotation_until[still] >= model.year).all()
    model.check()


def test_reallocation_moves_surplus_teachers_to_vacancies():
    from sim.behaviour import teachers as careers
    from sim.behaviour.schools import class_structure, staffing_need, teacher_counts

    model = EducationModel(sim.load_scenario("small_county"), seed=2)
    cs = class_structure(model)
    # Create a surplus: move every teacher of one school to another school.
    t = model.teachers
    donor = int(np.argmax(staffing_need(model, cs)))
    receiver = int(np.argsort(staffing_need(model, cs))[-2])
    t.school[on_duty(t) & (t.school == receiver)] = donor
    before_gap = int(np.maximum(staffing_need(model, cs) - teacher_counts(model)[0], 0).sum())
    total_before = int(on_duty(t).sum())
    moved = careers.reallocate(model, cs, share=1.0)
    after_gap = int(np.maximum(staffing_need(model, cs) - teacher_counts(model)[0], 0).sum())
    assert moved > 0 and after_gap == before_gap - moved
    assert int(on_duty(t).sum()) == total_before  # nobody lost


def test_subsidy_cost_is_counted():
    base = sim.run(sim.load_scenario("small_county", {"years": 3, **teachers_block()}), seed=0)
    subsidy = teachers_block(rural_subsidy_yuan_per_month=400)
    paid = sim.run(sim.load_scenario("small_county", {"years": 3, **subsidy}), seed=0)
    assert (paid.county["cost_total"].iloc[0] - base.county["cost_total"].iloc[0]) > 0
