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
put back. The machinery (folder kinds, checks, staged writes, recovery) is ``sim.folders``,
shared with ``sim.results``, so runs and experiments write and clean up alike.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from sim.errors import EdusimError
from sim.folders import (
    CALIBRATION,
    COMPARISON,
    FIGURES_DIR,
    KINDS,
    MAX_LISTED,
    OS_LITTER,
    REPORT_FILE,
    RUN,
    STAGED_KINDS,
    STAGING,
    SWEEP,
    VALIDATION,
    WRITE_TEMP,
    FolderKind,
    folder_kind,
    listing,
    recover_killed_writes,
    refuse_working_folder,
    staged_write,
    visible_entries,
)
from sim.outputs import check_writable_out


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
    with staged_write(out, kind, lambda: check_out_folder(out, kind, force)) as tmp:
        yield tmp


__all__ = [
    "CALIBRATION",
    "COMPARISON",
    "FIGURES_DIR",
    "KINDS",
    "MAX_LISTED",
    "OS_LITTER",
    "REPORT_FILE",
    "RUN",
    "STAGED_KINDS",
    "STAGING",
    "SWEEP",
    "VALIDATION",
    "WRITE_TEMP",
    "FolderKind",
    "check_out_folder",
    "folder_kind",
    "listing",
    "recover_killed_writes",
    "refuse_working_folder",
    "staged_folder",
    "visible_entries",
]
