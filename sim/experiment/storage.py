"""Sweep storage: one directory per sweep, one file set per run, every file written atomically.

Layout of a sweep directory::

    sweep.json                  what was run: the resolved scenario, --set overrides, vary
                                specs, design, samples, replicates, root seed, package
                                version (enough to rerun; compared on --resume)
    design.parquet              one row per run: run_id, point, <each varied key>, replicate, seed
    runs/county/<run_id>.parquet    the run's county rows (DESIGN §8) with run_id, point,
                                replicate, seed and the varied keys in front
    runs/schools/<run_id>.parquet   the run's school panel with run_id and point in front
    runs/<table>/<run_id>.parquet   any further table an evaluation returns
    failed/<run_id>.json        a failed run: error text, traceback, parameters
    analysis/                   written by ``edusim analyze``
    .edusim-lock                while a sweep computes: who (``sim.experiment.locks``)

A run is *finished* iff ``runs/county/<run_id>.parquet`` exists: its other tables are
written first and the county file last, each through a temporary file renamed into place
(:mod:`sim.outputs`), so a killed sweep leaves either a whole run or none (stray temporary
files start with ``.`` and are ignored by pandas, pyarrow and DuckDB, and removed on resume).
A failure file is removed when the run later succeeds.

Each table folder is one Parquet dataset::

    pandas.read_parquet("SWEEP/runs/county")
    duckdb.sql("select * from 'SWEEP/runs/county/*.parquet'")

Deviation from the first layout sketch (``runs/<run_id>.parquet`` beside
``runs/<run_id>.schools.parquet``): one folder per table, so that a folder reads as one
table with one schema, with no file-name filters.
"""

from __future__ import annotations

import json
import os
import traceback as tb
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd

from sim.experiment.errors import ExperimentError
from sim.experiment.folders import WRITE_TEMP, visible_entries
from sim.experiment.tasks import MAIN_TABLE, Task
from sim.outputs import write_json, write_parquet

SPEC_FILE = "sweep.json"
DESIGN_FILE = "design.parquet"
RUNS_DIR = "runs"
FAILED_DIR = "failed"
ANALYSIS_DIR = "analysis"
#: Columns every design table has (besides the varied keys).
DESIGN_COLUMNS = ("run_id", "point", "replicate", "seed")
#: What to do about a damaged file of a sweep.
DAMAGED_HINT = (
    "the file is damaged; remove it and continue the sweep with --resume to recompute what it held"
)


