"""School choice and assignment: candidate sets, utilities, priorities, deferred acceptance.

Utility of school s for pupil i (DESIGN §5)::

    U_is = b_q·Q_s − b_t·T_is − B_is·(b_board + b_fee·fee − b_away·[parents away])
           + b_stay·[s current] + b_sib·[sibling at s]
           − b_fee·choice_fee·[s outside the catchment, not current] + σ·ε_is

with ε standard Gumbel and σ = ``choice.taste_scale`` (the outside option keeps scale 1: a
nested logit with the schools one nest). ``B_is`` = 1 (the pupil boards at s) when s has beds,
the grade may board, the commute exceeds ``boarding.threshold_min`` (the school's rule), and
boarding is worth it to the family — ``b_t·T·(1 − 1/5)`` above the boarding terms
(``b_board + b_fee·fee + young penalty − b_away·[parents away]``,
``choice.beta_boarding_parents_away``) — or the day commute is beyond
``boarding.max_commute_min``; a boarder's time term counts one round trip a week (T/5). A
school beyond ``boarding.max_commute_min`` that the pupil cannot board at is infeasible. The
outside option (dropping out) has utility ``dropout_utility + dropout_per_grade·(grade−1) + ε``;
schools below it are not listed.

Catchment (划片, 就近入学): each pupil has one catchment school per grade
(:func:`catchment_of`): outside the county town, the nearest open school teaching the grade in
the pupil's township (the nearest anywhere if the township has none); in the county town, the
county-town school of the grade whose zone the family's address falls in (zones split the
town's families in proportion to the schools' classrooms). A school admits its catchment
pupils, its own pupils and pupils a closure sent there (``children.sent_to``) **by right**,
beyond its seats (that is how 大班额 forms; ``assignment.deferred_acceptance``'s
``by_right``), unless the hard-cap policy is on (``effects.hard_class_caps``: catchment pupils
then compete for the standard-cap seats and the county places the overflow, 分流). Others
(择校) take only the seats (classrooms x ``schools.max_class_size``) left, ranked by priority:
own and sent pupils, then catchment, then siblings, then travel time, then a lottery. A pupil
who finds no seat at any acceptable school is placed over capacity at its catchment school and
counted as without a place (无学上); only the outside option makes a dropout.

Layout policies (``sim.policies``) enter here through the state and the scenario:

- a bus route serving the pupil's settlement and school (``model.bus``) replaces the pupil's
  own commute by the ride when the ride is no longer, or when it spares the pupil boarding (it
  would board at its own commute) or a commute beyond the limit;
- the boarding rules of the year are those the boarding policy publishes
  (``model.effects.boarding_rules``: while it is in force its ``min_grade``, ``threshold_min``
  and ``fee_yuan`` replace those of ``[boarding]``, and boarders below its
  ``penalty_below_grade`` lose ``young_penalty`` utility; REAP evidence, facts.md): see
  :func:`boarding_rules`;
- a grade whose intake bit is set (``schools.intake_closed``) has no seats for new pupils;
  grade-1 entrants left without a school because their catchment school's grade-1 intake is
  closed (alternate-year intake, 一年级隔年招生) start school a year later instead of dropping out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.behaviour.assignment import deferred_acceptance
from sim.rows import row_any, row_gather, row_has, rows_marked
from sim.state import (
    COUNTY_TOWN_TIER,
    ENROLLED,
    FIRST_GRADE,
    GRADES,
    NO_SCHOOL,
    OPEN,
    PARENTS_AWAY,
    POOLS_PER_SCHOOL,
    PRESCHOOL,
    PRIMARY_TOP_GRADE,
    seat_capacity,
    stage_of_grade,
)

__all__ = ["deferred_acceptance", "Candidates", "build_candidates", "refresh_county_town",
           "catchment_of", "utility_terms", "rank_options", "assign", "continuing_dropout",
           "BoardingRules", "boarding_rules", "intake_bit"]

SCHOOL_DAYS_A_WEEK = 5.0  # a boarder commutes once a week: its time term is T / 5
LOGIT_EXPONENT_CAP = 50  # |U_current - U_outside| beyond this gives p = 0 or 1 (no overflow)
NOT_ENTERED = -1  # ``children.entry_year`` of a child not yet in grade 1
# A family's place in the county-town zones: frac(family row x golden ratio), a deterministic,
# evenly spread address that needs no random draw.
_ZONE_STEP = 0.6180339887498949

# Priority bands: lower is served first. Each band dominates everything below it.
_CURRENT_BAND, _CATCHMENT_BAND, _SIBLING_BAND = 0.0, 1e6, 1e5
_TIME_CAP_MIN = 9e4


@dataclass(frozen=True)
class Candidates:
    """Candidate schools per grade and settlement, of a width that does not grow with the county.

    Attributes
    ----------
    schools : int array (GRADES + 1, S, K); -1 padded. Row ``[g, s]`` lists the schools a pupil
        of grade g living in settlement s considers: its ``choice.candidates`` nearest, then
        the county-town schools of :attr:`town` not among them. K = candidates +
        ``choice.county_town_candidates`` at most, whatever the county's size.
    nearest : int array (GRADES + 1, S, k); -1 padded: the k nearest open schools teaching g
        (ties in minutes broken by the lower row), nearest first.
    town : int array (GRADES + 1, M); -1 padded: the county-town schools every pupil also
        considers, in row order: all of them when there are at most M, else the M of the
        highest quality (the schools 择校 aims at; ties by the lower row), refreshed each year
        (:func:`refresh_county_town`).
    catchment : int array (GRADES + 1, S): the catchment school of grade g for settlement s:
        the nearest open school teaching g in the settlement's township, else the nearest
        anywhere (-1 if none); for the county town, its first zone's school.
    zone_schools : int array (GRADES + 1, Z); -1 padded: the county-town schools teaching g,
        one zone each.
    zone_bounds : float array (GRADES + 1, Z): upper bound of each zone's share of the town's
        families (cumulative share of classrooms; 1 for the last zone and the padding).
    county_town : int
        The county town's settlement.
    town_bounded : bool
        Some grade has more county-town schools than ``choice.county_town_candidates`` (with
        ``choice.include_county_town``): a pupil's own school may then be missing from its
        candidates, and :func:`utility_terms` adds it as an option of its own (a school keeps
        its pupils).
    """

    schools: np.ndarray
    nearest: np.ndarray
    town: np.ndarray
    catchment: np.ndarray
    zone_schools: np.ndarray
    zone_bounds: np.ndarray
    county_town: int
    town_bounded: bool = False

    @property
    def options(self) -> int:
        """Options per pupil in :func:`utility_terms`.

        The candidates, the catchment school and, when :attr:`town_bounded`, the pupil's own
        county-town school.
        """
        return self.schools.shape[2] + 1 + int(self.town_bounded)


@dataclass(frozen=True)
class BoardingRules:
    """Who may board and at what cost, in one school year.

    Attributes
    ----------
    min_grade : int
        Lowest grade that may board.
    threshold_min : float
        Commute (minutes) above which a pupil may board at a school with beds (it boards when
        that is worth it, or the day commute is too long: :func:`utility_terms`).
    fee_yuan : float
        Yearly cost of boarding to a family (yuan).
    young_penalty : float
        Utility lost by a boarder below ``penalty_below_grade`` (0: none).
    penalty_below_grade : int
        See ``young_penalty``.
    """

    min_grade: int
    threshold_min: float
    fee_yuan: float
    young_penalty: float = 0.0
    penalty_below_grade: int = 1

    @classmethod
    def of_scenario(cls, boarding) -> BoardingRules:
        """Return the rules of the scenario's ``[boarding]`` block (no policy in force)."""
        return cls(boarding.min_grade, boarding.threshold_min, boarding.fee_yuan)


