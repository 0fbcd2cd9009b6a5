"""The base class of every scenario block."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    """Base for every scenario block: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PolicyBlock(Strict):
    """Fields every policy shares: the years it is in force (inclusive; empty = always)."""

    start_year: int | None = Field(None, ge=1900, le=2200, description="First year the policy acts (empty: from the start).")
    end_year: int | None = Field(None, ge=1900, le=2200, description="Last year the policy acts (empty: to the end).")

    @model_validator(mode="after")
    def _years_in_order(self):
        if self.start_year is not None and self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self


def block_type(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model in a field's annotation (``Model`` or ``Model | None``), else None."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
