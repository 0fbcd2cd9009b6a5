"""Atomic file writes: every output appears whole or not at all (temp file, then rename).

Also the checks a verb makes before it computes anything: that its output folder
(:func:`check_writable_out`) or file (:func:`check_writable_file`) can be written, so that a
bad ``--out`` costs an error message, not the computing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from sim.errors import EdusimError

#: Prefix of the empty folder :func:`check_writable_out` creates and removes at once.
PROBE_PREFIX = ".edusim-write-check-"


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Write a file through a temporary file beside it, renamed onto it when complete.

    Parameters
    ----------
    path : Path or str
        The file to write (its folders are created).
    write : callable
        Called with the temporary file's path; writes the content there.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, 0o666 & ~current_umask())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """Read the process umask (changing it only for a moment).

    Returns
    -------
    int
        The umask, e.g. ``0o022``.
    """
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path | str, text: str) -> Path:
    """Write UTF-8 text atomically.

    Parameters
    ----------
    path : Path or str
        The file.
    text : str
        Its content.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path | str, data: Any) -> Path:
    """Write JSON atomically, keys sorted so that equal data give equal bytes.

    Parameters
    ----------
    path : Path or str
        The file.
    data : Any
        Anything ``json.dumps`` takes (other values are written as text).

    Returns
    -------
    Path
        ``path``.
    """
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return write_text(path, text)


def write_parquet(path: Path | str, frame: pd.DataFrame) -> Path:
    """Write a DataFrame to Parquet atomically (no index, deterministic bytes).

    Parameters
    ----------
    path : Path or str
        The file.
    frame : pandas.DataFrame
        The table.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write(path, lambda p: frame.to_parquet(p, index=False))


def write_csv(path: Path | str, frame: pd.DataFrame) -> Path:
    """Write a DataFrame to CSV atomically (no index, floats to 6 significant digits).

    Parameters
    ----------
    path : Path or str
        The file.
    frame : pandas.DataFrame
        The table.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write(
        path, lambda p: frame.to_csv(p, index=False, float_format="%.6g", lineterminator="\n")
    )


def check_writable_out(path: Path | str, option: str = "--out") -> None:
    """Check that files can be written inside the folder ``path`` (created if missing).

    Call it before any simulation. Nothing is left behind: an empty probe folder is created and
    removed at once in ``path``, or in its nearest existing parent when ``path`` does not exist
    yet (that is where the folder would be created).

    Parameters
    ----------
    path : Path or str
        The output folder.
    option : str, default "--out"
        How the message names the folder (the command-line option).

    Raises
    ------
    EdusimError
        ``path`` is a file, lies below a file, or is read-only or otherwise unwritable; the
        message names the folder and the reason.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise EdusimError(
            f"{option} {path}: is a file, not a folder; choose a folder for the output"
        )
    _check_can_create_in(path, f"{option} {path}")


def check_writable_file(path: Path | str, option: str = "--out") -> None:
    """Check that the file ``path`` can be written (created, or replaced by a rename).

    Parameters
    ----------
    path : Path or str
        The output file.
    option : str, default "--out"
        How the message names the file (the command-line option).

    Raises
    ------
    EdusimError
        ``path`` is a folder, lies below a file, or its folder cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise EdusimError(f"{option} {path}: is a folder; give the name of a file to write")
    _check_can_create_in(path.parent, f"{option} {path}")


def _check_can_create_in(folder: Path, label: str) -> None:
    """Raise :class:`EdusimError` (message starting ``label``) unless ``folder`` is writable.

    A folder that does not exist yet is judged by its nearest existing parent.
    """
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise EdusimError(f"{label}: cannot be created, because {base} is a file")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=PROBE_PREFIX, dir=base))
    except OSError as err:
        raise EdusimError(
            f"{label}: cannot write in {base} ({err.strerror}); choose a writable place"
        ) from None


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (as a file or a folder)."""
    candidate = Path(os.path.abspath(path))
    while not candidate.exists() and candidate != candidate.parent:
        candidate = candidate.parent
    return candidate
