"""School buses (``[policies.busing]``): routes from villages to schools built with PyVRP.

Money is yuan, times are minutes; "facts.md" is ``shared/data/facts.md``; defaults marked
*assumption* are to be calibrated.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.policies.selectors import TierName
from sim.scenario.schema_base import Float, Int, PolicyBlock, Seed, Yuan


class BusingConfig(PolicyBlock):
    """School buses: routes from villages to schools built each year with PyVRP."""

    bus_capacity: Int = Field(
        56, ge=1, le=56, description="Pupils per bus: at most 56 (national rule, facts.md)."
    )
    max_ride_min: Float = Field(
        40.0,
        gt=0,
        le=180,
        description="Longest ride of any pupil, from the first stop to school (minutes; commute "
        "norm ≈ 40, facts.md).",
    )
    min_distance_km: Float = Field(
        3.0,
        ge=0,
        le=100,
        description="Villages at least this far by road from a school get a bus to it (km; "
        "recommended primary service radius ≤ 3 km, facts.md).",
    )
    serve: Literal["lost_school", "all"] = Field(
        "lost_school",
        description="Whom the buses serve: 'lost_school' = settlements whose own school for the "
        "pupil's grade closed or stopped teaching it since the run began (buses for merged "
        "schools); 'all' = every settlement at least min_distance_km from its school.",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village", "township", "county_town"],
        description="Tiers of the schools served.",
    )
    grade_min: Int = Field(1, ge=1, le=9, description="Lowest grade that rides.")
    grade_max: Int = Field(9, ge=1, le=9, description="Highest grade that rides.")
    stop_minutes: Float = Field(
        1.0, ge=0, le=30, description="Minutes a bus stops at each village."
    )
    speed_factor: Float = Field(
        1.0,
        gt=0,
        le=5,
        description="Bus driving time over the riding time of travel times (above 1: slower).",
    )
    cost_per_bus_yuan: Yuan = Field(
        80_000.0,
        description="Yearly cost per bus: driver, depreciation, insurance (yuan; assumption).",
    )
    cost_per_km_yuan: Yuan = Field(3.0, description="Running cost per bus-km (yuan; assumption).")
    school_days: Int = Field(
        190,
        ge=1,
        le=366,
        description="School days a year (each with a morning and an afternoon run).",
    )
    solver_iterations: Int = Field(
        300,
        ge=1,
        le=1_000_000,
        description="PyVRP iterations per school (a fixed count keeps runs reproducible).",
    )
    seed: Seed = Field(0, description="PyVRP seed.")

    @model_validator(mode="after")
    def _grades(self):
        if self.grade_min > self.grade_max:
            raise ValueError(f"grade_min {self.grade_min} is above grade_max {self.grade_max}")
        return self
