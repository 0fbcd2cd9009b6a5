"""The safeguards: receiving seats, access, build before closing, lower grades stay."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from policies.consolidation.runs import FAST, SEEDS, events, run_steps
from sim.behaviour.routing import BusService
from sim.policies.consolidation import (
    DisplacedGroup,
    Placement,
    Reach,
    ReceivingCapacity,
    SafeguardCheck,
    SafeguardLimits,
    check_closure,
    policy,
)
from sim.state import GRADES, OPEN, PRIMARY, TEACHING_POINT, VILLAGE_TIER, BusRides, Schools


@pytest.mark.parametrize("seed", SEEDS)
def test_no_displaced_pupil_is_left_without_a_place(seed):
    m = sim.EducationModel(sim.load_scenario("small_county", ["years=8", *FAST]), seed=seed)
    closures = 0
    for _ in range(8):
        m.step()
        m.check()
        assert m.counts.no_place_displaced == 0
        closures += sum(1 for e in m.events if e[0] == m.year and e[1] == "school_closed")
    assert closures >= 3


def test_safeguards_leave_no_displaced_pupil_without_a_place_and_blind_closures_do():
    with_policy = sim.run(sim.load_scenario("small_county", ["years=6", *FAST]), seed=0,
                          replicates=3)
    assert with_policy.county["pupils_displaced"].sum() > 0
    assert with_policy.county["displaced_without_place"].sum() == 0
    # Without the safeguards, the same kind of closures leave many pupils without a place.
    blind = sim.run(sim.load_scenario("consolidate_fast", [
        "years=3", "county.residents=30000", "county.townships=4", "county.villages=24",
        "county.area_km2=600"]), seed=0, replicates=2)
    assert blind.county["displaced_without_place"].sum() > 20
    assert (blind.county["pupils_without_place"].sum()
            > 5 * with_policy.county["pupils_without_place"].sum() / 2)


_RECEIVING_CAPACITY = policy.receiving_capacity


def _no_free_capacity(model):
    capacity = _RECEIVING_CAPACITY(model)
    capacity.seats[:] = 0
    capacity.beds[:] = 0
    return capacity


def _plan_close(m_school_name, build_first):
    return {
        "policies.consolidation.plan": [{"action": "close", "year": 2025,
                                         "school": m_school_name}],
        "policies.consolidation.build_before_closing": build_first,
        "years": 3,
    }


def test_a_closure_waits_when_receiving_seats_are_missing(monkeypatch):
    name = "County Town Junior 1"
    monkeypatch.setattr(policy, "receiving_capacity", _no_free_capacity)
    m = sim.EducationModel(sim.load_scenario("small_county", _plan_close(name, False)), seed=0)
    school = m.schools.name.index(name)
    for _ in range(3):
        m.step()
        m.check()
        assert m.schools.status[school] == OPEN
    waits = [e for e in events(m, "closure_waits") if e[2] == school]
    assert [e[0] for e in waits] == [2025, 2026] and "seats missing" in waits[0][3]


def test_build_first_expands_the_receiving_school_then_closes(monkeypatch):
    # A village primary closes by plan in 2025; that year the safeguard finds no receiving
    # seats, so the county builds first (先建后撤) and closes once the expansion has opened.
    def no_seats_at_first(model):
        return _no_free_capacity(model) if model.year <= 2025 else _RECEIVING_CAPACITY(model)

    monkeypatch.setattr(policy, "receiving_capacity", no_seats_at_first)
    scenario = sim.load_scenario("small_county", ["years=1"])
    probe = sim.EducationModel(scenario, seed=0)
    s = probe.schools
    village = [i for i in range(s.n) if s.level[i] == PRIMARY and s.tier[i] == VILLAGE_TIER]
    name = s.name[village[0]]
    m = sim.EducationModel(sim.load_scenario("small_county", _plan_close(name, True)), seed=0)
    school = m.schools.name.index(name)
    for _ in range(3):
        m.step()
        m.check()
    built = [e for e in events(m, "build_first") if e[2] == school]
    expanded = events(m, "school_expanded")
    assert built and expanded and expanded[0][0] == built[0][0]
    closed = [e for e in events(m, "school_closed") if e[2] == school]
    assert closed and closed[0][0] > built[0][0]


def test_lower_grades_stay_when_young_pupils_cannot_reach_another_school():
    m = run_steps([*FAST, "policies.consolidation.young_max_commute_min=1"], seed=2, years=4)
    assert not events(m, "school_closed") or all(
        m.schools.level[e[2]] != PRIMARY for e in events(m, "school_closed"))
    downgraded = [e for e in events(m, "school_downgraded")
                  if m.schools.level[e[2]] == TEACHING_POINT]
    assert downgraded
    for e in downgraded:
        assert m.schools.grade_max[e[2]] <= 3
    assert any("too young to board" in e[3] for e in events(m, "closure_waits"))


# ---- the check on hand-built counties ------------------------------------------------------
# Three settlements on a line, 0 -- 1 -- 2, 20 minutes apart; school 0 (closing) in settlement
# 0, school 1 in settlement 1, school 2 in settlement 2; all primaries.
MINUTES = np.array([[0.0, 20.0, 40.0], [20.0, 0.0, 20.0], [40.0, 20.0, 0.0]])
LIMITS = SafeguardLimits(primary_min=30.0, junior_min=60.0, young_min=None, boarding_min_grade=4,
                         boarding_threshold_min=30.0)


def _county(beds=(0, 0, 0)):
    s = Schools()
    s.add(3, settlement=np.arange(3), level=PRIMARY, grade_min=1, grade_max=6, classrooms=6,
          boarding_beds=np.asarray(beds), status=OPEN)
    return s


def _capacity(free_seats, beds=(0, 0, 0)):
    seats = np.zeros((3, GRADES + 1), dtype=np.int64)
    seats[:, 1:7] = np.asarray(free_seats)[:, None]
    return ReceivingCapacity(seats=seats, beds=np.asarray(beds, dtype=np.int64))


def _reach(schools, bus_service=None):
    return Reach(schools, MINUTES, BusRides(), bus_service)


def test_displaced_pupils_take_the_nearest_free_seats_and_build_at_the_first_in_reach():
    groups = [DisplacedGroup(home=0, grade=2, pupils=10)]
    check = check_closure(groups, 0, None, _capacity([0, 6, 50]), _reach(_county()), LIMITS)
    # School 1 is 20 minutes away (6 seats); school 2 is 40, beyond the 30-minute limit.
    assert check.pupils == 10 and check.unplaced == 4 and not check.ok
    assert check.allocation == [Placement(home=0, grade=2, school=1, pupils=6)]
    assert check.taken_seats == {(1, 2): 6} and check.receivers == {1: 6}
    assert check.seat_build == {(1, 2): 4} and check.unreachable == 0
    assert check.reason() == "4 seats missing"


def test_the_receiving_school_is_tried_first_and_booked_seats_are_not_offered_twice():
    groups = [DisplacedGroup(home=1, grade=3, pupils=5)]
    capacity = _capacity([0, 10, 10])
    check = check_closure(groups, 0, 2, capacity, _reach(_county()), LIMITS)
    assert check.ok and check.main_receiver == 2 and check.allocation[0].school == 2
    assert capacity.seats[2, 3] == 10  # the check changes nothing ...
    capacity.take(check)
    assert capacity.seats[2, 3] == 5  # ... until its seats are booked
    capacity.departing.add(2)
    again = check_closure(groups, 0, 2, capacity, _reach(_county()), LIMITS)
    assert again.main_receiver == 1  # a departing school receives nobody


def test_pupils_old_enough_board_at_a_far_school_with_beds():
    groups = [DisplacedGroup(home=0, grade=5, pupils=3), DisplacedGroup(home=0, grade=2, pupils=2)]
    schools = _county(beds=(0, 0, 10))
    capacity = _capacity([0, 0, 50], beds=(0, 0, 2))
    capacity.departing.add(1)  # school 1 closes too: only school 2, 40 minutes away, is left
    check = check_closure(groups, 0, None, capacity, _reach(schools), LIMITS)
    # Grade 5 may board at school 2 (beds), but only 2 beds are free; grade 2 may not board
    # and school 2 is beyond the limit: too young, out of reach.
    assert check.taken_beds == {2: 2} and check.bed_build == {2: 1}
    assert check.unreachable == 2 and check.young_unreachable == 2 and check.unplaced == 3
    assert check.reason() == ("1 beds missing; 2 pupils with no school in reach, 2 too young "
                              "to board")


def test_a_bus_the_busing_policy_would_run_brings_a_far_school_in_reach():
    groups = [DisplacedGroup(home=0, grade=2, pupils=4)]
    reach_all = np.ones((3, 3), dtype=bool)
    service = BusService(within_reach=reach_all, grade_min=1, grade_max=9,
                         tiers=frozenset({VILLAGE_TIER}))
    capacity = _capacity([0, 0, 50])
    assert not check_closure(groups, 0, None, capacity, _reach(_county()), LIMITS).ok
    assert check_closure(groups, 0, None, capacity, _reach(_county(), service), LIMITS).ok
    older_only = BusService(within_reach=reach_all, grade_min=7, grade_max=9,
                            tiers=frozenset({VILLAGE_TIER}))
    assert not check_closure(groups, 0, None, capacity, _reach(_county(), older_only), LIMITS).ok


def test_switches_turn_the_seat_and_access_checks_off():
    groups = [DisplacedGroup(home=0, grade=2, pupils=10)]
    capacity = _capacity([0, 0, 0])
    no_seats = SafeguardLimits(30.0, 60.0, None, 4, 30.0, check_seats=False)
    assert check_closure(groups, 0, None, capacity, _reach(_county()), no_seats).ok
    no_access = SafeguardLimits(30.0, 60.0, None, 4, 30.0, check_access=False)
    far = check_closure(groups, 0, None, _capacity([0, 0, 50]), _reach(_county()), no_access)
    assert far.ok and far.main_receiver == 2


def test_the_young_limit_applies_below_the_boarding_grade_only():
    limits = SafeguardLimits(30.0, 60.0, young_min=10.0, boarding_min_grade=4,
                             boarding_threshold_min=30.0)
    assert limits.commute_limit(2) == 10.0
    assert limits.commute_limit(5) == 30.0 and limits.commute_limit(8) == 60.0


def test_an_empty_check_is_ok():
    assert SafeguardCheck().ok and SafeguardCheck().reason() == "ok"
    assert SafeguardCheck().main_receiver is None


def test_seats_are_built_at_the_first_school_in_reach_even_when_a_far_one_boards():
    groups = [DisplacedGroup(home=0, grade=5, pupils=3)]
    capacity = _capacity([0, 0, 50], beds=(0, 0, 2))
    check = check_closure(groups, 0, None, capacity, _reach(_county(beds=(0, 0, 10))), LIMITS)
    # School 1 (20 minutes) is in reach but full; school 2 boards two; the third pupil's seat
    # is built at school 1.
    assert check.allocation == [Placement(0, 5, 2, 2)] and check.seat_build == {(1, 5): 1}
    assert check.bed_build == {}
