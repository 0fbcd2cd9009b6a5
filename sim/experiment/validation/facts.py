"""Facts files: the observations after the calibration period that the model is held against.

A facts file (TOML, ``calibration/validation/*.toml``) names the last year the calibration may
use (``fitted_through``), the targets file it was fitted to (``targets``, checked to stop by
then), and lists **facts**: a series of the run (a county metric of :mod:`sim.metrics` or a
derived series) in a year after ``fitted_through``, the observed value, a tolerance stated
before the model is run, the source, how the national figure maps to one county
(``mapping``), and whether it can be compared at all (``comparable = false`` keeps a fact in
the report with the reason it cannot be).

:func:`load_facts` reads and checks a file on its own; :func:`check_facts` checks it against
the scenario to validate. Every problem is one :class:`~sim.experiment.errors.ExperimentError`
naming the file and the entry.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.experiment.calibration.targets import (
    SERIES,
    describe_errors,
    key_place,
    load_targets,
    read_toml,
)
from sim.experiment.errors import ExperimentError
from sim.scenario import Scenario

#: The calibration tables a facts file may name, with the columns the report reads.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "fit_table": ("moment", "kind", "observed", "simulated", "lo", "hi", "relative_error"),
    "parameter_table": ("key", "fitted", "interval_low", "interval_high", "bound_low",
                        "bound_high", "identified", "note"),
    "screening": ("output", "parameter", "mu_star", "mu_star_share"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fact(_Strict):
    """One observation: a series' level in a year, with a tolerance and its mapping."""

    name: str = Field(min_length=1, description="Label of the fact.")
    metric: str | None = Field(
        None, description="A county metric (sim.metrics) or a derived series; may be left out "
        "only for a fact that is not comparable (no model series measures it)."
    )
    year: int = Field(description="Year of the observation (after fitted_through).")
    observed: float = Field(description="Observed value, in the metric's unit.")
    tolerance: float = Field(gt=0, description="|simulated mean - observed| within this passes.")
    tolerance_why: str = Field(min_length=1, description="Why this tolerance (set beforehand).")
    source: str = Field(min_length=1, description="Where the observation comes from.")
    mapping: str = Field(min_length=1, description="How the figure maps to one county's metric.")
    comparable: bool = Field(True, description="False: listed with the reason, not scored.")

    @model_validator(mode="after")
    def _finite(self) -> "Fact":
        for what in ("observed", "tolerance"):
            value = getattr(self, what)
            if not math.isfinite(value):
                raise ValueError(f"{what} {value}: must be a finite number")
        if self.comparable and self.metric is None:
            raise ValueError("a comparable fact needs a metric")
        return self


