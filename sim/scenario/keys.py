"""Dotted scenario keys (``policies.consolidation.rule.min_pupils.primary``) and scenario TOML.

One place for every walk over a scenario by dotted key: read a value (:func:`get_dotted`), set
one (:func:`set_dotted`), look a key up in the schema (:func:`field_type`, :func:`has_key`), and
write a scenario or a single value as TOML (:func:`to_toml`, :func:`toml_value`) in the form
``--set key=VALUE`` and :func:`tomllib.loads` read back.

A table given where the scenario already holds one is merged or replaces it, by one rule
(:func:`merged`), for ``extends``, ``--set`` and Python overrides alike:

- a *block* (``county``, ``schools.class_cap``) and a *record* (a table of fixed entries, such
  as ``roads.ride_speed_kmh`` with ``county``, ``township``, ``village``) given in part keep
  the entries left out;
- a *series* (a table of open entries, such as ``demography.births_index`` by year) given as a
  table replaces the one before it whole: its entries are the series. One entry set by a dotted
  key (``--set demography.births_index.2030=5``) keeps the other entries.
"""

from __future__ import annotations

import json
import math
import types
import typing
from typing import Any, Mapping, Sequence

import numpy as np
from pydantic import BaseModel

from sim.errors import ScenarioError
from sim.scenario.schema import Scenario

#: Characters a TOML key may hold without quotes (besides ASCII letters and digits).
BARE_KEY_EXTRA = "_-"
#: Opening and closing delimiter of a TOML multi-line basic string.
MULTILINE_QUOTES = '"""'


