"""The consolidation plan (``[[policies.consolidation.plan]]``), one entry per action.

An explicit schedule of closures, downgrades, builds, expansions, beds and restorations. An
entry that names a school uses its name as in the school panel (``name`` column); names are
checked when the model is built (``sim.errors.ScenarioError``). Money is yuan, times are
minutes; "facts.md" is ``shared/data/facts.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from sim.scenario.policies.selectors import LevelName, SchoolSelector, TierName
from sim.scenario.schema_base import MAX_SCHOOLS, Float, Int, Strict


class PlanClose(Strict):
    """Close one named school (or the schools a selector picks) in a year."""

    action: Literal["close"] = Field(
        description="close: the school closes; its pupils are re-placed."
    )
    year: Int = Field(
        ge=1900, le=2200, description="Year the closure takes effect (calendar phase)."
    )
    school: str | None = Field(None, description="Name of the school (school panel `name`).")
    select: SchoolSelector | None = Field(
        None, description="Instead of `school`: schools picked by level and tier."
    )
    receiving: str | None = Field(
        None,
        description="Name of the school its pupils are sent to (they get catchment priority "
        "there); empty: the pupils choose among the schools in reach.",
    )

    @model_validator(mode="after")
    def _one_target(self):
        if (self.school is None) == (self.select is None):
            raise ValueError("give exactly one of 'school' (a name) and 'select' (a selector)")
        return self


class PlanDowngrade(Strict):
    """Lower the top grade of a school (e.g. a village primary keeps grades 1-3)."""

    action: Literal["downgrade"] = Field(
        description="downgrade: the school keeps grades up to grade_max."
    )
    year: Int = Field(ge=1900, le=2200, description="Year the downgrade takes effect.")
    school: str | None = Field(None, description="Name of the school.")
    select: SchoolSelector | None = Field(
        None, description="Instead of `school`: schools picked by level and tier."
    )
    grade_max: Int = Field(
        3,
        ge=1,
        le=8,
        description="Top grade kept (1-3 or 1-4 in the plans; 6 turns a nine-year school into a "
        "primary).",
    )
    receiving: str | None = Field(
        None, description="Name of the school the upper grades are sent to."
    )

    @model_validator(mode="after")
    def _one_target(self):
        if (self.school is None) == (self.select is None):
            raise ValueError("give exactly one of 'school' (a name) and 'select' (a selector)")
        return self


class PlanBuild(Strict):
    """Build and open a new school."""

    action: Literal["build"] = Field(description="build: a new school opens.")
    year: Int = Field(ge=1900, le=2200, description="Year the school opens.")
    name: str = Field(min_length=1, description="Name of the new school (must not be taken).")
    settlement: str = Field(
        min_length=1, description="Name of the settlement where it is built (e.g. 'County Town')."
    )
    level: LevelName = Field(description="Level: teaching_point, primary, junior or nine_year.")
    grade_min: Int | None = Field(
        None, ge=1, le=9, description="Lowest grade (empty: by level: 1, 1, 7, 1)."
    )
    grade_max: Int | None = Field(
        None, ge=1, le=9, description="Top grade (empty: by level: 3, 6, 9, 9)."
    )
    classrooms: Int = Field(ge=1, le=500, description="Classrooms (spread evenly over the grades).")
    beds: Int = Field(0, ge=0, le=20_000, description="Boarding beds.")

    @model_validator(mode="after")
    def _grades(self):
        lo, hi = self.grade_range()
        if lo > hi:
            raise ValueError(f"grade_min {lo} is above grade_max {hi}")
        return self

    def grade_range(self) -> tuple[int, int]:
        """Return the grades the new school teaches.

        Returns
        -------
        tuple of int
            (lowest, highest) grade: ``grade_min`` and ``grade_max``, or the level's usual
            grades where they are empty (teaching_point 1-3, primary 1-6, junior 7-9,
            nine_year 1-9).
        """
        default = {
            "teaching_point": (1, 3),
            "primary": (1, 6),
            "junior": (7, 9),
            "nine_year": (1, 9),
        }[self.level]
        return (self.grade_min or default[0], self.grade_max or default[1])


class PlanExpand(Strict):
    """Add classrooms to a school."""

    action: Literal["expand"] = Field(description="expand: classrooms are added.")
    year: Int = Field(ge=1900, le=2200, description="Year the classrooms are ready.")
    school: str = Field(description="Name of the school.")
    classrooms: Int = Field(ge=1, le=500, description="Classrooms added.")


class PlanBeds(Strict):
    """Add boarding beds to a school."""

    action: Literal["add_beds"] = Field(description="add_beds: boarding beds are added.")
    year: Int = Field(ge=1900, le=2200, description="Year the beds are ready.")
    school: str = Field(description="Name of the school.")
    beds: Int = Field(ge=1, le=20_000, description="Beds added.")


class RestoreSelector(Strict):
    """Closed schools chosen during the run where a school is needed (恢复教学点 "where needed").

    A closed school is a candidate when its building stands idle (not reused or sold), no open
    school in its settlement teaches grade 1, and at least ``min_far_pupils`` young pupils
    (grades 1 to the entry's ``grade_max``) living in its settlement now have a day commute
    above ``max_commute_min`` (a boarder counts with its trip home). At most one school per
    settlement is restored (the one closed last).
    """

    levels: list[Literal["teaching_point", "primary"]] = Field(
        default_factory=lambda: ["teaching_point", "primary"],
        min_length=1,
        description="Levels the closed school had (teaching_point, primary).",
    )
    tiers: list[TierName] = Field(
        default_factory=lambda: ["village"],
        min_length=1,
        description="School tiers to pick from (village, township, county_town).",
    )
    count: Int | None = Field(
        None,
        ge=1,
        le=MAX_SCHOOLS,
        description="At most this many schools (empty: every closed school where one is needed).",
    )
    order: Literal["far_pupils", "mean_commute"] = Field(
        "far_pupils",
        description="Most needed first: 'far_pupils' = most young pupils of the settlement "
        "commuting beyond the limit (ties: longer mean commute); 'mean_commute' = longest mean "
        "commute of the settlement's young pupils (ties: more far pupils).",
    )
    min_far_pupils: Int = Field(
        5,
        ge=1,
        le=10_000,
        description="Young pupils of the settlement with a commute beyond the limit needed before "
        "its school is restored (pupils; assumption: no teaching point for fewer than 5).",
    )
    max_commute_min: Float | None = Field(
        None,
        gt=0,
        le=600,
        description="Commute above which a young pupil counts as far (minutes; empty: "
        "policies.consolidation.young_max_commute_min, else access.commute_limit_min.primary, 40). "
        "The 2012 and 2018 rules say young pupils walk no more than about 30 (facts.md).",
    )


class PlanRestore(Strict):
    """Reopen closed schools where they are needed (国办发〔2012〕48号: 恢复教学点 where needed).

    Which schools is decided in the year of the entry, from where young pupils live and how far
    they travel then (``select``); the reopened school teaches grades 1..``grade_max``, has
    rooms for the young pupils of its settlement, and is staffed by the teachers phase's hiring.
    """

    action: Literal["restore"] = Field(description="restore: closed schools reopen where needed.")
    year: Int = Field(
        ge=1900,
        le=2200,
        description="Year the schools reopen (calendar phase; not before the scenario's "
        "start_year). Acts in that year even outside the consolidation block's "
        "start_year..end_year (a halt of closures is when schools are restored).",
    )
    select: RestoreSelector = Field(
        default_factory=RestoreSelector,
        description="Which closed schools: where needed (see its fields).",
    )
    as_level: Literal["teaching_point", "primary"] = Field(
        "teaching_point",
        description="Level of the reopened school: teaching_point (grades up to 5) or primary "
        "(1-6).",
    )
    grade_max: Int = Field(
        3,
        ge=1,
        le=6,
        description="Top grade taught after reopening (grades 1..grade_max; 3 for a teaching point "
        "of the lower grades, 小学低段就近; 6 for a primary).",
    )

    @model_validator(mode="after")
    def _level_and_grades(self):
        if self.as_level == "teaching_point" and self.grade_max > 5:
            raise ValueError(
                f"grade_max {self.grade_max}: a teaching point teaches at most grades 1-5 "
                "(use as_level = 'primary' for grades 1-6)"
            )
        if self.as_level == "primary" and self.grade_max != 6:
            raise ValueError(
                f"grade_max {self.grade_max}: a primary teaches grades 1-6 "
                "(use as_level = 'teaching_point' for fewer grades)"
            )
        return self


PlanEntry = Annotated[
    Union[PlanClose, PlanDowngrade, PlanBuild, PlanExpand, PlanBeds, PlanRestore],
    Field(discriminator="action"),
]
