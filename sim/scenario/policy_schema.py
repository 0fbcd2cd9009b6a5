"""Scenario blocks of the policies (``[policies.<name>]``); their behaviour is in ``sim.policies``."""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.scenario.schema_base import Strict


class PolicyBlock(Strict):
    """Fields every policy shares: the years it is in force (inclusive; empty = always)."""

    start_year: int | None = Field(None, ge=1900, le=2200, description="First year the policy acts (empty: from the start).")
    end_year: int | None = Field(None, ge=1900, le=2200, description="Last year the policy acts (empty: to the end).")

    @model_validator(mode="after")
    def _years_in_order(self):
        if self.start_year is not None and self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self


class PoliciesConfig(Strict):
    """The policies in force; a block left out is a policy not applied."""
