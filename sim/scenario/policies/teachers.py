"""Teacher staffing (``[policies.teachers]``): posts, rotation, rural subsidy.

County-held posts (县管校聘), rotation (交流轮岗) and the rural teacher subsidy.
Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to
calibrate.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Bool, Float, Int, PolicyBlock


class TeachersPolicyConfig(PolicyBlock):
    """Teacher staffing policy: county-held posts (县管校聘), rotation (交流轮岗), rural subsidy."""

    reallocation: Bool = Field(
        True,
        description="County-held posts: each year move surplus teachers to schools with vacancies.",
    )
    reallocation_share: Float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of a school's surplus teachers (over need) moved each year.",
    )
    rotation_share: Float = Field(
        0.10,
        ge=0,
        le=1,
        description="Share of eligible county-town teachers rotated to rural schools each year (≥ "
        "10%, 2014 rule, facts.md).",
    )
    rotation_backbone_share: Float = Field(
        0.20,
        ge=0,
        le=1,
        description="Backbone (骨干) teachers among those rotated, at least (≥ 20%, facts.md).",
    )
    rotation_years: Int = Field(
        3, ge=1, le=10, description="Length of a rotation term (years; assumption)."
    )
    rotation_min_experience: Float = Field(
        6.0,
        ge=0,
        le=40,
        description="Years of experience that make a teacher eligible to rotate (assumption).",
    )
    rural_subsidy_yuan_per_month: Float = Field(
        400.0,
        ge=0,
        le=10_000,
        description="Monthly subsidy to village and township teachers (yuan; one province pays "
        "400, most poor counties > 2,400 a year: facts.md).",
    )
    subsidy_effect_per_100_yuan: Float = Field(
        0.08,
        ge=0,
        le=1,
        description="Each 100 yuan a month cuts the rural hardship part of the quit chance by this "
        "share (at most 80%), and new hires' refusal of remote posts likewise. Assumption: no "
        "national elasticity is published; set so 400 yuan cuts rural attrition by about a "
        "quarter.",
    )
    quota_factor: Float | None = Field(
        None,
        gt=0,
        le=3,
        description="Replaces teachers.quota_factor (posts as a multiple of the initial need) "
        "while in force.",
    )
