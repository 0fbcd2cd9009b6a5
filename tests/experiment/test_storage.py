"""Sweep storage (sim.experiment.storage): layout, atomic run files, finished runs, failures."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.experiment.errors import ExperimentError
from sim.experiment.storage import SweepStore, format_failure
from sim.experiment.tasks import Task
from sim.outputs import write_parquet


def task(point: int, replicate: int = 0, **params) -> Task:
    return Task(run_id=f"p{point:04d}-r{replicate:02d}", point=point, replicate=replicate, seed=9,
                params=params)


def county(n: int = 2) -> pd.DataFrame:
    return pd.DataFrame({"year": range(2024, 2024 + n), "pupils": [100 + i for i in range(n)]})


def schools() -> pd.DataFrame:
    return pd.DataFrame({"year": [2024, 2024], "school_id": [0, 1], "pupils": [60, 40]})


def hidden_files(root):
    return sorted(p.name for p in root.rglob(".*"))


def test_an_empty_or_missing_directory_is_empty(tmp_path):
    assert SweepStore(tmp_path / "nothing").is_empty()
    assert SweepStore(tmp_path).is_empty()
    (tmp_path / "x").write_text("x")
    assert not SweepStore(tmp_path).is_empty()


def test_a_written_run_is_finished_with_its_keys_in_front(tmp_path):
    store = SweepStore(tmp_path)
    run = task(3, 1, **{"choice.beta_time": 0.05})
    store.write_run(run, {"county": county(), "schools": schools()})
    assert store.finished() == {"p0003-r01"}
    assert store.tables() == ["county", "schools"]
    frame = pd.read_parquet(store.run_path("p0003-r01"))
    assert list(frame.columns) == ["run_id", "point", "replicate", "seed", "choice.beta_time",
                                   "year", "pupils"]
    assert (frame["run_id"] == "p0003-r01").all() and (frame["seed"] == 9).all()
    assert frame["choice.beta_time"].tolist() == [0.05, 0.05]
    panel = pd.read_parquet(store.run_path("p0003-r01", "schools"))
    assert list(panel.columns) == ["run_id", "point", "year", "school_id", "pupils"]
    assert hidden_files(tmp_path) == []  # no temporary file left behind


def test_front_columns_replace_ones_the_evaluation_returned(tmp_path):
    store = SweepStore(tmp_path)
    frame = county().assign(replicate=99)
    store.write_run(task(0, 2), {"county": frame})
    out = pd.read_parquet(store.run_path("p0000-r02"))
    assert out["replicate"].tolist() == [2, 2] and list(out.columns).count("replicate") == 1


def test_a_run_without_its_county_file_is_not_finished(tmp_path):
    store = SweepStore(tmp_path)
    store.write_run(task(0), {"county": county()})
    # a run killed after its schools table but before the county table (the marker)
    write_parquet(store.run_path("p0001-r00", "schools"), schools())
    assert store.finished() == {"p0000-r00"}
    assert store.read_table()["run_id"].unique().tolist() == ["p0000-r00"]


def test_temporary_files_are_ignored_and_cleaned(tmp_path):
    store = SweepStore(tmp_path)
    store.write_run(task(0), {"county": county()})
    stray = store.table_dir() / ".p0001-r00.parquet.abc123.tmp"
    stray.write_bytes(b"half a file")
    kept = store.table_dir() / ".notes"
    kept.write_text("not ours")
    assert store.finished() == {"p0000-r00"}
    assert store.clean_temporary() == 1
    assert not stray.exists() and kept.exists()
    assert SweepStore(tmp_path / "missing").clean_temporary() == 0


def test_failures_are_recorded_and_removed_when_the_run_succeeds(tmp_path):
    store = SweepStore(tmp_path)
    try:
        raise ValueError("bad value 7")
    except ValueError as exc:
        error, trace = format_failure(exc)
    assert error == "ValueError: bad value 7" and "Traceback" in trace and "bad value 7" in trace
    store.write_failure(task(4, 1, **{"boarding.min_grade": 3}), error, trace)
    assert store.failed() == {"p0004-r01"} and store.finished() == set()
    failures = store.read_failures()
    assert failures.to_dict("records") == [
        {"run_id": "p0004-r01", "point": 4, "replicate": 1, "error": "ValueError: bad value 7"}
    ]
    store.write_run(task(4, 1), {"county": county()})
    assert store.failed() == set() and store.finished() == {"p0004-r01"}
    assert list(store.read_failures().columns) == ["run_id", "point", "replicate", "error"]


def test_read_table_concatenates_runs_in_run_id_order(tmp_path):
    store = SweepStore(tmp_path)
    for point in (2, 0, 1):
        store.write_run(task(point), {"county": county(3)})
    table = store.read_table()
    assert table["run_id"].drop_duplicates().tolist() == ["p0000-r00", "p0001-r00", "p0002-r00"]
    assert len(table) == 9
    assert store.read_table(run_ids=["p0001-r00"])["point"].unique().tolist() == [1]
    assert store.read_table("schools").empty
    chunks = list(store.iter_chunks(chunk_runs=2))
    assert [c["run_id"].nunique() for c in chunks] == [2, 1]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), table)


def test_spec_and_design_round_trip(tmp_path):
    store = SweepStore(tmp_path)
    with pytest.raises(ExperimentError, match="not a sweep directory"):
        store.read_spec()
    with pytest.raises(ExperimentError, match="design.parquet"):
        store.read_design()
    store.write_spec({"seed": 5, "vary": ["a=1:2"]})
    design = pd.DataFrame({"run_id": ["p0000-r00"], "point": [0], "replicate": [0], "seed": [5]})
    store.write_design(design)
    assert store.read_spec() == {"seed": 5, "vary": ["a=1:2"]}
    pd.testing.assert_frame_equal(store.read_design(), design)
    assert hidden_files(tmp_path) == []


def test_paths_follow_the_documented_layout(tmp_path):
    store = SweepStore(tmp_path)
    assert store.spec_path == tmp_path / "sweep.json"
    assert store.design_path == tmp_path / "design.parquet"
    assert store.run_path("p0001-r02") == tmp_path / "runs" / "county" / "p0001-r02.parquet"
    assert store.run_path("x", "schools") == tmp_path / "runs" / "schools" / "x.parquet"
    assert store.failure_path("x") == tmp_path / "failed" / "x.json"


# ---- issue 12: locks and litter do not count; damaged files are named ----------------------


def test_a_lock_and_os_litter_do_not_make_a_folder_non_empty(tmp_path):
    (tmp_path / ".edusim-lock").write_text("{}")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    assert SweepStore(tmp_path).is_empty()


@pytest.mark.parametrize("name", ["sweep.json", "design.parquet", "run", "failure"])
def test_damaged_files_are_errors_naming_them(tmp_path, name):
    store = SweepStore(tmp_path)
    store.write_spec({"kind": "edusim-sweep"})
    store.write_design(pd.DataFrame({"run_id": ["p0000-r00"], "point": [0], "replicate": [0],
                                     "seed": [9]}))
    store.write_run(task(0), {"county": county()})
    store.write_failure(task(1), "ValueError: x")
    path = {
        "sweep.json": store.spec_path,
        "design.parquet": store.design_path,
        "run": store.run_path("p0000-r00"),
        "failure": store.failure_path("p0001-r00"),
    }[name]
    path.write_bytes(b"\x00 not what it was")
    read = {
        "sweep.json": store.read_spec,
        "design.parquet": store.read_design,
        "run": store.read_table,
        "failure": store.read_failures,
    }[name]
    with pytest.raises(ExperimentError, match=path.name):
        read()


def test_a_design_without_the_run_columns_is_refused(tmp_path):
    store = SweepStore(tmp_path)
    write_parquet(store.design_path, pd.DataFrame({"x": [1]}))
    with pytest.raises(ExperimentError, match="not a sweep design"):
        store.read_design()


def test_cleaning_temporary_files_touches_only_the_sweeps_own_folders(tmp_path):
    store = SweepStore(tmp_path)
    store.write_run(task(0), {"county": county()})
    (tmp_path / "notes").mkdir()
    mine = tmp_path / "notes" / ".draft.v2.tmp"
    mine.write_text("the user's")
    stray = tmp_path / ".sweep.json.x1y2.tmp"
    stray.write_text("{")
    assert store.clean_temporary() == 1
    assert mine.exists() and not stray.exists()
