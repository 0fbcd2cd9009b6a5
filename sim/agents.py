"""Mesa agents as thin views over table rows: ``Family``, ``School``, ``Teacher``.

They exist for inspection, Mesa tooling (``AgentSet.select``/``groupby``, ``DataCollector``,
SolaraViz) and teaching (``family.explain_choice()``). Reading or writing an attribute reads or
writes ``model.<table>.<column>[row]``; nothing is copied. Children are rows of the children
table, reached through ``Family.children``.
"""

from __future__ import annotations

import itertools
import weakref

import mesa
import numpy as np
import pandas as pd

from sim.behaviour.choice import utility_terms
from sim.scenario.schema import LEVELS, SETTLEMENT_KINDS, TIERS
from sim.state import (
    BUILDING_USE,
    CHILD_STATUS,
    ENROLLED,
    FAMILY_STATUS,
    HUKOU,
    SCHOOL_STATUS,
    TEACHER_STATUS,
    on_duty,
)


class Column:
    """Descriptor exposing one column of a model table as an agent attribute.

    Categorical columns (``names`` given) read and write their names, e.g. ``"enrolled"``.

    Parameters
    ----------
    table : str
        The model attribute holding the table: ``"families"``, ``"schools"``, ``"teachers"``.
    names : tuple of str, optional
        The category names of a categorical column, in code order; None for a plain column.

    Attributes
    ----------
    table : str
        The table's model attribute.
    names : tuple of str or None
        The category names, or None.
    column : str
        The column's name: the attribute name the descriptor is bound to.

    Raises
    ------
    ValueError
        On assigning a name that is not one of ``names``.
    """

    def __init__(self, table: str, names: tuple[str, ...] | None = None):
        self.table, self.names = table, names

    def __set_name__(self, owner, name: str) -> None:
        self.column = name

    def _array(self, agent) -> np.ndarray:
        return getattr(agent.model, self.table)._data[self.column]

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        value = self._array(agent)[agent.row]
        return self.names[int(value)] if self.names else value.item()

    def __set__(self, agent, value) -> None:
        if self.names:
            if value not in self.names:
                raise ValueError(f"{self.column} must be one of {self.names}, got {value!r}")
            value = self.names.index(value)
        self._array(agent)[agent.row] = value


class _IdCounters(weakref.WeakKeyDictionary):
    """Per-model id counters that do not keep models alive.

    ``mesa.Agent`` keeps its counters in a class-level ``defaultdict`` keyed by model, which
    holds every model ever built (and all its tables) until the process ends: a leak in a
    sweep worker that builds thousands of models. Weak keys let a finished model go.
    """

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class RowAgent(mesa.Agent):
    """A Mesa agent bound to row ``row`` of one of the model's tables.

    Parameters
    ----------
    model : EducationModel
        The model whose table holds the row.
    row : int
        The row's index in the table.

    Attributes
    ----------
    row : int
        The row's index in the table.
    """

    _ids = _IdCounters()

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)


class Family(RowAgent):
    """A household with children (rows of ``model.families``).

    Attributes
    ----------
    settlement : int
        Index of the settlement where the family lives now.
    home_settlement : int
        Where it came from.
    hukou : {"rural", "urban"}
        The family's household registration.
    income : float
        Per-capita disposable income (yuan/yr).
    status : {"home", "in_town_with_children", "parents_away", "left_county"}
        Where the family and its children are.
    moved_year : int
        Year of the last move (-1 never).
    children : pandas.DataFrame
        The family's children, one row each (read only).
    """

    settlement = Column("families")
    home_settlement = Column("families")
    hukou = Column("families", HUKOU)
    income = Column("families")
    status = Column("families", FAMILY_STATUS)
    moved_year = Column("families")

    @property
    def children(self) -> pd.DataFrame:
        """The family's children: one row each (index = child row), statuses by name."""
        c = self.model.children
        rows = np.flatnonzero(c.family == self.row)
        return pd.DataFrame(
            {
                "birth_year": c.birth_year[rows],
                "grade": c.grade[rows],
                "school": c.school[rows],
                "boarding": c.boarding[rows],
                "commute_min": c.commute_min[rows],
                "status": [CHILD_STATUS[k] for k in c.status[rows]],
            },
            index=pd.Index(rows, name="child"),
        )

    def explain_choice(self) -> pd.DataFrame:
        """Ranked candidate schools of each enrolled child, with every utility term.

        One row per (child, candidate school), best first within a child by deterministic
        utility (the random taste term ε is left out); ``feasible`` False marks schools the
        child cannot attend (too far, no bed); ``outside`` is the utility of dropping out.

        Returns
        -------
        pandas.DataFrame
            Columns ``child``, ``grade``, ``school``, ``name``, ``commute_min`` (minutes),
            ``boards``, ``feasible``, the utility terms (``quality``, ``time``, ``boarding``,
            ``young_boarding``, ``stay``, ``sibling``, ``choice_fee`` outside the catchment:
            择校), ``utility``, ``outside`` and ``rank``
            (1 = best); empty when the family has no enrolled child.
        """
        c = self.model.children
        rows = np.flatnonzero((c.family == self.row) & (c.status == ENROLLED))
        if rows.size == 0:
            return pd.DataFrame()
        t = utility_terms(self.model, rows)
        k = t["school"].shape[1]
        names = self.model.schools.name
        frame = pd.DataFrame(
            {
                "child": np.repeat(rows, k),
                "grade": np.repeat(c.grade[rows], k),
                "school": t["school"].ravel(),
                "commute_min": t["commute_min"].ravel(),
                "boards": t["board"].ravel(),
                "feasible": t["feasible"].ravel(),
                "quality": t["quality"].ravel(),
                "time": t["time"].ravel(),
                "boarding": t["boarding"].ravel(),
                "young_boarding": t["young_boarding"].ravel(),
                "stay": t["stay"].ravel(),
                "sibling": t["sib"].ravel(),
                "choice_fee": t["choice_fee"].ravel(),
                "utility": t["utility"].ravel(),
                "outside": np.repeat(t["outside"], k),
            }
        )
        frame = frame[frame["school"] >= 0]
        frame.insert(3, "name", [names[i] for i in frame["school"]])
        frame = frame.sort_values(["child", "feasible", "utility"], ascending=[True, False, False])
        frame["rank"] = frame.groupby("child").cumcount() + 1
        return frame.reset_index(drop=True)


