"""What every scenario block shares: strict validation, bounded number types, per-stage values.

Every number of a scenario is finite and lies in a documented range (``docs/parameters.md``,
column *range*; ``edusim schema``): blocks refuse NaN and infinity, a boolean where a number
belongs and a number where a boolean belongs (TOML and JSON give these types, so a mix-up is
a mistake, not a format), and each numeric field carries a lower and an upper bound. The
bounds below are far beyond any real county; they exist to turn a typo (``1e12`` residents, a
fee in fen) into a message instead of a crash or a silently wrong run.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

# ---- bounds (each with the reason it is safe) ---------------------------------------------

#: Years of a scenario (start year, plan entries, births index): 1900 to 2200.
MIN_YEAR, MAX_YEAR = 1900, 2200
#: Seeds are stored as signed 64-bit integers (sweep and comparison tables).
MAX_SEED = 2**63 - 1
#: Residents of a county: five times China's most populous county (about 2 million); the
#: tables are sized for up to about 10^6 pupils (DESIGN §3).
MAX_RESIDENTS = 10_000_000
#: Land area (km²): above Ruoqiang, the largest county (about 200,000 km²).
MAX_AREA_KM2 = 250_000.0
#: Pupils of one school (sizes, thresholds): twice the largest Chinese schools (about 10,000).
MAX_SCHOOL_PUPILS = 20_000
#: Schools picked by a selector: more than any county has (a large county has a few hundred).
MAX_SCHOOLS = 10_000
#: Pupils per class: twice a 超大班额 class (66+), the bound of ``schools.max_class_size``.
MAX_CLASS_SIZE = 120
#: Pupils per teacher, teachers per class, subject teachers: far above every standard (19, 13.5).
MAX_STAFFING = 100.0
#: Minutes of a commute or a stop: ten hours, beyond any daily journey.
MAX_MINUTES = 600.0
#: Money of one item (yuan): ten times a mid-size county's yearly education budget (≈10^9).
MAX_YUAN = 1e10
#: Utility of one term: at ±50 a choice is already certain (e^50 ≈ 5·10^21 to one).
MAX_UTILITY = 50.0
#: Relative weights (only their ratios matter): a ratio of 100 to 1 is beyond any use.
MAX_RELATIVE_WEIGHT = 100.0
#: Riding speed (km/h): above any road vehicle a pupil rides to school.
MAX_SPEED_KMH = 150.0
#: Factors on speed or road length: a tenfold change is beyond any terrain.
MAX_FACTOR = 10.0
#: Births index values (any scale): national births counted in persons fit (≈1.8·10^7).
MAX_BIRTHS_INDEX = 1e9
#: Children per family listed in ``families.children_per_family``.
MAX_CHILDREN = 10
#: Persons per household.
MAX_HOUSEHOLD = 20.0
#: Seats per 1,000 residents: never more seats than residents.
PER_THOUSAND = 1000.0

# ---- number types ---------------------------------------------------------------------------


def _refuse_boolean(value: Any) -> Any:
    """Refuse true/false where a number belongs (pydantic would read true as 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_not_boolean", "a number is needed, not true/false")
    return value


#: A whole number that is never a boolean (``years = true`` is refused, not read as 1).
Int = Annotated[int, BeforeValidator(_refuse_boolean)]
#: A finite number (blocks refuse NaN and infinity) that is never a boolean.
Float = Annotated[float, BeforeValidator(_refuse_boolean)]
#: true or false only: ``1`` or ``"yes"`` is refused (TOML and JSON have booleans).
Bool = StrictBool


Year = Annotated[Int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Seed = Annotated[Int, Field(ge=0, le=MAX_SEED)]
Share = Annotated[Float, Field(ge=0, le=1)]
Yuan = Annotated[Float, Field(ge=0, le=MAX_YUAN)]
Minutes = Annotated[Float, Field(ge=0, le=MAX_MINUTES)]
Utility = Annotated[Float, Field(ge=-MAX_UTILITY, le=MAX_UTILITY)]
#: A utility coefficient that may only lower or only raise a utility (its sign is in the model).
Weight = Annotated[Float, Field(ge=0, le=MAX_UTILITY)]
RelativeWeight = Annotated[Float, Field(ge=0, le=MAX_RELATIVE_WEIGHT)]
Residents = Annotated[Int, Field(ge=0, le=MAX_RESIDENTS)]
SpeedKmh = Annotated[Float, Field(gt=0, le=MAX_SPEED_KMH)]
Factor = Annotated[Float, Field(gt=0, le=MAX_FACTOR)]
#: Road length over straight-line distance: a road is never shorter than the straight line.
DetourFactor = Annotated[Float, Field(ge=1, le=MAX_FACTOR)]
BirthsIndexValue = Annotated[Float, Field(gt=0, le=MAX_BIRTHS_INDEX)]


class Strict(BaseModel):
    """Base for every scenario block.

    Unknown keys are errors, assignments are validated, and NaN and infinity are refused.
    Fields use :data:`Int`, :data:`Float` and :data:`Bool` (or the bounded types built on
    them), so a boolean is never taken for a number (``years = true``) nor a number for a
    boolean.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


def _members(annotation: Any) -> list[Any]:
    """``annotation`` with ``Annotated``, ``Optional`` and ``Union`` unpacked."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _scalar_types(annotation: Any) -> set[type]:
    """Return the scalar types (bool, int, float, str) a value may take (None aside)."""
    return {m for m in _members(annotation) if m in (bool, int, float, str)}


def _item_types(annotation: Any) -> set[type]:
    """Return the scalar types of a list's items or a dict's values, else the empty set."""
    for member in _members(annotation):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin is list and args:
            return _scalar_types(args[0])
        if origin is dict and len(args) == 2:
            return _scalar_types(args[1])
    return set()


class PolicyBlock(Strict):
    """Fields every policy shares: the years it is in force (inclusive; empty = always)."""

    start_year: Year | None = Field(
        None, description="First year the policy acts (empty: from the start)."
    )
    end_year: Year | None = Field(
        None, description="Last year the policy acts (empty: to the end)."
    )

    @model_validator(mode="after")
    def _years_in_order(self):
        if self.start_year is not None and self.end_year is not None:
            if self.end_year < self.start_year:
                raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self


# ---- values per stage (primary, grades 1-6; junior, grades 7-9) and per level ---------------


class StageClassCap(Strict):
    """Pupils per class for primary and junior: 1 to 120."""

    primary: Float = Field(ge=1, le=MAX_CLASS_SIZE)
    junior: Float = Field(ge=1, le=MAX_CLASS_SIZE)


class StageSchoolSize(Strict):
    """Pupils of one school for primary and junior: 1 to 20,000."""

    primary: Float = Field(ge=1, le=MAX_SCHOOL_PUPILS)
    junior: Float = Field(ge=1, le=MAX_SCHOOL_PUPILS)


class StageStaffing(Strict):
    """A staffing number for primary and junior (pupils or teachers): above 0, at most 100."""

    primary: Float = Field(gt=0, le=MAX_STAFFING)
    junior: Float = Field(gt=0, le=MAX_STAFFING)


class StagePupilsPerTeacher(Strict):
    """Pupils per teacher for primary and junior: 1 to 100.

    The lower bound: no staffing norm has fewer pupils than teachers (the 2014 norms are 19 and
    13.5), and a ratio near 0 would ask for billions of teachers.
    """

    primary: Float = Field(ge=1, le=MAX_STAFFING)
    junior: Float = Field(ge=1, le=MAX_STAFFING)


class StageShares(Strict):
    """A share or yearly chance for primary and junior: 0 to 1."""

    primary: Share
    junior: Share


class StageCommuteMinutes(Strict):
    """Minutes for primary and junior pupils: 0 to 600."""

    primary: Minutes
    junior: Minutes


class StageYuan(Strict):
    """Yuan for a primary and a junior pupil: 0 to 10^10."""

    primary: Yuan
    junior: Yuan


class StageWeights(Strict):
    """A utility coefficient for primary and junior pupils: 0 to 50."""

    primary: Weight
    junior: Weight


class StageUtilities(Strict):
    """A utility, possibly negative, for primary and junior pupils: -50 to 50."""

    primary: Utility
    junior: Utility


class StageSeatNorms(Strict):
    """Seats per 1,000 residents for primary and junior: 0 to 1,000."""

    primary: Float = Field(ge=0, le=PER_THOUSAND)
    junior: Float = Field(ge=0, le=PER_THOUSAND)


class LevelPupils(Strict):
    """Pupils for each school level: 0 to 20,000."""

    teaching_point: Float = Field(ge=0, le=MAX_SCHOOL_PUPILS)
    primary: Float = Field(ge=0, le=MAX_SCHOOL_PUPILS)
    junior: Float = Field(ge=0, le=MAX_SCHOOL_PUPILS)
    nine_year: Float = Field(ge=0, le=MAX_SCHOOL_PUPILS)


# ---- reading a field's type and range -------------------------------------------------------

#: A bound: its value and whether it is allowed itself (``ge``/``le``) or not (``gt``/``lt``).
Bound = tuple[float, bool]
#: Floats below this are whole numbers written exactly (2^53).
MAX_EXACT_FLOAT = 2.0**53
#: Bounds from this size on are written with thousands separators (years are not).
THOUSANDS_FROM = 10_000


def block_type(annotation: Any) -> type[BaseModel] | None:
    """Find the pydantic model in a field's annotation.

    Parameters
    ----------
    annotation : Any
        A field's annotation: ``Model``, ``Model | None`` or anything else.

    Returns
    -------
    type or None
        The model class, or None when the annotation holds none.
    """
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def numeric_bounds(field: FieldInfo) -> tuple[Bound | None, Bound | None]:
    """Return the bounds of a numeric field, or of its list items or dict values.

    Parameters
    ----------
    field : pydantic.fields.FieldInfo
        A pydantic field.

    Returns
    -------
    (lower, upper)
        Each ``(value, inclusive)`` or None when the field has no such bound (or is not
        numeric).
    """
    constraints = list(field.metadata) + _annotated_constraints(field.annotation)
    lower = upper = None
    for c in constraints:
        if isinstance(c, (Ge, Gt)):
            lower = (c.ge, True) if isinstance(c, Ge) else (c.gt, False)
        elif isinstance(c, (Le, Lt)):
            upper = (c.le, True) if isinstance(c, Le) else (c.lt, False)
    return lower, upper


def _annotated_constraints(annotation: Any) -> list[Any]:
    """Constraints inside ``annotation``: of an optional member, of list items, of dict values."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        found = []
        for item in args[1:]:
            found += list(item.metadata) if isinstance(item, FieldInfo) else [item]
        return found + _annotated_constraints(args[0])
    if origin in (typing.Union, types.UnionType):
        return [c for arg in args for c in _annotated_constraints(arg)]
    if origin in (list, dict) and args:
        return _annotated_constraints(args[-1])
    return []


def is_numeric(field: FieldInfo) -> bool:
    """Tell whether a field holds numbers (booleans excluded).

    A number alone, optional, or as list items or dict values counts.

    Parameters
    ----------
    field : pydantic.fields.FieldInfo
        A pydantic field.

    Returns
    -------
    bool
        True for a numeric field.
    """
    kinds = _scalar_types(field.annotation) | _item_types(field.annotation)
    return bool(kinds & {int, float}) and bool not in kinds


def range_text(field: FieldInfo) -> str:
    """Describe the allowed range of a numeric field, e.g. ``"0 to 1"``, ``"above 0, at most 600"``.

    Parameters
    ----------
    field : pydantic.fields.FieldInfo
        A pydantic field.

    Returns
    -------
    str
        The range (``""`` for a field that is not numeric).
    """
    if not is_numeric(field):
        return ""
    lower, upper = numeric_bounds(field)
    if lower is not None and upper is not None and lower[1] and upper[1]:
        return f"{_number(lower[0])} to {_number(upper[0])}"
    parts = []
    if lower is not None:
        parts.append(f"{'at least' if lower[1] else 'above'} {_number(lower[0])}")
    if upper is not None:
        parts.append(f"{'at most' if upper[1] else 'below'} {_number(upper[0])}")
    return ", ".join(parts) or "any number"


def _number(value: float) -> str:
    """Write a bound: whole numbers in full (thousands separated from 10,000), others as %g."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < MAX_EXACT_FLOAT):
        whole = int(value)
        return f"{whole:,}" if abs(whole) >= THOUSANDS_FROM else str(whole)
    return f"{value:g}"
