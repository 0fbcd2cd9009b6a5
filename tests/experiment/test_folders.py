"""Output folders of compare and calibrate (issue 12): refused unless theirs, written whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import EdusimError
from sim.experiment.folders import (
    CALIBRATION,
    COMPARISON,
    check_out_folder,
    folder_kind,
    recover_killed_writes,
    staged_folder,
)
from sim.experiment.locks import lock_beside

COMPARE_MANIFEST = {"kind": "edusim-compare", "labels": ["a"]}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _comparison(folder: Path, summary: str = "old") -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(COMPARE_MANIFEST))
    (folder / "summary.csv").write_text(summary)
    (folder / "figures").mkdir()
    (folder / "figures" / "frontier.png").write_bytes(b"png")
    return folder


def _write(folder: Path, summary: str = "new") -> None:
    (folder / "manifest.json").write_text(json.dumps(COMPARE_MANIFEST))
    (folder / "summary.csv").write_text(summary)


def test_folder_kinds_are_told_by_their_marker(tmp_path):
    assert folder_kind(_comparison(tmp_path / "c")) is COMPARISON
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "calibration.json").write_text('{"kind": "edusim-calibration"}')
    assert folder_kind(tmp_path / "k") is CALIBRATION
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "manifest.json").write_text('{"kind": "something else"}')
    assert folder_kind(tmp_path / "m") is None


@pytest.mark.parametrize(
    "content, words",
    [
        ({"thesis.tex": "x"}, ["is not empty (thesis.tex)"]),
        ({"sweep.json": "{}"}, ["is an edusim sweep folder"]),
        ({"county.parquet": "", "manifest.json": "{}"}, ["is an edusim run folder"]),
        ({"calibration.json": '{"kind": "edusim-calibration"}'}, ["calibration folder"]),
    ],
)
def test_compare_never_writes_into_a_folder_that_is_not_a_comparison(tmp_path, content, words):
    out = tmp_path / "out"
    out.mkdir()
    for name, text in content.items():
        (out / name).write_text(text)
    before = _snapshot(out)
    for force in (False, True):
        with pytest.raises(EdusimError) as info:
            check_out_folder(out, COMPARISON, force)
        for word in [str(out), *words]:
            assert word in str(info.value)
    assert _snapshot(out) == before


def test_an_earlier_comparison_is_replaced_only_with_force(tmp_path):
    out = _comparison(tmp_path / "c")
    with pytest.raises(EdusimError, match="earlier comparison; replace it with --force"):
        check_out_folder(out, COMPARISON)
    assert check_out_folder(out, COMPARISON, force=True) is True
    (out / "notes.txt").write_text("mine")
    with pytest.raises(EdusimError, match=r"does not write \(notes\.txt\)"):
        check_out_folder(out, COMPARISON, force=True)


def test_the_working_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for out in (".", str(tmp_path), ".."):
        with pytest.raises(EdusimError, match="folder you are working in"):
            check_out_folder(out, COMPARISON, force=True)


def test_an_empty_folder_or_one_with_os_litter_is_written(tmp_path):
    out = tmp_path / "c"
    out.mkdir()
    (out / ".DS_Store").write_bytes(b"x")
    assert check_out_folder(out, COMPARISON) is False
    with staged_folder(out, COMPARISON) as folder:
        _write(folder)
    assert sorted(p.name for p in out.iterdir()) == [".DS_Store", "manifest.json", "summary.csv"]


def test_a_forced_replace_removes_only_a_comparisons_entries(tmp_path):
    out = _comparison(tmp_path / "c")
    (out / "Thumbs.db").write_bytes(b"litter")
    with staged_folder(out, COMPARISON, force=True) as folder:
        _write(folder)
    assert _snapshot(out) == {
        "Thumbs.db": b"litter",
        "manifest.json": json.dumps(COMPARE_MANIFEST).encode(),
        "summary.csv": b"new",
    }  # the old figures are gone with the old comparison
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_a_failed_write_leaves_the_earlier_folder_and_nothing_else(tmp_path):
    out = _comparison(tmp_path / "c")
    before = _snapshot(out)
    with pytest.raises(RuntimeError), staged_folder(out, COMPARISON, force=True) as folder:
        _write(folder)
        raise RuntimeError("drawing failed")
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_the_folder_appears_only_when_complete(tmp_path):
    out = tmp_path / "c"
    with staged_folder(out, COMPARISON) as folder:
        _write(folder)
        assert not out.exists() and folder.parent == tmp_path and folder.name.startswith(".c.")
    assert out.is_dir()


def test_leftovers_of_a_killed_write_are_cleaned_by_the_next_write(tmp_path):
    out = tmp_path / "c"
    dead = _dead_pid()
    half = tmp_path / f".c.edusim-new-{dead}-abc123"
    half.mkdir()
    (half / "summary.csv").write_text("half")
    lock_beside(out).write_text(json.dumps({"pid": dead}))
    alive = tmp_path / ".c.edusim-new-1-running"  # pid 1 runs: another write in progress
    alive.mkdir()
    with staged_folder(out, COMPARISON) as folder:
        _write(folder)
    assert not half.exists() and alive.exists()
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "summary.csv"]


def test_a_comparison_moved_aside_by_a_killed_replace_is_put_back(tmp_path):
    dead = _dead_pid()
    aside = _comparison(tmp_path / f".c.edusim-old-{dead}-abc123", summary="earlier")
    assert recover_killed_writes(tmp_path / "c") == 1
    assert (tmp_path / "c" / "summary.csv").read_text() == "earlier"
    assert not aside.exists()


def test_a_replace_killed_after_the_rename_keeps_the_new_folder_only(tmp_path):
    dead = _dead_pid()
    _comparison(tmp_path / f".c.edusim-old-{dead}-abc123", summary="earlier")
    new = tmp_path / "c"
    new.mkdir()
    _write(new)
    recover_killed_writes(new)
    assert _snapshot(new)["summary.csv"] == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_a_runs_folder_moved_aside_is_settled_by_the_same_recovery(tmp_path):
    dead = _dead_pid()
    aside = tmp_path / f".r.edusim-old-{dead}-abc123"
    aside.mkdir()
    (aside / "county.parquet").write_bytes(b"old")
    (aside / ".DS_Store").write_bytes(b"litter")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "county.parquet").write_bytes(b"new")
    assert recover_killed_writes(tmp_path / "r") == 1
    assert not aside.exists()  # only the run's own entries were removed, the litter moved
    assert _snapshot(tmp_path / "r") == {".DS_Store": b"litter", "county.parquet": b"new"}


def test_a_folder_moved_aside_that_is_no_edusim_folder_is_left_alone(tmp_path):
    dead = _dead_pid()
    aside = tmp_path / f".r.edusim-old-{dead}-abc123"
    aside.mkdir()
    (aside / "thesis.tex").write_text("mine")
    (tmp_path / "r").mkdir()
    assert recover_killed_writes(tmp_path / "r") == 0
    assert (aside / "thesis.tex").read_text() == "mine"
