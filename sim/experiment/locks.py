"""Folder locks: one experiment computes for one output folder at a time.

While ``edusim sweep`` (``--resume`` too), ``compare`` or ``calibrate`` computes for a folder it
holds a lock: a small JSON file with the holder's pid, host, start time and verb, locked with
``flock`` (released by the kernel when the holder exits, however it exits). A second verb on
the same folder exits 2 naming the holder, so two processes never compute the same runs. A
lock file left by a process that no longer holds it (killed) is taken over, with a message
naming that process. The lock file is removed when its holder releases it.

Where the lock lives: inside a sweep folder (``.edusim-lock``: the folder is the resumable
unit and exists from the start), beside a run, comparison or calibration folder
(``.<name>.edusim-lock``: those folders appear whole, by a rename, when they are complete).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
from pathlib import Path
from typing import Any

from sim.experiment.errors import ExperimentError
from sim.folders import BESIDE_SUFFIX, INSIDE_LOCK, is_lock_file, is_running

try:  # POSIX; elsewhere a lock is a file created exclusively (see FolderLock)
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None  # type: ignore[assignment]

# The lock names (INSIDE_LOCK, BESIDE_SUFFIX, is_lock_file) and is_running live in
# ``sim.folders``, which every output folder shares; they are re-exported here.
#: Permissions of a lock file (before the umask).
LOCK_MODE = 0o644
#: Attempts at locking a lock file that its holder removes at that moment.
LOCK_ATTEMPTS = 5


def lock_inside(folder: Path | str) -> Path:
    """Locate the lock file of a sweep folder (``FOLDER/.edusim-lock``).

    Parameters
    ----------
    folder
        The sweep folder.

    Returns
    -------
    Path
        The lock file.
    """
    return Path(folder) / INSIDE_LOCK


def lock_beside(folder: Path | str) -> Path:
    """Locate the lock file of a run, comparison or calibration folder (``.<name>.edusim-lock``).

    Parameters
    ----------
    folder
        The output folder (need not exist).

    Returns
    -------
    Path
        The lock file, in the folder's parent.
    """
    place = Path(os.path.abspath(folder))
    return place.parent / f".{place.name}{BESIDE_SUFFIX}"


def describe_holder(record: dict[str, Any]) -> str:
    """Name a lock's holder for a message: verb, pid, host and start time.

    Parameters
    ----------
    record
        The lock file's contents (missing entries shown as ``?``).

    Returns
    -------
    str
        E.g. ``edusim sweep (pid 4242 on node7, started 2025-03-01T10:00:00+08:00)``.
    """
    verb = record.get("verb", "?")
    return (
        f"edusim {verb} (pid {record.get('pid', '?')} on {record.get('host', '?')}, "
        f"started {record.get('started', '?')})"
    )


def check_free(path: Path | str, folder: Path | str) -> None:
    """Raise when another process holds the lock at ``path`` (nothing is created or changed).

    For a check before planning; the lock itself is taken with :class:`FolderLock`.

    Parameters
    ----------
    path
        The lock file (it need not exist).
    folder
        The output folder, named in the message.

    Raises
    ------
    ExperimentError
        The lock is held; the message names the holder.
    """
    if fcntl is None or not Path(path).is_file():
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ExperimentError(_held_message(folder, path, _read_record(fd))) from None
    finally:
        os.close(fd)


def _held_message(folder: Path | str, path: Path | str, holder: dict[str, Any]) -> str:
    return (
        f"{folder}: in use by {describe_holder(holder)}; two commands never compute for one "
        f"folder: wait for it to finish or stop it (lock file {path})"
    )


class FolderLock:
    """The lock of one output folder, held while an experiment computes and writes it.

    Parameters
    ----------
    path
        The lock file (:func:`lock_inside` or :func:`lock_beside`); its folder is created.
    folder
        The output folder, named in messages.
    verb
        The command holding the lock (``sweep``, ``compare``, ``calibrate``).

    Attributes
    ----------
    took_over
        After :meth:`acquire`: a message naming the stale holder whose lock was taken over,
        else empty.

    Use as a context manager: entering acquires (or raises :class:`ExperimentError` naming
    the holder), leaving releases.
    """

    def __init__(self, path: Path | str, folder: Path | str, verb: str) -> None:
        self.path = Path(path)
        self.folder = Path(folder)
        self.verb = verb
        self.took_over = ""
        self._fd: int | None = None
        self._made: list[Path] = []

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, or raise naming its holder.

        Raises
        ------
        ExperimentError
            Another process holds the lock (the message names it: verb, pid, host, start
            time), or the lock file cannot be created.
        """
        if self._fd is not None:
            return
        self._make_folders()
        try:
            self._take()
        except BaseException:
            self._remove_made_folders()
            raise

    def _take(self) -> None:
        """Lock the file (retrying when its holder removed it meanwhile), write our record."""
        for _ in range(LOCK_ATTEMPTS):
            fd = self._open()
            if self._lock(fd) and self._still_there(fd):
                break
            os.close(fd)
        else:
            raise ExperimentError(f"{self.folder}: could not take the lock {self.path}; try again")
        previous = _read_record(fd)
        self._fd = fd
        if previous:
            self.took_over = (
                f"{self.folder}: took over the lock left by {describe_holder(previous)}, which "
                "is no longer running"
            )
        record = {
            "verb": self.verb,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "folder": str(self.folder),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        os.fsync(fd)

    def release(self) -> None:
        """Remove the lock file and release the lock (nothing happens when not held).

        Folders created to hold the lock file are removed too when they are empty: a verb that
        fails before writing anything leaves nothing behind.
        """
        if self._fd is None:
            return
        try:
            if self._still_there(self._fd):
                self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
            self._remove_made_folders()

    def _make_folders(self) -> None:
        """Create the lock file's folder, remembering which folders did not exist."""
        missing = []
        folder = Path(os.path.abspath(self.path.parent))
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExperimentError(
                f"{self.folder}: cannot create {self.path.parent} for the lock ({err.strerror})"
            ) from None
        self._made = missing  # deepest first

    def _remove_made_folders(self) -> None:
        for folder in self._made:
            try:
                folder.rmdir()
            except OSError:  # not empty (written meanwhile) or gone: keep going up no further
                break
        self._made = []

    # -- helpers ---------------------------------------------------------------------------
    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, LOCK_MODE)
        except OSError as err:
            raise ExperimentError(
                f"{self.folder}: cannot create the lock {self.path} ({err.strerror})"
            ) from None

    def _lock(self, fd: int) -> bool:
        """Lock the open file; raise naming the holder when another process has it."""
        if fcntl is None:  # pragma: no cover - not on Linux or macOS
            return self._lock_by_pid(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_record(fd)
            os.close(fd)
            raise ExperimentError(_held_message(self.folder, self.path, holder)) from None
        return True

    def _lock_by_pid(self, fd: int) -> bool:  # pragma: no cover - not on Linux or macOS
        """Without ``flock``: the lock is held while the recorded process runs."""
        holder = _read_record(fd)
        pid = holder.get("pid")
        mine = pid == os.getpid() and holder.get("host") == socket.gethostname()
        if isinstance(pid, int) and not mine and is_running(pid):
            os.close(fd)
            raise ExperimentError(_held_message(self.folder, self.path, holder))
        return True

    def _still_there(self, fd: int) -> bool:
        """True when the path still names the file we locked (not removed by its holder)."""
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False


def _read_record(fd: int) -> dict[str, Any]:
    """Read a lock file's JSON record from an open file (empty when there is none)."""
    size = os.fstat(fd).st_size
    try:
        record = json.loads(os.pread(fd, size, 0).decode("utf-8")) if size else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"pid": "?", "verb": "? (unreadable lock file)"}
    return record if isinstance(record, dict) else {}


__all__ = [
    "FolderLock",
    "check_free",
    "describe_holder",
    "is_lock_file",
    "is_running",
    "lock_beside",
    "lock_inside",
]
