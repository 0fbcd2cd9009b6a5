"""The safeguard check: can all the pupils a closure displaces be placed next year.

Each group of displaced pupils (home settlement, next year's grade) takes free seats, and
free beds if it must board, at the receiving school first, then at the other schools it can
reach, nearest first. A school is within reach when

- a bus runs there from the pupils' village within the commute limit, or a busing policy in
  force next year would run one (:class:`sim.behaviour.routing.BusService`), or
- the pupils may board (grade at or above the boarding minimum), the school has beds and the
  commute exceeds the boarding threshold (beds are planned for every pupil the rule lets
  board, whether or not the family will choose to: the county builds first, 先建后撤), or
- the commute is within the limit (``max_commute_min`` by stage; ``young_max_commute_min``
  for pupils too young to board), or access is not checked.

Pupils left without a seat are *unplaced*: where a school is within reach the check lists the
seats (and beds) to build there (先建后撤); where none is but a far school could take boarders,
the beds and seats to build there; else the pupils are *unreachable* (and *young unreachable*
when too young to board). The check changes nothing: :meth:`ReceivingCapacity.take` books
the seats of an accepted closure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from sim.behaviour.routing import BusService
from sim.state import PRIMARY_TOP_GRADE, BusRides, Schools


class DisplacedGroup(NamedTuple):
    """Pupils of one home settlement who need a school in ``grade`` next year."""

    home: int
    grade: int
    pupils: int


class Placement(NamedTuple):
    """``pupils`` of a displaced group (home settlement, next grade) placed at ``school``."""

    home: int
    grade: int
    school: int
    pupils: int


@dataclass
class ReceivingCapacity:
    """What the schools can take next year, less what accepted closures already took.

    Attributes
    ----------
    seats : ndarray of int, (n_schools, GRADES + 1)
        Free seats per school and grade next year (hard seats less next year's pupils).
    beds : ndarray of int, (n_schools,)
        Free boarding beds per school.
    departing : set of int
        Schools closing (or scheduled to): they receive nobody.
    """

    seats: np.ndarray
    beds: np.ndarray
    departing: set[int] = field(default_factory=set)

    def take(self, check: SafeguardCheck) -> None:
        """Book the seats and beds an accepted closure's pupils take."""
        for (school, grade), n in check.taken_seats.items():
            self.seats[school, grade] -= n
        for school, n in check.taken_beds.items():
            self.beds[school] -= n


@dataclass(frozen=True)
class Reach:
    """How pupils get from home to the schools next year.

    Attributes
    ----------
    schools : Schools
        The school table (settlement, tier, beds, grades taught, status).
    minutes : ndarray of float, (n_settlements, n_settlements)
        Commute between settlements (minutes; ``model.travel.minutes``).
    bus : BusRides
        The bus routes running now.
    bus_service : BusService or None
        Where a busing policy in force in the year checked would run a bus; None: none.
    """

    schools: Schools
    minutes: np.ndarray
    bus: BusRides
    bus_service: BusService | None


@dataclass(frozen=True)
class SafeguardLimits:
    """The limits a displaced pupil's new school must respect, and which safeguards are on.

    Attributes
    ----------
    primary_min, junior_min : float
        Commute limits of primary (1-6) and junior (7-9) grades (minutes).
    young_min : float or None
        A stricter limit for pupils too young to board (minutes); None: none.
    boarding_min_grade : int
        Lowest grade that may board in the year checked.
    boarding_threshold_min : float
        Commute above which a pupil boards at a school with beds (minutes).
    check_seats, check_access : bool
        Whether seats (and beds) and access are checked.
    """

    primary_min: float
    junior_min: float
    young_min: float | None
    boarding_min_grade: int
    boarding_threshold_min: float
    check_seats: bool = True
    check_access: bool = True

    def commute_limit(self, grade: int) -> float:
        """Return the longest acceptable commute of a pupil in ``grade`` (minutes)."""
        limit = self.primary_min if grade <= PRIMARY_TOP_GRADE else self.junior_min
        if grade < self.boarding_min_grade and self.young_min is not None:
            limit = min(limit, self.young_min)
        return limit


@dataclass
class SafeguardCheck:
    """Outcome of :func:`check_closure` for one closure or downgrade.

    Attributes
    ----------
    pupils : int
        Displaced pupils (next year's entrants of the school included for a closure).
    unplaced : int
        Of them, pupils the check found no seat (or needed bed) for.
    unreachable, young_unreachable : int
        Of those, pupils with no school in reach; and those of them too young to board.
    seat_build : dict of (school, grade) to int
        Seats to build (先建后撤) at the first school in reach.
    bed_build : dict of school to int
        Beds to build.
    taken_seats : dict of (school, grade) to int
        Seats the placed pupils take.
    taken_beds : dict of school to int
        Beds the placed boarders take.
    receivers : dict of school to int
        Pupils placed per school.
    allocation : list of Placement
        Where each group's pupils were placed.
    """

    pupils: int = 0
    unplaced: int = 0
    unreachable: int = 0
    young_unreachable: int = 0
    seat_build: dict[tuple[int, int], int] = field(default_factory=dict)
    bed_build: dict[int, int] = field(default_factory=dict)
    taken_seats: dict[tuple[int, int], int] = field(default_factory=dict)
    taken_beds: dict[int, int] = field(default_factory=dict)
    receivers: dict[int, int] = field(default_factory=dict)
    allocation: list[Placement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every displaced pupil has a seat (and a bed if it must board)."""
        return self.unplaced == 0

    @property
    def main_receiver(self) -> int | None:
        """The school receiving most pupils (the first such), or None."""
        return max(self.receivers, key=self.receivers.get) if self.receivers else None

    def reason(self) -> str:
        """Why the check failed, for events ("ok" when it did not)."""
        parts = []
        if self.seat_build:
            parts.append(f"{sum(self.seat_build.values())} seats missing")
        if self.bed_build:
            parts.append(f"{sum(self.bed_build.values())} beds missing")
        if self.unreachable:
            young = (f", {self.young_unreachable} too young to board"
                     if self.young_unreachable else "")
            parts.append(f"{self.unreachable} pupils with no school in reach{young}")
        return "; ".join(parts) or "ok"

    def _place(self, group: DisplacedGroup, school: int, board: bool, pupils: int) -> None:
        self.taken_seats[(school, group.grade)] = (
            self.taken_seats.get((school, group.grade), 0) + pupils)
        if board:
            self.taken_beds[school] = self.taken_beds.get(school, 0) + pupils
        self.receivers[school] = self.receivers.get(school, 0) + pupils
        self.allocation.append(Placement(group.home, group.grade, school, pupils))

    def _build(self, school: int, grade: int, seats: int, beds: int) -> None:
        if beds:
            self.bed_build[school] = self.bed_build.get(school, 0) + beds
        if seats:
            self.seat_build[(school, grade)] = self.seat_build.get((school, grade), 0) + seats

    def _unreachable(self, pupils: int, young: bool) -> None:
        self.unreachable += pupils
        self.young_unreachable += pupils if young else 0


class _Way(NamedTuple):
    """How a group would get to one school.

    ``reachable`` at all, by ``boarding``, and whether it ``may_board`` (old enough).
    """

    reachable: bool
    boarding: bool
    may_board: bool


def check_closure(groups: list[DisplacedGroup], school: int, receiving: int | None,
                  capacity: ReceivingCapacity, reach: Reach,
                  limits: SafeguardLimits) -> SafeguardCheck:
    """Check that the pupils a closure (or downgrade) displaces can all be placed next year.

    Parameters
    ----------
    groups : list of DisplacedGroup
        The displaced pupils by home settlement and next year's grade.
    school : int
        The school closing (it receives nobody).
    receiving : int or None
        The school that receives them first, if named.
    capacity : ReceivingCapacity
        Free seats and beds next year; not changed (see :meth:`ReceivingCapacity.take`).
    reach : Reach
        Commutes, bus routes and bus service.
    limits : SafeguardLimits
        Commute limits, boarding rules and the safeguard switches.

    Returns
    -------
    SafeguardCheck
        Where each group is placed and, when some cannot be, what to build or why not.
    """
    out = SafeguardCheck(pupils=int(sum(g.pupils for g in groups)))
    seats, beds = capacity.seats.copy(), capacity.beds.copy()
    for group in groups:
        receivers, minutes = _receivers_nearest_first(group, school, receiving,
                                                      capacity.departing, reach)
        if receivers.size == 0:
            out.unplaced += group.pupils
            out._unreachable(group.pupils, group.grade < limits.boarding_min_grade)
            continue
        _place_group(group, receivers, minutes, seats, beds, reach, limits, out)
    return out


def _receivers_nearest_first(group: DisplacedGroup, school: int, receiving: int | None,
                             departing: set[int], reach: Reach) -> tuple[np.ndarray, np.ndarray]:
    """List the schools that could receive a group, in the order the check tries them.

    Open schools teaching the group's grade (not ``school``, none departing), the receiving
    school first, then nearest first; and the commute to each (minutes).
    """
    s = reach.schools
    receivers = np.array([r for r in np.flatnonzero(s.serves(group.grade))
                          if r != school and r not in departing], dtype=np.int64)
    if receivers.size == 0:
        return receivers, np.zeros(0)
    minutes = reach.minutes[group.home, s.settlement[receivers]].astype(float)
    order = np.argsort(minutes, kind="stable")
    if receiving is not None and receiving in receivers:
        first = np.flatnonzero(receivers == receiving)
        order = np.concatenate([first, order[order != first[0]]])
    return receivers[order], minutes[order]


def _way_to(group: DisplacedGroup, school: int, minutes: float, limit: float, reach: Reach,
            limits: SafeguardLimits) -> _Way:
    """Find how the group gets to ``school``: by bus, boarding, or a short enough commute."""
    s = reach.schools
    bus = reach.bus.lookup(group.home, school) <= limit
    if reach.bus_service is not None and not bus:
        bus = reach.bus_service.would_serve(group.home, int(s.settlement[school]),
                                            int(s.tier[school]), group.grade)
    may_board = group.grade >= limits.boarding_min_grade
    board = ((not bus) and may_board and s.boarding_beds[school] > 0
             and minutes > limits.boarding_threshold_min)
    reachable = bus or board or minutes <= limit or not limits.check_access
    return _Way(bool(reachable), bool(board), may_board)


def _place_group(group: DisplacedGroup, receivers: np.ndarray, minutes: np.ndarray,
                 seats: np.ndarray, beds: np.ndarray, reach: Reach, limits: SafeguardLimits,
                 out: SafeguardCheck) -> None:
    """Place one group at the schools in reach, in order; record what is missing."""
    grade, rest = group.grade, group.pupils
    limit = limits.commute_limit(grade)
    first_reachable: tuple[int, bool] | None = None
    first_buildable: int | None = None
    for r, m in zip(receivers, minutes):
        r = int(r)
        way = _way_to(group, r, m, limit, reach, limits)
        if not way.reachable:
            if way.may_board and first_buildable is None:
                first_buildable = r
            continue
        if first_reachable is None:
            first_reachable = (r, way.boarding)
        take = rest
        if limits.check_seats:
            take = min(rest, int(seats[r, grade]), int(beds[r]) if way.boarding else rest)
        if take > 0:
            seats[r, grade] -= take
            if way.boarding:
                beds[r] -= take
            out._place(group, r, way.boarding, take)
            rest -= take
        if rest == 0:
            return
    out.unplaced += rest
    if first_reachable is not None:
        r, board = first_reachable
        need_beds = max(rest - int(beds[r]), 0) if board else 0
        out._build(r, grade, seats=max(rest - int(seats[r, grade]), 0), beds=need_beds)
    elif first_buildable is not None:
        r = first_buildable
        out._build(r, grade, seats=max(rest - int(seats[r, grade]), 0), beds=rest)
    else:
        out._unreachable(rest, grade < limits.boarding_min_grade)
