"""Layout actions on the school table: close, downgrade, plan, open, reopen, expand, add beds.

Policies (``sim.policies``; DESIGN §6) call these in the calendar phase, before demography
and placement, so that displaced pupils are re-placed in the same year's placement
(placement re-places pupils whose school is closed or no longer teaches their grade). Every
action logs an event (``model.log_event``) and adds its construction cost, if it has one, to
``model.counts.extra_cost_yuan`` (counted in ``cost_total``) and to
``model.counts.construction_yuan`` (for the cost breakdown). New schools get their Mesa agent
through ``model.add_school_agents``.

Teachers of a closed school are redistributed (分流): all to the receiving school when one is
named, else they fill vacancies at the nearest open schools sharing a grade, and the rest go
to the nearest such school (where most pupils go); with no open school sharing a grade they
fill vacancies anywhere, nearest first, and the rest leave. Every teacher ends active
elsewhere, retired or left; teachers rotating into a closed school return to their own.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.schools import (
    class_structure,
    pupils_by_grade,
    staffing_need,
    teacher_counts,
)
from sim.state import (
    ACTIVE,
    BUILDING_USE,
    CLOSED,
    ENROLLED,
    FIRST_GRADE,
    NINE_YEAR,
    NO_SCHOOL,
    OPEN,
    PLANNED,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    ROTATING,
    TEACHER_LEFT,
    TEACHING_POINT,
    code,
)
from sim.world.synthetic import classrooms_for_roll
from sim.world.types import TIER_OF_KIND

IDLE = code(BUILDING_USE, "idle")
IN_USE = code(BUILDING_USE, "in_use")
DEFAULT_QUALITY = 0.5  # a new school's quality when no open school of its tier exists
NOT_ROTATING = -1  # ``teachers.rotation_until`` of a teacher not on rotation


def add_cost(model, yuan: float, item: str = "construction_yuan") -> None:
    """Charge ``yuan`` to this year's county cost (``extra_cost_yuan``) under ``item``.

    Parameters
    ----------
    model : EducationModel
        The model (``model.counts`` is charged).
    yuan : float
        The cost (yuan); nothing is charged when it is 0.
    item : str
        The cost item (``construction_yuan``, ``bus_yuan``, ``boarding_extra_yuan``).
    """
    if yuan:
        model.counts.charge(yuan, item)


def school_index(model, name: str) -> int:
    """Return the row of the school called ``name``.

    Raises
    ------
    KeyError
        There is no such school.
    """
    try:
        return model.schools.name.index(name)
    except ValueError:
        raise KeyError(name) from None


def _name(model, school: int) -> str:
    return model.schools.name[int(school)]


def _why(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _open_receiver(model, school: int, receiving: int | None) -> int | None:
    """``receiving``, unless it is not open or is the school itself."""
    s = model.schools
    if receiving is not None and (s.status[receiving] != OPEN or receiving == school):
        return None
    return receiving


def mark_displaced(model, children: np.ndarray, receiving: int | None) -> None:
    """Record that ``children`` lose their school this year.

    Those whose next grade ``receiving`` teaches are sent there (``children.sent_to``: top
    admission priority at their next placement).

    Parameters
    ----------
    model : EducationModel
        The model (``model.year`` is the year they lose it).
    children : ndarray of int
        Children rows.
    receiving : int or None
        The school that receives them, if any.
    """
    c, s = model.children, model.schools
    c.displaced_year[children] = model.year
    c.sent_to[children] = NO_SCHOOL
    if receiving is not None:
        nxt = c.grade[children] + 1
        ok = (s.grade_min[receiving] <= nxt) & (s.grade_max[receiving] >= nxt)
        c.sent_to[children[ok]] = int(receiving)


def close_school(model, school: int, receiving: int | None = None, reason: str = "") -> None:
    """Close ``school``, displace its pupils and redistribute its teachers.

    Status closed, ``closed_year``, building idle, intake bits cleared; its pupils (but those
    in its top grade, who move on anyway) are marked displaced and sent to ``receiving`` if
    given; its teachers are redistributed; then the candidate sets are rebuilt. Logs
    ``school_closed``.

    Parameters
    ----------
    model : EducationModel
        The model, in the calendar phase.
    school : int
        The school row.
    receiving : int or None
        The school that receives its pupils and teachers (ignored unless open and another).
    reason : str
        Why (the plan key), for the event.

    Raises
    ------
    ValueError
        The school is not open.
    """
    s, c = model.schools, model.children
    school = int(school)
    if s.status[school] != OPEN:
        raise ValueError(f"school {_name(model, school)!r} is not open")
    receiving = _open_receiver(model, school, receiving)
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    # Pupils in the top grade move on anyway (to junior school, or they complete grade 9).
    pupils = pupils[c.grade[pupils] + 1 <= s.grade_max[school]]
    s.status[school] = CLOSED
    s.closed_year[school] = model.year
    s.building_use[school] = IDLE
    s.intake_closed[school] = 0
    mark_displaced(model, pupils, receiving)
    moved = _redistribute_teachers(model, school, _teachers_at(model, school), receiving)
    model.layout_changed()
    to = f" into {_name(model, receiving)!r}" if receiving is not None else ""
    model.log_event("school_closed", school,
                    f"{_name(model, school)!r} closed{to}{_why(reason)}: {pupils.size} pupils "
                    f"displaced; teachers {moved}")


def downgrade_school(model, school: int, grade_max: int, receiving: int | None = None,
                     reason: str = "") -> None:
    """Lower the top grade of ``school`` to ``grade_max``.

    A primary keeping grades below 6 becomes a teaching point; a nine-year school keeping
    1-6 becomes a primary. Classrooms shrink with the grades taught (the others are reused),
    so seats per grade stay as they were. Pupils who next year would be in a grade no longer
    taught are marked displaced (placement re-places them); teachers beyond the kept grades'
    share go to ``receiving`` or the nearest open school teaching ``grade_max + 1``. Logs
    ``school_downgraded``.

    Parameters
    ----------
    model : EducationModel
        The model, in the calendar phase.
    school : int
        The school row.
    grade_max : int
        The new top grade (at least its lowest grade, below its current top grade).
    receiving : int or None
        The school that receives the upper grades' pupils and teachers.
    reason : str
        Why, for the event.

    Raises
    ------
    ValueError
        The school is not open, or ``grade_max`` is not between its grades.
    """
    s, c = model.schools, model.children
    school, grade_max = int(school), int(grade_max)
    old_max = int(s.grade_max[school])
    if s.status[school] != OPEN:
        raise ValueError(f"school {_name(model, school)!r} is not open")
    if not (s.grade_min[school] <= grade_max < old_max):
        raise ValueError(f"cannot downgrade {_name(model, school)!r} (grades "
                         f"{s.grade_min[school]}-{old_max}) to top grade {grade_max}")
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    grade = c.grade[pupils]
    # Next year they are in grade + 1: those beyond the new top grade (who would have stayed)
    # move.
    leaving = pupils[(grade + 1 > grade_max) & (grade + 1 <= old_max)]
    staying = int(((grade + 1) <= grade_max).sum())
    _lower_top_grade(s, school, grade_max)
    receiving = _open_receiver(model, school, receiving)
    mark_displaced(model, leaving, receiving)
    kept_share = staying / max(staying + leaving.size, 1)
    moved = _send_surplus_teachers(model, school, grade_max, kept_share, receiving)
    model.layout_changed()
    model.log_event("school_downgraded", school,
                    f"{_name(model, school)!r} now teaches grades "
                    f"{s.grade_min[school]}-{grade_max} (was up to {old_max}){_why(reason)}: "
                    f"{leaving.size} pupils displaced; "
                    f"teachers {moved}")


def _lower_top_grade(s, school: int, grade_max: int) -> None:
    """Set the new top grade, shrink the rooms with the grades and relabel the level."""
    old_grades = int(s.grades_served()[school])
    s.grade_max[school] = grade_max
    # The rooms of the grades no longer taught leave teaching (reused); seats per grade stay.
    rooms = int(round(s.classrooms[school] * s.grades_served()[school] / old_grades))
    s.classrooms[school] = max(rooms, 1)
    if s.grade_min[school] == FIRST_GRADE and grade_max < PRIMARY_TOP_GRADE:
        s.level[school] = TEACHING_POINT
    elif s.level[school] == NINE_YEAR and grade_max <= PRIMARY_TOP_GRADE:
        s.level[school] = PRIMARY


def _send_surplus_teachers(model, school: int, grade_max: int, kept_share: float,
                           receiving: int | None) -> str:
    """Send a downgraded school's surplus teachers away; return a summary.

    It keeps ``kept_share`` of its teachers (at least one); the rest go to ``receiving`` or
    the nearest open school teaching the next grade, else leave.
    """
    s, t = model.schools, model.teachers
    teachers = _teachers_at(model, school)
    keep = max(int(round(teachers.size * kept_share)), min(teachers.size, 1))
    surplus = teachers[keep:]
    target = receiving
    if target is None:
        target = _nearest_open(model, school,
                               lambda r: s.grade_min[r] <= grade_max + 1 <= s.grade_max[r])
    if not surplus.size:
        return "none moved"
    if target is None:
        t.status[surplus] = TEACHER_LEFT
        return f"{surplus.size} left"
    _move_teachers(model, surplus, target)
    return f"{surplus.size} moved to {_name(model, target)!r}"


def _new_school_quality(s, tier: int) -> float:
    """Return the mean quality of open schools of ``tier`` (a new school starts there)."""
    peers = (s.status == OPEN) & (s.tier == tier)
    return float(s.quality[peers].mean()) if peers.any() else DEFAULT_QUALITY


def fit_classrooms_to_roll(model) -> None:
    """Resize a synthetic county's classrooms to its initial roll plus the headroom.

    Call once, after the initial placement and before the first classes form. Each
    school's classrooms become :func:`sim.world.synthetic.classrooms_for_roll` of its roll
    with ``1 + county.initial_roll_headroom`` as the slack (every grade at least one room).
    Nothing changes for a county read from files or with the headroom empty.

    Parameters
    ----------
    model : EducationModel
        The model, its pupils placed (``model.schools.classrooms`` is changed in place).
    """
    county = model.scenario.county
    if county.file or county.initial_roll_headroom is None:
        return
    s = model.schools
    roll = pupils_by_grade(model)[:, FIRST_GRADE:]
    sized = model.scenario.schools.model_copy(
        update={"capacity_slack": 1.0 + county.initial_roll_headroom})
    fitted = classrooms_for_roll(roll, s.grade_min.astype(np.int64),
                                 s.grade_max.astype(np.int64), sized)
    # A planned school keeps the classrooms its plan gives it: it has no roll yet.
    s.classrooms[:] = np.where(s.status == OPEN, fitted, s.classrooms)


def plan_school(model, name: str, settlement: int, level: int, grade_min: int, grade_max: int,
                classrooms: int, beds: int = 0, year: int | None = None) -> int:
    """Add a school that a plan will build: a row with status ``planned`` and its agent.

    A planned school teaches no one (every phase takes only open schools) until
    :func:`open_school` opens it under the same name; until then it shows in the school panel
    as planned, with the grades, classrooms and beds it will open with. Logs
    ``school_planned``.

    Parameters
    ----------
    model : EducationModel
        The model being built (policies plan their builds when they are made).
    name : str
        The school's name (not taken).
    settlement, level, grade_min, grade_max, classrooms, beds : int
        As for :func:`open_school`.
    year : int, optional
        The year it is to open, for the event.

    Returns
    -------
    int
        The new school row.

    Raises
    ------
    ValueError
        A school of that name exists.
    """
    s = model.schools
    if name in s.name:
        raise ValueError(f"a school called {name!r} already exists")
    row = int(s.add(
        1, settlement=int(settlement), level=int(level),
        tier=int(TIER_OF_KIND[model.settlements.kind[settlement]]), grade_min=int(grade_min),
        grade_max=int(grade_max), classrooms=int(classrooms), boarding_beds=int(beds),
        status=PLANNED, opened_year=-1, invested_year=-1, building_use=IN_USE,
    )[0])
    s.name.append(str(name))
    model.add_school_agents(np.array([row]))
    when = f" to open in {year}" if year is not None else ""
    model.log_event("school_planned", row,
                    f"{name!r} planned in {model.settlement_names[settlement]!r}{when}: grades "
                    f"{grade_min}-{grade_max}, {classrooms} classrooms, {beds} beds")
    return row


def open_school(model, name: str, settlement: int, level: int, grade_min: int, grade_max: int,
                classrooms: int, beds: int = 0, cost_yuan: float = 0.0, reason: str = "",
                planned: bool = False) -> int:
    """Open a new school: its planned row (:func:`plan_school`), or a new row and agent.

    ``opened_year`` and ``invested_year`` are this year; its tier follows the settlement's
    kind; its starting quality is the mean of open schools of its tier (teachers come from
    the teachers phase's hiring, or from closed schools that name it as receiving). Logs
    ``school_opened``.

    Parameters
    ----------
    model : EducationModel
        The model, in the calendar phase.
    name : str
        The new school's name (not taken).
    settlement : int
        Its settlement.
    level, grade_min, grade_max : int
        Its level code and grades.
    classrooms, beds : int
        Its classrooms and boarding beds.
    cost_yuan : float
        Construction cost charged this year (yuan).
    reason : str
        Why, for the event.
    planned : bool
        Open the row :func:`plan_school` added under ``name`` (the plan that planned it);
        otherwise a new row is added.

    Returns
    -------
    int
        The school row.

    Raises
    ------
    ValueError
        A school of that name exists (with ``planned``: no planned school of that name).
    """
    s = model.schools
    tier = int(TIER_OF_KIND[model.settlements.kind[settlement]])
    quality = _new_school_quality(s, tier)
    fields = dict(settlement=int(settlement), level=int(level), tier=tier,
                  grade_min=int(grade_min), grade_max=int(grade_max),
                  classrooms=int(classrooms), boarding_beds=int(beds), status=OPEN,
                  opened_year=model.year, invested_year=model.year, quality=quality,
                  building_use=IN_USE)
    if planned:
        row = s.name.index(name) if name in s.name else -1
        if row < 0 or s.status[row] != PLANNED:
            raise ValueError(f"no planned school called {name!r}")
        for column, value in fields.items():
            getattr(s, column)[row] = value
    elif name in s.name:
        raise ValueError(f"a school called {name!r} already exists")
    else:
        row = int(s.add(1, **fields)[0])
        s.name.append(str(name))
        model.add_school_agents(np.array([row]))
    add_cost(model, cost_yuan)
    model.layout_changed()
    model.log_event("school_opened", row,
                    f"{name!r} opened in {model.settlement_names[settlement]!r}: grades "
                    f"{grade_min}-{grade_max}, {classrooms} classrooms, {beds} beds; "
                    f"construction {cost_yuan:,.0f} yuan{_why(reason)}")
    return row


def reopen_school(model, school: int, level: int, grade_max: int, classrooms: int,
                  cost_yuan: float = 0.0, reason: str = "") -> None:
    """Reopen the closed ``school`` in its idle building (恢复教学点).

    Status open, ``opened_year`` and ``invested_year`` this year (``closed_year`` keeps the year
    it closed), building in use, no beds, intake open, starting quality the mean of open schools
    of its tier (as a new school). It has no teachers: the teachers phase's hiring fills its
    vacancies like a new school's. The candidate sets are rebuilt, so this year's entrants and
    pupils who choose a school may pick it. Logs ``school_restored``.

    Parameters
    ----------
    model : EducationModel
        The model, in the calendar phase of the year the school reopens.
    school : int
        Row of a closed school whose building is idle (not reused or sold).
    level : int
        Level code after reopening (``TEACHING_POINT`` or ``PRIMARY``).
    grade_max : int
        Top grade taught; the school teaches grades 1..``grade_max``.
    classrooms : int
        Classrooms reopened (at least 1; seats per grade as for any school:
        classrooms x ``schools.max_class_size`` / grades taught).
    cost_yuan : float
        Refurbishment cost charged this year (yuan; ``add_cost``).
    reason : str
        Why (the plan key), for the event.

    Raises
    ------
    ValueError
        The school is not closed, its building is not idle, or the grades or rooms are invalid.
    """
    s = model.schools
    school = int(school)
    if s.status[school] != CLOSED:
        raise ValueError(f"school {_name(model, school)!r} is not closed")
    if s.building_use[school] != IDLE:
        raise ValueError(f"the building of {_name(model, school)!r} is no longer idle "
                         "(reused or sold)")
    if not FIRST_GRADE <= int(grade_max) <= PRIMARY_TOP_GRADE or int(classrooms) < 1:
        raise ValueError(f"cannot reopen {_name(model, school)!r} with grades 1-{grade_max} and "
                         f"{classrooms} classrooms")
    quality = _new_school_quality(s, s.tier[school])
    s.status[school] = OPEN
    s.level[school] = int(level)
    s.grade_min[school] = FIRST_GRADE
    s.grade_max[school] = int(grade_max)
    s.classrooms[school] = int(classrooms)
    s.boarding_beds[school] = 0
    s.opened_year[school] = model.year
    s.invested_year[school] = model.year
    s.building_use[school] = IN_USE
    s.intake_closed[school] = 0
    s.quality[school] = quality
    add_cost(model, cost_yuan)
    model.layout_changed()
    model.log_event("school_restored", school,
                    f"{_name(model, school)!r} reopened (closed in {s.closed_year[school]}): "
                    f"grades 1-{grade_max}, {classrooms} classrooms; refurbishment "
                    f"{cost_yuan:,.0f} yuan{_why(reason)}")


def expand_school(model, school: int, classrooms: int, cost_yuan: float = 0.0,
                  reason: str = "") -> None:
    """Add ``classrooms`` to ``school`` (``invested_year`` = this year).

    Logs ``school_expanded``; charges ``cost_yuan`` (yuan) this year.
    """
    s = model.schools
    s.classrooms[school] += int(classrooms)
    s.invested_year[school] = model.year
    add_cost(model, cost_yuan)
    model.layout_changed()
    model.log_event("school_expanded", school,
                    f"{_name(model, school)!r} +{classrooms} classrooms (now "
                    f"{s.classrooms[school]}); construction {cost_yuan:,.0f} yuan{_why(reason)}")


def add_beds(model, school: int, beds: int, cost_yuan: float = 0.0, reason: str = "") -> None:
    """Add boarding ``beds`` to ``school`` (``invested_year`` = this year).

    Logs ``beds_added``; charges ``cost_yuan`` (yuan) this year.
    """
    s = model.schools
    s.boarding_beds[school] += int(beds)
    s.invested_year[school] = model.year
    add_cost(model, cost_yuan)
    model.log_event("beds_added", school,
                    f"{_name(model, school)!r} +{beds} beds (now {s.boarding_beds[school]}); "
                    f"construction {cost_yuan:,.0f} yuan{_why(reason)}")


# ---- teachers -----------------------------------------------------------------------------

def _teachers_at(model, school: int) -> np.ndarray:
    t = model.teachers
    return np.flatnonzero((t.school == school) & ((t.status == ACTIVE) | (t.status == ROTATING)))


def _move_teachers(model, rows: np.ndarray, target: int) -> None:
    t = model.teachers
    t.school[rows] = target
    t.home_school[rows] = target
    t.status[rows] = ACTIVE


def _shares_grade(s, a: int, b: np.ndarray) -> np.ndarray:
    return (s.grade_min[b] <= s.grade_max[a]) & (s.grade_max[b] >= s.grade_min[a])


def _nearest_open(model, school: int, accept) -> int | None:
    s = model.schools
    ids = np.flatnonzero(s.status == OPEN)
    ids = ids[ids != school]
    ids = np.array([r for r in ids if accept(r)], dtype=np.int64)
    if ids.size == 0:
        return None
    minutes = model.travel.minutes[s.settlement[school], s.settlement[ids]]
    return int(ids[np.argmin(minutes)])


def _send_guests_home(model, school: int, rows: np.ndarray) -> tuple[np.ndarray, int]:
    """End the rotations that involve a closed school.

    The closed school's posts held elsewhere move where the teachers are, and teachers
    rotating into it go back to their own (open) school. Returns the teachers left to
    redistribute and how many went back.
    """
    s, t = model.schools, model.teachers
    elsewhere = np.flatnonzero((t.home_school == school) & (t.school != school))
    t.home_school[elsewhere] = t.school[elsewhere]
    home = t.home_school[rows]
    guests = (t.status[rows] == ROTATING) & (home >= 0) & (home != school)
    guests &= s.status[np.maximum(home, 0)] == OPEN
    back = rows[guests]
    if back.size:
        t.school[back] = t.home_school[back]
        t.status[back] = ACTIVE
        t.rotation_until[back] = NOT_ROTATING
    return rows[~guests], int(back.size)


def _redistribute_teachers(model, school: int, rows: np.ndarray, receiving: int | None) -> str:
    """Move ``rows`` (teachers of closed ``school``) elsewhere; returns a summary."""
    s, t = model.schools, model.teachers
    rows, back = _send_guests_home(model, school, rows)
    if rows.size == 0:
        return f"{back} rotating back" if back else "none"
    if receiving is not None:
        _move_teachers(model, rows, receiving)
        return f"{rows.size} to {_name(model, receiving)!r}"
    open_ids = np.flatnonzero(s.status == OPEN)
    sharing = open_ids[_shares_grade(s, school, open_ids)]
    pool = sharing if sharing.size else open_ids
    if pool.size == 0:
        t.status[rows] = TEACHER_LEFT
        return f"{rows.size} left (no open school)"
    minutes = model.travel.minutes[s.settlement[school], s.settlement[pool]]
    order = pool[np.argsort(minutes, kind="stable")]
    need = staffing_need(model, class_structure(model))
    have, _ = teacher_counts(model)
    gaps = np.maximum(need[order] - have[order], 0)
    slots = np.repeat(order, gaps)[: rows.size]
    t.school[rows[: slots.size]] = slots
    t.home_school[rows[: slots.size]] = slots
    t.status[rows[: slots.size]] = ACTIVE
    rest = rows[slots.size:]
    if rest.size and sharing.size:
        _move_teachers(model, rest, int(order[0]))
        return f"{slots.size} to vacancies, {rest.size} to {_name(model, order[0])!r}"
    if rest.size:
        t.status[rest] = TEACHER_LEFT
        return f"{slots.size} to vacancies, {rest.size} left"
    return f"{slots.size} to vacancies"
