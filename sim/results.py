"""RunResult: the tables of a run (all replicates) and how they are saved and loaded.

A run folder holds one run's files, all from that run (DESIGN §9). Saving follows one rule,
for ``edusim run --out`` and for :meth:`RunResult.save` alike:

- a folder that does not exist, or is empty, is written;
- a folder holding an earlier edusim run (recognised by its ``manifest.json``) is replaced only
  with ``force``; then only what a run writes is removed (:data:`RUN_ENTRIES`: its files,
  ``world/``, ``figures/``, ``report.html``), so no old figure or report stays beside new data;
- any other non-empty folder is refused: one holding files a run does not write, a sweep,
  comparison or calibration folder, the working folder or one that holds it (``--out .``).

The new run is written to a hidden folder beside the target (``.<name>.edusim-new-<pid>-*``)
and renamed into place, so a crash leaves the previous run or the new one, never a mix. A save
killed half-way leaves that hidden folder; the next save to the same place removes such
leftovers of dead processes, and puts back an earlier run a killed replace had moved aside (or,
when a new folder took its place, removes only that run's own entries). The machinery is
``sim.folders``, shared with compare, calibrate and sweep.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import EdusimError
from sim.folders import (
    FIGURES_DIR,
    MAX_LISTED,
    OS_LITTER,
    REPORT_FILE,
    RUN,
    RUN_ENTRIES,
    RUN_SUBFOLDER_FILES,
    WORLD_DIR,
    WORLD_FILES,
    listing,
    refuse_working_folder,
    staged_write,
)
from sim.folders import RUN_FILES as FILES
from sim.outputs import write_csv, write_json, write_parquet

#: Files that mark another kind of edusim folder, and what that folder is.
OTHER_FOLDER_MARKS = {
    "sweep.json": "an edusim sweep folder",
    "calibration.json": "an edusim calibration folder",
    "summary_wide.csv": "an edusim comparison folder",
}
# The run-folder names above come from ``sim.folders`` (one table of what each kind of folder
# holds) and stay importable from here.
__all__ = [
    "FIGURES_DIR",
    "FILES",
    "MAX_LISTED",
    "OS_LITTER",
    "OTHER_FOLDER_MARKS",
    "REPORT_FILE",
    "RUN_ENTRIES",
    "RUN_SUBFOLDER_FILES",
    "WORLD_DIR",
    "WORLD_FILES",
    "RunResult",
    "check_run_folder",
    "manifest_run",
]


def manifest_run(name_or_path: str | Path | None) -> dict | None:
    """Read the ``seed`` and ``replicates`` a run's manifest records.

    Parameters
    ----------
    name_or_path : str, Path or None
        A scenario argument as given on the command line (name, TOML file or manifest).

    Returns
    -------
    dict or None
        ``{"seed": ..., "replicates": ...}`` when ``name_or_path`` is a run's ``.json``
        manifest, else None (load_scenario reports an unreadable one).
    """
    if name_or_path is None or not str(name_or_path).endswith(".json"):
        return None
    data = _read_manifest(Path(name_or_path))
    if data is None:
        return None
    return {"seed": int(data["seed"]), "replicates": int(data["replicates"])}


def _read_manifest(path: Path) -> dict | None:
    """Read the run manifest at ``path``: None when there is none or it is not a run's."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    is_run = isinstance(data, dict) and isinstance(data.get("scenario"), dict)
    return data if is_run and "seed" in data and "replicates" in data else None


def check_run_folder(out_dir: str | Path, force: bool = False) -> None:
    """Check that a run may be saved into ``out_dir`` (the rule in the module docstring).

    Parameters
    ----------
    out_dir : str or Path
        The run folder to write.
    force : bool, default False
        Replace an earlier edusim run in ``out_dir``.

    Raises
    ------
    EdusimError
        The folder is refused; the message names it, says why and what is in it.
    """
    out = Path(out_dir)
    if not out.exists():
        return
    if not out.is_dir():
        raise EdusimError(f"{out}: exists and is a file, not a folder; choose a folder for the run")
    refuse_working_folder(out, RUN, option="")
    entries = sorted(p.name for p in out.iterdir())
    for mark, kind in OTHER_FOLDER_MARKS.items():
        if mark in entries:
            raise EdusimError(f"{out}: is {kind} ({mark}); a run never writes into it")
    foreign = [e for e in entries if not RUN.owns(e) and e not in OS_LITTER]
    foreign += [
        f"{sub}/{e.name}"
        for sub, known in RUN_SUBFOLDER_FILES.items()
        if (out / sub).is_dir()
        for e in (out / sub).iterdir()
        if e.name not in known and e.name not in OS_LITTER
    ]
    if foreign:
        raise EdusimError(
            f"{out}: holds files an edusim run does not write ({listing(out, foreign)}); a run "
            "writes only into a new or empty folder, or replaces an earlier run's folder"
        )
    if not [e for e in entries if e not in OS_LITTER]:
        return
    manifest = _read_manifest(out / "manifest.json")
    if manifest is None:
        raise EdusimError(
            f"{out}: is not empty ({listing(out, entries)}) and holds no edusim run (no run "
            "manifest.json); choose a new or empty folder"
        )
    if not force:
        name = manifest.get("scenario_name") or manifest["scenario"].get("name", "?")
        raise EdusimError(
            f"{out}: holds an earlier edusim run (scenario {name}, seed {manifest['seed']}); "
            "replace it with --force (force=True in Python) or choose another folder"
        )


