"""The scenario reference: every parameter with its default and description, as Markdown."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from sim.scenario.schema import Scenario
from sim.scenario.schema_base import block_type


def parameter_rows(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, str, str]]:
    """(dotted key, default, description) for every leaf field, blocks expanded in order."""
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = field.annotation
        block = block_type(annotation)
        if block is not None and field.default_factory is not None and _is_block_default(field):
            rows.extend(parameter_rows(block, f"{key}."))
            continue
        default = "(required)" if field.is_required() else _format_default(field.get_default(call_default_factory=True))
        rows.append((key, default, (field.description or "").replace("\n", " ")))
    return rows


def policy_rows() -> list[tuple[str, str, str]]:
    """(dotted key, default, description) of every field of every policy block."""
    from sim.scenario.policy_schema import PoliciesConfig

    rows: list[tuple[str, str, str]] = []
    for name, field in PoliciesConfig.model_fields.items():
        block = block_type(field.annotation)
        if block is not None:
            rows.extend(parameter_rows(block, f"policies.{name}."))
    return rows


def _is_block_default(field) -> bool:
    if field.is_required():
        return False
    default = field.get_default(call_default_factory=True)
    return isinstance(default, BaseModel) and not _is_per_stage(default)


def _is_per_stage(value: BaseModel) -> bool:
    return set(type(value).model_fields) <= {"primary", "junior", "teaching_point", "nine_year"}


def _format_default(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, float):
        return f"{value:.6g}"
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def parameter_table_markdown() -> str:
    """A Markdown table of every scenario parameter (key, default, description with unit and source)."""
    lines = []
    for title, rows in (("Scenario", parameter_rows()), ("Policy blocks (used when the block is present)", policy_rows())):
        lines += [f"## {title}", "", "| key | default | meaning (unit; source or rationale) |", "|---|---|---|"]
        lines += [f"| `{key}` | `{default}` | {description.replace('|', '/')} |" for key, default, description in rows]
        lines.append("")
    return "\n".join(lines)
