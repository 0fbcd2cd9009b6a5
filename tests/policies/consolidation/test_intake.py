"""Alternate-year intake (一年级隔年招生): grade 1 every other year; entrants wait a year."""

from __future__ import annotations

import numpy as np

import sim
from policies.consolidation.runs import events
from sim.behaviour.choice import intake_bit
from sim.policies.consolidation import alternate_intake
from sim.scenario.policies import AlternateIntake
from sim.state import ENROLLED, OPEN, PRESCHOOL, PRIMARY, TOWNSHIP_TIER, VILLAGE_TIER, Schools


def test_alternate_year_intake_skips_grade_one_every_other_year():
    m = sim.EducationModel(sim.load_scenario("small_county", [
        "years=4", "policies.consolidation.alternate_intake.max_pupils=1000"]), seed=0)
    history = []
    for _ in range(4):
        m.step()
        m.check()
        history.append(m.schools.intake_closed.copy())
    closed = np.array([(h >> 1) & 1 for h in history])  # years x schools
    villages = np.flatnonzero((m.schools.tier == VILLAGE_TIER) & (m.schools.status == OPEN))
    assert closed[0, villages].all() and not closed[1, villages].any() and closed[2, villages].all()
    c = m.children
    # In a closed year no new grade-1 pupil entered those schools.
    entered = (c.entry_year == m.year - 1) & (c.status == ENROLLED)
    assert entered.any()
    assert events(m, "intake_closed")


def test_entrants_whose_school_skips_an_intake_wait_a_year():
    m = sim.EducationModel(sim.load_scenario("small_county", [
        "years=2", "policies.consolidation.alternate_intake.max_pupils=1000",
        'policies.consolidation.alternate_intake.tiers=["village","township","county_town"]']),
        seed=0)
    m.step()
    m.check()
    deferred = m.counts.entry_deferred
    assert deferred > 0
    c = m.children
    age = m.year - c.birth_year
    waiting = (c.status == PRESCHOOL) & (age > m.scenario.demography.school_entry_age - 1)
    assert waiting.sum() >= deferred
    m.step()  # every school takes grade 1 again: they start now
    m.check()
    assert m.counts.entry_deferred == 0


def test_small_schools_that_took_grade_one_last_year_skip_it_this_year():
    s = Schools()
    # 0: small village primary, 1: large village primary, 2: small township primary,
    # 3: small village school teaching from grade 4.
    s.add(4, level=PRIMARY, tier=np.array([VILLAGE_TIER, VILLAGE_TIER, TOWNSHIP_TIER,
                                           VILLAGE_TIER]),
          grade_min=np.array([1, 1, 1, 4]), status=OPEN)
    s.intake_closed[:] = np.array([0, intake_bit(1), intake_bit(1) | intake_bit(7), 0])
    config = AlternateIntake(max_pupils=60, tiers=["village"])
    pupils = np.array([30, 200, 30, 30])
    year = alternate_intake(s, pupils, config, last_intake=np.array([2024, 2024, 2024, 2024]),
                            year=2025)
    assert year.closed.tolist() == [True, False, False, False]
    # Closed: grade 1's bit set; the others' grade-1 bit cleared, other grades' bits kept.
    assert year.intake_closed.tolist() == [intake_bit(1), 0, intake_bit(7), 0]
    assert year.last_intake.tolist() == [2024, 2025, 2025, 2025]
    s.intake_closed[:] = year.intake_closed
    following = alternate_intake(s, pupils, config, year.last_intake, year=2026)
    assert not following.closed.any() and following.intake_closed[0] == 0