def boarding_rules(model, year: int | None = None) -> BoardingRules:
    """Return the boarding rules in force in ``year``.

    Parameters
    ----------
    model : EducationModel
        The model: the rules the boarding policy published (``model.effects.boarding_rules``,
        this year's and next year's), else the scenario's ``[boarding]`` block.
    year : int, optional
        The school year (default: the model's current year).

    Returns
    -------
    BoardingRules

    Raises
    ------
    LookupError
        A boarding policy published rules, but not for ``year`` (a hook read them out of order).
    """
    year = model.year if year is None else year
    published = model.effects.boarding_rules
    if not published:
        return BoardingRules.of_scenario(model.scenario.boarding)
    if year not in published:
        raise LookupError(f"boarding rules of {year} not published (only {sorted(published)})")
    return published[year]


def intake_bit(grade: int) -> int:
    """Return the bit of ``schools.intake_closed`` that, set, closes ``grade`` to new pupils."""
    return 1 << grade


def build_candidates(model) -> Candidates:
    """Build the candidate sets and catchments of every grade and settlement.

    Candidates: the ``choice.candidates`` nearest open schools teaching the grade, plus up to
    ``choice.county_town_candidates`` county-town schools of it (``choice.include_county_town``;
    see :class:`Candidates`). Catchments: see :class:`Candidates`. The nearest are found by a
    partition on exact (minutes, row) keys, not a full sort.

    Parameters
    ----------
    model : EducationModel
        The model (schools, settlements, travel times).

    Returns
    -------
    Candidates
    """
    scn = model.scenario
    s = model.schools
    k = scn.choice.candidates
    n_settlements = model.travel.minutes.shape[0]
    township = model.settlements.township
    nearest = np.full((GRADES + 1, n_settlements, k), NO_SCHOOL, dtype=np.int32)
    catchment = np.full((GRADES + 1, n_settlements), NO_SCHOOL, dtype=np.int32)
    zone_lists = []
    done: dict[bytes, int] = {}  # grades taught by the same schools share one search
    for grade in range(1, GRADES + 1):
        ids = np.flatnonzero(s.serves(grade))
        town_all = ids[s.tier[ids] == COUNTY_TOWN_TIER]
        zone_lists.append((grade, town_all))
        if ids.size == 0:
            continue
        if ids.tobytes() in done:
            same_as = done[ids.tobytes()]
            nearest[grade], catchment[grade] = nearest[same_as], catchment[same_as]
            continue
        done[ids.tobytes()] = grade
        minutes = model.travel.minutes[:, s.settlement[ids]]
        order = _nearest_columns(minutes, k)
        nearest[grade, :, : order.shape[1]] = ids[order]
        same = township[:, None] == township[s.settlement[ids]][None, :]
        if not scn.choice.catchment_within_township:
            same = np.ones_like(same)
        designated = ids[np.argmin(np.where(same, minutes, np.inf), axis=1)]
        catchment[grade] = np.where(same.any(axis=1), designated, ids[order[:, 0]])
        if town_all.size:
            catchment[grade, model.county_town] = town_all[0]
    n_zones = max([z.size for _, z in zone_lists] + [1])
    zone_schools = np.full((GRADES + 1, n_zones), NO_SCHOOL, dtype=np.int32)
    zone_bounds = np.ones((GRADES + 1, n_zones))
    for grade, town in zone_lists:
        if town.size:
            rooms = np.maximum(s.classrooms[town].astype(np.float64), 1.0)
            zone_schools[grade, : town.size] = town
            zone_bounds[grade, : town.size] = np.cumsum(rooms) / rooms.sum()
            zone_bounds[grade, town.size - 1 :] = 1.0
    town = _county_town_candidates(model, zone_schools)
    bounded = scn.choice.include_county_town and bool(
        ((zone_schools >= 0).sum(axis=1) > (town >= 0).sum(axis=1)).any())
    return Candidates(schools=_combine(nearest, town), nearest=nearest, town=town,
                      catchment=catchment, zone_schools=zone_schools, zone_bounds=zone_bounds,
                      county_town=int(model.county_town), town_bounded=bounded)


