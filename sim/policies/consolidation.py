"""Consolidation (撤点并校 / 布局调整): rule, plan, optimise, alternate-year intake, upper-grade
merging, with the safeguards county plans promise (DESIGN §1, §6; docs/policies.md); and the
restoration of closed schools where they are needed (恢复教学点, 国办发〔2012〕48号).

Timing. Decisions are made at the year end (policy review) and take effect in the next
year's calendar phase, before demography and placement, so displaced pupils are re-placed
in that year's placement. Plan entries act in their year's calendar phase; ``restore``
entries act in their year even outside the block's ``start_year``..``end_year`` (the other
modes do not).

Restoration "where needed" (:func:`restore_needs`): a closed school (of the selector's levels
and tiers, building idle) is needed when at least ``min_far_pupils`` young pupils (grades
1..``grade_max``, enrolled) living in its settlement now commute beyond the limit (a day
pupil's commute, a boarder's trip home; limit ``max_commute_min``, else
``young_max_commute_min``, else ``access.commute_limit_min.primary``) and no open school of
the settlement teaches grade 1. The most needed are restored first: most far young pupils,
or longest mean commute of the settlement's young pupils (``order``), at most one school per
settlement, up to ``count``. A restored school is protected from later closures.

Safeguards (each a switch of the ``[policies.consolidation]`` block):

- receiving seats (无学上): the open schools in reach of the displaced pupils must have free
  seats in the grade each pupil will be in next year, and free beds for those who must board
  (pupils who would board but find no bed count as unplaced). Free seats are hard seats
  (``sim.state.seat_capacity``) less next year's expected pupils (this year's pupils moved up
  a grade), less seats already promised to other closures;
- access (上学难): every displaced pupil needs a school within the commute limit, a bed (grade
  at or above the boarding minimum), or a bus (a route serves the village, or a busing policy
  in force will run one within its maximum ride);
- build before closing (先建后撤): when seats or beds are missing, classrooms or beds are built
  at the nearest receiving school and the closure waits for the next decision; otherwise
  the closure waits (event ``closure_waits``);
- at most ``max_closures_per_year`` closures and downgrades a year by rule, optimise and
  upper-grade merging, after ``consecutive_years`` below threshold (防止过急过快);
- protected schools are never closed or downgraded;
- lower grades stay near home (小学低段就近): when only pupils too young to board cannot reach
  another school, a primary is downgraded to a teaching point instead of closed.

Events: ``school_closed``, ``school_downgraded``, ``school_opened``, ``school_expanded``,
``beds_added`` (from ``sim.behaviour.layout``), ``closure_scheduled``, ``closure_waits``,
``build_first``, ``intake_closed``, ``optimise``, ``displaced_outcome``, ``cost_breakdown``,
``school_restored`` (from ``sim.behaviour.layout``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.behaviour import layout
from sim.behaviour.choice import boarding_rules
from sim.behaviour.schools import pupils_by_grade
from sim.errors import ScenarioError
from sim.policies.base import Policy, register
from sim.policies.optimise import TIER_CODES, choose_layout
from sim.scenario.policy_schema import (
    ConsolidationConfig,
    PlanBeds,
    PlanBuild,
    PlanClose,
    PlanDowngrade,
    PlanExpand,
    PlanRestore,
    RestoreSelector,
    SchoolSelector,
)
from sim.state import (
    CLOSED,
    ENROLLED,
    PRESCHOOL,
    GRADES,
    NINE_YEAR,
    OPEN,
    POOLS_PER_SCHOOL,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    TEACHING_POINT,
    seat_capacity,
)

LEVEL_CODES = {"teaching_point": TEACHING_POINT, "primary": PRIMARY, "junior": 2, "nine_year": NINE_YEAR}


# ---- names ------------------------------------------------------------------------------------

def check_school_name(model, name: str, key: str, also: tuple[str, ...] = ()) -> None:
    """Raise ScenarioError when ``name`` is neither a school of the model nor in ``also``."""
    if name in model.schools.name or name in also:
        return
    raise ScenarioError(f"{key} = {name!r}: no school of that name in this county; valid names include "
                        f"{_few(model.schools.name)} ({len(model.schools.name)} schools)")


def check_settlement_name(model, name: str, key: str) -> None:
    if name not in model.settlement_names:
        raise ScenarioError(f"{key} = {name!r}: no settlement of that name in this county; valid names include "
                            f"{_few(model.settlement_names)} ({len(model.settlement_names)} settlements)")


def _few(names: list[str], n: int = 5) -> str:
    return ", ".join(repr(x) for x in names[:n]) + (", ..." if len(names) > n else "")


def select_schools(model, selector: SchoolSelector, exclude: set[int] = frozenset()) -> list[int]:
    """Open schools matching ``selector`` (levels, tiers), ordered by pupils, up to ``count``."""
    s = model.schools
    levels = [LEVEL_CODES[x] for x in selector.levels]
    tiers = [TIER_CODES[x] for x in selector.tiers]
    ids = np.flatnonzero((s.status == OPEN) & np.isin(s.level, levels) & np.isin(s.tier, tiers))
    ids = np.array([i for i in ids if i not in exclude], dtype=np.int64)
    pupils = pupils_by_grade(model).sum(axis=1)
    sign = 1 if selector.order == "smallest" else -1
    ids = ids[np.argsort(sign * pupils[ids], kind="stable")] if ids.size else ids
    return [int(i) for i in (ids if selector.count is None else ids[: selector.count])]


@dataclass
class Need:
    """Why a closed school is needed: its settlement's young pupils (grades 1..grade_max)."""

    school: int
    settlement: int
    far_pupils: int  # young pupils commuting beyond the limit
    young_pupils: int  # all young pupils living in the settlement
    mean_commute_min: float  # mean commute of the young pupils (minutes)
    most_in_a_grade: int  # young pupils of the settlement in its largest grade


