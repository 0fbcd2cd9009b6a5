"""Consolidation (撤点并校 / 布局调整; ``[policies.consolidation]``) and its safeguards.

The threshold rule, facility-location optimise, alternate-year intake and upper-grade merging
(DESIGN §6, docs/policies.md); the plan's entries are in
:mod:`sim.scenario.policies.consolidation_plan`. Money is yuan, times are minutes; "facts.md"
is ``shared/data/facts.md``; defaults marked *assumption* are to be calibrated.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.policies.consolidation_plan import PlanEntry, RestoreSelector
from sim.scenario.policies.selectors import LevelName, StageName, TierName
from sim.scenario.schema_base import MAX_SCHOOL_PUPILS, Bool, Float, Int, PolicyBlock, Strict, Yuan


class StageMinutes(Strict):
    """Minutes for primary (grades 1-6) and junior (grades 7-9) pupils."""

    primary: Float = Field(gt=0, le=600, description="Minutes for primary pupils (grades 1-6).")
    junior: Float = Field(gt=0, le=600, description="Minutes for junior pupils (grades 7-9).")


class MinPupils(Strict):
    """Pupils below which a school is not kept, per level (0: the rule never closes that level)."""

    teaching_point: Int = Field(
        100,
        ge=0,
        le=MAX_SCHOOL_PUPILS,
        description="Teaching points (教学点) under this many pupils. Default 100: the small-scale "
        "rural school line (facts.md).",
    )
    primary: Int = Field(
        100,
        ge=0,
        le=MAX_SCHOOL_PUPILS,
        description="Primary schools under 100 pupils are merged (county plan thresholds, "
        "facts.md).",
    )
    junior: Int = Field(
        600,
        ge=0,
        le=MAX_SCHOOL_PUPILS,
        description="Junior schools under 600 pupils are not kept as independent schools (county "
        "plan, facts.md).",
    )
    nine_year: Int = Field(
        600,
        ge=0,
        le=MAX_SCHOOL_PUPILS,
        description="Nine-year schools (九年一贯制) under this many pupils (the county plan took "
        "them from 11 to 2; the junior line is used).",
    )


class RuleTiers(Strict):
    """Tiers (village, township, county_town) where the consolidation rule applies, per level."""

    teaching_point: list[TierName] = Field(
        default_factory=lambda: ["village", "township"], description="Teaching points."
    )
    primary: list[TierName] = Field(
        default_factory=lambda: ["village"],
        description="Primaries: village schools only (township central primaries receive the "
        "pupils).",
    )
    junior: list[TierName] = Field(
        default_factory=lambda: ["village", "township"],
        description="Junior schools: village and township (junior schools go to central towns, "
        "四个集中).",
    )
    nine_year: list[TierName] = Field(
        default_factory=lambda: ["village", "township"], description="Nine-year schools."
    )


class ConsolidationRule(Strict):
    """Close (or downgrade) schools whose pupils stay below the thresholds for k years in a row."""

    min_pupils: MinPupils = Field(
        default_factory=MinPupils, description="Thresholds per level (pupils)."
    )
    min_class_size: Float | None = Field(
        None,
        ge=0,
        le=100,
        description="Also count a school as small when its pupils per class average below this "
        "(the plans merge 'classes under 30'; set 30 to apply it to whole schools). Empty: off, "
        "because small grades already share multigrade classes (schools.multigrade_max) and the "
        "criterion would flag most township central primaries, the schools that receive pupils.",
    )
    consecutive_years: Int = Field(
        3,
        ge=1,
        le=20,
        description="Years in a row below the threshold before a school is closed (k; "
        "防止过急过快). 1: closed the year after it first falls below (fast consolidation).",
    )
    tiers: RuleTiers = Field(
        default_factory=lambda: RuleTiers(),
        description="Tiers where the rule applies, per level. Defaults: village and township "
        "schools, but primaries only in villages (plans keep central primaries at township seats, "
        "四个集中); county-town schools are the receiving end.",
    )
    downgrade: list[Literal["primary", "nine_year"]] = Field(
        default_factory=lambda: ["nine_year"],
        description="Levels downgraded instead of closed: a primary becomes a teaching point "
        "keeping grades 1..downgrade_grade_max (小学低段就近), a nine-year school becomes a "
        "primary (grades 1-6: its junior grades merge, its primary grades stay at the township "
        "seat). Default: nine-year schools only.",
    )
    downgrade_grade_max: Int = Field(
        3,
        ge=1,
        le=5,
        description="Top grade a downgraded primary keeps (plans keep grades 1-3 or 1-4 near "
        "home).",
    )


class OptimiseConfig(Strict):
    """Choose which schools to keep by a capacitated facility-location MILP (scipy.optimize.milp).

    Minimise yearly pupil travel (pupil-minutes x a value of time) plus school fixed costs,
    subject to seats per grade and a maximum commute; the schools not kept are closed as a
    plan, at most ``max_closures_per_year`` a year, smallest first. A p-median with size
    limits of the kind Dai et al. (2016) used for Yanqing (facts.md).
    """

    year: Int = Field(
        ge=1900,
        le=2200,
        description="Year the layout is chosen and the first closures take effect.",
    )
    stages: list[StageName] = Field(
        default_factory=lambda: ["primary", "junior"],
        min_length=1,
        description="Stages optimised: primary (teaching points and primaries are candidates; "
        "nine-year schools are kept and count as capacity) and junior (junior schools).",
    )
    fixed_cost_yuan: Yuan = Field(
        300_000.0,
        description="Yearly cost of keeping a school open (yuan): the per-school cost plus the "
        "teachers a small school needs beyond its pupils' share (about 3 salaries; assumption).",
    )
    time_cost_yuan_per_minute: Yuan = Field(
        63.0,
        description="Yearly cost of one pupil's one-way daily commute minute (yuan): 2 trips x 190 "
        "school days x 10 yuan/hour (assumption).",
    )
    max_commute_min: StageMinutes | None = Field(
        None,
        description="Longest commute a pupil may be assigned (minutes; empty: "
        "boarding.max_commute_min).",
    )
    keep_tiers: list[TierName] = Field(
        default_factory=lambda: ["county_town"], description="Tiers whose schools are always kept."
    )
    capacity: Literal["standard", "hard"] = Field(
        "standard",
        description="Seats per grade: 'standard' = rooms x class cap (45/50, no 大班额), 'hard' = "
        "rooms x schools.max_class_size.",
    )
    candidates_per_settlement: Int = Field(
        10,
        ge=1,
        le=100,
        description="Nearest candidate schools considered per settlement (keeps the MILP small).",
    )
    time_limit_s: Float = Field(
        30.0, gt=0, le=3600, description="Time limit of the MILP solver (seconds)."
    )


class AlternateIntake(Strict):
    """一年级隔年招生: tiny schools take grade-1 pupils only every other year.

    In a closed year the school's grade-1 intake is shut; entrants whose nearest school it is
    go elsewhere if they can, else start school a year later with the next cohort.
    """

    max_pupils: Int = Field(
        50,
        ge=1,
        le=MAX_SCHOOL_PUPILS,
        description="Schools with fewer pupils than this alternate their intake.",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village"], description="Tiers where it applies."
    )
    levels: list[LevelName] = Field(
        default_factory=lambda: ["teaching_point", "primary"],
        description="Levels where it applies.",
    )


class UpperGradeMerge(Strict):
    """高年级合班 / 低段就近: small village primaries keep only their lower grades.

    The upper grades move to a central school (usually the township central primary, with
    beds if far).
    """

    max_pupils: Int = Field(
        100,
        ge=1,
        le=MAX_SCHOOL_PUPILS,
        description="Primaries with fewer pupils than this keep only lower grades.",
    )
    keep_grade_max: Int = Field(
        3, ge=1, le=5, description="Top grade kept locally (plans: grades 1-3 or 1-4)."
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village"], description="Tiers where it applies."
    )


class RegimeRestore(Strict):
    """Restore closed schools where needed, every year of the regime (恢复教学点)."""

    select: RestoreSelector = Field(
        default_factory=RestoreSelector,
        description="Which closed schools, chosen each year from where young pupils live and "
        "how far they travel then (the plan's restore selector).",
    )
    as_level: Literal["teaching_point", "primary"] = Field(
        "teaching_point", description="Level of a reopened school (teaching_point or primary)."
    )
    grade_max: Int = Field(
        3,
        ge=1,
        le=5,
        description="Top grade a reopened teaching point teaches (3: grades 1-3, the grades that "
        "should not board under 国办发〔2012〕48号, facts.md).",
    )


class ConsolidationRegime(Strict):
    """From ``year`` on, the procedures change: a new national rule (e.g. 国办发〔2012〕48号).

    Every field left empty keeps the value in force before (the block's, or an earlier
    regime's). A year-end decision for next year follows the regime of next year.
    """

    year: Int = Field(ge=1900, le=2200, description="First school year of the regime.")
    rule: ConsolidationRule | None = Field(
        None, description="Replaces the threshold rule (empty: keep it)."
    )
    consecutive_years: Int | None = Field(
        None,
        ge=1,
        le=20,
        description="Replaces the rule's consecutive_years (its thresholds stay): the years below "
        "them a closure's evaluation and notice take.",
    )
    max_closures_per_year: Int | None = Field(
        None, ge=0, le=10_000, description="Replaces max_closures_per_year (0: a pause)."
    )
    check_receiving_seats: Bool | None = Field(
        None, description="Replaces check_receiving_seats."
    )
    check_access: Bool | None = Field(None, description="Replaces check_access.")
    build_before_closing: Bool | None = Field(None, description="Replaces build_before_closing.")
    lower_grades_stay: Bool | None = Field(None, description="Replaces lower_grades_stay.")
    young_max_commute_min: Float | None = Field(
        None, gt=0, le=600, description="Replaces young_max_commute_min (minutes)."
    )
    restore_where_needed: RegimeRestore | None = Field(
        None,
        description="Every year of the regime, reopen the closed schools its selector finds "
        "needed (empty: no yearly restoring).",
    )


class ConsolidationConfig(PolicyBlock):
    """School consolidation (撤点并校 / 布局调整) with the plans' safeguards.

    Modes combine: ``rule`` (thresholds for k years), ``plan`` (an explicit schedule),
    ``optimise`` (facility location), ``alternate_intake`` and ``upper_grade_merge``. The
    safeguards: receiving seats must exist (else the closure waits, or builds first: 先建后撤),
    every displaced pupil must have a school in reach (a commute within the limit, a bed or
    a bus), at most ``max_closures_per_year`` closures and downgrades a year (防止过急过快),
    ``protected`` schools are never closed, lower grades stay near home (小学低段就近).
    """

    rule: ConsolidationRule | None = Field(
        None, description="Threshold rule (empty: no rule-based closures)."
    )
    plan: list[PlanEntry] = Field(
        default_factory=list,
        description="Explicit schedule of closures, downgrades, builds, expansions, beds and "
        "restorations.",
    )
    optimise: OptimiseConfig | None = Field(
        None, description="Facility-location layout (empty: not used)."
    )
    alternate_intake: AlternateIntake | None = Field(
        None, description="Alternate-year grade-1 intake (empty: off)."
    )
    upper_grade_merge: UpperGradeMerge | None = Field(
        None, description="Upper grades to the central school (empty: off)."
    )
    protected: list[str] = Field(
        default_factory=list, description="Names of schools never closed or downgraded."
    )
    max_closures_per_year: Int = Field(
        2,
        ge=0,
        le=10_000,
        description="At most this many closures and downgrades a year by rule, optimise and "
        "upper-grade merging (防止过急过快; explicit plan entries are not limited). Assumption.",
    )
    check_receiving_seats: Bool = Field(
        True,
        description="Safeguard (无学上): close only when schools in reach have free seats per "
        "grade (and beds for pupils who must board) for every displaced pupil; else wait or build "
        "first.",
    )
    check_access: Bool = Field(
        True,
        description="Safeguard (上学难): every displaced pupil needs a school within the commute "
        "limit, or a bed (grade >= the boarding minimum), or a bus; else the closure waits (or "
        "becomes a downgrade).",
    )
    build_before_closing: Bool = Field(
        True,
        description="先建后撤: when receiving seats or beds are missing, build them (classrooms, "
        "beds) and close a year later; false: the closure waits.",
    )
    lower_grades_stay: Bool = Field(
        True,
        description="小学低段就近: when only pupils too young to board cannot reach another "
        "school, downgrade the primary to a teaching point instead of closing it.",
    )
    max_commute_min: StageMinutes | None = Field(
        None,
        description="Commute limit of the access safeguard (minutes; empty: "
        "access.commute_limit_min, 40 primary / 60 junior).",
    )
    young_max_commute_min: Float | None = Field(
        None,
        gt=0,
        le=600,
        description="Commute limit for pupils below the boarding minimum grade (minutes; the 2012 "
        "and 2018 rules say young pupils walk no more than about 30, facts.md). Empty: the primary "
        "limit.",
    )
    plan_safeguards: Bool = Field(
        True, description="Apply the seat and access safeguards to plan and optimise closures too."
    )
    classroom_cost_yuan: Yuan = Field(
        300_000.0,
        description="Construction cost of one classroom with its share of the building (yuan; "
        "about 100 m² at 3,000 yuan/m²; assumption).",
    )
    bed_cost_yuan: Yuan = Field(
        20_000.0,
        description="Construction cost of one boarding bed (yuan; about 7 m² of dormitory; "
        "assumption).",
    )
    new_school_cost_yuan: Yuan = Field(
        5_000_000.0,
        description="Construction cost of a new school besides its classrooms and beds (site, "
        "offices, sports ground; yuan; assumption).",
    )
    regimes: list[ConsolidationRegime] = Field(
        default_factory=list,
        description="Changes of procedure during the block's years, each from its year on (e.g. "
        "the 2012 State Council opinion's evaluation, access safeguards and restoring of "
        "teaching points). Empty: the block's settings throughout.",
    )
    restore_classroom_cost_yuan: Yuan = Field(
        150_000.0,
        description="Refurbishing a closed school's idle building to reopen it (plan action "
        "restore), per classroom reopened (yuan; half of classroom_cost_yuan: the shell stands, "
        "roof, windows, wiring, desks and toilets are redone; assumption).",
    )
