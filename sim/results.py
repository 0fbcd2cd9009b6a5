"""RunResult: the tables of a run (all replicates) and how they are saved and loaded."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import EdusimError
from sim.outputs import current_umask, write_csv, write_json, write_parquet

FILES = ("manifest.json", "county.parquet", "county.csv", "schools.parquet", "events.csv")
WORLD_FILES = ("settlements", "roads", "schools")


def manifest_run(name_or_path: str | Path | None) -> dict | None:
    """The ``seed`` and ``replicates`` recorded in a run's manifest, when ``name_or_path`` is
    one (a ``.json`` file with a ``scenario`` object); else None."""
    if name_or_path is None or not str(name_or_path).endswith(".json") or not Path(name_or_path).is_file():
        return None
    try:
        data = json.loads(Path(name_or_path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # load_scenario reports it
    if not isinstance(data, dict) or "seed" not in data or "replicates" not in data:
        return None
    return {"seed": int(data["seed"]), "replicates": int(data["replicates"])}


@dataclass
class RunResult:
    """What a run produced.

    Attributes
    ----------
    county : one row per replicate and year: ``replicate, year`` and the metrics of DESIGN §8
        (see ``sim.metrics``).
    schools : the school panel, one row per replicate, year and school.
    events : ``replicate, year, kind, school_id, detail``.
    manifest : resolved scenario, seed, replicates, package version, timings; enough to rerun
        (``edusim run DIR/manifest.json``).
    world : static geography for maps: ``settlements``, ``roads``, ``schools`` DataFrames.
    """

    county: pd.DataFrame
    schools: pd.DataFrame
    events: pd.DataFrame
    manifest: dict
    world: dict[str, pd.DataFrame] = field(default_factory=dict)

    def save(self, out_dir: str | Path) -> Path:
        """Write the run directory (DESIGN §9) all at once: files are written to a temporary
        folder beside ``out_dir`` that then replaces it, so a crash leaves no partial run."""
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        os.chmod(tmp, 0o777 & ~current_umask())
        try:
            write_json(tmp / "manifest.json", self.manifest)
            write_parquet(tmp / "county.parquet", self.county)
            write_csv(tmp / "county.csv", self.county)
            write_parquet(tmp / "schools.parquet", self.schools)
            write_csv(tmp / "events.csv", self.events)
            for name, frame in self.world.items():
                write_parquet(tmp / "world" / f"{name}.parquet", frame)
            if out.exists():
                keep = out / "figures"
                if keep.is_dir():
                    shutil.move(str(keep), str(tmp / "figures"))
                shutil.rmtree(out)
            os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out

    @classmethod
    def load(cls, run_dir: str | Path) -> "RunResult":
        """Read a run directory written by :meth:`save`."""
        run = Path(run_dir)
        missing = [f for f in FILES if not (run / f).is_file()]
        if missing:
            raise EdusimError(f"{run}: not a run directory (missing {', '.join(missing)})")
        world = {p.stem: pd.read_parquet(p) for p in sorted((run / "world").glob("*.parquet"))}
        return cls(
            county=pd.read_parquet(run / "county.parquet"),
            schools=pd.read_parquet(run / "schools.parquet"),
            events=pd.read_csv(run / "events.csv"),
            manifest=json.loads((run / "manifest.json").read_text(encoding="utf-8")),
            world=world,
        )

    def summary(self) -> pd.DataFrame:
        """First- and last-year means over replicates of the headline metrics."""
        headline = ["pupils", "schools_open", "hollow_schools", "hollow_share", "mean_commute_min",
                    "boarders", "dropouts", "retention_rate", "large_class_share", "county_town_pupil_share",
                    "teachers", "quality_rural", "quality_town", "hard_access_share", "cost_per_pupil"]
        by_year = self.county.groupby("year")[headline].mean()
        first, last = by_year.index.min(), by_year.index.max()
        return pd.DataFrame({str(first): by_year.loc[first], str(last): by_year.loc[last]})
