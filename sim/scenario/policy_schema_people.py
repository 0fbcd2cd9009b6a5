"""Scenario blocks of the people and town policies: teachers, quality, buildings, admission,
capacity (``[policies.<name>]``; behaviour in ``sim.policies``; docs/policies.md).

Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to calibrate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.schema_base import PolicyBlock, Strict


class TeachersPolicyConfig(PolicyBlock):
    """Teacher staffing policy: county-held posts (县管校聘), rotation (交流轮岗), rural subsidy."""

    reallocation: bool = Field(
        True, description="County-held posts: each year move surplus teachers to schools with vacancies."
    )
    reallocation_share: float = Field(
        0.5, ge=0, le=1, description="Share of a school's surplus teachers (over need) moved each year."
    )
    rotation_share: float = Field(
        0.10, ge=0, le=1,
        description="Share of eligible county-town teachers rotated to rural schools each year (≥ 10%, "
        "2014 rule, facts.md).",
    )
    rotation_backbone_share: float = Field(
        0.20, ge=0, le=1, description="Backbone (骨干) teachers among those rotated, at least (≥ 20%, facts.md)."
    )
    rotation_years: int = Field(3, ge=1, le=10, description="Length of a rotation term (years; assumption).")
    rotation_min_experience: float = Field(
        6.0, ge=0, le=40, description="Years of experience that make a teacher eligible to rotate (assumption)."
    )
    rural_subsidy_yuan_per_month: float = Field(
        400.0, ge=0, le=10_000,
        description="Monthly subsidy to village and township teachers (yuan; one province pays 400, "
        "most poor counties > 2,400 a year: facts.md).",
    )
    subsidy_effect_per_100_yuan: float = Field(
        0.08, ge=0, le=1,
        description="Each 100 yuan a month cuts the rural hardship part of the quit chance by this "
        "share (at most 80%), and new hires' refusal of remote posts likewise. Assumption: no "
        "national elasticity is published; set so 400 yuan cuts rural attrition by about a quarter.",
    )
    quota_factor: float | None = Field(
        None, gt=0, le=3,
        description="Replaces teachers.quota_factor (posts as a multiple of the initial need) while in force.",
    )


class QualityPolicyConfig(PolicyBlock):
    """Lifting weak schools: school groups (集团化办学), remote synchronous classrooms, funding."""

    groups: Literal["none", "township", "county"] = Field(
        "township",
        description="School groups: 'township' — each township's central school leads its village schools; "
        "'county' — county-town schools also lead the township central schools; 'none'.",
    )
    group_uplift_rate: float = Field(
        0.2, ge=0, le=1,
        description="Share of the quality gap to the group's leading school closed each year (assumption).",
    )
    remote_classrooms: bool = Field(
        True, description="Remote synchronous classrooms (同步课堂) in small rural schools."
    )
    remote_coverage_floor: float = Field(
        0.8, ge=0, le=1,
        description="Subject coverage (开齐开足) a small school reaches at least with remote classrooms (assumption).",
    )
    small_school_pupils: int = Field(
        100, ge=0, description="Remote classrooms go to rural schools under this many pupils (small-scale school, facts.md)."
    )
    extra_funding_yuan_per_pupil: float = Field(
        0.0, ge=0, le=50_000, description="Extra yearly funding per pupil in rural schools (yuan)."
    )
    quality_per_1000_yuan: float = Field(
        0.03, ge=0, le=1, description="Quality target raised per 1,000 yuan of extra funding per pupil (assumption)."
    )


class BuildingsPolicyConfig(PolicyBlock):
    """What becomes of closed school buildings (闲置校舍)."""

    reuse_chance: float = Field(
        0.3, ge=0, le=1,
        description="Yearly chance an idle building is put to new use (kindergarten, practice base; assumption).",
    )
    sell_after_years: int | None = Field(
        3, ge=0, le=50, description="Idle this many years, a building may be sold (empty: never sold)."
    )
    sale_chance: float = Field(0.3, ge=0, le=1, description="Yearly chance an idle building past that age is sold.")
    sale_value_yuan: float = Field(
        300_000.0, ge=0, description="Sale income of one building (yuan; counted against cost_total; assumption)."
    )


class StageValues(Strict):
    """A number for primary and one for junior."""

    primary: float = Field(ge=0)
    junior: float = Field(ge=0)


class AdmissionPolicyConfig(PolicyBlock):
    """Admission rules: catchment (就近划片), the hukou/points barrier, class caps, a migrant target."""

    catchment_strictness: float = Field(
        0.0, ge=0, le=1,
        description="Chance that a school refuses an applicant from outside its catchment (1: strict 就近划片).",
    )
    class_caps: Literal["hard", "tolerated"] = Field(
        "tolerated",
        description="'hard': no new pupil joins a grade whose classes are at the standard cap (45 primary, "
        "50 junior, facts.md); 'tolerated': up to schools.max_class_size (大班额).",
    )
    hukou_barrier: float | None = Field(
        None, ge=0, le=1, description="Replaces admission.hukou_barrier while in force."
    )
    migrant_public_target: float | None = Field(
        None, ge=0, le=1,
        description="Target share of migrant children admitted to public schools (优质均衡: ≥ 85%, facts.md); "
        "while the share refused is above 1 - target the barrier is lowered each year by barrier_step.",
    )
    barrier_step: float = Field(0.05, gt=0, le=1, description="Yearly cut of the barrier while the target is missed.")


class CapacityPolicyConfig(PolicyBlock):
    """Seats built to norms where residents grow (and, without the screen, where they don't)."""

    seats_per_1000: StageValues = Field(
        default_factory=lambda: StageValues(primary=80, junior=40),
        description="Seat norms per 1,000 residents: 80 primary, 40 junior (one district plan, facts.md).",
    )
    where: Literal["county_town", "towns", "everywhere"] = Field(
        "county_town", description="Settlements whose seats are planned: the county town, also township seats, or all."
    )
    residents: Literal["current", "registered"] = Field(
        "current",
        description="'current': residents follow where families live now; 'registered': the start "
        "population (plans that build for registered residents build where pupils have left).",
    )
    max_school_size: StageValues = Field(
        default_factory=lambda: StageValues(primary=1500, junior=2000),
        description="A school is not expanded beyond this many pupils' seats; a new school is built instead "
        "(new primary ≤ 1,500, junior ≤ 2,000: facts.md).",
    )
    lead_time_years: int = Field(1, ge=0, le=10, description="Years from the decision to the new classrooms' use.")
    classroom_cost_yuan: float = Field(
        600_000.0, ge=0, description="Construction cost of one classroom (yuan; assumption)."
    )
    investment_screen: bool = Field(
        True,
        description="Don't build where pupils are leaving: build only if the projected pupils of the place in "
        "screen_horizon_years fill the new seats to screen_min_utilisation.",
    )
    screen_horizon_years: int = Field(5, ge=1, le=20, description="Horizon of the cohort projection (years).")
    screen_min_utilisation: float = Field(0.6, ge=0, le=2, description="Projected pupils over seats needed to build.")