def restore_needs(model, selector: RestoreSelector, grade_max: int, limit_min: float) -> list[Need]:
    """Closed schools where a school is needed, most needed first (see the module docstring).

    Parameters
    ----------
    model : EducationModel
        The model (state as of the end of last year, in the calendar phase).
    selector : RestoreSelector
        Levels, tiers, order, ``count`` and ``min_far_pupils``.
    grade_max : int
        Young pupils are those in grades 1..grade_max (the grades the school would teach).
    limit_min : float
        Commute above which a young pupil counts as far (minutes).

    Returns
    -------
    list of Need
        At most ``selector.count`` schools, one per settlement, each with at least
        ``min_far_pupils`` far young pupils, ordered by ``selector.order``.
    """
    s, c = model.schools, model.children
    n_settlements = len(model.settlement_names)
    young = np.flatnonzero((c.status == ENROLLED) & (c.grade >= 1) & (c.grade <= grade_max))
    home = model.families.settlement[c.family[young]].astype(np.int64)
    commute = c.commute_min[young].astype(float)
    far = np.bincount(home[commute > limit_min], minlength=n_settlements)
    count = np.bincount(home, minlength=n_settlements)
    total = np.bincount(home, weights=commute, minlength=n_settlements)
    mean = np.divide(total, count, out=np.zeros(n_settlements), where=count > 0)
    per_grade = np.zeros((n_settlements, grade_max + 1), dtype=np.int64)
    np.add.at(per_grade, (home, c.grade[young].astype(np.int64)), 1)
    served = np.zeros(n_settlements, dtype=bool)
    served[s.settlement[s.serves(1)]] = True
    levels = [LEVEL_CODES[x] for x in selector.levels]
    tiers = [TIER_CODES[x] for x in selector.tiers]
    ids = np.flatnonzero((s.status == CLOSED) & (s.building_use == layout.IDLE) & np.isin(s.level, levels)
                         & np.isin(s.tier, tiers))
    # One school per settlement: the one closed last (then the lowest row).
    ids = ids[np.lexsort((ids, -s.closed_year[ids].astype(np.int64)))]
    needs, seen = [], set()
    for i in ids:
        h = int(s.settlement[i])
        if h in seen or served[h] or far[h] < selector.min_far_pupils:
            continue
        seen.add(h)
        needs.append(Need(int(i), h, int(far[h]), int(count[h]), float(mean[h]), int(per_grade[h].max())))
    if selector.order == "far_pupils":
        needs.sort(key=lambda n: (-n.far_pupils, -n.mean_commute_min, n.school))
    else:
        needs.sort(key=lambda n: (-n.mean_commute_min, -n.far_pupils, n.school))
    return needs if selector.count is None else needs[: selector.count]


# ---- the safeguard check ---------------------------------------------------------------------

@dataclass
class Ledger:
    """Free seats (n_schools, GRADES + 1) and beds (n_schools) expected next year, minus
    seats and beds promised to the closures accepted so far; ``departing`` schools receive nobody."""

    seats: np.ndarray
    beds: np.ndarray
    departing: set[int] = field(default_factory=set)


def free_capacity(model) -> Ledger:
    """Next year's free seats per (school, grade) and free beds per school (see module doc)."""
    s, c = model.schools, model.children
    n = s.n
    seats = seat_capacity(s, model.scenario.schools.max_class_size).reshape(n, POOLS_PER_SCHOOL).astype(np.int64)
    now = pupils_by_grade(model)
    grades = np.arange(POOLS_PER_SCHOOL)
    serves = (grades >= s.grade_min[:, None]) & (grades <= s.grade_max[:, None])
    nxt = now.copy()
    # Next year grade g holds this year's grade g-1 where the school teaches g-1; at the entry
    # grade it takes a cohort like this year's.
    nxt[:, 2:] = np.where(serves[:, 1:-1], now[:, 1:-1], now[:, 2:])
    enrolled = np.flatnonzero(c.status == ENROLLED)
    boarders = np.bincount(c.school[enrolled][c.boarding[enrolled]], minlength=n)
    return Ledger(seats=np.maximum(seats - nxt, 0), beds=np.maximum(s.boarding_beds.astype(np.int64) - boarders, 0))


