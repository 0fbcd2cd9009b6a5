"""Targets files: the moments a calibration matches and the parameters it fits.

A targets file (TOML, ``calibration/targets/*.toml``) lists

- **moments**: a series of the run (a county metric of :mod:`sim.metrics` or one of the
  :data:`DERIVED` series), either its *level* in a year (``year = 2001``) or its *relative
  change* between two years (``change = [2001, 2010]``: ``v[2010] / v[2001] - 1``), with the
  observed value, a weight and the source;
- **parameters**: dotted scenario keys to fit, each with bounds ``low < high`` (a key whose
  scenario field holds integers is fitted over integers).

:func:`load_targets` reads and validates a file on its own; :func:`check_targets` checks it
against the scenario to calibrate.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import EdusimError, ScenarioError
from sim.experiment.design import NOT_VARIABLE
from sim.experiment.errors import ExperimentError
from sim.experiment.tasks import scenario_with
from sim.metrics import COUNTY_COLUMNS, DERIVED_SERIES
from sim.scenario import Scenario
from sim.scenario.keys import field_type, get_dotted

#: The series a moment may name besides the county metrics (definitions by name).
DERIVED = DERIVED_SERIES
#: Every series a moment may name: the county metrics, then the derived series.
SERIES = [c for c in COUNTY_COLUMNS if c != "year"] + list(DERIVED)
#: Significant digits of a fitted float (the overlay and the fit table use the same value).
FITTED_DIGITS = 4
#: Numeric field types that can be fitted.
FITTABLE_TYPES = (int, float)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Moment(_Strict):
    """One target: a series' level in ``year`` or its relative change over ``change``."""

    name: str | None = Field(None, description="Label (default: metric and years).")
    metric: str = Field(description="A county metric (sim.metrics) or a derived series (DERIVED).")
    year: int | None = Field(None, description="Level of the series in this year.")
    change: tuple[int, int] | None = Field(
        None, description="[from, to]: relative change v[to] / v[from] - 1."
    )
    observed: float | None = Field(
        None, description="Observed value (a fraction for shares and changes)."
    )
    range: tuple[float, float] | None = Field(
        None, description="[low, high]: a pattern with no single number, matched anywhere in the "
        "range (say in note why the range)."
    )
    weight: float = Field(1.0, gt=0, description="Weight in the objective.")
    source: str = Field(min_length=1, description="Where the observed value comes from.")
    note: str = Field("", description="How the observation maps to the model.")

    @model_validator(mode="after")
    def _one_kind(self) -> "Moment":
        if (self.year is None) == (self.change is None):
            raise ValueError(
                "give exactly one of 'year' (a level) and 'change' ([from, to], a relative change)"
            )
        if self.change is not None and self.change[0] >= self.change[1]:
            raise ValueError(
                f"change {list(self.change)}: the first year must be before the second"
            )
        if (self.observed is None) == (self.range is None):
            raise ValueError("give exactly one of 'observed' (a value) and 'range' ([low, high])")
        if self.range is not None:
            low, high = self.range
            if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
                raise ValueError(f"range {list(self.range)}: must be finite, low below high")
            if low + high == 0:
                raise ValueError(f"range {list(self.range)}: its middle must be non-zero "
                                 "(errors are relative to it)")
            if self.change is not None and low <= -1:
                raise ValueError(f"range {list(self.range)}: a relative change is above -1")
            return self
        if self.observed == 0 or not math.isfinite(self.observed):
            raise ValueError(
                f"observed {self.observed}: must be finite and non-zero (errors are relative)"
            )
        if self.change is not None and self.observed <= -1:
            raise ValueError(f"observed {self.observed}: a relative change is above -1")
        return self

    @property
    def band(self) -> tuple[float, float]:
        """Give the values that match exactly: ``(observed, observed)`` or the range."""
        if self.range is not None:
            return self.range
        return (self.observed, self.observed)

    @property
    def centre(self) -> float:
        """Give the value errors are relative to: ``observed``, or the middle of the range."""
        low, high = self.band
        return (low + high) / 2

    @property
    def label(self) -> str:
        """Name the moment: its name, or its metric and years."""
        if self.name:
            return self.name
        if self.year is not None:
            return f"{self.metric} {self.year}"
        return f"{self.metric} {self.change[0]}-{self.change[1]}"

    @property
    def years(self) -> tuple[int, ...]:
        """Give the years the moment reads."""
        return (self.year,) if self.year is not None else tuple(self.change)

    @property
    def kind(self) -> str:
        """Say the kind: ``level <year>`` or ``change <from>-<to>``."""
        if self.year is not None:
            return f"level {self.year}"
        return f"change {self.change[0]}-{self.change[1]}"


class Parameter(_Strict):
    """A scenario key to fit within ``[low, high]``."""

    key: str = Field(
        min_length=1, description="Dotted scenario key, e.g. migration.town_constant."
    )
    low: float = Field(description="Lower bound.")
    high: float = Field(description="Upper bound.")
    note: str = Field("", description="Why these bounds (source or rationale).")

    @model_validator(mode="after")
    def _ordered(self) -> "Parameter":
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("bounds must be finite")
        if self.low >= self.high:
            raise ValueError(
                f"bounds reversed or empty: low {self.low} must be below high {self.high}"
            )
        return self