def refresh_county_town(model) -> None:
    """Re-pick the county-town candidates on last year's quality (once a year, before choice).

    Nothing changes when no grade has more county-town schools than
    ``choice.county_town_candidates`` (every one is a candidate then).
    """
    cands = model.candidates
    if not cands.town_bounded:
        return
    town = _county_town_candidates(model, cands.zone_schools)
    if not np.array_equal(town, cands.town):
        model.candidates = replace(cands, town=town, schools=_combine(cands.nearest, town))


def _nearest_columns(minutes: np.ndarray, k: int) -> np.ndarray:
    """Columns of the ``k`` smallest ``minutes`` per row, ascending, ties by the lower column.

    A positive float32 orders as its bit pattern, so (bits << 32 | column) is an exact,
    unique key: a partition then a sort of k keys give what a stable full sort would.
    """
    bits = np.ascontiguousarray(minutes, dtype=np.float32).view(np.int32).astype(np.int64)
    key = (bits << 32) | np.arange(minutes.shape[1], dtype=np.int64)
    if k < minutes.shape[1]:
        key = np.partition(key, k - 1, axis=1)[:, :k]
    return (np.sort(key, axis=1) & 0xFFFFFFFF).astype(np.int64)


def _county_town_candidates(model, zone_schools: np.ndarray) -> np.ndarray:
    """The county-town schools each grade's pupils also consider (see :class:`Candidates`)."""
    ch = model.scenario.choice
    m = ch.county_town_candidates if ch.include_county_town else 0
    most = int((zone_schools >= 0).sum(axis=1).max()) if zone_schools.size else 0
    town = np.full((GRADES + 1, min(m, most)), NO_SCHOOL, dtype=np.int32)
    quality = model.schools.quality
    for grade in range(1, GRADES + 1):
        ids = zone_schools[grade][zone_schools[grade] >= 0]
        if ids.size > m:  # the best m: highest quality, then most classrooms, then lower row
            rooms = model.schools.classrooms[ids].astype(np.float64)
            best = np.lexsort((ids, -rooms, -quality[ids].astype(np.float64)))[:m]
            ids = np.sort(ids[best])
        town[grade, : ids.size] = ids
    return town


def _combine(nearest: np.ndarray, town: np.ndarray) -> np.ndarray:
    """Per grade, its nearest schools then the county-town candidates (-1 where one repeats).

    A grade with fewer than k schools lists them, then the county-town ones; rows are -1
    padded to the widest grade.
    """
    listed = (nearest >= 0).any(axis=1).sum(axis=1)  # nearest columns in use, per grade
    in_town = (town >= 0).sum(axis=1)  # county-town candidates, per grade
    width = int((listed + in_town).max()) if listed.size else 0
    schools = np.full(nearest.shape[:2] + (width,), NO_SCHOOL, dtype=np.int32)
    for grade in range(nearest.shape[0]):
        near = nearest[grade, :, : listed[grade]]
        extra = np.broadcast_to(town[grade, : in_town[grade]], (near.shape[0], in_town[grade]))
        dup = (extra[:, :, None] == near[:, None, :]).any(axis=2)
        table = np.concatenate([near, np.where(dup, NO_SCHOOL, extra)], axis=1)
        schools[grade, :, : table.shape[1]] = table
    return schools


