"""edusim report: one self-contained HTML file of a run, comparison or sweep."""

from __future__ import annotations

import base64
import re
import shutil
import tomllib

import pytest

import sim
from sim.errors import EdusimError
from sim.experiment.compare import compare, write_comparison
from sim.viz.report import detect, run_headline, to_toml, write_report

IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture
def run_dir(small_run_dir, tmp_path):
    return shutil.copytree(small_run_dir, tmp_path / "run")


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory):
    a = sim.load_scenario("small_county", ["years=3", "name=near", "choice.beta_time=0.12"])
    b = sim.load_scenario("small_county", ["years=3", "name=far", "choice.beta_time=0.02"])
    return write_comparison(
        compare([a, b], replicates=2, workers=0, seed=5), tmp_path_factory.mktemp("cmp") / "cmp"
    )


def assert_self_contained(text: str, n_images: int) -> None:
    assert text.startswith("<!DOCTYPE html>")
    images = IMG.findall(text)
    assert len(images) == n_images == text.count("<img ")
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'(src|href)="(https?:)?//', text), (
        "the report must not load anything from the network"
    )
    assert "<script" not in text and "<link" not in text


def test_run_report(run_dir):
    path = write_report(run_dir)
    assert path == run_dir / "report.html"
    text = path.read_text(encoding="utf-8")
    assert_self_contained(text, 4)
    assert sorted(p.name for p in (run_dir / "figures").iterdir()) == [
        "county_map.png",
        "school_pupils.png",
        "timeseries.png",
        "tradeoff.png",
    ]
    assert "Over 2024–2026 (3 school years, mean of 2 replicates) pupils" in text
    assert "hollow share" in text and "Schools most at risk" in text
    assert "[choice]" in text and "beta_time" in text  # the scenario as TOML
    assert "&quot;seed&quot;: 11" in text  # the manifest


def test_compare_report(compare_dir, tmp_path):
    out = write_report(compare_dir, tmp_path / "elsewhere.html")
    text = out.read_text(encoding="utf-8")
    assert_self_contained(text, 2)
    assert "Comparison: near vs far" in text
    assert (
        "Lowest hollow share:" in text and "Against near, far changes the hollow share by" in text
    )
    assert "choice.beta_time" in text  # the keys that differ between the scenarios
    assert (compare_dir / "figures" / "frontier.png").is_file()


def test_sweep_report(tmp_path):
    from sim.experiment.sweep import execute_sweep, plan_sweep

    plan = plan_sweep(
        "small_county",
        ["choice.beta_time=0.02:0.12"],
        overrides=["years=2"],
        design="grid",
        samples=3,
        out=tmp_path / "sweep",
    )
    execute_sweep(plan, workers=0)
    text = write_report(tmp_path / "sweep").read_text(encoding="utf-8")
    assert_self_contained(text, 1)
    assert "Sweep: small_county" in text
    assert "Unfinished sweep" not in text
    # a run whose files are gone (a killed sweep): the report says the sweep is unfinished
    from sim.experiment.storage import SweepStore

    store = SweepStore(tmp_path / "sweep")
    sorted(store.table_dir("county").glob("*.parquet"))[0].unlink()
    partial = write_report(tmp_path / "sweep").read_text(encoding="utf-8")
    assert "1 of 3 runs are missing" in partial and "--resume" in partial


def test_report_is_deterministic(run_dir):
    first = write_report(run_dir).read_bytes()
    assert write_report(run_dir).read_bytes() == first


def test_not_a_result_folder(tmp_path):
    with pytest.raises(EdusimError, match="no such directory"):
        detect(tmp_path / "missing")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(EdusimError, match="not a run"):
        write_report(tmp_path)


def test_headline_numbers(small_run):
    county = small_run.county.copy()
    first, last = county["year"].min(), county["year"].max()
    county.loc[county["year"] == first, "pupils"] = 20_000
    county.loc[county["year"] == last, "pupils"] = 12_000
    county.loc[county["year"] == first, "hollow_share"] = 0.54
    county.loc[county["year"] == last, "hollow_share"] = 0.86
    text = " ".join(run_headline(county))
    assert "pupils fell from 20,000 to 12,000 (−40%)" in text
    assert "the hollow share rose from 54% to 86% (+32 points)" in text


def test_toml_round_trip(small_run):
    scenario = small_run.manifest["scenario"]
    parsed = tomllib.loads(to_toml(scenario))

    def drop_none(d):
        return (
            {k: drop_none(v) for k, v in d.items() if v is not None} if isinstance(d, dict) else d
        )

    assert parsed == drop_none(scenario)
    assert (
        tomllib.loads(to_toml({"a": {"b": [1, 2], "c": {}}, "s": 'say "hi"\\', "x": float("inf")}))[
            "s"
        ]
        == 'say "hi"\\'
    )
