"""Closed school buildings (闲置校舍; ``[policies.buildings]``): idle, reused or sold.

Money is yuan; "facts.md" is ``shared/data/facts.md``; *assumption* marks defaults to
calibrate.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Float, Int, PolicyBlock, Yuan


class BuildingsPolicyConfig(PolicyBlock):
    """What becomes of closed school buildings (闲置校舍)."""

    reuse_chance: Float = Field(
        0.3,
        ge=0,
        le=1,
        description="Yearly chance an idle building is put to new use (kindergarten, practice "
        "base; assumption).",
    )
    sell_after_years: Int | None = Field(
        3,
        ge=0,
        le=50,
        description="Idle this many years, a building may be sold (empty: never sold).",
    )
    sale_chance: Float = Field(
        0.3, ge=0, le=1, description="Yearly chance an idle building past that age is sold."
    )
    sale_value_yuan: Yuan = Field(
        300_000.0,
        description="Sale income of one building (yuan; counted against cost_total; assumption).",
    )
