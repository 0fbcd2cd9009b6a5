"""Output folders written whole: the kinds of edusim folder, their checks, staged writes.

One implementation for every verb that writes a folder of its own (``edusim run`` through
``sim.results``; ``compare``, ``calibrate``, ``validation`` and ``sweep`` through
``sim.experiment.folders``):

- each kind of folder (:class:`FolderKind`) names the entries it writes; a verb removes only
  those, and never what it did not write;
- the working folder, or a folder that holds it, is never an output folder
  (:func:`refuse_working_folder`);
- a folder is written whole (:func:`staged_write`): its files go to a hidden folder beside it,
  ``.<name>.edusim-new-<pid>-<random>``, renamed into place when complete; an earlier folder
  being replaced is moved aside first (``.<name>.edusim-old-<pid>-<random>``), then only its
  kind's entries are removed and the rest (OS litter) is moved into the new folder;
- the hidden folders of a killed write are cleaned by the next write to the same place
  (:func:`recover_killed_writes`): a half-written new folder is removed, an earlier folder
  moved aside is put back when nothing took its place, else only its own kind's entries are
  removed; nothing that edusim did not write is ever removed.

Layer 0: imports only ``sim.errors`` and ``sim.outputs``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sim.errors import EdusimError
from sim.outputs import current_umask

#: Files the operating system drops in folders (never written by edusim, never removed).
OS_LITTER = (".DS_Store", "Thumbs.db", "desktop.ini")
#: Entries shown when a refused folder's contents are listed.
MAX_LISTED = 5
#: The hidden folders of a staged write: ``.<name>.edusim-<new|old>-<pid>-<random>``.
STAGING = re.compile(r"\.(?P<name>.+)\.edusim-(?P<kind>new|old)-(?P<pid>\d+)-[a-z0-9_]+")
#: Leftovers of an atomic file write (``sim.outputs.atomic_write``): ``.<file>.<random>.tmp``.
WRITE_TEMP = re.compile(r"\.(?P<name>[^/]+)\.[^./]+\.tmp")
#: Random characters in the name of a folder moved aside (hex digits of this many bytes).
ASIDE_TOKEN_BYTES = 4
#: Name of the lock inside a sweep folder (``sim.experiment.locks``).
INSIDE_LOCK = ".edusim-lock"
#: Suffix of the lock beside an output folder (``.<name><suffix>``).
BESIDE_SUFFIX = ".edusim-lock"
#: Figures and the HTML report, written into run and experiment folders by ``sim.viz``.
FIGURES_DIR = "figures"
REPORT_FILE = "report.html"
#: The tables of a run folder.
RUN_FILES = ("manifest.json", "county.parquet", "county.csv", "schools.parquet", "events.csv")
#: The world tables of a run, ``world/<name>.parquet``.
WORLD_FILES = ("settlements", "roads", "schools")
WORLD_DIR = "world"
#: Everything a run folder may hold that edusim wrote: replaced on ``force``, nothing else is.
RUN_ENTRIES = (*RUN_FILES, WORLD_DIR, FIGURES_DIR, REPORT_FILE)
#: What a run writes inside its sub-folders (sim.viz.figures.write_run_figures names the
#: figures): anything else there is the user's, and a replace refuses to remove it.
RUN_SUBFOLDER_FILES = {
    WORLD_DIR: frozenset(f"{name}.parquet" for name in WORLD_FILES),
    FIGURES_DIR: frozenset(
        ("county_map.png", "timeseries.png", "school_pupils.png", "tradeoff.png")
    ),
}


@dataclass(frozen=True)
class FolderKind:
    """One kind of edusim output folder.

    Attributes
    ----------
    name
        How messages call it (``"comparison"``).
    verb
        The command that writes it (``"compare"``).
    marker
        The file that identifies such a folder.
    kind
        The ``kind`` entry of that file (None when the file itself suffices).
    entries
        Everything such a folder may hold that edusim wrote (removed on a forced replace).
    suffixes
        Endings of further file names such a folder writes (a calibration's ``.toml``).
    writer
        How messages name who writes it (default: :attr:`verb`).
    """

    name: str
    verb: str
    marker: str
    kind: str | None
    entries: tuple[str, ...]
    suffixes: tuple[str, ...] = ()
    writer: str = ""

    @property
    def who(self) -> str:
        """Name who writes such a folder, for messages (``"compare"``, ``"a run"``)."""
        return self.writer or self.verb

    def owns(self, entry: str) -> bool:
        """Tell whether a folder entry is one this kind writes (or a leftover of writing it).

        Parameters
        ----------
        entry
            A file or folder name inside the folder.

        Returns
        -------
        bool
            True for an entry of :attr:`entries`, a name ending in one of :attr:`suffixes`,
            and the temporary file of an interrupted atomic write of either.
        """
        leftover = WRITE_TEMP.fullmatch(entry)
        name = leftover["name"] if leftover is not None else entry
        return name in self.entries or any(name.endswith(s) for s in self.suffixes)


COMPARISON = FolderKind(
    "comparison",
    "compare",
    "manifest.json",
    "edusim-compare",
    (
        "county_long.parquet",
        "county_long.csv",
        "summary.csv",
        "summary_wide.csv",
        "frontier.csv",
        "manifest.json",
        FIGURES_DIR,
        REPORT_FILE,
    ),
)
CALIBRATION = FolderKind(
    "calibration",
    "calibrate",
    "calibration.json",
    "edusim-calibration",
    (
        "calibration.json",
        "fit_table.csv",
        "projection.csv",
        "evaluations.csv",
        "parameters.csv",
        "fit.png",
        REPORT_FILE,
    ),
    suffixes=(".toml",),
)
VALIDATION = FolderKind(
    "validation",
    "validation",
    "validation.json",
    "edusim-validation",
    ("validation.json", "validation.csv", "validation.md", "validation.png"),
)
SWEEP = FolderKind("sweep", "sweep", "sweep.json", None, ())
RUN = FolderKind("run", "run", "county.parquet", None, RUN_ENTRIES, writer="a run")
KINDS = (COMPARISON, CALIBRATION, VALIDATION, SWEEP, RUN)
#: The kinds written whole through :func:`staged_write`.
STAGED_KINDS = (COMPARISON, CALIBRATION, VALIDATION, RUN)


def is_lock_file(name: str) -> bool:
    """Tell whether a file name is a folder lock (inside or beside a folder).

    Parameters
    ----------
    name
        A file name (no folder).

    Returns
    -------
    bool
        True for ``.edusim-lock`` and ``.<name>.edusim-lock``.
    """
    return name == INSIDE_LOCK or (name.startswith(".") and name.endswith(BESIDE_SUFFIX))


def is_running(pid: int) -> bool:
    """Tell whether a process of this host runs under ``pid``.

    Parameters
    ----------
    pid
        A process id.

    Returns
    -------
    bool
        True when it runs (also when it belongs to another user); False for a pid no process
        can have (negative, zero or too large).
    """
    if pid == os.getpid():
        return True
    if pid <= 0:  # os.kill(0 or -n, ...) signals process groups, not a process
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except (OverflowError, ValueError):
        return False
    return True


def folder_kind(folder: Path | str) -> FolderKind | None:
    """Recognise an edusim output folder by its marker file.

    Parameters
    ----------
    folder
        An existing folder.

    Returns
    -------
    FolderKind or None
        The kind whose marker it holds (a JSON marker must carry the kind's ``kind``), or
        None for any other folder.
    """
    folder = Path(folder)
    for kind in KINDS:
        marker = folder / kind.marker
        if not marker.is_file():
            continue
        if kind.kind is None:
            return kind
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and data.get("kind") == kind.kind:
            return kind
    return None


def visible_entries(folder: Path | str) -> list[str]:
    """List a folder's entries besides OS litter and lock files.

    Parameters
    ----------
    folder
        An existing folder.

    Returns
    -------
    list[str]
        Entry names, sorted.
    """
    return sorted(
        e.name
        for e in Path(folder).iterdir()
        if e.name not in OS_LITTER and not is_lock_file(e.name)
    )


def listing(folder: Path | str, entries: list[str]) -> str:
    """Show the first entries of a folder for a message (folders with a trailing ``/``).

    Parameters
    ----------
    folder
        The folder.
    entries
        Entry names to show.

    Returns
    -------
    str
        E.g. ``thesis.tex, data/ and 3 more``.
    """
    shown = [f"{e}/" if (Path(folder) / e).is_dir() else e for e in entries[:MAX_LISTED]]
    more = f" and {len(entries) - MAX_LISTED} more" if len(entries) > MAX_LISTED else ""
    return ", ".join(shown) + more


def refuse_working_folder(out: Path | str, kind: FolderKind, option: str = "--out") -> None:
    """Refuse the working folder, or a folder that holds it, as an output folder.

    Parameters
    ----------
    out
        The output folder.
    kind
        The kind of folder to be written (its writer is named in the message).
    option
        How the message names the folder (empty: by its path alone).

    Raises
    ------
    EdusimError
        ``out`` is the working folder or one of its parents.
    """
    place, here = Path(os.path.realpath(out)), Path(os.path.realpath(Path.cwd()))
    if place == here or place in here.parents:
        label = f"{option} {out}" if option else str(out)
        raise EdusimError(
            f"{label}: is the folder you are working in (or holds it); {kind.who} writes "
            f"a folder of its own: choose a new or empty one, e.g. outputs/<name>"
        )


@contextlib.contextmanager
def staged_write(
    out: Path | str, kind: FolderKind, check: Callable[[], object]
) -> Iterator[Path]:
    """Write a folder whole: yield a hidden folder to write into, renamed onto ``out`` after.

    Leftovers of killed writes to the same place are cleaned first; ``check()`` (the verb's
    folder rule, raising when ``out`` is refused) is called before and again just before the
    rename (in case the folder changed meanwhile). On an exception the hidden folder is
    removed and ``out`` is left as it was.

    Parameters
    ----------
    out
        The output folder.
    kind
        What is written (one of :data:`STAGED_KINDS`): on a replace only its entries of the
        earlier folder are removed.
    check
        Raises when ``out`` may not be written.

    Yields
    ------
    Path
        The hidden folder to write every file into.
    """
    place = Path(os.path.realpath(out))
    place.parent.mkdir(parents=True, exist_ok=True)
    recover_killed_writes(place)
    check()
    tmp = staging_folder(place, "new")
    try:
        yield tmp
        check()
        move_into_place(tmp, place, kind)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def staging_folder(place: Path, stage: str) -> Path:
    """Make a hidden folder beside ``place``, named so that a later write recognises it.

    Parameters
    ----------
    place
        The output folder (resolved).
    stage
        ``"new"`` (being written) or ``"old"`` (moved aside).

    Returns
    -------
    Path
        ``.<name>.edusim-<stage>-<pid>-<random>``, made with the umask's permissions.
    """
    prefix = f".{place.name}.edusim-{stage}-{os.getpid()}-"
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=place.parent))
    os.chmod(tmp, 0o777 & ~current_umask())
    return tmp


def move_into_place(tmp: Path, place: Path, kind: FolderKind) -> None:
    """Rename the written folder ``tmp`` onto ``place``, removing only an old one's entries.

    Parameters
    ----------
    tmp
        The complete new folder (beside ``place``).
    place
        The output folder (resolved).
    kind
        What was written: of an earlier folder at ``place``, only the entries this kind owns
        (and lock files) are removed; the rest is moved into the new folder, or, when the new
        folder took its name, kept aside.
    """
    if not place.exists():
        os.replace(tmp, place)
        return
    old = place.parent / (
        f".{place.name}.edusim-old-{os.getpid()}-{secrets.token_hex(ASIDE_TOKEN_BYTES)}"
    )
    os.replace(place, old)
    try:
        os.replace(tmp, place)
    except BaseException:
        os.replace(old, place)
        raise
    _settle_aside(old, place, kind)


def _settle_aside(old: Path, place: Path, kind: FolderKind) -> None:
    """Remove an old folder's edusim entries and move the rest (OS litter) into ``place``.

    An entry that is not edusim's and whose name the new folder took stays in ``old`` (and
    ``old`` with it): nothing that edusim did not write is removed.
    """
    for entry in sorted(old.iterdir()):
        if kind.owns(entry.name) or is_lock_file(entry.name):
            _remove(entry)
        elif not (place / entry.name).exists() and not (place / entry.name).is_symlink():
            os.replace(entry, place / entry.name)
    if not any(old.iterdir()):
        old.rmdir()


def recover_killed_writes(
    place: Path | str, owner: Callable[[Path], FolderKind | None] = folder_kind
) -> int:
    """Clean what killed staged writes to ``place`` left beside it.

    Only hidden folders named as :func:`staged_write` names them, of processes no longer
    running, are touched: a half-written new folder is removed; an earlier folder a killed
    replace had moved aside is put back when nothing took its place, else only the entries of
    its own kind are removed (it was being replaced) and the rest moved into ``place``. A
    folder moved aside whose kind is not recognised is left alone.

    Parameters
    ----------
    place
        The output folder.
    owner
        Tells the kind of a folder moved aside (default :func:`folder_kind`).

    Returns
    -------
    int
        How many leftovers were cleaned.
    """
    place = Path(os.path.realpath(place))
    if not place.parent.is_dir():
        return 0
    cleaned = 0
    for entry in sorted(place.parent.iterdir()):
        match = STAGING.fullmatch(entry.name)
        if match is None or match["name"] != place.name or is_running(int(match["pid"])):
            continue
        if match["kind"] == "new":
            shutil.rmtree(entry, ignore_errors=True)
        elif not place.exists() and not place.is_symlink():
            os.replace(entry, place)
        else:
            kind = owner(entry)
            if kind not in STAGED_KINDS:  # not recognisably edusim's: never removed
                continue
            _settle_aside(entry, place, kind)
        cleaned += 1
    return cleaned


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


__all__ = [
    "CALIBRATION",
    "COMPARISON",
    "KINDS",
    "OS_LITTER",
    "RUN",
    "STAGED_KINDS",
    "SWEEP",
    "VALIDATION",
    "FolderKind",
    "folder_kind",
    "is_lock_file",
    "is_running",
    "listing",
    "move_into_place",
    "recover_killed_writes",
    "refuse_working_folder",
    "staged_write",
    "staging_folder",
    "visible_entries",
]