@dataclass
class Check:
    """Outcome of :meth:`Consolidation.check` for one closure or downgrade."""

    pupils: int = 0
    unplaced: int = 0
    unreachable: int = 0
    young_unreachable: int = 0
    seat_build: dict = field(default_factory=dict)  # (school, grade) -> seats to build
    bed_build: dict = field(default_factory=dict)  # school -> beds to build
    taken_seats: dict = field(default_factory=dict)  # (school, grade) -> seats used
    taken_beds: dict = field(default_factory=dict)  # school -> beds used
    receivers: dict = field(default_factory=dict)  # school -> pupils
    allocation: list = field(default_factory=list)  # (home settlement, next grade, school, pupils)

    @property
    def ok(self) -> bool:
        return self.unplaced == 0

    @property
    def main_receiver(self) -> int | None:
        return max(self.receivers, key=self.receivers.get) if self.receivers else None

    def reason(self) -> str:
        parts = []
        if self.seat_build:
            parts.append(f"{sum(self.seat_build.values())} seats missing")
        if self.bed_build:
            parts.append(f"{sum(self.bed_build.values())} beds missing")
        if self.unreachable:
            young = f", {self.young_unreachable} too young to board" if self.young_unreachable else ""
            parts.append(f"{self.unreachable} pupils with no school in reach{young}")
        return "; ".join(parts) or "ok"


@dataclass
class Action:
    """A pending action. ``target`` is a school row, a name (resolved when it acts: schools a
    plan builds) or a selector; ``source`` is plan, rule, optimise or upper_grade_merge."""

    year: int
    kind: str
    source: str
    key: str
    target: object = None
    receiving: object = None
    grade_max: int | None = None
    entry: object = None


