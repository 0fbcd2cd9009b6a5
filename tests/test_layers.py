"""Imports run one way (DESIGN §2): a test walks every import of ``sim/`` and enforces it.

The layers, lowest first::

    scenario (and the base utilities errors, outputs, rows, seeds, version)
    world, state
    behaviour, metrics  ->  policies  ->  agents
    model  ->  results, runner
    experiment  ->  viz  ->  cli

A module may import a lower layer or its own package. Besides the layers:

- nothing imports ``sim.cli``; ``sim.experiment`` never imports ``sim.viz``;
- ``sim.behaviour`` and ``sim.metrics`` never import ``sim.agents`` or ``sim.policies``;
- no policy module imports another policy module (shared helpers live in
  ``sim/policies/base.py`` or below; a policy package's own modules may import each other);
- only ``sim.cli`` imports ``sim`` modules inside functions (to keep ``edusim --help`` quick);
  anywhere else an import inside a function would hide a layer or a cycle;
- the module graph, imports inside functions included, has no cycle.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "sim"

# Each module's layer is the rank of the longest prefix listed here.
RANKS = {
    "sim.scenario": 0,
    "sim.errors": 0,
    "sim.outputs": 0,
    "sim.folders": 0,
    "sim.seeds": 0,
    "sim.version": 0,
    "sim.rows": 0,
    "sim.world": 1,
    "sim.state": 1,
    "sim.behaviour": 2,
    "sim.metrics": 2,
    "sim.policies": 3,
    "sim.agents": 4,
    "sim.model": 5,
    "sim.results": 6,
    "sim.runner": 6,
    "sim.experiment": 7,
    "sim.viz": 8,
    "sim.cli": 9,
    "sim": 10,  # the package itself: the public API
}
FORBIDDEN = [  # (importer prefix, imported prefix): never, whatever the ranks say
    ("sim.experiment", "sim.viz"),
    ("sim.behaviour", "sim.agents"),
    ("sim.behaviour", "sim.policies"),
    ("sim.metrics", "sim.agents"),
    ("sim.metrics", "sim.policies"),
]
POLICY_SHARED = ("sim.policies", "sim.policies.base", "sim.policies.common")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    if not level:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


@cache
def imports() -> list[tuple[str, str, bool, int]]:
    """(importer, imported module, inside a function, line) for every ``sim`` import."""
    found = []
    known = modules()
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function = {
            id(sub)
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for sub in ast.walk(node)
        }
        for node in ast.walk(tree):
            inner = id(node) in in_function
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node.module, node.level, name, path.name == "__init__.py")
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
                ]
            else:
                continue
            for target in targets:
                if target == "sim" or target.startswith("sim."):
                    found.append((name, target, inner, node.lineno))
    return sorted(set(found), key=lambda f: (f[0], f[3], f[1]))


def rank(module: str) -> int:
    prefix = max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len)
    return RANKS[prefix]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _package(module: str) -> str:
    return (
        module
        if module in modules() and modules()[module].name == "__init__.py"
        else module.rpartition(".")[0]
    )


def _where(importer: str, line: int) -> str:
    return f"{modules()[importer].relative_to(ROOT.parent)}:{line}"


def test_every_import_points_down_the_layers():
    wrong = [
        f"{_where(a, line)} {a} imports {b}"
        for a, b, _, line in imports()
        if not _within(b, _package(a)) and rank(b) > rank(a)
    ]
    assert not wrong, "imports that run up the layers (DESIGN §2):\n" + "\n".join(wrong)


def test_nothing_imports_the_cli():
    wrong = [
        f"{_where(a, line)} {a} imports {b}"
        for a, b, _, line in imports()
        if _within(b, "sim.cli") and not _within(a, "sim.cli") and a != "sim"
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_forbidden_pairs(importer, imported):
    wrong = [
        f"{_where(a, line)} {a} imports {b}"
        for a, b, _, line in imports()
        if _within(a, importer) and _within(b, imported)
    ]
    assert not wrong, f"{importer} must not import {imported}:\n" + "\n".join(wrong)


def _policy_unit(module: str) -> str:
    """A policy module, or the policy package a module belongs to (sim.policies.<name>)."""
    return ".".join(module.split(".")[:3])


def test_no_policy_reaches_into_another():
    wrong = [
        f"{_where(a, line)} {a} imports {b}"
        for a, b, _, line in imports()
        if _within(a, "sim.policies")
        and _within(b, "sim.policies")
        and a != "sim.policies"
        and b not in POLICY_SHARED
        and _policy_unit(a) != _policy_unit(b)
    ]
    assert not wrong, (
        "policies reaching into each other (share through policies/base.py):\n" + "\n".join(wrong)
    )


def test_imports_inside_functions_only_in_the_cli():
    wrong = [
        f"{_where(a, line)} {a} imports {b} inside a function"
        for a, b, inner, line in imports()
        if inner and not _within(a, "sim.cli")
    ]
    assert not wrong, "move these imports to the top of the module:\n" + "\n".join(wrong)


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for a, b, _, _ in imports():
        # a package's modules may import its __init__ (not the top package: that is the API)
        if b in modules() and a != b and (b == "sim" or not _within(a, b)):
            graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_walker_sees_the_package():
    """The test would pass vacuously if it found no modules or imports."""
    assert {"sim.model", "sim.state", "sim.cli", "sim.policies.base"} <= set(modules())
    assert any(a == "sim.model" and b == "sim.state" for a, b, _, _ in imports())


def test_the_checker_catches_an_import_of_the_public_api_from_below():
    """``from sim import EducationModel`` inside a phase would run up every layer."""
    importer, imported = "sim.behaviour.choice", "sim"
    assert not _within(imported, _package(importer)) and rank(imported) > rank(importer)

