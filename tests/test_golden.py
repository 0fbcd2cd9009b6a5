"""Every bundled scenario's outputs stay byte-identical to the recorded golden files.

The golden files (``tests/golden/``) were recorded before the structure work; a refactor
must not change a byte. A deliberate change of behaviour regenerates them
(``python tests/golden/record.py``) in its own commit, saying why.
"""

from __future__ import annotations

import difflib

import pytest
from golden.record import TABLES, outputs, path

from sim.scenario import bundled_names


@pytest.mark.parametrize("name", bundled_names())
def test_outputs_match_golden(name):
    produced = outputs(name)
    for table in TABLES:
        expected = path(name, table).read_text(encoding="utf-8")
        if produced[table] != expected:
            diff = difflib.unified_diff(
                expected.splitlines(),
                produced[table].splitlines(),
                f"golden/{name}.{table}.csv",
                "now",
                lineterm="",
                n=0,
            )
            pytest.fail(
                f"{name} {table} differs from the golden file:\n" + "\n".join(list(diff)[:20])
            )