@register
class Consolidation(Policy):
    """``[policies.consolidation]``: see the module docstring and docs/policies.md."""

    name = "consolidation"

    def __init__(self, config: ConsolidationConfig, model) -> None:
        super().__init__(config, model)
        built = tuple(e.name for e in config.plan if isinstance(e, PlanBuild))
        for i, name in enumerate(config.protected):
            check_school_name(model, name, f"policies.consolidation.protected[{i}]")
        self.protected = {layout.school_index(model, n) for n in config.protected}
        self.queue: list[Action] = []
        seen_builds: list[str] = []
        for i, e in enumerate(config.plan):
            key = f"policies.consolidation.plan[{i}]"
            if isinstance(e, PlanBuild):
                if e.name in model.schools.name or e.name in seen_builds:
                    raise ScenarioError(f"{key}.name = {e.name!r}: a school of that name already exists")
                check_settlement_name(model, e.settlement, f"{key}.settlement")
                seen_builds.append(e.name)
                self.queue.append(Action(e.year, "build", "plan", key, entry=e))
                continue
            if isinstance(e, PlanRestore):
                self.queue.append(Action(e.year, "restore", "plan", key, target=e.select, grade_max=e.grade_max,
                                         entry=e))
                continue
            if getattr(e, "school", None) is not None:
                check_school_name(model, e.school, f"{key}.school", built)
            if getattr(e, "receiving", None) is not None:
                check_school_name(model, e.receiving, f"{key}.receiving", built)
            kind = {PlanClose: "close", PlanDowngrade: "downgrade", PlanExpand: "expand", PlanBeds: "add_beds"}[type(e)]
            target = e.school if getattr(e, "school", None) is not None else e.select
            self.queue.append(Action(e.year, kind, "plan", key, target=target, receiving=getattr(e, "receiving", None),
                                     grade_max=getattr(e, "grade_max", None), entry=e))
        self.below = np.zeros(model.schools.n, dtype=np.int64)
        self.last_intake = np.full(model.schools.n, model.year, dtype=np.int64)  # intake before the run
        self.optimised = False
        self.built_for: dict[int, int] = {}
        self.limited_this_year = 0
        self.limited_year = None

    # ---- hooks ------------------------------------------------------------------------------
    def acts_in(self, year: int) -> bool:
        """In force (``start_year``..``end_year``), or a ``restore`` entry is due: restorations
        act in their year even after the block's end (the halt of closures is when schools
        are restored). The block's modes (rule, plan, optimise, intake, upper grades) act only
        while ``in_force``."""
        return self.in_force(year) or any(a.kind == "restore" and a.year <= year for a in self.queue)

    def on_year_start(self, model, classes) -> None:
        cfg = self.config
        year = model.year
        self._grow(model)
        if not self.in_force(year):
            self._restore_due(model)
            return
        self.limited_this_year = 0
        self.limited_year = year
        if cfg.optimise is not None and not self.optimised and year >= cfg.optimise.year:
            self._optimise(model)
        due = [a for a in self.queue if a.year <= year and a.kind != "restore"]  # restores: after the closures
        self.queue = [a for a in self.queue if a.year > year or a.kind == "restore"]
        builds = [a for a in due if a.kind in ("build", "expand", "add_beds")]
        closures = [a for a in due if a.kind in ("close", "downgrade")]
        for a in builds:
            self._build(model, a)
        ledger = free_capacity(model)
        ledger.departing |= self._departing(closures)
        order = {"plan": 0, "rule": 1, "upper_grade_merge": 1, "optimise": 2}
        for a in sorted(closures, key=lambda a: order[a.source]):
            self._close(model, a, ledger)
        self._restore_due(model)
        if cfg.alternate_intake is not None:
            self._alternate_intake(model)

    def on_year_end(self, model, classes) -> None:
        cfg = self.config
        if not self.in_force(model.year):
            return
        self._grow(model)
        pupils = pupils_by_grade(model).sum(axis=1)
        self._count_below(model, pupils, classes)
        scheduled = {a.target for a in self.queue if a.kind in ("close", "downgrade") and isinstance(a.target, int)}
        budget = cfg.max_closures_per_year - sum(
            1 for a in self.queue if a.year == model.year + 1 and a.source != "plan" and a.kind in ("close", "downgrade"))
        ledger = free_capacity(model)
        ledger.departing |= scheduled
        nominees = []
        if cfg.upper_grade_merge is not None:
            nominees += self._upper_grade_nominees(model, pupils, scheduled)
        if cfg.rule is not None:
            taken = scheduled | {n[0] for n in nominees}
            nominees += self._rule_nominees(model, pupils, taken)
        for school, kind, grade_max, source in nominees:
            if budget <= 0:
                break
            # Scheduling a closure, or building for one (先建后撤), uses the year's budget.
            if self._decide(model, school, kind, grade_max, source, ledger) != "waits":
                budget -= 1
        self._report(model, classes)

    # ---- rule ---------------------------------------------------------------------------------
    def _count_below(self, model, pupils: np.ndarray, classes) -> None:
        rule, s = self.config.rule, model.schools
        if rule is None:
            return
        m = rule.min_pupils
        minimum = np.array([m.teaching_point, m.primary, m.junior, m.nine_year])[s.level]
        small = (pupils < minimum) & (minimum > 0)
        if rule.min_class_size is not None:
            per_school = classes.classes
            if per_school.size == s.n:
                mean = np.divide(pupils, per_school, out=np.zeros(s.n), where=per_school > 0)
                small |= (per_school > 0) & (mean < rule.min_class_size)
        self.below = np.where((s.status == OPEN) & small, self.below + 1, 0)

    def _rule_nominees(self, model, pupils, taken) -> list[tuple]:
        rule, s = self.config.rule, model.schools
        in_scope = np.zeros(s.n, dtype=bool)
        for level, code in LEVEL_CODES.items():
            tiers = [TIER_CODES[x] for x in getattr(rule.tiers, level)]
            in_scope |= (s.level == code) & np.isin(s.tier, tiers)
        ids = np.flatnonzero((s.status == OPEN) & in_scope & (self.below >= rule.consecutive_years))
        ids = [int(i) for i in ids[np.argsort(pupils[ids], kind="stable")] if i not in self.protected and i not in taken]
        out = []
        for i in ids:
            if s.level[i] == PRIMARY and "primary" in rule.downgrade and s.grade_max[i] > rule.downgrade_grade_max:
                out.append((i, "downgrade", rule.downgrade_grade_max, "rule"))
            elif s.level[i] == NINE_YEAR and "nine_year" in rule.downgrade:
                out.append((i, "downgrade", PRIMARY_TOP_GRADE, "rule"))
            else:
                out.append((i, "close", None, "rule"))
        return out

    def _upper_grade_nominees(self, model, pupils, taken) -> list[tuple]:
        u, s = self.config.upper_grade_merge, model.schools
        tiers = [TIER_CODES[x] for x in u.tiers]
        ids = np.flatnonzero((s.status == OPEN) & (s.level == PRIMARY) & (s.grade_min == 1)
                             & (s.grade_max > u.keep_grade_max) & np.isin(s.tier, tiers) & (pupils < u.max_pupils))
        ids = [int(i) for i in ids[np.argsort(pupils[ids], kind="stable")] if i not in self.protected and i not in taken]
        return [(i, "downgrade", u.keep_grade_max, "upper_grade_merge") for i in ids]

    def _decide(self, model, school: int, kind: str, grade_max, source: str, ledger: Ledger) -> str:
        """Year-end decision for one nominee: schedule it for next year ("scheduled"), build
        first ("builds") or wait ("waits")."""
        year = model.year + 1
        chk = self.check(model, school, grade_max if kind == "downgrade" else None, None, ledger, year)
        name = model.schools.name[school]
        if not chk.ok and kind == "close" and self._can_keep_lower_grades(model, school, chk, year):
            keep = boarding_rules(model, year).min_grade - 1
            chk2 = self.check(model, school, keep, None, ledger, year)
            if chk2.ok:
                kind, grade_max, chk = "downgrade", keep, chk2
        if chk.ok:
            self._commit(chk, ledger)
            ledger.departing.add(school)
            self.queue.append(Action(year, kind, source, f"policies.consolidation.{source}", target=school,
                                     receiving=chk.main_receiver, grade_max=grade_max))
            what = "closure" if kind == "close" else f"downgrade to grades up to {grade_max}"
            model.log_event("closure_scheduled", school,
                            f"{name!r}: {what} in {year} ({source}); {chk.pupils} pupils to place, seats checked")
            return "scheduled"
        return self._shortfall(model, school, chk, source, delay_to=year)

    def _can_keep_lower_grades(self, model, school, chk: Check, year: int) -> bool:
        s = model.schools
        min_grade = boarding_rules(model, year).min_grade
        return (self.config.lower_grades_stay and chk.unreachable > 0 and chk.young_unreachable == chk.unreachable
                and s.grade_min[school] == 1 and s.grade_max[school] >= min_grade and min_grade >= 2)

    def _shortfall(self, model, school: int, chk: Check, source: str, delay_to: int) -> str:
        """Build first (classrooms and beds at the receiving schools, to be ready in ``delay_to``)
        or log that the closure waits; returns "builds" or "waits"."""
        cfg = self.config
        name = model.schools.name[school]
        recently = self.built_for.get(school, -9999) >= model.year - 1
        if cfg.build_before_closing and (chk.seat_build or chk.bed_build) and chk.unreachable == 0 and not recently:
            self.built_for[school] = model.year
            self._build_first(model, school, chk, delay_to, source)
            return "builds"
        model.log_event("closure_waits", school, f"{name!r} ({source}) waits: {chk.reason()}")
        return "waits"

    def _build_first(self, model, school: int, chk: Check, year: int, source: str) -> None:
        """Schedule (or, in the calendar phase, make) the classrooms and beds ``chk`` found missing."""
        s, scn = model.schools, model.scenario
        rooms: dict[int, int] = {}
        for (r, g), seats in chk.seat_build.items():
            cap = scn.schools.class_cap.primary if g <= PRIMARY_TOP_GRADE else scn.schools.class_cap.junior
            per_grade = math.ceil(seats / cap)
            rooms[r] = max(rooms.get(r, 0), per_grade)
        name = s.name[school]
        for r, per_grade in rooms.items():
            n = int(per_grade * s.grades_served()[r])
            self.queue.append(Action(year, "expand", "rule", f"build first for {name!r}", target=int(r), entry=n))
        for r, beds in chk.bed_build.items():
            self.queue.append(Action(year, "add_beds", "rule", f"build first for {name!r}", target=int(r), entry=int(beds)))
        what = ", ".join([f"{rooms[r] * s.grades_served()[r]} classrooms at {s.name[r]!r}" for r in rooms]
                         + [f"{b} beds at {s.name[r]!r}" for r, b in chk.bed_build.items()])
        model.log_event("build_first", school, f"{name!r} ({source}) waits; 先建后撤: {what} ready in {year}")
        if year == model.year:  # in the calendar phase: build now
            due = [a for a in self.queue if a.year == year and a.kind in ("expand", "add_beds")]
            self.queue = [a for a in self.queue if a not in due]
            for a in due:
                self._build(model, a)

    # ---- the check ----------------------------------------------------------------------------
    def check(self, model, school: int, grade_max: int | None, receiving: int | None, ledger: Ledger,
              year: int) -> Check:
        """Can the pupils displaced by closing ``school`` (or downgrading it to ``grade_max``)
        all be placed next year? Greedy: each group of pupils (home settlement, next grade) takes
        free seats (and beds if it must board) at the receiving school first, then at the
        schools in reach, nearest first. Does not change ``ledger`` (see :meth:`_commit`)."""
        cfg, scn = self.config, model.scenario
        s = model.schools
        rules = boarding_rules(model, year)
        limits = cfg.max_commute_min or scn.access.commute_limit_min
        check_seats, check_access = cfg.check_receiving_seats, cfg.check_access
        groups = self._displaced_groups(model, school, grade_max)
        out = Check(pupils=int(sum(n for _, _, n in groups)))
        seats = ledger.seats.copy()
        beds = ledger.beds.copy()
        bus_cfg = model.scenario.policies.busing
        bus_on = bus_cfg is not None and ((bus_cfg.start_year is None or year >= bus_cfg.start_year)
                                          and (bus_cfg.end_year is None or year <= bus_cfg.end_year))
        drive = None
        if bus_on:
            from sim.behaviour.routing import drive_minutes
            drive = drive_minutes(model, bus_cfg.speed_factor)
        for home, g, n in groups:
            receivers = np.flatnonzero(s.serves(g))
            receivers = np.array([r for r in receivers if r != school and r not in ledger.departing], dtype=np.int64)
            if receivers.size == 0:
                out.unplaced += n
                out.unreachable += n
                out.young_unreachable += n if g < rules.min_grade else 0
                continue
            minutes = model.travel.minutes[home, s.settlement[receivers]].astype(float)
            order = np.argsort(minutes, kind="stable")
            if receiving is not None and receiving in receivers:
                first = np.flatnonzero(receivers == receiving)
                order = np.concatenate([first, order[order != first[0]]])
            limit = limits.primary if g <= PRIMARY_TOP_GRADE else limits.junior
            if g < rules.min_grade and cfg.young_max_commute_min is not None:
                limit = min(limit, cfg.young_max_commute_min)
            rest = n
            first_reachable = None
            first_buildable = None
            for k in order:
                r = int(receivers[k])
                m = minutes[k]
                bus = model.bus.lookup(home, r) <= limit
                if bus_on and not bus:
                    bus = (drive[home, s.settlement[r]] <= bus_cfg.max_ride_min
                           and model.travel.km[home, s.settlement[r]] >= bus_cfg.min_distance_km
                           and bus_cfg.grade_min <= g <= bus_cfg.grade_max
                           and TIER_CODES_BY_CODE[int(s.tier[r])] in bus_cfg.tiers)
                may_board = g >= rules.min_grade
                board = (not bus) and may_board and s.boarding_beds[r] > 0 and m > rules.threshold_min
                reachable = bus or board or m <= limit or not check_access
                if not reachable:
                    if may_board and first_buildable is None:
                        first_buildable = r
                    continue
                if first_reachable is None:
                    first_reachable = (r, board)
                if not check_seats:
                    take = rest
                else:
                    take = min(rest, int(seats[r, g]), int(beds[r]) if board else rest)
                if take > 0:
                    seats[r, g] -= take
                    if board:
                        beds[r] -= take
                    out.taken_seats[(r, g)] = out.taken_seats.get((r, g), 0) + take
                    if board:
                        out.taken_beds[r] = out.taken_beds.get(r, 0) + take
                    out.receivers[r] = out.receivers.get(r, 0) + take
                    out.allocation.append((home, g, r, take))
                    rest -= take
                if rest == 0:
                    break
            if rest == 0:
                continue
            out.unplaced += rest
            if first_reachable is not None:
                r, board = first_reachable
                need_seats = max(rest - int(seats[r, g]), 0)
                if need_seats:
                    out.seat_build[(r, g)] = out.seat_build.get((r, g), 0) + need_seats
                if board:
                    need_beds = max(rest - int(beds[r]), 0)
                    if need_beds:
                        out.bed_build[r] = out.bed_build.get(r, 0) + need_beds
            elif first_buildable is not None:
                r = first_buildable
                out.bed_build[r] = out.bed_build.get(r, 0) + rest
                need_seats = max(rest - int(seats[r, g]), 0)
                if need_seats:
                    out.seat_build[(r, g)] = out.seat_build.get((r, g), 0) + need_seats
            else:
                out.unreachable += rest
                out.young_unreachable += rest if g < rules.min_grade else 0
        return out

    def _displaced_groups(self, model, school: int, grade_max: int | None) -> list[tuple[int, int, int]]:
        """(home settlement, next year's grade, pupils) who need another school next year."""
        s, c = model.schools, model.children
        pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
        g = c.grade[pupils].astype(np.int64)
        nxt = g + 1
        top = int(s.grade_max[school])
        low = int(s.grade_min[school]) if grade_max is None else grade_max + 1
        moving = (nxt <= top) & (nxt >= low)
        home = model.families.settlement[c.family[pupils]].astype(np.int64)
        homes, grades = [home[moving]], [nxt[moving]]
        if grade_max is None:
            # Next year's entrants, like this year's.
            entry = g == s.grade_min[school]
            homes.append(home[entry])
            grades.append(g[entry])
        home, grade = np.concatenate(homes), np.concatenate(grades)
        if home.size == 0:
            return []
        key, count = np.unique(home * (GRADES + 1) + grade, return_counts=True)
        return [(int(k // (GRADES + 1)), int(k % (GRADES + 1)), int(n)) for k, n in zip(key, count)]

    @staticmethod
    def _commit(chk: Check, ledger: Ledger) -> None:
        for (r, g), n in chk.taken_seats.items():
            ledger.seats[r, g] -= n
        for r, n in chk.taken_beds.items():
            ledger.beds[r] -= n

    # ---- calendar actions ------------------------------------------------------------------------
    def _departing(self, actions: list[Action]) -> set[int]:
        return {a.target for a in actions if a.kind == "close" and isinstance(a.target, int)}

    def _resolve(self, model, target) -> int | None:
        if isinstance(target, (int, np.integer)):
            return int(target)
        if isinstance(target, str):
            try:
                return layout.school_index(model, target)
            except KeyError:
                return None
        return None

    def _build(self, model, a: Action) -> None:
        cfg, s = self.config, model.schools
        if a.kind == "build":
            e: PlanBuild = a.entry
            lo, hi = e.grade_range()
            cost = cfg.new_school_cost_yuan + e.classrooms * cfg.classroom_cost_yuan + e.beds * cfg.bed_cost_yuan
            layout.open_school(model, e.name, model.settlement_names.index(e.settlement), LEVEL_CODES[e.level],
                               lo, hi, e.classrooms, e.beds, cost_yuan=cost, reason=a.key)
            self._grow(model)
            return
        school = self._resolve(model, a.target)
        if school is None or s.status[school] != OPEN:
            model.log_event("plan_skipped", -1 if school is None else school,
                            f"{a.key}: {a.kind} skipped, school {a.target!r} is not open")
            return
        if a.kind == "expand":
            n = a.entry.classrooms if isinstance(a.entry, PlanExpand) else int(a.entry)
            layout.expand_school(model, school, n, cost_yuan=n * cfg.classroom_cost_yuan, reason=a.key)
        else:
            n = a.entry.beds if isinstance(a.entry, PlanBeds) else int(a.entry)
            layout.add_beds(model, school, n, cost_yuan=n * cfg.bed_cost_yuan, reason=a.key)

    def _close(self, model, a: Action, ledger: Ledger) -> None:
        """Carry out a due closure or downgrade, re-checking the safeguards."""
        cfg, s = self.config, model.schools
        if isinstance(a.target, SchoolSelector):
            chosen = select_schools(model, a.target, exclude=self.protected | ledger.departing)
            if not chosen:
                model.log_event("plan_skipped", -1, f"{a.key}: no open school matches the selector")
            for school in chosen:
                self._close(model, Action(a.year, a.kind, a.source, a.key, school, a.receiving, a.grade_max, a.entry),
                            ledger)
            return
        school = self._resolve(model, a.target)
        receiving = self._resolve(model, a.receiving)
        if school is None or s.status[school] != OPEN:
            model.log_event("plan_skipped", -1 if school is None else school,
                            f"{a.key}: {a.kind} skipped, school {a.target!r} is not open")
            return
        if school in self.protected:
            model.log_event("closure_waits", school, f"{s.name[school]!r} is protected ({a.key})")
            return
        if a.kind == "downgrade" and not (s.grade_min[school] <= a.grade_max < s.grade_max[school]):
            model.log_event("plan_skipped", school, f"{a.key}: {s.name[school]!r} already teaches up to "
                                                    f"grade {s.grade_max[school]}")
            return
        limited = a.source != "plan"
        if limited and self.limited_this_year >= cfg.max_closures_per_year:
            a.year = model.year + 1
            self.queue.append(a)
            model.log_event("closure_waits", school, f"{s.name[school]!r} ({a.source}) waits: at most "
                                                     f"{cfg.max_closures_per_year} closures a year")
            return
        grade_max = a.grade_max if a.kind == "downgrade" else None
        if a.source != "plan" or cfg.plan_safeguards:
            ledger.departing.discard(school)
            chk = self.check(model, school, grade_max, receiving, ledger, model.year)
            if not chk.ok:
                ledger.departing.add(school)
                if a.source == "plan" or a.source == "optimise":
                    self._shortfall(model, school, chk, a.source, delay_to=model.year)
                    a.year = model.year + 1
                    self.queue.append(a)
                else:  # a rule decision that no longer fits: decided again at the year end
                    model.log_event("closure_waits", school, f"{s.name[school]!r} ({a.source}) waits: {chk.reason()}")
                return
            self._commit(chk, ledger)
            if receiving is None:
                receiving = chk.main_receiver
            allocation = chk.allocation
        else:
            allocation = []
        ledger.departing.add(school)
        pupils = np.flatnonzero((model.children.school == school) & (model.children.status == ENROLLED))
        entry_grade = int(s.grade_min[school]) if a.kind == "close" else None
        if a.kind == "close":
            layout.close_school(model, school, receiving, reason=a.key)
        else:
            layout.downgrade_school(model, school, a.grade_max, receiving, reason=a.key)
        send_as_allocated(model, school, pupils, allocation, entry_grade)
        self.below[school] = 0
        if limited:
            self.limited_this_year += 1

    # ---- restore ------------------------------------------------------------------------------------
    def _restore_due(self, model) -> None:
        due = [a for a in self.queue if a.kind == "restore" and a.year <= model.year]
        if due:
            self.queue = [a for a in self.queue if a not in due]
        for a in due:
            self._restore(model, a)

    def _restore(self, model, a: Action) -> None:
        """Reopen the closed schools ``a``'s selector finds needed (see :func:`restore_needs`)."""
        cfg, scn = self.config, model.scenario
        e: PlanRestore = a.entry
        limit = e.select.max_commute_min
        if limit is None:
            limit = cfg.young_max_commute_min
        if limit is None:
            limit = scn.access.commute_limit_min.primary
        needs = restore_needs(model, e.select, e.grade_max, limit)
        if not needs:
            model.log_event("plan_skipped", -1, f"{a.key}: restore: no closed school is needed (none of the selected "
                                                f"levels and tiers has {e.select.min_far_pupils} or more pupils of grades "
                                                f"1-{e.grade_max} in its settlement commuting over {limit:g} min)")
            return
        level = LEVEL_CODES[e.as_level]
        for n in needs:
            # Rooms for the settlement's young pupils at the standard class cap (multigrade: the
            # grades share the rooms), at least one.
            rooms = max(1, math.ceil(n.most_in_a_grade * e.grade_max / scn.schools.class_cap.primary))
            why = (f"{a.key}: {n.far_pupils} of {n.young_pupils} pupils of grades 1-{e.grade_max} in "
                   f"{model.settlement_names[n.settlement]!r} commute over {limit:g} min, mean {n.mean_commute_min:.0f}")
            layout.reopen_school(model, n.school, level, e.grade_max, rooms,
                                 cost_yuan=rooms * cfg.restore_classroom_cost_yuan, reason=why)
            self.protected.add(n.school)
            self.below[n.school] = 0
            self.last_intake[n.school] = model.year

    # ---- optimise ---------------------------------------------------------------------------------
    def _optimise(self, model) -> None:
        cfg = self.config
        self.optimised = True
        closures = []
        for stage in cfg.optimise.stages:
            choice = choose_layout(model, stage, cfg.optimise, self.protected)
            kept = int(choice.result.open.sum())
            model.log_event(
                "optimise", -1,
                f"{stage}: keep {kept} of {choice.result.open.size} schools, close {len(choice.closures)}; "
                f"cost {choice.objective:,.0f} yuan/yr vs {choice.current_objective:,.0f} now "
                f"(travel {choice.result.travel_cost:,.0f}, fixed {choice.result.fixed_cost:,.0f}); {choice.result.status}",
            )
            closures += choice.closures
        pupils = pupils_by_grade(model).sum(axis=1)
        closures.sort(key=lambda sr: pupils[sr[0]])
        per_year = max(cfg.max_closures_per_year, 1)
        for k, (school, receiving) in enumerate(closures):
            self.queue.append(Action(model.year + k // per_year, "close", "optimise", "policies.consolidation.optimise",
                                     target=school, receiving=receiving))

    # ---- alternate-year intake ---------------------------------------------------------------------
    def _alternate_intake(self, model) -> None:
        ai, s = self.config.alternate_intake, model.schools
        pupils = pupils_by_grade(model).sum(axis=1)
        levels = [LEVEL_CODES[x] for x in ai.levels]
        tiers = [TIER_CODES[x] for x in ai.tiers]
        small = ((s.status == OPEN) & np.isin(s.level, levels) & np.isin(s.tier, tiers) & (s.grade_min == 1)
                 & (pupils < ai.max_pupils))
        close = small & (self.last_intake == model.year - 1)
        s.intake_closed[close] = s.intake_closed[close] | 2
        s.intake_closed[~close] = s.intake_closed[~close] & ~2
        self.last_intake[~close] = model.year
        for r in np.flatnonzero(close):
            model.log_event("intake_closed", int(r), f"{s.name[r]!r} ({pupils[r]} pupils) takes no grade 1 in "
                                                     f"{model.year} (一年级隔年招生); next intake {model.year + 1}")

    # ---- bookkeeping ------------------------------------------------------------------------------------
    def _grow(self, model) -> None:
        n = model.schools.n
        if self.below.size < n:
            self.below = np.concatenate([self.below, np.zeros(n - self.below.size, dtype=np.int64)])
            self.last_intake = np.concatenate([self.last_intake, np.full(n - self.last_intake.size, -9999)])

    def _report(self, model, classes) -> None:
        c = model.children
        displaced = c.displaced_year == model.year
        if displaced.any():
            placed = int((displaced & (c.status == ENROLLED)).sum())
            model.log_event(
                "displaced_outcome", -1,
                f"{int(displaced.sum())} displaced pupils: {placed} enrolled, "
                f"{model.counts.no_place_displaced} without a place, "
                f"{model.counts.dropped_displaced} dropped out",
            )
        log_cost_breakdown(model, classes)


TIER_CODES_BY_CODE = {v: k for k, v in TIER_CODES.items()}


def send_as_allocated(model, school: int, pupils: np.ndarray, allocation: list, entry_grade: int | None) -> None:
    """Send each displaced pupil to the school the safeguard check found a seat (and bed) at:
    ``children.sent_to``, which gives the pupil top priority there at the next placement and
    waives the county-town hukou check (the county's transfer, 分流安置). ``allocation`` lists
    (home settlement, next grade, school, pupils); pupils beyond it keep the closure's
    receiving school. Rows for ``entry_grade`` are this year's entrants of the closed school's
    area (children about to enter that grade who would have gone to ``school``): they are sent
    too, but are not displaced."""
    c, s = model.children, model.schools
    pupils = pupils[c.displaced_year[pupils] == model.year]
    if not allocation:
        return
    home = model.families.settlement[c.family[pupils]].astype(np.int64)
    grade = c.grade[pupils].astype(np.int64) + 1
    if entry_grade is not None:
        if entry_grade == 1:
            age = model.year - c.birth_year
            new = np.flatnonzero((c.status == PRESCHOOL) & (age >= model.scenario.demography.school_entry_age))
        else:
            new = np.flatnonzero((c.status == ENROLLED) & (c.grade == entry_grade - 1))
            at = np.maximum(c.school[new], 0)
            new = new[s.grade_max[at] < entry_grade]
        new_home = model.families.settlement[c.family[new]].astype(np.int64)
        keep = np.isin(new_home, [h for h, g, _, _ in allocation if g == entry_grade])
        pupils = np.concatenate([pupils, new[keep]])
        home = np.concatenate([home, new_home[keep]])
        grade = np.concatenate([grade, np.full(int(keep.sum()), entry_grade, dtype=np.int64)])
    taken = np.zeros(pupils.size, dtype=bool)
    for h, g, r, n in allocation:
        rows = np.flatnonzero((home == h) & (grade == g) & ~taken)[:n]
        c.sent_to[pupils[rows]] = r
        taken[rows] = True


def log_cost_breakdown(model, classes) -> None:
    """Log this year's county cost by item once a year (event ``cost_breakdown``), from
    whichever layout policy reviews first. The items add up to ``cost_total``."""
    if model.counts.cost_breakdown_logged:
        return
    model.counts.cost_breakdown_logged = True
    from sim.behaviour.schools import teacher_counts

    k, s, c = model.scenario.costs, model.schools, model.children
    cs = classes
    teachers, _ = teacher_counts(model)
    enrolled = c.status == ENROLLED
    primary = int((enrolled & (c.grade <= PRIMARY_TOP_GRADE)).sum())
    junior = int(enrolled.sum()) - primary
    items = {
        "salaries": float(teachers.sum() * k.teacher_salary_yuan),
        "per_pupil": float(primary * k.per_pupil_yuan.primary + junior * k.per_pupil_yuan.junior),
        "per_school": float((s.status == OPEN).sum() * k.per_school_yuan),
        "per_class": float(cs.classes.sum() * k.per_class_yuan),
        "boarders": float((enrolled & c.boarding).sum() * k.per_boarder_yuan),
        "construction": float(model.counts.construction_yuan),
        "buses": float(model.counts.bus_yuan),
        "boarding_extra": float(model.counts.boarding_extra_yuan),
    }
    model.log_event("cost_breakdown", -1, "; ".join(f"{name} {v:,.0f}" for name, v in items.items())
                    + f"; total {sum(items.values()):,.0f} yuan")
