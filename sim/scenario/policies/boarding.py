"""Boarding (寄宿制; ``[policies.boarding]``): beds, who may board, costs, young boarders.

Money is yuan, times are minutes; "facts.md" is ``shared/data/facts.md``; defaults marked
*assumption* are to be calibrated.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.scenario.policies.selectors import SchoolSelector, TierName
from sim.scenario.schema_base import Bool, Float, Int, PolicyBlock, Strict, Yuan


class BedExpansion(Strict):
    """Beds added in a year at a named school or at the schools a selector picks."""

    year: Int = Field(ge=1900, le=2200, description="Year the beds are ready.")
    school: str | None = Field(None, description="Name of the school.")
    select: SchoolSelector | None = Field(
        None, description="Instead of `school`: schools picked by level and tier."
    )
    beds: Int | None = Field(None, ge=1, le=20_000, description="Beds added per school.")
    share_of_pupils: Float | None = Field(
        None,
        gt=0,
        le=2,
        description="Instead of `beds`: raise beds to this share of the school's pupils (no beds "
        "removed).",
    )

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.school is None) == (self.select is None):
            raise ValueError("give exactly one of 'school' (a name) and 'select' (a selector)")
        if (self.beds is None) == (self.share_of_pupils is None):
            raise ValueError("give exactly one of 'beds' and 'share_of_pupils'")
        return self


class BoardingPolicyConfig(PolicyBlock):
    """Boarding (寄宿制): beds, who may board, costs, and a wellbeing penalty for young boarders."""

    min_grade: Int | None = Field(
        None,
        ge=1,
        le=9,
        description="Lowest grade that may board while the policy is in force (empty: "
        "boarding.min_grade, 4: grades 1-3 do not board, 2012 and 2018 rules, facts.md).",
    )
    threshold_min: Float | None = Field(
        None,
        ge=0,
        le=600,
        description="Commute above which a pupil may board at a school with beds (minutes; "
        "empty: boarding.threshold_min); beds are planned for every such pupil (需住尽住), "
        "whether or not the family chooses to board.",
    )
    fee_yuan: Yuan | None = Field(
        None,
        description="Cost of boarding to a family (yuan/yr; empty: boarding.fee_yuan, 1,157 in a "
        "2012 survey).",
    )
    young_penalty: Float = Field(
        1.0,
        ge=0,
        le=20,
        description="Utility lost by boarding below penalty_below_grade: families weigh the worse "
        "nutrition, growth and test scores of young boarders (REAP studies 2009-2018, facts.md). "
        "Assumption.",
    )
    penalty_below_grade: Int = Field(
        5,
        ge=1,
        le=10,
        description="Boarders in grades below this carry young_penalty (REAP: worst when young).",
    )
    beds_for_need: Bool = Field(
        True,
        description="需住尽住: each year add beds at schools in `tiers` where pupils who should "
        "board (commute above the threshold, grade allowed) outnumber the beds.",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["township"],
        description="Tiers where beds_for_need builds (township central schools).",
    )
    max_new_beds_per_school: Int = Field(
        500,
        ge=0,
        le=20_000,
        description="At most this many beds built per school and year by beds_for_need (a "
        "dormitory block; assumption).",
    )
    expansion: list[BedExpansion] = Field(
        default_factory=list, description="Scheduled bed expansions."
    )
    bed_cost_yuan: Yuan = Field(
        20_000.0,
        description="Construction cost of one bed (yuan; about 7 m² of dormitory; assumption).",
    )
    county_cost_per_boarder_yuan: Yuan = Field(
        0.0,
        description="Extra yearly county cost per boarder on top of costs.per_boarder_yuan "
        "(dormitory staff, 生活老师; yuan; assumption 0).",
    )
