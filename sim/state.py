"""Columnar state: one struct-of-arrays table per entity, owned by the model.

Rows are never compacted during a run (a ``status`` column marks who has left), so a row
index stays valid for the whole run. Categorical columns hold small integer codes whose names
are the tuples below (``CHILD_STATUS[code]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from sim.scenario.schema import LEVELS, SETTLEMENT_KINDS, TIERS

HUKOU = ("rural", "urban")
FAMILY_STATUS = ("home", "in_town_with_children", "parents_away", "left_county")
CHILD_STATUS = ("preschool", "enrolled", "dropped_out", "completed", "left_county")
SCHOOL_STATUS = ("planned", "open", "closed")
BUILDING_USE = ("in_use", "idle", "reused", "sold")
TEACHER_STATUS = ("active", "rotating", "retired", "left")


def code(names: tuple[str, ...], name: str) -> int:
    """The integer code of ``name`` in a category tuple."""
    return names.index(name)


# Codes used on hot paths.
PRESCHOOL, ENROLLED, DROPPED_OUT, COMPLETED, CHILD_LEFT = range(5)
HOME, IN_TOWN, PARENTS_AWAY, FAMILY_LEFT = range(4)
PLANNED, OPEN, CLOSED = range(3)
ACTIVE, ROTATING, RETIRED, TEACHER_LEFT = range(4)
TEACHING_POINT, PRIMARY, JUNIOR, NINE_YEAR = range(4)
VILLAGE_TIER, TOWNSHIP_TIER, COUNTY_TOWN_TIER = range(3)
COUNTY_TOWN, TOWN, VILLAGE = range(3)
assert LEVELS[NINE_YEAR] == "nine_year" and TIERS[COUNTY_TOWN_TIER] == "county_town"
assert SETTLEMENT_KINDS[VILLAGE] == "village"

NO_SCHOOL = -1
GRADES = 9  # grades 1..9 of compulsory schooling
FIRST_GRADE = 1  # the entry grade (小学一年级)
PRIMARY_TOP_GRADE = 6


class Table:
    """A growable struct-of-arrays. Columns read as attributes return views of the live rows.

    Subclasses list their columns in ``columns`` as ``name -> (dtype, default)``.
    """

    columns: ClassVar[dict[str, tuple[object, object]]] = {}

    def __init__(self, capacity: int = 0):
        capacity = max(int(capacity), 16)
        object.__setattr__(self, "n", 0)
        object.__setattr__(
            self,
            "_data",
            {
                name: np.full(capacity, default, dtype=dtype)
                for name, (dtype, default) in self.columns.items()
            },
        )

    def __len__(self) -> int:
        return self.n

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            return data[name][: self.n]
        raise AttributeError(f"{type(self).__name__} has no column {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name in self.columns:
            self._data[name][: self.n] = value
        else:
            object.__setattr__(self, name, value)

    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` rows and return their indices.

        Parameters
        ----------
        count : int
            Rows to append; the table grows (doubling) when it is full.
        **values
            Column values for the new rows: scalars or arrays of length ``count``.

        Returns
        -------
        numpy.ndarray
            The new rows' indices.

        Raises
        ------
        KeyError
            For a column the table does not have.
        """
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"{type(self).__name__} has no columns {sorted(unknown)}")
        start, stop = self.n, self.n + int(count)
        capacity = len(next(iter(self._data.values())))
        if stop > capacity:
            new_capacity = max(stop, 2 * capacity)
            for name, (dtype, default) in self.columns.items():
                grown = np.full(new_capacity, default, dtype=dtype)
                grown[:start] = self._data[name][:start]
                self._data[name] = grown
        for name, value in values.items():
            self._data[name][start:stop] = value
        object.__setattr__(self, "n", stop)
        return np.arange(start, stop)


class Settlements(Table):
    """Villages, township seats and the county town (fixed during a run but for population)."""

    columns = {
        "kind": (np.int8, 0),
        "township": (np.int16, 0),
        "x_km": (np.float32, 0.0),
        "y_km": (np.float32, 0.0),
        "population": (np.int32, 0),
    }


