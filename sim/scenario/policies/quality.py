"""Lifting weak schools (``[policies.quality]``): groups, remote classrooms, funding.

School groups (集团化办学), remote synchronous classrooms (同步课堂), per-pupil funding.
Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to
calibrate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.schema_base import MAX_SCHOOL_PUPILS, Bool, Float, Int, PolicyBlock


class QualityPolicyConfig(PolicyBlock):
    """Lifting weak schools: school groups (集团化办学), remote synchronous classrooms, funding."""

    groups: Literal["none", "township", "county"] = Field(
        "township",
        description="School groups: 'township' — each township's central school leads its village "
        "schools; 'county' — county-town schools also lead the township central schools; 'none'.",
    )
    group_uplift_rate: Float = Field(
        0.2,
        ge=0,
        le=1,
        description="Share of the quality gap to the group's leading school closed each year "
        "(assumption).",
    )
    remote_classrooms: Bool = Field(
        True, description="Remote synchronous classrooms (同步课堂) in small rural schools."
    )
    remote_coverage_floor: Float = Field(
        0.8,
        ge=0,
        le=1,
        description="Subject coverage (开齐开足) a small school reaches at least with remote "
        "classrooms (assumption).",
    )
    small_school_pupils: Int = Field(
        100,
        ge=0,
        le=MAX_SCHOOL_PUPILS,
        description="Remote classrooms go to rural schools under this many pupils (small-scale "
        "school, facts.md).",
    )
    extra_funding_yuan_per_pupil: Float = Field(
        0.0, ge=0, le=50_000, description="Extra yearly funding per pupil in rural schools (yuan)."
    )
    quality_per_1000_yuan: Float = Field(
        0.03,
        ge=0,
        le=1,
        description="Quality target raised per 1,000 yuan of extra funding per pupil (assumption).",
    )
