"""Layout actions on the school table: close, downgrade, open, reopen, expand, add beds (DESIGN §6).

Policies (``sim.policies``) call these in the calendar phase, before demography and
placement, so that displaced pupils are re-placed in the same year's placement (placement
re-places pupils whose school is closed or no longer teaches their grade). Every action
logs an event (``model.log_event``) and adds its construction cost, if it has one, to
``model.counts.extra_cost_yuan`` (counted in ``cost_total``) and to
``model.counts.construction_yuan`` (for the cost breakdown).

Teachers of a closed school are redistributed (分流): all to the receiving school when one is
named, else they fill vacancies at the nearest open schools sharing a grade, and the rest go
to the nearest such school (where most pupils go); with no open school sharing a grade they
fill vacancies anywhere, nearest first, and the rest leave. Every teacher ends active
elsewhere, retired or left; teachers rotating into a closed school return to their own.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.schools import class_structure, staffing_need, teacher_counts
from sim.state import (
    ACTIVE,
    CLOSED,
    ENROLLED,
    JUNIOR,
    NINE_YEAR,
    NO_SCHOOL,
    OPEN,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    ROTATING,
    TEACHER_LEFT,
    TEACHING_POINT,
    code,
    BUILDING_USE,
)
from sim.world.types import TIER_OF_KIND

IDLE = code(BUILDING_USE, "idle")
IN_USE = code(BUILDING_USE, "in_use")


def add_cost(model, yuan: float, item: str = "construction_yuan") -> None:
    """Charge ``yuan`` to this year's county cost (``extra_cost_yuan``) under ``item``."""
    if yuan:
        model.counts.charge(yuan, item)


def school_index(model, name: str) -> int:
    """Row of the school called ``name``; KeyError if there is none."""
    try:
        return model.schools.name.index(name)
    except ValueError:
        raise KeyError(name) from None


def _name(model, school: int) -> str:
    return model.schools.name[int(school)]


def mark_displaced(model, children: np.ndarray, receiving: int | None) -> None:
    """Record that ``children`` lose their school this year, and send those whose next grade
    ``receiving`` teaches there (``children.sent_to``: top admission priority)."""
    c, s = model.children, model.schools
    c.displaced_year[children] = model.year
    c.sent_to[children] = NO_SCHOOL
    if receiving is not None:
        nxt = c.grade[children] + 1
        ok = (s.grade_min[receiving] <= nxt) & (s.grade_max[receiving] >= nxt)
        c.sent_to[children[ok]] = int(receiving)


def close_school(model, school: int, receiving: int | None = None, reason: str = "") -> None:
    """Close ``school``: status closed, ``closed_year``, building idle, intake bits cleared,
    its pupils marked displaced (sent to ``receiving`` if given), its teachers redistributed;
    then the candidate sets are rebuilt. Logs ``school_closed``."""
    s, c = model.schools, model.children
    school = int(school)
    if s.status[school] != OPEN:
        raise ValueError(f"school {_name(model, school)!r} is not open")
    if receiving is not None and (s.status[receiving] != OPEN or receiving == school):
        receiving = None
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
    why = f" ({reason})" if reason else ""
    model.log_event("school_closed", school,
                    f"{_name(model, school)!r} closed{to}{why}: {pupils.size} pupils displaced; teachers {moved}")


