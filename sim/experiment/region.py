"""Regions: many counties, each with its own scenario, run as tasks and aggregated.

A region file (TOML) lists counties::

    name = "example_province"
    seed = 0                           # root seed; county i runs with seed + i
    [[counties]]
    name = "county_01"
    scenario = "baseline"              # bundled name or file (relative to the region file)
    set = { "county.residents" = 450000, "county.terrain" = "mountain" }

:func:`plan_region` validates every county (one message naming the entry on a bad one) and
writes nothing; :func:`run_region` runs the counties on the sweep executors (a process pool,
or a Dask cluster), each written as soon as it finishes, so an interrupted region resumes
without running a finished county again, then aggregates them (:func:`aggregate_region`).

A region folder is a sweep folder (:mod:`sim.experiment.storage`; ``sweep.json`` with
``"design": "region"`` and every county's resolved scenario, enough to rerun), one design
point per county, plus ``region/``: ``region.csv`` (the region's metrics by year) and
``counties.csv`` (one row per county); ``sim.viz.region`` draws ``region/region.png``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import EdusimError, ScenarioError
from sim.experiment.calibration.targets import describe_errors
from sim.experiment.executors import Executor
from sim.experiment.locks import FolderLock, lock_inside
from sim.experiment.storage import SweepStore
from sim.experiment.sweep import (
    SECOND_ORDER,
    SweepPlan,
    SweepProgress,
    SweepSummary,
    check_sweep_folder,
    execute_sweep,
)
from sim.outputs import write_csv
from sim.scenario import load_scenario
from sim.scenario.loading import bundled_dir
from sim.scenario.schema_base import MAX_SEED
from sim.version import package_version

#: The region's own folder inside the region folder.
REGION_DIR = "region"
#: County metrics that are counts: the region's value is the sum over its counties.
SUMMED = (
    "pupils", "pupils_primary", "pupils_junior", "schools_open", "schools_open_primary",
    "schools_open_junior", "teaching_points", "hollow_schools", "new_hollow_schools", "boarders",
    "young_boarders", "bus_riders", "dropouts", "teachers", "teacher_vacancies",
    "migrant_children", "left_behind_children", "idle_buildings", "cost_total",
    "pupils_hard_access", "pupils_without_place", "pupils_displaced", "displaced_without_place",
    "entrants_deferred", "migrant_children_refused", "reused_buildings", "sold_buildings",
    "births", "returned_dropouts", "classes_46_55", "classes_56_65", "classes_66_plus",
)
#: Ratios the region recomputes from its sums (numerator, denominator).
RECOMPUTED = {"hollow_share": ("hollow_schools", "schools_open"),
              "cost_per_pupil": ("cost_total", "pupils")}
#: Means weighted by their own denominators (or the nearest count the county table has);
#: every other metric is weighted by pupils, exact for the shares of all pupils.
WEIGHTS = {
    "mean_commute_min": lambda d: d["pupils"] - d["boarders"],  # over day pupils
    "share_primary_over_30min": lambda d: d["pupils_primary"],
    "share_junior_over_60min": lambda d: d["pupils_junior"],
    "retention_rate": lambda d: d["pupils_junior"],
    "boarders_far_share": lambda d: d["boarders"],
    "displaced_mean_commute_min": lambda d: d["pupils_displaced"],
    "quality_town": lambda d: d["pupils"] * d["county_town_pupil_share"],
    "quality_rural": lambda d: d["pupils"] * (1 - d["county_town_pupil_share"]),
    "town_residents_in_town_schools": lambda d: d["pupils"] * d["county_town_pupil_share"],
    "rural_teacher_attrition": lambda d: d["teachers"],
    "large_class_share": lambda d: d["schools_open"],  # classes are not counted: schools
    "superlarge_class_share": lambda d: d["schools_open"],
}
#: Statistics of a county's distribution (a percentile, coefficients of variation): the
#: region's value is not a mean of them, so region.csv names them ``<metric>_county_mean``.
NOT_ADDITIVE = ("p90_commute_min", "cv_primary", "cv_junior")
#: Per-county columns of counties.csv: the first and the last year's values.
COUNTY_SUMMARY = ("pupils", "schools_open", "hollow_share", "hard_access_share",
                  "county_town_pupil_share", "mean_commute_min")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CountyEntry(_Strict):
    """One county of a region."""

    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$",
                      description="The county's name (a slug: it names its runs).")
    scenario: str = Field("baseline", description="Bundled scenario name or scenario file.")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="Dotted scenario keys set for this county.")


class RegionFile(_Strict):
    """A region: its name, root seed and counties."""

    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
    description: str = ""
    seed: int = Field(0, ge=0, le=MAX_SEED)
    counties: list[CountyEntry] = Field(min_length=1)


def region_path(name_or_path: str | Path | None) -> Path | None:
    """The region file ``name_or_path`` names, or None when it names no region.

    A bundled region's name (``sim/scenario/bundled/regions/<name>.toml``, e.g.
    ``example_province``), or a TOML file with a ``[[counties]]`` list (a region, not a
    scenario).
    """
    if name_or_path is None:
        return None
    bundled = bundled_dir() / "regions" / f"{name_or_path}.toml"
    if bundled.is_file():
        return bundled
    path = Path(name_or_path)
    if path.suffix != ".toml" or not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return path if isinstance(tomllib.load(handle).get("counties"), list) else None
    except (OSError, tomllib.TOMLDecodeError):
        return None


def bundled_regions() -> list[str]:
    """Names of the bundled regions."""
    return sorted(p.stem for p in (bundled_dir() / "regions").glob("*.toml"))


def load_region(path: str | Path) -> RegionFile:
    """Read and check a region file.

    Raises
    ------
    EdusimError
        Unreadable file, unknown key, wrong type or a duplicate county name (named).
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise EdusimError(f"region {path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise EdusimError(f"region {path}: not valid TOML ({exc})") from None
    try:
        region = RegionFile.model_validate(data)
    except ValidationError as exc:
        raise EdusimError(f"region {path}: {describe_errors(exc)}") from None
    names = [c.name for c in region.counties]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EdusimError(f"region {path}: county names must be unique; repeated: "
                          + ", ".join(twice))
    return region


def plan_region(path: str | Path, out: str | Path | None = None, resume: bool = False,
                seed: int | None = None) -> SweepPlan:
    """Validate a region and its counties' scenarios; nothing is written.

    Parameters
    ----------
    path : path
        The region file, or a bundled region's name (:func:`region_path`).
    out : path, optional
        The region folder (default ``outputs/region-<name>``).
    resume : bool
        Continue the region stored in ``out`` (finished counties are not run again).
    seed : int, optional
        Root seed (default: the file's); county i runs with root seed + i, replicate 0.

    Returns
    -------
    SweepPlan
        A sweep plan with one point per county (``design`` "region").

    Raises
    ------
    EdusimError
        A bad region file or county (``counties[i] (name): ...`` says which), or a refused
        ``out`` (as for a sweep).
    """
    path = region_path(path) or Path(path)
    region = load_region(path)
    root = region.seed if seed is None else seed
    if not 0 <= root <= MAX_SEED - len(region.counties):
        raise EdusimError(f"--seed {root}: must be from 0 to {MAX_SEED - len(region.counties)}")
    scenarios = []
    for i, county in enumerate(region.counties):
        source = county.scenario
        if source.endswith(".toml") and not Path(source).is_absolute():
            source = str(path.parent / source)
        try:
            loaded = load_scenario(source, county.set)
        except ScenarioError as exc:
            raise EdusimError(f"region {path}: counties[{i}] ({county.name}): {exc}") from None
        scenarios.append(loaded.model_dump(mode="json"))
    names = [c.name for c in region.counties]
    runs = pd.DataFrame({
        "run_id": [f"c{i:03d}-{name}" for i, name in enumerate(names)],
        "point": np.arange(len(names), dtype=np.int64),
        "replicate": np.zeros(len(names), dtype=np.int64),
        "seed": root + np.arange(len(names), dtype=np.int64),
    })
    spec = {
        "kind": "edusim-sweep", "design": "region", "region": region.name,
        "description": region.description, "source": str(path), "counties": names,
        "scenario": {}, "scenarios": scenarios, "overrides": [], "vary": [], "keys": [],
        "integer_keys": [], "notes": [], "samples": len(names), "second_order": SECOND_ORDER,
        "replicates": 1, "seed": root, "points": len(names), "runs": len(names),
        "version": package_version(),
    }
    out_path = Path(out) if out is not None else Path("outputs") / f"region-{region.name}"
    reuse = check_sweep_folder(out_path, spec, runs, resume)
    return SweepPlan(out=out_path, spec=spec, specs=[], runs=runs, resume=reuse)


def run_region(plan: SweepPlan, *, workers: int | None = None, scheduler: str | None = None,
               executor: Executor | None = None,
               progress: Callable[[SweepProgress], None] | None = None,
               notify: Callable[[str], None] | None = None) -> SweepSummary:
    """Run the counties not yet finished, then aggregate the region when all are.

    Options as for :func:`sim.experiment.sweep.execute_sweep`. The aggregate is written only
    when every county has finished (a failed county is retried with ``resume``).
    """
    summary = execute_sweep(plan, workers=workers, scheduler=scheduler, executor=executor,
                            progress=progress, notify=notify)
    if not summary.failed and len(SweepStore(plan.out).finished()) == len(plan.runs):
        with FolderLock(lock_inside(plan.out), plan.out, "region"):
            aggregate_region(plan.out)
    return summary


def region_table(county: pd.DataFrame) -> pd.DataFrame:
    """Aggregate counties' yearly rows (``runs/county``) into the region's, one row per year.

    Counts (:data:`SUMMED`) are summed, :data:`RECOMPUTED` ratios recomputed from the sums,
    the means and shares weighted by their denominators (:data:`WEIGHTS`, else pupils), the
    :data:`NOT_ADDITIVE` statistics given as the pupil-weighted mean of the counties' values
    under ``<metric>_county_mean``; a county without a value (NaN) is left out of a mean.
    ``counties`` says how many counties the year has.
    """
    metrics = [c for c in county.columns if c not in ("run_id", "point", "replicate", "seed",
                                                       "year", "county")
               and pd.api.types.is_numeric_dtype(county[c])]
    groups = county.groupby("year", sort=True)
    out = groups[[c for c in metrics if c in SUMMED]].sum()
    for column in metrics:
        if column in SUMMED or column in RECOMPUTED:
            continue
        weights = WEIGHTS.get(column, lambda d: d["pupils"])(county).astype(np.float64)
        values = county[column].astype(np.float64)
        has = values.notna() & (weights > 0)
        total = (values.where(has, 0.0) * weights.where(has, 0.0)).groupby(county["year"]).sum()
        weight = weights.where(has, 0.0).groupby(county["year"]).sum()
        name = f"{column}_county_mean" if column in NOT_ADDITIVE else column
        out[name] = total / weight.replace(0.0, np.nan)
    for column, (numerator, denominator) in RECOMPUTED.items():
        if numerator in out and denominator in out:
            out[column] = out[numerator] / out[denominator].replace(0, np.nan)
    out["counties"] = groups.size()
    names = [f"{c}_county_mean" if c in NOT_ADDITIVE else c for c in metrics]
    return out.reset_index()[["year", "counties"] + [c for c in names if c in out]]


def county_summary(county: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per county: its first and last year's :data:`COUNTY_SUMMARY` values."""
    rows = []
    for point, runs in county.groupby("point", sort=True):
        runs = runs.sort_values("year")
        first, last = runs.iloc[0], runs.iloc[-1]
        row = {"county": names[int(point)], "first_year": int(first["year"]),
               "last_year": int(last["year"])}
        for column in COUNTY_SUMMARY:
            row[f"{column}_first"] = first[column]
            row[f"{column}_last"] = last[column]
        rows.append(row)
    return pd.DataFrame(rows)


def aggregate_region(folder: str | Path) -> Path:
    """Write ``region/region.csv`` and ``region/counties.csv`` from the counties' tables.

    Only the county tables are read (counties x years rows); the school panels stay on disk.
    The figure is drawn by ``sim.viz.region.write_region_figure`` (the CLI does both).

    Returns
    -------
    Path
        The ``region/`` folder.
    """
    store = SweepStore(folder)
    spec = store.read_spec()
    county = store.read_table()
    target = Path(folder) / REGION_DIR
    target.mkdir(exist_ok=True)
    table = region_table(county)
    write_csv(target / "region.csv", table)
    write_csv(target / "counties.csv", county_summary(county, spec["counties"]))
    return target


__all__ = ["NOT_ADDITIVE", "REGION_DIR", "RECOMPUTED", "SUMMED", "WEIGHTS", "CountyEntry",
           "RegionFile", "aggregate_region", "bundled_regions", "county_summary", "load_region",
           "plan_region", "region_path", "region_table", "run_region"]
