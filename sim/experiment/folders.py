"""Output folders of compare, sweep and calibrate: what each may write, and writing it whole.

The rule is the one ``edusim run`` follows (``sim.results``): a verb never deletes or
overwrites what it did not write.

- ``compare`` and ``calibrate`` write a folder of their own. A new or empty folder is written;
  a folder holding an earlier comparison (calibration) is replaced only with ``force``
  (``--force``), and then only the entries that verb writes are removed; any other non-empty
  folder is refused, naming it and what it holds: one with other files, a run, sweep or other
  experiment's folder, the working folder or one that holds it.
- ``sweep`` writes a new or empty folder, or continues the same sweep there with ``resume``
  (``sim.experiment.sweep``); nothing else.
- Every check is made before anything is computed (:func:`check_out_folder`), including that
  the folder can be written at all (``sim.outputs.check_writable_out``).

A comparison or calibration folder is written whole: its files go to a hidden folder beside it
(``.<name>.edusim-new-<pid>-<random>``) that is renamed into place when complete
(:func:`staged_folder`), so a killed write leaves the earlier folder or the new one, never a
mix. The hidden folder of a killed write is removed by the next write to the same place, and
an earlier folder a killed replace had moved aside (``.<name>.edusim-old-<pid>-<random>``) is
put back; the names are those of ``sim.results``, so runs and experiments clean up alike.
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
from sim.experiment.locks import is_lock_file, is_running
from sim.outputs import check_writable_out, current_umask

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
#: Figures and the HTML report, written into experiment folders by ``sim.viz``.
FIGURES_DIR = "figures"
REPORT_FILE = "report.html"


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
    """

    name: str
    verb: str
    marker: str
    kind: str | None
    entries: tuple[str, ...]

    def owns(self, entry: str) -> bool:
        """Tell whether a folder entry is one this kind writes (or a leftover of writing it).

        Parameters
        ----------
        entry
            A file or folder name inside the folder.

        Returns
        -------
        bool
            True for an entry of :attr:`entries`, a ``*.toml`` overlay of a calibration, and
            the temporary file of an interrupted atomic write of either.
        """
        leftover = WRITE_TEMP.fullmatch(entry)
        name = leftover["name"] if leftover is not None else entry
        overlay = self.verb == "calibrate" and name.endswith(".toml")
        return name in self.entries or overlay


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
        "fit.png",
        REPORT_FILE,
    ),
)
SWEEP = FolderKind("sweep", "sweep", "sweep.json", None, ())
RUN = FolderKind("run", "run", "county.parquet", None, ())
KINDS = (COMPARISON, CALIBRATION, SWEEP, RUN)
#: The kinds written whole through :func:`staged_folder`.
STAGED_KINDS = (COMPARISON, CALIBRATION)


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


def check_out_folder(
    out: Path | str, kind: FolderKind, force: bool = False, option: str = "--out"
) -> bool:
    """Check, before computing, that ``kind`` may write the folder ``out`` (module rule).

    Parameters
    ----------
    out
        The output folder.
    kind
        :data:`COMPARISON` or :data:`CALIBRATION`.
    force
        Replace an earlier folder of the same kind.
    option
        How messages name the folder.

    Returns
    -------
    bool
        True when ``out`` holds an earlier folder of this kind that will be replaced.

    Raises
    ------
    EdusimError
        ``out`` is a file or cannot be written, is the working folder or holds it, holds
        anything else than an earlier folder of this kind, or holds one and ``force`` is off.
    """
    out = Path(out)
    check_writable_out(out, option=option)
    check_writable_out(out.parent, option=f"{option} {out}: its parent")
    if not out.exists():
        return False
    refuse_working_folder(out, kind, option)
    entries = visible_entries(out)
    if not entries:
        return False
    found = folder_kind(out)
    if found is not kind:
        what = f"an edusim {found.name} folder" if found is not None else "not empty"
        raise EdusimError(
            f"{option} {out}: is {what} ({listing(out, entries)}); {kind.verb} writes only into "
            f"a new or empty folder, or replaces an earlier {kind.name} folder with --force"
        )
    foreign = [e for e in entries if not kind.owns(e)]
    if foreign:
        raise EdusimError(
            f"{option} {out}: holds files edusim {kind.verb} does not write "
            f"({listing(out, foreign)}); choose a new or empty folder"
        )
    if not force:
        raise EdusimError(
            f"{option} {out}: holds an earlier {kind.name}; replace it with --force "
            "(force=True in Python) or choose another folder"
        )
    return True


