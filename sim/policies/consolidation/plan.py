"""The ``plan`` mode: an explicit schedule of closures, downgrades, builds and restorations.

A plan entry becomes a :class:`PendingAction` that acts in the calendar phase of its year.
Names are checked when the model is built; a school a plan builds may be named by entries
before it opens.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.errors import ScenarioError
from sim.policies.common import check_name
from sim.policies.consolidation.actions import ActionKind, PendingAction
from sim.scenario.policies import (
    PlanBeds,
    PlanBuild,
    PlanClose,
    PlanDowngrade,
    PlanEntry,
    PlanExpand,
    PlanRestore,
)

KIND_OF_ENTRY: dict[type, ActionKind] = {
    PlanClose: "close", PlanDowngrade: "downgrade", PlanExpand: "expand", PlanBeds: "add_beds",
}


def plan_actions(plan: Sequence[PlanEntry], school_names: Sequence[str],
                 settlement_names: Sequence[str]) -> list[PendingAction]:
    """Turn a plan's entries into pending actions, in the plan's order.

    Parameters
    ----------
    plan : sequence of PlanEntry
        ``policies.consolidation.plan``.
    school_names : sequence of str
        The county's schools at the start.
    settlement_names : sequence of str
        The county's settlements.

    Returns
    -------
    list of PendingAction
        One per entry, with source "plan" and the entry's key.

    Raises
    ------
    ScenarioError
        An entry names an unknown school (neither in the county nor built by the plan) or
        settlement, or builds a school whose name is taken.
    """
    built = tuple(e.name for e in plan if isinstance(e, PlanBuild))
    actions: list[PendingAction] = []
    built_before: list[str] = []
    for i, entry in enumerate(plan):
        key = f"policies.consolidation.plan[{i}]"
        if isinstance(entry, PlanBuild):
            if entry.name in school_names or entry.name in built_before:
                raise ScenarioError(f"{key}.name = {entry.name!r}: a school of that name already "
                                    "exists")
            check_name(entry.settlement, settlement_names, f"{key}.settlement", "settlement")
            built_before.append(entry.name)
            actions.append(PendingAction(entry.year, "build", "plan", key, entry=entry))
        elif isinstance(entry, PlanRestore):
            actions.append(PendingAction(entry.year, "restore", "plan", key, target=entry.select,
                                         grade_max=entry.grade_max, entry=entry))
        else:
            actions.append(_school_action(entry, key, school_names, built))
    return actions


def _school_action(entry: PlanEntry, key: str, school_names: Sequence[str],
                   built: tuple[str, ...]) -> PendingAction:
    """Make the action of a close, downgrade, expand or add_beds entry (names checked)."""
    school = getattr(entry, "school", None)
    receiving = getattr(entry, "receiving", None)
    if school is not None:
        check_name(school, school_names, f"{key}.school", also=built)
    if receiving is not None:
        check_name(receiving, school_names, f"{key}.receiving", also=built)
    return PendingAction(entry.year, KIND_OF_ENTRY[type(entry)], "plan", key,
                         target=school if school is not None else entry.select,
                         receiving=receiving, grade_max=getattr(entry, "grade_max", None),
                         entry=entry)
