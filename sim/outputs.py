"""Atomic file writes: every output appears whole or not at all (temp file, then rename)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it onto ``path``."""
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
    """The process umask (read without changing it for longer than a moment)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path | str, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path | str, data: Any) -> Path:
    """Write JSON atomically, keys sorted so that equal data give equal bytes."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return write_text(path, text)


def write_parquet(path: Path | str, frame: pd.DataFrame) -> Path:
    """Write a DataFrame to Parquet atomically (no index, deterministic bytes)."""
    return atomic_write(path, lambda p: frame.to_parquet(p, index=False))


def write_csv(path: Path | str, frame: pd.DataFrame) -> Path:
    """Write a DataFrame to CSV atomically (no index, fixed float format)."""
    return atomic_write(path, lambda p: frame.to_csv(p, index=False, float_format="%.6g", lineterminator="\n"))
