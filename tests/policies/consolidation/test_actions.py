"""Pending actions, nominees and decisions: plain records the policy's queue holds."""

from __future__ import annotations

import dataclasses

from sim.policies.consolidation import Decision, Nominee, PendingAction
from sim.policies.consolidation.actions import BUILDING_KINDS, CLOSING_KINDS


def test_decisions_are_three_distinct_outcomes():
    assert {d.value for d in Decision} == {"scheduled", "builds", "waits"}
    assert Decision("waits") is Decision.WAITS
    assert Decision.SCHEDULED is not Decision.BUILDS


def test_pending_actions_compare_by_value_and_move_on_when_they_wait():
    a = PendingAction(2025, "close", "rule", "policies.consolidation.rule", target=3)
    b = PendingAction(2025, "close", "rule", "policies.consolidation.rule", target=3)
    assert a == b and a in [b]  # the queue removes due actions by value
    a.year += 1  # a closure that waits acts a year later
    assert a != b
    picked = dataclasses.replace(b, target=7)
    assert picked.target == 7 and picked.kind == "close" and b.target == 3


def test_action_kinds_split_into_closing_and_building():
    assert set(CLOSING_KINDS) == {"close", "downgrade"}
    assert set(BUILDING_KINDS) == {"build", "expand", "add_beds"}
    assert not set(CLOSING_KINDS) & set(BUILDING_KINDS)


def test_a_nominee_unpacks_as_school_kind_grade_and_source():
    school, kind, grade_max, source = Nominee(4, "downgrade", 3, "upper_grade_merge")
    assert (school, kind, grade_max, source) == (4, "downgrade", 3, "upper_grade_merge")
