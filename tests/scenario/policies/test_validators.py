"""The policy blocks' own checks: one target per entry, grades in order, levels and grades."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sim.scenario.policies.boarding import BedExpansion
from sim.scenario.policies.busing import BusingConfig
from sim.scenario.policies.consolidation_plan import PlanBuild, PlanClose, PlanRestore


@pytest.mark.parametrize("fields", [{}, {"school": "A", "select": {}}])
def test_a_closure_names_exactly_one_target(fields):
    with pytest.raises(ValidationError, match="exactly one of 'school'"):
        PlanClose(action="close", year=2025, **fields)
    assert PlanClose(action="close", year=2025, school="A").school == "A"


def test_a_bed_expansion_gives_beds_or_a_share_not_both():
    with pytest.raises(ValidationError, match="exactly one of 'beds' and 'share_of_pupils'"):
        BedExpansion(year=2025, school="A", beds=10, share_of_pupils=0.5)
    assert BedExpansion(year=2025, school="A", beds=10).beds == 10


def test_bus_grades_run_upwards():
    with pytest.raises(ValidationError, match="grade_min 7 is above grade_max 3"):
        BusingConfig(grade_min=7, grade_max=3)


def test_a_new_school_teaches_its_level_grades_unless_told():
    build = PlanBuild(action="build", year=2025, name="New", settlement="Town 1", level="junior",
                      classrooms=12)
    assert build.grade_range() == (7, 9)
    with pytest.raises(ValidationError, match="above grade_max"):
        PlanBuild(action="build", year=2025, name="New", settlement="Town 1", level="primary",
                  classrooms=6, grade_min=5, grade_max=3)


def test_a_restored_teaching_point_teaches_at_most_five_grades():
    with pytest.raises(ValidationError, match="a teaching point teaches at most grades 1-5"):
        PlanRestore(action="restore", year=2012, as_level="teaching_point", grade_max=6)
    with pytest.raises(ValidationError, match="a primary teaches grades 1-6"):
        PlanRestore(action="restore", year=2012, as_level="primary", grade_max=4)
