"""Facts files: what a validation is held against, and every way one can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.experiment.errors import ExperimentError
from sim.experiment.validation import check_facts, load_facts

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "calibration" / "validation" / "china_2011_2023.toml"


def test_the_committed_facts_come_after_the_fitted_years_and_fit_the_national_scenario():
    facts, path = load_facts(COMMITTED)
    assert facts.fitted_through == 2010 and all(f.year > 2010 for f in facts.facts)
    assert all(f.source and f.mapping and f.tolerance_why for f in facts.facts)
    check_facts(facts, path, sim.load_scenario("china_2001_2020"))
    # what cannot be compared says why, and is kept in the report
    assert {f.name for f in facts.facts if not f.comparable} == {
        "migrant children, 2011", "migrant children in public schools, 2017"}


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "facts.toml"
    path.write_text(text, encoding="utf-8")
    return path


FACT = '''
[[facts]]
name = "retention"
metric = "retention_rate"
year = {year}
observed = {observed}
tolerance = 0.03
tolerance_why = "t"
source = "{source}"
mapping = "m"
{extra}
'''


def _facts(year=2026, observed="0.9", source="s", extra="", head='fitted_through = 2024'):
    return head + "\n" + FACT.format(year=year, observed=observed, source=source, extra=extra)


@pytest.mark.parametrize("text, words", [
    (_facts(extra="colour = 1"), "fact 'retention', key 'colour'"),
    (_facts(observed="nan"), "fact 'retention'"),
    (_facts(source=""), "fact 'retention', key 'source'"),
    (_facts(year=2024), "fact 'retention': year 2024 is not after fitted_through 2024"),
    (_facts(extra="comparable = true\nmetric_x = 1"), "unknown fact 'retention', key 'metric_x'"),
    ("fitted_through = 2024\n[[facts]]\nname = 'x'\nyear = 2026\nobserved = 1.0\n"
     "tolerance = 0.1\ntolerance_why = 't'\nsource = 's'\nmapping = 'm'\n",
     "a comparable fact needs a metric"),
    (_facts(head='fitted_through = 2024\nfit_table = "missing.csv"'),
     "fit_table missing.csv: no such file"),
    ("fitted_through = 2024\nfacts = []", "facts"),
    ("not toml [", "not a valid TOML file"),
])
def test_a_bad_facts_file_is_one_message_naming_the_entry(tmp_path, text, words):
    with pytest.raises(ExperimentError, match=words.replace("(", r"\(")) as err:
        load_facts(_write(tmp_path, text))
    assert str(err.value).startswith("--facts ")


def test_a_calibration_table_lacking_columns_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "fit.csv").write_text("moment,observed\nx,1\n", encoding="utf-8")
    text = _facts(head='fitted_through = 2024\nfit_table = "fit.csv"')
    with pytest.raises(ExperimentError, match="fit_table fit.csv: lacks the columns kind, "):
        load_facts(_write(tmp_path, text))


def test_targets_that_use_a_validation_year_are_refused(tmp_path):
    (tmp_path / "targets.toml").write_text(
        'name = "t"\n[[moments]]\nmetric = "pupils"\nyear = 2025\nobserved = 1.0\nsource = "s"\n'
        '[[parameters]]\nkey = "choice.taste_scale"\nlow = 0.1\nhigh = 1.0\n', encoding="utf-8")
    text = _facts(head='fitted_through = 2024\ntargets = "targets.toml"')
    with pytest.raises(ExperimentError, match="uses 2025, after fitted_through 2024"):
        load_facts(_write(tmp_path, text))


def test_an_unknown_metric_or_a_year_outside_the_run_is_refused_against_the_scenario(tmp_path):
    scenario = sim.load_scenario("small_county", ["years=3"])
    facts, path = load_facts(_write(tmp_path, _facts(year=2030)))
    with pytest.raises(ExperimentError, match="year 2030 is outside the run"):
        check_facts(facts, path, scenario)
    facts, path = load_facts(_write(tmp_path, _facts().replace("retention_rate", "happiness")))
    with pytest.raises(ExperimentError, match="unknown metric 'happiness'; known: "):
        check_facts(facts, path, scenario)


def test_no_calibration_target_is_dated_after_2010():
    from sim.experiment.calibration import load_targets

    files = sorted((ROOT / "calibration" / "targets").glob("*.toml"))
    assert files
    for path in files:
        years = [y for m in load_targets(path).moments for y in m.years]
        assert max(years) <= 2010, path.name
