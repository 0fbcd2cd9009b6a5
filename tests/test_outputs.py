"""Atomic file writes (sim.outputs): whole files or none, no temporary files left, stable bytes."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest

from sim.outputs import (
    atomic_write,
    current_umask,
    write_csv,
    write_json,
    write_parquet,
    write_text,
)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_creates_folders_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    assert atomic_write(target, lambda p: p.write_text("hello")) == target
    assert target.read_text() == "hello"
    assert leftovers(target.parent) == []


def test_the_temporary_file_is_hidden_beside_the_target(tmp_path):
    seen = []

    def write(path):
        seen.append(path)
        path.write_text("x")

    atomic_write(tmp_path / "out.txt", write)
    (tmp, ) = seen
    assert tmp.parent == tmp_path and tmp.name.startswith(".out.txt.") and tmp.name.endswith(".tmp")
    assert not tmp.exists()


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "old")

    def broken(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_nothing(tmp_path):
    def interrupted(path):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "new.txt", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_written_files_follow_the_umask(tmp_path):
    path = write_text(tmp_path / "f.txt", "x")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~current_umask()
    mask = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        path = write_text(tmp_path / "g.txt", "x")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    finally:
        os.umask(mask)


def test_json_has_sorted_keys_so_equal_data_give_equal_bytes(tmp_path):
    a = write_json(tmp_path / "a.json", {"b": 1, "a": {"y": 2, "x": "县"}})
    b = write_json(tmp_path / "b.json", {"a": {"x": "县", "y": 2}, "b": 1})
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text(encoding="utf-8")
    assert text.endswith("\n") and "县" in text and text.index('"a"') < text.index('"b"')
    assert json.loads(text) == {"a": {"x": "县", "y": 2}, "b": 1}


def test_parquet_round_trips_without_the_index(tmp_path):
    frame = pd.DataFrame({"year": [2024, 2025], "share": [0.25, 0.5]}, index=[7, 9])
    path = write_parquet(tmp_path / "t.parquet", frame)
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame.reset_index(drop=True))
    assert leftovers(tmp_path) == []


def test_csv_has_no_index_and_six_significant_digits(tmp_path):
    frame = pd.DataFrame({"year": [2024], "share": [1 / 3]})
    path = write_csv(tmp_path / "t.csv", frame)
    assert path.read_bytes() == b"year,share\n2024,0.333333\n"