class Families(Table):
    """Households with children of school age or younger.

    ``income`` is per-capita disposable income (yuan/yr); ``home_settlement`` is where the
    family came from (for returns); ``moved_year`` is -1 until the family moves; status
    ``in_town_with_children`` means moved with the children to the county town or to a township
    seat (``settlement`` says which). ``mother_birth_year`` is the calendar year the mother was
    born (-1 unknown: such a family has no further births).
    """

    columns = {
        "settlement": (np.int32, 0),
        "home_settlement": (np.int32, 0),
        "hukou": (np.int8, 0),
        "income": (np.float32, 0.0),
        "status": (np.int8, HOME),
        "moved_year": (np.int16, -1),
        "mother_birth_year": (np.int16, -1),
    }


class Children(Table):
    """Children from birth to the end of grade 9.

    ``grade`` 0 = not yet in school; ``school`` -1 = none; ``commute_min`` is the daily commute
    (minutes) of a day pupil, or the one-way trip of a boarder; ``entry_year`` is the year of
    entering grade 1 (-1 before).
    """

    columns = {
        "family": (np.int32, 0),
        "birth_year": (np.int16, 0),
        "grade": (np.int8, 0),
        "school": (np.int32, NO_SCHOOL),
        "boarding": (np.bool_, False),
        "bus": (np.bool_, False),
        "status": (np.int8, PRESCHOOL),
        "commute_min": (np.float32, 0.0),
        "entry_year": (np.int16, -1),
        "exit_year": (np.int16, -1),
        # Appended for layout policies (sim/policies): the year the child's school closed or
        # stopped teaching its grade (-1 never), and the school a closure sent it to (-1 none;
        # top admission priority there, without the hukou check, at its next placement).
        "displaced_year": (np.int16, -1),
        "sent_to": (np.int32, NO_SCHOOL),
    }


class Schools(Table):
    """Schools: layout, capacity and state. ``name`` is kept in a parallel Python list."""

    columns = {
        "settlement": (np.int32, 0),
        "level": (np.int8, PRIMARY),
        "tier": (np.int8, VILLAGE_TIER),
        "grade_min": (np.int8, 1),
        "grade_max": (np.int8, 6),
        "classrooms": (np.int16, 0),
        "boarding_beds": (np.int32, 0),
        "status": (np.int8, OPEN),
        "opened_year": (np.int16, -1),
        "closed_year": (np.int16, -1),
        "invested_year": (np.int16, -1),
        "quality": (np.float32, 0.5),
        "building_use": (np.int8, 0),
        "intake_closed": (np.int16, 0),  # bit g set: no new pupils into grade g this year
    }

    def __init__(self, capacity: int = 0):
        super().__init__(capacity)
        object.__setattr__(self, "name", [])

    def serves(self, grade: int) -> np.ndarray:
        """Mask of open schools teaching ``grade``."""
        return (self.status == OPEN) & (self.grade_min <= grade) & (self.grade_max >= grade)

    def grades_served(self) -> np.ndarray:
        """Number of grades each school teaches (≥ 1)."""
        return np.maximum(self.grade_max.astype(np.int16) - self.grade_min + 1, 1)


class Teachers(Table):
    """Teachers.

    ``skill`` in [0, 1]; ``age`` and ``experience`` in years; ``home_school`` is the school
    holding a rotating teacher's post.
    """

    columns = {
        "school": (np.int32, NO_SCHOOL),
        "age": (np.float32, 30.0),
        "experience": (np.float32, 0.0),
        "skill": (np.float32, 0.5),
        "backbone": (np.bool_, False),
        "status": (np.int8, ACTIVE),
        "home_school": (np.int32, NO_SCHOOL),
        "hired_year": (np.int16, -1),
        "rotation_until": (np.int16, -1),  # last year of a rotation term (-1: not rotating)
    }


# A seat pool is (school, grade): pool = school * POOLS_PER_SCHOOL + grade.
POOLS_PER_SCHOOL = GRADES + 1


def seat_capacity(schools: Schools, max_class_size) -> np.ndarray:
    """Hard seats per (school, grade) pool.

    Parameters
    ----------
    schools : Schools
        The schools table.
    max_class_size : int or array of int
        Pupils a class may hold: one number, or one per grade 0..9.

    Returns
    -------
    numpy.ndarray
        (n_schools, POOLS_PER_SCHOOL) seats: classrooms spread evenly over the grades served,
        times the class size; 0 for grades not served and schools not open.
    """
    size = np.broadcast_to(np.asarray(max_class_size, dtype=np.int64), (POOLS_PER_SCHOOL,))
    per_grade = (
        schools.classrooms.astype(np.int64)[:, None] * size[None, :]
    ) // schools.grades_served()[:, None]
    grades = np.arange(POOLS_PER_SCHOOL)
    served = (grades >= schools.grade_min[:, None]) & (grades <= schools.grade_max[:, None])
    served &= (schools.status == OPEN)[:, None] & (grades >= 1)
    return np.where(served, per_grade, 0).ravel()