class Targets(_Strict):
    """A targets file: moments to match and parameters to fit."""

    name: str = Field(
        min_length=1, pattern=r"^[A-Za-z0-9_.-]+$", description="Short name (file stems use it)."
    )
    description: str = Field("", description="What the targets are.")
    moments: list[Moment] = Field(min_length=1)
    parameters: list[Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Targets":
        named = (
            ("moment", [m.label for m in self.moments]),
            ("parameter key", [p.key for p in self.parameters]),
        )
        for what, names in named:
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{what} {repeated[0]!r} is given twice")
        return self


@dataclass(frozen=True)
class ParamSpec:
    """A checked parameter: key, bounds, and whether the scenario field holds integers."""

    key: str
    low: float
    high: float
    integer: bool

    def value(self, x: float) -> int | float:
        """Convert an optimiser coordinate to the scenario value.

        Parameters
        ----------
        x
            A coordinate of the optimiser (clipped to the bounds).

        Returns
        -------
        int | float
            ``x`` rounded to an integer for an integer field, else to :data:`FITTED_DIGITS`
            significant digits.
        """
        x = min(max(float(x), self.low), self.high)
        return int(round(x)) if self.integer else float(f"{x:.{FITTED_DIGITS}g}")


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file.

    This checks the file on its own; :func:`check_targets` checks it against a scenario.

    Parameters
    ----------
    path
        The targets file (TOML). A file without ``name`` is named after its stem.

    Returns
    -------
    Targets
        The validated targets.

    Raises
    ------
    ExperimentError
        Missing file, not TOML, an unknown or missing key, a wrong value, bounds reversed.
    """
    path = Path(path)
    data = read_toml(path, f"--targets {path}")
    try:
        return Targets.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(f"--targets {path}: " + describe_errors(exc)) from None


def read_toml(path: Path, label: str) -> dict:
    """Read a TOML file of the experiment layer (targets, facts) as a table.

    Parameters
    ----------
    path : Path
        The file.
    label : str
        How messages name it (``--targets PATH``).

    Returns
    -------
    dict
        Its table, with ``name`` set to the file's stem when it has none.

    Raises
    ------
    ExperimentError
        No such file, or not valid TOML (the message starts with ``label``).
    """
    if not path.is_file():
        raise ExperimentError(f"{label}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExperimentError(f"{label}: not a valid TOML file: {exc}") from None
    data.setdefault("name", path.stem)
    return data


def key_place(loc: tuple) -> str:
    """Name an error's place as a dotted key: ``key 'a.b'``."""
    return "key '" + (".".join(str(p) for p in loc) or "(file)") + "'"


def describe_errors(exc: ValidationError, place: Callable[[tuple], str] = key_place) -> str:
    """Join pydantic's errors in one line: each names its place and what is wrong.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The errors of validating a file's table.
    place : callable, optional
        Names an error's place from its ``loc`` (default: the dotted key).

    Returns
    -------
    str
        ``unknown <place>`` for a key the schema does not have, else
        ``<place> = <value>: <what is wrong>``, joined by ``; ``.
    """
    lines = []
    for err in exc.errors():
        where = place(tuple(err["loc"]))
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown {where}")
        else:
            value = "" if err["type"] == "missing" else f" = {err.get('input')!r}"
            lines.append(f"{where}{value}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)


def check_targets(targets: Targets, scenario: Scenario) -> list[ParamSpec]:
    """Check the targets against the scenario before anything runs.

    Parameters
    ----------
    targets
        Validated targets (:func:`load_targets`).
    scenario
        The scenario to calibrate, full length.

    Returns
    -------
    list[ParamSpec]
        One checked spec per parameter, in the targets' order.

    Raises
    ------
    ExperimentError
        An unknown metric (the message lists the known ones), a year outside the run
        (``start_year`` to ``start_year + years - 1``), a parameter key unknown or not
        variable, a bound the scenario rejects.
    """
    for moment in targets.moments:
        _check_moment(moment, targets.name, scenario)
    base = scenario.model_dump(mode="json")
    return [_check_parameter(p, targets.name, base) for p in targets.parameters]


def _check_moment(moment: Moment, targets_name: str, scenario: Scenario) -> None:
    where = f"targets '{targets_name}', moment '{moment.label}'"
    if moment.metric not in SERIES:
        raise ExperimentError(
            f"{where}: unknown metric '{moment.metric}'; known: {', '.join(SERIES)}"
        )
    first, last = scenario.start_year, scenario.start_year + scenario.years - 1
    outside = [y for y in moment.years if not first <= y <= last]
    if outside:
        raise ExperimentError(
            f"{where}: year {outside[0]} is outside the run of scenario '{scenario.name}' "
            f"({first}-{last})"
        )


def _check_parameter(parameter: Parameter, targets_name: str, base: dict) -> ParamSpec:
    key = parameter.key
    where = f"targets '{targets_name}', parameter '{key}'"
    if key in NOT_VARIABLE:
        raise ExperimentError(
            f"{where}: cannot be fitted (the seed is set by --seed; name and description are "
            "labels)"
        )
    kind = field_type(key)
    if kind is None:
        raise ExperimentError(f"{where}: no such key in the scenario schema (see `edusim schema`)")
    if kind not in FITTABLE_TYPES:
        try:
            now = get_dotted(base, key)
        except ScenarioError:  # a key of an optional block the scenario leaves out
            now = None
        raise ExperimentError(
            f"{where}: not a number (now {now!r}); only numeric keys can be fitted"
        )
    spec = ParamSpec(key, parameter.low, parameter.high, integer=kind is int)
    for bound in (parameter.low, parameter.high):
        try:
            scenario_with(base, {key: spec.value(bound)})
        except EdusimError as exc:
            raise ExperimentError(f"{where}: bound {bound}: {exc}") from None
    return spec


__all__ = [
    "DERIVED", "SERIES", "Moment", "ParamSpec", "Parameter", "Targets", "check_targets",
    "describe_errors", "key_place", "load_targets", "read_toml",
]