def refuse_working_folder(out: Path | str, kind: FolderKind, option: str = "--out") -> None:
    """Refuse the working folder, or a folder that holds it, as an output folder.

    Parameters
    ----------
    out
        The output folder.
    kind
        The kind of folder to be written (named in the message).
    option
        How the message names the folder.

    Raises
    ------
    EdusimError
        ``out`` is the working folder or one of its parents.
    """
    place, here = Path(os.path.realpath(out)), Path(os.path.realpath(Path.cwd()))
    if place == here or place in here.parents:
        raise EdusimError(
            f"{option} {out}: is the folder you are working in (or holds it); {kind.verb} writes "
            f"a folder of its own: choose a new or empty one, e.g. outputs/<name>"
        )


@contextlib.contextmanager
def staged_folder(out: Path | str, kind: FolderKind, force: bool = False) -> Iterator[Path]:
    """Write a folder whole: yield a hidden folder to write into, renamed onto ``out`` after.

    Leftovers of killed writes to the same place are cleaned first; the folder rule is checked
    before and again just before the rename (in case the folder changed meanwhile). On an
    exception the hidden folder is removed and ``out`` is left as it was.

    Parameters
    ----------
    out
        The output folder.
    kind
        What is written (:data:`COMPARISON`, :data:`CALIBRATION`).
    force
        Replace an earlier folder of this kind (only its entries are removed).

    Yields
    ------
    Path
        The hidden folder to write every file into.

    Raises
    ------
    EdusimError
        The folder is refused (:func:`check_out_folder`).
    """
    place = Path(os.path.realpath(out))
    place.parent.mkdir(parents=True, exist_ok=True)
    recover_killed_writes(place)
    check_out_folder(out, kind, force)
    prefix = f".{place.name}.edusim-new-{os.getpid()}-"
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=place.parent))
    os.chmod(tmp, 0o777 & ~current_umask())
    try:
        yield tmp
        check_out_folder(out, kind, force)
        _move_into_place(tmp, place, kind)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: Path, place: Path, kind: FolderKind) -> None:
    """Rename the written folder ``tmp`` onto ``place``, removing only an old one's entries."""
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


def _settle_aside(old: Path, place: Path, kind: FolderKind | None) -> None:
    """Remove an old folder's edusim entries and move the rest (OS litter) into ``place``.

    An entry that is not edusim's and whose name the new folder took stays in ``old`` (and
    ``old`` with it): nothing that edusim did not write is removed.
    """
    for entry in sorted(old.iterdir()):
        if (kind is not None and kind.owns(entry.name)) or is_lock_file(entry.name):
            _remove(entry)
        elif not (place / entry.name).exists():
            os.replace(entry, place / entry.name)
    if not any(old.iterdir()):
        old.rmdir()


def recover_killed_writes(
    place: Path | str, owner: Callable[[Path], FolderKind | None] = folder_kind
) -> int:
    """Clean what killed staged writes to ``place`` left beside it.

    Only hidden folders named as :func:`staged_folder` names them, of processes no longer
    running, are touched: a half-written new folder is removed; an earlier folder a killed
    replace had moved aside is put back when nothing took its place, else (a comparison or
    calibration) its edusim entries are removed, as it was being replaced.

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
        if match is None or match["name"] != place.name or _alive(int(match["pid"])):
            continue
        if match["kind"] == "new":
            shutil.rmtree(entry, ignore_errors=True)
        elif not place.exists():
            os.replace(entry, place)
        else:
            kind = owner(entry)
            if kind not in STAGED_KINDS:  # a run's: ``sim.results`` settles it on its next save
                continue
            _settle_aside(entry, place, kind)
        cleaned += 1
    return cleaned


def _alive(pid: int) -> bool:
    return pid == os.getpid() or is_running(pid)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


__all__ = [
    "CALIBRATION",
    "COMPARISON",
    "KINDS",
    "RUN",
    "SWEEP",
    "FolderKind",
    "check_out_folder",
    "folder_kind",
    "listing",
    "recover_killed_writes",
    "refuse_working_folder",
    "staged_folder",
    "visible_entries",
]
