"""Load scenarios: bundled names, TOML files, ``extends`` chains, ``--set`` overrides.

Every problem raises :class:`sim.errors.ScenarioError` with one message that names the key
path, the value and what is allowed; nothing is run or written before loading succeeds.

A block or a record (``roads.ride_speed_kmh``) given in part, in a file, an ``extends`` child
or a ``--set``, keeps the entries it leaves out (from the parent, else the defaults); a series
(``demography.births_index``) given as a table replaces the one before it, while a single entry
set with ``--set`` keeps the others (the rule of :func:`sim.scenario.keys.merged`). A file may
start with a UTF-8 byte order mark.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from sim.errors import ScenarioError
from sim.scenario.keys import (
    field_type,
    get_dotted,
    is_record,
    is_series,
    keys_at,
    merged,
    set_dotted,
)
from sim.scenario.reference import range_at
from sim.scenario.schema import Scenario
from sim.scenario.schema_base import block_type

BUNDLED_PACKAGE = "sim.scenario"
BUNDLED_FOLDER = "bundled"
#: Where an error message sends the user when it cannot list the keys allowed.
SCHEMA_HINT = "(see `edusim schema`)"
#: Longest rendering of a wrong value in an error message (characters).
MAX_VALUE_CHARS = 80
#: How scenario files are read: UTF-8, with or without a byte order mark (Windows editors).
FILE_ENCODING = "utf-8-sig"


def bundled_dir() -> Path:
    """Locate the folder of bundled scenario files (shipped inside the wheel)."""
    return Path(str(resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_FOLDER)))


def bundled_names() -> list[str]:
    """Names of the bundled scenarios, sorted."""
    return sorted(p.stem for p in bundled_dir().glob("*.toml"))


def describe_bundled() -> list[tuple[str, str]]:
    """(name, first line of description) for every bundled scenario."""
    rows = []
    for name in bundled_names():
        scenario = load_scenario(name)
        first_line = scenario.description.strip().splitlines()[0] if scenario.description else ""
        rows.append((name, first_line))
    return rows


def load_scenario(
    name_or_path: str | Path | None = None,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    name_or_path
        A bundled name (``"baseline"``), a TOML file, a run's ``manifest.json``, or None for
        the embedded default.
    overrides
        ``["dotted.key=value", ...]`` as on the command line (values parsed as TOML, else
        taken as text), or a mapping ``{"dotted.key": value}``.

    Raises
    ------
    ScenarioError
        Unknown name or file, invalid TOML, an ``extends`` that loops or points nowhere, an
        unknown key, a wrong type or value.
    """
    data: dict[str, Any] = {} if name_or_path is None else _resolve(str(name_or_path), chain=())
    for key, value in parse_overrides(overrides):
        _seed_series(data, key)
        set_dotted(data, key, value)
    return validate(data)


def _seed_series(data: dict[str, Any], key: str) -> None:
    """Before one entry of a series is set, put the default series there if none is given.

    ``--set demography.births_index.2030=5`` then changes one year of the default index
    instead of making an index of that year alone.
    """
    parts = key.split(".")
    for end in range(1, len(parts)):
        prefix = ".".join(parts[:end])
        if not is_series(field_type(prefix)):
            continue
        try:
            present = get_dotted(data, prefix) is not None
        except ScenarioError:
            present = False
        default = _schema_default(parts[:end])
        if not present and isinstance(default, Mapping):
            set_dotted(data, prefix, {str(k): v for k, v in default.items()})
        return


def _schema_default(parts: list[str]) -> Any:
    """The schema's default at a dotted key through blocks (None when it has none)."""
    model: Any = Scenario
    value: Any = None
    for part in parts:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        value = field.get_default(call_default_factory=True)
        model = block_type(field.annotation)
    return None if value is PydanticUndefined else value


def validate(data: Mapping[str, Any]) -> Scenario:
    """Validate a plain scenario mapping, turning pydantic's errors into one clear message.

    A block given in part keeps the defaults of the keys it leaves out, at every depth
    (``schools.class_cap.primary = 40`` keeps ``junior = 50``).
    """
    try:
        return Scenario.model_validate(_with_block_defaults(Scenario, dict(data), Scenario()))
    except ValidationError as exc:
        raise ScenarioError(_format_validation(exc)) from None


