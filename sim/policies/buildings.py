"""Buildings policy: closed schools' buildings stand idle, are reused, or are sold (闲置校舍)."""

from __future__ import annotations

import numpy as np

from sim.policies.base import Policy, register
from sim.state import BUILDING_USE, CLOSED, code

IDLE, REUSED, SOLD = (code(BUILDING_USE, use) for use in ("idle", "reused", "sold"))


@register
class BuildingsPolicy(Policy):
    """At year end every idle building may be reused; one idle long enough may be sold.

    Its sale income lowers ``cost_total``. Each change is an event.
    """

    name = "buildings"

    def year_end(self, model, classes) -> None:
        """Reuse or sell idle buildings (draws from ``model.rng``)."""
        c, s, rng = self.config, model.schools, model.rng
        idle = np.flatnonzero((s.status == CLOSED) & (s.building_use == IDLE))
        draw = rng.random(idle.size)
        reuse = idle[draw < c.reuse_chance]
        s.building_use[reuse] = REUSED
        for school in reuse:
            model.log_event("building_reused", int(school), "closed school put to new use")
        if c.sell_after_years is None:
            return
        rest = idle[draw >= c.reuse_chance]
        old = rest[model.year - s.closed_year[rest] >= c.sell_after_years]
        sold = old[rng.random(old.size) < c.sale_chance]
        s.building_use[sold] = SOLD
        model.counts.extra_cost_yuan -= c.sale_value_yuan * sold.size
        for school in sold:
            model.log_event("building_sold", int(school), f"sold for {c.sale_value_yuan:.0f} yuan")