class School(RowAgent):
    """A school (rows of ``model.schools``).

    Attributes
    ----------
    settlement : int
        Index of the school's settlement.
    level : {"teaching_point", "primary", "junior", "nine_year"}
        The school's level.
    tier : {"village", "township", "county_town"}
        The tier of its settlement.
    grade_min, grade_max : int
        The grades taught (1-9).
    classrooms : int
        Classrooms.
    boarding_beds : int
        Boarding beds.
    status : {"planned", "open", "closed"}
        Whether it teaches.
    quality : float
        Quality, in [0, 1].
    opened_year, closed_year, invested_year : int
        Years it opened, closed and was last invested in (-1 none).
    building_use : {"in_use", "idle", "reused", "sold"}
        What its building is used for.
    name : str
        The school's name (read only).
    pupils : numpy.ndarray
        Row indices of the children enrolled here (read only).
    n_pupils : int
        Children enrolled here (read only).
    teachers : numpy.ndarray
        Row indices of the teachers teaching here (read only).
    settlement_kind : {"county_town", "town", "village"}
        The kind of its settlement (read only).
    """

    settlement = Column("schools")
    level = Column("schools", LEVELS)
    tier = Column("schools", TIERS)
    grade_min = Column("schools")
    grade_max = Column("schools")
    classrooms = Column("schools")
    boarding_beds = Column("schools")
    status = Column("schools", SCHOOL_STATUS)
    quality = Column("schools")
    opened_year = Column("schools")
    closed_year = Column("schools")
    invested_year = Column("schools")
    building_use = Column("schools", BUILDING_USE)

    @property
    def name(self) -> str:
        """The school's name."""
        return self.model.schools.name[self.row]

    @property
    def pupils(self) -> np.ndarray:
        """Row indices of the children enrolled here."""
        c = self.model.children
        return np.flatnonzero((c.school == self.row) & (c.status == ENROLLED))

    @property
    def n_pupils(self) -> int:
        """Number of children enrolled here."""
        return int(self.pupils.size)

    @property
    def teachers(self) -> np.ndarray:
        """Row indices of the teachers teaching here (active or rotating in)."""
        t = self.model.teachers
        return np.flatnonzero((t.school == self.row) & on_duty(t))

    @property
    def settlement_kind(self) -> str:
        """The kind of the school's settlement: ``"county_town"``, ``"town"`` or ``"village"``."""
        return SETTLEMENT_KINDS[int(self.model.settlements.kind[self.settlement])]


class Teacher(RowAgent):
    """A teacher (rows of ``model.teachers``).

    Attributes
    ----------
    school : int
        The school the teacher teaches at (-1 none).
    home_school : int
        School holding the post of a rotating teacher.
    age, experience : float
        Age and teaching experience (years).
    skill : float
        Skill, in [0, 1].
    backbone : bool
        A backbone teacher (骨干).
    status : {"active", "rotating", "retired", "left"}
        Whether and where the teacher teaches.
    """

    school = Column("teachers")
    home_school = Column("teachers")
    age = Column("teachers")
    experience = Column("teachers")
    skill = Column("teachers")
    backbone = Column("teachers")
    status = Column("teachers", TEACHER_STATUS)
