"""Consolidation: rule, plan, safeguards, alternate-year intake, upper-grade merging."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.policies import consolidation as cons
from sim.state import CLOSED, ENROLLED, OPEN, PRIMARY, PRESCHOOL, TEACHING_POINT

FAST = ["policies.consolidation.rule.consecutive_years=1", "policies.consolidation.max_closures_per_year=5"]
SEEDS = (0, 1, 2)


def _run_steps(overrides, seed, years, check=True):
    m = sim.EducationModel(sim.load_scenario("small_county", [f"years={years}", *overrides]), seed=seed)
    for _ in range(years):
        m.step()
        if check:
            m.check()
    return m


def _events(m, kind):
    return [e for e in m.events if e[1] == kind]


# ---- schema and names ----------------------------------------------------------------------

def test_plan_entries_are_validated():
    with pytest.raises(ScenarioError, match="exactly one of 'school'"):
        sim.load_scenario("small_county", {"policies.consolidation.plan": [{"action": "close", "year": 2025}]})
    with pytest.raises(ScenarioError, match="action"):
        sim.load_scenario("small_county", {"policies.consolidation.plan": [{"action": "demolish", "year": 2025}]})
    with pytest.raises(ScenarioError, match="grade_min 8 is above grade_max 6"):
        sim.load_scenario("small_county", {"policies.consolidation.plan": [
            {"action": "build", "year": 2025, "name": "X", "settlement": "County Town", "level": "primary",
             "grade_min": 8, "classrooms": 6}]})
    with pytest.raises(ScenarioError, match="max_closures_per_year"):
        sim.load_scenario("small_county", ["policies.consolidation.max_closures_per_year=-1"])


def test_unknown_school_name_names_the_key_and_valid_names():
    scenario = sim.load_scenario("small_county", {"policies.consolidation.plan": [
        {"action": "close", "year": 2025, "school": "Nowhere Primary"}]})
    with pytest.raises(ScenarioError) as err:
        sim.EducationModel(scenario, seed=0)
    text = str(err.value)
    assert "policies.consolidation.plan[0].school" in text and "Nowhere Primary" in text
    assert "County Town Primary 1" in text
    scenario = sim.load_scenario("small_county", {"policies.consolidation.protected": ["Nope"]})
    with pytest.raises(ScenarioError, match=r"protected\[0\]"):
        sim.EducationModel(scenario, seed=0)
    scenario = sim.load_scenario("small_county", {"policies.consolidation.plan": [
        {"action": "build", "year": 2025, "name": "N", "settlement": "Atlantis", "level": "primary", "classrooms": 6}]})
    with pytest.raises(ScenarioError, match=r"plan\[0\].settlement.*Atlantis"):
        sim.EducationModel(scenario, seed=0)


# ---- safeguards ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_no_displaced_pupil_is_left_without_a_place(seed):
    m = sim.EducationModel(sim.load_scenario("small_county", ["years=8", *FAST]), seed=seed)
    closures = 0
    for _ in range(8):
        m.step()
        m.check()
        assert m.counters["no_place_displaced"] == 0
        closures += sum(1 for e in m.events if e[0] == m.year and e[1] == "school_closed")
    assert closures >= 3


def test_safeguards_leave_no_displaced_pupil_without_a_place_and_blind_closures_do():
    with_policy = sim.run(sim.load_scenario("small_county", ["years=6", *FAST]), seed=0, replicates=3)
    assert with_policy.county["pupils_displaced"].sum() > 0
    assert with_policy.county["displaced_without_place"].sum() == 0
    # Without the safeguards, the same kind of closures leave many pupils without a place.
    blind = sim.run(sim.load_scenario("consolidate_fast", ["years=3", "county.residents=30000", "county.townships=4",
                                                           "county.villages=24", "county.area_km2=600"]),
                    seed=0, replicates=2)
    assert blind.county["displaced_without_place"].sum() > 20
    assert blind.county["pupils_without_place"].sum() > 5 * with_policy.county["pupils_without_place"].sum() / 2


_FREE_CAPACITY = cons.free_capacity


def _no_free_capacity(model):
    ledger = _FREE_CAPACITY(model)
    ledger.seats[:] = 0
    ledger.beds[:] = 0
    return ledger


def _plan_close(m_school_name, build_first):
    return {
        "policies.consolidation.plan": [{"action": "close", "year": 2025, "school": m_school_name}],
        "policies.consolidation.build_before_closing": build_first,
        "years": 3,
    }


def test_a_closure_waits_when_receiving_seats_are_missing(monkeypatch):
    name = "County Town Junior 1"
    monkeypatch.setattr(cons, "free_capacity", _no_free_capacity)
    m = sim.EducationModel(sim.load_scenario("small_county", _plan_close(name, False)), seed=0)
    school = m.schools.name.index(name)
    for _ in range(3):
        m.step()
        m.check()
        assert m.schools.status[school] == OPEN
    waits = [e for e in _events(m, "closure_waits") if e[2] == school]
    assert [e[0] for e in waits] == [2025, 2026] and "seats missing" in waits[0][3]


def test_build_first_expands_the_receiving_school_then_closes():
    # A village primary into its nearest school, with receiving seats removed: build first.
    scenario = sim.load_scenario("small_county", ["years=1"])
    probe = sim.EducationModel(scenario, seed=0)
    s = probe.schools
    village = [i for i in range(s.n) if s.level[i] == PRIMARY and s.tier[i] == 0]
    name = s.name[village[0]]
    m = sim.EducationModel(sim.load_scenario("small_county", _plan_close(name, True)), seed=0)
    # Fill every other school teaching primary grades: seats = this year's pupils only.
    s = m.schools
    from sim.behaviour.schools import pupils_by_grade

    counts = pupils_by_grade(m)
    school = s.name.index(name)
    for r in range(s.n):
        if r != school and s.grade_min[r] <= 6:
            rooms = int(np.ceil(counts[r].max() * s.grades_served()[r] / m.scenario.schools.max_class_size))
            s.classrooms[r] = max(rooms, 1)
    for _ in range(3):
        m.step()
        m.check()
    built = [e for e in _events(m, "build_first") if e[2] == school]
    expanded = _events(m, "school_expanded")
    assert built and expanded and expanded[0][0] == built[0][0]
    closed = [e for e in _events(m, "school_closed") if e[2] == school]
    assert closed and closed[0][0] > built[0][0]


def test_at_most_n_closures_a_year_and_protected_schools_stay():
    probe = sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=1)
    small = [i for i in range(probe.schools.n) if probe.schools.level[i] == TEACHING_POINT]
    protected = probe.schools.name[small[0]]
    m = _run_steps(["policies.consolidation.rule.consecutive_years=1", "policies.consolidation.max_closures_per_year=2",
                    f'policies.consolidation.protected=["{protected}"]'], seed=1, years=6)
    per_year = {}
    for e in _events(m, "school_closed") + _events(m, "school_downgraded"):
        per_year[e[0]] = per_year.get(e[0], 0) + 1
    assert per_year and max(per_year.values()) <= 2
    assert m.schools.status[m.schools.name.index(protected)] == OPEN


def test_schools_close_only_after_k_years_below_threshold():
    m = _run_steps(["policies.consolidation.rule.consecutive_years=3", "policies.consolidation.max_closures_per_year=9"],
                   seed=0, years=5)
    first = min(e[0] for e in _events(m, "school_closed") + _events(m, "school_downgraded"))
    assert first >= m.scenario.start_year + 3


def test_lower_grades_stay_when_young_pupils_cannot_reach_another_school():
    m = _run_steps([*FAST, "policies.consolidation.young_max_commute_min=1"], seed=2, years=4)
    assert not _events(m, "school_closed") or all(
        m.schools.level[e[2]] != PRIMARY for e in _events(m, "school_closed"))
    downgraded = [e for e in _events(m, "school_downgraded") if m.schools.level[e[2]] == TEACHING_POINT]
    assert downgraded
    for e in downgraded:
        assert m.schools.grade_max[e[2]] <= 3
    assert any("too young to board" in e[3] for e in _events(m, "closure_waits"))


# ---- directions of effect ---------------------------------------------------------------------

def test_consolidation_closes_schools_and_lengthens_commutes():
    years = ["years=6"]
    base = sim.run(sim.load_scenario("small_county", years), seed=0, replicates=3).county
    cons_run = sim.run(sim.load_scenario("small_county", [*years, *FAST]), seed=0, replicates=3).county
    last = base["year"].max()
    b, c = base[base.year == last], cons_run[cons_run.year == last]
    assert c["schools_open"].mean() < b["schools_open"].mean()
    assert c["mean_commute_min"].mean() > b["mean_commute_min"].mean()


# ---- plan, alternate intake, upper grades -----------------------------------------------------------

def test_plan_builds_a_school_and_sends_pupils_to_it():
    plan = [
        {"action": "build", "year": 2025, "name": "New Junior", "settlement": "County Town", "level": "junior",
         "classrooms": 24, "beds": 600},
        {"action": "close", "year": 2026, "select": {"levels": ["junior"], "tiers": ["township"], "count": 2},
         "receiving": "New Junior"},
    ]
    m = sim.EducationModel(sim.load_scenario("small_county", {"years": 3, "policies.consolidation.plan": plan}), seed=0)
    for _ in range(3):
        m.step()
        m.check()
    new = m.schools.name.index("New Junior")
    assert m.schools.opened_year[new] == 2025
    closed = [e for e in _events(m, "school_closed")]
    assert len(closed) == 2 and all(e[0] == 2026 and "New Junior" in e[3] for e in closed)
    c = m.children
    displaced = (c.displaced_year == 2026) & (c.status == ENROLLED)
    # Sent there with priority (families may still pick a nearer school with free seats).
    destinations = np.bincount(c.school[displaced], minlength=m.schools.n)
    assert destinations[new] >= 0.3 * displaced.sum()


def test_alternate_year_intake_skips_grade_one_every_other_year():
    m = sim.EducationModel(sim.load_scenario("small_county", [
        "years=4", "policies.consolidation.alternate_intake.max_pupils=1000"]), seed=0)
    history = []
    for _ in range(4):
        m.step()
        m.check()
        history.append(m.schools.intake_closed.copy())
    closed = np.array([(h >> 1) & 1 for h in history])  # years x schools
    villages = np.flatnonzero((m.schools.tier == 0) & (m.schools.status == OPEN))
    assert closed[0, villages].all() and not closed[1, villages].any() and closed[2, villages].all()
    c = m.children
    # In a closed year no new grade-1 pupil entered those schools.
    entered = (c.entry_year == m.year - 1) & (c.status == ENROLLED)
    assert entered.any()
    assert _events(m, "intake_closed")


def test_entrants_whose_school_skips_an_intake_wait_a_year():
    m = sim.EducationModel(sim.load_scenario("small_county", [
        "years=2", "policies.consolidation.alternate_intake.max_pupils=1000",
        'policies.consolidation.alternate_intake.tiers=["village","township","county_town"]']), seed=0)
    m.step()
    m.check()
    deferred = m.counters["entry_deferred"]
    assert deferred > 0
    c = m.children
    waiting = (c.status == PRESCHOOL) & (m.year - c.birth_year > m.scenario.demography.school_entry_age - 1)
    assert waiting.sum() >= deferred
    m.step()  # every school takes grade 1 again: they start now
    m.check()
    assert m.counters["entry_deferred"] == 0


def test_upper_grade_merge_keeps_lower_grades_local():
    m = _run_steps(["policies.consolidation.upper_grade_merge.max_pupils=1000",
                    "policies.consolidation.max_closures_per_year=20"], seed=0, years=3)
    down = _events(m, "school_downgraded")
    assert down
    s = m.schools
    for e in down:
        assert s.grade_max[e[2]] == 3 and s.level[e[2]] == TEACHING_POINT and s.tier[e[2]] == 0
    assert not (s.status == CLOSED).any()
