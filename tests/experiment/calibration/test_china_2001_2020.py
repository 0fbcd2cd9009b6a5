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
    consolidation = s.policies.consolidation
    assert consolidation.end_year is None and consolidation.rule.consecutive_years == 1
    assert s.boarding.min_grade == 1
    assert (s.policies.boarding.start_year, s.policies.boarding.min_grade) == (2012, 4)
    assert {e.year for e in s.policies.boarding.expansion} == {2018}
    assert s.policies.quality.start_year == 2018 and s.policies.quality.remote_classrooms
    # 国办发〔2012〕48号: a pause in 2012, then closures under its procedures, and teaching
    # points restored where needed
    pause, procedures = consolidation.regimes
    assert (pause.year, pause.max_closures_per_year) == (2012, 0)
    assert procedures.year == 2013 and procedures.check_access and procedures.lower_grades_stay
    assert procedures.young_max_commute_min == 30 and procedures.consecutive_years == 2
    restore = procedures.restore_where_needed
    assert restore.as_level == "teaching_point" and restore.grade_max == 3
    assert restore.select.max_commute_min == 30
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


def test_china_closures_pause_in_2012_then_follow_the_procedures_and_young_pupils_stop_boarding():
    scenario = sim.load_scenario("china_2001_2020", ["years=15", *CHINA_SMALL])
    model = sim.EducationModel(scenario, seed=0)
    for _ in range(scenario.years):
        model.step()
    model.check()
    closed = [e[0] for e in model.events if e[1] == "school_closed"]
    assert closed and min(closed) <= 2011 and 2012 not in closed  # the drive, then the pause
    restored = [e[0] for e in model.events if e[1] == "school_restored"]
    assert restored and min(restored) >= 2013  # restoring is part of the 2013 procedures
    county = pd.DataFrame(model.county_rows).set_index("year")
    assert county.loc[2012, "schools_open"] >= county.loc[2011, "schools_open"]
    assert county.loc[2014, "young_boarders"] == 0
