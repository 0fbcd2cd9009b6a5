"""What consolidation has decided and not yet done: pending actions, nominees, decisions.

A :class:`PendingAction` waits in the policy's queue until the calendar phase of its year; a
:class:`Nominee` is a school a year-end mode (rule, upper-grade merging) proposes to close or
downgrade; a :class:`Decision` is what became of a nominee.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, NamedTuple

from sim.scenario.policies import PlanEntry, RestoreSelector, SchoolSelector

ActionKind = Literal["close", "downgrade", "build", "expand", "add_beds", "restore"]
ActionSource = Literal["plan", "rule", "optimise", "upper_grade_merge"]
ClosingKind = Literal["close", "downgrade"]

CLOSING_KINDS: tuple[ActionKind, ...] = ("close", "downgrade")
BUILDING_KINDS: tuple[ActionKind, ...] = ("build", "expand", "add_beds")


@dataclass
class PendingAction:
    """An action waiting for the calendar phase of ``year``.

    Attributes
    ----------
    year : int
        The school year it acts in (moved on when it must wait).
    kind : ActionKind
        close, downgrade, build (a new school), expand (classrooms), add_beds or restore.
    source : ActionSource
        Which mode decided it: plan, rule, optimise or upper_grade_merge.
    key : str
        The scenario key or reason it came from, for events.
    target : int, str, SchoolSelector, RestoreSelector or None
        A school row, a school name (resolved when it acts: a plan may build the school
        first), or a selector that picks the schools when it acts.
    receiving : int, str or None
        The school that receives the pupils of a closure (row or name), if named.
    grade_max : int or None
        The top grade a downgrade keeps (a restore: the top grade it teaches).
    entry : PlanEntry or None
        The plan entry it came from.
    amount : int or None
        Classrooms or beds to build, for the builds the safeguards order (先建后撤).
    """

    year: int
    kind: ActionKind
    source: ActionSource
    key: str
    target: int | str | SchoolSelector | RestoreSelector | None = None
    receiving: int | str | None = None
    grade_max: int | None = None
    entry: PlanEntry | None = None
    amount: int | None = None


class Nominee(NamedTuple):
    """A school a year-end mode proposes to close, or to downgrade to ``grade_max``."""

    school: int
    kind: ClosingKind
    grade_max: int | None
    source: ActionSource


class Decision(enum.Enum):
    """What became of a nominee at the year end."""

    SCHEDULED = "scheduled"  # it closes (or is downgraded) next year: the safeguards hold
    BUILDS = "builds"  # classrooms or beds are built first (先建后撤); decided again later
    WAITS = "waits"  # the safeguards fail and nothing is built: decided again next year
