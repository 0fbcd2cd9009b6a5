"""Admission policy: catchment strictness (就近划片), class caps, the hukou barrier, a target.

The target is a share of migrant children (随迁子女: enrolled children of families living in
the county town) in public schools: at the end of a year in force, the county-town schools'
migrant pupils over those pupils plus the migrant children refused this year by the
points/hukou check. While it is missed, the barrier falls a step a year. A 控辍保学 lever
(``dropout_return_rate``) raises the yearly chance that dropouts return to school.

Every effect is withdrawn after ``end_year``: the knobs return to the scenario's values (no
strictness, tolerated caps, the ``[admission]`` barrier, ``choice.dropout_return_rate``).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.migration import hukou_barrier
from sim.policies.base import Policy, register
from sim.state import COUNTY_TOWN_TIER, ENROLLED, IN_TOWN


def migrant_public_share(model) -> float:
    """Share of migrant children in public (county-town) schools this year.

    Parameters
    ----------
    model : EducationModel
        The model, after this year's assignment.

    Returns
    -------
    float
        Enrolled children of families in the county town at county-town schools, over them plus
        the children refused by the county-town check this year; 1 when there are none.
    """
    c, f, s = model.children, model.families, model.schools
    enrolled = np.flatnonzero((c.status == ENROLLED) & (c.school >= 0))
    migrant = f.status[c.family[enrolled]] == IN_TOWN
    in_town_school = s.tier[c.school[enrolled]] == COUNTY_TOWN_TIER
    admitted = int((migrant & in_town_school).sum())
    refused = int(model.counts.migrant_children_refused)
    return admitted / (admitted + refused) if admitted + refused else 1.0


@register
class AdmissionPolicy(Policy):
    """Sets the admission knobs each year; lowers the barrier while the migrant target is missed.

    After ``end_year`` :meth:`withdraw` puts back the scenario's values.
    """

    name = "admission"

    def __init__(self, config, model) -> None:
        super().__init__(config, model)
        self.barrier = config.hukou_barrier

    def year_start(self, model, classes) -> None:
        """Publish the admission knobs (``model.effects``)."""
        c = self.config
        effects = model.effects
        effects.catchment_strictness = c.catchment_strictness
        effects.hard_class_caps = c.class_caps == "hard"
        effects.hukou_barrier = self.barrier
        effects.dropout_return_rate = c.dropout_return_rate

    def year_end(self, model, classes) -> None:
        """Lower the barrier a step while the migrant target is missed."""
        c = self.config
        if c.migrant_public_target is None:
            return
        share = migrant_public_share(model)
        if share < c.migrant_public_target:
            current = hukou_barrier(model)
            self.barrier = max(0.0, current - c.barrier_step)
            model.log_event("admission_barrier", -1,
                            f"migrant children in public schools {share:.1%} < target "
                            f"{c.migrant_public_target:.0%}: barrier {current:.2f} -> "
                            f"{self.barrier:.2f}")

    def withdraw(self, model) -> None:
        """Put back the no-policy knobs: no strictness, tolerated caps, the scenario's barrier."""
        effects = model.effects
        effects.catchment_strictness = 0.0
        effects.hard_class_caps = False
        effects.hukou_barrier = None
        effects.dropout_return_rate = None