def downgrade_school(model, school: int, grade_max: int, receiving: int | None = None, reason: str = "") -> None:
    """Lower the top grade of ``school`` to ``grade_max``.

    A primary keeping grades below 6 becomes a teaching point; a nine-year school keeping
    1-6 becomes a primary. Classrooms shrink with the grades taught (the others are reused),
    so seats per grade stay as they were. Pupils who next year would be in a grade no longer taught are
    marked displaced (placement re-places them); teachers beyond the kept grades' share go
    to ``receiving`` or the nearest open school teaching ``grade_max + 1``. Logs
    ``school_downgraded``."""
    s, c, t = model.schools, model.children, model.teachers
    school = int(school)
    grade_max = int(grade_max)
    old_max = int(s.grade_max[school])
    if s.status[school] != OPEN:
        raise ValueError(f"school {_name(model, school)!r} is not open")
    if not (s.grade_min[school] <= grade_max < old_max):
        raise ValueError(
            f"cannot downgrade {_name(model, school)!r} (grades {s.grade_min[school]}-{old_max}) to top grade {grade_max}"
        )
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    grade = c.grade[pupils]
    # Next year they are in grade + 1: those beyond the new top grade (who would have stayed) move.
    leaving = pupils[(grade + 1 > grade_max) & (grade + 1 <= old_max)]
    staying = int(((grade + 1) <= grade_max).sum())
    old_grades = int(s.grades_served()[school])
    s.grade_max[school] = grade_max
    # The rooms of the grades no longer taught leave teaching (reused); seats per grade stay.
    s.classrooms[school] = max(int(round(s.classrooms[school] * s.grades_served()[school] / old_grades)), 1)
    if s.grade_min[school] == 1 and grade_max < PRIMARY_TOP_GRADE:
        s.level[school] = TEACHING_POINT
    elif s.level[school] == NINE_YEAR and grade_max <= PRIMARY_TOP_GRADE:
        s.level[school] = PRIMARY
    if receiving is not None and (s.status[receiving] != OPEN or receiving == school):
        receiving = None
    mark_displaced(model, leaving, receiving)
    teachers = _teachers_at(model, school)
    share = staying / max(staying + leaving.size, 1)
    keep = max(int(round(teachers.size * share)), min(teachers.size, 1))
    surplus = teachers[keep:]
    target = receiving
    if target is None:
        target = _nearest_open(model, school, lambda r: s.grade_min[r] <= grade_max + 1 <= s.grade_max[r])
    moved = "none moved"
    if surplus.size:
        if target is None:
            t.status[surplus] = TEACHER_LEFT
            moved = f"{surplus.size} left"
        else:
            _move_teachers(model, surplus, target)
            moved = f"{surplus.size} moved to {_name(model, target)!r}"
    model.layout_changed()
    why = f" ({reason})" if reason else ""
    model.log_event("school_downgraded", school,
                    f"{_name(model, school)!r} now teaches grades {s.grade_min[school]}-{grade_max} "
                    f"(was up to {old_max}){why}: {leaving.size} pupils displaced; teachers {moved}")


def open_school(model, name: str, settlement: int, level: int, grade_min: int, grade_max: int,
                classrooms: int, beds: int = 0, cost_yuan: float = 0.0, reason: str = "") -> int:
    """Add and open a new school (a row of ``model.schools``, its name and a ``School`` agent).

    ``opened_year`` and ``invested_year`` are this year; its tier follows the settlement's
    kind; its starting quality is the mean of open schools of its tier (teachers come from
    the teachers phase's hiring, or from closed schools that name it as receiving).
    Returns the new row. Logs ``school_opened``."""
    s = model.schools
    if name in s.name:
        raise ValueError(f"a school called {name!r} already exists")
    tier = int(TIER_OF_KIND[model.settlements.kind[settlement]])
    peers = (s.status == OPEN) & (s.tier == tier)
    quality = float(s.quality[peers].mean()) if peers.any() else 0.5
    row = int(s.add(
        1, settlement=int(settlement), level=int(level), tier=tier, grade_min=int(grade_min),
        grade_max=int(grade_max), classrooms=int(classrooms), boarding_beds=int(beds), status=OPEN,
        opened_year=model.year, invested_year=model.year, quality=quality, building_use=0,
    )[0])
    s.name.append(str(name))
    model.add_school_agents(np.array([row]))
    add_cost(model, cost_yuan)
    model.layout_changed()
    why = f" ({reason})" if reason else ""
    model.log_event("school_opened", row,
                    f"{name!r} opened in {model.settlement_names[settlement]!r}: grades {grade_min}-{grade_max}, "
                    f"{classrooms} classrooms, {beds} beds; construction {cost_yuan:,.0f} yuan{why}")
    return row


