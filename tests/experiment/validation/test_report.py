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
