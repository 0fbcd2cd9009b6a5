"""Fuzz test (issue 12): any ``--set`` of any schema key to any value exits 0 or 2, never crashes.

Keys are drawn from the scenario's JSON Schema (``edusim schema``): every block and field,
every entry of a dict field. Values are of every kind: whole numbers and floats small and
huge, NaN, ±infinity, negative, true/false, text (empty, unicode, TOML-looking), lists and
tables. ``edusim validate small_county`` and ``edusim run small_county --years 1`` run in this
process (Typer's CliRunner); each must exit 0 or 2 and print no traceback.
"""

from __future__ import annotations

import itertools
import math
import resource
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim.cli  # noqa: F401  (registers every verb)
from sim.cli.app import USAGE_ERROR, app
from sim.scenario import Scenario
from sim.scenario.keys import toml_value

SCENARIO = "small_county"
#: Exit statuses a user's input may give: done, or a clear message.
ALLOWED_EXITS = (0, USAGE_ERROR)
#: Example counts: together well under a minute on the development machine.
VALIDATE_EXAMPLES = 400
RUN_EXAMPLES = 150
#: Address space the fuzzed commands may use beyond what the process holds already (bytes): a
#: scenario too large for memory is a MemoryError here (a crash the test reports) rather than a
#: machine driven out of memory.
MEMORY_HEADROOM = 4 * 2**30
#: Where Linux tells a process's virtual size (in pages, the first number).
STATM = Path("/proc/self/statm")
#: Overrides per example, and the percentage of edge values (runs get one edge value mostly,
#: so that more of them are valid and run).
MOST_OVERRIDES = 3
ALL, HALF, RUN_EDGE_PERCENT = 100, 50, 90
#: Entries tried for a dict field with open keys (the births index: years, and not years).
OPEN_ENTRIES = ("2030", "1899", "2201", "x", "-1")
#: Small whole numbers and floats, and values beyond every documented range.
SMALL = 1000
#: How far beyond a float bound an edge value lies.
EDGE_STEP = 1e-9
HUGE_INTS = (2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**12, 10**30)
ODD_FLOATS = (math.nan, math.inf, -math.inf, 1e12, 1e308, -1e308, 5e-324, -0.0)


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk(
    node: dict[str, Any], defs: dict[str, Any], prefix: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (dotted key, schema node) below a JSON Schema node: blocks, fields, dict entries."""
    node = _resolve(node, defs)
    for alternative in node.get("anyOf", []) + node.get("oneOf", []):
        yield from _walk(alternative, defs, prefix)
    for name, child in node.get("properties", {}).items():
        yield prefix + name, _resolve(child, defs)
        yield from _walk(child, defs, f"{prefix}{name}.")
    entry = node.get("additionalProperties")
    if isinstance(entry, dict):
        names = node.get("propertyNames", {}).get("enum") or OPEN_ENTRIES
        yield from ((prefix + str(n), _resolve(entry, defs)) for n in names)


def _edges(node: dict[str, Any], defs: dict[str, Any]) -> list[Any]:
    """Values at and just beyond a field's documented range, its default and allowed texts."""
    values: list[Any] = []
    for part in [node, *(_resolve(a, defs) for a in node.get("anyOf", []))]:
        values += part.get("enum", []) + ([part["const"]] if "const" in part else [])
        if "default" in part and not isinstance(part["default"], dict):
            values.append(part["default"])
        whole = part.get("type") == "integer"
        step = 1 if whole else EDGE_STEP
        for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if bound in part:
                edge = part[bound]
                values += [edge, edge - step, edge + step]
    return [v for v in values if v is not None]  # TOML has no null


def schema_keys() -> dict[str, list[Any]]:
    """Every dotted key of the scenario's JSON Schema, with the edge values of its field."""
    schema = Scenario.model_json_schema()
    defs = schema.get("$defs", {})
    keys: dict[str, list[Any]] = {}
    for key, node in _walk(schema, defs, ""):
        keys.setdefault(key, []).extend(_edges(node, defs))
    return dict(sorted(keys.items()))


KEYS = schema_keys()
RUN_NUMBERS = itertools.count()
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALARS = st.one_of(
    st.integers(-SMALL, SMALL),
    st.sampled_from(HUGE_INTS),
    st.floats(-SMALL, SMALL),
    st.sampled_from(ODD_FLOATS),
    st.booleans(),
    st.text(max_size=8),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=6), SCALARS, max_size=3),
)


@st.composite
def overrides(draw, most: int = MOST_OVERRIDES, edge_percent: int = HALF) -> list[str]:
    """One to ``most`` ``KEY=VALUE`` texts: values written as TOML, or text left raw.

    ``edge_percent`` of the values are a field's edge values (its bounds, just beyond them,
    its default), where a valid but extreme scenario is most likely to break a run; the others
    are of any kind.
    """
    items = []
    for _ in range(draw(st.integers(1, most))):
        key = draw(st.sampled_from(list(KEYS)))
        edges = KEYS[key]
        edge = edges and draw(st.integers(0, ALL - 1)) < edge_percent
        value = draw(st.sampled_from(edges) if edge else VALUES)
        raw = isinstance(value, str) and draw(st.booleans())
        items.append(f"{key}={value if raw else toml_value(value)}")
    return items


@pytest.fixture(scope="module", autouse=True)
def memory_cap() -> Iterator[None]:
    """Cap this process's address space while the fuzz tests run (restored after; Linux)."""
    if not STATM.is_file():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    held = int(STATM.read_text().split()[0]) * resource.getpagesize()
    cap = held + MEMORY_HEADROOM
    cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _check(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    shown = f"edusim {' '.join(args)}\n{result.output}"
    assert result.exit_code in ALLOWED_EXITS, shown + repr(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, shown


def _set(items: list[str]) -> list[str]:
    return [part for item in items for part in ("--set", item)]


def test_schema_keys_reach_blocks_fields_and_dict_entries():
    assert {"years", "county", "county.residents", "roads.ride_speed_kmh.county"} <= set(KEYS)
    assert "demography.births_index.2030" in KEYS
    assert any(k.startswith("policies.consolidation.") for k in KEYS)


@settings(FUZZ, max_examples=VALIDATE_EXAMPLES)
@given(items=overrides())
def test_validate_exits_0_or_2_and_prints_no_traceback(items):
    _check(["validate", SCENARIO, *_set(items)])


@pytest.fixture(scope="module")
def out_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="edusim-fuzz-") as folder:
        yield Path(folder)


@settings(FUZZ, max_examples=RUN_EXAMPLES)
@given(items=overrides(most=1, edge_percent=RUN_EDGE_PERCENT))
def test_run_one_year_exits_0_or_2_and_prints_no_traceback(items, out_root):
    out = out_root / f"run{next(RUN_NUMBERS)}"
    _check(["run", SCENARIO, "--years", "1", "--no-figures", "--out", str(out), *_set(items)])