def get_dotted(data: Mapping[str, Any], key: str) -> Any:
    """Read the value at a dotted key of a nested mapping (``data[a][b][c]`` for ``"a.b.c"``).

    Parameters
    ----------
    data
        A scenario as a plain nested mapping (e.g. ``Scenario.model_dump(mode="json")``).
    key
        Dotted key.

    Returns
    -------
    Any
        The value stored there (a block comes back as its mapping).

    Raises
    ------
    ScenarioError
        A part of the key is missing, or a part before the last holds a value rather than a
        block of keys (the message names the key and the part).
    """
    node: Any = data
    parts = key.split(".")
    for i, part in enumerate(parts):
        where = ".".join(parts[:i])
        if not isinstance(node, Mapping):
            raise ScenarioError(
                f"key '{key}': '{where}' is a value ({node!r}), not a block of keys"
            )
        if part not in node:
            block = f"block '{where}'" if where else "the scenario"
            raise ScenarioError(f"key '{key}': {block} has no key '{part}'")
        node = node[part]
    return node


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``data[a][b][c] = value`` for ``key = "a.b.c"``, creating blocks on the way.

    A part that is missing or None (an absent optional block) becomes a new, empty block. A
    table given for a block or record that ``data`` already holds is merged into it, a series
    replaces the one there (:func:`merged`).

    Parameters
    ----------
    data
        A scenario as a plain nested dict; changed in place.
    key
        Dotted key.
    value
        The value to store.

    Raises
    ------
    ScenarioError
        A part before the last holds a value rather than a block of keys.
    """
    node = data
    parts = key.split(".")
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            where = ".".join(parts[: i + 1])
            raise ScenarioError(
                f"key '{key}': '{where}' is a value ({child!r}), not a block of keys"
            )
        node = child
    node[parts[-1]] = merged(node.get(parts[-1]), value, key)


def merged(old: Any, new: Any, key: str = "") -> Any:
    """Combine the value a scenario holds at ``key`` with a new one given there.

    Parameters
    ----------
    old
        The value held so far (None when there is none).
    new
        The value given.
    key
        Dotted scenario key of both values (``""``: the whole scenario).

    Returns
    -------
    Any
        ``new`` merged entry by entry into ``old`` (at every depth) when both are tables and
        ``key`` names a block or a record (:func:`merges`); else ``new``.
    """
    if not (isinstance(old, Mapping) and isinstance(new, Mapping) and merges(key)):
        return new
    out = dict(old)
    for part, value in new.items():
        sub = f"{key}.{part}" if key else str(part)
        out[part] = merged(out[part], value, sub) if part in out else value
    return out


def merges(key: str) -> bool:
    """Tell whether a table given at ``key`` keeps the entries it leaves out.

    Parameters
    ----------
    key
        Dotted scenario key (``""``: the whole scenario).

    Returns
    -------
    bool
        True for a block and for a record (a dict field whose entries are a fixed set of names,
        e.g. ``roads.ride_speed_kmh``); False for a series (a dict field of open entries, e.g.
        ``demography.births_index``), a value, and a key the schema does not have.
    """
    if not key:
        return True
    kind = field_type(key)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return True
    return is_record(kind)


def is_record(annotation: Any) -> bool:
    """Tell whether an annotation is a dict with a fixed set of entry names (``Literal`` keys).

    Parameters
    ----------
    annotation
        A field's type, as :func:`field_type` gives it.

    Returns
    -------
    bool
        True for ``dict[Literal[...], X]`` (or ``... | None``).
    """
    members = _members(annotation)
    if len(members) != 1 or typing.get_origin(members[0]) is not dict:
        return False
    entry = _members(typing.get_args(members[0])[0])
    return len(entry) == 1 and typing.get_origin(entry[0]) is typing.Literal


def is_series(annotation: Any) -> bool:
    """Tell whether an annotation is a dict of open entries (a series such as ``births_index``).

    Parameters
    ----------
    annotation
        A field's type, as :func:`field_type` gives it.

    Returns
    -------
    bool
        True for a dict (or ``dict | None``) whose keys are not a fixed ``Literal`` set.
    """
    members = _members(annotation)
    is_dict = len(members) == 1 and typing.get_origin(members[0]) is dict
    return is_dict and not is_record(annotation)


def _members(annotation: Any) -> list[Any]:
    """Unpack ``Annotated``, ``Optional`` and ``Union`` in an annotation (None dropped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [] if annotation is type(None) else [annotation]


def _child(annotation: Any, part: str) -> Any:
    """Find the annotation of key ``part`` below a block or dict annotation, or None."""
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get(part)
            if field is not None:
                return field.annotation
        elif typing.get_origin(member) is dict:
            return typing.get_args(member)[1]
    return None


def field_type(key: str) -> Any:
    """Look up the type of the scenario field at a dotted key.

    The walk goes through blocks (``policies.*`` included), optional blocks, union members and
    the values of dict fields (any entry name is accepted there).

    Parameters
    ----------
    key
        Dotted scenario key, e.g. ``"migration.town_constant"``.

    Returns
    -------
    Any
        The field's annotation with ``X | None`` reduced to ``X`` (``int``, ``float``, a block's
        model class, ``list[...]``, ...), or None when the schema has no such key.
    """
    node: Any = Scenario
    for part in key.split("."):
        node = _child(node, part)
        if node is None:
            return None
    members = _members(node)
    return members[0] if len(members) == 1 else node


def has_key(key: str) -> bool:
    """Tell whether the scenario schema has the dotted key (see :func:`field_type`).

    Parameters
    ----------
    key
        Dotted scenario key.

    Returns
    -------
    bool
        True when ``key`` names a block or a field of the schema.
    """
    return field_type(key) is not None


def _location_child(annotation: Any, part: str | int) -> Any:
    """Find the type at one part of a validation error location below ``annotation``.

    The part is a list index, a field, or the tag of a discriminated union member (a plan
    entry's action); None when it names nothing.
    """
    members = _members(annotation)
    for member in members:
        if isinstance(part, int) and typing.get_origin(member) is list:
            return typing.get_args(member)[0]
        field = getattr(member, "model_fields", {}).get(part)
        if field is not None:
            return field.annotation
    for member in members:  # pydantic names a tagged union's member by its tag
        for field in getattr(member, "model_fields", {}).values():
            tags = typing.get_args(field.annotation)
            if typing.get_origin(field.annotation) is typing.Literal and part in tags:
                return member
    return None


def keys_at(location: Sequence[str | int]) -> list[str]:
    """List the keys allowed in the block at a pydantic validation error location.

    Parameters
    ----------
    location
        The ``loc`` of a pydantic error without its last part: field names, list indices and
        tags of tagged plan entries (``("policies", "consolidation", "plan", 0, "close")``).

    Returns
    -------
    list[str]
        The block's field names in schema order; empty when the location names no block.
    """
    node: Any = Scenario
    for part in location:
        node = _location_child(node, part)
        if node is None:
            return []
    blocks = [m for m in _members(node) if hasattr(m, "model_fields")]
    return list(blocks[0].model_fields) if blocks else []


def _toml_key(key: Any) -> str:
    text = str(key)
    bare = text and text.isascii() and all(c.isalnum() or c in BARE_KEY_EXTRA for c in text)
    return text if bare else json.dumps(text, ensure_ascii=False)


def _toml_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _toml_string(text: str) -> str:
    if "\n" not in text:
        return json.dumps(text, ensure_ascii=False)
    # a multi-line basic string keeps long descriptions readable; TOML drops the first newline
    escaped = text.replace("\\", "\\\\").replace(MULTILINE_QUOTES, '\\"\\"\\"')
    return f"{MULTILINE_QUOTES}\n{escaped}{MULTILINE_QUOTES}"


def toml_value(value: Any) -> str:
    """Write a value as TOML text, as ``--set key=VALUE`` and ``key = VALUE`` read it.

    Parameters
    ----------
    value
        A bool, int, float (NaN and infinities included), str, list or tuple, or mapping, nested
        freely; NumPy scalars count as their Python kind. None items of lists and mappings are
        left out (TOML has no null).

    Returns
    -------
    str
        TOML text: numbers as Python writes them, text in double quotes (multi-line text as a
        multi-line string), lists ``[a, b]``, mappings as inline tables ``{ a = 1 }``.

    Raises
    ------
    TypeError
        ``value`` is None or of a type TOML cannot hold.
    """
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _toml_float(float(value))
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value if item is not None) + "]"
    if isinstance(value, Mapping):
        items = [f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    raise TypeError(f"no TOML form for {value!r}")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, Mapping) for x in value)


