"""A plain per-pupil Python reference of the choice-and-assignment step (DESIGN §11).

For each pupil, one at a time: look up the candidate schools, compute every utility term with
scalar arithmetic, rank the acceptable schools, give each its priority; then run the textbook
deferred acceptance (``reference_assignment``). Given the same random draws it must give the
vectorised step's assignment exactly; it is also the baseline of the speed benchmark.
"""

from __future__ import annotations

import numpy as np
from reference_assignment import deferred_acceptance_reference

from sim.behaviour.choice import (
    _CATCHMENT_BAND,
    _CURRENT_BAND,
    _SIBLING_BAND,
    _TIME_CAP_MIN,
    ChoiceDraws,
    boarding_rules,
    catchment_of,
    free_capacity,
    intake_bit,
    utility_terms,
)
from sim.state import (
    COUNTY_TOWN_TIER,
    ENROLLED,
    NO_SCHOOL,
    PARENTS_AWAY,
    POOLS_PER_SCHOOL,
    PRIMARY_TOP_GRADE,
)


def choice_step_reference(
    model, idx, current, draws, seats, beds, town_admitted=None, catchment_by_right=True
):
    """Pool chosen by each pupil of ``idx`` (-1 none), computed pupil by pupil.

    ``current``: each pupil's school before choosing (-1 none); ``draws``: the
    ``ChoiceDraws`` the vectorised step used; ``seats``/``beds``: free capacity. A pupil's
    catchment school (划片: in the county town its zone's school) is added to its candidates
    when missing; its own, sent and (``catchment_by_right``) catchment applications are
    admitted by right beyond the seats; other schools charge the 择校 cost.
    """
    scn = model.scenario
    ch = scn.choice
    c, s, f = model.children, model.schools, model.families
    rules = boarding_rules(model)
    siblings = _sibling_schools(model)
    prefs, prios, beds_needed, rights = [], [], [], []
    for row, i in enumerate(idx.tolist()):
        grade = int(c.grade[i])
        junior = grade > PRIMARY_TOP_GRADE
        family = int(c.family[i])
        home = int(f.settlement[family])
        max_commute = (
            scn.boarding.max_commute_min.junior if junior else scn.boarding.max_commute_min.primary
        )
        beta_board = ch.beta_boarding.junior if junior else ch.beta_boarding.primary
        outside = (
            (ch.dropout_utility.junior if junior else ch.dropout_utility.primary)
            + ch.dropout_per_grade * (grade - 1)
            + float(draws.outside[row])
        )
        catchment_school = int(
            catchment_of(model, np.array([family]), np.array([home]), np.array([grade]))[0]
        )
        listed = model.candidates.schools[grade, home].tolist()
        listed.append(-1 if catchment_school in listed else catchment_school)
        options = []
        for k, school in enumerate(listed):
            if school < 0:
                continue
            away = f.status[family] == PARENTS_AWAY
            young = grade < rules.penalty_below_grade
            board_cost = (beta_board + ch.beta_fee * rules.fee_yuan
                          + rules.young_penalty * young - ch.beta_boarding_parents_away * away)

            def boards(minutes, school=school, board_cost=board_cost):
                return bool(
                    s.boarding_beds[school] > 0
                    and grade >= rules.min_grade
                    and minutes > rules.threshold_min
                    and (ch.beta_time * float(minutes) * (1 - 1 / 5) > board_cost
                         or minutes > max_commute)
                )

            commute = np.float32(model.travel.minutes[home, s.settlement[school]])
            ride = np.float32(model.bus.lookup(np.array([home]), np.array([school]))[0])
            bus = ride <= max_commute and (ride <= commute or commute > max_commute
                                           or boards(commute))
            if bus:
                commute = ride
            board = not bus and boards(commute)
            feasible = commute <= max_commute or board
            sent = int(c.sent_to[i]) >= 0 and school == int(c.sent_to[i])
            catchment = school == catchment_school
            if town_admitted is not None and s.tier[school] == COUNTY_TOWN_TIER:
                zone = catchment and home != model.county_town
                feasible = feasible and (bool(town_admitted[row]) or sent or zone)
            is_current = school == int(current[row])
            sibling = (family, school) in siblings and not (
                c.status[i] == ENROLLED
                and c.school[i] == school
                and siblings[(family, school)] == 1
            )
            time_min = float(commute) / 5.0 if board else float(commute)
            utility = 0.0
            utility += ch.beta_quality * float(s.quality[school])
            utility += -ch.beta_time * time_min
            utility += -(beta_board + ch.beta_fee * rules.fee_yuan
                         - ch.beta_boarding_parents_away * away) * board
            utility += -rules.young_penalty * (board and grade < rules.penalty_below_grade)
            utility += ch.beta_stay * is_current
            utility += ch.beta_sibling * sibling
            if not (catchment or is_current or sent):
                utility += -ch.beta_fee * ch.choice_fee_yuan
            if not feasible:
                continue
            total = utility + ch.taste_scale * float(draws.taste[row, k])
            if not total > outside:
                continue
            if draws.refusal is not None and not (catchment or is_current or sent):
                if not draws.refusal[row, k] >= model.effects.catchment_strictness:
                    continue
            band = (
                _CURRENT_BAND
                if (is_current or sent)
                else (_CATCHMENT_BAND if catchment else 2 * _CATCHMENT_BAND)
            )
            priority = (
                band
                + (0.0 if sibling else _SIBLING_BAND)
                + min(float(commute), _TIME_CAP_MIN)
                + float(draws.lottery[row, k])
            )
            intake_open = not (int(s.intake_closed[school]) & intake_bit(grade))
            right = is_current or sent or (catchment and intake_open and catchment_by_right)
            options.append(
                (
                    -total,
                    k,
                    school * POOLS_PER_SCHOOL + grade,
                    priority,
                    school if board else -1,
                    right,
                )
            )
        options.sort(key=lambda o: (o[0], o[1]))  # best first; equal utilities keep candidate order
        prefs.append([o[2] for o in options])
        prios.append([o[3] for o in options])
        beds_needed.append([o[4] for o in options])
        rights.append([o[5] for o in options])
    width = max([len(p) for p in prefs] + [1])
    pad = lambda rows, fill: np.array([r + [fill] * (width - len(r)) for r in rows])  # noqa: E731
    return deferred_acceptance_reference(
        pad(prefs, -1),
        pad(prios, 0.0),
        seats,
        bed_pool=pad(beds_needed, -1),
        bed_capacity=beds,
        by_right=pad(rights, False),
    )


def _sibling_schools(model) -> dict[tuple[int, int], int]:
    """(family, school) -> number of the family's children enrolled there."""
    c = model.children
    counts: dict[tuple[int, int], int] = {}
    for i in np.flatnonzero((c.status == ENROLLED) & (c.school >= 0)).tolist():
        key = (int(c.family[i]), int(c.school[i]))
        counts[key] = counts.get(key, 0) + 1
    return counts


def everyone_chooses(model, town_barrier: float | None = None):
    """Free every pupil's seat and return (idx, current, t, draws, seats, beds, admitted)."""
    c = model.children
    idx = np.flatnonzero(c.status == ENROLLED)
    current = c.school[idx].copy()
    c.school[idx] = NO_SCHOOL
    c.boarding[idx] = False
    c.bus[idx] = False
    admitted = None if town_barrier is None else model.rng.random(idx.size) >= town_barrier
    t = utility_terms(model, idx, current=current, town_admitted=admitted)
    draws = ChoiceDraws.draw(model.rng, t["utility"].shape, model.effects.catchment_strictness > 0)
    seats, beds = free_capacity(model)
    return idx, current, t, draws, seats, beds, admitted
