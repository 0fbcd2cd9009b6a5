"""Columnar state (sim.state): table growth, seat capacity, bus rides, invariants, year counts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim import state
from sim.state import (
    CHILD_STATUS,
    CLOSED,
    COMPLETED,
    DROPPED_OUT,
    ENROLLED,
    NO_SCHOOL,
    OPEN,
    POOLS_PER_SCHOOL,
    PRESCHOOL,
    BusRides,
    Children,
    Schools,
    Teachers,
    YearCounts,
    assert_consistent,
    code,
    seat_capacity,
)


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario("small_county", ["years=1"])


# ---- Table ---------------------------------------------------------------------------------


def test_add_beyond_the_initial_capacity_keeps_earlier_rows():
    children = Children(capacity=4)
    first = children.add(10, family=np.arange(10), birth_year=2015, grade=3, status=ENROLLED)
    second = children.add(40, family=np.arange(100, 140), birth_year=2020)
    np.testing.assert_array_equal(first, np.arange(10))
    np.testing.assert_array_equal(second, np.arange(10, 50))
    assert len(children) == children.n == 50
    np.testing.assert_array_equal(children.family[:10], np.arange(10))
    np.testing.assert_array_equal(children.family[10:], np.arange(100, 140))
    assert (children.grade[:10] == 3).all() and (children.status[:10] == ENROLLED).all()
    # columns not given take their defaults
    assert (children.grade[10:] == 0).all() and (children.status[10:] == PRESCHOOL).all()
    assert (children.school == NO_SCHOOL).all() and (children.entry_year == -1).all()


def test_growth_keeps_the_column_dtypes():
    children = Children()
    children.add(100, birth_year=2010)
    expected = {name: np.dtype(dtype) for name, (dtype, _) in Children.columns.items()}
    assert {name: getattr(children, name).dtype for name in Children.columns} == expected
    assert children.family.dtype == np.int32 and children.commute_min.dtype == np.float32
    assert children.boarding.dtype == np.bool_ and children.birth_year.dtype == np.int16


def test_columns_are_views_of_the_live_rows():
    teachers = Teachers()
    teachers.add(3, school=[0, 1, 2], age=[30, 40, 50])
    assert teachers.age.shape == (3,)
    teachers.age[1] = 41  # writing through the view changes the table
    assert teachers.age[1] == 41
    teachers.skill = 0.9  # assigning a column writes every live row
    np.testing.assert_allclose(teachers.skill, 0.9)
    teachers.add(1)
    assert teachers.skill[3] == pytest.approx(0.5)  # the default, not the assigned value


def test_unknown_columns_are_refused():
    children = Children()
    with pytest.raises(KeyError, match="gradee"):
        children.add(1, gradee=3)
    assert children.n == 0
    with pytest.raises(AttributeError, match="gradee"):
        children.gradee  # noqa: B018


def test_schools_serve_their_open_grades():
    schools = Schools()
    schools.add(3, grade_min=[1, 7, 1], grade_max=[6, 9, 9], status=[OPEN, OPEN, CLOSED])
    np.testing.assert_array_equal(schools.serves(7), [False, True, False])
    np.testing.assert_array_equal(schools.serves(1), [True, False, False])
    np.testing.assert_array_equal(schools.grades_served(), [6, 3, 9])
    assert schools.name == []


def test_code_names_and_errors():
    assert code(CHILD_STATUS, "enrolled") == ENROLLED
    assert code(state.SCHOOL_STATUS, "closed") == CLOSED
    with pytest.raises(ValueError):
        code(CHILD_STATUS, "graduated")


def test_stage_of_grade_and_on_duty():
    np.testing.assert_array_equal(state.stage_of_grade([1, 6, 7, 9]), [0, 0, 1, 1])
    teachers = Teachers()
    teachers.add(4, status=[state.ACTIVE, state.ROTATING, state.RETIRED, state.TEACHER_LEFT])
    np.testing.assert_array_equal(state.on_duty(teachers), [True, True, False, False])


def test_leave_school_gives_up_seat_bed_and_bus():
    children = Children()
    children.add(3, school=[4, 5, 6], boarding=True, bus=True, status=ENROLLED, grade=9)
    state.leave_school(children, np.array([0, 2]), COMPLETED, 2030)
    np.testing.assert_array_equal(children.status, [COMPLETED, ENROLLED, COMPLETED])
    np.testing.assert_array_equal(children.school, [NO_SCHOOL, 5, NO_SCHOOL])
    np.testing.assert_array_equal(children.boarding, [False, True, False])
    np.testing.assert_array_equal(children.bus, [False, True, False])
    np.testing.assert_array_equal(children.exit_year, [2030, -1, 2030])


# ---- seat_capacity ----------------------------------------------------------------------------


def _two_schools() -> Schools:
    schools = Schools()
    # a primary school (12 rooms over grades 1-6) and a junior school (7 rooms over grades 7-9)
    schools.add(2, classrooms=[12, 7], grade_min=[1, 7], grade_max=[6, 9], status=OPEN)
    return schools


def test_seat_capacity_spreads_classrooms_over_the_grades_served():
    seats = seat_capacity(_two_schools(), 45).reshape(2, POOLS_PER_SCHOOL)
    np.testing.assert_array_equal(seats[0], [0, 90, 90, 90, 90, 90, 90, 0, 0, 0])
    # 7 rooms x 45 seats over 3 grades = 105 seats a grade
    np.testing.assert_array_equal(seats[1], [0, 0, 0, 0, 0, 0, 0, 105, 105, 105])


def test_seat_capacity_rounds_down_and_takes_a_size_per_grade():
    schools = _two_schools()
    sizes = np.array([0, 45, 45, 45, 45, 45, 45, 50, 50, 50])
    seats = seat_capacity(schools, sizes).reshape(2, POOLS_PER_SCHOOL)
    assert seats[1, 7] == 7 * 50 // 3 == 116  # floor(116.67)
    assert seats[0, 1] == 90


def test_seat_capacity_is_zero_for_schools_not_open():
    schools = _two_schools()
    schools.status[1] = CLOSED
    seats = seat_capacity(schools, 45)
    assert seats.size == 2 * POOLS_PER_SCHOOL
    assert seats[POOLS_PER_SCHOOL:].sum() == 0 and seats[:POOLS_PER_SCHOOL].sum() == 540


# ---- BusRides ----------------------------------------------------------------------------------


def test_bus_rides_without_routes_are_infinite():
    bus = BusRides()
    assert len(bus) == 0
    out = bus.lookup(np.array([0, 1]), np.array([2, 3]))
    assert out.dtype == np.float32 and np.isinf(out).all()


def test_bus_rides_set_lookup_replace_and_clear():
    bus = BusRides()
    bus.set(np.array([3, 1, 2]), np.array([7, 7, 8]), np.array([25.0, 40.0, 12.5]))
    assert len(bus) == 3
    np.testing.assert_array_equal(bus.lookup(np.array([1, 3, 2, 3]), np.array([7, 7, 8, 8])),
                                  np.array([40.0, 25.0, 12.5, np.inf], np.float32))
    bus.set(np.array([1]), np.array([7]), np.array([30.0]))  # a new route replaces the old ride
    assert len(bus) == 3
    assert bus.lookup(np.array([1]), np.array([7]))[0] == 30.0
    bus.clear()
    assert len(bus) == 0 and np.isinf(bus.lookup(np.array([1]), np.array([7]))).all()


def test_bus_rides_broadcast_settlements_against_schools():
    bus = BusRides()
    bus.set(np.array([0, 1]), np.array([5, 6]), np.array([10.0, 20.0]))
    grid = bus.lookup(np.array([[0], [1]]), np.array([[5, 6]]))
    np.testing.assert_array_equal(grid, np.array([[10.0, np.inf], [np.inf, 20.0]], np.float32))


def test_bus_ride_keys_do_not_collide_for_large_ids():
    bus = BusRides()
    bus.set(np.array([1, 0]), np.array([0, 2**31 - 1]), np.array([5.0, 9.0]))
    out = bus.lookup(np.array([1, 0]), np.array([0, 2**31 - 1]))
    np.testing.assert_array_equal(out, [5.0, 9.0])


# ---- assert_consistent -------------------------------------------------------------------------


def _consistent_model(scenario):
    """Two open schools (primary with beds, junior), a closed one; three pupils, two teachers."""
    schools = Schools()
    schools.add(3, classrooms=[6, 3, 6], grade_min=[1, 7, 1], grade_max=[6, 9, 6],
                boarding_beds=[10, 0, 0], status=[OPEN, OPEN, CLOSED])
    children = Children()
    children.add(4, grade=[2, 8, 0, 5], school=[0, 1, NO_SCHOOL, NO_SCHOOL],
                 boarding=[True, False, False, False],
                 status=[ENROLLED, ENROLLED, PRESCHOOL, DROPPED_OUT])
    teachers = Teachers()
    teachers.add(3, school=[0, 1, 2], status=[state.ACTIVE, state.ROTATING, state.RETIRED])
    return SimpleNamespace(children=children, schools=schools, teachers=teachers, scenario=scenario)


def test_assert_consistent_accepts_a_consistent_model(scenario):
    assert_consistent(_consistent_model(scenario))


def test_assert_consistent_accepts_a_stepped_model(small_model):
    assert_consistent(small_model)


def _break_unknown_status(m):
    m.children.status[0] = 9


def _break_school_not_enrolled(m):
    m.children.school[2] = 0


def _break_grade(m):
    m.children.grade[0] = 0


def _break_closed_school(m):
    m.children.school[0] = 2


def _break_grade_not_taught(m):
    m.children.school[1] = 0


def _break_beds(m):
    m.children.school[1], m.children.grade[1], m.children.boarding[1] = 0, 3, True
    m.schools.boarding_beds[0] = 1


def _overfill_a_grade(m):
    # 70 pupils where classrooms x the class size give 65 seats: catchment pupils by right
    m.children.add(70, grade=2, school=0, status=ENROLLED, family=0)


def _break_teacher(m):
    m.teachers.school[0] = 2


def test_a_grade_over_its_seats_is_consistent(scenario):
    """Catchment pupils are admitted by right, over the class cap: that is how 大班额 forms."""
    model = _consistent_model(scenario)
    _overfill_a_grade(model)
    assert_consistent(model)


@pytest.mark.parametrize("breaks, words", [
    (_break_unknown_status, "unknown status"),
    (_break_school_not_enrolled, "not enrolled but holding a school"),
    (_break_grade, "outside grades 1-9"),
    (_break_closed_school, "not open"),
    (_break_grade_not_taught, "grade the school does not teach"),
    (_break_beds, "more boarders than beds"),
    (_break_teacher, "teacher on duty"),
])
def test_assert_consistent_names_the_broken_invariant(scenario, breaks, words):
    model = _consistent_model(scenario)
    breaks(model)
    with pytest.raises(AssertionError, match=words):
        assert_consistent(model)


# ---- YearCounts --------------------------------------------------------------------------------


def test_charge_adds_to_the_item_and_the_extra_cost():
    counts = YearCounts()
    counts.charge(1000, "construction_yuan")
    counts.charge(250.5, "bus_yuan")
    counts.charge(-200, "construction_yuan")  # sale income is negative
    counts.charge(50, "boarding_extra_yuan")
    assert counts.construction_yuan == pytest.approx(800.0)
    assert counts.bus_yuan == pytest.approx(250.5)
    assert counts.boarding_extra_yuan == pytest.approx(50.0)
    assert counts.extra_cost_yuan == pytest.approx(1100.5)


def test_charge_to_an_unknown_item_raises_and_charges_nothing():
    counts = YearCounts()
    with pytest.raises(ValueError, match="busing_yuan"):
        counts.charge(10, "busing_yuan")
    with pytest.raises(ValueError):
        counts.charge(10, "extra_cost_yuan")
    assert counts.extra_cost_yuan == 0.0


def test_year_counts_start_at_zero_and_a_misspelt_count_fails():
    counts = YearCounts()
    assert counts.dropouts == counts.without_place == counts.hires_refused == 0
    counts.dropouts += 3
    assert counts.dropouts == 3
    with pytest.raises(AttributeError):
        counts.dropuots += 1
