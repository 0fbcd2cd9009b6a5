"""Issue 12, write failures: an --out that is a file, read-only or unwritable exits 2 before work.

``edusim run`` used to simulate first and fail at the end with a traceback; ``report`` drew
figures first. ``sim.outputs.check_writable_out`` / ``check_writable_file`` are the checks every
verb with an output can call before it computes.
"""

from __future__ import annotations

import pytest

import sim.cli.report
import sim.cli.run
import sim.outputs
from sim.errors import EdusimError
from sim.outputs import check_writable_file, check_writable_out

RUN = ("run", "small_county", "--years", "1", "--no-figures")


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the run verb simulates anything."""

    def refuse(*args, **kwargs):
        raise AssertionError("simulated before the output was checked")

    monkeypatch.setattr(sim.cli.run, "run", refuse)


@pytest.fixture
def no_drawing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("drew the report before the output was checked")

    monkeypatch.setattr("sim.viz.report.write_report", refuse)


# ---- run ------------------------------------------------------------------------------------


def test_run_out_that_is_a_file_exits_2_before_simulating(invoke, tmp_path, no_simulation):
    (tmp_path / "taken").write_text("a file")
    result = invoke(*RUN, "--out", "taken")
    assert result.exit_code == 2, result.output
    assert "--out taken: is a file, not a folder" in result.stderr
    assert (tmp_path / "taken").read_text() == "a file"


def test_run_out_below_a_file_exits_2(invoke, tmp_path, no_simulation):
    (tmp_path / "taken").write_text("a file")
    result = invoke(*RUN, "--out", "taken/run")
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_run_out_in_an_unwritable_folder_exits_2(invoke, unwritable, no_simulation):
    result = invoke(*RUN, "--out", unwritable / "run")
    assert result.exit_code == 2, result.output
    assert "cannot write in" in result.stderr and "Traceback" not in result.output


def test_run_out_when_the_probe_is_denied_exits_2(invoke, tmp_path, monkeypatch, no_simulation):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sim.outputs.tempfile, "mkdtemp", denied)
    result = invoke(*RUN, "--out", "run")
    assert result.exit_code == 2
    assert "--out run: cannot write in" in result.stderr and "Permission denied" in result.stderr


# ---- report ----------------------------------------------------------------------------------


def test_report_out_that_is_a_folder_exits_2_before_drawing(
    invoke, small_run_dir, tmp_path, no_drawing
):
    (tmp_path / "folder").mkdir()
    result = invoke("report", small_run_dir, "--out", "folder")
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_report_out_in_an_unwritable_folder_exits_2(invoke, small_run_dir, unwritable, no_drawing):
    result = invoke("report", small_run_dir, "--out", unwritable / "report.html")
    assert result.exit_code == 2 and "cannot write in" in result.stderr


def test_report_of_a_folder_whose_figures_cannot_be_drawn_exits_2(invoke, tmp_path, no_drawing):
    (tmp_path / "run" / "figures").parent.mkdir()
    (tmp_path / "run" / "figures").write_text("a file where the figures go")
    result = invoke("report", "run")
    assert result.exit_code == 2 and "figures: is a file" in result.stderr


def test_report_of_a_missing_folder_exits_2(invoke, no_drawing):
    result = invoke("report", "nowhere")
    assert result.exit_code == 2 and "nowhere: no such directory" in result.stderr


def test_schema_out_that_is_a_folder_exits_2(invoke, tmp_path):
    (tmp_path / "folder").mkdir()
    result = invoke("schema", "--out", "folder")
    assert result.exit_code == 2 and "is a folder" in result.stderr


# ---- the reusable checks -----------------------------------------------------------------------


def test_the_checks_leave_nothing_behind(tmp_path):
    check_writable_out(tmp_path / "a" / "b")
    check_writable_out(tmp_path)
    check_writable_file(tmp_path / "x" / "report.html")
    assert list(tmp_path.iterdir()) == []


def test_check_writable_out_refuses_files_and_unwritable_places(tmp_path, unwritable):
    (tmp_path / "f").write_text("x")
    with pytest.raises(EdusimError, match="is a file, not a folder"):
        check_writable_out(tmp_path / "f")
    with pytest.raises(EdusimError, match="because .* is a file"):
        check_writable_out(tmp_path / "f" / "below")
    with pytest.raises(EdusimError, match="cannot write in"):
        check_writable_out(unwritable / "new", option="--out")


def test_check_writable_file_refuses_a_folder(tmp_path):
    with pytest.raises(EdusimError, match="is a folder"):
        check_writable_file(tmp_path)
