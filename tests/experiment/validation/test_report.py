"""The validation report: the score sentence and the documentation page it replaces."""

from __future__ import annotations

import pytest

from sim.errors import EdusimError
from sim.experiment.validation import DOCS_MARKER, validation_markdown, write_docs


def test_the_report_says_when_the_model_does_not_beat_the_null_model(small_result):
    beaten = small_result.table.assign(closer=["null", "null", ""])
    result = type(small_result)(small_result.plan, beaten, small_result.values, 4, 1.0, "")
    assert "does not beat the null model" in validation_markdown(result, None)


def test_the_docs_page_replaces_only_a_page_it_wrote(small_result, tmp_path):
    page = tmp_path / "docs" / "validation.md"
    page.parent.mkdir()
    page.write_text("# my notes\n")
    with pytest.raises(EdusimError, match="is not a report edusim validation wrote"):
        write_docs(small_result, page)
    assert page.read_text() == "# my notes\n"
    page.unlink()
    write_docs(small_result, page)
    assert page.read_text().splitlines()[0] == DOCS_MARKER
    write_docs(small_result, page)  # its own page: replaced
    other = tmp_path / "docs" / "other.md"
    (tmp_path / "docs" / "images").mkdir()
    (tmp_path / "docs" / "images" / "other.png").write_bytes(b"mine")
    with pytest.raises(EdusimError, match="its figure .* exists and was not written"):
        write_docs(small_result, other)


def test_the_screening_ranks_parameters_on_the_outputs_that_moved():
    import pandas as pd

    from sim.experiment.validation.report import screening_section

    screen = pd.DataFrame({
        "output": ["hollow_share"] * 2 + ["retention_rate"] * 2 + ["large_class_share"] * 2,
        "parameter": ["a", "b"] * 3,
        "mu_star": [0.2, 0.1, 0.05, 0.10, 0.001, 0.0],
        "mu_star_share": [1.0, 0.5, 0.4, 1.0, 1.0, 0.0],
    })
    text = screening_section(screen, "morris.csv")
    rows = [line for line in text.splitlines() if line.startswith(("| 1 ", "| 2 "))]
    # Counting the still output's noise would put a first (0.80 against 0.50); over the
    # outputs that moved b leads (0.75 against 0.70).
    assert rows == ["| 1 | `b` | 0.75 | 0.50 | 1.00 |", "| 2 | `a` | 0.70 | 1.00 | 0.40 |"]
    assert "`large_class_share` (0.0010)" in text