class SweepStore:
    """The files of one sweep directory (see the module docstring for the layout).

    Parameters
    ----------
    root
        The sweep directory (need not exist yet).
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # -- paths -----------------------------------------------------------------------------
    @property
    def spec_path(self) -> Path:
        """``sweep.json``."""
        return self.root / SPEC_FILE

    @property
    def design_path(self) -> Path:
        """``design.parquet``."""
        return self.root / DESIGN_FILE

    def table_dir(self, table: str = MAIN_TABLE) -> Path:
        """Locate the folder of one table's per-run files (``runs/<table>``)."""
        return self.root / RUNS_DIR / table

    def run_path(self, run_id: str, table: str = MAIN_TABLE) -> Path:
        """Locate the file of one run's table."""
        return self.table_dir(table) / f"{run_id}.parquet"

    def failure_path(self, run_id: str) -> Path:
        """``failed/<run_id>.json``."""
        return self.root / FAILED_DIR / f"{run_id}.json"

    # -- state -----------------------------------------------------------------------------
    def is_empty(self) -> bool:
        """Tell whether the directory does not exist or holds nothing.

        A lock file and OS litter (such as ``.DS_Store``) do not count.
        """
        return not self.root.is_dir() or not visible_entries(self.root)

    def read_spec(self) -> dict[str, Any]:
        """Read the contents of ``sweep.json``.

        Raises
        ------
        ExperimentError
            The directory is not a sweep directory, or ``sweep.json`` cannot be read.
        """
        if not self.spec_path.is_file():
            raise ExperimentError(f"{self.root}: not a sweep directory (no {SPEC_FILE})")
        try:
            spec = json.loads(self.spec_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ExperimentError(f"{self.spec_path}: cannot be read ({exc})") from None
        if not isinstance(spec, dict):
            raise ExperimentError(f"{self.spec_path}: not a sweep specification (a JSON object)")
        return spec

    def read_design(self) -> pd.DataFrame:
        """``design.parquet``: one row per run.

        Raises
        ------
        ExperimentError
            No design file, or one that cannot be read or lacks the run columns.
        """
        if not self.design_path.is_file():
            raise ExperimentError(f"{self.root}: not a sweep directory (no {DESIGN_FILE})")
        design = _read_parquet(self.design_path)
        missing = [c for c in DESIGN_COLUMNS if c not in design.columns]
        if missing:
            raise ExperimentError(
                f"{self.design_path}: not a sweep design (no column {', '.join(missing)})"
            )
        return design

    def finished(self) -> set[str]:
        """Run ids whose files are complete."""
        return set(_stems(self.table_dir(MAIN_TABLE), ".parquet"))

    def failed(self) -> set[str]:
        """Run ids with a failure file (retried on resume)."""
        return set(_stems(self.root / FAILED_DIR, ".json"))

    def tables(self) -> list[str]:
        """Names of the tables the runs wrote (``county`` first)."""
        base = self.root / RUNS_DIR
        names = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
        return sorted(names, key=lambda n: n != MAIN_TABLE)

    # -- writes ----------------------------------------------------------------------------
    def write_spec(self, spec: Mapping[str, Any]) -> None:
        """Write ``sweep.json``."""
        write_json(self.spec_path, dict(spec))

    def write_design(self, runs: pd.DataFrame) -> None:
        """Write ``design.parquet``."""
        write_parquet(self.design_path, runs)

    def write_run(self, task: Task, tables: Mapping[str, pd.DataFrame]) -> None:
        """Write one finished run: other tables first, the county table last (the marker).

        The county table gets ``run_id, point, replicate, seed`` and the varied keys as its
        first columns; other tables get ``run_id, point``.
        """
        for name, frame in tables.items():
            if name != MAIN_TABLE:
                write_parquet(
                    self.run_path(task.run_id, name),
                    _with_columns(frame, {"run_id": task.run_id, "point": task.point}),
                )
        front = {
            "run_id": task.run_id,
            "point": task.point,
            "replicate": task.replicate,
            "seed": task.seed,
            **task.params,
        }
        write_parquet(self.run_path(task.run_id), _with_columns(tables[MAIN_TABLE], front))
        self.failure_path(task.run_id).unlink(missing_ok=True)

    def write_failure(self, task: Task, error: str, traceback: str | None = None) -> None:
        """Record a failed run (its error and traceback) in ``failed/<run_id>.json``."""
        record = {
            "run_id": task.run_id,
            "point": task.point,
            "replicate": task.replicate,
            "seed": task.seed,
            "params": dict(task.params),
            "error": error,
            "traceback": traceback or "",
        }
        write_json(self.failure_path(task.run_id), record)

    def clean_temporary(self) -> int:
        """Remove temporary files left by a killed sweep; return how many.

        Only the temporary files of an atomic write (``.<file>.<random>.tmp``) in the folders
        a sweep writes (the sweep folder, ``runs/<table>/``, ``failed/``) are removed: nothing
        else in the folder is touched.
        """
        runs = self.root / RUNS_DIR
        tables = [p for p in runs.iterdir() if p.is_dir()] if runs.is_dir() else []
        removed = 0
        for folder in [self.root, self.root / FAILED_DIR, *tables]:
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if WRITE_TEMP.fullmatch(path.name) and path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    # -- reads -----------------------------------------------------------------------------
    def read_failures(self) -> pd.DataFrame:
        """One row per failed run: run_id, point, replicate, error.

        Raises
        ------
        ExperimentError
            A failure file cannot be read (the message names it).
        """
        rows = []
        for run_id in sorted(self.failed()):
            path = self.failure_path(run_id)
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ExperimentError(f"{path}: cannot be read ({exc}); {DAMAGED_HINT}") from None
            if not isinstance(record, dict):
                raise ExperimentError(f"{path}: not a failure record; {DAMAGED_HINT}")
            rows.append({k: record.get(k) for k in ("run_id", "point", "replicate", "error")})
        return pd.DataFrame(rows, columns=["run_id", "point", "replicate", "error"])

    def read_table(
        self, table: str = MAIN_TABLE, run_ids: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """All runs of one table (or only ``run_ids``) as one DataFrame, sorted by run id.

        Raises
        ------
        ExperimentError
            A run's file cannot be read (the message names it).
        """
        ids = sorted(self.finished() if run_ids is None else run_ids)
        paths = [p for p in (self.run_path(i, table) for i in ids) if p.is_file()]
        if not paths:
            return pd.DataFrame()
        return pd.concat([_read_parquet(p) for p in paths], ignore_index=True)

    def iter_chunks(
        self, table: str = MAIN_TABLE, chunk_runs: int = 2000
    ) -> Iterator[pd.DataFrame]:
        """Read the table in chunks of whole runs, so large sweeps fit in bounded memory."""
        ids = sorted(self.finished())
        for start in range(0, len(ids), chunk_runs):
            frame = self.read_table(table, ids[start : start + chunk_runs])
            if len(frame):
                yield frame


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file of the sweep; a damaged one is an :class:`ExperimentError`."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ExperimentError(f"{path}: cannot be read ({exc}); {DAMAGED_HINT}") from None


def format_failure(exc: BaseException) -> tuple[str, str]:
    """(one-line error, full traceback text) of an exception."""
    return f"{type(exc).__name__}: {exc}", "".join(tb.format_exception(exc))


def _with_columns(frame: pd.DataFrame, front: Mapping[str, Any]) -> pd.DataFrame:
    rest = frame.drop(columns=[c for c in front if c in frame.columns])
    head = pd.DataFrame({k: [v] * len(rest) for k, v in front.items()}, index=rest.index)
    return pd.concat([head, rest], axis=1)


def _stems(folder: Path, suffix: str) -> Iterator[str]:
    if not folder.is_dir():
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.endswith(suffix) and not name.startswith("."):
                yield name[: -len(suffix)]