class FactsFile(_Strict):
    """A facts file: the validation's observations and what the calibration may not use."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$", description="Short name.")
    description: str = Field("", description="What the facts are.")
    fitted_through: int = Field(description="Last year any calibration target may use.")
    targets: str | None = Field(
        None, description="The targets file the model was fitted to (relative to this file)."
    )
    fit_table: str | None = Field(
        None, description="The calibration's fit table (CSV, relative to this file), shown in "
        "the report as the patterns the model was fitted to."
    )
    parameter_table: str | None = Field(
        None, description="The calibration's parameter table with intervals (CSV, relative)."
    )
    screening: str | None = Field(
        None, description="A Morris screening's table (morris.csv of edusim analyze, relative)."
    )
    limits: str = Field(
        "", description="What the model is known to get wrong (copied into the report)."
    )
    facts: list[Fact] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_after(self) -> "FactsFile":
        names = [f.name for f in self.facts]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"fact {repeated[0]!r} is given twice")
        return self


def load_facts(path: str | Path) -> tuple[FactsFile, Path]:
    """Read and check a facts file on its own, and the targets file it names.

    Parameters
    ----------
    path : str or Path
        The facts file (TOML). A file without ``name`` is named after its stem.

    Returns
    -------
    tuple of (FactsFile, pathlib.Path)
        The facts and the file's path.

    Raises
    ------
    ExperimentError
        Missing file, not TOML, an unknown or missing key, a NaN or infinite value, a missing
        source, a fact dated in or before ``fitted_through``, a targets file that is missing,
        invalid or has a moment after ``fitted_through`` (fitted and validation years overlap).
    """
    path = Path(path)
    label = f"--facts {path}"
    data = read_toml(path, label)
    try:
        facts = FactsFile.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(f"{label}: " + describe_errors(exc, _fact_place(data))) from None
    for fact in facts.facts:
        if fact.year <= facts.fitted_through:
            raise ExperimentError(
                f"{label}, fact '{fact.name}': year {fact.year} is not after fitted_through "
                f"{facts.fitted_through}; a validation fact must come after the fitted years"
            )
    if facts.targets is not None:
        _check_targets_stop(facts, path)
    for key, columns in TABLE_COLUMNS.items():
        named = getattr(facts, key)
        if named is not None:
            read_table(path.parent / named, columns, f"{label}: {key} {named}")
    return facts, path


def read_table(path: Path, columns: tuple[str, ...], label: str) -> pd.DataFrame:
    """Read a CSV table a facts file names, checking it has ``columns``.

    Raises
    ------
    ExperimentError
        No such file, not a CSV table, or a column missing (the message starts with
        ``label`` and lists the missing columns).
    """
    if not path.is_file():
        raise ExperimentError(f"{label}: no such file (relative to the facts file)")
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ExperimentError(f"{label}: not a CSV table: {exc}") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ExperimentError(f"{label}: lacks the columns {', '.join(missing)}")
    return table


def _check_targets_stop(facts: FactsFile, path: Path) -> None:
    """Refuse a targets file with a moment after ``fitted_through`` (overlapping years)."""
    targets_path = (path.parent / facts.targets).resolve()
    try:
        targets = load_targets(targets_path)
    except ExperimentError as exc:
        raise ExperimentError(f"--facts {path}, targets: {exc}") from None
    for moment in targets.moments:
        late = [y for y in moment.years if y > facts.fitted_through]
        if late:
            raise ExperimentError(
                f"--facts {path}, targets: moment '{moment.label}' of {facts.targets} uses "
                f"{late[0]}, after fitted_through {facts.fitted_through}: the fitted and the "
                "validation years overlap"
            )


def _fact_place(data: dict):  # noqa: ANN202 - a place-naming function for describe_errors
    """Name an error's place by the fact's name where it has one (``fact 'x', key 'k'``)."""
    entries = data.get("facts") if isinstance(data.get("facts"), list) else []

    def place(loc: tuple) -> str:
        if len(loc) < 2 or loc[0] != "facts" or not isinstance(loc[1], int):
            return key_place(loc)
        entry = entries[loc[1]] if loc[1] < len(entries) else None
        named = entry.get("name") if isinstance(entry, dict) else None
        where = f"fact '{named}'" if named else f"facts[{loc[1]}]"
        key = ".".join(str(p) for p in loc[2:])
        return f"{where}, key '{key}'" if key else where

    return place


def check_facts(facts: FactsFile, path: Path, scenario: Scenario) -> None:
    """Check the facts against the scenario to validate, before anything runs.

    Raises
    ------
    ExperimentError
        An unknown metric (the message lists the known ones) or a year outside the run.
    """
    first, last = scenario.start_year, scenario.start_year + scenario.years - 1
    for fact in facts.facts:
        where = f"--facts {path}, fact '{fact.name}'"
        if fact.metric is not None and fact.metric not in SERIES:
            raise ExperimentError(
                f"{where}: unknown metric '{fact.metric}'; known: {', '.join(SERIES)}"
            )
        if not first <= fact.year <= last:
            raise ExperimentError(
                f"{where}: year {fact.year} is outside the run of scenario '{scenario.name}' "
                f"({first}-{last})"
            )


__all__ = ["TABLE_COLUMNS", "Fact", "FactsFile", "check_facts", "load_facts", "read_table"]