@dataclass
class RunResult:
    """What a run produced.

    Attributes
    ----------
    county : pandas.DataFrame
        One row per replicate and year: ``replicate, year`` and the metrics of DESIGN §8 (see
        ``sim.metrics``).
    schools : pandas.DataFrame
        The school panel, one row per replicate, year and school.
    events : pandas.DataFrame
        ``replicate, year, kind, school_id, detail``.
    manifest : dict
        Resolved scenario, seed, replicates, package version, timings; enough to rerun
        (``edusim run DIR/manifest.json``).
    world : dict of str to pandas.DataFrame
        Static geography for maps: ``settlements``, ``roads``, ``schools`` DataFrames.
    """

    county: pd.DataFrame
    schools: pd.DataFrame
    events: pd.DataFrame
    manifest: dict
    world: dict[str, pd.DataFrame] = field(default_factory=dict)

    def save(
        self,
        out_dir: str | Path,
        force: bool = False,
        extras: Callable[[Path], object] | None = None,
    ) -> Path:
        """Write the run folder (DESIGN §9) all at once.

        The rule (module docstring): a new or empty folder is written; an earlier edusim run's
        folder is replaced only with ``force``, and then only the entries a run writes are
        removed (its files, ``world/``, ``figures/``, ``report.html``); any other non-empty
        folder is refused. Files are written to a hidden folder beside ``out_dir`` that is then
        renamed into place, so a crash leaves no partial run; leftovers of an earlier killed
        save to the same place are cleaned first.

        Parameters
        ----------
        out_dir : str or Path
            The run folder.
        force : bool, default False
            Replace an earlier edusim run in ``out_dir``.
        extras : callable, optional
            ``extras(folder)`` writes more files (the figures) into the run folder while it is
            still hidden, so they arrive with the data or not at all.

        Returns
        -------
        Path
            ``out_dir``.

        Raises
        ------
        EdusimError
            The folder is refused (see :func:`check_run_folder`).
        """
        out = Path(out_dir)
        # Checked before writing and again before the rename (unchanged while we wrote?).
        with staged_write(out, RUN, lambda: check_run_folder(out, force)) as tmp:
            self._write_files(tmp)
            if extras is not None:  # e.g. the figures: inside the folder before it is in place
                extras(tmp)
        return out

    def _write_files(self, folder: Path) -> None:
        write_json(folder / "manifest.json", self.manifest)
        write_parquet(folder / "county.parquet", self.county)
        write_csv(folder / "county.csv", self.county)
        write_parquet(folder / "schools.parquet", self.schools)
        write_csv(folder / "events.csv", self.events)
        for name, frame in self.world.items():
            write_parquet(folder / WORLD_DIR / f"{name}.parquet", frame)

    @classmethod
    def load(cls, run_dir: str | Path) -> "RunResult":
        """Read a run folder written by :meth:`save`.

        Parameters
        ----------
        run_dir : str or Path
            The run folder.

        Returns
        -------
        RunResult
            The run's tables, manifest and world, as saved.

        Raises
        ------
        EdusimError
            The folder lacks a run's files.
        """
        run = Path(run_dir)
        missing = [f for f in FILES if not (run / f).is_file()]
        if missing:
            raise EdusimError(f"{run}: not a run directory (missing {', '.join(missing)})")
        world = {p.stem: pd.read_parquet(p) for p in sorted((run / WORLD_DIR).glob("*.parquet"))}
        return cls(
            county=pd.read_parquet(run / "county.parquet"),
            schools=pd.read_parquet(run / "schools.parquet"),
            events=pd.read_csv(run / "events.csv"),
            manifest=json.loads((run / "manifest.json").read_text(encoding="utf-8")),
            world=world,
        )

    def summary(self) -> pd.DataFrame:
        """Tabulate the first- and last-year means over replicates of the headline metrics.

        Returns
        -------
        pandas.DataFrame
            One row per headline metric, one column per year (first, last).
        """
        headline = [
            "pupils",
            "schools_open",
            "hollow_schools",
            "hollow_share",
            "mean_commute_min",
            "boarders",
            "dropouts",
            "retention_rate",
            "large_class_share",
            "county_town_pupil_share",
            "teachers",
            "quality_rural",
            "quality_town",
            "hard_access_share",
            "cost_per_pupil",
        ]
        by_year = self.county.groupby("year")[headline].mean()
        first, last = by_year.index.min(), by_year.index.max()
        return pd.DataFrame({str(first): by_year.loc[first], str(last): by_year.loc[last]})
