"""Mesa agents are views over table rows: they read and write the tables, categorical columns read
as names, ``Family.children``, ``School.pupils`` and ``family.explain_choice()``."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.agents import Family, School, Teacher
from sim.model import EducationModel
from sim.scenario.schema import LEVELS, TIERS
from sim.state import (
    BUILDING_USE,
    CHILD_STATUS,
    ENROLLED,
    FAMILY_STATUS,
    HUKOU,
    SCHOOL_STATUS,
    TEACHER_STATUS,
)

TERMS = ["quality", "time", "boarding", "young_boarding", "stay", "sibling", "choice_fee"]


def _school(model, row: int) -> School:
    return next(a for a in model.agents_by_type[School] if a.row == row)


def _family(model, row: int) -> Family:
    return next(a for a in model.agents_by_type[Family] if a.row == row)


def _families_with_enrolled(model, at_least: int = 1) -> np.ndarray:
    c = model.children
    counts = np.bincount(c.family[c.status == ENROLLED], minlength=model.families.n)
    return np.flatnonzero(counts >= at_least)


def test_agents_are_mesa_agents_of_their_model(small_model):
    for kind in (Family, School, Teacher):
        agents = small_model.agents_by_type[kind]
        assert isinstance(agents, mesa.agent.AgentSet) and len(agents) > 0
        assert all(isinstance(a, mesa.Agent) and a.model is small_model for a in agents)


# ---- descriptors -------------------------------------------------------------------------


def test_writing_an_attribute_writes_the_table(small_model):
    school = _school(small_model, 2)
    school.boarding_beds = 10
    assert small_model.schools.boarding_beds[2] == 10
    school.classrooms = 7
    assert small_model.schools.classrooms[2] == 7
    assert small_model.schools.boarding_beds[1] != 10 or small_model.schools.boarding_beds[3] != 10


def test_writing_the_table_is_seen_by_the_agent(small_model):
    school = _school(small_model, 1)
    small_model.schools.boarding_beds[1] = 33
    small_model.schools.quality[1] = 0.25
    assert school.boarding_beds == 33
    assert school.quality == pytest.approx(0.25)
    teacher = next(iter(small_model.agents_by_type[Teacher]))
    small_model.teachers.skill[teacher.row] = 0.75
    assert teacher.skill == pytest.approx(0.75)


def test_attributes_are_plain_python_values(small_model):
    school = _school(small_model, 0)
    assert type(school.classrooms) is int and type(school.boarding_beds) is int
    assert type(school.quality) is float
    assert school.classrooms == int(small_model.schools.classrooms[0])


def test_categorical_columns_read_names(small_model):
    s = small_model.schools
    for school in small_model.agents_by_type[School]:
        assert school.level == LEVELS[s.level[school.row]]
        assert school.tier == TIERS[s.tier[school.row]]
        assert school.status == SCHOOL_STATUS[s.status[school.row]]
        assert school.building_use in BUILDING_USE
    assert {a.status for a in small_model.agents_by_type[School]} <= set(SCHOOL_STATUS)
    assert {a.hukou for a in small_model.agents_by_type[Family]} <= set(HUKOU)
    assert {a.status for a in small_model.agents_by_type[Family]} <= set(FAMILY_STATUS)
    assert {a.status for a in small_model.agents_by_type[Teacher]} <= set(TEACHER_STATUS)


def test_categorical_columns_write_names(small_model):
    school = _school(small_model, 0)
    school.building_use = "reused"
    assert small_model.schools.building_use[0] == BUILDING_USE.index("reused")
    assert school.building_use == "reused"
    family = _family(small_model, 0)
    family.hukou = "urban"
    assert small_model.families.hukou[0] == HUKOU.index("urban")


def test_writing_an_unknown_name_is_refused_and_changes_nothing(small_model):
    school = _school(small_model, 0)
    before = school.level
    with pytest.raises(ValueError, match="level"):
        school.level = "university"
    assert school.level == before


def test_mesa_select_and_groupby_see_the_tables(small_model):
    schools = small_model.agents_by_type[School]
    s = small_model.schools
    village = schools.select(lambda a: a.tier == "village")
    assert len(village) == int((s.tier == TIERS.index("village")).sum())
    counts = schools.groupby("level").count()
    for level, n in counts.items():
        assert n == int((s.level == LEVELS.index(level)).sum())


# ---- Family.children and School.pupils ----------------------------------------------------


def test_family_children_are_the_familys_rows(small_model):
    c = small_model.children
    for row in _families_with_enrolled(small_model, 2)[:20]:
        kids = _family(small_model, row).children
        assert isinstance(kids, pd.DataFrame)
        assert sorted(kids.index) == sorted(np.flatnonzero(c.family == row))
        assert set(kids["status"]) <= set(CHILD_STATUS)
        assert (kids["grade"].to_numpy() == c.grade[kids.index]).all()
        assert (kids["school"].to_numpy() == c.school[kids.index]).all()
        enrolled = kids[kids["status"] == "enrolled"]
        assert len(enrolled) >= 2 and (enrolled["school"] >= 0).all()


def test_every_child_belongs_to_exactly_one_family(small_model):
    total = sum(len(f.children) for f in small_model.agents_by_type[Family])
    assert total == small_model.children.n


def test_school_pupils_are_the_children_enrolled_there(small_model):
    c = small_model.children
    total = 0
    for school in small_model.agents_by_type[School]:
        pupils = school.pupils
        assert (c.school[pupils] == school.row).all()
        assert (c.status[pupils] == ENROLLED).all()
        assert school.n_pupils == pupils.size
        total += pupils.size
    assert total == int((c.status == ENROLLED).sum())


def test_school_pupils_match_the_school_panel(small_model):
    panel = small_model.school_panels[-1].set_index("school_id")
    for school in small_model.agents_by_type[School]:
        assert school.n_pupils == panel.loc[school.row, "pupils"]
        assert school.name == panel.loc[school.row, "name"]


def test_school_teachers_are_active_teachers_posted_there(small_model):
    t = small_model.teachers
    panel = small_model.school_panels[-1].set_index("school_id")
    for school in small_model.agents_by_type[School]:
        assert (t.school[school.teachers] == school.row).all()
        assert len(school.teachers) == panel.loc[school.row, "teachers"]


# ---- explain_choice ------------------------------------------------------------------------


@pytest.fixture
def explained(small_model):
    # A family with two pupils at the same school, so the sibling term has something to show.
    c = small_model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    pairs = c.family[enrolled].astype(np.int64) * small_model.schools.n + c.school[enrolled]
    keys, counts = np.unique(pairs, return_counts=True)
    shared = keys[counts >= 2] // small_model.schools.n
    assert shared.size, "no family with two pupils at one school"
    family = _family(small_model, int(shared[0]))
    return small_model, family, family.explain_choice()


def test_explain_choice_lists_candidates_of_each_enrolled_child(explained):
    model, family, frame = explained
    kids = family.children
    assert set(frame["child"]) == set(kids.index[kids["status"] == "enrolled"])
    s = model.schools
    for row in frame.itertuples():
        assert (
            s.grade_min[row.school] <= row.grade <= s.grade_max[row.school]
        )  # school teaches the grade
        assert row.name == s.name[row.school]
    for column in [
        "child",
        "grade",
        "school",
        "name",
        "commute_min",
        "feasible",
        *TERMS,
        "utility",
        "outside",
        "rank",
    ]:
        assert column in frame.columns, column


def test_explain_choice_terms_sum_to_utility(explained):
    _, _, frame = explained
    assert np.allclose(frame[TERMS].sum(axis=1), frame["utility"], atol=1e-9)


def test_explain_choice_is_ranked_feasible_first_then_by_utility(explained):
    _, _, frame = explained
    for _, rows in frame.groupby("child", sort=False):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        key = list(zip(~rows["feasible"], -rows["utility"]))
        assert key == sorted(key)


def test_explain_choice_names_the_current_school_with_the_stay_term(explained):
    model, family, frame = explained
    beta_stay = model.scenario.choice.beta_stay
    for child, rows in frame.groupby("child"):
        current = model.children.school[child]
        here = rows[rows["school"] == current]
        assert len(here) == 1, f"child {child}'s own school is not among its candidates"
        assert here["stay"].iloc[0] == pytest.approx(beta_stay)
        assert (rows.loc[rows["school"] != current, "stay"] == 0).all()
        assert bool(here["feasible"].iloc[0])


def test_explain_choice_sibling_term_marks_schools_of_siblings(explained):
    model, family, frame = explained
    c = model.children
    beta = model.scenario.choice.beta_sibling
    for row in frame.itertuples():
        others = np.flatnonzero((c.family == family.row) & (c.status == ENROLLED))
        others = others[others != row.child]
        expected = beta if (c.school[others] == row.school).any() else 0.0
        assert row.sibling == pytest.approx(expected)


def test_explain_choice_of_a_family_without_pupils_is_empty(small_model):
    c = small_model.children
    with_pupils = set(np.unique(c.family[c.status == ENROLLED]).tolist())
    row = next(r for r in range(small_model.families.n) if r not in with_pupils)
    assert _family(small_model, row).explain_choice().empty


def test_family_and_teacher_agents_are_made_on_first_access_not_in_the_step(small_scenario):
    """A step creates no Python object per family or teacher; the Mesa API still sees them all."""
    model = EducationModel(small_scenario, seed=3)
    made_at_build = len(model._all_agents)
    model.step()
    assert len(model._all_agents) == made_at_build  # nothing made during the step
    families = model.agents_by_type[Family]
    assert len(families) == model.families.n
    assert len(model.agents_by_type[Teacher]) == model.teachers.n
    assert len(model.agents) == model.families.n + model.teachers.n + model.schools.n
    model.remove_all_agents()
    assert len(model.agents) == 0
