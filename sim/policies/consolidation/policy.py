"""The consolidation policy and its hooks (the modes and safeguards: the package docstring).

Calendar phase (``on_year_start``): the optimised layout is chosen in its year; due builds,
then due closures and downgrades (plan first, then rule and upper-grade merging, then
optimise; each re-checked by the safeguards), then due restorations; then this year's
alternate-year intake. Policy review (``on_year_end``): the rule and upper-grade merging
nominate schools, and each nominee is scheduled for next year, builds first or waits.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sim.behaviour import layout
from sim.behaviour.choice import boarding_rules, intake_bit
from sim.behaviour.schools import ClassStructure, pupils_by_grade
from sim.policies.base import Policy, register
from sim.policies.common import check_name, log_cost_breakdown, select_schools
from sim.policies.consolidation.actions import (
    BUILDING_KINDS,
    CLOSING_KINDS,
    ActionSource,
    Decision,
    Nominee,
    PendingAction,
)
from sim.policies.consolidation.inputs import (
    displaced_groups,
    reach,
    receiving_capacity,
    safeguard_limits,
    young_pupils,
)
from sim.policies.consolidation.intake import alternate_intake
from sim.policies.consolidation.optimise import choose_layout
from sim.policies.consolidation.plan import plan_actions
from sim.policies.consolidation.restore import needed_schools
from sim.policies.consolidation.rule import below_in_scope, review_rule
from sim.policies.consolidation.safeguards import (
    ReceivingCapacity,
    SafeguardCheck,
    check_closure,
)
from sim.policies.consolidation.transfer import send_as_allocated
from sim.policies.consolidation.upper_grades import upper_grade_nominees
from sim.scenario.policies import ConsolidationConfig, PlanBuild, SchoolSelector
from sim.scenario.schema import LEVELS
from sim.state import ENROLLED, FIRST_GRADE, OPEN, PRIMARY_TOP_GRADE, code

NO_YEAR = -9999  # a year before any run: a school that never took an intake, never had a build
CLOSURE_ORDER: dict[ActionSource, int] = {"plan": 0, "rule": 1, "upper_grade_merge": 1,
                                          "optimise": 2}  # due closures: plans first
# The block's fields a regime may replace (``ConsolidationRegime``; restore is separate).
REGIME_FIELDS = ("rule", "max_closures_per_year", "check_receiving_seats", "check_access",
                 "build_before_closing", "lower_grades_stay", "young_max_commute_min")
BUILD_AGAIN_AFTER_YEARS = 1  # no second build-first for a school within this many years


@register
class Consolidation(Policy):
    """``[policies.consolidation]``: closures, downgrades, builds and restorations.

    Parameters
    ----------
    config : ConsolidationConfig
        The scenario block.
    model : EducationModel
        The model being built (its schools and settlements at the start).

    Raises
    ------
    ScenarioError
        A protected school or a plan entry names an unknown school or settlement.

    Attributes
    ----------
    protected : set of int
        Schools never closed or downgraded (the scenario's, and restored schools).
    queue : list of PendingAction
        Actions waiting for the calendar phase of their year.
    years_below : ndarray of int
        Per school, years in a row below the rule's thresholds.
    last_intake : ndarray of int
        Per school, the last year it took grade-1 pupils.
    """

    name = "consolidation"

    def __init__(self, config: ConsolidationConfig, model) -> None:
        super().__init__(config, model)
        # ``config`` stays the scenario's block (its years are the base class's); ``regime`` is
        # the block with the regimes in force this year applied, set by each hook.
        self.regime: ConsolidationConfig = config
        for i, name in enumerate(config.protected):
            check_name(name, model.schools.name, f"policies.consolidation.protected[{i}]")
        self.protected = {layout.school_index(model, n) for n in config.protected}
        self.queue: list[PendingAction] = plan_actions(config.plan, model.schools.name,
                                                       model.settlement_names)
        # The schools the plan builds are rows from the start, status planned (other policies
        # may name them; the school panel shows them), and open in their year.
        for e in config.plan:
            if isinstance(e, PlanBuild):
                low, high = e.grade_range()
                layout.plan_school(model, e.name, model.settlement_names.index(e.settlement),
                                   code(LEVELS, e.level), low, high, e.classrooms, e.beds,
                                   year=e.year)
        self.years_below = np.zeros(model.schools.n, dtype=np.int64)
        self.last_intake = np.full(model.schools.n, model.year, dtype=np.int64)
        self.optimised = False
        self.built_for: dict[int, int] = {}  # school -> year classrooms or beds were built for it
        self.limited_this_year = 0  # closures this year that count against the yearly limit

    def acts_in(self, year: int) -> bool:
        """Whether the hooks run in ``year``: in force, or a ``restore`` entry is due.

        Restorations act in their year even after the block's end (the halt of closures is
        when schools are restored); the other modes act only while ``in_force``.
        """
        return super().acts_in(year) or any(a.kind == "restore" and a.year <= year
                                            for a in self.queue)

    # ---- hooks ---------------------------------------------------------------------------
    def on_year_start(self, model, classes: ClassStructure) -> None:
        """Carry out this year's due actions (see the module docstring).

        Out of force: withdraw in the first year after ``end_year``, then due restorations.
        """
        self.regime = self._regime(model.year)
        cfg, year = self.regime, model.year
        self._grow(model)
        if not self.in_force(year):
            if self.acted and self.withdraws_in(year):
                self.withdraw(model)
            self._restore_due(model)
            return
        self.acted = True
        self.limited_this_year = 0
        if cfg.optimise is not None and not self.optimised and year >= cfg.optimise.year:
            self._optimise(model)
        # Restorations act after the closures.
        due = [a for a in self.queue if a.year <= year and a.kind != "restore"]
        self.queue = [a for a in self.queue if a.year > year or a.kind == "restore"]
        for action in due:
            if action.kind in BUILDING_KINDS:
                self._build(model, action)
        capacity = self._receiving(model, classes)
        closures = [a for a in due if a.kind in CLOSING_KINDS]
        capacity.departing |= self._departing(closures)
        for action in sorted(closures, key=lambda a: CLOSURE_ORDER[a.source]):
            self._close(model, action, capacity)
        self._restore_due(model)
        self._restore_where_needed(model)
        if cfg.alternate_intake is not None:
            self._alternate_intake(model)

    def on_year_end(self, model, classes: ClassStructure) -> None:
        """Decide next year's closures by rule and upper-grade merging; report the year.

        The decisions follow the procedures of next year's regime (they act then).
        """
        if not self.in_force(model.year):
            return
        self.regime = self._regime(model.year + 1)
        cfg = self.regime
        self._grow(model)
        pupils = pupils_by_grade(model).sum(axis=1)
        scheduled = {a.target for a in self.queue
                     if a.kind in CLOSING_KINDS and isinstance(a.target, int)}
        budget = cfg.max_closures_per_year - sum(
            1 for a in self.queue
            if a.year == model.year + 1 and a.source != "plan" and a.kind in CLOSING_KINDS)
        capacity = self._receiving(model, classes)
        capacity.departing |= scheduled
        for nominee in self._nominees(model, pupils, classes, scheduled):
            if budget <= 0:
                break
            # Scheduling a closure, or building for one (先建后撤), uses the year's budget.
            if self._decide(model, nominee, capacity) is not Decision.WAITS:
                budget -= 1
        self._report(model, classes)

    # ---- year-end decisions --------------------------------------------------------------
    def _nominees(self, model, pupils: np.ndarray, classes: ClassStructure,
                  scheduled: set[int]) -> list[Nominee]:
        cfg, s = self.regime, model.schools
        nominees: list[Nominee] = []
        if cfg.upper_grade_merge is not None:
            nominees += upper_grade_nominees(s, pupils, cfg.upper_grade_merge,
                                             self.protected | scheduled)
        if cfg.rule is not None:
            taken = self.protected | scheduled | {n.school for n in nominees}
            review = review_rule(s, pupils, classes.classes, self.years_below, cfg.rule, taken)
            self.years_below = review.years_below
            nominees += review.nominees
        return nominees

    def _check(self, model, school: int, grade_max: int | None, receiving: int | None,
               capacity: ReceivingCapacity, year: int) -> SafeguardCheck:
        """Check closing ``school`` (or downgrading it to ``grade_max``) for ``year``."""
        limits = safeguard_limits(self.regime, model, year)
        return check_closure(displaced_groups(model, school, grade_max), school, receiving,
                             capacity, reach(model, year), limits)

    def _decide(self, model, nominee: Nominee, capacity: ReceivingCapacity) -> Decision:
        """Schedule a nominee for next year, build first, or let it wait."""
        year = model.year + 1
        school, kind, grade_max, source = nominee
        check = self._check(model, school, grade_max, None, capacity, year)
        if not check.ok and kind == "close" and self._can_keep_lower_grades(model, school, check,
                                                                             year):
            keep = boarding_rules(model, year).min_grade - 1
            lower = self._check(model, school, keep, None, capacity, year)
            if lower.ok:
                kind, grade_max, check = "downgrade", keep, lower
        if not check.ok:
            return self._shortfall(model, school, check, source, delay_to=year)
        capacity.take(check)
        capacity.departing.add(school)
        self.queue.append(PendingAction(year, kind, source, f"policies.consolidation.{source}",
                                        target=school, receiving=check.main_receiver,
                                        grade_max=grade_max))
        what = "closure" if kind == "close" else f"downgrade to grades up to {grade_max}"
        model.log_event("closure_scheduled", school,
                        f"{model.schools.name[school]!r}: {what} in {year} ({source}); "
                        f"{check.pupils} pupils to place, seats checked")
        return Decision.SCHEDULED

    def _can_keep_lower_grades(self, model, school: int, check: SafeguardCheck,
                               year: int) -> bool:
        """Tell whether the school may keep its young grades instead of closing (小学低段就近).

        It may when only pupils too young to board are out of reach.
        """
        s = model.schools
        min_grade = boarding_rules(model, year).min_grade
        keeps_up_to = min_grade - 1
        return (self.regime.lower_grades_stay and check.unreachable > 0
                and check.young_unreachable == check.unreachable
                and s.grade_min[school] == FIRST_GRADE and s.grade_max[school] >= min_grade
                and keeps_up_to >= FIRST_GRADE)

    def _shortfall(self, model, school: int, check: SafeguardCheck, source: ActionSource,
                   delay_to: int) -> Decision:
        """Build first, or log that the closure waits.

        Classrooms and beds are built at the receiving schools, ready in ``delay_to``.
        """
        recently = self.built_for.get(school, NO_YEAR) >= model.year - BUILD_AGAIN_AFTER_YEARS
        if (self.regime.build_before_closing and (check.seat_build or check.bed_build)
                and check.unreachable == 0 and not recently):
            self.built_for[school] = model.year
            self._build_first(model, school, check, delay_to, source)
            return Decision.BUILDS
        model.log_event("closure_waits", school,
                        f"{model.schools.name[school]!r} ({source}) waits: {check.reason()}")
        return Decision.WAITS

    def _build_first(self, model, school: int, check: SafeguardCheck, year: int,
                     source: ActionSource) -> None:
        """Schedule (in the calendar phase: make) the classrooms and beds ``check`` misses."""
        s, caps = model.schools, model.scenario.schools.class_cap
        rooms_per_grade: dict[int, int] = {}
        for (r, g), seats in check.seat_build.items():
            cap = caps.primary if g <= PRIMARY_TOP_GRADE else caps.junior
            rooms_per_grade[r] = max(rooms_per_grade.get(r, 0), math.ceil(seats / cap))
        rooms = {r: int(n * s.grades_served()[r]) for r, n in rooms_per_grade.items()}
        key = f"build first for {s.name[school]!r}"
        for r, n in rooms.items():
            self.queue.append(PendingAction(year, "expand", "rule", key, target=int(r), amount=n))
        for r, beds in check.bed_build.items():
            self.queue.append(PendingAction(year, "add_beds", "rule", key, target=int(r),
                                            amount=int(beds)))
        what = ", ".join([f"{n} classrooms at {s.name[r]!r}" for r, n in rooms.items()]
                         + [f"{b} beds at {s.name[r]!r}" for r, b in check.bed_build.items()])
        model.log_event("build_first", school,
                        f"{s.name[school]!r} ({source}) waits; 先建后撤: {what} ready in {year}")
        if year == model.year:  # in the calendar phase: build now
            due = [a for a in self.queue if a.year == year and a.kind in ("expand", "add_beds")]
            self.queue = [a for a in self.queue if a not in due]
            for action in due:
                self._build(model, action)

    # ---- calendar actions ----------------------------------------------------------------
    @staticmethod
    def _departing(actions: list[PendingAction]) -> set[int]:
        return {a.target for a in actions if a.kind == "close" and isinstance(a.target, int)}

    @staticmethod
    def _resolve(model, target) -> int | None:
        """Find the school row of a target given as a row or a name (None: no such school)."""
        if isinstance(target, (int, np.integer)):
            return int(target)
        if isinstance(target, str):
            try:
                return layout.school_index(model, target)
            except KeyError:
                return None
        return None

    def _build(self, model, action: PendingAction) -> None:
        """Open a planned school, or add classrooms or beds to an open one."""
        cfg = self.regime
        if action.kind == "build":
            e: PlanBuild = action.entry
            low, high = e.grade_range()
            cost = (cfg.new_school_cost_yuan + e.classrooms * cfg.classroom_cost_yuan
                    + e.beds * cfg.bed_cost_yuan)
            layout.open_school(model, e.name, model.settlement_names.index(e.settlement),
                               code(LEVELS, e.level), low, high, e.classrooms, e.beds,
                               cost_yuan=cost, reason=action.key, planned=True)
            self._grow(model)
            return
        school = self._resolve(model, action.target)
        if not self._is_open(model, action, school):
            return
        if action.kind == "expand":
            n = action.amount if action.amount is not None else action.entry.classrooms
            layout.expand_school(model, school, n, cost_yuan=n * cfg.classroom_cost_yuan,
                                 reason=action.key)
        else:
            n = action.amount if action.amount is not None else action.entry.beds
            layout.add_beds(model, school, n, cost_yuan=n * cfg.bed_cost_yuan, reason=action.key)

    @staticmethod
    def _is_open(model, action: PendingAction, school: int | None) -> bool:
        """Tell whether the action's school is open; log ``plan_skipped`` when it is not."""
        if school is not None and model.schools.status[school] == OPEN:
            return True
        model.log_event("plan_skipped", -1 if school is None else school,
                        f"{action.key}: {action.kind} skipped, school {action.target!r} is not "
                        "open")
        return False

    def _close(self, model, action: PendingAction, capacity: ReceivingCapacity) -> None:
        """Carry out a due closure or downgrade, re-checking the safeguards."""
        cfg, s = self.regime, model.schools
        if isinstance(action.target, SchoolSelector):
            self._close_selected(model, action, capacity)
            return
        school = self._resolve(model, action.target)
        receiving = self._resolve(model, action.receiving)
        if not self._may_close(model, action, school):
            return
        limited = action.source != "plan"
        if limited and self.limited_this_year >= cfg.max_closures_per_year:
            action.year = model.year + 1
            self.queue.append(action)
            model.log_event("closure_waits", school,
                            f"{s.name[school]!r} ({action.source}) waits: at most "
                            f"{cfg.max_closures_per_year} closures a year")
            return
        allocation = []
        if limited or cfg.plan_safeguards:
            check = self._recheck(model, action, school, receiving, capacity)
            if check is None:
                return
            if receiving is None:
                receiving = check.main_receiver
            allocation = check.allocation
        capacity.departing.add(school)
        pupils = np.flatnonzero((model.children.school == school)
                                & (model.children.status == ENROLLED))
        entry_grade = int(s.grade_min[school]) if action.kind == "close" else None
        if action.kind == "close":
            layout.close_school(model, school, receiving, reason=action.key)
        else:
            layout.downgrade_school(model, school, action.grade_max, receiving, reason=action.key)
        send_as_allocated(model, school, pupils, allocation, entry_grade)
        self.years_below[school] = 0
        if limited:
            self.limited_this_year += 1

    def _close_selected(self, model, action: PendingAction, capacity: ReceivingCapacity) -> None:
        """Close (or downgrade) each open school a plan entry's selector picks now."""
        chosen = select_schools(model, action.target,
                                exclude=self.protected | capacity.departing)
        if not chosen:
            model.log_event("plan_skipped", -1, f"{action.key}: no open school matches the "
                                                "selector")
        for school in chosen:
            self._close(model, dataclasses.replace(action, target=school), capacity)

    def _may_close(self, model, action: PendingAction, school: int | None) -> bool:
        """Tell whether the school may close now; log why not.

        It may when it is open, not protected and (a downgrade) teaches above the new top grade.
        """
        s = model.schools
        if not self._is_open(model, action, school):
            return False
        if school in self.protected:
            model.log_event("closure_waits", school,
                            f"{s.name[school]!r} is protected ({action.key})")
            return False
        if action.kind == "downgrade" and not (s.grade_min[school] <= action.grade_max
                                               < s.grade_max[school]):
            model.log_event("plan_skipped", school,
                            f"{action.key}: {s.name[school]!r} already teaches up to grade "
                            f"{s.grade_max[school]}")
            return False
        return True

    def _recheck(self, model, action: PendingAction, school: int, receiving: int | None,
                 capacity: ReceivingCapacity) -> SafeguardCheck | None:
        """Check a due closure again; return the check, or None when it fails.

        A failed closure builds first or waits: a plan's or optimise's a year, a rule's until
        it is decided again at the year end.
        """
        grade_max = action.grade_max if action.kind == "downgrade" else None
        capacity.departing.discard(school)
        check = self._check(model, school, grade_max, receiving, capacity, model.year)
        if check.ok:
            capacity.take(check)
            return check
        capacity.departing.add(school)
        if action.source in ("plan", "optimise"):
            self._shortfall(model, school, check, action.source, delay_to=model.year)
            action.year = model.year + 1
            self.queue.append(action)
        else:  # a year-end decision that no longer fits: decided again at the year end
            model.log_event("closure_waits", school, f"{model.schools.name[school]!r} "
                                                     f"({action.source}) waits: {check.reason()}")
        return None

    # ---- regimes -------------------------------------------------------------------------
    def _regime(self, year: int) -> ConsolidationConfig:
        """Return the block's settings in force in ``year``: its regimes applied in order.

        Each regime from its year on replaces the fields it sets (``regimes``).
        """
        settings = self.config
        for regime in sorted(self.config.regimes, key=lambda r: r.year):
            if regime.year > year:
                break
            changed = {name: getattr(regime, name) for name in REGIME_FIELDS
                       if getattr(regime, name) is not None}
            if regime.consecutive_years is not None and settings.rule is not None:
                changed["rule"] = (changed.get("rule") or settings.rule).model_copy(
                    update={"consecutive_years": regime.consecutive_years})
            settings = settings.model_copy(update=changed)
        return settings

    def _restore_where_needed(self, model) -> None:
        """Reopen the closed schools needed this year, under the latest regime that says so."""
        regimes = sorted(enumerate(self.config.regimes), key=lambda ir: ir[1].year)
        active = [(i, r) for i, r in regimes
                  if r.year <= model.year and r.restore_where_needed is not None]
        if not active:
            return
        i, regime = active[-1]
        restore = regime.restore_where_needed
        self._restore(model, PendingAction(
            model.year, "restore", "plan",
            f"policies.consolidation.regimes[{i}].restore_where_needed",
            target=restore.select, grade_max=restore.grade_max, entry=restore))

    # ---- restore -------------------------------------------------------------------------
    def _restore_due(self, model) -> None:
        due = [a for a in self.queue if a.kind == "restore" and a.year <= model.year]
        if due:
            self.queue = [a for a in self.queue if a not in due]
        for action in due:
            self._restore(model, action)

    def _restore(self, model, action: PendingAction) -> None:
        """Reopen the closed schools the entry's selector finds needed."""
        cfg, scn = self.regime, model.scenario
        e = action.entry
        limit = e.select.max_commute_min
        if limit is None:
            limit = cfg.young_max_commute_min
        if limit is None:
            limit = scn.access.commute_limit_min.primary
        needs = needed_schools(young_pupils(model, e.grade_max), model.schools,
                               len(model.settlement_names), e.select, limit)
        if not needs:
            model.log_event("plan_skipped", -1,
                            f"{action.key}: restore: no closed school is needed (none of the "
                            f"selected levels and tiers has {e.select.min_far_pupils} or more "
                            f"pupils of grades 1-{e.grade_max} in its settlement commuting over "
                            f"{limit:g} min)")
            return
        for need in needs:
            rooms = need.classrooms(e.grade_max, scn.schools.class_cap.primary)
            why = (f"{action.key}: {need.far_pupils} of {need.young_pupils} pupils of grades "
                   f"1-{e.grade_max} in {model.settlement_names[need.settlement]!r} commute over "
                   f"{limit:g} min, mean {need.mean_commute_min:.0f}")
            layout.reopen_school(model, need.school, code(LEVELS, e.as_level), e.grade_max, rooms,
                                 cost_yuan=rooms * cfg.restore_classroom_cost_yuan, reason=why)
            self.protected.add(need.school)
            self.years_below[need.school] = 0
            self.last_intake[need.school] = model.year

    # ---- optimise and intake -------------------------------------------------------------
    def _optimise(self, model) -> None:
        """Choose the layout; queue its closures, smallest first, so many a year."""
        cfg = self.regime
        self.optimised = True
        closures = []
        for stage in cfg.optimise.stages:
            choice = choose_layout(model, stage, cfg.optimise, self.protected)
            model.log_event("optimise", -1, choice.describe())
            closures += choice.closures
        pupils = pupils_by_grade(model).sum(axis=1)
        closures.sort(key=lambda closure: pupils[closure[0]])
        per_year = max(cfg.max_closures_per_year, 1)
        for k, (school, receiving) in enumerate(closures):
            self.queue.append(PendingAction(model.year + k // per_year, "close", "optimise",
                                            "policies.consolidation.optimise", target=school,
                                            receiving=receiving))

    def _alternate_intake(self, model) -> None:
        s = model.schools
        pupils = pupils_by_grade(model).sum(axis=1)
        intake = alternate_intake(s, pupils, self.regime.alternate_intake, self.last_intake,
                                  model.year)
        s.intake_closed = intake.intake_closed
        self.last_intake = intake.last_intake
        for r in np.flatnonzero(intake.closed):
            model.log_event("intake_closed", int(r),
                            f"{s.name[r]!r} ({pupils[r]} pupils) takes no grade 1 in "
                            f"{model.year} (一年级隔年招生); next intake {model.year + 1}")

    def _receiving(self, model, classes: ClassStructure) -> ReceivingCapacity:
        """Next year's free seats and beds; schools the rule could close receive nobody.

        With a ``rule``, the open schools in its scope and below its thresholds now (not
        protected) count as departing: a closure's receiving schools are not themselves
        below the closure threshold.
        """
        capacity = receiving_capacity(model)
        rule = self.regime.rule
        if rule is not None:
            pupils = pupils_by_grade(model).sum(axis=1)
            rooms = classes.classes if classes.classes.shape[0] == model.schools.n else np.zeros(0)
            small = np.flatnonzero(below_in_scope(model.schools, pupils, rooms, rule))
            capacity.departing |= {int(r) for r in small} - self.protected
        return capacity

    def withdraw(self, model) -> None:
        """Reopen every grade-1 intake alternate-year intake closed (一年级隔年招生 ends).

        Scheduled closures and builds of the rule, plans and optimise lapse with the block
        (restorations still act in their years).
        """
        s = model.schools
        bit = intake_bit(FIRST_GRADE)
        reopened = np.flatnonzero(s.intake_closed & bit)
        s.intake_closed = s.intake_closed & ~bit
        self.queue = [a for a in self.queue if a.kind == "restore"]
        model.log_event("policy_withdrawn", -1,
                        f"policies.consolidation ended in {self.config.end_year}: "
                        f"{reopened.size} grade-1 intakes reopen")

    # ---- bookkeeping ---------------------------------------------------------------------
    def _grow(self, model) -> None:
        """Extend the per-school arrays to schools opened since."""
        n = model.schools.n
        if self.years_below.size < n:
            new = n - self.years_below.size
            self.years_below = np.concatenate([self.years_below, np.zeros(new, dtype=np.int64)])
            self.last_intake = np.concatenate([self.last_intake, np.full(new, NO_YEAR)])

    @staticmethod
    def _report(model, classes: ClassStructure) -> None:
        c = model.children
        displaced = c.displaced_year == model.year
        if displaced.any():
            placed = int((displaced & (c.status == ENROLLED)).sum())
            model.log_event("displaced_outcome", -1,
                            f"{int(displaced.sum())} displaced pupils: {placed} enrolled, "
                            f"{model.counts.no_place_displaced} without a place, "
                            f"{model.counts.dropped_displaced} dropped out")
        log_cost_breakdown(model, classes)