class BusRides:
    """Bus service: ride minutes from a settlement to a school on a route (sparse).

    Policies set the routes; choice reads them: a pupil living in a served settlement rides
    to that school (commute = ride minutes) instead of walking, riding or boarding.
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Remove every route."""
        self._keys = np.zeros(0, dtype=np.int64)
        self._minutes = np.zeros(0, dtype=np.float32)

    def set(self, settlement: np.ndarray, school: np.ndarray, minutes: np.ndarray) -> None:
        """Serve each (settlement, school) pair with a ride of ``minutes`` (replaces old values)."""
        keys = _pair_key(np.asarray(settlement), np.asarray(school))
        keep = ~np.isin(self._keys, keys)
        all_keys = np.concatenate([self._keys[keep], keys])
        all_minutes = np.concatenate([self._minutes[keep], np.asarray(minutes, dtype=np.float32)])
        order = np.argsort(all_keys, kind="stable")
        self._keys, self._minutes = all_keys[order], all_minutes[order]

    def lookup(self, settlement: np.ndarray, school: np.ndarray) -> np.ndarray:
        """Ride minutes for each (settlement, school) pair (broadcast); inf where no bus runs."""
        keys = _pair_key(*np.broadcast_arrays(np.asarray(settlement), np.asarray(school)))
        if self._keys.size == 0:
            return np.full(keys.shape, np.inf, dtype=np.float32)
        pos = np.minimum(np.searchsorted(self._keys, keys), self._keys.size - 1)
        return np.where(self._keys[pos] == keys, self._minutes[pos], np.float32(np.inf))

    def __len__(self) -> int:
        return int(self._keys.size)


def _pair_key(settlement: np.ndarray, school: np.ndarray) -> np.ndarray:
    return settlement.astype(np.int64) * (1 << 31) + school.astype(np.int64)


def leave_school(children: "Children", idx: np.ndarray, status: int, year: int) -> None:
    """Children ``idx`` leave school with ``status`` (dropped out, completed, left the county).

    They give up their seat, bed and bus seat; ``exit_year`` records when.
    """
    children.status[idx] = status
    children.school[idx] = NO_SCHOOL
    children.boarding[idx] = False
    children.bus[idx] = False
    children.exit_year[idx] = year


def on_duty(teachers: "Teachers") -> np.ndarray:
    """Mask of teachers teaching this year: active, or rotating into a host school."""
    return (teachers.status == ACTIVE) | (teachers.status == ROTATING)


def stage_of_grade(grade: np.ndarray) -> np.ndarray:
    """0 for primary grades (1-6), 1 for junior grades (7-9)."""
    return (np.asarray(grade) > PRIMARY_TOP_GRADE).astype(np.int8)


def assert_consistent(model) -> None:
    """Check the tables' invariants; raise AssertionError naming the first broken one.

    - every child is in exactly one known status, and enrolled children have grade 1..9;
    - enrolled children have an open school that serves their grade, others have none;
    - boarders are enrolled at a school with beds, and beds and seats are not exceeded;
    - active teachers belong to an open school.
    """
    c, s, t = model.children, model.schools, model.teachers
    status = c.status
    assert np.isin(status, np.arange(len(CHILD_STATUS))).all(), "child with unknown status"
    enrolled = status == ENROLLED
    assert (c.school[~enrolled] == NO_SCHOOL).all(), "child not enrolled but holding a school"
    grade = c.grade[enrolled]
    assert ((grade >= 1) & (grade <= GRADES)).all(), "enrolled child outside grades 1-9"
    school = c.school[enrolled]
    assert ((school >= 0) & (school < s.n)).all(), "enrolled child without a school"
    assert (s.status[school] == OPEN).all(), "enrolled child at a school that is not open"
    assert ((s.grade_min[school] <= grade) & (s.grade_max[school] >= grade)).all(), (
        "enrolled child in a grade the school does not teach"
    )
    assert not c.boarding[~enrolled].any(), "boarder who is not enrolled"
    boarders = np.bincount(c.school[enrolled & c.boarding], minlength=s.n)
    assert (boarders <= s.boarding_beds).all(), "school with more boarders than beds"
    # No seat bound: a school admits its catchment pupils by right, over the class cap if need be.
    active = on_duty(t)
    assert (s.status[t.school[active]] == OPEN).all(), (
        "teacher on duty at a school that is not open"
    )


