"""Per-year county metrics and the per-school panel (names and definitions: DESIGN §8).

Shares and rates are fractions in [0, 1]; times are minutes; money is yuan.
Definitions that DESIGN leaves open, fixed here:

- commute metrics (``mean_commute_min``, ``p90_commute_min``, ``share_*_over_*``) are over
  day pupils (boarders travel weekly); a bus rider's commute is the ride time;
- ``hard_access_share`` (extra column): pupils with hard access (上学难) this year — a day
  commute over ``access.commute_limit_min``, a young boarder, or a dropout this year — over
  enrolled pupils plus this year's dropouts; ``pupils_hard_access`` is the count;
- ``pupils_without_place`` (extra): pupils who wanted a school but found every acceptable one
  full (无学上); they are placed over capacity at their catchment school (not dropouts);
- ``pupils_displaced`` (extra): enrolled pupils whose school closed or stopped teaching their
  grade this year; ``displaced_without_place`` those of them left without a place (the
  safeguard's promise is 0); ``displaced_mean_commute_min`` their mean day commute (0 if none);
- ``entrants_deferred`` (extra): grade-1 entrants who wait a year (alternate-year intake);
- ``migrant_children_refused`` (extra): children of families in town refused by the county-town
  points/hukou check this year;
- ``reused_buildings`` / ``sold_buildings`` (extra): closed schools' buildings put to new use /
  sold (``idle_buildings`` are those still standing empty);
- ``cv_primary`` / ``cv_junior``: the national 差异系数 (教督〔2017〕6号): coefficient of
  variation (sd / mean, both weighted by pupils) between schools of teachers per 100 pupils,
  over open schools' parts teaching that stage with at least 50 pupils of it; a nine-year
  school is split into its primary and junior parts, its teachers shared between them in
  proportion to their staffing need (2014 standard); NaN (missing) with fewer than two
  eligible schools;
- ``catchment_share``: enrolled pupils at their catchment school (划片;
  ``sim.behaviour.choice.catchment_of``) over enrolled pupils;
- ``town_residents_in_town_schools``: pupils whose family lives in the county town enrolled in
  county-town schools, over pupils whose family lives in the county town (0 if none);
- ``boarders_far_share``: boarders whose day commute from home to the nearest open school
  teaching their grade exceeds the boarding threshold in force, over boarders (0 if none);
- ``births``: children born this year (rows of the children table with this birth year);
- ``township_seat_pupil_share``: pupils in schools located in township seats (镇区 schools,
  settlements of kind town) over enrolled pupils;
- ``returned_dropouts``: dropouts who returned to school this year (控辍保学);
- ``classes_46_55`` / ``classes_56_65`` / ``classes_66_plus``: classes of 46-55 (large),
  56-65 (大班额) and 66+ (超大班额) pupils, counts (facts.md class-size bands);
- ``quality_rural`` / ``quality_town``: pupil-weighted mean quality of village+township and of
  county-town schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.behaviour.choice import boarding_rules, catchment_of
from sim.behaviour.schools import (
    ClassStructure,
    staffing_need,
    staffing_need_by_stage,
    teacher_counts,
)
from sim.scenario.schema import LEVELS, TIERS
from sim.state import (
    BUILDING_USE,
    CHILD_LEFT,
    CLOSED,
    COMPLETED,
    COUNTY_TOWN_TIER,
    ENROLLED,
    IN_TOWN,
    JUNIOR,
    NINE_YEAR,
    OPEN,
    PARENTS_AWAY,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    SCHOOL_STATUS,
    TEACHING_POINT,
    TOWN,
    VILLAGE_TIER,
)

COUNTY_COLUMNS = [
    "year",
    "pupils",
    "pupils_primary",
    "pupils_junior",
    "schools_open",
    "schools_open_primary",
    "schools_open_junior",
    "teaching_points",
    "hollow_schools",
    "hollow_share",
    "new_hollow_schools",
    "mean_commute_min",
    "p90_commute_min",
    "share_primary_over_30min",
    "share_junior_over_60min",
    "boarders",
    "young_boarders",
    "bus_riders",
    "dropouts",
    "retention_rate",
    "large_class_share",
    "superlarge_class_share",
    "cv_primary",
    "cv_junior",
    "teachers",
    "teacher_vacancies",
    "rural_teacher_attrition",
    "quality_rural",
    "quality_town",
    "county_town_pupil_share",
    "migrant_children",
    "left_behind_children",
    "idle_buildings",
    "cost_total",
    "cost_per_pupil",
    # extra columns (defined in the module docstring)
    "hard_access_share",
    "pupils_hard_access",
    "pupils_without_place",
    "pupils_displaced",
    "displaced_without_place",
    "displaced_mean_commute_min",
    "entrants_deferred",
    "migrant_children_refused",
    "reused_buildings",
    "sold_buildings",
    "catchment_share",
    "town_residents_in_town_schools",
    "boarders_far_share",
    "births",
    "township_seat_pupil_share",
    "returned_dropouts",
    "classes_46_55",
    "classes_56_65",
    "classes_66_plus",
]
SCHOOL_COLUMNS = [
    "year",
    "school_id",
    "name",
    "level",
    "tier",
    "status",
    "pupils",
    "capacity",
    "utilisation",
    "classes",
    "multigrade_classes",
    "teachers",
    "pupil_teacher_ratio",
    "quality",
    "boarders",
    "bus_riders",
    "hollow",
]
EVENT_COLUMNS = ["year", "kind", "school_id", "detail"]
IN_USE, IDLE, REUSED, SOLD = range(len(BUILDING_USE))


def hollow_flags(model, pupils: np.ndarray) -> np.ndarray:
    """Flag the hollow schools (空心校).

    A school is hollow when open, and its utilisation is below ``hollow.max_utilisation`` or
    its pupils below ``hollow.min_pupils[level]``.

    Parameters
    ----------
    model : EducationModel
        The model.
    pupils : numpy.ndarray
        Enrolled pupils per school.

    Returns
    -------
    numpy.ndarray
        Bool per school.
    """
    h, s = model.scenario.hollow, model.schools
    capacity = standard_capacity(model)
    utilisation = np.divide(pupils, capacity, out=np.zeros(s.n), where=capacity > 0)
    minimum = np.array(
        [
            h.min_pupils.teaching_point,
            h.min_pupils.primary,
            h.min_pupils.junior,
            h.min_pupils.nine_year,
        ]
    )
    return (s.status == OPEN) & ((utilisation < h.max_utilisation) | (pupils < minimum[s.level]))


def standard_capacity(model) -> np.ndarray:
    """Seats of each school: classrooms x standard class cap.

    The cap is 45 primary, 50 junior (``schools.class_cap``); a nine-year school's rooms are
    weighted by its share of primary grades.

    Parameters
    ----------
    model : EducationModel
        The model.

    Returns
    -------
    numpy.ndarray
        Standard capacity per school (pupils; float).
    """
    s, cap = model.schools, model.scenario.schools.class_cap
    served = s.grades_served()
    primary_grades = np.clip(np.minimum(s.grade_max, PRIMARY_TOP_GRADE) - s.grade_min + 1, 0, None)
    per_room = (primary_grades * cap.primary + (served - primary_grades) * cap.junior) / served
    return s.classrooms * per_room


#: Smallest roll of a school (part) counted in the between-school CV (national standard).
CV_MIN_PUPILS = 50


def stage_cv(teachers: np.ndarray, pupils: np.ndarray, mask: np.ndarray) -> float:
    """Pupil-weighted between-school coefficient of variation of teachers per 100 pupils.

    Parameters
    ----------
    teachers : numpy.ndarray
        Teachers of each school (part) for the stage (may be fractional).
    pupils : numpy.ndarray
        Pupils of each school (part) in the stage.
    mask : numpy.ndarray
        Bool: the schools (parts) that teach the stage.

    Returns
    -------
    float
        sd / mean of 100 x teachers / pupils, both weighted by pupils, over the schools of
        ``mask`` with at least :data:`CV_MIN_PUPILS` pupils; NaN with fewer than two of them
        (or a zero mean).
    """
    keep = mask & (pupils >= CV_MIN_PUPILS)
    if keep.sum() < 2:
        return float("nan")
    weight = pupils[keep].astype(np.float64)
    ratio = 100.0 * teachers[keep] / weight
    mean = float((weight * ratio).sum() / weight.sum())
    if mean <= 0:
        return float("nan")
    sd = float(np.sqrt((weight * (ratio - mean) ** 2).sum() / weight.sum()))
    return sd / mean


def _stage_parts(model, cs: ClassStructure, teachers: np.ndarray):
    """Pupils and teachers of each school's primary and junior parts, (n, 2) each.

    A school teaching both stages shares its teachers in proportion to each part's staffing
    need (pupils when it needs none).
    """
    pupils = np.stack(
        [
            cs.pupils_by_grade[:, 1 : PRIMARY_TOP_GRADE + 1].sum(axis=1),
            cs.pupils_by_grade[:, PRIMARY_TOP_GRADE + 1 :].sum(axis=1),
        ],
        axis=1,
    )
    need = staffing_need_by_stage(model, cs).astype(np.float64)
    basis = np.where(need.sum(axis=1, keepdims=True) > 0, need, pupils.astype(np.float64))
    total = basis.sum(axis=1, keepdims=True)
    share = np.divide(basis, total, out=np.zeros_like(basis), where=total > 0)
    return pupils, teachers[:, None] * share


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else 0.0


def collect(model, cs: ClassStructure) -> tuple[dict, pd.DataFrame]:
    """Compute this year's county row and school panel.

    Parameters
    ----------
    model : EducationModel
        The model, at the end of a step (its ``counts`` hold the year's counts).
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    county : dict
        One value per name of :data:`COUNTY_COLUMNS` (shares in [0, 1], minutes, yuan).
    panel : pandas.DataFrame
        One row per school, columns :data:`SCHOOL_COLUMNS`.
    """
    scn, year = model.scenario, model.year
    c, s = model.children, model.schools
    counts = model.counts
    enrolled = np.flatnonzero(c.status == ENROLLED)
    grade = c.grade[enrolled]
    primary = grade <= PRIMARY_TOP_GRADE
    boarding = c.boarding[enrolled]
    commute = c.commute_min[enrolled]
    day = ~boarding
    pupils = cs.pupils
    open_ = s.status == OPEN
    hollow = hollow_flags(model, pupils)
    last_investment = np.maximum(s.opened_year, s.invested_year)
    new_hollow = (
        hollow
        & (last_investment >= 0)
        & (year - last_investment <= scn.hollow.recent_investment_years)
    )
    teachers, _ = teacher_counts(model)
    need = staffing_need(model, cs)
    limit = np.where(
        primary, scn.access.commute_limit_min.primary, scn.access.commute_limit_min.junior
    )
    young_boarders = int((boarding & (grade <= scn.access.young_grade_max)).sum())
    hard = (
        int((day & (commute > limit)).sum())
        + young_boarders
        + counts.dropouts
        + counts.out_of_reach
    )
    teaches_primary = open_ & (s.grade_min <= PRIMARY_TOP_GRADE)
    teaches_junior = open_ & (s.grade_max > PRIMARY_TOP_GRADE)
    rural = s.tier != COUNTY_TOWN_TIER
    n_pupils = int(enrolled.size)
    displaced = c.displaced_year[enrolled] == year
    costs = _costs(model, cs, teachers, n_pupils, boarding)
    part_pupils, part_teachers = _stage_parts(model, cs, teachers)
    county = {
        "year": year,
        "pupils": n_pupils,
        "pupils_primary": int(primary.sum()),
        "pupils_junior": int((~primary).sum()),
        "schools_open": int(open_.sum()),
        "schools_open_primary": int(teaches_primary.sum()),
        "schools_open_junior": int(teaches_junior.sum()),
        "teaching_points": int((open_ & (s.level == TEACHING_POINT)).sum()),
        "hollow_schools": int(hollow.sum()),
        "hollow_share": float(hollow.sum() / max(open_.sum(), 1)),
        "new_hollow_schools": int(new_hollow.sum()),
        "mean_commute_min": float(commute[day].mean()) if day.any() else 0.0,
        "p90_commute_min": float(np.percentile(commute[day], 90)) if day.any() else 0.0,
        "share_primary_over_30min": _share(day & primary & (commute > 30), day & primary),
        "share_junior_over_60min": _share(day & ~primary & (commute > 60), day & ~primary),
        "boarders": int(boarding.sum()),
        "young_boarders": young_boarders,
        "bus_riders": int(c.bus[enrolled].sum()),
        "dropouts": counts.dropouts,
        "retention_rate": retention_rate(model),
        "large_class_share": float(cs.large_classes.sum() / max(cs.classes.sum(), 1)),
        "superlarge_class_share": float(cs.superlarge_classes.sum() / max(cs.classes.sum(), 1)),
        "cv_primary": stage_cv(part_teachers[:, 0], part_pupils[:, 0], teaches_primary),
        "cv_junior": stage_cv(part_teachers[:, 1], part_pupils[:, 1], teaches_junior),
        "teachers": int(teachers.sum()),
        "teacher_vacancies": int(np.maximum(need - teachers, 0).sum()),
        "rural_teacher_attrition": counts.quit_rural / max(counts.rural_teachers_at_start, 1),
        "quality_rural": _weighted_mean(s.quality, np.where(open_ & rural, pupils, 0)),
        "quality_town": _weighted_mean(s.quality, np.where(open_ & ~rural, pupils, 0)),
        "county_town_pupil_share": float(pupils[~rural].sum() / max(n_pupils, 1)),
        "migrant_children": _children_of(model, IN_TOWN),
        "left_behind_children": _children_of(model, PARENTS_AWAY),
        "idle_buildings": int(((s.status == CLOSED) & (s.building_use == IDLE)).sum()),
        "cost_total": costs,
        # no pupils: no cost per pupil (NaN), rather than the whole cost over one pupil
        "cost_per_pupil": costs / n_pupils if n_pupils else float("nan"),
        "hard_access_share": hard / max(n_pupils + counts.dropouts + counts.out_of_reach, 1),
        "pupils_hard_access": hard,
        "pupils_without_place": counts.without_place + counts.out_of_reach,
        "pupils_displaced": int(displaced.sum()),
        "displaced_without_place": counts.no_place_displaced,
        "displaced_mean_commute_min": float(commute[displaced & day].mean())
        if (displaced & day).any()
        else 0.0,
        "entrants_deferred": counts.entry_deferred,
        "migrant_children_refused": counts.migrant_children_refused,
        "reused_buildings": int(((s.status == CLOSED) & (s.building_use == REUSED)).sum()),
        "sold_buildings": int(((s.status == CLOSED) & (s.building_use == SOLD)).sum()),
        **enrolment_patterns(model, enrolled),
        "births": int((c.birth_year == year).sum()),
        "returned_dropouts": counts.returned_dropouts,
        **class_size_bands(cs),
    }
    capacity = standard_capacity(model)
    enrolled_school = c.school[enrolled]
    panel = pd.DataFrame(
        {
            "year": np.full(s.n, year, dtype=np.int32),
            "school_id": np.arange(s.n, dtype=np.int32),
            "name": pd.Series(s.name, dtype="string"),
            "level": pd.Categorical.from_codes(s.level, LEVELS),
            "tier": pd.Categorical.from_codes(s.tier, TIERS),
            "status": pd.Categorical.from_codes(s.status, SCHOOL_STATUS),
            "pupils": pupils.astype(np.int32),
            "capacity": np.round(capacity).astype(np.int32),
            "utilisation": np.divide(pupils, capacity, out=np.zeros(s.n), where=capacity > 0),
            "classes": cs.classes.astype(np.int32),
            "multigrade_classes": cs.multigrade_classes.astype(np.int32),
            "teachers": teachers.astype(np.int32),
            "pupil_teacher_ratio": np.divide(
                pupils, teachers, out=np.zeros(s.n), where=teachers > 0
            ),
            "quality": s.quality.astype(np.float64),
            "boarders": np.bincount(enrolled_school[boarding], minlength=s.n).astype(np.int32),
            "bus_riders": np.bincount(enrolled_school[c.bus[enrolled]], minlength=s.n).astype(
                np.int32
            ),
            "hollow": hollow,
        }
    )
    return county, panel


def enrolment_patterns(model, enrolled: np.ndarray) -> dict[str, float]:
    """Where pupils study against where they live (the plain patterns of a county, DESIGN §5).

    Parameters
    ----------
    model : EducationModel
        The model.
    enrolled : numpy.ndarray
        Children rows of the enrolled pupils.

    Returns
    -------
    dict of str to float
        ``catchment_share``, ``town_residents_in_town_schools``, ``boarders_far_share``,
        ``township_seat_pupil_share`` (fractions in [0, 1]; see the module docstring).
    """
    c, s = model.children, model.schools
    enrolled = enrolled[c.school[enrolled] >= 0]
    family = c.family[enrolled]
    home = model.families.settlement[family].astype(np.int64)
    grade = c.grade[enrolled].astype(np.int64)
    school = c.school[enrolled]
    at_catchment = school == catchment_of(model, family, home, grade)
    in_town = home == model.county_town
    town_school = s.tier[school] == COUNTY_TOWN_TIER
    boarder = c.boarding[enrolled]
    nearest = _nearest_minutes(model)[grade[boarder], home[boarder]]
    far = nearest > boarding_rules(model).threshold_min
    seat = model.settlements.kind[s.settlement[school]] == TOWN
    return {
        "catchment_share": _share(at_catchment, np.ones(enrolled.size, bool)),
        "town_residents_in_town_schools": _share(in_town & town_school, in_town),
        "boarders_far_share": _share(far, np.ones(far.size, bool)),
        "township_seat_pupil_share": _share(seat, np.ones(enrolled.size, bool)),
    }


def _nearest_minutes(model) -> np.ndarray:
    """Minutes from each settlement to the nearest open school teaching each grade.

    Shape (GRADES + 1, n_settlements); infinite where no open school teaches the grade. The
    nearest is the first of the candidate sets (``model.candidates.nearest``, current since the
    last layout change), so this costs one lookup per settlement, not a search of all schools.
    """
    first = model.candidates.nearest[:, :, 0].astype(np.int64)
    here = np.arange(first.shape[1])[None, :]
    minutes = model.travel.minutes[here, model.schools.settlement[np.maximum(first, 0)]]
    out = np.where(first >= 0, minutes, np.inf)
    out[0] = np.inf
    return out


def class_size_bands(cs: ClassStructure) -> dict[str, int]:
    """Count the classes in the class-size bands 46-55, 56-65 and 66+ (facts.md).

    Parameters
    ----------
    cs : ClassStructure
        The year's classes.

    Returns
    -------
    dict of str to int
        ``classes_46_55``, ``classes_56_65``, ``classes_66_plus``.
    """
    big = cs.big_classes if cs.big_classes is not None else cs.large_classes
    large, superlarge = int(cs.large_classes.sum()), int(cs.superlarge_classes.sum())
    return {
        "classes_46_55": int(big.sum()) - large,
        "classes_56_65": large - superlarge,
        "classes_66_plus": superlarge,
    }


def _share(numerator: np.ndarray, denominator: np.ndarray) -> float:
    d = int(denominator.sum())
    return float(numerator.sum() / d) if d else 0.0


def _children_of(model, family_status: int) -> int:
    """School-age children (enrolled) of families in a given status."""
    c = model.children
    enrolled = c.status == ENROLLED
    return int((model.families.status[c.family[enrolled]] == family_status).sum())


def retention_rate(model) -> float:
    """巩固率 (retention rate) of the cohort that entered grade 1 eight years earlier.

    Pupils in grade 9 this year (or already completed) of that cohort, over the cohort net of
    children who left the county.

    Parameters
    ----------
    model : EducationModel
        The model.

    Returns
    -------
    float
        The rate, a fraction in [0, 1]; 1 when the cohort is empty.
    """
    c = model.children
    cohort = c.entry_year == model.year - 8
    in_county = cohort & (c.status != CHILD_LEFT)
    reached = cohort & (((c.status == ENROLLED) & (c.grade == 9)) | (c.status == COMPLETED))
    n = int(in_county.sum())
    return float(reached.sum() / n) if n else 1.0


def _costs(
    model, cs: ClassStructure, teachers: np.ndarray, n_pupils: int, boarding: np.ndarray
) -> float:
    """Yearly county cost (yuan): salaries, per-pupil, per-school, per-class and boarder costs."""
    k = model.scenario.costs
    primary = int(cs.pupils_by_grade[:, 1 : PRIMARY_TOP_GRADE + 1].sum())
    junior = n_pupils - primary
    open_schools = int((model.schools.status == OPEN).sum())
    return float(
        teachers.sum() * k.teacher_salary_yuan
        + primary * k.per_pupil_yuan.primary
        + junior * k.per_pupil_yuan.junior
        + open_schools * k.per_school_yuan
        + cs.classes.sum() * k.per_class_yuan
        + boarding.sum() * k.per_boarder_yuan
        + model.counts.extra_cost_yuan
    )


def hollow_risk(result_or_panel, within_years: int) -> pd.DataFrame:
    """Each school's hollow risk, over replicates and the first years of the run.

    The risk is the share of replicates in which the school is hollow in some year within
    ``within_years`` of the first simulated year.

    Parameters
    ----------
    result_or_panel : RunResult or DataFrame
        A run result, or a school panel with columns replicate, year, school_id, name, hollow.
    within_years : int
        Horizon T in years (≥ 1); years first_year .. first_year + T - 1 count.

    Returns
    -------
    pandas.DataFrame
        Columns school_id, name, hollow_risk (in [0, 1]), replicates; sorted by risk.

    Raises
    ------
    ValueError
        When ``within_years`` is below 1.
    """
    if within_years < 1:
        raise ValueError(f"within_years must be at least 1, got {within_years}")
    panel = getattr(result_or_panel, "schools", result_or_panel)
    if "replicate" not in panel:
        panel = panel.assign(replicate=0)
    first = panel["year"].min()
    window = panel[panel["year"] < first + within_years]
    ever = window.groupby(["school_id", "replicate"], observed=True)["hollow"].any().reset_index()
    risk = (
        ever.groupby("school_id")["hollow"].agg(hollow_risk="mean", replicates="size").reset_index()
    )
    names = panel.drop_duplicates("school_id").set_index("school_id")["name"]
    risk.insert(1, "name", risk["school_id"].map(names))
    return risk.sort_values(["hollow_risk", "school_id"], ascending=[False, True]).reset_index(
        drop=True
    )


# ---- derived series (calibration targets) -------------------------------------------------------

#: Series computed from the state each year besides the county metrics, for calibration targets
#: (``sim.experiment.calibration``). "Rural" means the village and township tiers (schools
#: outside the county town).
DERIVED_SERIES: dict[str, str] = {
    "rural_primary_schools": "open schools of level primary (teaching points and nine-year "
    "schools not counted) in the village and township tiers",
    "village_primary_schools": "open schools of level primary in the village tier",
    "rural_junior_schools": "open junior and nine-year schools in the village and township tiers",
    "rural_pupils_primary": "enrolled pupils of grades 1-6 in village- and township-tier schools",
    "rural_pupils_junior": "enrolled pupils of grades 7-9 in village- and township-tier schools",
    "urban_town_pupil_share": "pupils in county-town and township-tier schools over all pupils "
    "(城区+镇区 when township seats count as towns)",
    "village_pupil_share": "pupils in village-tier schools over all pupils (乡村)",
    "boarding_share_primary": "boarders of grades 1-6 over enrolled pupils of grades 1-6",
    "boarding_share_junior": "boarders of grades 7-9 over enrolled pupils of grades 7-9",
    "dropout_rate_primary": "pupils of grades 1-6 who dropped out this year (the outside option, "
    "not those with no school in reach) over them and the enrolled pupils of grades 1-6",
    "migrant_child_share": "migrant_children over enrolled pupils",
    "left_behind_child_share": "left_behind_children over enrolled pupils",
}


def rural_school_counts(model) -> dict[str, int]:
    """Count this year's open rural schools by kind (the school series of DERIVED_SERIES).

    Parameters
    ----------
    model : EducationModel
        An :class:`~sim.model.EducationModel` (its schools table is read).

    Returns
    -------
    dict[str, int]
        ``rural_primary_schools``, ``village_primary_schools``, ``rural_junior_schools``
        (counts of schools).
    """
    schools = model.schools
    open_now = schools.status == OPEN
    rural = schools.tier != COUNTY_TOWN_TIER
    primary = schools.level == PRIMARY
    junior = np.isin(schools.level, (JUNIOR, NINE_YEAR))
    return {
        "rural_primary_schools": int((open_now & rural & primary).sum()),
        "village_primary_schools": int((open_now & (schools.tier == VILLAGE_TIER) & primary).sum()),
        "rural_junior_schools": int((open_now & rural & junior).sum()),
    }


def rural_pupil_counts(model) -> dict[str, int | float]:
    """Count this year's enrolled pupils by tier of their school, vectorised over pupils.

    These are the pupil series of :data:`DERIVED_SERIES`.

    Parameters
    ----------
    model : EducationModel
        An :class:`~sim.model.EducationModel` (its children and schools tables are read).

    Returns
    -------
    dict[str, int | float]
        ``rural_pupils_primary`` and ``rural_pupils_junior`` (pupils) and
        ``urban_town_pupil_share`` (a fraction in [0, 1]; 0 with no pupils).
    """
    children = model.children
    enrolled = np.flatnonzero(children.status == ENROLLED)
    tier = model.schools.tier[children.school[enrolled]]
    primary = children.grade[enrolled] <= PRIMARY_TOP_GRADE
    rural = tier != COUNTY_TOWN_TIER
    return {
        "rural_pupils_primary": int((rural & primary).sum()),
        "rural_pupils_junior": int((rural & ~primary).sum()),
        "urban_town_pupil_share": float((tier != VILLAGE_TIER).sum() / max(enrolled.size, 1)),
    }


def derived_series_row(model) -> dict[str, int | float]:
    """Compute this year's :data:`DERIVED_SERIES`, in that order.

    Parameters
    ----------
    model : EducationModel
        An :class:`~sim.model.EducationModel` after a step.

    Returns
    -------
    dict[str, int | float]
        One value per derived series (see :func:`rural_school_counts`,
        :func:`rural_pupil_counts`).
    """
    return {**rural_school_counts(model), **rural_pupil_counts(model), **stage_shares(model)}


def stage_shares(model) -> dict[str, float]:
    """Compute this year's shares by stage and tier (the share series of DERIVED_SERIES).

    Parameters
    ----------
    model : EducationModel
        An :class:`~sim.model.EducationModel` after a step.

    Returns
    -------
    dict[str, float]
        ``village_pupil_share``, ``boarding_share_primary``, ``boarding_share_junior``,
        ``dropout_rate_primary``, ``migrant_child_share``, ``left_behind_child_share``
        (fractions in [0, 1]; 0 with no pupils).
    """
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    primary = c.grade[enrolled] <= PRIMARY_TOP_GRADE
    boarding = c.boarding[enrolled]
    tier = model.schools.tier[c.school[enrolled]]
    n_left = model.counts.dropouts_primary
    row = model.county_rows[-1] if model.county_rows else {}

    def share(part: int | float, whole: int | float) -> float:
        return float(part / whole) if whole > 0 else 0.0

    return {
        "village_pupil_share": share(int((tier == VILLAGE_TIER).sum()), enrolled.size),
        "boarding_share_primary": share(int(boarding[primary].sum()), int(primary.sum())),
        "boarding_share_junior": share(int(boarding[~primary].sum()), int((~primary).sum())),
        "dropout_rate_primary": share(n_left, n_left + int(primary.sum())),
        "migrant_child_share": share(row.get("migrant_children", 0), enrolled.size),
        "left_behind_child_share": share(row.get("left_behind_children", 0), enrolled.size),
    }
