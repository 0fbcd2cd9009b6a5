"""Which schools a policy entry acts on: level, tier and stage names, and a selector.

Names depend on the county and seed, so entries may pick schools by level and tier instead
(``SchoolSelector``); used by consolidation plans and boarding expansions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.schema_base import MAX_SCHOOLS, Int, Strict

LevelName = Literal["teaching_point", "primary", "junior", "nine_year"]
TierName = Literal["village", "township", "county_town"]
StageName = Literal["primary", "junior"]
ALL_LEVELS: list = ["teaching_point", "primary", "junior", "nine_year"]


class SchoolSelector(Strict):
    """Schools chosen by level and tier instead of by name (names depend on the county and seed)."""

    levels: list[LevelName] = Field(
        default_factory=lambda: list(ALL_LEVELS),
        min_length=1,
        description="School levels to pick from (teaching_point, primary, junior, nine_year).",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village", "township"],
        min_length=1,
        description="School tiers to pick from (village, township, county_town).",
    )
    count: Int | None = Field(
        None,
        ge=1,
        le=MAX_SCHOOLS,
        description="How many schools to pick (empty: every matching open school).",
    )
    order: Literal["smallest", "largest"] = Field(
        "smallest",
        description="Pick the schools with the fewest (smallest) or most (largest) pupils first.",
    )
