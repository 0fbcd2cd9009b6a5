"""The validation report: scoring, the null model, the folder and the documentation page."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.errors import EdusimError
from sim.experiment.validation import (
    write_validation,
)


def test_a_validation_runs_the_model_and_the_null_model_on_common_random_numbers(small_result):
    r = small_result
    assert r.runs == 4 and r.plan.years == 3
    assert r.values["model"].shape == r.values["null"].shape == (2, 3)
    t = r.table.set_index("fact")
    # the null model keeps everyone where they live and in school
    assert t.loc["retention", "null_mean"] == 1.0
    assert t.loc["retention", "model_mean"] < 1.0
    assert np.isnan(t.loc["not comparable", "model_mean"])


def test_the_folder_holds_the_table_report_and_a_manifest_enough_to_rerun(small_result, tmp_path):
    out = write_validation(small_result, tmp_path / "v")
    assert {p.name for p in out.iterdir()} == {"validation.csv", "validation.md",
                                               "validation.json"}
    manifest = json.loads((out / "validation.json").read_text())
    assert manifest["kind"] == "edusim-validation" and manifest["seed"] == 3
    assert manifest["rerun"].startswith("edusim validation small_county --facts ")
    assert "--set years=3" in manifest["rerun"]
    assert manifest["null_model"]["migration.enabled"] is False
    table = pd.read_csv(out / "validation.csv")
    assert list(table["fact"]) == ["retention", "town share", "not comparable"]
    text = (out / "validation.md").read_text()
    assert "## The null model" in text and "**Not comparable**" in text
    with pytest.raises(EdusimError, match="holds an earlier validation"):
        write_validation(small_result, out)
    write_validation(small_result, out, force=True)
