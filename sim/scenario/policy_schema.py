"""Scenario blocks of the policies (``[policies.<name>]``); their behaviour is in ``sim.policies``.

Layout policies (DESIGN §6; docs/policies.md): ``consolidation`` (撤点并校 / 布局调整: rule,
plan, optimise, alternate-year intake, upper-grade merging, with the plans' safeguards),
``boarding`` (寄宿制) and ``busing`` (school buses). Money is yuan, times are minutes.
"facts.md" is ``shared/data/facts.md``; defaults marked *assumption* are to be calibrated.

A plan entry or list that names a school uses its name as in the school panel (``name``
column); names are checked when the model is built (``sim.errors.ScenarioError``).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from sim.scenario.policy_schema_people import (
    AdmissionPolicyConfig,
    BuildingsPolicyConfig,
    CapacityPolicyConfig,
    QualityPolicyConfig,
    TeachersPolicyConfig,
)
from sim.scenario.schema_base import PolicyBlock, Strict

LevelName = Literal["teaching_point", "primary", "junior", "nine_year"]
TierName = Literal["village", "township", "county_town"]
StageName = Literal["primary", "junior"]
ALL_LEVELS: list = ["teaching_point", "primary", "junior", "nine_year"]


# ---- shared small blocks -----------------------------------------------------------------

class StageMinutes(Strict):
    """Minutes for primary (grades 1-6) and junior (grades 7-9) pupils."""

    primary: float = Field(gt=0, le=600, description="Minutes for primary pupils (grades 1-6).")
    junior: float = Field(gt=0, le=600, description="Minutes for junior pupils (grades 7-9).")


class SchoolSelector(Strict):
    """Schools chosen by level and tier instead of by name (names depend on the county and seed)."""

    levels: list[LevelName] = Field(
        default_factory=lambda: list(ALL_LEVELS), min_length=1,
        description="School levels to pick from (teaching_point, primary, junior, nine_year).",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village", "township"], min_length=1,
        description="School tiers to pick from (village, township, county_town).",
    )
    count: int | None = Field(
        None, ge=1, description="How many schools to pick (empty: every matching open school)."
    )
    order: Literal["smallest", "largest"] = Field(
        "smallest", description="Pick the schools with the fewest (smallest) or most (largest) pupils first."
    )


# ---- consolidation ---------------------------------------------------------------------------

class MinPupils(Strict):
    """Pupils below which a school is not kept, per level (0: the rule never closes that level)."""

    teaching_point: int = Field(
        100, ge=0,
        description="Teaching points (教学点) under this many pupils. Default 100: the small-scale rural "
        "school line (facts.md).",
    )
    primary: int = Field(
        100, ge=0, description="Primary schools under 100 pupils are merged (county plan thresholds, facts.md)."
    )
    junior: int = Field(
        600, ge=0,
        description="Junior schools under 600 pupils are not kept as independent schools (county plan, facts.md).",
    )
    nine_year: int = Field(
        600, ge=0,
        description="Nine-year schools (九年一贯制) under this many pupils (the county plan took them from 11 "
        "to 2; the junior line is used).",
    )


class RuleTiers(Strict):
    """Tiers (village, township, county_town) where the consolidation rule applies, per level."""

    teaching_point: list[TierName] = Field(default_factory=lambda: ["village", "township"], description="Teaching points.")
    primary: list[TierName] = Field(
        default_factory=lambda: ["village"],
        description="Primaries: village schools only (township central primaries receive the pupils).",
    )
    junior: list[TierName] = Field(
        default_factory=lambda: ["village", "township"],
        description="Junior schools: village and township (junior schools go to central towns, 四个集中).",
    )
    nine_year: list[TierName] = Field(default_factory=lambda: ["village", "township"], description="Nine-year schools.")


class ConsolidationRule(Strict):
    """Close (or downgrade) schools whose pupils stay below the thresholds for k consecutive years."""

    min_pupils: MinPupils = Field(default_factory=MinPupils, description="Thresholds per level (pupils).")
    min_class_size: float | None = Field(
        None, ge=0, le=100,
        description="Also count a school as small when its pupils per class average below this (the plans "
        "merge 'classes under 30'; set 30 to apply it to whole schools). Empty: off, because small "
        "grades already share multigrade classes (schools.multigrade_max) and the criterion would flag "
        "most township central primaries, the schools that receive pupils.",
    )
    consecutive_years: int = Field(
        3, ge=1, le=20,
        description="Years in a row below the threshold before a school is closed (k; 防止过急过快). "
        "1: closed the year after it first falls below (fast consolidation).",
    )
    tiers: RuleTiers = Field(
        default_factory=lambda: RuleTiers(),
        description="Tiers where the rule applies, per level. Defaults: village and township schools, but "
        "primaries only in villages (plans keep central primaries at township seats, 四个集中); "
        "county-town schools are the receiving end.",
    )
    downgrade: list[Literal["primary", "nine_year"]] = Field(
        default_factory=lambda: ["nine_year"],
        description="Levels downgraded instead of closed: a primary becomes a teaching point keeping grades "
        "1..downgrade_grade_max (小学低段就近), a nine-year school becomes a primary (grades 1-6: its junior "
        "grades merge, its primary grades stay at the township seat). Default: nine-year schools only.",
    )
    downgrade_grade_max: int = Field(
        3, ge=1, le=5,
        description="Top grade a downgraded primary keeps (plans keep grades 1-3 or 1-4 near home).",
    )


class PlanClose(Strict):
    """Close one named school (or the schools a selector picks) in a year."""

    action: Literal["close"] = Field(description="close: the school closes; its pupils are re-placed.")
    year: int = Field(ge=1900, le=2200, description="Year the closure takes effect (calendar phase).")
    school: str | None = Field(None, description="Name of the school (school panel `name`).")
    select: SchoolSelector | None = Field(None, description="Instead of `school`: schools picked by level and tier.")
    receiving: str | None = Field(
        None,
        description="Name of the school its pupils are sent to (they get catchment priority there); "
        "empty: the pupils choose among the schools in reach.",
    )

    @model_validator(mode="after")
    def _one_target(self):
        if (self.school is None) == (self.select is None):
            raise ValueError("give exactly one of 'school' (a name) and 'select' (a selector)")
        return self


class PlanDowngrade(Strict):
    """Lower the top grade of a school (e.g. a village primary keeps grades 1-3)."""

    action: Literal["downgrade"] = Field(description="downgrade: the school keeps grades up to grade_max.")
    year: int = Field(ge=1900, le=2200, description="Year the downgrade takes effect.")
    school: str | None = Field(None, description="Name of the school.")
    select: SchoolSelector | None = Field(None, description="Instead of `school`: schools picked by level and tier.")
    grade_max: int = Field(3, ge=1, le=8, description="Top grade kept (1-3 or 1-4 in the plans; 6 turns a nine-year school into a primary).")
    receiving: str | None = Field(None, description="Name of the school the upper grades are sent to.")

    @model_validator(mode="after")
    def _one_target(self):
        if (self.school is None) == (self.select is None):
            raise ValueError("give exactly one of 'school' (a name) and 'select' (a selector)")
        return self


class PlanBuild(Strict):
    """Build and open a new school."""

    action: Literal["build"] = Field(description="build: a new school opens.")
    year: int = Field(ge=1900, le=2200, description="Year the school opens.")
    name: str = Field(min_length=1, description="Name of the new school (must not be taken).")
    settlement: str = Field(min_length=1, description="Name of the settlement where it is built (e.g. 'County Town').")
    level: LevelName = Field(description="Level: teaching_point, primary, junior or nine_year.")
    grade_min: int | None = Field(None, ge=1, le=9, description="Lowest grade (empty: by level: 1, 1, 7, 1).")
    grade_max: int | None = Field(None, ge=1, le=9, description="Top grade (empty: by level: 3, 6, 9, 9).")
    classrooms: int = Field(ge=1, le=500, description="Classrooms (spread evenly over the grades).")
    beds: int = Field(0, ge=0, le=20_000, description="Boarding beds.")

    @model_validator(mode="after")
    def _grades(self):
        lo, hi = self.grade_range()
        if lo > hi:
            raise ValueError(f"grade_min {lo} is above grade_max {hi}")
        return self

    def grade_range(self) -> tuple[int, int]:
        default = {"teaching_point": (1, 3), "primary": (1, 6), "junior": (7, 9), "nine_year": (1, 9)}[self.level]
        return (self.grade_min or default[0], self.grade_max or default[1])


class PlanExpand(Strict):
    """Add classrooms to a school."""

    action: Literal["expand"] = Field(description="expand: classrooms are added.")
    year: int = Field(ge=1900, le=2200, description="Year the classrooms are ready.")
    school: str = Field(description="Name of the school.")
    classrooms: int = Field(ge=1, le=500, description="Classrooms added.")


class PlanBeds(Strict):
    """Add boarding beds to a school."""

    action: Literal["add_beds"] = Field(description="add_beds: boarding beds are added.")
    year: int = Field(ge=1900, le=2200, description="Year the beds are ready.")
    school: str = Field(description="Name of the school.")
    beds: int = Field(ge=1, le=20_000, description="Beds added.")


class RestoreSelector(Strict):
    """Closed schools chosen during the run where a school is needed (恢复教学点 "where needed").

    A closed school is a candidate when its building stands idle (not reused or sold), no open
    school in its settlement teaches grade 1, and at least ``min_far_pupils`` young pupils
    (grades 1 to the entry's ``grade_max``) living in its settlement now have a day commute
    above ``max_commute_min`` (a boarder counts with its trip home). At most one school per
    settlement is restored (the one closed last).
    """

    levels: list[Literal["teaching_point", "primary"]] = Field(
        default_factory=lambda: ["teaching_point", "primary"], min_length=1,
        description="Levels the closed school had (teaching_point, primary).",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village"], min_length=1,
        description="School tiers to pick from (village, township, county_town).",
    )
    count: int | None = Field(
        None, ge=1, description="At most this many schools (empty: every closed school where one is needed)."
    )
    order: Literal["far_pupils", "mean_commute"] = Field(
        "far_pupils",
        description="Most needed first: 'far_pupils' = most young pupils of the settlement commuting beyond the "
        "limit (ties: longer mean commute); 'mean_commute' = longest mean commute of the settlement's young "
        "pupils (ties: more far pupils).",
    )
    min_far_pupils: int = Field(
        5, ge=1, le=10_000,
        description="Young pupils of the settlement with a commute beyond the limit needed before its school is "
        "restored (pupils; assumption: no teaching point for fewer than 5).",
    )
    max_commute_min: float | None = Field(
        None, gt=0, le=600,
        description="Commute above which a young pupil counts as far (minutes; empty: "
        "policies.consolidation.young_max_commute_min, else access.commute_limit_min.primary, 40). The 2012 "
        "and 2018 rules say young pupils walk no more than about 30 (facts.md).",
    )


class PlanRestore(Strict):
    """Reopen closed schools where they are needed (国办发〔2012〕48号: 恢复教学点 where needed).

    Which schools is decided in the year of the entry, from where young pupils live and how far
    they travel then (``select``); the reopened school teaches grades 1..``grade_max``, has
    rooms for the young pupils of its settlement, and is staffed by the teachers phase's hiring.
    """

    action: Literal["restore"] = Field(description="restore: closed schools reopen where needed.")
    year: int = Field(
        ge=1900, le=2200,
        description="Year the schools reopen (calendar phase; not before the scenario's start_year). Acts in "
        "that year even outside the consolidation block's start_year..end_year (a halt of closures is when "
        "schools are restored).",
    )
    select: RestoreSelector = Field(
        default_factory=RestoreSelector, description="Which closed schools: where needed (see its fields)."
    )
    as_level: Literal["teaching_point", "primary"] = Field(
        "teaching_point", description="Level of the reopened school: teaching_point (grades up to 5) or primary (1-6)."
    )
    grade_max: int = Field(
        3, ge=1, le=6,
        description="Top grade taught after reopening (grades 1..grade_max; 3 for a teaching point of the lower "
        "grades, 小学低段就近; 6 for a primary).",
    )

    @model_validator(mode="after")
    def _level_and_grades(self):
        if self.as_level == "teaching_point" and self.grade_max > 5:
            raise ValueError(f"grade_max {self.grade_max}: a teaching point teaches at most grades 1-5 "
                             "(use as_level = 'primary' for grades 1-6)")
        if self.as_level == "primary" and self.grade_max != 6:
            raise ValueError(f"grade_max {self.grade_max}: a primary teaches grades 1-6 "
                             "(use as_level = 'teaching_point' for fewer grades)")
        return self


PlanEntry = Annotated[Union[PlanClose, PlanDowngrade, PlanBuild, PlanExpand, PlanBeds, PlanRestore],
                      Field(discriminator="action")]


class OptimiseConfig(Strict):
    """Choose which schools to keep by a capacitated facility-location MILP (scipy.optimize.milp).

    Minimise yearly pupil travel (pupil-minutes x a value of time) plus school fixed costs,
    subject to seats per grade and a maximum commute; the schools not kept are closed as a
    plan, at most ``max_closures_per_year`` a year, smallest first. A p-median with size
    limits of the kind Dai et al. (2016) used for Yanqing (facts.md).
    """

    year: int = Field(ge=1900, le=2200, description="Year the layout is chosen and the first closures take effect.")
    stages: list[StageName] = Field(
        default_factory=lambda: ["primary", "junior"], min_length=1,
        description="Stages optimised: primary (teaching points and primaries are candidates; nine-year schools "
        "are kept and count as capacity) and junior (junior schools).",
    )
    fixed_cost_yuan: float = Field(
        300_000.0, ge=0,
        description="Yearly cost of keeping a school open (yuan): the per-school cost plus the teachers a small "
        "school needs beyond its pupils' share (about 3 salaries; assumption).",
    )
    time_cost_yuan_per_minute: float = Field(
        63.0, ge=0,
        description="Yearly cost of one pupil's one-way daily commute minute (yuan): 2 trips x 190 school days x "
        "10 yuan/hour (assumption).",
    )
    max_commute_min: StageMinutes | None = Field(
        None, description="Longest commute a pupil may be assigned (minutes; empty: boarding.max_commute_min)."
    )
    keep_tiers: list[TierName] = Field(
        default_factory=lambda: ["county_town"], description="Tiers whose schools are always kept."
    )
    capacity: Literal["standard", "hard"] = Field(
        "standard",
        description="Seats per grade: 'standard' = rooms x class cap (45/50, no 大班额), 'hard' = rooms x "
        "schools.max_class_size.",
    )
    candidates_per_settlement: int = Field(
        10, ge=1, le=100, description="Nearest candidate schools considered per settlement (keeps the MILP small)."
    )
    time_limit_s: float = Field(30.0, gt=0, le=3600, description="Time limit of the MILP solver (seconds).")


class AlternateIntake(Strict):
    """一年级隔年招生: tiny schools take grade-1 pupils only every other year.

    In a closed year the school's grade-1 intake is shut; entrants whose nearest school it is
    go elsewhere if they can, else start school a year later with the next cohort.
    """

    max_pupils: int = Field(50, ge=1, description="Schools with fewer pupils than this alternate their intake.")
    tiers: list[TierName] = Field(default_factory=lambda: ["village"], description="Tiers where it applies.")
    levels: list[LevelName] = Field(
        default_factory=lambda: ["teaching_point", "primary"], description="Levels where it applies."
    )


class UpperGradeMerge(Strict):
    """高年级合班 / 低段就近: small village primaries keep their lower grades; the upper grades
    move to a central school (usually the township central primary, with beds if far)."""

    max_pupils: int = Field(100, ge=1, description="Primaries with fewer pupils than this keep only lower grades.")
    keep_grade_max: int = Field(3, ge=1, le=5, description="Top grade kept locally (plans: grades 1-3 or 1-4).")
    tiers: list[TierName] = Field(default_factory=lambda: ["village"], description="Tiers where it applies.")


class ConsolidationConfig(PolicyBlock):
    """School consolidation (撤点并校 / 布局调整) with the plans' safeguards.

    Modes combine: ``rule`` (thresholds for k years), ``plan`` (an explicit schedule),
    ``optimise`` (facility location), ``alternate_intake`` and ``upper_grade_merge``. The
    safeguards: receiving seats must exist (else the closure waits, or builds first: 先建后撤),
    every displaced pupil must have a school in reach (a commute within the limit, a bed or
    a bus), at most ``max_closures_per_year`` closures and downgrades a year (防止过急过快),
    ``protected`` schools are never closed, lower grades stay near home (小学低段就近).
    """

    rule: ConsolidationRule | None = Field(None, description="Threshold rule (empty: no rule-based closures).")
    plan: list[PlanEntry] = Field(
        default_factory=list,
        description="Explicit schedule of closures, downgrades, builds, expansions, beds and restorations.")
    optimise: OptimiseConfig | None = Field(None, description="Facility-location layout (empty: not used).")
    alternate_intake: AlternateIntake | None = Field(None, description="Alternate-year grade-1 intake (empty: off).")
    upper_grade_merge: UpperGradeMerge | None = Field(None, description="Upper grades to the central school (empty: off).")
    protected: list[str] = Field(default_factory=list, description="Names of schools never closed or downgraded.")
    max_closures_per_year: int = Field(
        2, ge=0, le=10_000,
        description="At most this many closures and downgrades a year by rule, optimise and upper-grade "
        "merging (防止过急过快; explicit plan entries are not limited). Assumption.",
    )
    check_receiving_seats: bool = Field(
        True,
        description="Safeguard (无学上): close only when schools in reach have free seats per grade (and beds for "
        "pupils who must board) for every displaced pupil; else wait or build first.",
    )
    check_access: bool = Field(
        True,
        description="Safeguard (上学难): every displaced pupil needs a school within the commute limit, or a bed "
        "(grade >= the boarding minimum), or a bus; else the closure waits (or becomes a downgrade).",
    )
    build_before_closing: bool = Field(
        True,
        description="先建后撤: when receiving seats or beds are missing, build them (classrooms, beds) and close a "
        "year later; false: the closure waits.",
    )
    lower_grades_stay: bool = Field(
        True,
        description="小学低段就近: when only pupils too young to board cannot reach another school, downgrade the "
        "primary to a teaching point instead of closing it.",
    )
    max_commute_min: StageMinutes | None = Field(
        None,
        description="Commute limit of the access safeguard (minutes; empty: access.commute_limit_min, 40 "
        "primary / 60 junior).",
    )
    young_max_commute_min: float | None = Field(
        None, gt=0, le=600,
        description="Commute limit for pupils below the boarding minimum grade (minutes; the 2012 and 2018 rules "
        "say young pupils walk no more than about 30, facts.md). Empty: the primary limit.",
    )
    plan_safeguards: bool = Field(
        True, description="Apply the seat and access safeguards to plan and optimise closures too."
    )
    classroom_cost_yuan: float = Field(
        300_000.0, ge=0,
        description="Construction cost of one classroom with its share of the building (yuan; about 100 m² at "
        "3,000 yuan/m²; assumption).",
    )
    bed_cost_yuan: float = Field(
        20_000.0, ge=0, description="Construction cost of one boarding bed (yuan; about 7 m² of dormitory; assumption)."
    )
    new_school_cost_yuan: float = Field(
        5_000_000.0, ge=0,
        description="Construction cost of a new school besides its classrooms and beds (site, offices, sports "
        "ground; yuan; assumption).",
    )
    restore_classroom_cost_yuan: float = Field(
        150_000.0, ge=0,
        description="Refurbishing a closed school's idle building to reopen it (plan action restore), per "
        "classroom reopened (yuan; half of classroom_cost_yuan: the shell stands, roof, windows, wiring, desks "
        "and toilets are redone; assumption).",
    )


# ---- boarding ---------------------------------------------------------------------------------

class BedExpansion(Strict):
    """Beds added in a year at a named school or at the schools a selector picks."""

    year: int = Field(ge=1900, le=2200, description="Year the beds are ready.")
    school: str | None = Field(None, description="Name of the school.")
    select: SchoolSelector | None = Field(None, description="Instead of `school`: schools picked by level and tier.")
    beds: int | None = Field(None, ge=1, le=20_000, description="Beds added per school.")
    share_of_pupils: float | None = Field(
        None, gt=0, le=2,
        description="Instead of `beds`: raise beds to this share of the school's pupils (no beds removed).",
    )

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.school is None) == (self.select is None):
            raise ValueError("give exactly one of 'school' (a name) and 'select' (a selector)")
        if (self.beds is None) == (self.share_of_pupils is None):
            raise ValueError("give exactly one of 'beds' and 'share_of_pupils'")
        return self


class BoardingPolicyConfig(PolicyBlock):
    """Boarding (寄宿制): beds, who may board, costs, and a wellbeing penalty for young boarders."""

    min_grade: int | None = Field(
        None, ge=1, le=9,
        description="Lowest grade that may board while the policy is in force (empty: boarding.min_grade, 4: "
        "grades 1-3 do not board, 2012 and 2018 rules, facts.md).",
    )
    threshold_min: float | None = Field(
        None, ge=0, le=600,
        description="Commute above which a pupil boards at a school with beds (minutes; empty: boarding.threshold_min).",
    )
    fee_yuan: float | None = Field(
        None, ge=0, description="Cost of boarding to a family (yuan/yr; empty: boarding.fee_yuan, 1,157 in a 2012 survey)."
    )
    young_penalty: float = Field(
        1.0, ge=0, le=20,
        description="Utility lost by boarding below penalty_below_grade: families weigh the worse nutrition, "
        "growth and test scores of young boarders (REAP studies 2009-2018, facts.md). Assumption.",
    )
    penalty_below_grade: int = Field(
        5, ge=1, le=10, description="Boarders in grades below this carry young_penalty (REAP: worst when young)."
    )
    beds_for_need: bool = Field(
        True,
        description="需住尽住: each year add beds at schools in `tiers` where pupils who should board (commute above "
        "the threshold, grade allowed) outnumber the beds.",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["township"], description="Tiers where beds_for_need builds (township central schools)."
    )
    max_new_beds_per_school: int = Field(
        500, ge=0, le=20_000, description="At most this many beds built per school and year by beds_for_need (a dormitory block; assumption)."
    )
    expansion: list[BedExpansion] = Field(default_factory=list, description="Scheduled bed expansions.")
    bed_cost_yuan: float = Field(
        20_000.0, ge=0, description="Construction cost of one bed (yuan; about 7 m² of dormitory; assumption)."
    )
    county_cost_per_boarder_yuan: float = Field(
        0.0, ge=0,
        description="Extra yearly county cost per boarder on top of costs.per_boarder_yuan (dormitory staff, "
        "生活老师; yuan; assumption 0).",
    )


# ---- busing --------------------------------------------------------------------------------------

class BusingConfig(PolicyBlock):
    """School buses: routes from villages to schools built each year with PyVRP."""

    bus_capacity: int = Field(56, ge=1, le=56, description="Pupils per bus: at most 56 (national rule, facts.md).")
    max_ride_min: float = Field(
        40.0, gt=0, le=180,
        description="Longest ride of any pupil, from the first stop to school (minutes; commute norm ≈ 40, facts.md).",
    )
    min_distance_km: float = Field(
        3.0, ge=0, le=100,
        description="Villages at least this far by road from a school get a bus to it (km; recommended primary "
        "service radius ≤ 3 km, facts.md).",
    )
    serve: Literal["lost_school", "all"] = Field(
        "lost_school",
        description="Whom the buses serve: 'lost_school' = settlements whose own school for the pupil's grade "
        "closed or stopped teaching it since the run began (buses for merged schools); 'all' = every settlement "
        "at least min_distance_km from its school.",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village", "township", "county_town"], description="Tiers of the schools served."
    )
    grade_min: int = Field(1, ge=1, le=9, description="Lowest grade that rides.")
    grade_max: int = Field(9, ge=1, le=9, description="Highest grade that rides.")
    stop_minutes: float = Field(1.0, ge=0, le=30, description="Minutes a bus stops at each village.")
    speed_factor: float = Field(
        1.0, gt=0, le=5, description="Bus driving time over the riding time of travel times (above 1: slower)."
    )
    cost_per_bus_yuan: float = Field(
        80_000.0, ge=0, description="Yearly cost per bus: driver, depreciation, insurance (yuan; assumption)."
    )
    cost_per_km_yuan: float = Field(3.0, ge=0, description="Running cost per bus-km (yuan; assumption).")
    school_days: int = Field(190, ge=1, le=366, description="School days a year (each with a morning and an afternoon run).")
    solver_iterations: int = Field(
        300, ge=1, le=1_000_000, description="PyVRP iterations per school (a fixed count keeps runs reproducible)."
    )
    seed: int = Field(0, ge=0, description="PyVRP seed.")

    @model_validator(mode="after")
    def _grades(self):
        if self.grade_min > self.grade_max:
            raise ValueError(f"grade_min {self.grade_min} is above grade_max {self.grade_max}")
        return self


class PoliciesConfig(Strict):
    """The policies in force; a block left out is a policy not applied.

    Policies run in the order of these fields: consolidation acts first in the calendar
    phase, so boarding and busing see the new layout.
    """

    consolidation: ConsolidationConfig | None = Field(None, description="School consolidation (docs/policies.md).")
    boarding: BoardingPolicyConfig | None = Field(None, description="Boarding beds and rules (docs/policies.md).")
    busing: BusingConfig | None = Field(None, description="School buses (docs/policies.md).")
    teachers: TeachersPolicyConfig | None = Field(None, description="Teacher posts, rotation and subsidy (docs/policies.md).")
    admission: AdmissionPolicyConfig | None = Field(None, description="Who may enrol where; class caps (docs/policies.md).")
    capacity: CapacityPolicyConfig | None = Field(None, description="Seats built to norms in growing places (docs/policies.md).")
    quality: QualityPolicyConfig | None = Field(None, description="School groups, remote classrooms, funding (docs/policies.md).")
    buildings: BuildingsPolicyConfig | None = Field(None, description="What becomes of closed buildings (docs/policies.md).")