def _with_block_defaults(
    model: type[BaseModel], data: dict[str, Any], defaults: BaseModel | None
) -> dict[str, Any]:
    out = dict(data)
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None or not isinstance(value, Mapping):
            continue
        if is_record(field.annotation):
            default = getattr(defaults, key, None) if defaults is not None else None
            if default is None:
                default = field.get_default(call_default_factory=True)
            if isinstance(default, Mapping):
                out[key] = {**default, **value}
            continue
        block = block_type(field.annotation)
        if block is None:
            continue
        default = getattr(defaults, key, None) if defaults is not None else None
        block_defaults = default if isinstance(default, BaseModel) else None
        filled = _with_block_defaults(block, dict(value), block_defaults)
        out[key] = {**default.model_dump(), **filled} if isinstance(default, BaseModel) else filled
    return out


def _resolve(name_or_path: str, chain: tuple[str, ...]) -> dict[str, Any]:
    path = _locate(name_or_path, chain)
    key = str(path.resolve())
    if key in chain:
        loop = " -> ".join([*chain, key])
        raise ScenarioError(f"extends loops: {loop}")
    data = _read(path)
    _absolutise_county_file(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(
            f"{path}: key 'extends' = {parent!r}: must be a scenario name or a path (text)"
        )
    base = _resolve(_relative_to(parent, path.parent), chain=(*chain, key))
    return _deep_merge(base, data)


def _relative_to(name_or_path: str, folder: Path) -> str:
    candidate = folder / name_or_path
    return str(candidate) if candidate.is_file() else name_or_path


def _locate(name_or_path: str, chain: tuple[str, ...]) -> Path:
    path = Path(name_or_path)
    if path.is_file():
        return path
    bundled = bundled_dir() / f"{name_or_path}.toml"
    if bundled.is_file():
        return bundled
    where = f" (extended from {chain[-1]})" if chain else ""
    raise ScenarioError(
        f"scenario '{name_or_path}'{where} is neither a file nor a bundled scenario; "
        f"bundled scenarios are: {', '.join(bundled_names())}"
    )


def _read(path: Path) -> dict[str, Any]:
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding=FILE_ENCODING))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("scenario"), dict):
            raise ScenarioError(
                f"{path}: a JSON scenario must be a run manifest with a 'scenario' object"
            )
        return data["scenario"]
    try:
        return tomllib.loads(path.read_text(encoding=FILE_ENCODING))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not a valid TOML file: {exc}") from None


def _absolutise_county_file(data: dict[str, Any], folder: Path) -> None:
    county = data.get("county")
    if isinstance(county, dict) and isinstance(county.get("file"), str):
        file = Path(county["file"])
        if not file.is_absolute():
            county["file"] = str((folder / file).resolve())


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """A child file over its parent: blocks and records merged, series replaced (keys.merged)."""
    return dict(merged(base, top, ""))


def parse_overrides(overrides: Iterable[str] | Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """``["a.b=1", ...]`` or ``{"a.b": 1}`` as (dotted key, value) pairs; values parsed as TOML."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return list(overrides.items())
    parsed = []
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise ScenarioError(
                f"override '{item}': expected dotted.key=value, e.g. choice.beta_time=0.05"
            )
        parsed.append((key, _parse_value(text.strip())))
    return parsed


def _parse_value(text: str) -> Any:
    """Parse a TOML value if the text is one (number, bool, list, inline table), else keep it."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _format_validation(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(scenario)"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(keys_at(err["loc"][:-1])) or SCHEMA_HINT
            lines.append(f"unknown key '{path}' (value {value!r}); allowed keys here: {allowed}")
        elif not err["loc"]:  # a check across blocks: its message names the keys
            lines.append(err["msg"].removeprefix("Value error, "))
        else:
            allowed = range_at(err["loc"])
            where = f" (allowed: {allowed})" if allowed else ""
            lines.append(f"key '{path}' = {_short(value)}: {err['msg']}{where}")
    if len(lines) == 1:
        head = "invalid scenario: "
    else:
        head = f"invalid scenario ({len(lines)} problems):\n  "
    return head + "\n  ".join(lines)


def _short(value: Any) -> str:
    text = repr(value)
    if len(text) <= MAX_VALUE_CHARS:
        return text
    ellipsis = "..."
    return text[: MAX_VALUE_CHARS - len(ellipsis)] + ellipsis