def catchment_of(model, family: np.ndarray, home: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Return the catchment school (划片) of each child for a grade (-1: none).

    Parameters
    ----------
    model : EducationModel
        The model (its candidate sets).
    family, home, grade : numpy.ndarray
        Per child: family row, settlement the family lives in, grade (1-9).

    Returns
    -------
    numpy.ndarray of int64
        Schools-table rows: the settlement's catchment school, or in the county town the
        school of the family's zone.
    """
    cands = model.candidates
    grade = np.asarray(grade, dtype=np.int64)
    home = np.asarray(home, dtype=np.int64)
    school = cands.catchment[grade, home].astype(np.int64)
    in_town = home == cands.county_town
    if in_town.any():
        rows = np.flatnonzero(in_town)
        address = (np.asarray(family, dtype=np.float64)[rows] * _ZONE_STEP) % 1.0
        town_grade = grade[rows]
        zone = np.empty(rows.size, dtype=np.int64)
        # The zone is the number of zone bounds at or below the address (bounds ascend), found
        # by a binary search per grade: log(zones) per pupil, not zones.
        for g in np.flatnonzero(np.bincount(town_grade)):
            of_grade = town_grade == g
            zone[of_grade] = np.searchsorted(cands.zone_bounds[g], address[of_grade],
                                             side="right")
        zone = np.minimum(zone, cands.zone_bounds.shape[1] - 1)
        zoned = cands.zone_schools[town_grade, zone]
        school[rows] = np.where(zoned >= 0, zoned, school[rows])
    return school


def utility_terms(model, idx: np.ndarray, current: np.ndarray | None = None,
                  town_admitted: np.ndarray | None = None,
                  schools: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Deterministic utility terms of each candidate school for children ``idx``.

    ``town_admitted`` (bool per child) marks who passed the county-town admission check;
    county-town schools are infeasible for the others. None: no check (pupils already placed).
    ``schools`` (n, K) replaces the candidate sets by given schools (-1: none), e.g. each
    pupil's current school alone when only its utility is needed.

    Returns arrays of shape (n, K): ``school``, ``commute_min``, ``board`` (bool),
    ``feasible`` (bool), ``catchment`` (bool), ``sibling`` (bool), ``current`` (bool), ``bus``
    (bool), ``sent`` (bool: the school a closure sent the pupil to), ``intake_open`` (bool:
    the school takes new pupils into the grade) and the terms ``quality``, ``time``,
    ``boarding``, ``young_boarding``, ``stay``, ``sib``, ``choice_fee`` whose sum is
    ``utility``; (n,) ``outside``: the outside option's deterministic utility; and
    ``taste_scale`` (float): the scale of the taste shocks, ``choice.taste_scale``. The
    candidates are those of the pupil's settlement plus, when missing, its catchment school
    and (when the county-town candidates are bounded, ``Candidates.town_bounded``) its own
    county-town school if it still teaches the grade, as the last columns
    (``Candidates.options`` in all).
    """
    scn = model.scenario
    c, s = model.children, model.schools
    grade = c.grade[idx].astype(np.int64)
    stage = stage_of_grade(grade)
    family = c.family[idx]
    home = model.families.settlement[family]
    cands = model.candidates
    catch = catchment_of(model, family, home, grade)
    if current is None:
        current = c.school[idx]
    if schools is None:
        listed = cands.schools[grade, home]
        missing = np.where(row_has(listed, catch), NO_SCHOOL, catch)
        columns = [listed, missing[:, None].astype(listed.dtype)]
        if cands.town_bounded:
            # The pupil's own county-town school, when it still teaches the grade and is not
            # among the others (the bound on county-town candidates must not drop it).
            held = np.maximum(current, 0)
            keeps = ((current >= 0) & (s.tier[held] == COUNTY_TOWN_TIER) & (s.status[held] == OPEN)
                     & (s.grade_min[held] <= grade) & (s.grade_max[held] >= grade)
                     & ~row_has(listed, current) & (current != catch))
            columns.append(np.where(keeps, current, NO_SCHOOL)[:, None].astype(listed.dtype))
        school = np.concatenate(columns, axis=1)
    else:
        school = np.asarray(schools)
    valid = school >= 0
    safe = np.where(valid, school, 0)
    commute = model.travel.minutes[home[:, None], s.settlement[safe]]
    max_commute = np.where(stage == 0, scn.boarding.max_commute_min.primary,
                           scn.boarding.max_commute_min.junior)
    rules = boarding_rules(model)
    ch = scn.choice
    beta_board = np.where(stage == 0, ch.beta_boarding.primary, ch.beta_boarding.junior)[:, None]
    young = (grade < rules.penalty_below_grade)[:, None]
    away = (model.families.status[family] == PARENTS_AWAY)[:, None]
    # Utility a boarder gives up (the boarding term) against the day commute it saves, 4/5 of it.
    board_cost = (beta_board + ch.beta_fee * rules.fee_yuan + rules.young_penalty * young
                  - ch.beta_boarding_parents_away * away)
    eligible = (valid & (s.boarding_beds[safe] > 0) & (grade >= rules.min_grade)[:, None])

    def boards(minutes: np.ndarray) -> np.ndarray:
        """Mark who boards at a commute of ``minutes``.

        Beyond the school's threshold, and worth it to the family or beyond the day limit.
        """
        worth = ch.beta_time * minutes.astype(np.float64) * (1 - 1 / SCHOOL_DAYS_A_WEEK)
        return (eligible & (minutes > rules.threshold_min)
                & ((worth > board_cost) | (minutes > max_commute[:, None])))

    ride = model.bus.lookup(home[:, None], safe)
    # The bus is taken when it is no slower, or when it spares boarding or an infeasible commute.
    bus = (valid & (ride <= max_commute[:, None])
           & ((ride <= commute) | (commute > max_commute[:, None]) | boards(commute)))
    commute = np.where(bus, ride, commute)
    commute64 = commute.astype(np.float64)
    board = ~bus & boards(commute)
    feasible = valid & ((commute <= max_commute[:, None]) | board)
    sent_to = c.sent_to[idx]
    sent = valid & (school == sent_to[:, None]) & (sent_to[:, None] >= 0)
    catchment = valid & (school == catch[:, None])
    if town_admitted is not None:
        # No hukou check at a county-town school a closure sent the pupil to, nor for a child
        # living outside the county town whose nearest school it is (its zone school, e.g. after
        # the township school closed).
        zone = catchment & (home != model.county_town)[:, None]
        feasible &= (s.tier[safe] != COUNTY_TOWN_TIER) | town_admitted[:, None] | sent | zone
    is_current = valid & (school == current[:, None])
    sibling = valid & _has_sibling_at(model, family, school, idx)
    terms = {
        "quality": ch.beta_quality * s.quality[safe].astype(np.float64),
        "time": -ch.beta_time * np.where(board, commute64 / SCHOOL_DAYS_A_WEEK, commute64),
        "boarding": -(beta_board + ch.beta_fee * rules.fee_yuan
                      - ch.beta_boarding_parents_away * away) * board,
        "young_boarding": -rules.young_penalty * (board & young),
        "stay": ch.beta_stay * is_current,
        "sib": ch.beta_sibling * sibling,
        "choice_fee": -ch.beta_fee * ch.choice_fee_yuan * (valid & ~catchment & ~is_current
                                                            & ~sent),
    }
    if s.intake_closed.any():
        intake_open = valid & (((s.intake_closed[safe].astype(np.int64) >> grade[:, None]) & 1)
                               == 0)
    else:  # no school has closed a grade's intake (the usual case): a cheap copy
        intake_open = valid.copy()
    utility = sum(terms.values())
    outside = (np.where(stage == 0, ch.dropout_utility.primary, ch.dropout_utility.junior)
               + ch.dropout_per_grade * (grade - 1))
    return dict(
        school=school, commute_min=commute.astype(np.float32), board=board, bus=bus,
        feasible=feasible, catchment=catchment, sibling=sibling, current=is_current, sent=sent,
        intake_open=intake_open, utility=utility, outside=outside,
        taste_scale=float(ch.taste_scale), **terms,
    )


def _has_sibling_at(model, family: np.ndarray, school: np.ndarray,
                    children: np.ndarray) -> np.ndarray:
    """Mark, (n, K), where another child of the same family is enrolled at that school.

    The child itself does not count.
    """
    c = model.children
    held = (c.status == ENROLLED) & (c.school >= 0)
    enrolled = np.flatnonzero(held)
    holds = held[children]
    out = np.zeros(school.shape, dtype=bool)
    # Only children with another enrolled child in the family can have a sibling anywhere;
    # the search is over their families' pupils alone.
    others = np.bincount(c.family[enrolled], minlength=model.families.n)[family] - holds
    rows = np.flatnonzero(others > 0)
    if rows.size == 0:
        return out
    # The schools of each asked family's enrolled children, one column per child (padded
    # with -2, which matches no option): filled in rounds, each taking one more child of every
    # family (a family has few), so no sort is needed. Every asked family has an enrolled
    # child, so there is at least one round.
    slot = np.full(model.families.n, -1, dtype=np.int64)
    asked = rows_marked(model.families.n, family[rows])
    slot[asked] = np.arange(asked.size)
    left = enrolled[slot[c.family[enrolled]] >= 0]
    columns = []
    while left.size:
        slots = slot[c.family[left]]
        taken = np.full(asked.size, -1, dtype=np.int64)
        np.maximum.at(taken, slots, left)
        column = np.full(asked.size, -2, dtype=np.int64)
        column[taken >= 0] = c.school[taken[taken >= 0]]
        columns.append(column)
        left = left[taken[slots] != left]
    schools_of = np.stack(columns, axis=1)
    at = school[rows]
    held_by = schools_of[slot[family[rows]]]
    found = np.zeros(at.shape, dtype=np.int64)
    for j in range(held_by.shape[1]):
        found += at == held_by[:, j][:, None]
    own = holds[rows][:, None] & (at == c.school[children[rows]][:, None])
    out[rows] = (found - own) > 0
    return out


@dataclass(frozen=True)
class ChoiceDraws:
    """The random numbers of one assignment, drawn from the model's generator in a fixed order.

    Attributes
    ----------
    taste : ndarray, (n, K)
        Gumbel taste shocks ε_is.
    outside : ndarray, (n,)
        Gumbel shocks of the outside option.
    refusal : ndarray, (n, K), or None
        Uniforms deciding catchment refusals; None when no school refuses.
    lottery : ndarray, (n, K)
        Uniforms breaking ties in priority.
    """

    taste: np.ndarray
    outside: np.ndarray
    refusal: np.ndarray | None
    lottery: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, shape: tuple[int, int],
             refusals: bool) -> ChoiceDraws:
        """Draw taste, outside, refusal (when ``refusals``) and lottery numbers, in that order."""
        taste = rng.gumbel(size=shape)
        outside = rng.gumbel(size=shape[0])
        refusal = rng.random(shape) if refusals else None
        return cls(taste, outside, refusal, rng.random(shape))

    def rows(self, part: slice) -> ChoiceDraws:
        """The draws of the pupils in ``part`` (a slice of rows)."""
        return ChoiceDraws(self.taste[part], self.outside[part],
                           None if self.refusal is None else self.refusal[part],
                           self.lottery[part])


