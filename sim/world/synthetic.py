"""The synthetic county: settlements, roads and initial schools drawn from a scenario.

Layout (all draws from the one ``rng``, in a fixed order, so a seed fixes the county):

- the county town sits at the centre of a square of ``county.area_km2``;
- ``county.townships`` seat towns are placed by best-candidate sampling (each seat is the one
  of ``SEAT_CANDIDATES`` uniform draws farthest from the towns placed before it), which spreads
  them over the county without a rigid grid;
- ``county.villages`` villages are uniform over the square, but not right beside a town; each
  belongs to the township of its nearest town (the county town's surroundings are township 0,
  seat ``k`` heads township ``k``);
- populations: the county town has ``residents x county_town_share``, the seats share
  ``township_seat_share`` and the villages the rest, each by lognormal weights; integers
  summing exactly to ``residents``.

Settlement order: county town, seats 1..T, then villages by township and distance to its town.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from sim.scenario.derived import expected_pupils_per_resident
from sim.scenario.schema import LEVELS, SETTLEMENT_KINDS, CountyConfig, Scenario, SchoolsConfig
from sim.world.roads import build_roads
from sim.world.travel import travel_times
from sim.world.types import TIER_OF_KIND, World

SEAT_CANDIDATES = 20
SEAT_MARGIN = 0.05  # seats keep this share of the side away from the county's edge
SEAT_SIGMA = 0.4  # log-sd of seat population weights (assumption)
VILLAGE_SIGMA = 0.6  # log-sd of village population weights (assumption)
# Villages keep this far (km) from the county town and from seats; in small or crowded counties
# the gaps shrink to half (county town) and a quarter (seats) of the mean spacing between
# towns, so that free space always remains.
VILLAGE_GAP_COUNTY_TOWN_KM = 3.0
VILLAGE_GAP_SEAT_KM = 1.5

PRIMARY_TOP = 6  # grades 1-6 are primary (class cap 45), 7-9 junior (50)
_CT, _TOWN, _VILLAGE = (SETTLEMENT_KINDS.index(k) for k in ("county_town", "town", "village"))
_TP, _PRIMARY, _JUNIOR, _NINE = (
    LEVELS.index(v) for v in ("teaching_point", "primary", "junior", "nine_year")
)


def generate_world(scenario: Scenario, rng: np.random.Generator) -> World:
    """Generate the synthetic county of ``scenario`` (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        Uses ``county``, ``roads``, ``schools`` and ``demography`` (through the expected pupils).
    rng : numpy.random.Generator
        Source of every random draw; equal states give equal worlds.

    Returns
    -------
    World
        The synthetic county's settlements, roads and initial schools.
    """
    c = scenario.county
    side = math.sqrt(c.area_km2)
    towns = _place_towns(c.townships, side, rng)
    villages = _place_villages(c.villages, towns, side, rng)

    # township of each village = index of its nearest town (0 = county town)
    d = np.hypot(villages[:, None, 0] - towns[None, :, 0], villages[:, None, 1] - towns[None, :, 1])
    v_township = d.argmin(axis=1)
    v_dist = d[np.arange(len(villages)), v_township]
    order = np.lexsort((v_dist, v_township))
    villages, v_township = villages[order], v_township[order]

    xy = np.concatenate([towns, villages])
    kind = np.concatenate([[_CT], np.full(c.townships, _TOWN), np.full(len(villages), _VILLAGE)])
    township = np.concatenate([np.arange(c.townships + 1), v_township])
    population = _populations(c, len(villages), rng)

    within = np.concatenate([[0], np.zeros(c.townships, int), _rank_within(v_township)]) + 1
    names = np.array(
        ["County Town"]
        + [f"Township {k}" for k in range(1, c.townships + 1)]
        + [f"Village {t}-{i}" for t, i in zip(v_township, within[c.townships + 1 :])],
        dtype=object,
    )
    src, dst, km, road_class = build_roads(
        xy[:, 0], xy[:, 1], kind, scenario.roads.terrain_detour_factor[c.terrain]
    )
    world = World(
        terrain=c.terrain,
        settlement_name=names,
        settlement_kind=kind.astype(np.int8),
        settlement_township=township.astype(np.int16),
        x_km=xy[:, 0].astype(np.float32),
        y_km=xy[:, 1].astype(np.float32),
        population=population,
        road_src=src,
        road_dst=dst,
        road_km=km,
        road_class=road_class,
        **empty_school_columns(),
    )
    return _with_schools(world, scenario, rng)


def _place_towns(townships: int, side: float, rng: np.random.Generator) -> np.ndarray:
    """County town at the centre, then seats by best-candidate sampling; (T+1, 2) km."""
    towns = np.empty((townships + 1, 2))
    towns[0] = side / 2
    lo, hi = SEAT_MARGIN * side, (1 - SEAT_MARGIN) * side
    for k in range(1, townships + 1):
        cand = rng.uniform(lo, hi, size=(SEAT_CANDIDATES, 2))
        gap = np.hypot(cand[:, None, 0] - towns[None, :k, 0], cand[:, None, 1] - towns[None, :k, 1])
        towns[k] = cand[gap.min(axis=1).argmax()]
    return towns


def _place_villages(n: int, towns: np.ndarray, side: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform points (km), none closer to the county town or a seat than the gaps."""
    spacing = side / math.sqrt(len(towns))
    gap = np.full(len(towns), min(VILLAGE_GAP_SEAT_KM, spacing / 4))
    gap[0] = min(VILLAGE_GAP_COUNTY_TOWN_KM, spacing / 2)
    kept = np.empty((0, 2))
    while len(kept) < n:
        cand = rng.uniform(0, side, size=(2 * (n - len(kept)), 2))
        d = np.hypot(cand[:, None, 0] - towns[None, :, 0], cand[:, None, 1] - towns[None, :, 1])
        kept = np.concatenate([kept, cand[(d >= gap).all(axis=1)]])
    return kept[:n]


def _populations(c: CountyConfig, n_villages: int, rng: np.random.Generator) -> np.ndarray:
    """Integer residents: county town, seats, villages (int32, sums to ``c.residents``)."""
    county_town = round(c.residents * c.county_town_share)
    seats = round(c.residents * c.township_seat_share)
    rest = c.residents - county_town - seats
    seat_w = rng.lognormal(0.0, SEAT_SIGMA, size=c.townships)
    village_w = rng.lognormal(0.0, VILLAGE_SIGMA, size=n_villages)
    if n_villages == 0:  # no villages: their share lives in the seats
        seats, rest = seats + rest, 0
    parts = [[county_town], split_integer(seats, seat_w), split_integer(rest, village_w)]
    return np.concatenate(parts).astype(np.int32)


def split_integer(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainders).

    Parameters
    ----------
    total : int
        The whole to split, e.g. residents.
    weights : numpy.ndarray
        Non-negative weights, one per part (only their ratios matter).

    Returns
    -------
    numpy.ndarray of int64
        One integer per weight, summing to ``total``.
    """
    if len(weights) == 0:
        return np.zeros(0, dtype=np.int64)
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(np.int64)
    short = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0-based position of each item within its group, for items already sorted by group."""
    starts = np.searchsorted(groups, groups, side="left")
    return np.arange(len(groups)) - starts


def empty_school_columns() -> dict[str, np.ndarray]:
    """The school columns of a World with no schools.

    Returns
    -------
    dict of str to numpy.ndarray
        Every ``school_*`` field of :class:`World`, typed, of length 0.
    """
    return dict(
        school_name=np.empty(0, dtype=object),
        school_settlement=np.empty(0, np.int32),
        school_level=np.empty(0, np.int8),
        school_tier=np.empty(0, np.int8),
        school_grade_min=np.empty(0, np.int8),
        school_grade_max=np.empty(0, np.int8),
        school_classrooms=np.empty(0, np.int16),
        school_beds=np.empty(0, np.int32),
    )


def _with_schools(world: World, scenario: Scenario, rng: np.random.Generator) -> World:
    """``world`` with the initial schools of DESIGN §4 (names, levels, grades, rooms, beds).

    - County town: ``ceil(expected pupils of the stage / county_town_school_size)`` primary
      and junior schools.
    - Each seat: a central primary and a junior school, or, for ``round(T x nine_year_share)``
      seats drawn at random, one nine-year school.
    - Villages: a primary school (grades 1-6) from ``village_school_min_population`` residents,
      else a teaching point (grades 1..``teaching_point_top_grade``) from
      ``teaching_point_min_population``, else none.

    Expected pupils per school and grade come from :func:`school_expected_pupils`. Classrooms
    per grade = the largest, over the grades served, of
    ``max(1, ceil(expected x capacity_slack / class_cap[stage]))``, so every grade fits and the
    total (per grade x grades served) splits evenly; a small school, whose grades all expect at
    most ``multigrade_max`` pupils, teaches multigrade classes and gets
    ``max(1, ceil(expected roll x capacity_slack / class_cap.primary))`` rooms instead. Beds,
    in township and county-town schools only:
    ``round(sum over grades of boarding_share[stage] x expected)``.
    """
    sc = scenario.schools
    kind, pop, names = world.settlement_kind, world.population, world.settlement_name
    per_resident = expected_pupils_per_resident(scenario)  # (9,) grades 1..9
    rows: list[tuple[str, int, int, int, int]] = []  # name, settlement, level, grade_min, grade_max

    ct = int(np.flatnonzero(kind == _CT)[0])
    for level, stage, grades in ((_PRIMARY, "primary", (1, 6)), (_JUNIOR, "junior", (7, 9))):
        pupils = pop[ct] * per_resident[grades[0] - 1 : grades[1]].sum()
        count = max(1, math.ceil(pupils / getattr(sc.county_town_school_size, stage)))
        label = stage.capitalize()
        rows += [(f"County Town {label} {i}", ct, level, *grades) for i in range(1, count + 1)]

    seats = np.flatnonzero(kind == _TOWN)
    nine_year = np.zeros(len(seats), dtype=bool)
    nine_year[
        rng.choice(len(seats), size=round(len(seats) * sc.nine_year_share), replace=False)
    ] = True
    for s, nine in zip(seats.tolist(), nine_year):
        if nine:
            rows.append((f"{names[s]} Nine-Year School", s, _NINE, 1, 9))
        else:
            rows.append((f"{names[s]} Central Primary", s, _PRIMARY, 1, 6))
            rows.append((f"{names[s]} Junior", s, _JUNIOR, 7, 9))

    for v in np.flatnonzero(kind == _VILLAGE).tolist():
        if pop[v] >= sc.village_school_min_population:
            rows.append((f"{names[v]} Primary", v, _PRIMARY, 1, 6))
        elif pop[v] >= sc.teaching_point_min_population:
            rows.append((f"{names[v]} Teaching Point", v, _TP, 1, sc.teaching_point_top_grade))

    name, settlement, level, gmin, gmax = (np.array(col) for col in zip(*rows))
    travel = travel_times(world, scenario.roads)  # the schools do not change the roads
    expected = school_expected_pupils(
        pop[:, None] * per_resident[None, :],
        settlement,
        gmin,
        gmax,
        travel.minutes,
    )
    classrooms = classrooms_for_roll(expected, gmin, gmax, sc)
    primary_grade = np.arange(1, 10) <= 6
    tier = TIER_OF_KIND[kind[settlement]]
    share = np.where(primary_grade, sc.boarding_share.primary, sc.boarding_share.junior)
    beds = np.where(tier != TIER_OF_KIND[_VILLAGE], np.round((expected * share).sum(axis=1)), 0)

    return replace(
        world,
        school_name=name.astype(object),
        school_settlement=settlement.astype(np.int32),
        school_level=level.astype(np.int8),
        school_tier=tier.astype(np.int8),
        school_grade_min=gmin.astype(np.int8),
        school_grade_max=gmax.astype(np.int8),
        school_classrooms=classrooms.astype(np.int16),
        school_beds=beds.astype(np.int32),
        travel=travel,
    )


def classrooms_for_roll(roll: np.ndarray, grade_min: np.ndarray, grade_max: np.ndarray,
                        schools: SchoolsConfig) -> np.ndarray:
    """Classrooms that seat a roll with the county's headroom (``schools.capacity_slack``).

    Classrooms = the sum over the grades served of
    ``max(1, ceil(roll x capacity_slack / class_cap[stage]))``: each grade's classes at the
    standard cap, with the headroom. (Sizing every grade for the largest cohort instead would
    leave a school with uneven cohorts below a third used, "hollow" by construction.) A small
    school, whose grades all hold at most ``multigrade_max`` pupils, teaches multigrade classes
    (复式班) and gets ``max(1, ceil(whole roll x capacity_slack / class_cap.primary))`` rooms
    if fewer.

    Parameters
    ----------
    roll : ndarray, shape (n_schools, 9)
        Pupils per school and grade 1..9 (expected, or the initial roll).
    grade_min, grade_max : ndarray of int, (n_schools,)
        The grades each school teaches.
    schools : SchoolsConfig
        ``[schools]``: class caps, ``capacity_slack``, ``multigrade_max``.

    Returns
    -------
    ndarray of int64, (n_schools,)
    """
    grades = np.arange(1, 10)[None, :]
    serves = (grades >= grade_min[:, None]) & (grades <= grade_max[:, None])
    cap = np.where(grades[0] <= PRIMARY_TOP, schools.class_cap.primary, schools.class_cap.junior)
    rooms = np.where(serves, np.maximum(1, np.ceil(roll * schools.capacity_slack / cap)), 0)
    classrooms = rooms.sum(axis=1)
    small = np.where(serves, roll, 0).max(axis=1) <= schools.multigrade_max
    whole_roll = np.maximum(
        1, np.ceil(np.where(serves, roll, 0).sum(axis=1) * schools.capacity_slack
                   / schools.class_cap.primary)
    )
    return np.where(small, np.minimum(whole_roll, classrooms), classrooms).astype(np.int64)


def school_expected_pupils(
    pupils: np.ndarray,
    school_settlement: np.ndarray,
    grade_min: np.ndarray,
    grade_max: np.ndarray,
    minutes: np.ndarray,
) -> np.ndarray:
    """Expected pupils of each school by grade, each settlement sending its pupils to the nearest.

    Parameters
    ----------
    pupils : ndarray, shape (S, 9)
        Expected pupils living in each settlement, grades 1..9.
    school_settlement, grade_min, grade_max : ndarray, shape (N,)
        Where each school is and the grades it serves.
    minutes : ndarray, shape (S, S)
        Commute minutes between settlements.

    Returns
    -------
    ndarray of float, shape (N, 9)
        For each grade, a settlement's pupils go to the nearest (in minutes) settlement with a
        school serving that grade -- its own when it has one -- and are split evenly over the
        schools there serving that grade.
    """
    n_settlements = len(pupils)
    out = np.zeros((len(school_settlement), 9))
    for g in range(1, 10):
        serving = (grade_min <= g) & (grade_max >= g)
        if not serving.any():
            continue
        has = np.zeros(n_settlements, dtype=bool)
        has[school_settlement[serving]] = True
        cols = np.flatnonzero(has)
        dest = cols[minutes[:, cols].argmin(axis=1)]
        dest[has] = np.flatnonzero(has)  # own school first, whatever the local commute
        arriving = np.bincount(dest, weights=pupils[:, g - 1], minlength=n_settlements)
        n_here = np.bincount(school_settlement[serving], minlength=n_settlements)
        out[serving, g - 1] = (
            arriving[school_settlement[serving]] / n_here[school_settlement[serving]]
        )
    return out
