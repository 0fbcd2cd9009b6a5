"""The plan mode: entries validated, names checked, built schools receiving pupils."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from policies.consolidation.runs import events
from sim.errors import ScenarioError
from sim.policies.consolidation import PendingAction, plan_actions
from sim.scenario.policies import PlanBuild, PlanClose, PlanExpand, PlanRestore, SchoolSelector
from sim.state import ENROLLED

PLAN = "policies.consolidation.plan"


def test_plan_entries_are_validated():
    with pytest.raises(ScenarioError, match="exactly one of 'school'"):
        sim.load_scenario("small_county", {PLAN: [{"action": "close", "year": 2025}]})
    with pytest.raises(ScenarioError, match="action"):
        sim.load_scenario("small_county", {PLAN: [{"action": "demolish", "year": 2025}]})
    with pytest.raises(ScenarioError, match="grade_min 8 is above grade_max 6"):
        sim.load_scenario("small_county", {PLAN: [
            {"action": "build", "year": 2025, "name": "X", "settlement": "County Town",
             "level": "primary", "grade_min": 8, "classrooms": 6}]})
    with pytest.raises(ScenarioError, match="max_closures_per_year"):
        sim.load_scenario("small_county", ["policies.consolidation.max_closures_per_year=-1"])


def test_unknown_school_name_names_the_key_and_valid_names():
    scenario = sim.load_scenario("small_county", {PLAN: [
        {"action": "close", "year": 2025, "school": "Nowhere Primary"}]})
    with pytest.raises(ScenarioError) as err:
        sim.EducationModel(scenario, seed=0)
    text = str(err.value)
    assert "policies.consolidation.plan[0].school" in text and "Nowhere Primary" in text
    assert "County Town Primary 1" in text
    scenario = sim.load_scenario("small_county", {"policies.consolidation.protected": ["Nope"]})
    with pytest.raises(ScenarioError, match=r"protected\[0\]"):
        sim.EducationModel(scenario, seed=0)
    scenario = sim.load_scenario("small_county", {PLAN: [
        {"action": "build", "year": 2025, "name": "N", "settlement": "Atlantis",
         "level": "primary", "classrooms": 6}]})
    with pytest.raises(ScenarioError, match=r"plan\[0\].settlement.*Atlantis"):
        sim.EducationModel(scenario, seed=0)


def test_plan_builds_a_school_and_sends_pupils_to_it():
    plan = [
        {"action": "build", "year": 2025, "name": "New Junior", "settlement": "County Town",
         "level": "junior", "classrooms": 24, "beds": 600},
        {"action": "close", "year": 2026,
         "select": {"levels": ["junior"], "tiers": ["township"], "count": 2},
         "receiving": "New Junior"},
    ]
    m = sim.EducationModel(sim.load_scenario("small_county", {"years": 3, PLAN: plan}), seed=0)
    for _ in range(3):
        m.step()
        m.check()
    new = m.schools.name.index("New Junior")
    assert m.schools.opened_year[new] == 2025
    closed = [e for e in events(m, "school_closed")]
    assert len(closed) == 2 and all(e[0] == 2026 and "New Junior" in e[3] for e in closed)
    c = m.children
    displaced = (c.displaced_year == 2026) & (c.status == ENROLLED)
    # Sent there with priority (families may still pick a nearer school with free seats).
    destinations = np.bincount(c.school[displaced], minlength=m.schools.n)
    assert destinations[new] >= 0.3 * displaced.sum()


SCHOOLS = ["Village 1 Primary", "Township Junior"]
SETTLEMENTS = ["County Town", "Township 1", "Village 1"]


def test_plan_entries_become_pending_actions_in_order():
    build = PlanBuild(action="build", year=2025, name="New Junior", settlement="County Town",
                      level="junior", classrooms=12)
    close = PlanClose(action="close", year=2026, school="Township Junior",
                      receiving="New Junior")
    expand = PlanExpand(action="expand", year=2027, school="Village 1 Primary", classrooms=2)
    select = SchoolSelector(levels=["primary"], tiers=["village"], count=1)
    by_selector = PlanClose(action="close", year=2028, select=select)
    restore = PlanRestore(action="restore", year=2029)
    actions = plan_actions([build, close, expand, by_selector, restore], SCHOOLS, SETTLEMENTS)
    key = "policies.consolidation.plan"
    assert actions == [
        PendingAction(2025, "build", "plan", f"{key}[0]", entry=build),
        PendingAction(2026, "close", "plan", f"{key}[1]", target="Township Junior",
                      receiving="New Junior", entry=close),
        PendingAction(2027, "expand", "plan", f"{key}[2]", target="Village 1 Primary",
                      entry=expand),
        PendingAction(2028, "close", "plan", f"{key}[3]", target=select, entry=by_selector),
        PendingAction(2029, "restore", "plan", f"{key}[4]", target=restore.select,
                      grade_max=restore.grade_max, entry=restore),
    ]


def test_a_plan_may_name_a_school_it_builds_later_but_not_build_one_twice():
    close = PlanClose(action="close", year=2025, school="Township Junior", receiving="Later")
    build = PlanBuild(action="build", year=2026, name="Later", settlement="Township 1",
                      level="junior", classrooms=6)
    assert [a.kind for a in plan_actions([close, build], SCHOOLS, SETTLEMENTS)] == [
        "close", "build"]
    with pytest.raises(ScenarioError, match=r"plan\[1\]\.name = 'Later': a school of that name"):
        plan_actions([build, build], SCHOOLS, SETTLEMENTS)
    with pytest.raises(ScenarioError, match=r"plan\[0\]\.name = 'Village 1 Primary'"):
        plan_actions([build.model_copy(update={"name": "Village 1 Primary"})], SCHOOLS,
                     SETTLEMENTS)
    with pytest.raises(ScenarioError, match=r"plan\[0\]\.settlement = 'Atlantis'.*3 settlements"):
        plan_actions([build.model_copy(update={"settlement": "Atlantis"})], SCHOOLS, SETTLEMENTS)
    with pytest.raises(ScenarioError, match=r"plan\[0\]\.receiving = 'Nowhere'"):
        plan_actions([close.model_copy(update={"receiving": "Nowhere"})], SCHOOLS, SETTLEMENTS)
