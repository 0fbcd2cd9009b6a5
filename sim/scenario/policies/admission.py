"""Admission (``[policies.admission]``): catchment, hukou barrier, class caps.

Catchment (就近划片), the hukou/points barrier, class caps, a migrant-admission target.
Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to
calibrate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.schema_base import Float, PolicyBlock, Share


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
        "primary, 50 junior, facts.md), catchment pupils included: the county places the "
        "overflow in the nearest school with a seat (分流); 'tolerated': catchment pupils are "
        "admitted by right beyond any cap (大班额), others up to schools.max_class_size.",
    )
    hukou_barrier: Float | None = Field(
        None, ge=0, le=1, description="Replaces admission.hukou_barrier while in force."
    )
    migrant_public_target: Float | None = Field(
        None,
        ge=0,
        le=1,
        description="Target share of migrant children in public schools (优质均衡: ≥ 85%, "
        "facts.md): at the end of each year in force, migrant children at county-town schools "
        "over them plus this year's refused migrant children; while below target the barrier "
        "is lowered by barrier_step.",
    )
    barrier_step: Float = Field(
        0.05, gt=0, le=1, description="Yearly cut of the barrier while the target is missed."
    )
    dropout_return_rate: Share | None = Field(
        None,
        description="控辍保学: replaces choice.dropout_return_rate (yearly chance a dropout of "
        "compulsory age returns to school) while in force; campaigns that trace every dropout "
        "raise it (assumption: set by the scenario).",
    )
