"""EducationModel: builds the county and runs one school year per step (DESIGN §5)."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from sim.agents import Family, School, Teacher
from sim.behaviour import (
    choice,
    demography,
    incomes,
    layout,
    migration,
    placement,
    schools,
    teachers,
)
from sim.behaviour.schools import ClassStructure
from sim.metrics import EVENT_COLUMNS, collect
from sim.policies import build_policies
from sim.rows import rows_marked
from sim.scenario import Scenario
from sim.seeds import replicate_rng, world_rng
from sim.state import (
    COUNTY_TOWN,
    ENROLLED,
    OPEN,
    BusRides,
    Children,
    Families,
    PolicyEffects,
    Schools,
    Settlements,
    Teachers,
    YearCounts,
    assert_consistent,
)
from sim.world import build_world


class EducationModel(mesa.Model):
    """One county, simulated school year by school year.

    Parameters
    ----------
    scenario : Scenario, optional
        The validated parameters (default: ``Scenario()``, the embedded default).
    seed : int, optional
        The root seed (default: the scenario's ``seed``).
    replicate : int, default 0
        The replicate's index: its random numbers derive from ``seed`` and this index.

    Attributes
    ----------
    scenario : Scenario
        The validated parameters.
    seed, replicate : int
        The root seed and the replicate's index.
    year : int
        The current school year (the year before ``start_year`` until the first step).
    world : World
        Settlements, roads and initial schools.
    travel : TravelTimes
        The commute matrix.
    settlements, families, children, schools, teachers : Table
        The state tables (``sim.state``).
    settlement_names : list of str
        Settlement names, by settlement index.
    county_town : int
        Index of the county town's settlement.
    classes : ClassStructure
        The latest year's classes (set once a year by ``form_classes``; phases and policies
        receive it as an argument).
    counts : YearCounts
        What this year's phases counted.
    bus : BusRides
        Bus service (ride minutes from a settlement to a school), set by policies.
    effects : PolicyEffects
        What policies publish, for behaviour and for each other.
    policies : list of Policy
        The policies of the scenario, in the order their hooks run.
    candidates : Candidates
        Candidate schools per settlement and grade (rebuilt by :meth:`layout_changed`).
    teacher_quota : int
        The county's teacher quota (编制), fixed when the schools are first staffed.
    initially_unplaced : int
        Children without a feasible school before the first step (they start out of school).
    county_rows, school_panels, events : list
        What each year recorded: county metrics (one dict a year), school panels (one
        DataFrame a year) and events ``(year, kind, school_id, detail)``.
    """

    def __init__(
        self, scenario: Scenario | None = None, seed: int | None = None, replicate: int = 0
    ):
        scenario = scenario or Scenario()
        self.seed = scenario.seed if seed is None else int(seed)
        self.replicate = int(replicate)
        # Family and Teacher rows whose agents are not made yet (see _create_pending_agents).
        self._pending_agents: list[tuple[type[mesa.Agent], np.ndarray]] = []
        super().__init__(rng=replicate_rng(self.seed, self.replicate))
        self.scenario = scenario
        self.year = scenario.start_year - 1
        self.counts = YearCounts()
        self.county_rows: list[dict] = []
        self.school_panels: list[pd.DataFrame] = []
        self.events: list[tuple] = []
        self.bus = BusRides()
        self.effects = PolicyEffects()
        self._build_world()
        self.policies = build_policies(self)
        demography.initial_population(self)
        if scenario.migration.enabled:
            migration.initial_migrants(self)
        self.candidates = choice.build_candidates(self)
        self._initial_placement()

    # ---- the yearly step -------------------------------------------------------------
    def step(self) -> None:
        """One school year: the phases of DESIGN §5, in order."""
        self.year += 1
        self.counts = YearCounts()
        self.calendar(self.classes)
        entrants = self.demography()
        movers = self.migration()
        needing, returning = self.placement(entrants, movers)
        self.choice_and_assignment(needing, returning)
        classes = self.form_classes()
        self.staffing(classes)
        self.school_quality(classes)
        self.policy_review(classes)
        self.record_metrics(classes)

    def calendar(self, last_year_classes: ClassStructure) -> None:
        """Scheduled actions take effect (openings, closures, expansions, routes).

        Parameters
        ----------
        last_year_classes : ClassStructure
            The previous year's classes, for the policies' ``on_year_start`` hooks.
        """
        for policy in self.policies:
            if policy.acts_in(self.year):
                policy.on_year_start(self, last_year_classes)

    def demography(self) -> np.ndarray:
        """Incomes on their paths, then births, ageing, progression, completion.

        Returns
        -------
        numpy.ndarray
            Children-table row indices of this year's grade-1 entrants.
        """
        incomes.grow_incomes(self)
        demography.births_phase(self)
        return demography.progression_phase(self)["entrants"]

    def migration(self) -> np.ndarray:
        """Family moves (stay, to town, parents away, leave, return).

        A real no-op when ``migration.enabled`` is false.

        Returns
        -------
        numpy.ndarray
            Children-table row indices of the enrolled children whose family moved.
        """
        return migration.migration_phase(self)

    def placement(
        self, entrants: np.ndarray, movers: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who needs a school this year; the others may drop out of their current school.

        Parameters
        ----------
        entrants : numpy.ndarray
            Children-table row indices of this year's grade-1 entrants.
        movers : numpy.ndarray
            Children-table row indices of the children whose family moved.

        Returns
        -------
        needing : numpy.ndarray
            Children-table row indices of the children who choose a school this year,
            returning dropouts among them.
        returning : numpy.ndarray
            Of those, the dropouts who return this year (counted in ``counts.returned_dropouts``).
        """
        needing = placement.needing_placement(self, entrants, movers)
        continuing_mask = self.children.status == ENROLLED
        continuing_mask[needing] = False
        continuing = np.flatnonzero(continuing_mask)
        demography.drop_out(self, choice.continuing_dropout(self, continuing))
        returning = placement.returning_dropouts(self)
        self.counts.returned_dropouts += int(returning.size)
        return rows_marked(self.children.n, needing, returning), returning

    def choice_and_assignment(self, needing: np.ndarray, returning: np.ndarray) -> None:
        """County-town admission check, then rank candidates and assign by deferred acceptance.

        Pupils without a seat at any acceptable school are placed at their catchment school
        (counted in ``counts.without_place``, 无学上); only the outside option makes a dropout.
        Returning dropouts do not take the outside option this year.

        Parameters
        ----------
        needing : numpy.ndarray
            Children-table row indices of the children who choose a school this year.
        returning : numpy.ndarray
            Of those, the dropouts who return this year.
        """
        choice.refresh_county_town(self)
        needing, admitted = migration.town_admission(self, needing)
        outcome = choice.assign(
            self, needing, town_admitted=admitted, returning=np.isin(needing, returning)
        )
        demography.drop_out(self, outcome["dropped"])
        demography.leave_out_of_reach(self, outcome["out_of_reach"])
        self.counts.without_place += int(outcome["without_place"].size)

    def form_classes(self) -> ClassStructure:
        """Classes per grade, with multigrade classes (复式班), once a year.

        Every later phase of the year reads this one structure.

        Returns
        -------
        ClassStructure
            The year's classes (also kept as ``self.classes``).
        """
        self.classes = schools.class_structure(self)
        return self.classes

    def staffing(self, classes: ClassStructure) -> None:
        """Teachers (DESIGN §5.6): retirement, attrition, staffing need, hiring within the quota.

        Parameters
        ----------
        classes : ClassStructure
            The year's classes (from :meth:`form_classes`).
        """
        result = teachers.teachers_phase(self, classes)
        self.counts.quit_rural += result["quit_rural"]
        self.counts.rural_teachers_at_start += result["rural_at_start"]
        if result["hired"]:
            self.log_event(
                "hiring", -1, f"hired {result['hired']} teachers; quota {self.teacher_quota}"
            )

    def school_quality(self, classes: ClassStructure) -> None:
        """Schools (DESIGN §5.7): quality for the year from staffing, coverage and class size.

        Parameters
        ----------
        classes : ClassStructure
            The year's classes (from :meth:`form_classes`).
        """
        schools.update_quality(self, classes)

    def policy_review(self, classes: ClassStructure) -> None:
        """Year-end decisions of rule-based policies (closures, beds, routes).

        Parameters
        ----------
        classes : ClassStructure
            The year's classes (from :meth:`form_classes`).
        """
        for policy in self.policies:
            if policy.acts_in(self.year):
                policy.on_year_end(self, classes)

    def record_metrics(self, classes: ClassStructure) -> None:
        """One row of county metrics and one row per school.

        Parameters
        ----------
        classes : ClassStructure
            The year's classes (from :meth:`form_classes`).
        """
        county, panel = collect(self, classes)
        self.county_rows.append(county)
        self.school_panels.append(panel)

    # ---- set-up ------------------------------------------------------------------------
    def _build_world(self) -> None:
        scn = self.scenario
        self.world = build_world(scn, world_rng(self.seed))
        self.travel = self.world.travel
        w = self.world
        self.settlements = Settlements(w.n_settlements)
        self.settlements.add(
            w.n_settlements,
            kind=w.settlement_kind,
            township=w.settlement_township,
            x_km=w.x_km,
            y_km=w.y_km,
            population=w.population,
        )
        self.settlement_names = list(w.settlement_name)
        self.county_town = int(np.flatnonzero(w.settlement_kind == COUNTY_TOWN)[0])
        n_children = int(scn.county.residents * 0.2)
        self.families = Families(n_children)
        self.children = Children(n_children)
        self.schools = Schools(w.n_schools)
        self.teachers = Teachers(w.n_schools * 20)
        rows = self.schools.add(
            w.n_schools,
            settlement=w.school_settlement,
            level=w.school_level,
            tier=w.school_tier,
            grade_min=w.school_grade_min,
            grade_max=w.school_grade_max,
            classrooms=w.school_classrooms,
            boarding_beds=w.school_beds,
            status=OPEN,
        )
        self.schools.name.extend(str(n) for n in w.school_name)
        self.add_school_agents(rows)

    def _initial_placement(self) -> None:
        """Place every pupil of the year before the first step, staff the schools, set quality."""
        enrolled = np.flatnonzero(self.children.status == ENROLLED)
        outcome = choice.assign(self, enrolled)
        # Before the run nobody "drops out": children without a feasible school start out of school.
        demography.drop_out(self, np.concatenate([outcome["dropped"], outcome["out_of_reach"]]))
        # The county's rooms follow its first roll (with headroom), so hollowness comes from
        # decline, not from construction.
        layout.fit_classrooms_to_roll(self)
        structure = schools.class_structure(self)
        teachers.initial_teachers(self, structure)
        schools.update_quality(self, structure, immediate=True)
        self.classes = structure
        self.initially_unplaced = int(outcome["dropped"].size + outcome["out_of_reach"].size)

    def add_school_agents(self, rows: np.ndarray) -> None:
        """Create School agents for new school rows.

        Parameters
        ----------
        rows : numpy.ndarray
            Schools-table row indices of the new schools.
        """
        for row in rows:
            School(self, row)

    def add_family_agents(self, rows: np.ndarray) -> None:
        """Register new family rows; their Family agents are created on first access.

        Parameters
        ----------
        rows : numpy.ndarray
            Families-table row indices of the new families.
        """
        self._pending_agents.append((Family, np.asarray(rows)))

    def add_teacher_agents(self, rows: np.ndarray) -> None:
        """Register new teacher rows; their Teacher agents are created on first access.

        Parameters
        ----------
        rows : numpy.ndarray
            Teachers-table row indices of the new teachers.
        """
        self._pending_agents.append((Teacher, np.asarray(rows)))

    # Agents are views for inspection; nothing in a step reads them. Creating one Python object
    # per family and teacher inside the step would cost more than the step at 10^6 pupils, so
    # they are made when the Mesa API first asks for them (DESIGN §3).
    def _create_pending_agents(self) -> None:
        pending, self._pending_agents = self._pending_agents, []
        for agent_type, rows in pending:
            for row in rows:
                agent_type(self, int(row))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents (Mesa's ``Model.agents``), creating those not yet made."""
        self._create_pending_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        """Agents by type (Mesa's ``Model.agents_by_type``), creating those not yet made."""
        self._create_pending_agents()
        return super().agents_by_type

    def remove_all_agents(self) -> None:
        """Remove every agent (Mesa's ``Model.remove_all_agents``) and forget pending ones."""
        self._pending_agents = []
        super().remove_all_agents()

    # ---- helpers -----------------------------------------------------------------------
    def layout_changed(self) -> None:
        """Call after opening, closing or changing schools: rebuilds the candidate sets."""
        self.candidates = choice.build_candidates(self)

    def log_event(self, kind: str, school_id: int, detail: str) -> None:
        """Record an event of this year.

        Parameters
        ----------
        kind : str
            The event's kind, e.g. ``"hiring"``.
        school_id : int
            The school's row index (-1 for county-wide events).
        detail : str
            What happened, in words.
        """
        self.events.append((self.year, kind, int(school_id), detail))

    def events_frame(self) -> pd.DataFrame:
        """The events recorded so far as a table.

        Returns
        -------
        pandas.DataFrame
            One row per event; columns ``year``, ``kind``, ``school_id``, ``detail``.
        """
        return pd.DataFrame(self.events, columns=EVENT_COLUMNS)

    def check(self) -> None:
        """Assert the tables' invariants (see ``sim.state.assert_consistent``)."""
        assert_consistent(self)
