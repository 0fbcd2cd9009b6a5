"""Admission (``[policies.admission]``): catchment, hukou barrier, class caps.

Catchment (就近划片), the hukou/points barrier, class caps, a migrant-admission target.
Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to
calibrate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.schema_base import Float, PolicyBlock


class AdmissionPolicyConfig(PolicyBlock):
    """Admission rules: catchment (就近划片), hukou/points barrier, class caps, a migrant target."""

    catchment_strictness: Float = Field(
        0.0,
        ge=0,
        le=1,
        description="Chance that a school refuses an applicant from outside its catchment (1: "
        "strict 就近划片).",
    )
    class_caps: Literal["hard", "tolerated"] = Field(
        "tolerated",
        description="'hard': no new pupil joins a grade whose classes are at the standard cap (45 "
        "primary, 50 junior, facts.md); 'tolerated': up to schools.max_class_size (大班额).",
    )
    hukou_barrier: Float | None = Field(
        None, ge=0, le=1, description="Replaces admission.hukou_barrier while in force."
    )
    migrant_public_target: Float | None = Field(
        None,
        ge=0,
        le=1,
        description="Target share of migrant children admitted to public schools (优质均衡: ≥ 85%, "
        "facts.md); while the share refused is above 1 - target the barrier is lowered each year "
        "by barrier_step.",
    )
    barrier_step: Float = Field(
        0.05, gt=0, le=1, description="Yearly cut of the barrier while the target is missed."
    )
