"""Tests mirror the package: every module of ``sim/`` with logic has ``tests/<pkg>/test_<mod>.py``.

A few modules hold declarations only, or are tested together with their siblings; each is
listed below with the test module that covers it, so the list is a map, not an escape.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIM, TESTS = REPO / "sim", REPO / "tests"

COVERED_ELSEWHERE = {
    # exception classes, no logic
    "sim/errors.py": "tests/cli/test_run.py (an EdusimError exits 2)",
    "sim/experiment/errors.py": "tests/experiment/test_compare.py, test_storage.py",
    # pydantic declarations of the policy blocks; their validators and ranges are tested together
    **{
        f"sim/scenario/policies/{name}.py": "tests/scenario/policies/test_validators.py, "
        "tests/scenario/test_schema.py, tests/scenario/test_schema_base.py"
        for name in ("admission", "boarding", "buildings", "busing", "capacity", "consolidation",
                     "consolidation_plan", "quality", "selectors", "teachers")
    },
}


def _mirror(module: Path) -> Path:
    relative = module.relative_to(SIM)
    return TESTS.joinpath(*relative.parts[:-1], f"test_{relative.name}")


def test_every_module_with_logic_has_its_test_module():
    missing = [
        f"{m.relative_to(REPO)} -> {_mirror(m).relative_to(REPO)}"
        for m in sorted(SIM.rglob("*.py"))
        if m.name not in ("__init__.py", "__main__.py")
        and str(m.relative_to(REPO)) not in COVERED_ELSEWHERE
        and not _mirror(m).is_file()
    ]
    assert not missing, "modules without their mirrored test module:\n" + "\n".join(missing)


def test_the_list_of_exceptions_names_real_modules():
    stale = [name for name in COVERED_ELSEWHERE if not (REPO / name).is_file()]
    assert not stale, f"listed modules that no longer exist: {stale}"
