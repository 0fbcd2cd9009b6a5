"""Consolidation (撤点并校 / 布局调整): closing, merging, building and restoring schools.

Rule, plan, optimise, alternate-year intake, upper-grade merging, with the safeguards county
plans promise (DESIGN §1, §6; docs/policies.md); and the restoration of closed schools where
they are needed (恢复教学点, 国办发〔2012〕48号).

Timing. Decisions are made at the year end (policy review) and take effect in the next
year's calendar phase, before demography and placement, so displaced pupils are re-placed
in that year's placement. Plan entries act in their year's calendar phase; ``restore``
entries act in their year even outside the block's ``start_year``..``end_year`` (the other
modes do not).

One module per idea, each with one public function over plain data:

- :mod:`.policy`: the :class:`Consolidation` policy, its hooks and the order of things;
- :mod:`.plan`: :func:`plan_actions`, a plan's entries as :class:`PendingAction` s;
- :mod:`.rule`: :func:`review_rule`, schools below thresholds for k years;
- :mod:`.upper_grades`: :func:`upper_grade_nominees` (高年级合班, 低段就近);
- :mod:`.safeguards`: :func:`check_closure`, giving a :class:`SafeguardCheck`;
- :mod:`.restore`: :func:`needed_schools`, the closed schools where a school is needed;
- :mod:`.optimise`: :func:`choose_layout`, the facility-location layout of a stage, solved by
  the pure :func:`solve_facility_location` of :mod:`.solver`;
- :mod:`.intake`: :func:`alternate_intake` (一年级隔年招生);
- :mod:`.transfer`: :func:`send_as_allocated`, displaced pupils sent to their seats (分流安置);
- :mod:`.actions`: :class:`PendingAction`, :class:`Nominee`, :class:`Decision`;
- :mod:`.inputs`: the plain data the steps read from the model.

Safeguards (each a switch of the ``[policies.consolidation]`` block):

- receiving seats (无学上): the open schools in reach of the displaced pupils must have free
  seats in the grade each pupil will be in next year, and free beds for those who must board
  (pupils who would board but find no bed count as unplaced). Free seats are hard seats
  (``sim.state.seat_capacity``) less next year's expected pupils (this year's pupils moved up
  a grade), less seats already promised to other closures;
- access (上学难): every displaced pupil needs a school within the commute limit, a bed (grade
  at or above the boarding minimum), or a bus (a route serves the village, or the busing
  policy will run one: ``model.effects.bus_service``);
- build before closing (先建后撤): when seats or beds are missing, classrooms or beds are built
  at the nearest receiving school and the closure waits for the next decision; otherwise
  the closure waits (event ``closure_waits``);
- at most ``max_closures_per_year`` closures and downgrades a year by rule, optimise and
  upper-grade merging, after ``consecutive_years`` below threshold (防止过急过快);
- protected schools are never closed or downgraded;
- lower grades stay near home (小学低段就近): when only pupils too young to board cannot reach
  another school, a primary is downgraded to a teaching point instead of closed.

The boarding rules of the year checked come from the boarding policy through
``model.effects.boarding_rules`` (``sim.behaviour.choice.boarding_rules``). The schools a
plan builds are rows of the school table from the start, with status ``planned``
(``sim.behaviour.layout.plan_school``), so other policies may name them; they open in their
year.

Events: ``school_planned``, ``school_closed``, ``school_downgraded``, ``school_opened``,
``school_expanded``, ``beds_added`` (from ``sim.behaviour.layout``), ``closure_scheduled``,
``closure_waits``,
``build_first``, ``intake_closed``, ``optimise``, ``displaced_outcome``, ``cost_breakdown``,
``school_restored`` (from ``sim.behaviour.layout``), ``plan_skipped``.
"""

from sim.policies.consolidation.actions import Decision, Nominee, PendingAction
from sim.policies.consolidation.intake import IntakeYear, alternate_intake
from sim.policies.consolidation.optimise import LayoutChoice, choose_layout
from sim.policies.consolidation.plan import plan_actions
from sim.policies.consolidation.policy import Consolidation
from sim.policies.consolidation.restore import NeededSchool, YoungPupils, needed_schools
from sim.policies.consolidation.rule import RuleReview, review_rule
from sim.policies.consolidation.safeguards import (
    DisplacedGroup,
    Placement,
    Reach,
    ReceivingCapacity,
    SafeguardCheck,
    SafeguardLimits,
    check_closure,
)
from sim.policies.consolidation.solver import FacilityResult, solve_facility_location
from sim.policies.consolidation.transfer import send_as_allocated
from sim.policies.consolidation.upper_grades import upper_grade_nominees

__all__ = [
    "Consolidation",
    "Decision",
    "DisplacedGroup",
    "FacilityResult",
    "IntakeYear",
    "LayoutChoice",
    "NeededSchool",
    "Nominee",
    "PendingAction",
    "Placement",
    "Reach",
    "ReceivingCapacity",
    "RuleReview",
    "SafeguardCheck",
    "SafeguardLimits",
    "YoungPupils",
    "alternate_intake",
    "check_closure",
    "choose_layout",
    "needed_schools",
    "plan_actions",
    "review_rule",
    "send_as_allocated",
    "solve_facility_location",
    "upper_grade_nominees",
]
