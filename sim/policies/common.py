"""Helpers several policies share (this module is not a policy).

Policies import these instead of each other (DESIGN §2: no policy reaches into another): the
check of a name a scenario gives, the schools a selector picks, the codes of level and tier
names, and the yearly cost breakdown that whichever layout policy reviews first logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from sim.behaviour.schools import ClassStructure, pupils_by_grade, teacher_counts
from sim.errors import ScenarioError
from sim.scenario.policies import SchoolSelector
from sim.scenario.schema import LEVELS, TIERS
from sim.state import ENROLLED, OPEN, PRIMARY_TOP_GRADE, code

NAMES_QUOTED = 5  # valid names an unknown-name error quotes before "..."


def check_name(name: str, known: Sequence[str], key: str, what: str = "school",
               also: Iterable[str] = ()) -> None:
    """Check that a name given in a scenario exists in the county.

    Parameters
    ----------
    name : str
        The name the scenario gives.
    known : sequence of str
        The names of the county (``model.schools.name``, ``model.settlement_names``).
    key : str
        The scenario key that gave it, for the error (``policies.consolidation.plan[2].school``).
    what : str
        What the names are ("school", "settlement"), for the error.
    also : iterable of str
        Further valid names (schools a plan will build).

    Raises
    ------
    ScenarioError
        ``name`` is neither in ``known`` nor in ``also``; the message names the key and quotes
        a few valid names.
    """
    if name in known or name in also:
        return
    quoted = ", ".join(repr(x) for x in known[:NAMES_QUOTED])
    more = ", ..." if len(known) > NAMES_QUOTED else ""
    raise ScenarioError(f"{key} = {name!r}: no {what} of that name in this county; valid names "
                        f"include {quoted}{more} ({len(known)} {what}s)")


def level_codes(names: Iterable[str]) -> list[int]:
    """Codes (``sim.state``: ``TEACHING_POINT`` ... ``NINE_YEAR``) of school level names."""
    return [code(LEVELS, name) for name in names]


def tier_codes(names: Iterable[str]) -> list[int]:
    """Codes (``sim.state``: ``VILLAGE_TIER`` ... ``COUNTY_TOWN_TIER``) of school tier names."""
    return [code(TIERS, name) for name in names]


def select_schools(model, selector: SchoolSelector, exclude: set[int] = frozenset()) -> list[int]:
    """Pick the open schools a selector describes.

    Parameters
    ----------
    model : EducationModel
        The model (its schools and this year's pupils).
    selector : SchoolSelector
        Levels, tiers, ``order`` (smallest or largest first, by pupils) and ``count``.
    exclude : set of int
        School rows never picked.

    Returns
    -------
    list of int
        School rows, ordered by pupils (ties by row), at most ``selector.count``.
    """
    s = model.schools
    matching = ((s.status == OPEN) & np.isin(s.level, level_codes(selector.levels))
                & np.isin(s.tier, tier_codes(selector.tiers)))
    ids = np.array([i for i in np.flatnonzero(matching) if i not in exclude], dtype=np.int64)
    pupils = pupils_by_grade(model).sum(axis=1)
    sign = 1 if selector.order == "smallest" else -1
    ids = ids[np.argsort(sign * pupils[ids], kind="stable")] if ids.size else ids
    return [int(i) for i in (ids if selector.count is None else ids[: selector.count])]


def log_cost_breakdown(model, classes: ClassStructure, buses_seated: bool = False) -> None:
    """Log this year's county cost by item, once a year (event ``cost_breakdown``).

    Whichever layout policy reviews the year first logs it; the items add up to
    ``cost_total``. While busing is in force (``model.effects.bus_service`` holds a service
    for this year) only its call, after it has added the buses this year's riders need
    (``buses_seated``), logs it, so that those buses are in the bill.

    Parameters
    ----------
    model : EducationModel
        The model in the policy-review phase (``model.counts`` holds this year's costs).
    classes : ClassStructure
        This year's classes (for the per-class cost).
    buses_seated : bool
        The caller is busing, after seating this year's riders.
    """
    if model.counts.cost_breakdown_logged:
        return
    if model.effects.bus_service.get(model.year) is not None and not buses_seated:
        return
    model.counts.cost_breakdown_logged = True
    k, s, c = model.scenario.costs, model.schools, model.children
    teachers, _ = teacher_counts(model)
    enrolled = c.status == ENROLLED
    primary = int((enrolled & (c.grade <= PRIMARY_TOP_GRADE)).sum())
    junior = int(enrolled.sum()) - primary
    items = {
        "salaries": float(teachers.sum() * k.teacher_salary_yuan),
        "per_pupil": float(primary * k.per_pupil_yuan.primary + junior * k.per_pupil_yuan.junior),
        "per_school": float((s.status == OPEN).sum() * k.per_school_yuan),
        "per_class": float(classes.classes.sum() * k.per_class_yuan),
        "boarders": float((enrolled & c.boarding).sum() * k.per_boarder_yuan),
        "construction": float(model.counts.construction_yuan),
        "buses": float(model.counts.bus_yuan),
        "boarding_extra": float(model.counts.boarding_extra_yuan),
    }
    listed = "; ".join(f"{name} {v:,.0f}" for name, v in items.items())
    model.log_event("cost_breakdown", -1, f"{listed}; total {sum(items.values()):,.0f} yuan")