def to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    """Write a scenario mapping as a TOML document.

    Keys with plain values come first, then every non-empty block as a ``[table]`` and every
    list of blocks as ``[[tables]]``. A None value is written as a comment
    (``# key = (not set)``): TOML has no null, so it reads back as a missing key.

    Parameters
    ----------
    data
        A scenario as a plain nested mapping (e.g. ``Scenario.model_dump(mode="json")``).
    prefix
        Dotted name of the table ``data`` is (with a trailing dot), for nested tables.

    Returns
    -------
    str
        The document, ending in a newline.

    Raises
    ------
    TypeError
        A value TOML cannot hold (see :func:`toml_value`).
    """
    lines: list[str] = []
    tables: list[tuple[str, Mapping]] = []
    arrays: list[tuple[str, list]] = []
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            tables.append((key, value))
        elif _is_table_array(value):
            arrays.append((key, value))
        elif value is None:
            lines.append(f"# {_toml_key(key)} = (not set)")
        else:
            lines.append(f"{_toml_key(key)} = {toml_value(value)}")
    for key, block in tables:
        name = f"{prefix}{_toml_key(key)}"
        lines += ["", f"[{name}]", to_toml(block, name + ".").strip("\n")]
    for key, items in arrays:
        name = f"{prefix}{_toml_key(key)}"
        for item in items:
            lines += ["", f"[[{name}]]", to_toml(item, name + ".").strip("\n")]
    return "\n".join(lines) + "\n"


__all__ = [
    "field_type",
    "get_dotted",
    "has_key",
    "is_record",
    "is_series",
    "keys_at",
    "merged",
    "merges",
    "set_dotted",
    "to_toml",
    "toml_value",
]