@dataclass
class PolicyEffects:
    """What policies publish, for behaviour and for each other (no policy reaches into another).

    The owner sets each field in its hooks (``on_year_start``; what another policy needs when
    the model is built, at construction); behaviour functions and other policies read it.
    Defaults mean "no policy". Arrays are per school (length n_schools) or scalars for all
    schools. Fields keyed by school year hold this year and the next, so that a policy whose
    hooks run earlier in the year (``PoliciesConfig`` order) finds the year it needs.

    Attributes
    ----------
    rural_attrition_factor : float
        Multiplies the rural extra quit chance (teachers: subsidy).
    remote_refusal_factor : float
        Multiplies hires' chance of refusing remote posts (teachers: subsidy).
    coverage_floor : ndarray or float
        Subject coverage floor per school (quality: remote classrooms).
    quality_bonus : ndarray or float
        Added to the quality target per school (quality: funding).
    hukou_barrier : float or None
        Replaces ``admission.hukou_barrier`` when set (admission).
    catchment_strictness : float
        Chance a school refuses a non-catchment applicant (admission).
    hard_class_caps : bool
        Seats per grade use the standard caps (45/50), not the maximum (admission).
    boarding_rules : dict of int to sim.behaviour.choice.BoardingRules
        The boarding rules in force by school year (boarding); empty: ``[boarding]``.
    bus_service : dict of int to sim.behaviour.routing.BusService or None
        Where buses would run by school year, None in a year out of force (busing); empty: no
        busing policy.
    dropout_return_rate : float or None
        Replaces ``choice.dropout_return_rate`` when set (admission: 控辍保学).
    """

    rural_attrition_factor: float = 1.0
    remote_refusal_factor: float = 1.0
    coverage_floor: np.ndarray | float = 0.0
    quality_bonus: np.ndarray | float = 0.0
    hukou_barrier: float | None = None
    catchment_strictness: float = 0.0
    hard_class_caps: bool = False
    # The types of these values live in sim.behaviour (a layer above this module).
    boarding_rules: dict[int, object] = field(default_factory=dict)
    bus_service: dict[int, object] = field(default_factory=dict)
    dropout_return_rate: float | None = None


@dataclass(slots=True)
class YearCounts:
    """What the phases of one school year counted; reset at the start of every step.

    Phases and policies add to it; ``sim.metrics.collect`` reads it into the county row. A
    typed record with slots, so that a misspelt name fails at once instead of reading as 0.
    """

    dropouts: int = 0  # pupils who dropped out this year (outside option or no feasible school)
    dropouts_primary: int = 0  # of them, pupils of grades 1-6
    without_place: int = 0  # pupils with no seat anywhere acceptable, placed at their catchment
    out_of_reach: int = 0  # pupils with no school of their grade in reach at all: out of school
    no_place_displaced: int = 0  # of them, pupils displaced by a closure this year
    returned_dropouts: int = 0  # dropouts who returned to school this year (控辍保学)
    dropped_displaced: int = 0  # displaced pupils with no feasible school at all
    entry_deferred: int = 0  # grade-1 entrants whose school took no intake this year
    children_left_county: int = 0  # children of families who left the county
    migrant_children_refused: int = 0  # rural-hukou children refused by county-town schools
    hires_refused: int = 0  # hires who refused a remote post
    quit_rural: int = 0  # rural teachers who quit (attrition, not retirement)
    rural_teachers_at_start: int = 0  # rural teachers at the start of the teachers phase
    extra_cost_yuan: float = 0.0  # policy costs (and sale income, negative) beyond running costs
    construction_yuan: float = 0.0  # of which: building schools, classrooms and beds
    bus_yuan: float = 0.0  # of which: school buses
    boarding_extra_yuan: float = 0.0  # of which: boarding beyond the per-boarder cost
    cost_breakdown_logged: bool = False  # the yearly cost breakdown event is written once

    def charge(self, yuan: float, item: str) -> None:
        """Add ``yuan`` to the county's extra cost and to the named item (``*_yuan``)."""
        if item not in ("construction_yuan", "bus_yuan", "boarding_extra_yuan"):
            raise ValueError(f"unknown cost item {item!r}")
        self.extra_cost_yuan += float(yuan)
        setattr(self, item, getattr(self, item) + float(yuan))