def free_capacity(model) -> tuple[np.ndarray, np.ndarray]:
    """Count the seats per (school, grade) pool and beds per school still free for new pupils.

    Hard capacity (standard caps when ``effects.hard_class_caps``; 0 where intake is closed)
    less the pupils who keep their seats and beds. Both at least 0.
    """
    c, s = model.children, model.schools
    seats = seat_capacity(s, model.scenario.schools.max_class_size)
    if model.effects.hard_class_caps:  # no new pupil beyond the standard caps (45 / 50)
        cap = model.scenario.schools.class_cap
        per_grade = np.where(np.arange(POOLS_PER_SCHOOL) <= PRIMARY_TOP_GRADE, cap.primary,
                             cap.junior)
        seats = np.minimum(seats, seat_capacity(s, per_grade))
    closed_intake = (s.intake_closed[:, None] >> np.arange(POOLS_PER_SCHOOL)) & 1
    seats[closed_intake.ravel().astype(bool)] = 0
    enrolled = np.flatnonzero(c.status == ENROLLED)
    holding = enrolled[c.school[enrolled] >= 0]
    seats = seats - np.bincount(c.school[holding] * POOLS_PER_SCHOOL + c.grade[holding],
                                minlength=seats.size)
    beds = s.boarding_beds - np.bincount(c.school[holding][c.boarding[holding]], minlength=s.n)
    return np.maximum(seats, 0), np.maximum(beds, 0)