def reopen_school(model, school: int, level: int, grade_max: int, classrooms: int, cost_yuan: float = 0.0,
                  reason: str = "") -> None:
    """Reopen the closed ``school`` in its idle building (恢复教学点).

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

    Status open, ``opened_year`` and ``invested_year`` this year (``closed_year`` keeps the year
    it closed), building in use, no beds, intake open, starting quality the mean of open schools
    of its tier (as a new school). It has no teachers: the teachers phase's hiring fills its
    vacancies like a new school's. The candidate sets are rebuilt, so this year's entrants and
    pupils who choose a school may pick it. Logs ``school_restored``.

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
        raise ValueError(f"the building of {_name(model, school)!r} is no longer idle (reused or sold)")
    if not 1 <= int(grade_max) <= PRIMARY_TOP_GRADE or int(classrooms) < 1:
        raise ValueError(f"cannot reopen {_name(model, school)!r} with grades 1-{grade_max} and {classrooms} classrooms")
    peers = (s.status == OPEN) & (s.tier == s.tier[school])
    s.status[school] = OPEN
    s.level[school] = int(level)
    s.grade_min[school] = 1
    s.grade_max[school] = int(grade_max)
    s.classrooms[school] = int(classrooms)
    s.boarding_beds[school] = 0
    s.opened_year[school] = model.year
    s.invested_year[school] = model.year
    s.building_use[school] = IN_USE
    s.intake_closed[school] = 0
    s.quality[school] = float(s.quality[peers].mean()) if peers.any() else 0.5
    add_cost(model, cost_yuan)
    model.layout_changed()
    why = f" ({reason})" if reason else ""
    model.log_event("school_restored", school,
                    f"{_name(model, school)!r} reopened (closed in {s.closed_year[school]}): grades 1-{grade_max}, "
                    f"{classrooms} classrooms; refurbishment {cost_yuan:,.0f} yuan{why}")


def expand_school(model, school: int, classrooms: int, cost_yuan: float = 0.0, reason: str = "") -> None:
    """Add ``classrooms`` to ``school`` (``invested_year`` = this year). Logs ``school_expanded``."""
    s = model.schools
    s.classrooms[school] += int(classrooms)
    s.invested_year[school] = model.year
    add_cost(model, cost_yuan)
    model.layout_changed()
    why = f" ({reason})" if reason else ""
    model.log_event("school_expanded", school,
                    f"{_name(model, school)!r} +{classrooms} classrooms (now {s.classrooms[school]}); "
                    f"construction {cost_yuan:,.0f} yuan{why}")


def add_beds(model, school: int, beds: int, cost_yuan: float = 0.0, reason: str = "") -> None:
    """Add boarding ``beds`` to ``school`` (``invested_year`` = this year). Logs ``beds_added``."""
    s = model.schools
    s.boarding_beds[school] += int(beds)
    s.invested_year[school] = model.year
    add_cost(model, cost_yuan)
    why = f" ({reason})" if reason else ""
    model.log_event("beds_added", school,
                    f"{_name(model, school)!r} +{beds} beds (now {s.boarding_beds[school]}); "
                    f"construction {cost_yuan:,.0f} yuan{why}")


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


def _redistribute_teachers(model, school: int, rows: np.ndarray, receiving: int | None) -> str:
    """Move ``rows`` (teachers of closed ``school``) elsewhere; returns a summary."""
    s, t = model.schools, model.teachers
    # Rotating teachers elsewhere whose post was at the closed school take the post where they are.
    elsewhere = np.flatnonzero((t.home_school == school) & (t.school != school))
    t.home_school[elsewhere] = t.school[elsewhere]
    # Teachers rotating into the closed school go back to their own (open) school.
    home = t.home_school[rows]
    guests = (t.status[rows] == ROTATING) & (home >= 0) & (home != school)
    guests &= s.status[np.maximum(home, 0)] == OPEN
    back = rows[guests]
    if back.size:
        t.school[back] = t.home_school[back]
        t.status[back] = ACTIVE
        if "rotation_until" in type(t).columns:
            t.rotation_until[back] = -1
    rows = rows[~guests]
    if rows.size == 0:
        return f"{back.size} rotating back" if back.size else "none"
    if receiving is not None:
        _move_teachers(model, rows, receiving)
        return f"{rows.size} to {_name(model, receiving)!r}"
    open_ids = np.flatnonzero(s.status == OPEN)
    sharing = open_ids[_shares_grade(s, school, open_ids)]
    pool = sharing if sharing.size else open_ids
    if pool.size == 0:
        t.status[rows] = TEACHER_LEFT
        return f"{rows.size} left (no open school)"
    order = pool[np.argsort(model.travel.minutes[s.settlement[school], s.settlement[pool]], kind="stable")]
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


def level_code(name: str) -> int:
    """Code of a level name (teaching_point, primary, junior, nine_year)."""
    return {"teaching_point": TEACHING_POINT, "primary": PRIMARY, "junior": JUNIOR, "nine_year": NINE_YEAR}[name]
