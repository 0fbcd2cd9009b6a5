"""The scenario reference: every parameter with its default, range and description, as Markdown."""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.policies import PoliciesConfig
from sim.scenario.schema import Scenario
from sim.scenario.schema_base import block_type, range_text

#: Fields of a block shown as one value (a number per stage or per level), not expanded.
PER_STAGE_FIELDS = {"primary", "junior", "teaching_point", "nine_year"}
#: Longest default shown in the table (characters); longer ones are cut with "...".
MAX_DEFAULT_CHARS = 60


class ParameterRow(NamedTuple):
    """One row of the parameter table.

    Attributes
    ----------
    key : str
        Dotted key, e.g. ``county.residents``.
    default : str
        The default as shown (JSON, numbers to 6 significant digits).
    range : str
        Allowed values of a number, e.g. ``"0 to 1"`` (empty for text and choices).
    description : str
        Meaning, unit and source.
    """

    key: str
    default: str
    range: str
    description: str


def parameter_rows(model: type[BaseModel] = Scenario, prefix: str = "") -> list[ParameterRow]:
    """List every leaf field of ``model``, blocks expanded in order.

    A block with a default is replaced by its fields; an optional block (empty by default)
    and a list of blocks keep their own row, followed by their fields (``key.field``, and
    ``key[].field`` or ``key[action=close].field`` for list entries).

    Parameters
    ----------
    model : type of pydantic.BaseModel, default Scenario
        A scenario block (default the whole scenario).
    prefix : str, default ""
        Dotted key of ``model`` itself, ending in ``.`` (empty for the scenario).

    Returns
    -------
    list of ParameterRow
        One row per leaf field, in schema order.
    """
    rows: list[ParameterRow] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        block = block_type(field.annotation)
        if block is not None and field.default_factory is not None and _is_block_default(field):
            rows.extend(parameter_rows(block, f"{key}."))
            continue
        if field.is_required():
            default = "(required)"
        else:
            default = _format_default(field.get_default(call_default_factory=True))
        description = (field.description or "").replace("\n", " ")
        rows.append(ParameterRow(key, default, _range(field), description))
        if block is not None and not _is_per_stage(block) and model is not PoliciesConfig:
            rows.extend(parameter_rows(block, f"{key}."))  # policy blocks: in policy_rows
        for label, entry in _list_entries(field.annotation):
            rows.extend(parameter_rows(entry, f"{key}[{label}]."))
    return rows


def policy_rows() -> list[ParameterRow]:
    """List every field of every policy block (``policies.<name>.<key>``).

    Returns
    -------
    list of ParameterRow
        One row per field, policy by policy in schema order.
    """
    rows: list[ParameterRow] = []
    for name, field in PoliciesConfig.model_fields.items():
        block = block_type(field.annotation)
        if block is not None:
            rows.extend(parameter_rows(block, f"policies.{name}."))
    return rows


def _range(field: FieldInfo) -> str:
    """Describe the range of a number, or of a per-stage value's numbers (they share one)."""
    block = block_type(field.annotation)
    if block is not None and _is_per_stage(block):
        return range_text(next(iter(block.model_fields.values())))
    return range_text(field)


def _is_per_stage(block: type[BaseModel]) -> bool:
    return set(block.model_fields) <= PER_STAGE_FIELDS


def _is_block_default(field: FieldInfo) -> bool:
    if field.is_required():
        return False
    default = field.get_default(call_default_factory=True)
    return isinstance(default, BaseModel) and not _is_per_stage(type(default))


def _list_entries(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
    """Find the kinds of block a list field holds, as (label, block).

    The label is ``""`` for a list of one kind, the tag (``action=close``) for each member of a
    tagged union; a list of plain values gives no entry.
    """
    for member in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(member) is not list:
            continue
        item = typing.get_args(member)[0]
        if typing.get_origin(item) is Annotated:
            item = typing.get_args(item)[0]
        kinds = [k for k in (item, *typing.get_args(item)) if isinstance(k, type)]
        blocks = [k for k in kinds if issubclass(k, BaseModel)]
        if len(blocks) == 1:
            return [("", blocks[0])]
        return [(_tag(b), b) for b in blocks]
    return []


def _tag(block: type[BaseModel]) -> str:
    """``name=value`` of the block's single-valued Literal field (its tag in a union)."""
    for name, field in block.model_fields.items():
        values = typing.get_args(field.annotation)
        if typing.get_origin(field.annotation) is Literal and len(values) == 1:
            return f"{name}={values[0]}"
    return block.__name__


def _format_default(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_DEFAULT_CHARS else text[: MAX_DEFAULT_CHARS - 3] + "..."


def parameter_table_markdown() -> str:
    """Render every scenario parameter as Markdown tables (key, default, range, meaning).

    Returns
    -------
    str
        A table of the scenario's own keys, then one of the policy blocks' keys.
    """
    lines = []
    for title, rows in (
        ("Scenario", parameter_rows()),
        ("Policy blocks (used when the block is present)", policy_rows()),
    ):
        lines += [
            f"## {title}",
            "",
            "| key | default | range | meaning (unit; source or rationale) |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{row.key}` | `{row.default}` | {row.range} | {row.description.replace('|', '/')} |"
            for row in rows
        ]
        lines.append("")
    return "\n".join(lines)


def range_at(loc: tuple[str | int, ...]) -> str:
    """Describe the range of the number at a pydantic error location, for error messages.

    Parameters
    ----------
    loc : tuple of str or int
        An error's ``loc``: field names, list indices, tags of plan entries
        (``("policies", "consolidation", "plan", 0, "close", "year")``) and dict keys.

    Returns
    -------
    str
        E.g. ``"1 to 100"``; ``""`` when the location holds no bounded number.
    """
    node: type[BaseModel] | dict[str, type[BaseModel]] | FieldInfo = Scenario
    for part in loc:
        if isinstance(node, FieldInfo) or isinstance(part, int):
            continue  # a list index, or a dict key of a field of numbers: the items' range
        if isinstance(node, dict):  # the entries of a tagged list: the part is a tag
            node = node.get(part)
            if node is None:
                return ""
            continue
        field = node.model_fields.get(part)
        if field is None:
            return ""
        node = _descend(field)
    return _range(node) if isinstance(node, FieldInfo) else ""


def _descend(field: FieldInfo) -> type[BaseModel] | dict[str, type[BaseModel]] | FieldInfo:
    """Step into a field: the block it holds, its tagged list entries, or itself (values)."""
    block = block_type(field.annotation)
    if block is not None and not _is_per_stage(block):
        return block
    entries = _list_entries(field.annotation)
    if entries:
        return {label.partition("=")[2]: entry for label, entry in entries}
    return field
