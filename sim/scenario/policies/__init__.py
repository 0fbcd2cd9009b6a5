"""Scenario blocks of the policies (``[policies.<name>]``); their behaviour is in ``sim.policies``.

One module per policy block (DESIGN §6; docs/policies.md), grouped as the plans group them:

- layout: :mod:`.consolidation` (with its plan entries in :mod:`.consolidation_plan`),
  :mod:`.boarding`, :mod:`.busing`; :mod:`.selectors` picks schools by level and tier;
- people: :mod:`.teachers`, :mod:`.admission`;
- town: :mod:`.capacity`, :mod:`.quality`, :mod:`.buildings`.

:class:`PoliciesConfig` is the ``[policies]`` table that holds them.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.policies.admission import AdmissionPolicyConfig
from sim.scenario.policies.boarding import BedExpansion, BoardingPolicyConfig
from sim.scenario.policies.buildings import BuildingsPolicyConfig
from sim.scenario.policies.busing import BusingConfig
from sim.scenario.policies.capacity import CapacityPolicyConfig
from sim.scenario.policies.consolidation import (
    AlternateIntake,
    ConsolidationConfig,
    ConsolidationRule,
    MinPupils,
    OptimiseConfig,
    RuleTiers,
    StageMinutes,
    UpperGradeMerge,
)
from sim.scenario.policies.consolidation_plan import (
    PlanBeds,
    PlanBuild,
    PlanClose,
    PlanDowngrade,
    PlanEntry,
    PlanExpand,
    PlanRestore,
    RestoreSelector,
)
from sim.scenario.policies.quality import QualityPolicyConfig
from sim.scenario.policies.selectors import (
    ALL_LEVELS,
    LevelName,
    SchoolSelector,
    StageName,
    TierName,
)
from sim.scenario.policies.teachers import TeachersPolicyConfig
from sim.scenario.schema_base import Strict

__all__ = [
    "ALL_LEVELS",
    "AdmissionPolicyConfig",
    "AlternateIntake",
    "BedExpansion",
    "BoardingPolicyConfig",
    "BuildingsPolicyConfig",
    "BusingConfig",
    "CapacityPolicyConfig",
    "ConsolidationConfig",
    "ConsolidationRule",
    "LevelName",
    "MinPupils",
    "OptimiseConfig",
    "PlanBeds",
    "PlanBuild",
    "PlanClose",
    "PlanDowngrade",
    "PlanEntry",
    "PlanExpand",
    "PlanRestore",
    "PoliciesConfig",
    "QualityPolicyConfig",
    "RestoreSelector",
    "RuleTiers",
    "SchoolSelector",
    "StageMinutes",
    "StageName",
    "TeachersPolicyConfig",
    "TierName",
    "UpperGradeMerge",
]


class PoliciesConfig(Strict):
    """The policies in force; a block left out is a policy not applied.

    Policies run in the order of these fields: consolidation acts first in the calendar
    phase, so boarding and busing see the new layout.
    """

    consolidation: ConsolidationConfig | None = Field(
        None, description="School consolidation (docs/policies.md)."
    )
    boarding: BoardingPolicyConfig | None = Field(
        None, description="Boarding beds and rules (docs/policies.md)."
    )
    busing: BusingConfig | None = Field(None, description="School buses (docs/policies.md).")
    teachers: TeachersPolicyConfig | None = Field(
        None, description="Teacher posts, rotation and subsidy (docs/policies.md)."
    )
    admission: AdmissionPolicyConfig | None = Field(
        None, description="Who may enrol where; class caps (docs/policies.md)."
    )
    capacity: CapacityPolicyConfig | None = Field(
        None, description="Seats built to norms in growing places (docs/policies.md)."
    )
    quality: QualityPolicyConfig | None = Field(
        None, description="School groups, remote classrooms, funding (docs/policies.md)."
    )
    buildings: BuildingsPolicyConfig | None = Field(
        None, description="What becomes of closed buildings (docs/policies.md)."
    )
