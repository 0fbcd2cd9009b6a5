"""Issue 12, data loss: `edusim run --out` and `RunResult.save` delete nothing they did not write.

The rule (sim/results.py): a new or empty folder is written; an earlier edusim run is replaced
only with --force / force=True, and then only a run's own entries are removed; any other
non-empty folder (other files, a sweep, the working folder) is refused with exit 2, untouched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from sim import RunResult
from sim.errors import EdusimError
from sim.results import FILES

RUN = ("run", "small_county", "--years", "1", "--no-figures")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _tiny_run(rows: int = 2) -> RunResult:
    county = pd.DataFrame({"replicate": [0] * rows, "year": list(range(2024, 2024 + rows))})
    manifest = {"scenario": {"name": "tiny"}, "scenario_name": "tiny", "seed": 0, "replicates": 1}
    return RunResult(
        county=county,
        schools=pd.DataFrame({"school_id": [1]}),
        events=pd.DataFrame({"kind": []}),
        manifest=manifest,
        world={"settlements": pd.DataFrame({"id": [0]})},
    )


# ---- the command line ----------------------------------------------------------------------


def test_a_folder_with_other_files_is_refused_and_left_alone(invoke, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "thesis.tex").write_text("x")
    result = invoke(*RUN, "--out", "p")
    assert result.exit_code == 2, result.output
    assert "p: holds files an edusim run does not write (thesis.tex)" in result.stderr
    assert _snapshot(tmp_path / "p") == {"thesis.tex": b"x"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_force_does_not_make_other_files_replaceable(invoke, tmp_path):
    assert invoke(*RUN, "--out", "r").exit_code == 0
    (tmp_path / "r" / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path / "r")
    result = invoke(*RUN, "--out", "r", "--force")
    assert result.exit_code == 2 and "notes.txt" in result.stderr
    assert _snapshot(tmp_path / "r") == before


def test_out_dot_is_refused_and_the_working_folder_untouched(invoke, tmp_path):
    (tmp_path / "keep.txt").write_text("k")
    before = sorted(p.name for p in tmp_path.iterdir())
    for out in (".", str(tmp_path), ".."):
        result = invoke(*RUN, "--out", out, "--force")
        assert result.exit_code == 2, (out, result.output)
        assert "working in" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "keep.txt").read_text() == "k"


def test_an_empty_working_folder_is_still_refused(invoke, tmp_path):
    result = invoke(*RUN, "--out", ".")
    assert result.exit_code == 2 and "working in" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_sweep_folder_is_refused(invoke, tmp_path):
    sweep = tmp_path / "sweep"
    (sweep / "runs" / "county").mkdir(parents=True)
    (sweep / "sweep.json").write_text("{}")
    (sweep / "runs" / "county" / "r0.parquet").write_bytes(b"data")
    before = _snapshot(sweep)
    result = invoke(*RUN, "--out", "sweep", "--force")
    assert result.exit_code == 2 and "sweep folder" in result.stderr
    assert _snapshot(sweep) == before


def test_an_earlier_run_is_replaced_only_with_force(invoke, tmp_path):
    assert invoke(*RUN, "--out", "r", "--seed", "1").exit_code == 0
    first = _snapshot(tmp_path / "r")
    again = invoke(*RUN, "--out", "r", "--seed", "2")
    assert again.exit_code == 2
    assert "earlier edusim run" in again.stderr and "--force" in again.stderr
    assert _snapshot(tmp_path / "r") == first
    forced = invoke(*RUN, "--out", "r", "--seed", "2", "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["seed"] == 2


def test_no_figures_into_an_earlier_run_leaves_no_old_figures(invoke, tmp_path):
    assert invoke("run", "small_county", "--years", "1", "--out", "r").exit_code == 0
    assert any((tmp_path / "r" / "figures").iterdir())
    (tmp_path / "r" / "report.html").write_text("<html>old</html>")
    assert invoke(*RUN, "--out", "r", "--force").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted([*FILES, "world"])


def test_force_never_removes_a_users_file_inside_figures(invoke, tmp_path):
    """A hand-edited figure beside the run's own is the user's: the replace is refused."""
    assert invoke(*RUN, "--out", "r", "--seed", "1").exit_code == 0
    mine = tmp_path / "r" / "figures" / "my_annotated_map.png"
    mine.parent.mkdir(exist_ok=True)
    mine.write_bytes(b"mine")
    forced = invoke(*RUN, "--out", "r", "--seed", "2", "--force")
    assert forced.exit_code == 2 and "figures/my_annotated_map.png" in forced.stderr
    assert mine.read_bytes() == b"mine"


def test_the_help_states_the_rule(invoke):
    text = " ".join(invoke("run", "--help").stdout.replace("\u2502", " ").split())  # no box lines
    assert "--force" in text and "refused" in text and "replaced only with --force" in text
    assert "other files are never touched" in text


def test_nothing_is_simulated_into_a_refused_folder(invoke, tmp_path, monkeypatch):
    import sim.cli.run

    def no_run(*args, **kwargs):
        raise AssertionError("simulated before the folder was checked")

    monkeypatch.setattr(sim.cli.run, "run", no_run)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x").write_text("x")
    assert invoke(*RUN, "--out", "p").exit_code == 2


def test_a_second_run_on_a_folder_in_use_exits_2_naming_the_holder(invoke, tmp_path):
    from sim.experiment.locks import FolderLock, lock_beside

    with FolderLock(lock_beside(tmp_path / "p"), tmp_path / "p", "run"):  # another run writes p
        result = invoke(*RUN, "--out", "p")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "in use by edusim run (pid" in message and f"{os.getpid()}" in message
    assert not (tmp_path / "p").exists()
    assert invoke(*RUN, "--out", "p").exit_code == 0  # released: the folder can be written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no lock file left


# ---- the Python API --------------------------------------------------------------------------


def test_save_refuses_an_earlier_run_without_force(tmp_path):
    out = _tiny_run(2).save(tmp_path / "run")
    before = _snapshot(out)
    with pytest.raises(EdusimError, match="earlier edusim run"):
        _tiny_run(1).save(out)
    assert _snapshot(out) == before
    _tiny_run(1).save(out, force=True)
    assert len(pd.read_csv(out / "county.csv")) == 1


def test_save_replaces_only_a_runs_entries(tmp_path):
    out = _tiny_run(2).save(tmp_path / "run")
    (out / "figures").mkdir()
    (out / "figures" / "county_map.png").write_bytes(b"png")
    (out / ".DS_Store").write_bytes(b"finder")  # the OS's, not ours: kept
    _tiny_run(1).save(out, force=True)
    assert not (out / "figures").exists()
    assert (out / ".DS_Store").read_bytes() == b"finder"
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, "world", ".DS_Store"])


def test_save_writes_into_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    _tiny_run().save(tmp_path / "empty")
    assert (tmp_path / "empty" / "manifest.json").is_file()


@pytest.mark.parametrize("content", [{"county.csv": "year\n"}, {"figures/timeseries.png": "png"}])
def test_run_named_files_without_a_run_manifest_are_refused(tmp_path, content):
    out = tmp_path / "run"
    for name, text in content.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    with pytest.raises(EdusimError, match="holds no edusim run"):
        _tiny_run().save(out, force=True)
    assert all((out / name).read_text() == text for name, text in content.items())


def test_a_comparison_manifest_is_not_a_run(tmp_path):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "manifest.json").write_text(
        json.dumps({"kind": "edusim-compare", "seed": 0, "replicates": 2, "labels": ["a"]})
    )
    with pytest.raises(EdusimError, match="holds no edusim run"):
        _tiny_run().save(out, force=True)


# ---- a save killed half-way -------------------------------------------------------------------


def test_leftovers_of_a_killed_save_are_cleaned_by_the_next_save(tmp_path):
    dead = _dead_pid()
    leftover = tmp_path / f".run.edusim-new-{dead}-0a1b2c3d"
    (leftover / "world").mkdir(parents=True)
    (leftover / "county.csv").write_text("half")
    alive = tmp_path / f".run.edusim-new-{os.getppid()}-0a1b2c3d"  # a save still running
    alive.mkdir()
    other = tmp_path / f".other.edusim-new-{dead}-0a1b2c3d"  # another folder's leftover
    other.mkdir()
    mine = tmp_path / ".run.backup"  # not a name a save uses
    mine.mkdir()
    _tiny_run().save(tmp_path / "run")
    assert not leftover.exists()
    assert alive.is_dir() and other.is_dir() and mine.is_dir()


def test_a_run_moved_aside_by_a_killed_replace_is_put_back(tmp_path):
    aside = _tiny_run(2).save(tmp_path / f".run.edusim-old-{_dead_pid()}-0a1b2c3d")
    before = _snapshot(aside)
    with pytest.raises(EdusimError, match="earlier edusim run"):
        _tiny_run(1).save(tmp_path / "run")  # the restored run needs force like any other
    assert _snapshot(tmp_path / "run") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


KILLED_SAVE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import pandas as pd
    import sim.results
    from sim import RunResult

    def slow(path, frame):
        Path(sys.argv[2]).write_text("writing")
        time.sleep(60)

    sim.results.write_csv = slow
    manifest = {"scenario": {"name": "t"}, "seed": 0, "replicates": 1}
    frame = pd.DataFrame({"year": [2024]})
    RunResult(frame, frame, frame, manifest).save(sys.argv[1])
""")


def test_a_save_killed_half_way_leaves_a_hidden_folder_the_next_save_removes(tmp_path):
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_SAVE, str(tmp_path / "run"), str(marker)]
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None and time.monotonic() < deadline, "the save did not start"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    hidden = [p for p in tmp_path.iterdir() if p.name.startswith(".run.edusim-new-")]
    assert len(hidden) == 1 and not (tmp_path / "run").exists()
    _tiny_run().save(tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marker", "run"]
    assert (tmp_path / "run" / "manifest.json").is_file()
