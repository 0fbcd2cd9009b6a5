"""The China 2001-2020 replay that the committed fit calibrates: its policy history and what the
model makes of it."""

from __future__ import annotations

import pandas as pd

import sim

CHINA_SMALL = [
    "county.residents=30000",
    "county.townships=4",
    "county.villages=24",
    "county.area_km2=600",
]


def test_china_scenario_encodes_the_policy_history():
    s = sim.load_scenario("china_2001_2020")
    assert (s.start_year, s.years) == (2001, 20)
    assert (
        s.policies.consolidation.end_year == 2011
        and s.policies.consolidation.rule.consecutive_years == 1
    )
    assert s.boarding.min_grade == 1
    assert (s.policies.boarding.start_year, s.policies.boarding.min_grade) == (2012, 4)
    assert {e.year for e in s.policies.boarding.expansion} == {2018}
    assert s.policies.quality.start_year == 2018 and s.policies.quality.remote_classrooms
    restores = [e for e in s.policies.consolidation.plan if e.action == "restore"]
    assert [e.year for e in restores] == [
        2012,
        2013,
    ]  # teaching points restored where needed (国办发〔2012〕48号)
    assert all(
        e.as_level == "teaching_point" and e.grade_max == 3 and e.select.max_commute_min == 30
        for e in restores
    )
    assert (
        min(s.demography.births_index) <= 2001 - 6 - 8
    )  # every cohort in school in 2001 has its births
    for cited in (
        "2001 State Council decision",
        "国办发〔2012〕48号",
        "国办发〔2018〕27号",
        "facts.md",
        "NBS",
    ):
        assert cited in s.description


def test_china_closures_stop_after_2011_teaching_points_return_and_young_pupils_stop_boarding():
    scenario = sim.load_scenario("china_2001_2020", ["years=14", *CHINA_SMALL])
    model = sim.EducationModel(scenario, seed=0)
    for _ in range(scenario.years):
        model.step()
    model.check()
    closed = [e[0] for e in model.events if e[1] == "school_closed"]
    assert closed and max(closed) <= 2011
    restored = [e[0] for e in model.events if e[1] == "school_restored"]
    assert restored and set(restored) <= {2012, 2013} and len(restored) <= 10
    county = pd.DataFrame(model.county_rows).set_index("year")
    assert county.loc[2013, "teaching_points"] == county.loc[2011, "teaching_points"] + len(
        restored
    )
    assert county.loc[2014, "young_boarders"] == 0
