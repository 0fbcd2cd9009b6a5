"""Boarding policy: minimum grade, beds for need, expansions, young-boarder penalty, costs."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour.choice import boarding_rules, utility_terms
from sim.errors import ScenarioError
from sim.state import ENROLLED

SMALL = ["county.residents=30000", "county.townships=4", "county.villages=24",
         "county.area_km2=600"]
CENTRAL_BEDS = 'policies.boarding.tiers=["township","county_town"]'


def _fast(extra, years=4):
    return sim.load_scenario("consolidate_fast", [f"years={years}", *SMALL, *extra])


def test_boarding_lowers_dropouts_under_fast_consolidation():
    without = [sim.run(_fast([]), seed=s).county["dropouts"].sum() for s in range(3)]
    with_beds = [sim.run(_fast([CENTRAL_BEDS]), seed=s).county["dropouts"].sum()
                 for s in range(3)]
    assert np.mean(with_beds) < np.mean(without)


def test_grade_four_minimum_keeps_young_boarders_at_zero_even_under_fast_consolidation():
    # Families here would board their young children (a small boarding cost for primary pupils).
    willing = ["choice.beta_boarding.primary=0.3"]
    result = sim.run(_fast([CENTRAL_BEDS, "policies.boarding.min_grade=4", *willing]), seed=1,
                     check=True)
    assert (result.county["young_boarders"] == 0).all()
    assert result.county["boarders"].min() > 0
    # Letting grade 1 board under the same closures produces young boarders.
    lowered = sim.run(_fast([CENTRAL_BEDS, "policies.boarding.min_grade=1",
                             "policies.boarding.young_penalty=0", *willing]), seed=1)
    assert lowered.county["young_boarders"].sum() > 0


def test_boarding_rules_apply_only_while_the_policy_is_in_force():
    scenario = sim.load_scenario("small_county", [
        "years=5", "policies.boarding.min_grade=2", "policies.boarding.threshold_min=30",
        "policies.boarding.fee_yuan=0", "policies.boarding.start_year=2026",
        "policies.boarding.end_year=2027"])
    m = sim.EducationModel(scenario, seed=0)
    policy = next(p for p in m.policies if p.name == "boarding")
    base = scenario.boarding
    assert policy.rules_in(2025).min_grade == base.min_grade
    rules = policy.rules_in(2026)
    assert (rules.min_grade, rules.threshold_min, rules.fee_yuan) == (2, 30, 0)
    assert policy.rules_in(2028).threshold_min == base.threshold_min
    # School choice reads the rules the policy publishes, year by year.
    in_choice = {}
    for _ in range(5):
        m.step()
        in_choice[m.year] = boarding_rules(m)
    assert in_choice[2025].min_grade == base.min_grade
    assert (in_choice[2026].min_grade, in_choice[2026].threshold_min) == (2, 30)
    assert in_choice[2027] == rules
    assert in_choice[2028].threshold_min == base.threshold_min


def test_the_rules_of_this_year_and_the_next_are_published():
    scenario = sim.load_scenario("small_county", [
        "years=2", "policies.boarding.min_grade=2", "policies.boarding.start_year=2025"])
    m = sim.EducationModel(scenario, seed=0)
    policy = next(p for p in m.policies if p.name == "boarding")
    # Built: the year before the first (initial placement) and the first year.
    assert sorted(m.effects.boarding_rules) == [2023, 2024]
    m.step()
    assert m.effects.boarding_rules == {2024: policy.rules_in(2024), 2025: policy.rules_in(2025)}
    # Consolidation decides at the end of 2024 for 2025: the policy's rules of 2025.
    assert boarding_rules(m, 2025).min_grade == 2
    with pytest.raises(LookupError, match="boarding rules of 2027 not published"):
        boarding_rules(m, 2027)


def test_without_a_boarding_policy_the_scenario_rules_hold_every_year():
    m = sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=0)
    assert m.effects.boarding_rules == {}
    rules = boarding_rules(m, 2030)
    base = m.scenario.boarding
    assert (rules.min_grade, rules.threshold_min, rules.fee_yuan) == (
        base.min_grade, base.threshold_min, base.fee_yuan)
    assert rules.young_penalty == 0.0


def test_young_boarders_carry_the_wellbeing_penalty():
    scenario = sim.load_scenario("small_county", [
        "years=1", "policies.boarding.min_grade=1", "policies.boarding.young_penalty=2.5",
        "policies.boarding.penalty_below_grade=5"])
    m = sim.EducationModel(scenario, seed=0)
    m.year += 1
    c = m.children
    idx = np.flatnonzero(c.status == ENROLLED)
    t = utility_terms(m, idx)
    young = (c.grade[idx] < 5)[:, None]
    assert np.allclose(t["young_boarding"], np.where(t["board"] & young, -2.5, 0.0))
    assert (t["board"] & young).any()


def _boarding_decision(overrides):
    m = sim.EducationModel(sim.load_scenario("small_county", ["years=1", *overrides]), seed=0)
    m.year += 1
    idx = np.flatnonzero(m.children.status == ENROLLED)
    return m, idx, utility_terms(m, idx)


def test_a_pupil_boards_where_the_commute_saved_outweighs_the_boarding_terms():
    m, idx, t = _boarding_decision(["choice.beta_boarding_parents_away=0"])
    c, s, ch = m.children, m.schools, m.scenario.choice
    rules = boarding_rules(m)
    junior = (c.grade[idx] > 6)[:, None]
    cost = (np.where(junior, ch.beta_boarding.junior, ch.beta_boarding.primary)
            + ch.beta_fee * rules.fee_yuan)
    minutes = t["commute_min"].astype(float)
    eligible = ((t["school"] >= 0) & (s.boarding_beds[np.maximum(t["school"], 0)] > 0)
                & (c.grade[idx] >= rules.min_grade)[:, None] & ~t["bus"])
    limit = np.where(junior, m.scenario.boarding.max_commute_min.junior,
                     m.scenario.boarding.max_commute_min.primary)
    expected = eligible & (minutes > rules.threshold_min) & (
        (ch.beta_time * minutes * 0.8 > cost) | (minutes > limit))
    np.testing.assert_array_equal(t["board"], expected)
    # beyond the threshold but not worth it: a junior pupil at 41 minutes boards, a primary
    # pupil does not (its boarding terms are 0.65 larger), unless the day commute is too long
    assert ch.beta_time * 41 * 0.8 > ch.beta_boarding.junior + ch.beta_fee * rules.fee_yuan
    assert ch.beta_time * 41 * 0.8 < ch.beta_boarding.primary + ch.beta_fee * rules.fee_yuan


def test_parents_away_make_boarding_likelier_and_a_young_penalty_less_likely():
    base = _boarding_decision(["choice.beta_boarding_parents_away=0",
                               "boarding.threshold_min=10"])[2]["board"].sum()
    away = _boarding_decision(["choice.beta_boarding_parents_away=3",
                               "boarding.threshold_min=10"])[2]["board"].sum()
    young = _boarding_decision(["choice.beta_boarding_parents_away=0", "boarding.threshold_min=10",
                                "policies.boarding.min_grade=4",
                                "policies.boarding.young_penalty=5",
                                "policies.boarding.penalty_below_grade=7"])[2]["board"].sum()
    assert away > base > young


def test_beds_for_need_and_scheduled_expansions_add_beds_and_cost():
    probe = sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=0)
    name = probe.schools.name[int(np.flatnonzero(probe.schools.tier == 1)[0])]
    scenario = sim.load_scenario("small_county", {
        "years": 2,
        "policies.boarding.beds_for_need": False,
        "policies.boarding.bed_cost_yuan": 1000.0,
        "policies.boarding.county_cost_per_boarder_yuan": 10.0,
        "policies.boarding.expansion": [
            {"year": 2024, "school": name, "beds": 40},
            {"year": 2025, "select": {"levels": ["primary"], "tiers": ["township"]},
             "share_of_pupils": 1.0},
        ],
    })
    m = sim.EducationModel(scenario, seed=0)
    row = m.schools.name.index(name)
    beds0 = int(m.schools.boarding_beds[row])
    m.step()
    m.check()
    assert m.schools.boarding_beds[row] == beds0 + 40
    assert m.counts.construction_yuan == pytest.approx(40 * 1000.0)
    boarders = int(((m.children.status == ENROLLED) & m.children.boarding).sum())
    assert m.counts.boarding_extra_yuan == pytest.approx(10.0 * boarders)
    m.step()
    m.check()
    added = [e for e in m.events if e[1] == "beds_added" and e[0] == 2025]
    assert added and all(m.schools.tier[e[2]] == 1 for e in added)
    breakdown = [e for e in m.events if e[1] == "cost_breakdown"]
    assert len(breakdown) == 2 and "construction" in breakdown[0][3]
    total = float(breakdown[-1][3].rsplit("total ", 1)[1].split()[0].replace(",", ""))
    assert total == pytest.approx(m.county_rows[-1]["cost_total"], rel=1e-6)


def test_beds_for_need_builds_where_pupils_must_board():
    scenario = sim.load_scenario("small_county", [
        "years=2", CENTRAL_BEDS, "policies.boarding.threshold_min=20"])
    m = sim.EducationModel(scenario, seed=0)
    m.step()
    m.check()
    added = [e for e in m.events if e[1] == "beds_added"]
    assert added and all("需住尽住" in e[3] for e in added)


def test_unknown_expansion_school_is_a_scenario_error():
    scenario = sim.load_scenario("small_county", {"policies.boarding.expansion": [
        {"year": 2025, "school": "Ghost School", "beds": 5}]})
    with pytest.raises(ScenarioError,
                       match=r"policies.boarding.expansion\[0\].school.*Ghost School"):
        sim.EducationModel(scenario, seed=0)
    with pytest.raises(ScenarioError, match="exactly one of 'beds' and 'share_of_pupils'"):
        sim.load_scenario("small_county", {"policies.boarding.expansion": [
            {"year": 2025, "school": "X", "beds": 5, "share_of_pupils": 0.2}]})


def test_an_expansion_may_name_a_school_a_consolidation_plan_builds():
    scenario = sim.load_scenario("small_county", {
        "years": 3,
        "policies.consolidation.plan": [
            {"action": "build", "year": 2025, "name": "New Central", "settlement": "County Town",
             "level": "primary", "classrooms": 12}],
        "policies.boarding.beds_for_need": False,
        "policies.boarding.expansion": [{"year": 2026, "school": "New Central", "beds": 30}],
    })
    m = sim.EducationModel(scenario, seed=0)  # the name is valid before the school opens
    for _ in range(3):
        m.step()
        m.check()
    assert m.schools.boarding_beds[m.schools.name.index("New Central")] == 30