def rank_options(t: dict[str, np.ndarray], grade: np.ndarray, draws: ChoiceDraws,
                 strictness: float = 0.0, taste_scale: float | None = None,
                 catchment_by_right: bool = True) -> dict[str, np.ndarray]:
    """Rank each pupil's acceptable schools by utility and give each option its priority.

    Parameters
    ----------
    t : dict of ndarray
        The output of :func:`utility_terms` for the pupils.
    grade : ndarray, (n,)
        Grades the pupils enter.
    draws : ChoiceDraws
        The random numbers.
    strictness : float
        Chance a school refuses an applicant from outside its catchment.
    taste_scale : float, optional
        Scale σ of the taste shocks (default: ``t["taste_scale"]``, the scenario's
        ``choice.taste_scale``).
    catchment_by_right : bool
        Whether catchment pupils are admitted by right beyond the seats (false under hard
        class caps). A school's own pupils and pupils a closure sent there always are.

    Returns
    -------
    dict of ndarray
        Ranked best first, (n, K): ``pools`` (-1 padded), ``priority``, ``bed_pool`` (-1: no
        bed), ``by_right``, ``acceptable``, ``board``, ``bus``, ``commute``; and ``order``
        (int16), the columns of ``t`` in that ranking.
    """
    if taste_scale is None:
        taste_scale = t["taste_scale"]
    utility = np.where(t["feasible"], t["utility"] + taste_scale * draws.taste, -np.inf)
    acceptable = t["feasible"] & (utility > (t["outside"] + draws.outside)[:, None])
    if strictness > 0:  # 就近划片: a school may refuse applicants from outside its catchment
        exempt = t["catchment"] | t["current"] | t["sent"]
        acceptable &= exempt | (draws.refusal >= strictness)
    order = np.argsort(-np.where(acceptable, utility, -np.inf), axis=1, kind="stable")
    del utility
    take = row_gather(order)
    acceptable = take(acceptable)
    school = np.where(acceptable, take(t["school"]), NO_SCHOOL)
    board = take(t["board"]) & acceptable
    commute = take(t["commute_min"])
    grade_column = np.asarray(grade, dtype=np.int64)[:, None]
    pools = np.where(acceptable, school * POOLS_PER_SCHOOL + grade_column, -1)
    own = take(t["current"] | t["sent"])
    catchment = take(t["catchment"])
    priority = (
        np.where(own, _CURRENT_BAND,
                 np.where(catchment, _CATCHMENT_BAND, 2 * _CATCHMENT_BAND))
        + np.where(take(t["sibling"]), 0.0, _SIBLING_BAND)
        + np.minimum(commute, _TIME_CAP_MIN)
        + take(draws.lottery)  # lottery within equal times
    )
    priority = np.where(acceptable, priority, 0.0)
    if catchment_by_right:
        own |= catchment & take(t["intake_open"])
    right = own & acceptable
    return {"pools": pools, "priority": priority, "bed_pool": np.where(board, school, -1),
            "by_right": right, "acceptable": acceptable, "board": board, "bus": take(t["bus"]),
            "commute": commute, "order": order.astype(np.int16)}


def rank_and_assign(t: dict[str, np.ndarray], grade: np.ndarray, draws: ChoiceDraws,
                    seats: np.ndarray, beds: np.ndarray, strictness: float = 0.0,
                    taste_scale: float | None = None, catchment_by_right: bool = True) -> dict:
    """Run the choice-and-assignment step over arrays: :func:`rank_options`, then DA.

    Parameters
    ----------
    t, grade, draws, strictness, taste_scale, catchment_by_right
        As for :func:`rank_options`.
    seats, beds : ndarray
        Free seats per (school, grade) pool and free beds per school.

    Returns
    -------
    dict
        What :func:`rank_options` returns, with ``pool_choice`` (n,) the pool each pupil got
        (-1 none) and ``take`` (a function ranking any (n, K) array the same way).
    """
    ranked = rank_options(t, grade, draws, strictness, taste_scale, catchment_by_right)
    return _run_da(ranked, seats, beds)


def _run_da(ranked: dict, seats: np.ndarray, beds: np.ndarray) -> dict:
    """Add ``pool_choice`` (deferred acceptance over the ranked options) and ``take``."""
    ranked["pool_choice"] = deferred_acceptance(
        ranked["pools"], ranked["priority"], seats, bed_pool=ranked["bed_pool"],
        bed_capacity=beds, by_right=ranked["by_right"])
    ranked["take"] = row_gather(ranked["order"])
    return ranked


#: Pupils whose utilities are computed together: the (pupils x K) temporaries of one chunk
#: (about 30 arrays) stay near 100 MB, whatever the county (the first placement of every
#: pupil was the run's memory peak). Rows are independent, so chunks change no result.
CHOICE_CHUNK = 1 << 16
#: The columns of utility_terms that assign needs after ranking (placing the unplaced).
_KEPT_TERMS = ("school", "commute_min", "bus", "board", "feasible", "catchment", "sent",
               "intake_open")


def _rank_in_chunks(model, idx: np.ndarray, previous: np.ndarray,
                    town_admitted: np.ndarray | None, returning: np.ndarray | None,
                    draws: ChoiceDraws, catchment_by_right: bool) -> tuple[dict, dict]:
    """Utilities and rankings of children ``idx``, :data:`CHOICE_CHUNK` pupils at a time.

    Returns the ranked options (:func:`rank_options`, all pupils) and the utility terms
    :data:`_KEPT_TERMS` (all pupils, in candidate order).
    """
    ranked_parts, kept_parts = [], []
    grade = model.children.grade[idx]
    for first in range(0, idx.size, CHOICE_CHUNK):
        part = slice(first, first + CHOICE_CHUNK)
        t = utility_terms(model, idx[part], current=previous[part],
                          town_admitted=None if town_admitted is None else town_admitted[part])
        if returning is not None:
            t["outside"] = np.where(returning[part], -np.inf, t["outside"])
        ranked_parts.append(rank_options(t, grade[part], draws.rows(part),
                                         model.effects.catchment_strictness,
                                         model.scenario.choice.taste_scale,
                                         catchment_by_right=catchment_by_right))
        kept_parts.append({key: t[key] for key in _KEPT_TERMS})
        del t

    def joined(parts: list[dict]) -> dict:
        if len(parts) == 1:
            return parts[0]
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    return joined(ranked_parts), joined(kept_parts)


