"""Capacity (``[policies.capacity]``): seats built to norms, school size caps.

Seats per 1,000 residents, size caps, and the screen against building where pupils leave.
Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to
calibrate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.schema_base import (
    Bool,
    Float,
    Int,
    PolicyBlock,
    StageSchoolSize,
    StageSeatNorms,
    Yuan,
)


class CapacityPolicyConfig(PolicyBlock):
    """Seats built to norms where residents grow (and, without the screen, where they don't)."""

    seats_per_1000: StageSeatNorms = Field(
        default_factory=lambda: StageSeatNorms(primary=80, junior=40),
        description="Seat norms per 1,000 residents: 80 primary, 40 junior (one district plan, "
        "facts.md).",
    )
    where: Literal["county_town", "towns", "everywhere"] = Field(
        "county_town",
        description="Settlements whose seats are planned: the county town, also township seats, or "
        "all.",
    )
    residents: Literal["current", "registered"] = Field(
        "current",
        description="'current': residents follow where families live now; 'registered': the start "
        "population (plans that build for registered residents build where pupils have left).",
    )
    max_school_size: StageSchoolSize = Field(
        default_factory=lambda: StageSchoolSize(primary=1500, junior=2000),
        description="A school is not expanded beyond this many pupils' seats; a new school is "
        "built instead (new primary ≤ 1,500, junior ≤ 2,000: facts.md).",
    )
    lead_time_years: Int = Field(
        1,
        ge=1,
        le=10,
        description="School years from the decision to the new classrooms' first use: decided "
        "at the end of year Y, built and used from year Y + lead_time_years. At least 1, "
        "because the decision is taken after the year's classes formed: the earliest "
        "classrooms can serve pupils is the next school year (0 is refused, not read as 1).",
    )
    classroom_cost_yuan: Yuan = Field(
        600_000.0, ge=0, description="Construction cost of one classroom (yuan; assumption)."
    )
    investment_screen: Bool = Field(
        True,
        description="Don't build where pupils are leaving: build only if the projected pupils of "
        "the place in screen_horizon_years fill the new seats to screen_min_utilisation.",
    )
    screen_horizon_years: Int = Field(
        5, ge=1, le=20, description="Horizon of the cohort projection (years)."
    )
    screen_min_utilisation: Float = Field(
        0.6, ge=0, le=2, description="Projected pupils over seats needed to build."
    )