def assign(model, idx: np.ndarray, town_admitted: np.ndarray | None = None,
           returning: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Place children ``idx`` (who need a school this year) by deferred acceptance.

    Seats for pupils from outside the catchment are the seats per (school, grade) less the
    pupils who keep theirs; catchment, own and sent pupils are admitted by right beyond them
    (see the module docstring); beds are a hard limit. Under hard class caps
    (``effects.hard_class_caps``) the pupils left without a seat are placed by the county
    (分流) in the nearest feasible school with a seat under the cap, and an event says how
    many. A pupil still without a seat at any acceptable school is placed, as a day pupil,
    over capacity at its catchment school and counted as without a place (无学上); only the
    outside option (or no feasible school at all) makes a dropout. Counts displaced pupils
    (``displaced_year`` this year) without a place in ``model.counts.no_place_displaced`` and
    those who dropped out in ``model.counts.dropped_displaced``.

    Parameters
    ----------
    model : EducationModel
        The model (draws from ``model.rng``).
    idx : ndarray of int
        Children rows.
    town_admitted : ndarray of bool, optional
        See :func:`utility_terms`.
    returning : ndarray of bool, optional
        Per child: a dropout brought back to school (控辍保学); the outside option is closed
        to it this year.

    Returns
    -------
    dict of ndarray
        Index arrays ``placed`` (all who have a school now), ``dropped`` (outside option or
        nothing feasible), ``without_place`` (placed over capacity at the catchment school),
        ``out_of_reach`` (no school of the grade in reach at all: out of school, not dropouts),
        ``diverted`` (placed by the county under hard caps), ``deferred`` (grade-1 entrants
        who wait a year because their catchment school's grade-1 intake is closed; already
        set back to preschool).
    """
    c, rng = model.children, model.rng
    idx = np.asarray(idx, dtype=np.int64)
    previous = c.school[idx].copy()
    c.status[idx] = ENROLLED  # they hold no seat while choosing
    c.school[idx] = NO_SCHOOL
    c.boarding[idx] = False
    c.bus[idx] = False
    if idx.size == 0:
        return {key: idx for key in ("placed", "dropped", "without_place", "out_of_reach",
                                     "diverted", "deferred")}
    # The draws come first, for every pupil at once (their order is the model's random stream);
    # a pupil's options are Candidates.options wide (utility_terms).
    draws = ChoiceDraws.draw(rng, (idx.size, model.candidates.options),
                             model.effects.catchment_strictness > 0)
    hard = bool(model.effects.hard_class_caps)
    ranked, t = _rank_in_chunks(model, idx, previous, town_admitted, returning, draws,
                                catchment_by_right=not hard)
    seats, beds = free_capacity(model)
    ranked = _run_da(ranked, seats, beds)
    placed_mask = _seat(c, idx, ranked)
    c.sent_to[idx] = NO_SCHOOL
    had_option = row_any(ranked["acceptable"])
    # A pupil a closure sent to a school with a seat kept for it (top priority) who did not
    # find that school acceptable turned the seat down: it drops out rather than lacking a place.
    take = ranked["take"]
    sent_col = take(t["sent"]) & take(t["feasible"])
    had_option &= ~(row_any(sent_col) & ~row_any(sent_col & ranked["acceptable"]))
    unplaced = ~placed_mask
    deferred_mask = unplaced & _entry_deferred(model, idx)
    deferred = idx[deferred_mask]
    if deferred.size:
        c.status[deferred] = PRESCHOOL
        c.grade[deferred] = 0
        c.entry_year[deferred] = NOT_ENTERED
    unplaced &= ~deferred_mask
    diverted_mask = np.zeros(idx.size, dtype=bool)
    if hard and (unplaced & had_option).any():
        diverted_mask = _divert(model, idx, t, unplaced & had_option, ranked, draws, seats, beds)
        unplaced &= ~diverted_mask
        if diverted_mask.any():
            model.log_event("overflow_diverted", -1,
                            f"{int(diverted_mask.sum())} pupils placed by the county in schools "
                            "with seats under the standard class caps (分流)")
    has_catchment = row_any(t["catchment"])
    without_mask = unplaced & had_option & has_catchment
    _place_at_catchment(c, idx[without_mask], t, without_mask)
    # No school teaching the grade is in reach at all (every school closed, say): out of school
    # for want of a place, not a dropout by choice.
    no_candidate = ~row_any(t["school"] >= 0)
    out_of_reach_mask = unplaced & ~without_mask & (no_candidate | (had_option & ~has_catchment))
    dropped_mask = unplaced & ~without_mask & ~out_of_reach_mask
    displaced = c.displaced_year[idx] == model.year
    model.counts.no_place_displaced += int((without_mask & displaced).sum())
    model.counts.dropped_displaced += int((dropped_mask & displaced).sum())
    model.counts.entry_deferred += int(deferred.size)
    return {
        "placed": idx[placed_mask | diverted_mask | without_mask],
        "dropped": idx[dropped_mask],
        "without_place": idx[without_mask],
        "out_of_reach": idx[out_of_reach_mask],
        "diverted": idx[diverted_mask],
        "deferred": deferred,
    }


def _divert(model, idx: np.ndarray, t: dict, who: np.ndarray, ranked: dict, draws: ChoiceDraws,
            seats: np.ndarray, beds: np.ndarray) -> np.ndarray:
    """Place the pupils ``who`` (bool per child) in the nearest feasible schools with seats left.

    The county's overflow placement under hard caps (分流): each pupil's feasible candidates
    whose grade takes new pupils, nearest first; seats and beds are what the first round left.
    Returns who got a seat (bool per child).
    """
    c = model.children
    rows = np.flatnonzero(who)
    grade = c.grade[idx[rows]].astype(np.int64)[:, None]
    ok = t["feasible"][rows] & t["intake_open"][rows]
    commute = np.where(ok, t["commute_min"][rows].astype(np.float64), np.inf)
    order = np.argsort(commute, axis=1, kind="stable")
    pick = row_gather(order)
    ok = pick(ok)
    school = pick(t["school"][rows])
    pools = np.where(ok, school * POOLS_PER_SCHOOL + grade, -1)
    board = pick(t["board"][rows]) & ok
    placed = ranked["pool_choice"] >= 0
    used = np.bincount(ranked["pool_choice"][placed], minlength=seats.size)
    chosen_col = np.argmax(ranked["pools"] == ranked["pool_choice"][:, None], axis=1)
    boarded = ranked["board"][np.arange(idx.size), chosen_col] & placed
    bed_used = np.bincount(ranked["pool_choice"][boarded] // POOLS_PER_SCHOOL, minlength=beds.size)
    priority = np.where(ok, pick(commute) + pick(draws.lottery[rows]), 0.0)
    choice = deferred_acceptance(pools, priority, np.maximum(seats - used, 0),
                                 bed_pool=np.where(board, school, -1),
                                 bed_capacity=np.maximum(beds - bed_used, 0))
    got = choice >= 0
    col = np.argmax(pools == choice[:, None], axis=1)
    r = np.arange(rows.size)
    child = idx[rows[got]]
    c.school[child] = (choice[got] // POOLS_PER_SCHOOL).astype(np.int32)
    c.boarding[child] = board[r, col][got]
    c.commute_min[child] = pick(t["commute_min"][rows])[r, col][got]
    c.bus[child] = pick(t["bus"][rows])[r, col][got]
    out = np.zeros(idx.size, dtype=bool)
    out[rows[got]] = True
    return out


def _place_at_catchment(c, children: np.ndarray, t: dict, mask: np.ndarray) -> None:
    """Seat ``children`` (rows ``mask`` of ``t``) at their catchment school as day pupils."""
    if not children.size:
        return
    col = np.argmax(t["catchment"][mask], axis=1)
    r = np.arange(children.size)
    c.school[children] = t["school"][mask][r, col].astype(np.int32)
    c.boarding[children] = False
    c.commute_min[children] = t["commute_min"][mask][r, col]
    c.bus[children] = t["bus"][mask][r, col]


def _seat(c, idx: np.ndarray, ranked: dict) -> np.ndarray:
    """Write the placed pupils' school, boarding, commute and bus; return who is placed."""
    pools, pool_choice = ranked["pools"], ranked["pool_choice"]
    placed_mask = pool_choice >= 0
    chosen_col = np.argmax(pools == pool_choice[:, None], axis=1)
    rows = np.arange(idx.size)
    placed = idx[placed_mask]
    c.school[placed] = (pool_choice[placed_mask] // POOLS_PER_SCHOOL).astype(np.int32)
    c.boarding[placed] = ranked["board"][rows, chosen_col][placed_mask]
    c.commute_min[placed] = ranked["commute"][rows, chosen_col][placed_mask]
    c.bus[placed] = ranked["bus"][rows, chosen_col][placed_mask]
    return placed_mask


def _entry_deferred(model, idx: np.ndarray) -> np.ndarray:
    """Mark this year's grade-1 entrants whose catchment school's grade-1 intake is closed.

    Alternate-year intake (一年级隔年招生); bool per child.
    """
    c, s = model.children, model.schools
    if not s.intake_closed.any():
        return np.zeros(idx.size, dtype=bool)
    entrant = (c.grade[idx] == FIRST_GRADE) & (c.entry_year[idx] == model.year)
    home = model.families.settlement[c.family[idx]]
    catchment = catchment_of(model, c.family[idx], home, np.full(idx.size, FIRST_GRADE))
    closed = (s.intake_closed[np.maximum(catchment, 0)] & intake_bit(FIRST_GRADE)) != 0
    return entrant & (catchment >= 0) & closed


def continuing_dropout(model, idx: np.ndarray) -> np.ndarray:
    """Of continuing pupils ``idx``, those whose outside option beats staying this year.

    The logit probability is 1 / (1 + exp(U_current − U_outside)); U_current leaves out the
    stay bonus, which is a cost of switching schools, not of leaving school, so that a pupil
    weighs dropping out the same way when placed and when continuing. Returns the indices
    that drop out (not yet applied).
    """
    if idx.size == 0:
        return idx
    c = model.children
    t = utility_terms(model, idx, schools=c.school[idx][:, None])
    at_current = t["current"][:, 0]
    utility = (t["utility"] - t["stay"])[:, 0]
    p = 1.0 / (1.0 + np.exp(np.clip(utility - t["outside"], -LOGIT_EXPONENT_CAP,
                                    LOGIT_EXPONENT_CAP)))
    draw = model.rng.random(idx.size)
    return idx[at_current & (draw < p)] if c.n else idx[:0]
